"""The court dates of criminal cases about a child (hearings, trials, verdicts), and the window after a
verdict in which the child's support plan may not lapse (``support``). Kept by those who keep the plan."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.db.base import utcnow
from openmash.errors import PermissionDenied
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.register.workdays import UK
from openmash.safeguarding.checks import LINE_MAX_LENGTH, Form
from openmash.safeguarding.models import Child
from openmash.safeguarding.models_support import CourtDate
from openmash.safeguarding.visibility import get_child, knows_child

REVIEW_WEEKS = 12


class CourtKind(StrEnum):
    HEARING = "hearing"
    TRIAL = "trial"
    VERDICT = "verdict"


@dataclass(frozen=True)
class CourtDateInput:
    kind: str
    held_on: date
    court: str | None = None
    outcome: str | None = None
    shared_with_police: bool = True


def today_in_england(now: datetime) -> date:
    return now.astimezone(UK).date()


def may_keep_plan(session: Session, principal: Principal, child: Child) -> None:
    """Who keeps a child's support plan and court dates: the MASH, the lead professional and agencies
    already working with the child."""
    if not principal.can(Permission.SUPPORT_KEEP):
        raise PermissionDenied("You do not have permission to keep children's support plans")
    if not knows_child(session, principal, child):
        raise PermissionDenied(
            "Only the MASH, the lead professional and agencies working with the child keep its support plan"
        )


def record_court_date(
    session: Session,
    principal: Principal,
    child_id: uuid.UUID,
    data: CourtDateInput,
    context: Context,
    *,
    now: datetime | None = None,
) -> CourtDate:
    """Record a hearing, trial or verdict against the child (a later date may be recorded ahead). Audited."""
    child = get_child(session, child_id)
    may_keep_plan(session, principal, child)
    now = now or utcnow()
    form = Form()
    kind = form.choice(
        "kind", data.kind, {str(k) for k in CourtKind}, "Select a hearing, a trial or a verdict"
    )
    court = form.text("court", data.court, max_length=LINE_MAX_LENGTH)
    outcome = form.text("outcome", data.outcome)
    if kind == CourtKind.VERDICT and data.held_on > today_in_england(now):
        form.errors["held_on"] = "A verdict's date must be today or in the past"
    form.check()
    found = CourtDate(
        id=uuid.uuid4(),
        child_id=child.id,
        agency_id=principal.agency_id,
        kind=kind,
        held_on=data.held_on,
        court=court,
        outcome=outcome,
        recorded_by_user_id=principal.id if principal.kind == "user" else None,
        recorded_by=principal.label,
        recorded_at=now,
        shared_with_police=data.shared_with_police,
    )
    session.add(found)
    session.flush()
    audit.record(
        session,
        "safeguarding.support.court_date",
        principal.actor,
        object_type="court_date",
        object_id=found.id,
        context=context,
        details={"child_id": str(child.id), "kind": kind, "held_on": data.held_on.isoformat()},
    )
    return found


def _verdicts_in_window(today: date, weeks: int) -> ColumnElement[bool]:
    """Verdicts on or before ``today`` whose window (``weeks`` whole weeks from the day) holds it."""
    return and_(
        CourtDate.kind == CourtKind.VERDICT.value,
        CourtDate.held_on <= today,
        CourtDate.held_on > today - timedelta(weeks=weeks),
    )


def verdict_in_window(
    session: Session, child_id: uuid.UUID, today: date, weeks: int = REVIEW_WEEKS
) -> CourtDate | None:
    """The child's latest verdict whose window holds ``today``."""
    return session.scalars(
        select(CourtDate)
        .where(CourtDate.child_id == child_id, _verdicts_in_window(today, weeks))
        .order_by(CourtDate.held_on.desc(), CourtDate.recorded_at.desc())
    ).first()


def children_with_recent_verdicts(
    session: Session, now: datetime, weeks: int = REVIEW_WEEKS
) -> list[uuid.UUID]:
    """Children with a verdict whose window holds today (the gap-in-support alert looks at them)."""
    found = select(CourtDate.child_id).where(_verdicts_in_window(today_in_england(now), weeks)).distinct()
    return list(session.scalars(found))
