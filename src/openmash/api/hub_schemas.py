"""Request and response bodies of the gate check and network API (kept apart from the database models)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from openmash.api.children_schemas import BadgeOut


class GateCheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    registration: str = Field(max_length=40, description="The car's registration mark, any spacing or case")
    child_id: uuid.UUID | None = Field(
        default=None, description="The child the car is collecting: one your agency already records about"
    )
    mash_agency_id: uuid.UUID | None = Field(
        default=None, description="The MASH that receives any alert (a MASH's own by default)"
    )
    vehicle_description: str = Field(default="", max_length=300)
    note: str = Field(default="", max_length=5000)


class AuthorityOut(BaseModel):
    code: str
    name: str


class GateAnswerOut(BaseModel):
    """All a gate check answers: never the driver, a licence number or anything the register holds."""

    sighting_id: uuid.UUID
    registration: str
    checked_at: datetime
    licensed: bool
    vehicle_kinds: list[str] = Field(description="hackney_carriage, private_hire")
    authorities: list[AuthorityOut]
    child_id: uuid.UUID | None
    arranged: str = Field(
        description="arranged, operator_unconfirmed, not_arranged, not_recorded or no_child"
    )
    arranged_label: str
    arranged_with: list[str] = Field(description="What carers arranged: marks and operators, never a driver")
    advice: str


class NetworkChildOut(BaseModel):
    child_id: uuid.UUID
    surname: str
    forenames: str
    date_of_birth: date | None
    badges: list[BadgeOut]


class LinkOut(BaseModel):
    child_id: uuid.UUID
    source_kind: str = Field(description="concern, concern_mention, missing_return or gate_sighting")
    source_id: uuid.UUID
    agency: str
    occurred_at: datetime
    grade: str = Field(description="confirmed, tentative or unconfirmed")
    as_written: str


class EntityOut(BaseModel):
    kind: str = Field(description="vehicle, driver, adult, phone, address or postcode")
    key: str
    label: str
    children: list[NetworkChildOut]
    links: list[LinkOut]


class LicenceOut(BaseModel):
    authority_code: str
    authority_name: str
    licence_type: str
    authority_licence_ref: str
    status: str
    from_date: date
    to_date: date | None
    current: bool


class DriverOut(BaseModel):
    person_id: uuid.UUID
    name: str
    date_of_birth: date
    licences: list[LicenceOut]
    safeguarding: list[str] = Field(description="What the register holds for safeguarding, by kind")


class VehicleNetworkOut(BaseModel):
    vehicle: EntityOut
    drivers: list[DriverOut]


class MentionOut(BaseModel):
    id: uuid.UUID
    kind: str = Field(description="adult, phone or address")
    value: str = Field(description="As written (trimmed)")
    recorded_by: str
    recorded_at: datetime


class ConcernMentionsOut(BaseModel):
    concern_id: uuid.UUID
    child_id: uuid.UUID
    current: bool = Field(description="The latest version: a corrected concern's mentions no longer link")
    may_add: bool = Field(description="Whether you may add to them (the recording agency, latest version)")
    mentions: list[MentionOut]
