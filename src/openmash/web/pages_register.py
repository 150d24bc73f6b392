"""The register's pages: screening, plate lookup, and an authority's import and export of its records."""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from openmash.errors import PurposeRequired, ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.http.downloads import csv_download
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import Principal
from openmash.register import exports, imports, screening, vehicles
from openmash.register.licence_csv import read_licence_csv
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
    context: dict[str, Any] = {
        "values": values,
        "candidates": None,
        "column": "full",
        # Links to ask another authority for details, for those who may (licensing officers, not police).
        "can_request": principal.agency_type is AgencyType.LICENSING_AUTHORITY
        and principal.can(Permission.REGISTER_RECORD),
    }
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


def _own_authority(request: Request, principal: Principal) -> Agency | None:
    with app_context(request).transaction() as session:
        agency = session.get(Agency, principal.agency_id)
    return agency if agency is not None and agency.type == AgencyType.LICENSING_AUTHORITY.value else None


Recorder = Annotated[Principal, Depends(require(Permission.REGISTER_RECORD))]


@router.get("/import")
def import_page(request: Request, principal: Recorder) -> Response:
    return render(request, "register/import.html", {"authority": _own_authority(request, principal)})


@router.post("/import")
async def import_file(request: Request, principal: Recorder) -> Response:
    """Check the whole file and show every problem by line and column; write it only if it is all valid."""
    authority = _own_authority(request, principal)
    form = await request.form()
    upload = form.get("file")
    context: dict[str, Any] = {"authority": authority, "column": "full"}
    if authority is None:
        context["errors"] = {"file": "Only a licensing authority's staff can import its records"}
        return render(request, "register/import.html", context, 403)
    if not isinstance(upload, UploadFile) or not upload.filename:
        context["errors"] = {"file": "Select a CSV file"}
        return render(request, "register/import.html", context, 400)
    raw = await upload.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        context["errors"] = {"file": "The file must be saved as CSV UTF-8"}
        return render(request, "register/import.html", context, 400)
    name = upload.filename[:200]
    return await run_in_threadpool(_import_text, request, principal, authority, text, name, context)


def _import_text(
    request: Request, principal: Principal, authority: Agency, text: str, name: str, context: dict[str, Any]
) -> Response:
    result = read_licence_csv(io.StringIO(text, newline=""), today=date.today())
    context.update(
        file_name=name,
        problems=[str(p) for p in result.errors[:500]],
        error_count=len(result.errors),
        warnings=[str(w) for w in result.warnings[:200]],
    )
    if result.errors:
        context["errors"] = {"file": f"The file has {len(result.errors)} errors. Nothing was imported."}
        return render(request, "register/import.html", context, 400)
    try:
        with app_context(request).transaction() as session:
            summary = imports.import_licences(
                session,
                session.merge(authority),
                result.rows,
                principal.actor,
                audit_context(request),
                file_name=name,
            )
    except imports.ImportRefused as exc:
        context["problems"] = [str(p) for p in exc.problems[:500]]
        context["errors"] = {"file": "The file disagrees with the register. Nothing was imported."}
        return render(request, "register/import.html", context, 400)
    context["summary"] = summary
    return render(request, "register/import.html", context)


@router.get("/export.csv")
def export_file(request: Request, principal: Recorder) -> Response:
    authority = _own_authority(request, principal)
    if authority is None:
        return render(request, "register/import.html", {"authority": None}, 403)
    return csv_download(
        app_context(request),
        f"{authority.code}-licences.csv",
        lambda session: exports.export_licences(
            session, session.merge(authority), principal.actor, audit_context(request)
        ),
    )
