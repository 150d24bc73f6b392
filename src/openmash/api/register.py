"""API v1 for councils' licensing systems: screening, plate lookup, import and export of their records."""

from __future__ import annotations

import io
import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import StreamingResponse

from openmash.errors import ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.http.downloads import csv_download
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import Principal
from openmash.register import exports, imports, matches, screening, vehicles
from openmash.register.licence_csv import read_licence_csv

router = APIRouter(prefix="/register", tags=["register"])


class Name(BaseModel):
    model_config = ConfigDict(extra="forbid")
    surname: str = Field(default="", max_length=100)
    forenames: str = Field(default="", max_length=100)


class ScreeningIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    purpose: str = Field(max_length=300, description="Why you are screening, e.g. the application reference")
    names: list[Name] = Field(default_factory=list, max_length=10, description="The name applied under first")
    date_of_birth: date | None = None
    driving_licence_number: str = Field(default="", max_length=30)
    ni_number: str = Field(default="", max_length=20)
    postcode: str = Field(default="", max_length=12)


class ImportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file_name: str = Field(default="api.csv", max_length=200)
    csv: str = Field(description="The licence records file (docs/formats/licences.md) as text")


class ImportOut(BaseModel):
    rows: int
    events_added: int
    events_already_recorded: int
    licences_created: int
    matches_proposed: int = Field(description="New people who may already be on the register: see /matches")
    warnings: list[str]


class MatchDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    same_person: bool = Field(description="true: the same person; false: different people")
    note: str = Field(default="", max_length=5000, description="What was checked, for the audit trail")


def _own_authority(request: Request, principal: Principal) -> Agency:
    with app_context(request).transaction() as session:
        agency = session.get(Agency, principal.agency_id)
    if agency is None or agency.type != AgencyType.LICENSING_AUTHORITY.value:
        raise ValidationFailed(
            {"authority": "Only a licensing authority's token can import or export records"}
        )
    return agency


@router.post("/screenings", summary="Screen one applicant against every authority's licences")
def screen(
    request: Request,
    body: ScreeningIn,
    principal: Annotated[Principal, Depends(require(Permission.REGISTER_SEARCH))],
) -> dict[str, Any]:
    applicant = screening.read_applicant(
        [(n.surname, n.forenames) for n in body.names],
        body.date_of_birth,
        body.driving_licence_number,
        body.ni_number,
        body.postcode,
    )
    with app_context(request).transaction() as session:
        found, authorities = screening.screen_for(
            session, principal.actor, applicant, body.purpose, audit_context(request)
        )
        return {"engine": matches.engine_name(), "candidates": screening.as_json(found, authorities)}


@router.get("/vehicles/{registration}", summary="Look up a vehicle by registration mark (purpose required)")
def plate(
    request: Request,
    registration: str,
    principal: Annotated[Principal, Depends(require(Permission.VEHICLE_LOOKUP))],
    purpose: Annotated[str, Query(max_length=300)] = "",
) -> dict[str, Any]:
    with app_context(request).transaction() as session:
        result = vehicles.lookup_plate(session, principal, registration[:40], purpose, audit_context(request))
        vehicle = result.vehicle
        return {
            "registration": result.searched,
            "licensed": vehicle is not None,
            "vehicle": None
            if vehicle is None
            else {"make": vehicle.make, "model": vehicle.model, "colour": vehicle.colour},
            "licensed_to": [
                {
                    "authority": x.authority_code,
                    "authority_licence_ref": x.authority_licence_ref,
                    "licence_type": x.licence_type,
                    "status": x.status,
                    "status_since": x.status_since.isoformat(),
                    "person_id": x.person_id,
                    "holder": x.holder,
                    "plate_number": x.plate_number,
                    "from_date": x.from_date.isoformat(),
                    "to_date": x.to_date.isoformat() if x.to_date else None,
                    "decisions": [
                        {
                            "event": e.kind,
                            "event_date": e.event_date.isoformat(),
                            "reason_category": e.reason_category,
                        }
                        for e in x.events
                    ],
                }
                for x in result.licensed_to
            ],
        }


@router.post(
    "/imports",
    response_model=ImportOut,
    status_code=201,
    summary="Import the token's authority's licence records (all or nothing)",
)
def import_records(
    request: Request,
    body: ImportIn,
    principal: Annotated[Principal, Depends(require(Permission.REGISTER_RECORD))],
) -> ImportOut:
    authority = _own_authority(request, principal)
    result = read_licence_csv(io.StringIO(body.csv), today=date.today())
    if result.errors:
        raise ValidationFailed(
            {
                f"line {p.line}" + (f", column {p.column}" if p.column else ""): p.message
                for p in result.errors[:200]
            },
            "The file has errors; nothing was imported",
        )
    with app_context(request).transaction() as session:
        summary = imports.import_licences(
            session,
            session.merge(authority),
            result.rows,
            principal.actor,
            audit_context(request),
            file_name=body.file_name,
        )
    return ImportOut(
        rows=summary.rows,
        events_added=summary.events_added,
        events_already_recorded=summary.events_already_recorded,
        licences_created=summary.licences_created,
        matches_proposed=summary.matches_proposed,
        warnings=[str(w) for w in result.warnings],
    )


@router.get(
    "/exports", summary="Export the token's authority's own records as CSV", response_class=StreamingResponse
)
def export_records(
    request: Request, principal: Annotated[Principal, Depends(require(Permission.REGISTER_RECORD))]
) -> StreamingResponse:
    authority = _own_authority(request, principal)
    return csv_download(
        app_context(request),
        f"{authority.code}-licences.csv",
        lambda session: exports.export_licences(
            session, session.merge(authority), principal.actor, audit_context(request)
        ),
    )


def _proposal(view: matches.ProposalView) -> dict[str, Any]:
    def side(person: matches.PersonSide) -> dict[str, Any]:
        return {
            "person_id": str(person.id),
            "surname": person.surname,
            "forenames": person.forenames,
            "date_of_birth": person.date_of_birth.isoformat(),
            "licences": [
                {"authority": authority, "authority_licence_ref": ref, "status": status}
                for authority, ref, status in person.licences
            ],
        }

    return {
        "id": str(view.id),
        "proposed_at": view.proposed_at.isoformat(),
        "band": view.band,
        "score": view.score,
        "explanation": view.explanation,
        "new": side(view.new),
        "existing": side(view.existing),
        "status": view.status,
        "decided_by": view.decided_by,
        "decided_at": view.decided_at.isoformat() if view.decided_at else None,
    }


@router.get("/matches", summary="Matches proposed by the authority's imports, waiting for a decision")
def proposed_matches(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.REGISTER_RECORD))],
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    with app_context(request).transaction() as session:
        waiting = matches.pending(session, principal, audit_context(request), limit=limit)
        return {"total": waiting.total, "proposals": [_proposal(view) for view in waiting.shown]}


@router.post(
    "/matches/{proposal_id}/decision", summary="Confirm (the same person) or reject a proposed match"
)
def decide_match(
    request: Request,
    proposal_id: uuid.UUID,
    body: MatchDecisionIn,
    principal: Annotated[Principal, Depends(require(Permission.REGISTER_RECORD))],
) -> dict[str, Any]:
    with app_context(request).transaction() as session:
        view = matches.decide(
            session,
            principal,
            proposal_id,
            confirm=body.same_person,
            note=body.note,
            context=audit_context(request),
        )
        return _proposal(view)
