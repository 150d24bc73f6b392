"""The gate check (a school or children's home checks the car collecting a child) and the transport carers
arranged for a child. The rules live in safeguarding.gate and .transport: the answer holds only whether the
car is licensed, by which authorities, and whether carers arranged it, never the driver; the sighting is
kept and the MASH's alert rules run on it in the same transaction (the user is not told of any alert)."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from openmash import alerts
from openmash.errors import NotFoundError, ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.http.recorded import child_recorded
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.safeguarding import gate, transport, worklist
from openmash.safeguarding.child_record import summary_of
from openmash.safeguarding.gate import GateAnswer, GateCheckInput
from openmash.safeguarding.transport import TransportInput
from openmash.safeguarding.visibility import get_child
from openmash.web.care_forms import mash_items, read_uuid
from openmash.web.child_forms import SHORT, read_date, uk_moment, with_purpose
from openmash.web.templating import render

router = APIRouter()
Checker = Annotated[Principal, Depends(require(Permission.GATE_CHECK))]
Arranger = Annotated[Principal, Depends(require(Permission.TRANSPORT_ARRANGE))]

GATE_FIELDS = ("registration", "child_id", "mash_agency_id", "vehicle_description", "note")
DATE_PARTS = ("from-day", "from-month", "from-year", "until-day", "until-month", "until-year")
TRANSPORT_FIELDS = ("vehicle_registration", "operator_name", "operator_licence_ref", "note", *DATE_PARTS)


def _gate_context(request: Request, principal: Principal, values: dict[str, str]) -> dict[str, Any]:
    with app_context(request).transaction() as session:
        known = worklist.my_children(session, principal)
        mashes = mash_items(session, principal, values.get("mash_agency_id", ""))
    if len(mashes) == 2 and not any(m.get("selected") for m in mashes):
        mashes[1]["selected"] = True  # the only MASH there is
    children = [{"value": "", "text": "No child named"}] + [
        {
            "value": str(c.id),
            "text": f"{c.forenames} {c.surname}",
            "selected": values.get("child_id") == str(c.id),
        }
        for c in known
    ]
    return {"values": values, "children": children, "mashes": mashes}


@router.get("/gate")
def gate_form(
    request: Request,
    principal: Checker,
    child: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    values = {"child_id": child}
    return render(request, "hub/gate.html", _gate_context(request, principal, values))


@router.post("/gate")
def gate_check(
    request: Request,
    principal: Checker,
    registration: Annotated[str, Form(max_length=40)] = "",
    child_id: Annotated[str, Form(max_length=40)] = "",
    mash_agency_id: Annotated[str, Form(max_length=40)] = "",
    vehicle_description: Annotated[str, Form(max_length=SHORT)] = "",
    note: Annotated[str, Form(max_length=SHORT * 10)] = "",
) -> Response:
    values = {
        "registration": registration,
        "child_id": child_id,
        "mash_agency_id": mash_agency_id,
        "vehicle_description": vehicle_description,
        "note": note,
    }
    data = GateCheckInput(
        registration=registration,
        child_id=read_uuid(child_id),
        mash_agency_id=read_uuid(mash_agency_id),
        vehicle_description=vehicle_description,
        note=note,
    )
    try:
        with app_context(request).transaction() as session:
            answer: GateAnswer = gate.check_vehicle(session, principal, data, audit_context(request))
            # The MASH's rules on this sighting, in the same transaction; the gate user is never told.
            alerts.evaluate_sighting(session, answer.sighting_id, answer.checked_at)
    except ValidationFailed as exc:
        context = _gate_context(request, principal, values)
        context["errors"] = exc.fields
        return render(request, "hub/gate.html", context, 400)
    return render(request, "hub/gate_answer.html", {"answer": answer})


# Transport carers arranged for a child (a car's mark or an operator), on the child's own page.


def _day_bounds(values: dict[str, str]) -> tuple[date | None, date | None, dict[str, str]]:
    errors: dict[str, str] = {}
    start, problem = read_date(
        values["from-day"], values["from-month"], values["from-year"], "The start date"
    )
    if problem:
        errors["from-day"] = problem
    elif start is None:
        errors["from-day"] = "Enter the date the arrangement starts"
    until, problem = read_date(
        values["until-day"], values["until-month"], values["until-year"], "The end date"
    )
    if problem:
        errors["until-day"] = problem
    elif start and until and until < start:
        errors["until-day"] = "The end date must be the same as or after the start date"
    return start, until, errors


def _transport_context(
    request: Request, principal: Principal, child_id: uuid.UUID, values: dict[str, str]
) -> dict[str, Any]:
    with app_context(request).transaction() as session:
        summary = summary_of(get_child(session, child_id))  # audited by the read below
        found = transport.arrangements(
            session, principal, child_id, audit_context(request), purpose=values.get("purpose")
        )
    return {
        "c": summary,
        "values": values,
        "arrangements": found,
        "may_check": principal.can(Permission.GATE_CHECK),
        "back": with_purpose(f"/children/{child_id}", values.get("purpose")),
    }


@router.get("/children/{child_id}/transport")
def transport_page(
    request: Request,
    principal: Arranger,
    child_id: uuid.UUID,
    purpose: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    context = _transport_context(request, principal, child_id, {"purpose": purpose})
    context["done"] = request.query_params.get("done", "")[:20]
    return render(request, "hub/transport.html", context)


@router.post("/children/{child_id}/transport")
async def transport_record(request: Request, principal: Arranger, child_id: uuid.UUID) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, ""))[:SHORT] for k in (*TRANSPORT_FIELDS, "purpose")}
    start, until, errors = _day_bounds(values)
    try:
        if errors or start is None:
            raise ValidationFailed(errors)
        data = TransportInput(
            valid_from=uk_moment(start, time(0, 0)),
            valid_until=uk_moment(until + timedelta(days=1), time(0, 0)) if until else None,
            vehicle_registration=values["vehicle_registration"],
            operator_name=values["operator_name"],
            operator_licence_ref=values["operator_licence_ref"],
            note=values["note"],
        )
        with app_context(request).transaction() as session:
            transport.record_arrangement(session, principal, child_id, data, audit_context(request))
            child_recorded(session, child_id)
    except ValidationFailed as exc:
        context = _transport_context(request, principal, child_id, values)
        names = {"valid_from": "from-day", "valid_until": "until-day"}
        context["errors"] = errors | {names.get(k, k): v for k, v in exc.fields.items()}
        return render(request, "hub/transport.html", context, 400)
    target = with_purpose(f"/children/{child_id}/transport", values["purpose"], done="recorded")
    return RedirectResponse(target, status_code=303)


@router.post("/children/{child_id}/transport/{arrangement_id}/end")
def transport_end(
    request: Request,
    principal: Arranger,
    child_id: uuid.UUID,
    arrangement_id: uuid.UUID,
    purpose: Annotated[str, Form(max_length=SHORT)] = "",
) -> Response:
    with app_context(request).transaction() as session:
        ended = transport.end_arrangement(session, principal, arrangement_id, audit_context(request))
        if ended.child_id != child_id:
            raise NotFoundError("Arrangement not found")  # rolls the change back
        child_recorded(session, child_id)
    target = with_purpose(f"/children/{child_id}/transport", purpose, done="ended")
    return RedirectResponse(target, status_code=303)
