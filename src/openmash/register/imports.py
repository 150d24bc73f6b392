"""Importing an authority's licence records file: every row checked first, then all written in one
transaction or none. Re-importing the same file changes nothing.

Matching a new holder to people already on the register (proposals a person confirms) comes with the matching
engine; until then every new licence reference brings its own person record.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from openmash.audit import service as audit
from openmash.audit.service import Actor, Context
from openmash.errors import ValidationFailed
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType
from openmash.register import licences
from openmash.register.licence_csv import LicenceRow, Problem
from openmash.register.models import Licence, Person, PersonAddress, PersonName, Vehicle, VehicleLicence


@dataclass
class ImportSummary:
    rows: int = 0
    events_added: int = 0
    events_already_recorded: int = 0
    licences_created: int = 0
    people_created: int = 0
    vehicles_created: int = 0
    problems: list[Problem] = field(default_factory=list)


class ImportRefused(ValidationFailed):
    """The file disagrees with what the register holds; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__({str(p.line): p.message for p in problems}, "The file disagrees with the register")
        self.problems = problems


def _same_holder(person: Person, row: LicenceRow) -> bool:
    def fold(text: str) -> str:
        return " ".join(text.lower().split())

    return (
        fold(person.surname) == fold(row.surname)
        and fold(person.forenames) == fold(row.forenames)
        and person.date_of_birth == row.date_of_birth
    )


def _split_name(full: str) -> tuple[str, str]:
    parts = full.split()
    return (parts[-1], " ".join(parts[:-1])) if len(parts) > 1 else (full.strip(), "")


class _Importer:
    def __init__(self, session: Session, authority: Agency, actor: Actor) -> None:
        self.session = session
        self.authority = authority
        self.actor = actor
        self.summary = ImportSummary()
        self.licences = {
            lic.authority_licence_ref: lic
            for lic in session.scalars(
                select(Licence)
                .where(Licence.authority_id == authority.id)
                .options(
                    selectinload(Licence.events), selectinload(Licence.person).selectinload(Person.addresses)
                )
            )
        }
        self.vehicles: dict[str, Vehicle] = {}
        self.links: set[tuple[uuid.UUID, uuid.UUID]] = set()

    def preload_vehicles(self, rows: Iterable[LicenceRow]) -> None:
        """Every vehicle the file names, and their links, in a few queries rather than one per row."""
        marks = sorted({r.vehicle_registration for r in rows if r.vehicle_registration})
        for start in range(0, len(marks), 500):
            chunk = marks[start : start + 500]
            for vehicle in self.session.scalars(select(Vehicle).where(Vehicle.registration.in_(chunk))):
                self.vehicles[vehicle.registration] = vehicle
        ids = [v.id for v in self.vehicles.values()]
        for start in range(0, len(ids), 500):
            links = self.session.execute(
                select(VehicleLicence.vehicle_id, VehicleLicence.licence_id).where(
                    VehicleLicence.vehicle_id.in_(ids[start : start + 500])
                )
            )
            self.links.update((v, lic) for v, lic in links)

    def conflicts(self, rows: Iterable[LicenceRow]) -> list[Problem]:
        """Rows naming a different holder from the one the register has for that licence."""
        problems = []
        for row in rows:
            licence = self.licences.get(row.authority_licence_ref)
            if licence is not None and not _same_holder(licence.person, row):
                problems.append(
                    Problem(
                        row.line,
                        "surname",
                        "this licence is held on the register by a different person "
                        "(name or date of birth differ); correct the file or the register first",
                    )
                )
        return problems

    def licence_for(self, row: LicenceRow) -> Licence:
        licence = self.licences.get(row.authority_licence_ref)
        if licence is not None:
            return licence
        assert row.date_of_birth is not None
        assert row.licence_type is not None
        assert row.event_date is not None
        person = Person(
            id=uuid.uuid4(),
            surname=row.surname,
            forenames=row.forenames,
            date_of_birth=row.date_of_birth,
            sex=row.sex,
            driving_licence_number=row.driving_licence_number,
            ni_number=row.ni_number,
            phone=row.phone,
        )
        person.names = [
            PersonName(kind="previous", surname=s, forenames=f)
            for s, f in dict.fromkeys(_split_name(n) for n in row.previous_names if n.strip())
        ]
        person.addresses = []
        self.session.add(person)
        licence = Licence(
            id=uuid.uuid4(),
            authority_id=self.authority.id,
            authority_licence_ref=row.authority_licence_ref,
            licence_type=row.licence_type.value,
            person_id=person.id,
            person=person,
            status="applied",
            status_since=row.event_date,
        )
        licence.events = []
        self.session.add(licence)
        self.licences[row.authority_licence_ref] = licence
        self.summary.people_created += 1
        self.summary.licences_created += 1
        return licence

    def fill_identity(self, person: Person, row: LicenceRow) -> None:
        """Identifiers the register lacks are taken from the file; differing ones are left for a person to
        resolve (they are a signal, not something to overwrite)."""
        person.driving_licence_number = person.driving_licence_number or row.driving_licence_number
        person.ni_number = person.ni_number or row.ni_number
        person.sex = person.sex or row.sex
        person.phone = person.phone or row.phone
        if row.postcode or row.address:
            known = {(a.postcode, a.address) for a in person.addresses}
            if (row.postcode, row.address) not in known:
                assert row.event_date is not None
                person.addresses.append(
                    PersonAddress(
                        postcode=row.postcode,
                        address=row.address,
                        first_seen_on=row.event_date,
                        recorded_by_agency_id=self.authority.id,
                    )
                )

    def vehicle(self, row: LicenceRow, licence: Licence, day: date) -> None:
        mark = row.vehicle_registration
        if not mark:
            return
        vehicle = self.vehicles.get(mark)
        if vehicle is None:
            vehicle = Vehicle(id=uuid.uuid4(), registration=mark)
            self.session.add(vehicle)
            self.summary.vehicles_created += 1
        self.vehicles[mark] = vehicle
        vehicle.make = vehicle.make or row.vehicle_make
        vehicle.model = vehicle.model or row.vehicle_model
        vehicle.colour = vehicle.colour or row.vehicle_colour
        key = (vehicle.id, licence.id)
        if key in self.links:
            return
        self.links.add(key)
        self.session.add(
            VehicleLicence(
                vehicle_id=vehicle.id,
                licence_id=licence.id,
                authority_plate_number=row.authority_plate_number,
                from_date=day,
            )
        )

    def add(self, row: LicenceRow) -> None:
        assert row.event is not None
        assert row.event_date is not None
        licence = self.licence_for(row)
        self.fill_identity(licence.person, row)
        event = licences.record_event(
            self.session,
            licence,
            kind=row.event.value,
            event_date=row.event_date,
            reason_category=row.reason_category.value if row.reason_category else None,
            recorded_by=self.actor.label,
            source="import",
            note=row.note,
        )
        if event is None:
            self.summary.events_already_recorded += 1
        else:
            self.summary.events_added += 1
        if row.licence_expiry_date:
            licence.expires_on = row.licence_expiry_date
        self.vehicle(row, licence, row.event_date)
        self.summary.rows += 1


def import_licences(
    session: Session,
    authority: Agency,
    rows: list[LicenceRow],
    actor: Actor,
    context: Context,
    *,
    file_name: str = "",
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Write checked rows for one licensing authority, in the caller's transaction. Raises ImportRefused
    (writing nothing) if a row disagrees with the register."""
    if authority.type != AgencyType.LICENSING_AUTHORITY.value:
        raise ValidationFailed({"authority": "Only a licensing authority's records can be imported"})
    importer = _Importer(session, authority, actor)
    problems = importer.conflicts(rows)
    if problems:
        raise ImportRefused(problems)
    importer.preload_vehicles(rows)
    with session.no_autoflush:
        for i, row in enumerate(sorted(rows, key=lambda r: (r.event_date or date.min, r.line)), start=1):
            importer.add(row)
            if progress is not None and i % 500 == 0:
                progress(500)
    session.flush()
    summary = importer.summary
    audit.record(
        session,
        "register.import",
        actor,
        object_type="agency",
        object_id=authority.id,
        context=context,
        details={
            "file": file_name,
            "rows": summary.rows,
            "events_added": summary.events_added,
            "already_recorded": summary.events_already_recorded,
            "licences_created": summary.licences_created,
        },
    )
    return summary
