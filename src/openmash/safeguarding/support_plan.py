"""Reading a child's support plan (``safeguarding.support`` keeps it): the items with their owners, status
and history, the court dates, and whether today is inside a verdict's review window, as the viewer may see
them under ``visibility`` (the purpose rule, and the agency rule for each record). Every read is audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.audit.service import Context
from openmash.db.base import utcnow
from openmash.identity.models import Agency, User
from openmash.identity.principal import Principal
from openmash.safeguarding.court_dates import today_in_england, verdict_in_window
from openmash.safeguarding.models import Child
from openmash.safeguarding.models_support import CourtDate
from openmash.safeguarding.support import (
    DEFAULT_CONFIG,
    KIND_LABELS,
    Kind,
    Status,
    SupportConfig,
    events_for,
    items_of,
    review_pending,
    status_of,
)
from openmash.safeguarding.visibility import (
    get_child,
    may_see_record,
    may_see_support_item,
    open_child,
    scope_for,
)


@dataclass(frozen=True)
class EventView:
    kind: str
    status: str | None
    reasons: str | None
    acted_at: datetime
    by: str


@dataclass(frozen=True)
class ItemView:
    id: uuid.UUID
    kind: str
    kind_label: str
    description: str
    owner: str
    owner_user_id: uuid.UUID
    started_on: date
    status: str
    review_pending: bool
    recorded_by_agency: str
    history: list[EventView]


@dataclass(frozen=True)
class CourtDateView:
    id: uuid.UUID
    kind: str
    held_on: date
    court: str | None
    outcome: str | None
    recorded_by: str
    recorded_by_agency: str


@dataclass(frozen=True)
class Plan:
    child: Child
    scope: str
    purpose: str | None
    items: list[ItemView]
    court_dates: list[CourtDateView]
    verdict_on: date | None  # the verdict whose review window holds today
    review_until: date | None  # closing needs a manager's review before this day
    gap: bool


def support_plan(
    session: Session,
    principal: Principal,
    child_id: uuid.UUID,
    purpose: str | None,
    context: Context,
    *,
    now: datetime | None = None,
    config: SupportConfig = DEFAULT_CONFIG,
) -> Plan:
    """The child's support plan and court dates as the viewer may see them; audited, with the purpose rule."""
    now = now or utcnow()
    child = get_child(session, child_id)
    scope = scope_for(principal, child)
    names = {a.id: a.name for a in session.scalars(select(Agency))}
    items = [
        i
        for i in items_of(session, child.id)
        if may_see_support_item(principal, scope, i.agency_id, i.shared_with_police, i.owner_user_id)
    ]
    dates = [
        d
        for d in session.scalars(
            select(CourtDate).where(CourtDate.child_id == child.id).order_by(CourtDate.held_on, CourtDate.id)
        )
        if may_see_record(principal, scope, d.agency_id, d.shared_with_police)
    ]
    opened = open_child(
        session,
        principal,
        child.id,
        purpose,
        context,
        action="safeguarding.support.read",
        details={"items": [str(i.id) for i in items], "court_dates": [str(d.id) for d in dates]},
    )
    views = []
    events_by_item = events_for(session, [item.id for item in items])
    for item in items:
        events = events_by_item[item.id]
        views.append(
            ItemView(
                id=item.id,
                kind=item.kind,
                kind_label=KIND_LABELS.get(Kind(item.kind), item.kind),
                description=item.description,
                owner=item.owner,
                owner_user_id=item.owner_user_id,
                started_on=item.started_on,
                status=str(status_of(events)),
                review_pending=review_pending(events),
                recorded_by_agency=names.get(item.agency_id, ""),
                history=[EventView(e.kind, e.status, e.reasons, e.acted_at, e.by) for e in events],
            )
        )
    verdict = verdict_in_window(session, child.id, today_in_england(now), config.review_weeks)
    shown_verdict = verdict if verdict is not None and verdict in dates else None
    return Plan(
        child=opened.child,
        scope=str(opened.scope),
        purpose=opened.purpose,
        items=views,
        court_dates=[
            CourtDateView(
                d.id, d.kind, d.held_on, d.court, d.outcome, d.recorded_by, names.get(d.agency_id, "")
            )
            for d in dates
        ],
        verdict_on=shown_verdict.held_on if shown_verdict else None,
        review_until=(
            shown_verdict.held_on + timedelta(weeks=config.review_weeks) if shown_verdict else None
        ),
        gap=shown_verdict is not None and not any(v.status == Status.OPEN for v in views),
    )


def owner_choices(session: Session, principal: Principal, child_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    """Who may be named as an item's owner on a form: active users of the recorder's agency and the child's
    lead professional (the service accepts any active user, e.g. from the API)."""
    child = get_child(session, child_id)
    users = list(
        session.scalars(
            select(User)
            .where(User.agency_id == principal.agency_id, User.active.is_(True))
            .order_by(User.full_name)
        )
    )
    lead = session.get(User, child.lead_professional_user_id) if child.lead_professional_user_id else None
    if lead is not None and lead.active and lead not in users:
        users.insert(0, lead)
    return [(u.id, u.full_name) for u in users]
