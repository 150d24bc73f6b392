"""The MASH's triage: the queue of contacts ordered by due time (overdue marked), a contact's page with its
grade history, the grade or regrade with reasons, the decision and next step; a referral the MASH takes
itself, and an agency sending its concern to the MASH. The rules live in safeguarding.triage."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from openmash.errors import NotFoundError, ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.http.recorded import child_recorded
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.safeguarding import child_record, triage
from openmash.safeguarding.triage import NextStep, Referral
from openmash.safeguarding.triage_timescales import Grade
from openmash.web.care_forms import (
    date_fields,
    field_errors,
    form_values,
    mash_items,
    read_moment,
    read_uuid,
)
from openmash.web.child_forms import LONG, SHORT, with_purpose
from openmash.web.templating import render

router = APIRouter()
Reader = Annotated[Principal, Depends(require(Permission.TRIAGE_READ))]
Decider = Annotated[Principal, Depends(require(Permission.TRIAGE_DECIDE))]
Referrer = Annotated[Principal, Depends(require(Permission.CONTACTS_REFER))]

GRADE_LABELS = {Grade.RED: "Red", Grade.AMBER: "Amber", Grade.GREEN: "Green"}
GRADE_HINTS = {
    Grade.RED: "Respond within 4 working hours",
    Grade.AMBER: "Respond within 1 working day",
    Grade.GREEN: "Respond within 3 working days",
}
STEP_LABELS = {
    NextStep.NO_FURTHER_ACTION: "No further action",
    NextStep.EARLY_HELP: "Early help",
    NextStep.ASSESSMENT: "Assessment",
    NextStep.STRATEGY_DISCUSSION: "Strategy discussion",
}


@router.get("/triage")
def queue_page(request: Request, principal: Reader) -> Response:
    with app_context(request).transaction() as session:
        items = triage.queue(session, principal)
    context = {
        "items": items,
        "overdue": sum(i.overdue for i in items),
        "grades": {str(k): v for k, v in GRADE_LABELS.items()},
        "done": request.query_params.get("done"),
        "column": "full",
    }
    return render(request, "care/triage_queue.html", context)


def _contact_context(request: Request, principal: Principal, contact_id: uuid.UUID) -> dict[str, Any]:
    with app_context(request).transaction() as session:
        item = next((i for i in triage.queue(session, principal) if i.contact_id == contact_id), None)
        if item is None:
            raise NotFoundError("Contact not found, or already decided")
        history = triage.grade_history(session, principal, contact_id)
    current = history[-1].grade if history else None
    return {
        "item": item,
        "history": history,
        "grades": {str(k): v for k, v in GRADE_LABELS.items()},
        "grade_items": [
            {"value": str(g), "text": GRADE_LABELS[g], "hint": {"text": GRADE_HINTS[g]}}
            for g in Grade
            if str(g) != current
        ],
        "step_items": [{"value": str(s), "text": STEP_LABELS[s]} for s in NextStep],
        "may_decide": principal.can(Permission.TRIAGE_DECIDE),
        "values": {},
    }


@router.get("/triage/{contact_id}")
def contact_page(request: Request, principal: Reader, contact_id: uuid.UUID) -> Response:
    context = _contact_context(request, principal, contact_id)
    context["done"] = request.query_params.get("done")
    return render(request, "care/triage_contact.html", context)


def _again(
    request: Request,
    principal: Principal,
    contact_id: uuid.UUID,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    context = _contact_context(request, principal, contact_id)
    for group in ("grade_items", "step_items"):
        for item in context[group]:
            item["checked"] = item["value"] in (values.get("grade"), values.get("next_step"))
    context["values"] = values
    context["errors"] = errors
    return render(request, "care/triage_contact.html", context, 400)


@router.post("/triage/{contact_id}/grade")
def grade(
    request: Request,
    principal: Decider,
    contact_id: uuid.UUID,
    grade: Annotated[str, Form(max_length=20)] = "",
    grade_reasons: Annotated[str, Form(max_length=LONG)] = "",
) -> Response:
    try:
        with app_context(request).transaction() as session:
            triage.grade_contact(session, principal, contact_id, grade, grade_reasons, audit_context(request))
    except ValidationFailed as exc:
        errors = field_errors({}, exc.fields, {"reasons": "grade_reasons"})
        return _again(
            request, principal, contact_id, {"grade": grade, "grade_reasons": grade_reasons}, errors
        )
    return RedirectResponse(f"/triage/{contact_id}?done=graded", status_code=303)


@router.post("/triage/{contact_id}/decision")
def decision(
    request: Request,
    principal: Decider,
    contact_id: uuid.UUID,
    next_step: Annotated[str, Form(max_length=40)] = "",
    decision_reasons: Annotated[str, Form(max_length=LONG)] = "",
) -> Response:
    try:
        with app_context(request).transaction() as session:
            triage.decide(session, principal, contact_id, next_step, decision_reasons, audit_context(request))
    except ValidationFailed as exc:
        errors = field_errors({}, exc.fields, {"reasons": "decision_reasons"})
        values = {"next_step": next_step, "decision_reasons": decision_reasons}
        return _again(request, principal, contact_id, values, errors)
    return RedirectResponse("/triage?done=decided", status_code=303)


# A referral the MASH takes itself (a call, a letter), about a child already found.

REFERRAL_FIELDS = (*date_fields("received"), "referrer", "summary", "purpose")


def _referral_context(
    request: Request, principal: Principal, child_id: uuid.UUID, values: dict[str, str]
) -> dict[str, Any]:
    with app_context(request).transaction() as session:
        summary = child_record.child_summary(session, principal, child_id, audit_context(request))
    return {
        "c": summary,
        "values": values,
        "back": with_purpose(f"/children/{child_id}", values.get("purpose")),
    }


@router.get("/children/{child_id}/referral")
def referral_form(
    request: Request,
    principal: Decider,
    child_id: uuid.UUID,
    purpose: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    context = _referral_context(request, principal, child_id, {"purpose": purpose})
    return render(request, "care/referral.html", context)


@router.post("/children/{child_id}/referral")
async def referral_record(request: Request, principal: Decider, child_id: uuid.UUID) -> Response:
    values = form_values(await request.form(), REFERRAL_FIELDS)
    own: dict[str, str] = {}
    given = any(values[k].strip() for k in date_fields("received"))
    received = read_moment(values, "received", "the contact came in", own) if given else None
    try:
        if own:
            raise ValidationFailed(own)
        data = Referral(referrer=values["referrer"], summary=values["summary"], received_at=received)
        with app_context(request).transaction() as session:
            contact = triage.record_referral(session, principal, child_id, data, audit_context(request))
            contact_id = contact.id
            child_recorded(session, child_id)
    except ValidationFailed as exc:
        context = _referral_context(request, principal, child_id, values)
        context["errors"] = field_errors(own, exc.fields, {"received_at": "received_on-day"})
        return render(request, "care/referral.html", context, 400)
    return RedirectResponse(f"/triage/{contact_id}?done=received", status_code=303)


# An agency sends its own concern to the MASH.


def _refer_context(
    request: Request, principal: Principal, child_id: uuid.UUID, concern_id: uuid.UUID, values: dict[str, str]
) -> dict[str, Any]:
    with app_context(request).transaction() as session:
        summary = child_record.child_summary(session, principal, child_id, audit_context(request))
        concern = child_record.concern_for_correction(session, principal, concern_id)
        if concern.child_id != child_id:
            raise NotFoundError("Concern not found")
        mashes = mash_items(session, principal, values.get("mash_agency_id", ""))
    return {
        "c": summary,
        "concern": concern,
        "category": concern.category.label,
        "mashes": mashes,
        "values": values,
        "back": with_purpose(f"/children/{child_id}/chronology", values.get("purpose")),
    }


@router.get("/children/{child_id}/concerns/{concern_id}/refer")
def refer_form(
    request: Request,
    principal: Referrer,
    child_id: uuid.UUID,
    concern_id: uuid.UUID,
    purpose: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    context = _refer_context(request, principal, child_id, concern_id, {"purpose": purpose})
    return render(request, "care/refer.html", context)


@router.post("/children/{child_id}/concerns/{concern_id}/refer")
def refer_send(
    request: Request,
    principal: Referrer,
    child_id: uuid.UUID,
    concern_id: uuid.UUID,
    mash_agency_id: Annotated[str, Form(max_length=40)] = "",
    purpose: Annotated[str, Form(max_length=SHORT)] = "",
) -> Response:
    values = {"mash_agency_id": mash_agency_id, "purpose": purpose}
    mash = read_uuid(mash_agency_id) or uuid.UUID(int=0)
    try:
        with app_context(request).transaction() as session:
            concern = child_record.concern_for_correction(session, principal, concern_id)
            if concern.child_id != child_id:
                raise NotFoundError("Concern not found")
            triage.refer_concern(session, principal, concern_id, mash, audit_context(request))
            child_recorded(session, child_id)
    except ValidationFailed as exc:
        context = _refer_context(request, principal, child_id, concern_id, values)
        context["errors"] = exc.fields
        return render(request, "care/refer.html", context, 400)
    target = with_purpose(f"/children/{child_id}/chronology", purpose, done="referred")
    return RedirectResponse(target, status_code=303)
