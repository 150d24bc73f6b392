"""What every shell does after writing something about a child, in the same transaction: run the alert rules
(``alerts.evaluate_child``), so an alert is raised when the record completes a pattern rather than at the next
scheduled run (docs/decisions/0007-gate-check-network-and-alerts.md)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from openmash import alerts
from openmash.db.base import utcnow
from openmash.safeguarding.models_care import HelpRequest, HelpRequestStep


def child_recorded(session: Session, child_id: uuid.UUID, now: datetime | None = None) -> None:
    """Call after every write about a child (a concern or its correction, a status, an identifier, a missing
    report or return, a return interview, a request for help and its steps, a transport arrangement, a
    support item, its status, a review, a court date), inside the transaction that wrote it."""
    alerts.evaluate_child(session, child_id, now or utcnow())


def help_step_recorded(session: Session, step: HelpRequestStep) -> None:
    """After a step on a request for help (acknowledged, answered, closed): the rules about its child."""
    found = session.get(HelpRequest, step.request_id)
    if found is not None:
        child_recorded(session, found.child_id, step.acted_at)
