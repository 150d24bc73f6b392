"""Missing episodes: a child reported missing (when last seen, where, in what clothing, what happened) and
their return (found or came back, where, with whom, how they travelled).

Why it is built this way:
- Going missing is one of the signs the case review found went unnoticed, so any agency that records about
  children may report it and record the return, and each episode is in the child's chronology.
- A report is shared with police by default, and when a looked-after child is reported missing the current
  Philomena profile and the day's details are sent to police as a snapshot (``philomena.share_with_police``).
- The return fixes when the return home interview is due: 72 hours after the return by default (statutory
  guidance; ``MissingConfig``). The interview itself is ``return_interviews``.
- Reports and returns are evidence, append-only (migration 0007); a child has one open episode at a time.
- A vehicle the child was brought back in keeps its registration mark in the register's form, so that it
  meets the register's plate lookup as a concern's does.
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
from openmash.errors import Conflict, NotFoundError, PermissionDenied
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import Principal
from openmash.safeguarding import philomena
from openmash.safeguarding.checks import LINE_MAX_LENGTH, Form
from openmash.safeguarding.models_care import MissingEpisode, MissingReturn
from openmash.safeguarding.visibility import get_child, may_see_record, scope_for
from openmash.safeguarding.worktime import Timescale, Unit

# "Expected within 72 hours of the child's return" (statutory guidance): the plain clock, not working time.
INTERVIEW_WITHIN = Timescale(72, Unit.HOURS)


@dataclass(frozen=True)
class MissingConfig:
    interview_within: Timescale = INTERVIEW_WITHIN


DEFAULT_CONFIG = MissingConfig()


class How(StrEnum):
    FOUND = "found"
    RETURNED = "returned"  # came back of their own accord


@dataclass(frozen=True)
class MissingReport:
    missing_since: datetime
    last_seen_where: str
    circumstances: str
    clothing: str | None = None
    police_reference: str | None = None
    shared_with_police: bool = True
    # The MASH that arranges the return home interview; a MASH reporter's own agency when not given.
    mash_agency_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ReturnDetails:
    returned_at: datetime
    how: str
    found_where: str
    found_with: str | None = None
    transport: str | None = None
    vehicle_registration: str | None = None
    vehicle_description: str | None = None


def _ensure_may_record(principal: Principal) -> None:
    if not principal.can(Permission.MISSING_RECORD):
        raise PermissionDenied("You do not have permission to record missing episodes")


def open_episode(session: Session, child_id: uuid.UUID) -> MissingEpisode | None:
    """The child's episode still open (reported, no return recorded), if any."""
    returned = select(MissingReturn.episode_id)
    return session.scalars(
        select(MissingEpisode)
        .where(MissingEpisode.child_id == child_id, MissingEpisode.id.not_in(returned))
        .order_by(MissingEpisode.missing_since.desc())
    ).first()


def report_missing(
    session: Session,
    principal: Principal,
    child_id: uuid.UUID,
    data: MissingReport,
    context: Context,
    *,
    now: datetime | None = None,
) -> MissingEpisode:
    """Report a child missing; audited, and for a looked-after child shared with police with the current
    Philomena profile when the report is shared with police."""
    _ensure_may_record(principal)
    child = get_child(session, child_id)
    now = now or utcnow()
    form = Form()
    since = form.moment("missing_since", data.missing_since, now)
    where = form.text(
        "last_seen_where",
        data.last_seen_where,
        required="Say where the child was last seen",
        max_length=LINE_MAX_LENGTH,
    )
    circumstances = form.text("circumstances", data.circumstances, required="Describe what happened")
    clothing = form.text("clothing", data.clothing)
    reference = form.text("police_reference", data.police_reference, max_length=40)
    mash_id = data.mash_agency_id
    if mash_id is None and principal.agency_type is AgencyType.CHILDRENS_SOCIAL_CARE:
        mash_id = principal.agency_id
    mash = form.mash(session, "mash_agency_id", mash_id)
    form.check()
    already = open_episode(session, child.id)
    if already is not None:
        raise Conflict("This child is already reported missing: record their return first")
    episode = MissingEpisode(
        id=uuid.uuid4(),
        child_id=child.id,
        agency_id=principal.agency_id,
        mash_agency_id=mash,
        reported_by_user_id=principal.id if principal.kind == "user" else None,
        reported_by=principal.label,
        reported_at=now,
        missing_since=since,
        last_seen_where=where or "",
        clothing=clothing,
        circumstances=circumstances or "",
        police_reference=reference,
        shared_with_police=data.shared_with_police,
    )
    session.add(episode)
    session.flush()
    audit.record(
        session,
        "safeguarding.missing.report",
        principal.actor,
        object_type="missing_episode",
        object_id=episode.id,
        context=context,
        details={
            "child_id": str(child.id),
            "missing_since": since.isoformat(),
            "shared_with_police": episode.shared_with_police,
        },
    )
    if episode.shared_with_police and child.looked_after:
        philomena.share_with_police(session, principal, child, episode, context, now=now)
    return episode


def get_episode(session: Session, principal: Principal, episode_id: uuid.UUID) -> MissingEpisode:
    """An episode the caller's agency may see (as for concerns: ``visibility.may_see_record``)."""
    episode = session.get(MissingEpisode, episode_id)
    if episode is None:
        raise NotFoundError("Missing episode not found")
    scope = scope_for(principal, get_child(session, episode.child_id))
    if not may_see_record(principal, scope, episode.agency_id, episode.shared_with_police):
        raise NotFoundError("Missing episode not found")
    return episode


def return_of(session: Session, episode_id: uuid.UUID) -> MissingReturn | None:
    return session.scalars(select(MissingReturn).where(MissingReturn.episode_id == episode_id)).first()


def record_return(
    session: Session,
    principal: Principal,
    episode_id: uuid.UUID,
    data: ReturnDetails,
    context: Context,
    *,
    now: datetime | None = None,
    config: MissingConfig = DEFAULT_CONFIG,
) -> MissingReturn:
    """Record that the child was found or came back; fixes when the return home interview is due."""
    _ensure_may_record(principal)
    episode = get_episode(session, principal, episode_id)
    if return_of(session, episode.id) is not None:
        raise Conflict("The return from this episode is already recorded")
    now = now or utcnow()
    form = Form()
    returned_at = form.moment(
        "returned_at",
        data.returned_at,
        now,
        not_before=episode.missing_since,
        not_before_message="The return must be after the child was last seen",
    )
    how = form.choice("how", data.how, {str(h) for h in How}, "Say whether the child was found or came back")
    found_where = form.text(
        "found_where",
        data.found_where,
        required="Say where the child was found or came back to",
        max_length=LINE_MAX_LENGTH,
    )
    found_with = form.text("found_with", data.found_with)
    transport = form.text("transport", data.transport, max_length=LINE_MAX_LENGTH)
    registration = form.registration("vehicle_registration", data.vehicle_registration)
    description = form.text("vehicle_description", data.vehicle_description, max_length=LINE_MAX_LENGTH)
    form.check()
    back = MissingReturn(
        id=uuid.uuid4(),
        episode_id=episode.id,
        child_id=episode.child_id,
        agency_id=principal.agency_id,
        recorded_by_user_id=principal.id if principal.kind == "user" else None,
        recorded_by=principal.label,
        recorded_at=now,
        returned_at=returned_at,
        how=how,
        found_where=found_where or "",
        found_with=found_with,
        transport=transport,
        vehicle_registration=registration,
        vehicle_description=description,
        shared_with_police=episode.shared_with_police,
        interview_due_at=config.interview_within.due(returned_at),
    )
    session.add(back)
    session.flush()
    audit.record(
        session,
        "safeguarding.missing.return",
        principal.actor,
        object_type="missing_episode",
        object_id=episode.id,
        context=context,
        details={
            "child_id": str(episode.child_id),
            "returned_at": returned_at.isoformat(),
            "how": how,
            "vehicle_registration": registration,
            "interview_due_at": back.interview_due_at.isoformat(),
            "interview_within": config.interview_within.label,
        },
    )
    return back
