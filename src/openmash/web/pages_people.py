"""The register's person page, and recording a decision or a concern (the rules live in the services)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from openmash.errors import PurposeRequired, ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.register import concerns, decisions, labels, people
from openmash.register.workdays import uk_today
from openmash.web.templating import render

router = APIRouter(prefix="/register")
Searcher = Annotated[Principal, Depends(require(Permission.REGISTER_SEARCH))]
Recorder = Annotated[Principal, Depends(require(Permission.REGISTER_RECORD))]
SHORT = 300
LONG = 20000  # the services give the real limits, with a message


def read_date(day: str, month: str, year: str, label: str) -> tuple[date | None, str | None]:
    """A date from GOV.UK's three boxes: (the date, None), (None, None) if all empty, or (None, a message)."""
    parts = [day.strip(), month.strip(), year.strip()]
    if not any(parts):
        return None, None
    try:
        found = date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return None, f"{label} must be a real date, like 27 3 2025"
    if found.year < 1900:
        return None, f"{label} must be a real date, like 27 3 2025"
    return found, None


def with_purpose(path: str, purpose: str, **extra: str) -> str:
    query = {k: v for k, v in {"purpose": purpose, **extra}.items() if v}
    return f"{path}?{urlencode(query)}" if query else path


@router.get("/people/{person_id}")
def person_page(
    request: Request, principal: Searcher, person_id: uuid.UUID, purpose: str | None = None
) -> Response:
    try:
        with app_context(request).transaction() as session:
            view = people.view_person(
                session, principal, person_id, purpose[:SHORT] if purpose else purpose, audit_context(request)
            )
    except PurposeRequired as exc:
        errors = {"purpose": "Enter why you need to see this record"} if purpose is not None else {}
        return render(
            request,
            "purpose.html",
            {"action": f"/register/people/{person_id}", "carry": [], "message": str(exc), "errors": errors},
            400 if errors else 200,
        )
    return render(
        request,
        "register/person.html",
        {
            "person": view,
            "purpose": (purpose or "")[:SHORT],
            "done": request.query_params.get("done"),
            "column": "full",
        },
    )


# Recording a decision on one of the officer's own authority's licences.


def _decision_context(
    request: Request, principal: Principal, licence_id: uuid.UUID, values: dict[str, str]
) -> dict[str, Any]:
    with app_context(request).transaction() as session:
        found = decisions.licence_for_decision(session, principal, licence_id)
        licence = found.licence
        context: dict[str, Any] = {
            "licence": {
                "id": licence.id,
                "ref": licence.authority_licence_ref,
                "type": licence.licence_type,
                "status": licence.status,
                "status_since": licence.status_since,
                "holder": f"{found.person.forenames} {found.person.surname}",
                "person_id": found.person.id,
            },
            "values": values,
        }
        supersedable = [
            {
                "value": str(e.id),
                "text": f"{labels.DECISIONS[e.kind]} on {e.event_date:%-d %B %Y}"
                + (f" ({labels.reason(e.reason_category)})" if e.reason_category else ""),
                "selected": values.get("supersedes_id") == str(e.id),
            }
            for e in found.live_events
        ]
    context["kind_items"] = [
        {"value": k, "text": text, "checked": values.get("kind") == k} for k, text in labels.DECISIONS.items()
    ]
    context["reason_items"] = [
        {"value": k, "text": text, "checked": values.get("reason_category") == k}
        for k, text in labels.REASONS.items()
    ] + [
        {"divider": "or"},
        {
            "value": "",
            "text": "No reason: not a refusal, suspension or revocation",
            "checked": not values.get("reason_category") and bool(values.get("kind")),
        },
    ]
    context["supersedes_items"] = [
        {"value": "", "text": "No, this is a new decision"},
        *supersedable,
    ]
    return context


@router.get("/licences/{licence_id}/decisions/new")
def decision_form(request: Request, principal: Recorder, licence_id: uuid.UUID) -> Response:
    context = _decision_context(request, principal, licence_id, {})
    return render(request, "register/decision_new.html", context)


@router.post("/licences/{licence_id}/decisions/new")
def decision_record(
    request: Request,
    principal: Recorder,
    licence_id: uuid.UUID,
    kind: Annotated[str, Form(max_length=SHORT)] = "",
    reason_category: Annotated[str, Form(max_length=SHORT)] = "",
    day: Annotated[str, Form(alias="event_date-day", max_length=10)] = "",
    month: Annotated[str, Form(alias="event_date-month", max_length=10)] = "",
    year: Annotated[str, Form(alias="event_date-year", max_length=10)] = "",
    note: Annotated[str, Form(max_length=LONG)] = "",
    supersedes_id: Annotated[str, Form(max_length=SHORT)] = "",
) -> Response:
    values = {
        "kind": kind,
        "reason_category": reason_category,
        "event_date-day": day,
        "event_date-month": month,
        "event_date-year": year,
        "note": note,
        "supersedes_id": supersedes_id,
    }
    event_date, date_error = read_date(day, month, year, "The date of the decision")
    supersedes: uuid.UUID | None = None
    errors: dict[str, str] = {}
    try:
        supersedes = uuid.UUID(supersedes_id) if supersedes_id else None
    except ValueError:
        errors["supersedes_id"] = "Select the decision this one corrects"
    try:
        if errors:
            raise ValidationFailed(errors)
        with app_context(request).transaction() as session:
            event = decisions.record_decision(
                session,
                principal,
                licence_id,
                kind=kind,
                event_date=event_date,
                reason_category=reason_category or None,
                note=note,
                supersedes_id=supersedes,
                context=audit_context(request),
            )
            person_id = event.licence.person_id
    except ValidationFailed as exc:
        found = {("event_date-day" if k == "event_date" else k): v for k, v in exc.fields.items()}
        if date_error:
            found["event_date-day"] = date_error
        context = _decision_context(request, principal, licence_id, values)
        context["errors"] = found | errors
        return render(request, "register/decision_new.html", context, 400)
    return RedirectResponse(f"/register/people/{person_id}?done=decision", status_code=303)


# Recording a concern about a driver (licensing officers and police analysts; see register.concerns).


def _concern_context(values: dict[str, str], person_id: uuid.UUID) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "values": values,
        "kind_items": [
            {"value": k, "text": text, "checked": values.get("kind") == k}
            for k, text in labels.CONCERN_KINDS.items()
        ],
        "safeguarding_items": [
            {"value": "yes", "text": "Yes", "checked": values.get("safeguarding") == "yes"},
            {"value": "no", "text": "No", "checked": values.get("safeguarding") == "no"},
        ],
        "back": with_purpose(f"/register/people/{person_id}", values.get("purpose", "")),
    }


def _check_may_record(request: Request, principal: Principal, person_id: uuid.UUID) -> None:
    with app_context(request).transaction() as session:
        concerns.ensure_may_record_concern(principal)
        concerns.get_person(session, person_id)


@router.get("/people/{person_id}/concerns/new")
def concern_form(request: Request, principal: Searcher, person_id: uuid.UUID, purpose: str = "") -> Response:
    _check_may_record(request, principal, person_id)
    context = _concern_context({"purpose": purpose[:SHORT]}, person_id)
    return render(request, "register/concern_new.html", context)


@router.post("/people/{person_id}/concerns/new")
def concern_record(
    request: Request,
    principal: Searcher,
    person_id: uuid.UUID,
    kind: Annotated[str, Form(max_length=SHORT)] = "",
    safeguarding: Annotated[str, Form(max_length=10)] = "",
    day: Annotated[str, Form(alias="occurred_on-day", max_length=10)] = "",
    month: Annotated[str, Form(alias="occurred_on-month", max_length=10)] = "",
    year: Annotated[str, Form(alias="occurred_on-year", max_length=10)] = "",
    summary: Annotated[str, Form(max_length=LONG)] = "",
    purpose: Annotated[str, Form(max_length=SHORT)] = "",
) -> Response:
    _check_may_record(request, principal, person_id)
    values = {
        "kind": kind,
        "safeguarding": safeguarding,
        "occurred_on-day": day,
        "occurred_on-month": month,
        "occurred_on-year": year,
        "summary": summary,
        "purpose": purpose,
    }
    occurred_on, date_error = read_date(day, month, year, "The date it happened")
    errors = concerns.concern_problems(kind, occurred_on, summary, uk_today())
    errors = {("occurred_on-day" if k == "occurred_on" else k): v for k, v in errors.items()}
    if date_error:
        errors["occurred_on-day"] = date_error
    if safeguarding not in ("yes", "no"):
        errors["safeguarding"] = "Select whether this is a safeguarding concern"
    if not errors:
        try:
            with app_context(request).transaction() as session:
                concerns.record_concern(
                    session,
                    principal,
                    person_id,
                    kind=kind,
                    safeguarding=safeguarding == "yes",
                    occurred_on=occurred_on,
                    summary=summary,
                    context=audit_context(request),
                )
        except ValidationFailed as exc:
            errors = dict(exc.fields)
    if errors:
        context = _concern_context(values, person_id)
        context["errors"] = errors
        return render(request, "register/concern_new.html", context, 400)
    target = with_purpose(f"/register/people/{person_id}", purpose, done="concern")
    return RedirectResponse(target, status_code=303)
