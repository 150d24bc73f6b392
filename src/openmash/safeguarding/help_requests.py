"""Requests for help: when a child asks for help, whoever they told and whichever agency records it, the
request becomes a tracked item that a named person must acknowledge and answer within set times; one not
acknowledged or answered in time escalates to the MASH's managers, and it stays in the lists until it is
closed with the child's own view of the outcome.

Why it is built this way (the case review: children who asked for help were "not heard"):
- The child's words are kept exactly as typed, and so is their view of the outcome, which closing requires:
  a request is not over because the adults think it is.
- Times are working time (``worktime``), configurable (``HelpConfig``). Defaults: acknowledge within 1
  working day, answer within 5 working days, both counted from when the child asked (a request written
  up late does not restart the child's wait). They are fixed on the request when it is recorded.
- Acknowledging, answering, escalating and closing are steps, each a row that happens once per request
  (unique), so ``escalate_overdue`` can be run by a scheduler as often as wished, re-run after a crash, or
  run twice at once: a request escalates once for a late acknowledgement and once for a late answer.
- The recording agency and the MASH named on the request act on it, as named users (never an API token):
  ``help_responses`` (acknowledge, answer, close); this module records, escalates and lists.
- Requests and steps are evidence, append-only (migration 0007).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import SYSTEM, Context
from openmash.db.base import utcnow
from openmash.errors import PermissionDenied
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import Principal
from openmash.safeguarding.checks import Form
from openmash.safeguarding.models import Child
from openmash.safeguarding.models_care import HelpRequest, HelpRequestStep
from openmash.safeguarding.status import Badge, badges
from openmash.safeguarding.visibility import get_child
from openmash.safeguarding.worktime import DEFAULT_WORKING_HOURS, Timescale, Unit, WorkingHours

# The lists are the work lists of the agencies acting on the requests: read for one purpose.
LIST_PURPOSE = "answer children's requests for help"


class Step(StrEnum):
    ACKNOWLEDGED = "acknowledged"
    ANSWERED = "answered"
    ESCALATED_ACKNOWLEDGEMENT = "escalated_acknowledgement"
    ESCALATED_ANSWER = "escalated_answer"
    CLOSED = "closed"


ACKNOWLEDGE_WITHIN = Timescale(1, Unit.WORKING_DAYS)
ANSWER_WITHIN = Timescale(5, Unit.WORKING_DAYS)


@dataclass(frozen=True)
class HelpConfig:
    acknowledge_within: Timescale = ACKNOWLEDGE_WITHIN
    answer_within: Timescale = ANSWER_WITHIN
    hours: WorkingHours = DEFAULT_WORKING_HOURS


DEFAULT_CONFIG = HelpConfig()


@dataclass(frozen=True)
class HelpInput:
    asked_at: datetime
    told_to: str  # "her form tutor", "the night care worker"
    childs_words: str
    mash_agency_id: uuid.UUID | None = None  # a MASH recorder's own agency when not given
    summary: str | None = None
    shared_with_police: bool = False


def record_request(
    session: Session,
    principal: Principal,
    child_id: uuid.UUID,
    data: HelpInput,
    context: Context,
    *,
    now: datetime | None = None,
    config: HelpConfig = DEFAULT_CONFIG,
) -> HelpRequest:
    """Record a child's request for help; the times to acknowledge and answer it are fixed now. Audited."""
    if not principal.can(Permission.HELP_RECORD):
        raise PermissionDenied("You do not have permission to record requests for help")
    child = get_child(session, child_id)
    now = now or utcnow()
    form = Form()
    asked_at = form.moment("asked_at", data.asked_at, now)
    told_to = form.text("told_to", data.told_to, required="Say who the child asked", max_length=200)
    words = form.words(
        "childs_words", data.childs_words, required="Record what the child said, in their words"
    )
    summary = form.text("summary", data.summary)
    mash_id = data.mash_agency_id
    if mash_id is None and principal.agency_type is AgencyType.CHILDRENS_SOCIAL_CARE:
        mash_id = principal.agency_id
    mash = form.mash(session, "mash_agency_id", mash_id)
    form.check()
    request = HelpRequest(
        id=uuid.uuid4(),
        child_id=child.id,
        agency_id=principal.agency_id,
        mash_agency_id=mash,
        recorded_by_user_id=principal.id if principal.kind == "user" else None,
        recorded_by=principal.label,
        recorded_at=now,
        asked_at=asked_at,
        told_to=told_to or "",
        childs_words=words or "",
        summary=summary,
        shared_with_police=data.shared_with_police,
        acknowledge_due_at=config.acknowledge_within.due(asked_at, config.hours),
        answer_due_at=config.answer_within.due(asked_at, config.hours),
    )
    session.add(request)
    session.flush()
    audit.record(
        session,
        "safeguarding.help.record",
        principal.actor,
        object_type="help_request",
        object_id=request.id,
        context=context,
        details={
            "child_id": str(child.id),
            "acknowledge_due_at": request.acknowledge_due_at.isoformat(),
            "answer_due_at": request.answer_due_at.isoformat(),
        },
    )
    return request


def steps_of(session: Session, request_id: uuid.UUID) -> dict[str, HelpRequestStep]:
    return steps_for(session, [request_id])[request_id]


def steps_for(session: Session, request_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, HelpRequestStep]]:
    """Requests' steps by kind, in one statement for them all (a list must not read them one by one)."""
    found: dict[uuid.UUID, dict[str, HelpRequestStep]] = {i: {} for i in request_ids}
    if found:
        for step in session.scalars(select(HelpRequestStep).where(HelpRequestStep.request_id.in_(found))):
            found[step.request_id][step.kind] = step
    return found


def escalate_overdue(session: Session, now: datetime | None = None) -> list[HelpRequestStep]:
    """Escalate to the MASH every open request not acknowledged, or not answered, in time. Safe to re-run: an
    escalation already made is not made again (and a race with another run is lost quietly)."""
    now = now or utcnow()
    made: list[HelpRequestStep] = []
    late = list(session.scalars(select(HelpRequest).where(HelpRequest.acknowledge_due_at < now)))
    taken = steps_for(session, [r.id for r in late])
    for request in late:
        steps = taken[request.id]
        if Step.CLOSED in steps:
            continue
        due = [
            (Step.ESCALATED_ACKNOWLEDGEMENT, Step.ACKNOWLEDGED, request.acknowledge_due_at),
            (Step.ESCALATED_ANSWER, Step.ANSWERED, request.answer_due_at),
        ]
        for escalation, awaited, due_at in due:
            if escalation in steps or awaited in steps or now <= due_at:
                continue
            step = HelpRequestStep(
                id=uuid.uuid4(),
                request_id=request.id,
                kind=str(escalation),
                acted_at=now,
                by=SYSTEM.label,
                agency_id=request.mash_agency_id,
                text=f"Not {awaited} by {due_at.isoformat()}: escalated to the MASH's managers",
                missed_due_at=due_at,
            )
            try:
                with session.begin_nested():
                    session.add(step)
                    session.flush()
            except IntegrityError:
                continue
            audit.record(
                session,
                "safeguarding.help.escalate",
                SYSTEM,
                object_type="help_request",
                object_id=request.id,
                details={
                    "kind": str(escalation),
                    "missed": due_at.isoformat(),
                    "mash": str(request.mash_agency_id),
                },
            )
            made.append(step)
    return made


@dataclass(frozen=True)
class RequestView:
    id: uuid.UUID
    child_id: uuid.UUID
    surname: str
    forenames: str
    badges: list[Badge]
    recorded_by_agency: str
    asked_at: datetime
    told_to: str
    childs_words: str
    acknowledged_by: str | None
    answered_by: str | None
    acknowledge_due_at: datetime
    answer_due_at: datetime
    escalated: bool
    next_due_at: datetime | None  # acknowledgement, then answer; None once answered (awaiting closing)
    overdue: bool


def _views(
    session: Session, requests: list[tuple[HelpRequest, Child, Agency]], now: datetime
) -> list[RequestView]:
    found = []
    taken = steps_for(session, [request.id for request, _, _ in requests])
    for request, child, agency in requests:
        steps = taken[request.id]
        if Step.CLOSED in steps:
            continue
        acknowledged, answered = steps.get(Step.ACKNOWLEDGED), steps.get(Step.ANSWERED)
        next_due = None if answered else request.answer_due_at if acknowledged else request.acknowledge_due_at
        found.append(
            RequestView(
                id=request.id,
                child_id=child.id,
                surname=child.surname,
                forenames=child.forenames,
                badges=badges(child),
                recorded_by_agency=agency.name,
                asked_at=request.asked_at,
                told_to=request.told_to,
                childs_words=request.childs_words,
                acknowledged_by=acknowledged.by if acknowledged else None,
                answered_by=answered.by if answered else None,
                acknowledge_due_at=request.acknowledge_due_at,
                answer_due_at=request.answer_due_at,
                escalated=any(k in steps for k in (Step.ESCALATED_ACKNOWLEDGEMENT, Step.ESCALATED_ANSWER)),
                next_due_at=next_due,
                overdue=next_due is not None and now > next_due,
            )
        )
    # Overdue first, then soonest due; answered ones (awaiting the child's view) last, oldest first.
    found.sort(key=lambda v: (v.next_due_at is None, v.next_due_at or v.asked_at, v.asked_at, str(v.id)))
    return found


def _listed(session: Session, principal: Principal, action: str, views: list[RequestView]) -> None:
    audit.record(
        session,
        action,
        principal.actor,
        purpose=LIST_PURPOSE,
        details={"requests": [str(v.id) for v in views], "overdue": sum(v.overdue for v in views)},
    )


def _rows(session: Session, where: ColumnElement[bool]) -> list[tuple[HelpRequest, Child, Agency]]:
    query = (
        select(HelpRequest, Child, Agency)
        .join(Child, Child.id == HelpRequest.child_id)
        .join(Agency, Agency.id == HelpRequest.agency_id)
        .where(where)
    )
    return [(r, c, a) for r, c, a in session.execute(query).all()]


def open_requests(
    session: Session, principal: Principal, *, now: datetime | None = None
) -> list[RequestView]:
    """Requests not yet closed that the caller's agency recorded or is the MASH for. Audited."""
    if not principal.can(Permission.HELP_ANSWER):
        raise PermissionDenied("You do not have permission to answer requests for help")
    mine = (HelpRequest.agency_id == principal.agency_id) | (
        HelpRequest.mash_agency_id == principal.agency_id
    )
    views = _views(session, _rows(session, mine), now or utcnow())
    _listed(session, principal, "safeguarding.help.open_list", views)
    return views


def escalations(session: Session, principal: Principal, *, now: datetime | None = None) -> list[RequestView]:
    """Escalated requests not yet closed, for a manager of the MASH they escalated to. Audited."""
    if not principal.can(Permission.HELP_ESCALATIONS):
        raise PermissionDenied("Only a MASH manager sees escalated requests for help")
    escalated = select(HelpRequestStep.request_id).where(
        HelpRequestStep.kind.in_([Step.ESCALATED_ACKNOWLEDGEMENT.value, Step.ESCALATED_ANSWER.value])
    )
    mine = (HelpRequest.mash_agency_id == principal.agency_id) & HelpRequest.id.in_(escalated)
    views = _views(session, _rows(session, mine), now or utcnow())
    _listed(session, principal, "safeguarding.help.escalations", views)
    return views
