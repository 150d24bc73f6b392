"""Support after court (issue 8 item 9): a child's support plan (therapy, an advocate, an independent sexual
violence adviser...) as tracked items with named owners; the court dates of criminal cases about the child
are in ``court_dates``. A parent told the case review that after court "suddenly there was nothing".

Why it is built this way:
- The plan belongs to the child, not to a case: no item names a case, and nothing ends an item but a person
  closing it, so the plan outlives any criminal case.
- An item's status (open, paused, closed) is its latest status event; each change is a new row with who,
  when and why (append-only, migration 0010).
- **The rule**: no item may be closed in the ``review_weeks`` (default 12, ``SupportConfig``) after a verdict
  without a MASH manager's review. The window runs from the verdict's day (in England) for ``review_weeks``
  whole weeks: a verdict on 1 March leaves the window on 24 May (84 days later), when closing is allowed
  again. Inside it, closing is refused to everyone (``ReviewRequired``, naming the rule); the person acting on
  the item may ask for a review (``request_closure``), and a MASH manager (``SUPPORT_REVIEW``) records the
  review with reasons (``review_closure``), closing the item or keeping it open. Pausing is allowed (it is
  not closing), but a paused item is not support: the gap alert counts it as none.
- Who keeps the plan: ``SUPPORT_KEEP`` (every agency recording about children), narrowed here to the MASH,
  the lead professional and agencies already connected to the child (``visibility``). An item is acted on
  by its owner, a user of the agency that recorded it, or a MASH user; changes are a named person's (never an
  API token). Reading the plan is ``visibility.open_child`` with the purpose rule; each item and court date
  is shown under the agency rule (``visibility.may_see_record``), like any record about the child.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.db.base import utcnow
from openmash.errors import Conflict, NotFoundError, PermissionDenied
from openmash.identity.models import User
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import Principal
from openmash.safeguarding.checks import LINE_MAX_LENGTH, Form
from openmash.safeguarding.court_dates import (
    REVIEW_WEEKS,
    may_keep_plan,
    today_in_england,
    verdict_in_window,
)
from openmash.safeguarding.models_support import CourtDate, SupportItem, SupportItemEvent
from openmash.safeguarding.visibility import get_child

RULE = "support after court"


@dataclass(frozen=True)
class SupportConfig:
    review_weeks: int = REVIEW_WEEKS


DEFAULT_CONFIG = SupportConfig()


class Kind(StrEnum):
    THERAPY = "therapy"
    ADVOCATE = "advocate"
    ISVA = "isva"
    OTHER = "other"


KIND_LABELS = {
    Kind.THERAPY: "Therapy",
    Kind.ADVOCATE: "Advocate",
    Kind.ISVA: "Independent sexual violence adviser (ISVA)",
    Kind.OTHER: "Other support",
}


class Status(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class EventKind(StrEnum):
    STATUS = "status"
    CLOSURE_REQUESTED = "closure_requested"
    REVIEW = "review"


KEPT_OPEN = "kept_open"


class ReviewRequired(Conflict):
    """Closing an item inside the review window after a verdict needs a MASH manager's review."""


def events_of(session: Session, item_id: uuid.UUID) -> list[SupportItemEvent]:
    return events_for(session, [item_id])[item_id]


def events_for(session: Session, item_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[SupportItemEvent]]:
    """Items' events in order, in one statement for them all (a list must not read them item by item)."""
    found: dict[uuid.UUID, list[SupportItemEvent]] = {i: [] for i in item_ids}
    if found:
        query = select(SupportItemEvent).where(SupportItemEvent.item_id.in_(found))
        for event in session.scalars(query.order_by(SupportItemEvent.seq)):
            found[event.item_id].append(event)
    return found


def status_of(events: list[SupportItemEvent]) -> Status:
    statuses = [e for e in events if e.kind == EventKind.STATUS.value]
    return Status(statuses[-1].status or Status.OPEN) if statuses else Status.OPEN


def review_pending(events: list[SupportItemEvent]) -> bool:
    """A request to close not yet followed by a review or a change of status."""
    for event in reversed(events):
        if event.kind == EventKind.CLOSURE_REQUESTED.value:
            return True
        if event.kind in (EventKind.REVIEW.value, EventKind.STATUS.value):
            return False
    return False


def items_of(session: Session, child_id: uuid.UUID) -> list[SupportItem]:
    order = (SupportItem.started_on, SupportItem.recorded_at, SupportItem.id)
    return list(session.scalars(select(SupportItem).where(SupportItem.child_id == child_id).order_by(*order)))


def _event(
    session: Session,
    principal: Principal,
    item: SupportItem,
    kind: EventKind,
    now: datetime,
    *,
    status: str | None = None,
    reasons: str | None = None,
    verdict_id: uuid.UUID | None = None,
) -> SupportItemEvent:
    seq = session.scalar(select(func.max(SupportItemEvent.seq)).where(SupportItemEvent.item_id == item.id))
    event = SupportItemEvent(
        id=uuid.uuid4(),
        item_id=item.id,
        seq=(seq or 0) + 1,
        child_id=item.child_id,
        kind=str(kind),
        status=status,
        reasons=reasons,
        verdict_id=verdict_id,
        acted_at=now,
        by_user_id=principal.id if principal.kind == "user" else None,
        by=principal.label,
        agency_id=principal.agency_id,
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ItemInput:
    kind: str
    description: str
    owner_user_id: uuid.UUID | None
    started_on: date
    shared_with_police: bool = False


def add_item(
    session: Session,
    principal: Principal,
    child_id: uuid.UUID,
    data: ItemInput,
    context: Context,
    *,
    now: datetime | None = None,
) -> SupportItem:
    """Add an item to the child's support plan, open from the start, with its named owner. Audited."""
    child = get_child(session, child_id)
    may_keep_plan(session, principal, child)
    now = now or utcnow()
    form = Form()
    kind = form.choice("kind", data.kind, {str(k) for k in Kind}, "Select the kind of support")
    description = form.text(
        "description", data.description, required="Describe the support", max_length=LINE_MAX_LENGTH
    )
    owner = session.get(User, data.owner_user_id) if data.owner_user_id is not None else None
    if owner is None or not owner.active:
        form.errors["owner_user_id"] = "Select the person who owns this support"
    form.check()
    assert owner is not None
    item = SupportItem(
        id=uuid.uuid4(),
        child_id=child.id,
        agency_id=principal.agency_id,
        kind=kind,
        description=description or "",
        owner_user_id=owner.id,
        owner=owner.full_name,
        started_on=data.started_on,
        recorded_by_user_id=principal.id if principal.kind == "user" else None,
        recorded_by=principal.label,
        recorded_at=now,
        shared_with_police=data.shared_with_police,
    )
    session.add(item)
    session.flush()
    _event(
        session, principal, item, EventKind.STATUS, now, status=Status.OPEN.value, reasons="Support started"
    )
    audit.record(
        session,
        "safeguarding.support.add",
        principal.actor,
        object_type="support_item",
        object_id=item.id,
        context=context,
        details={"child_id": str(child.id), "kind": kind, "owner": str(owner.id)},
    )
    return item


def _acting(session: Session, principal: Principal, item_id: uuid.UUID) -> SupportItem:
    """An item the caller, a named person, may act on: its owner, its recording agency's user or the MASH."""
    if not principal.can(Permission.SUPPORT_KEEP):
        raise PermissionDenied("You do not have permission to keep children's support plans")
    if principal.kind != "user":
        raise PermissionDenied("A named person changes a support item")
    item = session.get(SupportItem, item_id)
    if item is None or not (
        item.owner_user_id == principal.id
        or item.agency_id == principal.agency_id
        or principal.agency_type is AgencyType.CHILDRENS_SOCIAL_CARE
    ):
        raise NotFoundError("Support item not found")
    return item


def _refusal(verdict: CourtDate, weeks: int) -> ReviewRequired:
    until = verdict.held_on + timedelta(weeks=weeks)
    return ReviewRequired(
        f"Rule '{RULE}': no support item may be closed in the {weeks} weeks after a verdict (verdict on "
        f"{verdict.held_on:%d %B %Y}; until {until:%d %B %Y}) without a MASH manager's review. Ask a MASH "
        "manager to review closing it."
    )


def change_status(
    session: Session,
    principal: Principal,
    item_id: uuid.UUID,
    status: str,
    reasons: str,
    context: Context,
    *,
    now: datetime | None = None,
    config: SupportConfig = DEFAULT_CONFIG,
) -> SupportItemEvent:
    """Open, pause or close an item, with reasons. Closing inside a verdict's window is refused
    (``ReviewRequired``): that needs a MASH manager's review (``review_closure``)."""
    item = _acting(session, principal, item_id)
    now = now or utcnow()
    form = Form()
    new = form.choice("status", status, {str(s) for s in Status}, "Select open, paused or closed")
    why = form.text("reasons", reasons, required="Say why the support is changing")
    form.check()
    current = status_of(events_of(session, item.id))
    if current == new:
        raise Conflict(f"This support is already {new}")
    if new == Status.CLOSED:
        verdict = verdict_in_window(session, item.child_id, today_in_england(now), config.review_weeks)
        if verdict is not None:
            raise _refusal(verdict, config.review_weeks)
    event = _event(session, principal, item, EventKind.STATUS, now, status=new, reasons=why)
    audit.record(
        session,
        "safeguarding.support.status",
        principal.actor,
        object_type="support_item",
        object_id=item.id,
        context=context,
        details={"child_id": str(item.child_id), "from": str(current), "to": new},
    )
    return event


def request_closure(
    session: Session,
    principal: Principal,
    item_id: uuid.UUID,
    reasons: str,
    context: Context,
    *,
    now: datetime | None = None,
    config: SupportConfig = DEFAULT_CONFIG,
) -> SupportItemEvent:
    """Ask a MASH manager to review closing an item inside a verdict's window; the item stays as it is."""
    item = _acting(session, principal, item_id)
    now = now or utcnow()
    form = Form()
    why = form.text("reasons", reasons, required="Say why the support should close")
    form.check()
    events = events_of(session, item.id)
    if status_of(events) is Status.CLOSED:
        raise Conflict("This support is already closed")
    if review_pending(events):
        raise Conflict("A MASH manager's review of closing this support is already pending")
    verdict = verdict_in_window(session, item.child_id, today_in_england(now), config.review_weeks)
    if verdict is None:
        raise Conflict("No review is needed to close this support: close it with your reasons")
    event = _event(
        session, principal, item, EventKind.CLOSURE_REQUESTED, now, reasons=why, verdict_id=verdict.id
    )
    audit.record(
        session,
        "safeguarding.support.request_closure",
        principal.actor,
        object_type="support_item",
        object_id=item.id,
        context=context,
        details={"child_id": str(item.child_id), "verdict": str(verdict.id)},
    )
    return event


def review_closure(
    session: Session,
    principal: Principal,
    item_id: uuid.UUID,
    close: bool,
    reasons: str,
    context: Context,
    *,
    now: datetime | None = None,
    config: SupportConfig = DEFAULT_CONFIG,
) -> SupportItemEvent:
    """A MASH manager's review of closing an item, with reasons: close it, or keep it as it is."""
    if not principal.can(Permission.SUPPORT_REVIEW) or principal.kind != "user":
        raise PermissionDenied(f"Rule '{RULE}': only a MASH manager reviews closing support after a verdict")
    item = session.get(SupportItem, item_id)
    if item is None:
        raise NotFoundError("Support item not found")
    now = now or utcnow()
    form = Form()
    why = form.text("reasons", reasons, required="Give the reasons for your review")
    form.check()
    if close and status_of(events_of(session, item.id)) is Status.CLOSED:
        raise Conflict("This support is already closed")
    verdict = verdict_in_window(session, item.child_id, today_in_england(now), config.review_weeks)
    outcome = Status.CLOSED.value if close else KEPT_OPEN
    review = _event(
        session,
        principal,
        item,
        EventKind.REVIEW,
        now,
        status=outcome,
        reasons=why,
        verdict_id=verdict.id if verdict else None,
    )
    if close:
        _event(
            session,
            principal,
            item,
            EventKind.STATUS,
            now,
            status=Status.CLOSED.value,
            reasons=f"Closed on a MASH manager's review: {why}",
            verdict_id=verdict.id if verdict else None,
        )
    audit.record(
        session,
        "safeguarding.support.review",
        principal.actor,
        object_type="support_item",
        object_id=item.id,
        context=context,
        details={"child_id": str(item.child_id), "outcome": outcome},
    )
    return review


def support_gap(
    session: Session, child_id: uuid.UUID, now: datetime, weeks: int = REVIEW_WEEKS
) -> tuple[CourtDate, list[SupportItem]] | None:
    """A gap in support: a verdict in the last ``weeks`` weeks and no item open (none at all, or every one
    paused or closed). Returns the verdict and the child's items that are not open; None when no gap."""
    verdict = verdict_in_window(session, child_id, today_in_england(now), weeks)
    if verdict is None:
        return None
    items = items_of(session, child_id)
    events = events_for(session, [item.id for item in items])
    statuses = {item.id: status_of(events[item.id]) for item in items}
    if any(s is Status.OPEN for s in statuses.values()):
        return None
    return verdict, items
