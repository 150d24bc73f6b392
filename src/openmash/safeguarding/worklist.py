"""The practitioner's own children, for the dashboard: those they are the lead professional for, and those
their agency knows through its own work (created the record, holds an identifier, is the placement, recorded
a concern, a missing episode or a request for help) — the same "connected" as ``visibility.connected``.

Why it is built this way:
- The list shows names only (with badges), never another agency's entries: opening a child still goes
  through ``visibility.open_child`` and its purpose rule.
- Listing names is a read of personal data, so it is audited with a fixed purpose and the children shown.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, exists, literal, or_, select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.errors import PermissionDenied
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.safeguarding.models import Child, ChildIdentifier, Concern
from openmash.safeguarding.models_care import HelpRequest, MissingEpisode
from openmash.safeguarding.status import Badge, badges

LIST_PURPOSE = "see the children my agency works with"
LIMIT = 50


@dataclass(frozen=True)
class MyChild:
    id: uuid.UUID
    surname: str
    forenames: str
    badges: list[Badge]
    lead_professional: bool  # the viewer is the child's lead professional


def my_children(session: Session, principal: Principal, *, limit: int = LIMIT) -> list[MyChild]:
    """The viewer's children, lead-professional ones first, then by name; at most ``limit``. Audited."""
    if not principal.can(Permission.CHRONOLOGY_READ):
        raise PermissionDenied("You do not have permission to see children's records")
    agency = principal.agency_id
    lead = Child.lead_professional_user_id == principal.id if principal.kind == "user" else None
    clauses = [
        Child.created_by_agency_id == agency,
        Child.placement_agency_id == agency,
        exists().where(ChildIdentifier.child_id == Child.id, ChildIdentifier.agency_id == agency),
        exists().where(Concern.child_id == Child.id, Concern.agency_id == agency),
        exists().where(MissingEpisode.child_id == Child.id, MissingEpisode.agency_id == agency),
        exists().where(HelpRequest.child_id == Child.id, HelpRequest.agency_id == agency),
    ]
    first: ColumnElement[int] = literal(1)
    if lead is not None:
        clauses.append(lead)
        first = case((lead, 0), else_=1)
    found = [
        MyChild(
            id=child.id,
            surname=child.surname,
            forenames=child.forenames,
            badges=badges(child),
            lead_professional=principal.kind == "user" and child.lead_professional_user_id == principal.id,
        )
        for child in session.scalars(
            select(Child)
            .where(or_(*clauses))
            .order_by(first, Child.surname, Child.forenames, Child.id)
            .limit(limit)
        )
    ]
    audit.record(
        session,
        "safeguarding.child.my_list",
        principal.actor,
        purpose=LIST_PURPOSE,
        details={"children": [str(c.id) for c in found]},
    )
    return found
