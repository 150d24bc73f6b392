"""API v1 for the gate check and link analysis: a school's or home's system checks a car at the gate (the
answer never names the driver; the MASH's alert rules run on the sighting in the same transaction), and the
MASH's or police's systems read a child's or a vehicle's network, with the purpose as the ``purpose`` query
parameter as elsewhere in this API (422 ``purpose_required`` without one). Thin over safeguarding.gate and
network.service, which authorise and audit.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from openmash import alerts
from openmash.api.children_schemas import BadgeOut
from openmash.api.hub_schemas import (
    AuthorityOut,
    DriverOut,
    EntityOut,
    GateAnswerOut,
    GateCheckIn,
    LicenceOut,
    LinkOut,
    NetworkChildOut,
    VehicleNetworkOut,
)
from openmash.api.schemas import ErrorBody
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.network import service as network
from openmash.safeguarding import gate
from openmash.safeguarding.gate import GateCheckInput

router = APIRouter(tags=["gate checks and network"])
Purpose = Annotated[
    str, Query(max_length=300, description="Why you need these links; recorded with the read in the audit")
]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody, "description": "No such child"}}


@router.post(
    "/gate-checks",
    response_model=GateAnswerOut,
    status_code=201,
    summary="Check a car collecting a child: licensed or not, by whom, arranged by carers or not",
)
def check_vehicle(
    request: Request,
    body: GateCheckIn,
    principal: Annotated[Principal, Depends(require(Permission.GATE_CHECK))],
) -> GateAnswerOut:
    data = GateCheckInput(
        registration=body.registration,
        child_id=body.child_id,
        mash_agency_id=body.mash_agency_id,
        vehicle_description=body.vehicle_description,
        note=body.note,
    )
    with app_context(request).transaction() as session:
        answer = gate.check_vehicle(session, principal, data, audit_context(request))
        alerts.evaluate_sighting(session, answer.sighting_id, answer.checked_at)
    return GateAnswerOut(
        sighting_id=answer.sighting_id,
        registration=answer.registration,
        checked_at=answer.checked_at,
        licensed=answer.licensed,
        vehicle_kinds=list(answer.vehicle_kinds),
        authorities=[AuthorityOut(code=a.code, name=a.name) for a in answer.authorities],
        child_id=answer.child_id,
        arranged=str(answer.arranged),
        arranged_label=answer.arranged_label,
        arranged_with=list(answer.arranged_with),
        advice=answer.advice,
    )


def _entity(view: network.EntityView) -> EntityOut:
    return EntityOut(
        kind=view.entity.kind,
        key=view.entity.key,
        label=view.label,
        children=[
            NetworkChildOut(
                child_id=c.child_id,
                surname=c.surname,
                forenames=c.forenames,
                date_of_birth=c.date_of_birth,
                badges=[BadgeOut(code=b.code, label=b.label) for b in c.badges],
            )
            for c in view.children
        ],
        links=[
            LinkOut(
                child_id=link.child_id,
                source_kind=link.source_kind,
                source_id=link.source_id,
                agency=link.agency_name,
                occurred_at=link.occurred_at,
                grade=link.grade,
                as_written=link.as_written,
            )
            for link in view.links
        ],
    )


@router.get(
    "/network/children/{child_id}",
    response_model=list[EntityOut],
    responses=NOT_FOUND,
    summary="Everything a child's records link them to, each with every child linked to it (purpose needed)",
)
def child_network(
    request: Request,
    child_id: uuid.UUID,
    principal: Annotated[Principal, Depends(require(Permission.NETWORK_READ))],
    purpose: Purpose = "",
) -> list[EntityOut]:
    with app_context(request).transaction() as session:
        views = network.child_network(
            session, principal, child_id, purpose=purpose, context=audit_context(request)
        )
    return [_entity(v) for v in views]


@router.get(
    "/network/vehicles/{registration}",
    response_model=VehicleNetworkOut,
    summary="The children linked to a vehicle and the licensed drivers behind it (purpose needed)",
)
def vehicle_network(
    request: Request,
    registration: Annotated[str, Path(max_length=40)],
    principal: Annotated[Principal, Depends(require(Permission.NETWORK_READ))],
    purpose: Purpose = "",
) -> VehicleNetworkOut:
    entity = network.parse_entity(f"vehicle:{registration}")
    with app_context(request).transaction() as session:
        view = network.children_linked_to(
            session, principal, entity, purpose=purpose, context=audit_context(request)
        )
        drivers = network.drivers_behind(
            session, principal, entity.key, purpose=purpose, context=audit_context(request)
        )
    return VehicleNetworkOut(
        vehicle=_entity(view),
        drivers=[
            DriverOut(
                person_id=d.person_id,
                name=d.name,
                date_of_birth=d.date_of_birth,
                licences=[
                    LicenceOut(
                        authority_code=lic.authority_code,
                        authority_name=lic.authority_name,
                        licence_type=lic.licence_type,
                        authority_licence_ref=lic.authority_licence_ref,
                        status=lic.status,
                        from_date=lic.from_date,
                        to_date=lic.to_date,
                        current=lic.current,
                    )
                    for lic in d.licences
                ],
                safeguarding=d.safeguarding,
            )
            for d in drivers
        ],
    )
