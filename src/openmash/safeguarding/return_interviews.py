"""Return home interviews after a missing episode: offered, declined or completed, by a named independent
interviewer, with the child's account kept exactly as typed; and the list of interviews due and overdue.

Why it is built this way:
- Statutory guidance expects an independent interview to be offered within 72 hours of the child's return;
  nationally about a third were not done in time. The due time is fixed on the return (``missing``), and the
  list shows every interview not yet done, soonest due first, with overdue ones marked, to the MASH that
  arranges them and to the agency that reported the child missing.
- An interview is done when it is completed or the child declined it; "offered" alone is a step on the way
  (the offer is kept, the interview is still due). Whether it was in time is worked out from the times.
- The MASH of the episode records interviews (``INTERVIEWS_RECORD``): the interviewer is independent of the
  child's carers, and the MASH commissions the interview.
- Interviews are evidence: append-only (migration 0007).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.db.base import utcnow
from openmash.errors import Conflict, PermissionDenied
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.safeguarding.checks import Form
from openmash.safeguarding.missing import get_episode, return_of
from openmash.safeguarding.models import Child
from openmash.safeguarding.models_care import MissingEpisode, MissingReturn, ReturnInterview
from openmash.safeguarding.status import Badge, badges
from openmash.safeguarding.visibility import may_see_record, open_child

# The due list is a work list of the MASH and the reporting agency: it is read for one purpose.
DUE_PURPOSE = "arrange return home interviews"


class Outcome(StrEnum):
    OFFERED = "offered"
    DECLINED = "declined"
    COMPLETED = "completed"


DONE = frozenset({Outcome.DECLINED.value, Outcome.COMPLETED.value})


@dataclass(frozen=True)
class InterviewInput:
    outcome: str
    interviewer: str
    held_at: datetime
    childs_account: str | None = None
    summary: str | None = None
    shared_with_police: bool = False


def interviews_of(session: Session, episode_id: uuid.UUID) -> list[ReturnInterview]:
    return list(
        session.scalars(
            select(ReturnInterview)
            .where(ReturnInterview.episode_id == episode_id)
            .order_by(ReturnInterview.held_at, ReturnInterview.recorded_at)
        )
    )


def record_interview(
    session: Session,
    principal: Principal,
    episode_id: uuid.UUID,
    data: InterviewInput,
    context: Context,
    *,
    now: datetime | None = None,
) -> ReturnInterview:
    """Record that an interview was offered, declined or completed (by the episode's MASH); audited."""
    if not principal.can(Permission.INTERVIEWS_RECORD):
        raise PermissionDenied("Only the MASH records return home interviews")
    episode = get_episode(session, principal, episode_id)
    if principal.agency_id != episode.mash_agency_id:
        raise PermissionDenied("Only the MASH arranging this child's return home interview records it")
    back = return_of(session, episode.id)
    if back is None:
        raise Conflict("Record the child's return before the return home interview")
    if any(i.outcome in DONE for i in interviews_of(session, episode.id)):
        raise Conflict("The return home interview for this episode is already recorded")
    now = now or utcnow()
    form = Form()
    outcome = form.choice(
        "outcome",
        data.outcome,
        {str(o) for o in Outcome},
        "Say whether it was offered, declined or completed",
    )
    interviewer = form.text("interviewer", data.interviewer, required="Name the interviewer", max_length=200)
    held_at = form.moment(
        "held_at",
        data.held_at,
        now,
        not_before=back.returned_at,
        not_before_message="The interview must be after the child's return",
    )
    account = form.words(
        "childs_account",
        data.childs_account,
        required="Record the child's account in their own words" if outcome == Outcome.COMPLETED else None,
    )
    summary = form.text("summary", data.summary)
    form.check()
    interview = ReturnInterview(
        id=uuid.uuid4(),
        episode_id=episode.id,
        child_id=episode.child_id,
        agency_id=principal.agency_id,
        recorded_by_user_id=principal.id if principal.kind == "user" else None,
        recorded_by=principal.label,
        recorded_at=now,
        outcome=outcome,
        interviewer=interviewer or "",
        held_at=held_at,
        childs_account=account,
        summary=summary,
        shared_with_police=data.shared_with_police,
    )
    session.add(interview)
    session.flush()
    audit.record(
        session,
        "safeguarding.interview.record",
        principal.actor,
        object_type="missing_episode",
        object_id=episode.id,
        context=context,
        details={
            "child_id": str(episode.child_id),
            "outcome": outcome,
            "held_at": held_at.isoformat(),
            "in_time": held_at <= back.interview_due_at,
        },
    )
    return interview


@dataclass(frozen=True)
class DueInterview:
    episode_id: uuid.UUID
    child_id: uuid.UUID
    surname: str
    forenames: str
    badges: list[Badge]
    returned_at: datetime
    due_at: datetime
    overdue: bool
    offered_at: datetime | None  # the latest offer, if one was made


def interviews_due(
    session: Session, principal: Principal, *, now: datetime | None = None
) -> list[DueInterview]:
    """Interviews not yet completed or declined, soonest due first, for the episode's MASH and the agency that
    reported the child missing. Audited with the children shown."""
    if not (principal.can(Permission.INTERVIEWS_RECORD) or principal.can(Permission.MISSING_RECORD)):
        raise PermissionDenied("You do not have permission to see return home interviews")
    now = now or utcnow()
    done = select(ReturnInterview.episode_id).where(ReturnInterview.outcome.in_(sorted(DONE)))
    rows = session.execute(
        select(MissingEpisode, MissingReturn, Child)
        .join(MissingReturn, MissingReturn.episode_id == MissingEpisode.id)
        .join(Child, Child.id == MissingEpisode.child_id)
        .where(
            (MissingEpisode.mash_agency_id == principal.agency_id)
            | (MissingEpisode.agency_id == principal.agency_id),
            MissingEpisode.id.not_in(done),
        )
        .order_by(MissingReturn.interview_due_at, MissingEpisode.id)
    ).all()
    offers: dict[uuid.UUID, datetime] = {}
    for episode_id, held_at in session.execute(
        select(ReturnInterview.episode_id, ReturnInterview.held_at).where(
            ReturnInterview.episode_id.in_([e.id for e, _, _ in rows]),
            ReturnInterview.outcome == Outcome.OFFERED.value,
        )
    ):
        offers[episode_id] = max(held_at, offers.get(episode_id, held_at))
    found = [
        DueInterview(
            episode_id=episode.id,
            child_id=child.id,
            surname=child.surname,
            forenames=child.forenames,
            badges=badges(child),
            returned_at=back.returned_at,
            due_at=back.interview_due_at,
            overdue=now > back.interview_due_at,
            offered_at=offers.get(episode.id),
        )
        for episode, back, child in rows
    ]
    audit.record(
        session,
        "safeguarding.interview.due_list",
        principal.actor,
        purpose=DUE_PURPOSE,
        details={
            "children": sorted({str(d.child_id) for d in found}),
            "overdue": sum(d.overdue for d in found),
        },
    )
    return found


def status(back: MissingReturn | None, interviews: list[ReturnInterview], now: datetime) -> str:
    """One word for an episode's interview: not_due (no return yet), due, overdue, completed, declined, or
    completed_late / declined_late when done after the due time."""
    if back is None:
        return "not_due"
    for interview in interviews:
        if interview.outcome in DONE:
            late = interview.held_at > back.interview_due_at
            return f"{interview.outcome}_late" if late else interview.outcome
    return "overdue" if now > back.interview_due_at else "due"


@dataclass(frozen=True)
class EpisodeView:
    """A missing episode as its page shows it: the report, the return, the interview steps the viewer may see
    and the interview's status, and whether the viewer's agency records the interview."""

    episode: MissingEpisode
    back: MissingReturn | None  # None also when another agency recorded it and the viewer may not see it
    returned: bool
    interviews: list[ReturnInterview]
    status: str
    purpose: str | None
    records_interview: bool


def view_episode(
    session: Session,
    principal: Principal,
    episode_id: uuid.UUID,
    purpose: str | None,
    context: Context,
    *,
    now: datetime | None = None,
) -> EpisodeView:
    """Open an episode (the concern rule decides who sees it); audited as a view of the child's record, with
    the purpose rule of ``visibility.open_child``."""
    episode = get_episode(session, principal, episode_id)
    opened = open_child(
        session,
        principal,
        episode.child_id,
        purpose,
        context,
        action="safeguarding.missing.view",
        details={"episode_id": str(episode.id)},
    )
    back = return_of(session, episode.id)
    everything = interviews_of(session, episode.id)
    shown = [
        i for i in everything if may_see_record(principal, opened.scope, i.agency_id, i.shared_with_police)
    ]
    return EpisodeView(
        episode=episode,
        back=back
        if back and may_see_record(principal, opened.scope, back.agency_id, back.shared_with_police)
        else None,
        returned=back is not None,
        interviews=shown,
        status=status(back, everything, now or utcnow()),
        purpose=opened.purpose,
        records_interview=principal.can(Permission.INTERVIEWS_RECORD)
        and principal.agency_id == episode.mash_agency_id,
    )
