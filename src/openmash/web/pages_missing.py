"""Missing episodes: reporting a child missing (shared with police, with the Philomena profile of a
looked-after child), recording the return, the return home interview, and the list of interviews due and
overdue. The rules live in safeguarding.missing, .return_interviews and .philomena."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import RedirectResponse, Response

from openmash.db.base import utcnow
from openmash.errors import NotFoundError, ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.http.recorded import child_recorded
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.safeguarding import child_record, missing, return_interviews
from openmash.safeguarding.missing import How, MissingReport, ReturnDetails
from openmash.safeguarding.return_interviews import InterviewInput, Outcome
from openmash.safeguarding.visibility import get_child
from openmash.web.care_forms import (
    date_fields,
    field_errors,
    form_values,
    mash_items,
    moment_values,
    read_moment,
    read_uuid,
    yes_no,
)
from openmash.web.child_forms import SHORT, opened_or_asked, with_purpose
from openmash.web.templating import render

router = APIRouter()
Recorder = Annotated[Principal, Depends(require(Permission.MISSING_RECORD))]
Interviewer = Annotated[Principal, Depends(require(Permission.INTERVIEWS_RECORD))]

REPORT_FIELDS = (
    *date_fields("missing"),
    "last_seen_where",
    "clothing",
    "circumstances",
    "police_reference",
    "shared_with_police",
    "mash_agency_id",
    "purpose",
)
RETURN_FIELDS = (
    *date_fields("returned"),
    "how",
    "found_where",
    "found_with",
    "transport",
    "vehicle_registration",
    "vehicle_description",
    "purpose",
)
INTERVIEW_FIELDS = (
    *date_fields("held"),
    "outcome",
    "interviewer",
    "childs_account",
    "summary",
    "shared_with_police",
    "purpose",
)
OUTCOME_LABELS = {
    Outcome.OFFERED: "Offered (the interview is still due)",
    Outcome.DECLINED: "The child declined it",
    Outcome.COMPLETED: "Completed",
}
STATUS_LABELS = {
    "not_due": ("Not due until the child is back", "govuk-tag--grey"),
    "due": ("Due", "govuk-tag--yellow"),
    "overdue": ("Overdue", "govuk-tag--red"),
    "completed": ("Completed", "govuk-tag--green"),
    "declined": ("Declined by the child", "govuk-tag--blue"),
    "completed_late": ("Completed late", "govuk-tag--orange"),
    "declined_late": ("Declined, offered late", "govuk-tag--orange"),
}


def _episode_link(child_id: uuid.UUID, episode_id: uuid.UUID, purpose: str | None, **extra: Any) -> str:
    return with_purpose(f"/children/{child_id}/missing/{episode_id}", purpose, **extra)


# Reporting a child missing.


def _report_context(
    request: Request, principal: Principal, child_id: uuid.UUID, values: dict[str, str]
) -> dict[str, Any]:
    with app_context(request).transaction() as session:
        summary = child_record.child_summary(session, principal, child_id, audit_context(request))
        child = get_child(session, child_id)
        already = missing.open_episode(session, child_id)
        if already is not None:
            try:
                missing.get_episode(session, principal, already.id)
            except NotFoundError:
                already = None
        mashes = mash_items(session, principal, values.get("mash_agency_id", ""))
    return {
        "c": summary,
        "values": values,
        "looked_after": child.looked_after,
        "already": already,
        "mashes": mashes,
        "police_items": yes_no(values, "shared_with_police"),
        "back": with_purpose(f"/children/{child_id}", values.get("purpose")),
    }


@router.get("/children/{child_id}/missing/new")
def report_form(
    request: Request,
    principal: Recorder,
    child_id: uuid.UUID,
    purpose: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    values = {"purpose": purpose, "shared_with_police": "yes"}
    return render(request, "care/missing_report.html", _report_context(request, principal, child_id, values))


@router.post("/children/{child_id}/missing/new")
async def report_record(request: Request, principal: Recorder, child_id: uuid.UUID) -> Response:
    values = form_values(await request.form(), REPORT_FIELDS)
    own: dict[str, str] = {}
    since = read_moment(values, "missing", "the child was last seen", own)
    if values["shared_with_police"] not in ("yes", "no"):
        own["shared_with_police"] = "Select whether to share this report with police"
    try:
        if own or since is None:
            raise ValidationFailed(own)
        data = MissingReport(
            missing_since=since,
            last_seen_where=values["last_seen_where"],
            circumstances=values["circumstances"],
            clothing=values["clothing"],
            police_reference=values["police_reference"],
            shared_with_police=values["shared_with_police"] == "yes",
            mash_agency_id=read_uuid(values["mash_agency_id"]),
        )
        with app_context(request).transaction() as session:
            episode = missing.report_missing(session, principal, child_id, data, audit_context(request))
            episode_id = episode.id
            child_recorded(session, child_id)
    except ValidationFailed as exc:
        context = _report_context(request, principal, child_id, values)
        context["errors"] = field_errors(own, exc.fields, {"missing_since": "missing_on-day"})
        return render(request, "care/missing_report.html", context, 400)
    target = _episode_link(child_id, episode_id, values["purpose"], done="reported")
    return RedirectResponse(target, status_code=303)


# The episode's page: the report, the return, the interview.


@router.get("/children/{child_id}/missing/{episode_id}")
def episode_page(
    request: Request,
    principal: Recorder,
    child_id: uuid.UUID,
    episode_id: uuid.UUID,
    purpose: Annotated[str | None, Query(max_length=SHORT)] = None,
    purpose_choice: Annotated[str, Query(max_length=40)] = "",
    purpose_other: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    def load(stated: str | None) -> tuple[return_interviews.EpisodeView, child_record.ChildSummary]:
        with app_context(request).transaction() as session:
            view = return_interviews.view_episode(
                session, principal, episode_id, stated, audit_context(request)
            )
            if view.episode.child_id != child_id:
                raise NotFoundError("Missing episode not found")
            return view, child_record.child_summary(session, principal, child_id, audit_context(request))

    action = f"/children/{child_id}/missing/{episode_id}"
    found = opened_or_asked(request, action, [], purpose, purpose_choice, purpose_other, load)
    if isinstance(found, Response):
        return found
    view, summary = found
    label, colour = STATUS_LABELS.get(view.status, (view.status, "govuk-tag--grey"))
    context = {
        "c": summary,
        "v": view,
        "e": view.episode,
        "status_label": label,
        "status_colour": colour,
        "outcomes": {str(k): v for k, v in OUTCOME_LABELS.items()},
        "purpose": view.purpose,
        "link": lambda path: with_purpose(path, view.purpose),
        "done": request.query_params.get("done"),
        "column": "full",
    }
    return render(request, "care/missing_episode.html", context)


# The return.


def _return_context(
    request: Request, principal: Principal, child_id: uuid.UUID, episode_id: uuid.UUID, values: dict[str, str]
) -> dict[str, Any]:
    with app_context(request).transaction() as session:
        summary = child_record.child_summary(session, principal, child_id, audit_context(request))
        episode = missing.get_episode(session, principal, episode_id)
        if episode.child_id != child_id:
            raise NotFoundError("Missing episode not found")
    return {
        "c": summary,
        "e": episode,
        "values": values,
        "how_items": [
            {"value": How.FOUND.value, "text": "Found", "checked": values.get("how") == How.FOUND.value},
            {
                "value": How.RETURNED.value,
                "text": "Came back of their own accord",
                "checked": values.get("how") == How.RETURNED.value,
            },
        ],
        "back": _episode_link(child_id, episode_id, values.get("purpose")),
    }


@router.get("/children/{child_id}/missing/{episode_id}/return")
def return_form(
    request: Request,
    principal: Recorder,
    child_id: uuid.UUID,
    episode_id: uuid.UUID,
    purpose: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    values = {"purpose": purpose, **moment_values("returned", None)}
    context = _return_context(request, principal, child_id, episode_id, values)
    return render(request, "care/missing_return.html", context)


@router.post("/children/{child_id}/missing/{episode_id}/return")
async def return_record(
    request: Request, principal: Recorder, child_id: uuid.UUID, episode_id: uuid.UUID
) -> Response:
    values = form_values(await request.form(), RETURN_FIELDS)
    own: dict[str, str] = {}
    returned_at = read_moment(values, "returned", "the child came back or was found", own)
    try:
        if own or returned_at is None:
            raise ValidationFailed(own)
        data = ReturnDetails(
            returned_at=returned_at,
            how=values["how"],
            found_where=values["found_where"],
            found_with=values["found_with"],
            transport=values["transport"],
            vehicle_registration=values["vehicle_registration"],
            vehicle_description=values["vehicle_description"],
        )
        with app_context(request).transaction() as session:
            episode = missing.get_episode(session, principal, episode_id)
            if episode.child_id != child_id:
                raise NotFoundError("Missing episode not found")
            missing.record_return(session, principal, episode_id, data, audit_context(request))
            child_recorded(session, child_id)
    except ValidationFailed as exc:
        context = _return_context(request, principal, child_id, episode_id, values)
        context["errors"] = field_errors(own, exc.fields, {"returned_at": "returned_on-day"})
        return render(request, "care/missing_return.html", context, 400)
    target = _episode_link(child_id, episode_id, values["purpose"], done="returned")
    return RedirectResponse(target, status_code=303)


# The return home interview (recorded by the episode's MASH).


def _interview_context(
    request: Request, principal: Principal, child_id: uuid.UUID, episode_id: uuid.UUID, values: dict[str, str]
) -> dict[str, Any]:
    with app_context(request).transaction() as session:
        summary = child_record.child_summary(session, principal, child_id, audit_context(request))
        episode = missing.get_episode(session, principal, episode_id)
        if episode.child_id != child_id:
            raise NotFoundError("Missing episode not found")
        back = missing.return_of(session, episode.id)
    return {
        "c": summary,
        "e": episode,
        "r": back,
        "overdue": back is not None and utcnow() > back.interview_due_at,
        "values": values,
        "outcome_items": [
            {"value": str(k), "text": text, "checked": values.get("outcome") == str(k)}
            for k, text in OUTCOME_LABELS.items()
        ],
        "police_items": yes_no(values, "shared_with_police"),
        "back": _episode_link(child_id, episode_id, values.get("purpose")),
    }


@router.get("/children/{child_id}/missing/{episode_id}/interview")
def interview_form(
    request: Request,
    principal: Interviewer,
    child_id: uuid.UUID,
    episode_id: uuid.UUID,
    purpose: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    values = {"purpose": purpose, "shared_with_police": "no", **moment_values("held", None)}
    context = _interview_context(request, principal, child_id, episode_id, values)
    return render(request, "care/interview.html", context)


@router.post("/children/{child_id}/missing/{episode_id}/interview")
async def interview_record(
    request: Request, principal: Interviewer, child_id: uuid.UUID, episode_id: uuid.UUID
) -> Response:
    values = form_values(await request.form(), INTERVIEW_FIELDS)
    own: dict[str, str] = {}
    held_at = read_moment(values, "held", "of the interview or the offer", own)
    if values["shared_with_police"] not in ("yes", "no"):
        own["shared_with_police"] = "Select whether to share this with police"
    try:
        if own or held_at is None:
            raise ValidationFailed(own)
        data = InterviewInput(
            outcome=values["outcome"],
            interviewer=values["interviewer"],
            held_at=held_at,
            childs_account=values["childs_account"],
            summary=values["summary"],
            shared_with_police=values["shared_with_police"] == "yes",
        )
        with app_context(request).transaction() as session:
            episode = missing.get_episode(session, principal, episode_id)
            if episode.child_id != child_id:
                raise NotFoundError("Missing episode not found")
            return_interviews.record_interview(session, principal, episode_id, data, audit_context(request))
            child_recorded(session, child_id)
    except ValidationFailed as exc:
        context = _interview_context(request, principal, child_id, episode_id, values)
        context["errors"] = field_errors(own, exc.fields, {"held_at": "held_on-day"})
        return render(request, "care/interview.html", context, 400)
    target = _episode_link(child_id, episode_id, values["purpose"], done="interview")
    return RedirectResponse(target, status_code=303)


# The work list: interviews due and overdue.


@router.get("/return-interviews")
def interviews_due(request: Request, principal: Recorder) -> Response:
    with app_context(request).transaction() as session:
        due = return_interviews.interviews_due(session, principal)
    context = {
        "due": due,
        "overdue": sum(d.overdue for d in due),
        "may_interview": principal.can(Permission.INTERVIEWS_RECORD),
        "column": "full",
    }
    return render(request, "care/interviews_due.html", context)
