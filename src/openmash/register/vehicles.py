"""Plate lookup: a registration mark seen outside a school or a children's home leads to the vehicle, its
licences and the drivers and operators it is licensed to, in seconds, and the lookup is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.errors import PurposeRequired, ValidationFailed
from openmash.identity.models import Agency
from openmash.identity.principal import Principal
from openmash.register.identifiers import normalise_registration
from openmash.register.models import Licence, LicenceEvent, Person, Vehicle, VehicleLicence


@dataclass(frozen=True)
class LicensedTo:
    """One licence the vehicle is (or was) tied to, with its holder and decisions."""

    authority_code: str
    authority_name: str
    authority_licence_ref: str
    licence_type: str
    status: str
    status_since: date
    person_id: str
    holder: str
    date_of_birth: date
    plate_number: str | None
    from_date: date
    to_date: date | None
    events: list[LicenceEvent]


@dataclass(frozen=True)
class PlateResult:
    searched: str
    vehicle: Vehicle | None
    licensed_to: list[LicensedTo]


def lookup_plate(
    session: Session, principal: Principal, registration: str, purpose: str | None, context: Context
) -> PlateResult:
    """Find a vehicle by its registration mark in any spacing or case. Needs a purpose; always audited."""
    mark = normalise_registration(registration)
    if mark is None:
        raise ValidationFailed({"registration": "Enter a registration mark of 2 to 8 letters and numbers"})
    stated = (purpose or "").strip()
    if not stated:
        raise PurposeRequired("Give the purpose of this lookup, for example an incident or case reference")
    vehicle = session.scalars(select(Vehicle).where(Vehicle.registration == mark)).first()
    found: list[LicensedTo] = []
    if vehicle is not None:
        rows = session.execute(
            select(VehicleLicence, Licence, Person, Agency)
            .join(Licence, VehicleLicence.licence_id == Licence.id)
            .join(Person, Licence.person_id == Person.id)
            .join(Agency, Licence.authority_id == Agency.id)
            .where(VehicleLicence.vehicle_id == vehicle.id)
            .order_by(VehicleLicence.from_date.desc())
        ).all()
        for link, licence, person, authority in rows:
            found.append(
                LicensedTo(
                    authority_code=authority.code,
                    authority_name=authority.name,
                    authority_licence_ref=licence.authority_licence_ref,
                    licence_type=licence.licence_type,
                    status=licence.status,
                    status_since=licence.status_since,
                    person_id=str(person.id),
                    holder=f"{person.forenames} {person.surname}",
                    date_of_birth=person.date_of_birth,
                    plate_number=link.authority_plate_number,
                    from_date=link.from_date,
                    to_date=link.to_date,
                    events=list(licence.events),
                )
            )
    audit.record(
        session,
        "register.plate_lookup",
        principal.actor,
        object_type="vehicle",
        object_id=vehicle.id if vehicle else None,
        purpose=stated,
        context=context,
        details={"registration": mark, "found": vehicle is not None, "licences": len(found)},
    )
    return PlateResult(searched=mark, vehicle=vehicle, licensed_to=found)
