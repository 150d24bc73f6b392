"""Recording a concern about a child, and correcting one with a new entry (never an edit: there is no route
that changes or deletes a concern). The rules live in safeguarding.concerns; a correction goes through
network.mentions.correct_with_mentions, so that what the concern mentions (adults, phones, addresses) is
given to the correction in the same transaction: the form shows the corrected entry's mentions, to keep or
take out."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from openmash.errors import NotFoundError, ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.http.recorded import child_recorded
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import Principal
from openmash.network import mentions
from openmash.network.mentions import MentionsInput
from openmash.register.workdays import UK
from openmash.safeguarding import child_record, concerns
from openmash.safeguarding.categories import IndicatorKind
from openmash.safeguarding.concerns import ConcernInput
from openmash.safeguarding.models import ConcernCategory
from openmash.web.child_forms import LONG, SHORT, read_date, read_time, uk_moment, with_purpose
from openmash.web.pages_mentions import field_errors, lines
from openmash.web.templating import render, role_label

router = APIRouter(prefix="/children")
Recorder = Annotated[Principal, Depends(require(Permission.CONCERNS_RECORD))]

KIND_HEADINGS = {
    IndicatorKind.VULNERABILITY: "Vulnerabilities",
    IndicatorKind.MODERATE: "Moderate indicators",
    IndicatorKind.SIGNIFICANT: "Significant indicators",
    IndicatorKind.OTHER: "Other",
}
FIELD_IDS = {"occurred_at": "occurred_on-day", "category": "category"}
# The correction form's boxes for what the concern mentions, one value a line, and the kind each holds.
MENTION_FIELDS = {"adults": "adult", "phones": "phone", "addresses": "address"}


def _hint(category: ConcernCategory) -> dict[str, str] | None:
    if category.asks_for_vehicle:
        return {"text": "Give the vehicle's registration mark and description below if known"}
    if category.restricted_roles:
        roles = ", ".join(role_label(r) for r in sorted(category.restricted_roles))
        return {"text": f"Restricted: seen only by {roles}"}
    return None


def _category_items(found: list[ConcernCategory], chosen: str) -> list[dict[str, Any]]:
    """The categories this user may record in, grouped by kind of indicator."""
    items: list[dict[str, Any]] = []
    for kind, heading in KIND_HEADINGS.items():
        of_kind = [c for c in found if c.indicator_kind == kind]
        if of_kind:
            items.append({"divider": heading})
            items += [
                {"value": c.code, "text": c.label, "checked": chosen == c.code, "hint": _hint(c)}
                for c in of_kind
            ]
    return items


def _context(
    request: Request,
    principal: Principal,
    child_id: uuid.UUID,
    values: dict[str, str],
    *,
    correcting: uuid.UUID | None = None,
) -> dict[str, Any]:
    with app_context(request).transaction() as session:
        summary = child_record.child_summary(
            session, principal, child_id, audit_context(request), purpose=values.get("purpose")
        )
        found = child_record.recordable_categories(session, principal)
    return {
        "c": summary,
        "values": values,
        "category_items": _category_items(found, values.get("category", "")),
        "asks_police": principal.agency_type is not AgencyType.POLICE_FORCE,
        "police_items": [
            {"value": "yes", "text": "Yes", "checked": values.get("shared_with_police") == "yes"},
            {"value": "no", "text": "No", "checked": values.get("shared_with_police") == "no"},
        ],
        "correcting": correcting,
        "action": f"/children/{child_id}/concerns/{correcting}/correct"
        if correcting
        else f"/children/{child_id}/concerns/new",
        "back": with_purpose(f"/children/{child_id}", values.get("purpose")),
    }


def _read(principal: Principal, values: dict[str, str]) -> ConcernInput:
    """The form as the service's input; a date or time the boxes cannot make is a field error here."""
    errors: dict[str, str] = {}
    day, date_error = read_date(
        values["occurred_on-day"], values["occurred_on-month"], values["occurred_on-year"], "The date"
    )
    at = read_time(values["occurred_time"])
    if date_error:
        errors["occurred_on-day"] = date_error
    elif day is None:
        errors["occurred_on-day"] = "Enter the date it happened"
    if at is None:
        errors["occurred_time"] = "Enter the time it happened on the 24-hour clock, like 14:30"
    police = principal.agency_type is AgencyType.POLICE_FORCE
    if not police and values["shared_with_police"] not in ("yes", "no"):
        errors["shared_with_police"] = "Select whether this is shared with police"
    if errors or day is None or at is None:
        raise ValidationFailed(errors)
    return ConcernInput(
        category_code=values["category"],
        occurred_at=uk_moment(day, at),
        summary=values["summary"],
        childs_words=values["childs_words"],
        vehicle_registration=values["vehicle_registration"],
        vehicle_description=values["vehicle_description"],
        shared_with_police=values["shared_with_police"] == "yes",
    )


def _errors(principal: Principal, values: dict[str, str], failed: ValidationFailed) -> dict[str, str]:
    """The service's field errors under the form's ids, with the form's own (a date, a time) kept."""
    found = {FIELD_IDS.get(k, k): v for k, v in failed.fields.items()}
    try:
        _read(principal, values)
    except ValidationFailed as own:
        found = own.fields | found
    return found


def _values(
    category: str,
    day: str,
    month: str,
    year: str,
    occurred_time: str,
    summary: str,
    childs_words: str,
    vehicle_registration: str,
    vehicle_description: str,
    shared_with_police: str,
    purpose: str,
) -> dict[str, str]:
    return {
        "category": category,
        "occurred_on-day": day,
        "occurred_on-month": month,
        "occurred_on-year": year,
        "occurred_time": occurred_time,
        "summary": summary,
        "childs_words": childs_words,
        "vehicle_registration": vehicle_registration,
        "vehicle_description": vehicle_description,
        "shared_with_police": shared_with_police,
        "purpose": purpose,
    }


@router.get("/{child_id}/concerns/new")
def concern_form(
    request: Request,
    principal: Recorder,
    child_id: uuid.UUID,
    purpose: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    context = _context(request, principal, child_id, {"purpose": purpose})
    return render(request, "children/concern.html", context)


@router.post("/{child_id}/concerns/new")
def concern_record(
    request: Request,
    principal: Recorder,
    child_id: uuid.UUID,
    category: Annotated[str, Form(max_length=60)] = "",
    day: Annotated[str, Form(alias="occurred_on-day", max_length=10)] = "",
    month: Annotated[str, Form(alias="occurred_on-month", max_length=10)] = "",
    year: Annotated[str, Form(alias="occurred_on-year", max_length=10)] = "",
    occurred_time: Annotated[str, Form(max_length=10)] = "",
    summary: Annotated[str, Form(max_length=LONG)] = "",
    childs_words: Annotated[str, Form(max_length=LONG)] = "",
    vehicle_registration: Annotated[str, Form(max_length=40)] = "",
    vehicle_description: Annotated[str, Form(max_length=LONG)] = "",
    shared_with_police: Annotated[str, Form(max_length=10)] = "",
    purpose: Annotated[str, Form(max_length=SHORT)] = "",
) -> Response:
    values = _values(
        category,
        day,
        month,
        year,
        occurred_time,
        summary,
        childs_words,
        vehicle_registration,
        vehicle_description,
        shared_with_police,
        purpose,
    )
    try:
        data = _read(principal, values)
        with app_context(request).transaction() as session:
            concern = concerns.record_concern(session, principal, child_id, data, audit_context(request))
            child_recorded(session, child_id, concern.recorded_at)
    except ValidationFailed as exc:
        context = _context(request, principal, child_id, values)
        context["errors"] = _errors(principal, values, exc)
        return render(request, "children/concern.html", context, 400)
    target = with_purpose(f"/children/{child_id}/chronology", purpose, done="concern")
    return RedirectResponse(target, status_code=303)


@router.get("/{child_id}/concerns/{concern_id}/correct")
def correction_form(
    request: Request,
    principal: Recorder,
    child_id: uuid.UUID,
    concern_id: uuid.UUID,
    purpose: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    with app_context(request).transaction() as session:
        original = child_record.concern_for_correction(session, principal, concern_id)
        if original.child_id != child_id:
            raise NotFoundError("Concern not found")
        local = original.occurred_at.astimezone(UK)
        values = _values(
            original.category.code,
            str(local.day),
            str(local.month),
            str(local.year),
            local.strftime("%H:%M"),
            original.summary,
            original.childs_words or "",
            original.vehicle_registration or "",
            original.vehicle_description or "",
            "yes" if original.shared_with_police else "no",
            purpose,
        )
        held = mentions.mentions_of(session, original.id)
        for name, kind in MENTION_FIELDS.items():
            values[name] = "\n".join(m.value for m in held if m.kind == kind)
    context = _context(request, principal, child_id, values, correcting=concern_id)
    return render(request, "children/concern.html", context)


@router.post("/{child_id}/concerns/{concern_id}/correct")
def correction_record(
    request: Request,
    principal: Recorder,
    child_id: uuid.UUID,
    concern_id: uuid.UUID,
    category: Annotated[str, Form(max_length=60)] = "",
    day: Annotated[str, Form(alias="occurred_on-day", max_length=10)] = "",
    month: Annotated[str, Form(alias="occurred_on-month", max_length=10)] = "",
    year: Annotated[str, Form(alias="occurred_on-year", max_length=10)] = "",
    occurred_time: Annotated[str, Form(max_length=10)] = "",
    summary: Annotated[str, Form(max_length=LONG)] = "",
    childs_words: Annotated[str, Form(max_length=LONG)] = "",
    vehicle_registration: Annotated[str, Form(max_length=40)] = "",
    vehicle_description: Annotated[str, Form(max_length=LONG)] = "",
    shared_with_police: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=LONG)] = "",
    adults: Annotated[str, Form(max_length=LONG)] = "",
    phones: Annotated[str, Form(max_length=LONG)] = "",
    addresses: Annotated[str, Form(max_length=LONG)] = "",
    purpose: Annotated[str, Form(max_length=SHORT)] = "",
) -> Response:
    values = _values(
        category,
        day,
        month,
        year,
        occurred_time,
        summary,
        childs_words,
        vehicle_registration,
        vehicle_description,
        shared_with_police,
        purpose,
    )
    values |= {"reason": reason, "adults": adults, "phones": phones, "addresses": addresses}
    # The boxes start with the corrected entry's mentions: what is left in them, the correction mentions.
    named = MentionsInput(adults=lines(adults), phones=lines(phones), addresses=lines(addresses))
    with app_context(request).transaction() as session:
        original = child_record.concern_for_correction(session, principal, concern_id)
        if original.child_id != child_id:
            raise NotFoundError("Concern not found")
    try:
        try:
            data = _read(principal, values)
        except ValidationFailed as exc:
            if not reason.strip():
                raise ValidationFailed(
                    exc.fields | {"reason": "Give the reason for the correction"}
                ) from None
            raise
        with app_context(request).transaction() as session:
            correction = mentions.correct_with_mentions(
                session, principal, concern_id, data, reason, audit_context(request), mentions=named
            )
            child_recorded(session, correction.child_id, correction.recorded_at)
    except ValidationFailed as exc:
        named_problems = {k: v for k, v in exc.fields.items() if k.partition("-")[0] in MENTION_FIELDS}
        others = ValidationFailed({k: v for k, v in exc.fields.items() if k not in named_problems})
        context = _context(request, principal, child_id, values, correcting=concern_id)
        context["errors"] = (
            _errors(principal, values, others)
            | ({"reason": exc.fields["reason"]} if "reason" in exc.fields else {})
            | field_errors(ValidationFailed(named_problems))
        )
        return render(request, "children/concern.html", context, 400)
    target = with_purpose(f"/children/{child_id}/chronology", purpose, done="corrected")
    return RedirectResponse(target, status_code=303)
