"""Children's requests for help: recorded from the child's page with the child's words kept exactly as typed;
the open list of the recording agency and the MASH, acknowledging, answering, and closing only with the
child's view of the outcome; the escalated list for MASH managers. The rules live in
safeguarding.help_requests and .help_responses."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from openmash.errors import NotFoundError, ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.http.recorded import child_recorded, help_step_recorded
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.safeguarding import child_record, help_requests, help_responses
from openmash.safeguarding.help_requests import HelpInput
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
from openmash.web.child_forms import LONG, SHORT, with_purpose
from openmash.web.templating import render

router = APIRouter()
Recorder = Annotated[Principal, Depends(require(Permission.HELP_RECORD))]
Answerer = Annotated[Principal, Depends(require(Permission.HELP_ANSWER))]
Manager = Annotated[Principal, Depends(require(Permission.HELP_ESCALATIONS))]

REQUEST_FIELDS = (
    *date_fields("asked"),
    "told_to",
    "childs_words",
    "summary",
    "mash_agency_id",
    "shared_with_police",
    "purpose",
)


def _record_context(
    request: Request, principal: Principal, child_id: uuid.UUID, values: dict[str, str]
) -> dict[str, Any]:
    with app_context(request).transaction() as session:
        summary = child_record.child_summary(session, principal, child_id, audit_context(request))
        mashes = mash_items(session, principal, values.get("mash_agency_id", ""))
    return {
        "c": summary,
        "values": values,
        "mashes": mashes,
        "police_items": yes_no(values, "shared_with_police"),
        "back": with_purpose(f"/children/{child_id}", values.get("purpose")),
    }


@router.get("/children/{child_id}/help/new")
def record_form(
    request: Request,
    principal: Recorder,
    child_id: uuid.UUID,
    purpose: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    values = {"purpose": purpose, "shared_with_police": "no", **moment_values("asked", None)}
    return render(request, "care/help_new.html", _record_context(request, principal, child_id, values))


@router.post("/children/{child_id}/help/new")
async def record_request(request: Request, principal: Recorder, child_id: uuid.UUID) -> Response:
    values = form_values(await request.form(), REQUEST_FIELDS)
    own: dict[str, str] = {}
    asked_at = read_moment(values, "asked", "the child asked", own)
    if values["shared_with_police"] not in ("yes", "no"):
        own["shared_with_police"] = "Select whether to share this with police"
    try:
        if own or asked_at is None:
            raise ValidationFailed(own)
        data = HelpInput(
            asked_at=asked_at,
            told_to=values["told_to"],
            childs_words=values["childs_words"],
            mash_agency_id=read_uuid(values["mash_agency_id"]),
            summary=values["summary"],
            shared_with_police=values["shared_with_police"] == "yes",
        )
        with app_context(request).transaction() as session:
            made = help_requests.record_request(session, principal, child_id, data, audit_context(request))
            request_id = made.id
            child_recorded(session, child_id)
    except ValidationFailed as exc:
        context = _record_context(request, principal, child_id, values)
        context["errors"] = field_errors(own, exc.fields, {"asked_at": "asked_on-day"})
        return render(request, "care/help_new.html", context, 400)
    return RedirectResponse(f"/help/{request_id}?done=recorded", status_code=303)


@router.get("/help")
def open_list(request: Request, principal: Answerer) -> Response:
    with app_context(request).transaction() as session:
        found = help_requests.open_requests(session, principal)
    context = {
        "requests": found,
        "heading": "Requests for help",
        "intro": "Children's requests for help that your agency recorded or that your MASH receives, until "
        "they are closed with the child's view. Overdue first; answered ones, awaiting the child's view, "
        "last.",
        "may_see_escalations": principal.can(Permission.HELP_ESCALATIONS),
        "done": request.query_params.get("done"),
        "column": "full",
    }
    return render(request, "care/help_list.html", context)


@router.get("/help/escalated")
def escalated_list(request: Request, principal: Manager) -> Response:
    with app_context(request).transaction() as session:
        found = help_requests.escalations(session, principal)
    context = {
        "requests": found,
        "heading": "Escalated requests for help",
        "intro": "Requests not acknowledged or not answered in time, escalated to your MASH's managers. They "
        "stay here until closed with the child's view of the outcome.",
        "may_see_escalations": False,
        "done": None,
        "column": "full",
    }
    return render(request, "care/help_list.html", context)


def _request_context(request: Request, principal: Principal, request_id: uuid.UUID) -> dict[str, Any]:
    with app_context(request).transaction() as session:
        found = next((r for r in help_requests.open_requests(session, principal) if r.id == request_id), None)
    if found is None:
        raise NotFoundError("Request for help not found, or already closed")
    return {"r": found, "values": {}}


@router.get("/help/{request_id}")
def request_page(request: Request, principal: Answerer, request_id: uuid.UUID) -> Response:
    context = _request_context(request, principal, request_id)
    context["done"] = request.query_params.get("done")
    return render(request, "care/help_request.html", context)


def _again(
    request: Request,
    principal: Principal,
    request_id: uuid.UUID,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    context = _request_context(request, principal, request_id)
    context["values"] = values
    context["errors"] = errors
    return render(request, "care/help_request.html", context, 400)


@router.post("/help/{request_id}/acknowledge")
def acknowledge(
    request: Request,
    principal: Answerer,
    request_id: uuid.UUID,
    acknowledge_note: Annotated[str, Form(max_length=LONG)] = "",
) -> Response:
    try:
        with app_context(request).transaction() as session:
            step = help_responses.acknowledge(
                session, principal, request_id, audit_context(request), note=acknowledge_note
            )
            help_step_recorded(session, step)
    except ValidationFailed as exc:
        errors = field_errors({}, exc.fields, {"note": "acknowledge_note"})
        return _again(request, principal, request_id, {"acknowledge_note": acknowledge_note}, errors)
    return RedirectResponse(f"/help/{request_id}?done=acknowledged", status_code=303)


@router.post("/help/{request_id}/answer")
def answer(
    request: Request,
    principal: Answerer,
    request_id: uuid.UUID,
    answer: Annotated[str, Form(max_length=LONG)] = "",
) -> Response:
    try:
        with app_context(request).transaction() as session:
            step = help_responses.answer(session, principal, request_id, answer, audit_context(request))
            help_step_recorded(session, step)
    except ValidationFailed as exc:
        return _again(request, principal, request_id, {"answer": answer}, exc.fields)
    return RedirectResponse(f"/help/{request_id}?done=answered", status_code=303)


@router.post("/help/{request_id}/close")
def close(
    request: Request,
    principal: Answerer,
    request_id: uuid.UUID,
    childs_view: Annotated[str, Form(max_length=LONG)] = "",
    close_note: Annotated[str, Form(max_length=LONG)] = "",
) -> Response:
    try:
        with app_context(request).transaction() as session:
            step = help_responses.close(
                session, principal, request_id, childs_view, audit_context(request), note=close_note
            )
            help_step_recorded(session, step)
    except ValidationFailed as exc:
        errors = field_errors({}, exc.fields, {"note": "close_note"})
        values = {"childs_view": childs_view, "close_note": close_note}
        return _again(request, principal, request_id, values, errors)
    return RedirectResponse("/help?done=closed", status_code=303)
