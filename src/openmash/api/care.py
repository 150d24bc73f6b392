"""API v1 for missing episodes, Philomena profiles, MASH triage and requests for help: reporting and
recording, and the work lists. Thin over the safeguarding services, which apply need-to-know and audit.

Steps the services reserve for a named person (grading and deciding a contact; acknowledging, answering and
closing a request for help) have no route here: a token is not a person, and the service would refuse it.
The purpose of access is the ``purpose`` query parameter, as in the rest of the API.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from openmash.api.care_schemas import (
    ContactOut,
    DueInterviewOut,
    EpisodeOut,
    HelpIn,
    HelpRecordedOut,
    HelpRequestOut,
    InterviewIn,
    InterviewOut,
    MissingReportIn,
    ProfileIn,
    ProfileOut,
    QueueItemOut,
    ReferIn,
    ReturnIn,
    ReturnOut,
    ShareOut,
)
from openmash.api.schemas import ErrorBody
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.http.recorded import child_recorded
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.safeguarding import help_requests, missing, philomena, return_interviews, triage
from openmash.safeguarding.help_requests import HelpInput
from openmash.safeguarding.missing import MissingReport, ReturnDetails
from openmash.safeguarding.philomena import ProfileInput
from openmash.safeguarding.return_interviews import InterviewInput

children = APIRouter(prefix="/children", tags=["safeguarding"])
episodes = APIRouter(prefix="/missing-episodes", tags=["safeguarding"])
lists = APIRouter(tags=["safeguarding"])
Purpose = Annotated[
    str, Query(max_length=300, description="Why you need this record; recorded with the view in the audit")
]
RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Not found, or not yours to see"},
    409: {"model": ErrorBody, "description": "The request clashes with what is recorded"},
}


def _who(permission: Permission) -> Any:
    return Depends(require(permission))


# Missing episodes and return home interviews.


@children.post(
    "/{child_id}/missing-episodes",
    response_model=EpisodeOut,
    status_code=201,
    responses=RESPONSES,
    summary="Report a child missing (a looked-after child's Philomena profile goes to police with it)",
)
def report_missing(
    request: Request,
    child_id: uuid.UUID,
    body: MissingReportIn,
    principal: Annotated[Principal, _who(Permission.MISSING_RECORD)],
) -> EpisodeOut:
    data = MissingReport(**body.model_dump())
    with app_context(request).transaction() as session:
        episode = missing.report_missing(session, principal, child_id, data, audit_context(request))
        child_recorded(session, child_id)
        return EpisodeOut.model_validate(episode, from_attributes=True)


@episodes.post(
    "/{episode_id}/return",
    response_model=ReturnOut,
    status_code=201,
    responses=RESPONSES,
    summary="Record the child's return; the return home interview is due 72 hours after it",
)
def record_return(
    request: Request,
    episode_id: uuid.UUID,
    body: ReturnIn,
    principal: Annotated[Principal, _who(Permission.MISSING_RECORD)],
) -> ReturnOut:
    data = ReturnDetails(**body.model_dump())
    with app_context(request).transaction() as session:
        back = missing.record_return(session, principal, episode_id, data, audit_context(request))
        child_recorded(session, back.child_id)
        return ReturnOut.model_validate(back, from_attributes=True)


@episodes.post(
    "/{episode_id}/interviews",
    response_model=InterviewOut,
    status_code=201,
    responses=RESPONSES,
    summary="Record the return home interview: offered, declined or completed (the episode's MASH)",
)
def record_interview(
    request: Request,
    episode_id: uuid.UUID,
    body: InterviewIn,
    principal: Annotated[Principal, _who(Permission.INTERVIEWS_RECORD)],
) -> InterviewOut:
    data = InterviewInput(**body.model_dump())
    with app_context(request).transaction() as session:
        made = return_interviews.record_interview(
            session, principal, episode_id, data, audit_context(request)
        )
        now = made.recorded_at
        child_recorded(session, made.child_id, now)
        state = return_interviews.status(
            missing.return_of(session, episode_id), return_interviews.interviews_of(session, episode_id), now
        )
        return InterviewOut(
            id=made.id, episode_id=episode_id, outcome=made.outcome, held_at=made.held_at, status=state
        )


@lists.get(
    "/return-interviews",
    response_model=list[DueInterviewOut],
    summary="Return home interviews not yet done, soonest due first, overdue marked",
)
def interviews_due(
    request: Request, principal: Annotated[Principal, _who(Permission.MISSING_RECORD)]
) -> list[DueInterviewOut]:
    with app_context(request).transaction() as session:
        found = return_interviews.interviews_due(session, principal)
    return [DueInterviewOut.model_validate(d, from_attributes=True) for d in found]


# Philomena profiles and what police were sent.


@children.get(
    "/{child_id}/philomena-profiles",
    response_model=list[ProfileOut],
    responses=RESPONSES,
    summary="A looked-after child's Philomena profile, every version, newest first",
)
def profile_history(
    request: Request,
    child_id: uuid.UUID,
    principal: Annotated[Principal, _who(Permission.PHILOMENA_KEEP)],
    purpose: Purpose = "",
) -> list[ProfileOut]:
    with app_context(request).transaction() as session:
        found = philomena.profile_history(
            session, principal, child_id, purpose=purpose, context=audit_context(request)
        )
        return [ProfileOut.model_validate(p, from_attributes=True) for p in found]


@children.post(
    "/{child_id}/philomena-profiles",
    response_model=ProfileOut,
    status_code=201,
    responses=RESPONSES,
    summary="Save a new version of the profile (the current one is returned if nothing changed)",
)
def keep_profile(
    request: Request,
    child_id: uuid.UUID,
    body: ProfileIn,
    principal: Annotated[Principal, _who(Permission.PHILOMENA_KEEP)],
) -> ProfileOut:
    data = ProfileInput(**body.model_dump())
    with app_context(request).transaction() as session:
        made = philomena.keep_profile(session, principal, child_id, data, audit_context(request))
        child_recorded(session, child_id)
        return ProfileOut.model_validate(made, from_attributes=True)


@children.get(
    "/{child_id}/police-shares",
    response_model=list[ShareOut],
    responses=RESPONSES,
    summary="What was shared with police when the child went missing (police, the MASH, the child's home)",
)
def police_shares(
    request: Request,
    child_id: uuid.UUID,
    principal: Annotated[Principal, _who(Permission.CHRONOLOGY_READ)],
    purpose: Purpose = "",
) -> list[ShareOut]:
    with app_context(request).transaction() as session:
        found = philomena.police_shares(
            session, principal, child_id, purpose=purpose, context=audit_context(request)
        )
    return [ShareOut.model_validate(s, from_attributes=True) for s in found]


# MASH triage.


@lists.post(
    "/concerns/{concern_id}/mash-contacts",
    response_model=ContactOut,
    status_code=201,
    responses=RESPONSES,
    summary="Send your agency's concern to a MASH for triage (once)",
)
def refer_concern(
    request: Request,
    concern_id: uuid.UUID,
    body: ReferIn,
    principal: Annotated[Principal, _who(Permission.CONTACTS_REFER)],
) -> ContactOut:
    with app_context(request).transaction() as session:
        contact = triage.refer_concern(
            session, principal, concern_id, body.mash_agency_id, audit_context(request)
        )
        child_recorded(session, contact.child_id)
        return ContactOut.model_validate(contact, from_attributes=True)


@lists.get(
    "/triage/contacts",
    response_model=list[QueueItemOut],
    summary="The MASH's triage queue: contacts awaiting a decision, soonest due first, overdue marked",
)
def triage_queue(
    request: Request, principal: Annotated[Principal, _who(Permission.TRIAGE_READ)]
) -> list[QueueItemOut]:
    with app_context(request).transaction() as session:
        found = triage.queue(session, principal)
    return [QueueItemOut.model_validate(i, from_attributes=True) for i in found]


# Requests for help.


@children.post(
    "/{child_id}/help-requests",
    response_model=HelpRecordedOut,
    status_code=201,
    responses=RESPONSES,
    summary="Record a child's request for help, their words exactly as sent",
)
def record_help(
    request: Request,
    child_id: uuid.UUID,
    body: HelpIn,
    principal: Annotated[Principal, _who(Permission.HELP_RECORD)],
) -> HelpRecordedOut:
    data = HelpInput(**body.model_dump())
    with app_context(request).transaction() as session:
        made = help_requests.record_request(session, principal, child_id, data, audit_context(request))
        child_recorded(session, child_id)
        return HelpRecordedOut.model_validate(made, from_attributes=True)


@lists.get(
    "/help-requests",
    response_model=list[HelpRequestOut],
    summary="Open requests for help your agency recorded or your MASH receives, overdue first",
)
def open_help_requests(
    request: Request, principal: Annotated[Principal, _who(Permission.HELP_ANSWER)]
) -> list[HelpRequestOut]:
    with app_context(request).transaction() as session:
        found = help_requests.open_requests(session, principal)
    return [HelpRequestOut.model_validate(r, from_attributes=True) for r in found]


@lists.get(
    "/help-requests/escalated",
    response_model=list[HelpRequestOut],
    summary="Requests for help escalated to your MASH's managers, until closed",
)
def escalated_help_requests(
    request: Request, principal: Annotated[Principal, _who(Permission.HELP_ESCALATIONS)]
) -> list[HelpRequestOut]:
    with app_context(request).transaction() as session:
        found = help_requests.escalations(session, principal)
    return [HelpRequestOut.model_validate(r, from_attributes=True) for r in found]
