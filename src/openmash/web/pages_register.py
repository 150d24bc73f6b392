"""The register's pages: plate lookup (more to come: screening, person, decisions, requests, import)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from openmash.errors import PurposeRequired, ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.register import screening, vehicles
from openmash.register.screening import Applicant
from openmash.web.templating import render

router = APIRouter(prefix="/register")


@router.get("/vehicles")
def plate_lookup(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.VEHICLE_LOOKUP))],
    registration: str = "",
    purpose: str = "",
) -> Response:
    values = {"registration": registration[:40], "purpose": purpose[:300]}
    context: dict[str, Any] = {"values": values, "result": None}
    if not registration and not purpose:
        return render(request, "register/plate.html", context)
    try:
        with app_context(request).transaction() as session:
            context["result"] = vehicles.lookup_plate(
                session, principal, registration[:40], purpose[:300], audit_context(request)
            )
    except ValidationFailed as exc:
        context["errors"] = exc.fields
    except PurposeRequired as exc:
        context["errors"] = {"purpose": str(exc)}
    return render(request, "register/plate.html", context, 400 if "errors" in context else 200)


SCREEN_FIELDS = (
    "surname",
    "forenames",
    "other_surname",
    "other_forenames",
    "dob-day",
    "dob-month",
    "dob-year",
    "driving_licence_number",
    "ni_number",
    "postcode",
    "purpose",
)


def applicant_from(values: dict[str, str]) -> Applicant:
    """Read the screening form (the date of birth comes as day, month and year boxes)."""
    dob = None
    parts = [values["dob-day"].strip(), values["dob-month"].strip(), values["dob-year"].strip()]
    errors: dict[str, str] = {}
    if any(parts):
        try:
            dob = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            errors["dob-day"] = "Date of birth must be a real date, like 27 3 1985"
    try:
        applicant = screening.read_applicant(
            [(values["surname"], values["forenames"]), (values["other_surname"], values["other_forenames"])],
            dob,
            values["driving_licence_number"],
            values["ni_number"],
            values["postcode"],
        )
    except ValidationFailed as exc:
        raise ValidationFailed(errors | exc.fields) from None
    if errors:
        raise ValidationFailed(errors)
    return applicant


@router.get("/screen")
def screen(
    request: Request, principal: Annotated[Principal, Depends(require(Permission.REGISTER_SEARCH))]
) -> Response:
    values = {k: request.query_params.get(k, "")[:200] for k in SCREEN_FIELDS}
    context: dict[str, Any] = {"values": values, "candidates": None, "column": "full"}
    if not any(values.values()):
        return render(request, "register/screen.html", context)
    try:
        applicant = applicant_from(values)
        with app_context(request).transaction() as session:
            found, authorities = screening.screen_for(
                session, principal.actor, applicant, values["purpose"], audit_context(request)
            )
            context["candidates"] = [
                {
                    "person_id": str(c.person.id),
                    "name": f"{c.person.forenames} {c.person.surname}",
                    "date_of_birth": c.person.date_of_birth,
                    "score": c.score,
                    "band": c.band,
                    "explanation": c.explanation,
                    "licences": c.licences_summary(authorities),
                }
                for c in found
            ]
    except ValidationFailed as exc:
        context["errors"] = exc.fields
    except PurposeRequired as exc:
        context["errors"] = {"purpose": str(exc)}
    return render(request, "register/screen.html", context, 400 if "errors" in context else 200)
