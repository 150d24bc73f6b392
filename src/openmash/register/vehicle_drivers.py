"""From a registration mark to the licences and drivers behind it, and what the register holds against those
drivers for safeguarding: no audit and no authorisation here, because every caller (the gate check, link
analysis, alerts) decides what its own user may be told and audits it.

- A vehicle is **currently licensed** on a day when one of its licence links covers the day and the licence
  it hangs on is granted and in force (status "licensed", not expired). A suspended licence is not in force.
- A driver is **flagged for safeguarding** by a driver concern marked safeguarding, or by a refusal,
  suspension or revocation (not superseded by a correction) for a safeguarding reason, on any of their
  licences or those of a record confirmed to be the same person.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.identity.models import Agency
from openmash.register import labels, matches
from openmash.register.decisions import SHARED_DECISIONS
from openmash.register.identifiers import normalise_registration
from openmash.register.licences import SAFEGUARDING_REASONS
from openmash.register.models import DriverConcern, Licence, LicenceEvent, Person, Vehicle, VehicleLicence

IN_FORCE = "licensed"
HACKNEY = "hackney_carriage"
PRIVATE_HIRE = "private_hire"
# What each licence type makes of the vehicles tied to it.
VEHICLE_KINDS: dict[str, tuple[str, ...]] = {
    "hackney_carriage_driver": (HACKNEY,),
    "private_hire_driver": (PRIVATE_HIRE,),
    "dual_driver": (HACKNEY, PRIVATE_HIRE),
    "private_hire_operator": (PRIVATE_HIRE,),
}
VEHICLE_KIND_LABELS = {HACKNEY: "taxi (hackney carriage)", PRIVATE_HIRE: "private hire vehicle"}


@dataclass(frozen=True)
class Licensing:
    """One licence the vehicle is (or was) tied to."""

    licence_id: uuid.UUID
    person_id: uuid.UUID
    licence_type: str
    authority_licence_ref: str
    authority_id: uuid.UUID
    authority_code: str
    authority_name: str
    status: str
    from_date: date
    to_date: date | None
    current: bool  # the link covers the day and the licence is in force

    @property
    def is_driver_licence(self) -> bool:
        return self.licence_type != "private_hire_operator"


@dataclass(frozen=True)
class VehicleLicensing:
    registration: str
    vehicle_id: uuid.UUID | None  # None when the register does not know the vehicle
    licensings: tuple[Licensing, ...]

    @property
    def current(self) -> tuple[Licensing, ...]:
        return tuple(link for link in self.licensings if link.current)

    @property
    def licensed(self) -> bool:
        return bool(self.current)

    @property
    def kinds(self) -> tuple[str, ...]:
        found: list[str] = []
        for link in self.current:
            found += [k for k in VEHICLE_KINDS.get(link.licence_type, ()) if k not in found]
        return tuple(found)

    @property
    def person_ids(self) -> tuple[uuid.UUID, ...]:
        """The drivers (and operators) the vehicle is or was tied to, current ones first."""
        ordered = sorted(self.licensings, key=lambda link: (not link.current, str(link.person_id)))
        return tuple(dict.fromkeys(link.person_id for link in ordered))


def _in_force(licence: Licence, on: date) -> bool:
    return licence.status == IN_FORCE and (licence.expires_on is None or licence.expires_on >= on)


def licensing_of(session: Session, registration: str, on: date) -> VehicleLicensing:
    """The register's licences for the vehicle with this mark (any spacing or case), on a day."""
    mark = normalise_registration(registration) or registration
    vehicle = session.scalars(select(Vehicle).where(Vehicle.registration == mark)).first()
    if vehicle is None:
        return VehicleLicensing(registration=mark, vehicle_id=None, licensings=())
    rows = session.execute(
        select(VehicleLicence, Licence, Agency)
        .join(Licence, VehicleLicence.licence_id == Licence.id)
        .join(Agency, Licence.authority_id == Agency.id)
        .where(VehicleLicence.vehicle_id == vehicle.id)
        .order_by(VehicleLicence.from_date.desc(), Licence.id)
    ).all()
    found = tuple(
        Licensing(
            licence_id=licence.id,
            person_id=licence.person_id,
            licence_type=licence.licence_type,
            authority_licence_ref=licence.authority_licence_ref,
            authority_id=authority.id,
            authority_code=authority.code,
            authority_name=authority.name,
            status=licence.status,
            from_date=link.from_date,
            to_date=link.to_date,
            current=link.from_date <= on
            and (link.to_date is None or link.to_date >= on)
            and _in_force(licence, on),
        )
        for link, licence, authority in rows
    )
    return VehicleLicensing(registration=mark, vehicle_id=vehicle.id, licensings=found)


def vehicle_kind_label(kind: str) -> str:
    return VEHICLE_KIND_LABELS.get(kind, kind.replace("_", " "))


@dataclass(frozen=True)
class SafeguardingFlag:
    """One thing the register holds against a driver for safeguarding: a driver concern or a decision."""

    person_id: uuid.UUID
    record_kind: str  # "driver_concern" or "licence_event"
    record_id: uuid.UUID
    description: str  # for the MASH and police only: what kind of record, never its text


def safeguarding_flags(session: Session, person_ids: Iterable[uuid.UUID]) -> list[SafeguardingFlag]:
    """Safeguarding concerns and safeguarding refusals, suspensions and revocations held against these
    people (or records confirmed to be the same person), reported against the person asked about."""
    flags: list[SafeguardingFlag] = []
    for person_id in dict.fromkeys(person_ids):
        people = {person_id} | matches.linked_people(session, person_id)
        for concern in session.scalars(
            select(DriverConcern)
            .where(DriverConcern.person_id.in_(people), DriverConcern.safeguarding.is_(True))
            .order_by(DriverConcern.recorded_at, DriverConcern.id)
        ):
            kind = labels.CONCERN_KINDS.get(concern.kind, concern.kind).lower()
            flags.append(
                SafeguardingFlag(person_id, "driver_concern", concern.id, f"Safeguarding concern ({kind})")
            )
        events = list(
            session.scalars(
                select(LicenceEvent)
                .join(Licence, LicenceEvent.licence_id == Licence.id)
                .where(Licence.person_id.in_(people))
                .order_by(LicenceEvent.event_date, LicenceEvent.recorded_at, LicenceEvent.id)
            )
        )
        superseded = {e.supersedes_id for e in events if e.supersedes_id is not None}
        for event in events:
            if (
                event.id not in superseded
                and event.kind in SHARED_DECISIONS
                and event.reason_category in SAFEGUARDING_REASONS
            ):
                noun = labels.DECISION_NOUNS.get(event.kind, event.kind)
                flags.append(
                    SafeguardingFlag(
                        person_id,
                        "licence_event",
                        event.id,
                        f"{noun.capitalize()} of a licence for {labels.reason(event.reason_category)}",
                    )
                )
    return flags


@dataclass(frozen=True)
class Driver:
    """A driver behind a vehicle, for those allowed to know (the MASH and police)."""

    person_id: uuid.UUID
    name: str
    date_of_birth: date
    licences: tuple[Licensing, ...]


def drivers(session: Session, licensing: VehicleLicensing) -> list[Driver]:
    """The people the vehicle is tied to, with their licences for it (current ones first)."""
    found = []
    for person_id in licensing.person_ids:
        person = session.get(Person, person_id)
        if person is None:
            continue
        found.append(
            Driver(
                person_id=person.id,
                name=f"{person.forenames} {person.surname}",
                date_of_birth=person.date_of_birth,
                licences=tuple(link for link in licensing.licensings if link.person_id == person_id),
            )
        )
    return found
