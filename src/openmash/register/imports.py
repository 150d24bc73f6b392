"""Importing an authority's licence records file: every row checked first, then all written in one
transaction or none. Re-importing the same file changes nothing.

An import works everything out in memory first: what the register holds for the file's licences and vehicles
is read in a few queries (`bulk`), the rows are applied in date order with the rules every decision obeys
(`licences.check_decision`, `dedupe_key`, `status_of`), and only then are new rows written with bulk inserts
and changed ones with bulk updates, in the caller's transaction.

Matching a new holder to people already on the register (proposals a person confirms) comes with the matching
engine; until then every new licence reference brings its own person record.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Actor, Context
from openmash.db.base import utcnow
from openmash.db.session import roomy_cache
from openmash.errors import ValidationFailed
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType
from openmash.register import bulk, licences, matches
from openmash.register.bulk import HeldEvent, HeldLicence, HeldPerson, HeldVehicle
from openmash.register.licence_csv import LicenceRow, Problem
from openmash.register.models import (
    Licence,
    LicenceEvent,
    Person,
    PersonAddress,
    PersonName,
    Vehicle,
    VehicleLicence,
)

PREPARE_SHARE = 0.3  # the part of the progress bar for working the changes out; the rest is writing them


@dataclass
class ImportSummary:
    rows: int = 0
    events_added: int = 0
    events_already_recorded: int = 0
    licences_created: int = 0
    people_created: int = 0
    vehicles_created: int = 0
    matches_proposed: int = 0
    problems: list[Problem] = field(default_factory=list)


class ImportRefused(ValidationFailed):
    """The file disagrees with what the register holds; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__({str(p.line): p.message for p in problems}, "The file disagrees with the register")
        self.problems = problems


def _same_holder(person: HeldPerson, row: LicenceRow) -> bool:
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


class _Clock:
    """Strictly increasing recording times, so that events on one day keep the order they were applied in
    (`status_of` breaks a tie in date by the time recorded)."""

    def __init__(self) -> None:
        self.last = datetime.min.replace(tzinfo=UTC)

    def __call__(self) -> datetime:
        now = utcnow()
        self.last = now if now > self.last else self.last + timedelta(microseconds=1)
        return self.last


class _Progress:
    """Tells the caller's progress bar how many rows are done: working the changes out is the first
    PREPARE_SHARE of the way, writing them the rest."""

    def __init__(self, report: Callable[[int], None] | None, rows: int) -> None:
        self.report, self.rows, self.shown = report, rows, 0
        self.to_write, self.written = 1, 0

    def at(self, fraction: float) -> None:
        target = int(self.rows * min(fraction, 1.0))
        if self.report is not None and target > self.shown:
            self.report(target - self.shown)
            self.shown = target

    def wrote(self, count: int) -> None:
        self.written += count
        self.at(PREPARE_SHARE + (1 - PREPARE_SHARE) * self.written / self.to_write)


class _Importer:
    def __init__(self, session: Session, authority: Agency, actor: Actor, rows: list[LicenceRow]) -> None:
        self.session = session
        self.authority = authority
        self.actor = actor
        self.summary = ImportSummary()
        self.clock = _Clock()
        self.licences: dict[str, HeldLicence] = bulk.load_licences(
            session, authority.id, (r.authority_licence_ref for r in rows)
        )
        self.people: dict[uuid.UUID, HeldPerson] = {
            lic.person.id: lic.person for lic in self.licences.values()
        }
        self.vehicles: dict[str, HeldVehicle] = {}
        self.links: set[tuple[uuid.UUID, uuid.UUID]] = set()
        self.names: list[dict[str, Any]] = []
        self.addresses: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.new_links: list[dict[str, Any]] = []

    def preload_vehicles(self, rows: list[LicenceRow]) -> None:
        """Every vehicle the file names, and their links, in a few queries rather than one per row."""
        self.vehicles, self.links = bulk.load_vehicles(
            self.session, (r.vehicle_registration for r in rows if r.vehicle_registration)
        )

    def conflicts(self, rows: list[LicenceRow]) -> list[Problem]:
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

    def licence_for(self, row: LicenceRow) -> HeldLicence:
        licence = self.licences.get(row.authority_licence_ref)
        if licence is not None:
            return licence
        assert row.date_of_birth is not None
        assert row.licence_type is not None
        assert row.event_date is not None
        person = HeldPerson(
            uuid.uuid4(),
            row.surname,
            row.forenames,
            row.date_of_birth,
            row.sex,
            row.driving_licence_number,
            row.ni_number,
            row.phone,
            new=True,
        )
        self.people[person.id] = person
        for surname, forenames in dict.fromkeys(_split_name(n) for n in row.previous_names if n.strip()):
            self.names.append(
                {"person_id": person.id, "kind": "previous", "surname": surname, "forenames": forenames}
            )
        licence = HeldLicence(
            uuid.uuid4(),
            row.authority_licence_ref,
            row.licence_type.value,
            person,
            "applied",
            row.event_date,
            None,
            new=True,
        )
        self.licences[licence.ref] = licence
        self.summary.people_created += 1
        self.summary.licences_created += 1
        return licence

    def fill_identity(self, person: HeldPerson, row: LicenceRow) -> None:
        """Identifiers the register lacks are taken from the file; differing ones are left for a person to
        resolve (they are a signal, not something to overwrite)."""
        person.driving_licence_number = person.driving_licence_number or row.driving_licence_number
        person.ni_number = person.ni_number or row.ni_number
        person.sex = person.sex or row.sex
        person.phone = person.phone or row.phone
        if (row.postcode or row.address) and (row.postcode, row.address) not in person.addresses:
            person.addresses.add((row.postcode, row.address))
            self.addresses.append(
                {
                    "person_id": person.id,
                    "postcode": row.postcode,
                    "address": row.address,
                    "first_seen_on": row.event_date,
                    "recorded_by_agency_id": self.authority.id,
                }
            )

    def vehicle(self, row: LicenceRow, licence: HeldLicence, day: date) -> None:
        mark = row.vehicle_registration
        if not mark:
            return
        vehicle = self.vehicles.get(mark)
        if vehicle is None:
            vehicle = self.vehicles[mark] = HeldVehicle(uuid.uuid4(), mark, None, None, None, new=True)
            self.summary.vehicles_created += 1
        vehicle.make = vehicle.make or row.vehicle_make
        vehicle.model = vehicle.model or row.vehicle_model
        vehicle.colour = vehicle.colour or row.vehicle_colour
        key = (vehicle.id, licence.id)
        if key in self.links:
            return
        self.links.add(key)
        self.new_links.append(
            {
                "vehicle_id": vehicle.id,
                "licence_id": licence.id,
                "authority_plate_number": row.authority_plate_number,
                "from_date": day,
                "to_date": None,
            }
        )

    def add(self, row: LicenceRow) -> None:
        """One row, as `licences.record_event` would record it: the same decision twice is kept once."""
        assert row.event is not None
        assert row.event_date is not None
        kind, reason = row.event.value, row.reason_category.value if row.reason_category else None
        licence = self.licence_for(row)
        self.fill_identity(licence.person, row)
        licences.check_decision(kind, reason)
        if licences.dedupe_key(kind, row.event_date, reason) in licence.keys:
            self.summary.events_already_recorded += 1
        else:
            event = licences.event_values(
                licence.id,
                kind=kind,
                event_date=row.event_date,
                reason_category=reason,
                recorded_by=self.actor.label,
                source="import",
                note=row.note,
                supersedes_id=None,
                recorded_at=self.clock(),
            )
            self.events.append(event)
            licence.keys.add(event["dedupe_key"])
            licence.events.append(HeldEvent(event["id"], kind, row.event_date, event["recorded_at"], None))
            licence.added = True
            self.summary.events_added += 1
        if row.licence_expiry_date:
            licence.expires_on = row.licence_expiry_date
        self.vehicle(row, licence, row.event_date)
        self.summary.rows += 1

    def changes(self) -> bulk.Changes:
        """Every licence given a new event takes the status its events now give it; then what is new, and
        what differs from what the register held."""
        for licence in self.licences.values():
            if licence.added and (current := licences.status_of(licence.events)) is not None:
                licence.status, licence.status_since = current
        people, vehicles, held = self.people.values(), self.vehicles.values(), self.licences.values()
        return bulk.Changes(
            inserts=[
                (Person, [_new_person(p) for p in people if p.new]),
                (PersonName, self.names),
                (PersonAddress, self.addresses),
                (Licence, [self._new_licence(lic) for lic in held if lic.new]),
                (LicenceEvent, self.events),
                (Vehicle, [v.values() | {"registration": v.registration} for v in vehicles if v.new]),
                (VehicleLicence, self.new_links),
            ],
            updates=[
                (Person, [p.values() for p in people if not p.new and p.identifiers() != p.held]),
                (Vehicle, [v.values() for v in vehicles if not v.new and v.details() != v.held]),
                (Licence, [lic.values() for lic in held if not lic.new and lic.state() != lic.held]),
            ],
        )

    def _new_licence(self, licence: HeldLicence) -> dict[str, Any]:
        return licence.values() | {
            "authority_id": self.authority.id,
            "authority_licence_ref": licence.ref,
            "licence_type": licence.licence_type,
            "person_id": licence.person.id,
        }

    def held_ids(self) -> set[uuid.UUID]:
        """The register's rows this import may have changed or added to."""
        ids = {lic.id for lic in self.licences.values() if not lic.new}
        ids |= {p.id for p in self.people.values() if not p.new}
        return ids | {v.id for v in self.vehicles.values() if not v.new}


def _new_person(person: HeldPerson) -> dict[str, Any]:
    return person.values() | {
        "surname": person.surname,
        "forenames": person.forenames,
        "date_of_birth": person.date_of_birth,
    }


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
    with roomy_cache(session):
        importer = _Importer(session, authority, actor, rows)
        problems = importer.conflicts(rows)
        if problems:
            raise ImportRefused(problems)
        importer.preload_vehicles(rows)
        bar = _Progress(progress, len(rows))
        for i, row in enumerate(sorted(rows, key=lambda r: (r.event_date or date.min, r.line)), start=1):
            importer.add(row)
            if i % 500 == 0:
                bar.at(PREPARE_SHARE * i / len(rows))
        changes = importer.changes()
        bar.to_write = changes.size() or 1
        bulk.write(session, changes, utcnow(), bar.wrote)
    bulk.expire(session, importer.held_ids())
    summary = importer.summary
    summary.matches_proposed = matches.index_and_propose(
        session,
        authority.id,
        touched=importer.people.keys(),
        new=[p.id for p in importer.people.values() if p.new],
    )
    bar.at(1.0)
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
            "matches_proposed": summary.matches_proposed,
        },
    )
    return summary
