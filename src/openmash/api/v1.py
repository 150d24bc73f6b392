"""API v1: who am I, the agency directory, and the audit trail for auditors' tools."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from openmash.api import alerts, care, children, hub, register, support
from openmash.api.schemas import ERROR_RESPONSES, AgencyIn, AgencyOut, AuditPage, AuditRecordOut, WhoAmI
from openmash.audit import queries
from openmash.http.auth import authenticated, require
from openmash.http.context import app_context, audit_context
from openmash.identity import agencies
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)


@router.get("/whoami", response_model=WhoAmI, summary="The token's agency and permissions")
def whoami(principal: Annotated[Principal, Depends(authenticated())]) -> WhoAmI:
    return WhoAmI(
        kind=principal.kind,
        name=principal.display_name,
        agency_code=principal.agency_code,
        agency_name=principal.agency_name,
        permissions=sorted(p.value for p in principal.permissions),
    )


@router.get(
    "/agencies", response_model=list[AgencyOut], summary="Every agency (the directory is not personal data)"
)
def list_agencies(
    request: Request, principal: Annotated[Principal, Depends(require(Permission.AGENCIES_READ))]
) -> list[AgencyOut]:
    with app_context(request).transaction() as session:
        return [AgencyOut.model_validate(a) for a in agencies.list_agencies(session)]


@router.get("/agencies/{agency_id}", response_model=AgencyOut, summary="One agency")
def get_agency(
    request: Request,
    agency_id: uuid.UUID,
    principal: Annotated[Principal, Depends(require(Permission.AGENCIES_READ))],
) -> AgencyOut:
    with app_context(request).transaction() as session:
        return AgencyOut.model_validate(agencies.get_agency(session, agency_id))


@router.post(
    "/agencies", response_model=AgencyOut, status_code=201, summary="Add an agency (national administrator)"
)
def create_agency(
    request: Request,
    body: AgencyIn,
    principal: Annotated[Principal, Depends(require(Permission.AGENCIES_MANAGE))],
) -> AgencyOut:
    with app_context(request).transaction() as session:
        agency = agencies.create_agency(
            session, principal.actor, body.type, body.code, body.name, audit_context(request)
        )
        return AgencyOut.model_validate(agency)


@router.get("/audit/records", response_model=AuditPage, summary="Search the audit trail (purpose required)")
def audit_records(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.AUDIT_READ))],
    purpose: Annotated[str, Query(max_length=300, description="Why you are searching; recorded")] = "",
    date_from: date | None = None,
    date_to: date | None = None,
    action: Annotated[str | None, Query(max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AuditPage:
    f = queries.AuditFilter(
        agency_id=None if principal.is_national else principal.agency_id,
        date_from=date_from,
        date_to=date_to,
        action=action,
    )
    with app_context(request).transaction() as session:
        rows, total = queries.search_for(
            session,
            principal.actor,
            f,
            purpose,
            audit_context(request),
            limit=limit,
            offset=offset,
            details={"api": True, "action": action, "offset": offset},
        )
        return AuditPage(
            total=total,
            records=[
                AuditRecordOut(
                    seq=r.seq,
                    occurred_at=r.occurred_at,
                    action=r.action,
                    outcome=r.outcome,
                    actor=r.actor_label,
                    agency_code=r.agency_code,
                    object_type=r.object_type,
                    object_id=r.object_id,
                    purpose=r.purpose,
                    request_id=r.request_id,
                )
                for r in rows
            ],
        )


router.include_router(register.router)
router.include_router(children.router)
router.include_router(children.corrections)
router.include_router(care.children)
router.include_router(care.episodes)
router.include_router(care.lists)
router.include_router(hub.router)
router.include_router(support.router)
router.include_router(alerts.router)
