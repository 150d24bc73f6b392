"""API v1 for the gate check and link analysis: a school's or home's system checks a car at the gate (the
answer never names the driver; the MASH's alert rules run on the sighting in the same transaction), the
MASH's or police's systems read a child's or a vehicle's network, with the purpose as the ``purpose`` query
parameter as elsewhere in this API (422 ``purpose_required`` without one), and what a concern mentions is
read by whoever may see the concern and added by the agency that recorded it (the alert rules run on the
addition in the same transaction). Thin over safeguarding.gate, network.service and network.mentions, which
authorise and audit.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from openmash import alerts
from openmash.api.children import mentions_input
from openmash.api.children_schemas import BadgeOut, MentionsIn
from openmash.api.hub_schemas import (
    AuthorityOut,
    ConcernMentionsOut,
    DriverOut,
    EntityOut,
    GateAnswerOut,
    GateCheckIn,
    LicenceOut,
    LinkOut,
    MentionOut,
    NetworkChildOut,
    VehicleNetworkOut,
)
from openmash.api.schemas import ErrorBody
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.http.recorded import child_recorded
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.network import mentions
from openmash.network import service as network
from openmash.network.mentions import ConcernMentions
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


def _mentions(found: ConcernMentions) -> ConcernMentionsOut:
    return ConcernMentionsOut(
        concern_id=found.concern_id,
        child_id=found.child_id,
        current=found.current,
        may_add=found.may_add,
        mentions=[
            MentionOut(
                id=m.id, kind=m.kind, value=m.value, recorded_by=m.recorded_by, recorded_at=m.recorded_at
            )
            for m in found.mentions
        ],
    )


CONCERN_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such concern, or one you may not see"}
}


@router.get(
    "/concerns/{concern_id}/mentions",
    response_model=ConcernMentionsOut,
    responses=CONCERN_NOT_FOUND,
    summary="Who or what a concern mentions: adults, phone numbers, addresses (whoever may see the concern)",
)
def concern_mentions(
    request: Request,
    concern_id: uuid.UUID,
    principal: Annotated[Principal, Depends(require(Permission.CHRONOLOGY_READ))],
    purpose: Purpose = "",
) -> ConcernMentionsOut:
    with app_context(request).transaction() as session:
        found = mentions.concern_mentions(
            session, principal, concern_id, purpose=purpose, context=audit_context(request)
        )
    return _mentions(found)


@router.post(
    "/concerns/{concern_id}/mentions",
    response_model=ConcernMentionsOut,
    status_code=201,
    responses={
        **CONCERN_NOT_FOUND,
        409: {"model": ErrorBody, "description": "The concern was corrected: add to the latest version"},
    },
    summary="Add to what a concern your agency recorded mentions (never changed: correct the concern)",
)
def add_mentions(
    request: Request,
    concern_id: uuid.UUID,
    body: MentionsIn,
    principal: Annotated[Principal, Depends(require(Permission.CONCERNS_RECORD))],
) -> ConcernMentionsOut:
    with app_context(request).transaction() as session:
        made = mentions.record_mentions(
            session, principal, concern_id, mentions_input(body), audit_context(request)
        )
        found = mentions.own_concern_mentions(session, principal, concern_id)
        if made:
            child_recorded(session, found.child_id, made[0].recorded_at)
    return _mentions(found)
