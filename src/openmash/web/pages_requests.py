"""Requests for details between licensing authorities, and the agency's notices (rules in the services)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from openmash.errors import Conflict, ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.register import notices, requests
from openmash.register.workdays import uk_today
from openmash.web.templating import render

router = APIRouter(prefix="/register")
Recorder = Annotated[Principal, Depends(require(Permission.REGISTER_RECORD))]
SHORT = 300
LONG = 20000  # the services give the real limits, with a message


def _target(request: Request, principal: Principal, licence_id: uuid.UUID) -> dict[str, Any]:
    """What the register shares about the licence asked about (no holder's details: see the person page)."""
    with app_context(request).transaction() as session:
        found = requests.licence_for_request(session, principal, licence_id)
        return {
            "id": found.licence.id,
            "ref": found.licence.authority_licence_ref,
            "type": found.licence.licence_type,
            "status": found.licence.status,
            "status_since": found.licence.status_since,
            "person_id": found.licence.person_id,
            "holder": f"{found.holder.name} ({found.holder.code})",
        }


@router.get("/licences/{licence_id}/requests/new")
def request_form(request: Request, principal: Recorder, licence_id: uuid.UUID, purpose: str = "") -> Response:
    settings = app_context(request).settings
    context = {
        "licence": _target(request, principal, licence_id),
        "values": {"application_reference": purpose[:SHORT]},
        "working_days": settings.details_request_working_days,
    }
    return render(request, "register/request_new.html", context)


@router.post("/licences/{licence_id}/requests/new")
def request_send(
    request: Request,
    principal: Recorder,
    licence_id: uuid.UUID,
    application_reference: Annotated[str, Form(max_length=SHORT)] = "",
    question: Annotated[str, Form(max_length=LONG)] = "",
) -> Response:
    ctx = app_context(request)
    try:
        with ctx.transaction() as session:
            sent = requests.request_details(
                session,
                principal,
                licence_id,
                application_reference=application_reference,
                question=question,
                working_days=ctx.settings.details_request_working_days,
                context=audit_context(request),
            )
            request_id = sent.id
    except ValidationFailed as exc:
        context = {
            "licence": _target(request, principal, licence_id),
            "values": {"application_reference": application_reference, "question": question},
            "working_days": ctx.settings.details_request_working_days,
            "errors": exc.fields,
        }
        return render(request, "register/request_new.html", context, 400)
    return RedirectResponse(f"/register/requests/{request_id}?done=sent", status_code=303)


@router.get("/requests")
def inbox_page(request: Request, principal: Recorder) -> Response:
    with app_context(request).transaction() as session:
        box = requests.inbox(session, principal, uk_today(), audit_context(request))
    return render(request, "register/requests.html", {"inbox": box, "column": "full"})


def _request_page(
    request: Request,
    principal: Principal,
    request_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    answer: str = "",
    status: int = 200,
) -> Response:
    with app_context(request).transaction() as session:
        view = requests.view_request(session, principal, request_id, audit_context(request))
    context = {
        "req": view,
        "done": request.query_params.get("done"),
        "errors": errors or {},
        "values": {"answer": answer},
    }
    return render(request, "register/request.html", context, status)


@router.get("/requests/{request_id}")
def request_page(request: Request, principal: Recorder, request_id: uuid.UUID) -> Response:
    return _request_page(request, principal, request_id)


@router.post("/requests/{request_id}/answer")
def answer(
    request: Request,
    principal: Recorder,
    request_id: uuid.UUID,
    answer: Annotated[str, Form(max_length=LONG)] = "",
) -> Response:
    try:
        with app_context(request).transaction() as session:
            requests.answer_request(
                session, principal, request_id, answer=answer, context=audit_context(request)
            )
    except ValidationFailed as exc:
        return _request_page(request, principal, request_id, errors=exc.fields, answer=answer, status=400)
    except Conflict as exc:
        return _request_page(request, principal, request_id, errors={"answer": str(exc)}, status=409)
    return RedirectResponse(f"/register/requests/{request_id}?done=answered", status_code=303)


@router.post("/requests/{request_id}/withdraw")
def withdraw(request: Request, principal: Recorder, request_id: uuid.UUID) -> Response:
    try:
        with app_context(request).transaction() as session:
            requests.withdraw_request(session, principal, request_id, context=audit_context(request))
    except Conflict as exc:
        return _request_page(request, principal, request_id, errors={"withdraw": str(exc)}, status=409)
    return RedirectResponse(f"/register/requests/{request_id}?done=withdrawn", status_code=303)


@router.get("/notices")
def notices_page(request: Request, principal: Recorder) -> Response:
    with app_context(request).transaction() as session:
        found = notices.list_notices(session, principal)
    return render(
        request,
        "register/notices.html",
        {"notices": found, "done": request.query_params.get("done"), "column": "full"},
    )


@router.post("/notices/{notice_id}/read")
def notice_read(request: Request, principal: Recorder, notice_id: uuid.UUID) -> Response:
    with app_context(request).transaction() as session:
        notices.mark_read(session, principal, notice_id, audit_context(request))
    return RedirectResponse("/register/notices?done=read", status_code=303)
