"""What an import needs of the register, read in a few queries, and its changes written in bulk.

The import (`imports`) works in memory on these plain records rather than ORM objects: a row then costs
microseconds, not a unit-of-work flush. New rows go in with bulk inserts (parents first, so foreign keys hold
on SQLite too) and changed ones with bulk updates by id. Decision events are only ever inserted: the database
refuses to update them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar, cast

import psycopg
from sqlalchemy import Dialect, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from openmash.db.base import Entity
from openmash.register.models import (
    Licence,
    LicenceEvent,
    Person,
    PersonAddress,
    Vehicle,
    VehicleLicence,
)

CHUNK = 900  # values in one IN list (under SQLite's oldest limit of 999), rows in one bulk update
INSERT_CHUNK = 5000  # rows in one bulk insert
PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}
_T = TypeVar("_T")
Values = dict[str, Any]


class HeldEvent(NamedTuple):
    """What `licences.status_of` reads of an event, stored or about to be written."""

    id: uuid.UUID
    kind: str
    event_date: date
    recorded_at: datetime
    supersedes_id: uuid.UUID | None


@dataclass(slots=True)
class HeldPerson:
    id: uuid.UUID
    surname: str
    forenames: str
    date_of_birth: date
    sex: str | None
    driving_licence_number: str | None
    ni_number: str | None
    phone: str | None
    new: bool
    addresses: set[tuple[str | None, str | None]] = field(default_factory=set)
    held: tuple[str | None, ...] = ()  # the identifiers as the register holds them, to see what changed

    def identifiers(self) -> tuple[str | None, ...]:
        return (self.sex, self.driving_licence_number, self.ni_number, self.phone)

    def values(self) -> Values:
        return {
            "id": self.id,
            "sex": self.sex,
            "driving_licence_number": self.driving_licence_number,
            "ni_number": self.ni_number,
            "phone": self.phone,
        }


@dataclass(slots=True)
class HeldLicence:
    id: uuid.UUID
    ref: str
    licence_type: str
    person: HeldPerson
    status: str
    status_since: date
    expires_on: date | None
    new: bool
    events: list[HeldEvent] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)  # dedupe keys of every event, superseded or not
    added: bool = False  # has a new event, so its status is worked out again
    held: tuple[object, ...] = ()

    def state(self) -> tuple[object, ...]:
        return (self.status, self.status_since, self.expires_on)

    def values(self) -> Values:
        return {
            "id": self.id,
            "status": self.status,
            "status_since": self.status_since,
            "expires_on": self.expires_on,
        }


@dataclass(slots=True)
class HeldVehicle:
    id: uuid.UUID
    registration: str
    make: str | None
    model: str | None
    colour: str | None
    new: bool
    held: tuple[str | None, ...] = ()

    def details(self) -> tuple[str | None, ...]:
        return (self.make, self.model, self.colour)

    def values(self) -> Values:
        return {"id": self.id, "make": self.make, "model": self.model, "colour": self.colour}


def chunks(items: Sequence[_T], size: int = CHUNK) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_licences(session: Session, authority_id: uuid.UUID, refs: Iterable[str]) -> dict[str, HeldLicence]:
    """The authority's licences with these references, with their holders, events and addresses."""
    found: dict[str, HeldLicence] = {}
    people: dict[uuid.UUID, HeldPerson] = {}
    columns = [
        *(getattr(Licence, c) for c in ("id", "authority_licence_ref", "licence_type", "status")),
        *(getattr(Licence, c) for c in ("status_since", "expires_on")),
        *(getattr(Person, c) for c in ("id", "surname", "forenames", "date_of_birth", "sex")),
        *(getattr(Person, c) for c in ("driving_licence_number", "ni_number", "phone")),
    ]
    for chunk in chunks(sorted(set(refs))):
        query = (
            select(*columns)
            .join(Person, Person.id == Licence.person_id)
            .where(Licence.authority_id == authority_id, Licence.authority_licence_ref.in_(chunk))
        )
        for licence_id, ref, kind, status, since, expires, person_id, *who in session.execute(query):
            person = people.get(person_id)
            if person is None:
                surname, forenames, born, sex, dln, ni, phone = who
                person = HeldPerson(person_id, surname, forenames, born, sex, dln, ni, phone, new=False)
                people[person_id] = person
                person.held = person.identifiers()
            licence = found[ref] = HeldLicence(
                licence_id, ref, kind, person, status, since, expires, new=False
            )
            licence.held = licence.state()
    by_id = {licence.id: licence for licence in found.values()}
    e = LicenceEvent
    for ids in chunks(list(by_id)):
        events = session.execute(
            select(e.licence_id, e.id, e.kind, e.event_date, e.recorded_at, e.supersedes_id, e.dedupe_key)
            .where(e.licence_id.in_(ids))
            .order_by(e.event_date, e.recorded_at)  # the order of Licence.events
        )
        for licence_id, event_id, kind, day, recorded_at, supersedes_id, key in events:
            by_id[licence_id].events.append(HeldEvent(event_id, kind, day, recorded_at, supersedes_id))
            by_id[licence_id].keys.add(key)
    a = PersonAddress
    for ids in chunks(list(people)):
        for person_id, postcode, address in session.execute(
            select(a.person_id, a.postcode, a.address).where(a.person_id.in_(ids))
        ):
            people[person_id].addresses.add((postcode, address))
    return found


def load_vehicles(
    session: Session, marks: Iterable[str]
) -> tuple[dict[str, HeldVehicle], set[tuple[uuid.UUID, uuid.UUID]]]:
    """The vehicles with these registration marks, and the (vehicle, licence) links they have."""
    vehicles: dict[str, HeldVehicle] = {}
    v = Vehicle
    for chunk in chunks(sorted(set(marks))):
        query = select(v.id, v.registration, v.make, v.model, v.colour).where(v.registration.in_(chunk))
        for vehicle_id, mark, make, model, colour in session.execute(query):
            vehicle = vehicles[mark] = HeldVehicle(vehicle_id, mark, make, model, colour, new=False)
            vehicle.held = vehicle.details()
    links: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for ids in chunks([vehicle.id for vehicle in vehicles.values()]):
        linked = select(VehicleLicence.vehicle_id, VehicleLicence.licence_id).where(
            VehicleLicence.vehicle_id.in_(ids)
        )
        links.update((vehicle_id, licence_id) for vehicle_id, licence_id in session.execute(linked))
    return vehicles, links


@dataclass
class Changes:
    """Rows to insert per table, in an order that keeps foreign keys, and rows to update by id."""

    inserts: list[tuple[type[Entity], list[Values]]] = field(default_factory=list)
    updates: list[tuple[type[Entity], list[Values]]] = field(default_factory=list)

    def size(self) -> int:
        return sum(len(rows) for _, rows in self.inserts + self.updates)


def write(session: Session, changes: Changes, now: datetime, done: Callable[[int], None]) -> None:
    """Insert, then update, in chunks; ``done`` hears how many rows each chunk wrote."""
    session.flush()  # anything the caller has pending goes first
    for model, rows in changes.inserts:
        for chunk in chunks(rows, INSERT_CHUNK):
            _insert(session, _table(model), chunk, now)
            done(len(chunk))
    for model, rows in changes.updates:
        if not rows:
            continue
        table = _table(model)
        columns = [*(c for c in rows[0] if c != "id"), "updated_at"]
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({c: bindparam(f"b_{c}") for c in columns})
        )
        for chunk in chunks(rows):
            session.execute(
                statement, [{f"b_{k}": v for k, v in (row | {"updated_at": now}).items()} for row in chunk]
            )
            done(len(chunk))


def _insert(session: Session, table: Table, rows: Sequence[Values], now: datetime) -> None:
    """Rows with the same keys into one table, in the caller's transaction.

    The values are converted once by each column's own type (as SQLAlchemy would: UUIDs as hex on SQLite,
    UTC timestamps) and handed to the driver as they are: COPY on PostgreSQL, executemany elsewhere. This
    skips SQLAlchemy's per-row statement machinery, which costs more than the database's own work."""
    connection = session.connection()
    dialect = connection.dialect
    keys = list(rows[0])
    with_id = "id" in keys
    columns = [*keys, *([] if with_id else ["id"]), "created_at", "updated_at"]
    convert = [(key, _processor(table, key, dialect)) for key in keys]
    id_processor = _processor(table, "id", dialect)
    stamp = _processor(table, "created_at", dialect)
    stamps = (stamp(now), stamp(now)) if stamp else (now, now)

    def values(row: Values) -> tuple[Any, ...]:
        out = [row[key] if process is None else process(row[key]) for key, process in convert]
        if not with_id:
            new_id = uuid.uuid4()
            out.append(id_processor(new_id) if id_processor else new_id)
        return (*out, *stamps)

    quote = dialect.identifier_preparer.quote
    into = f"{dialect.identifier_preparer.format_table(table)} ({', '.join(quote(c) for c in columns)})"
    driver = connection.connection.driver_connection
    if isinstance(driver, psycopg.Connection):
        with driver.cursor() as cursor:
            cursor.execute(
                "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
                (table.name,),
            )
            types = dict(cursor.fetchall())
            with cursor.copy(f"COPY {into} FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types([types[column] for column in columns])
                for row in rows:
                    copy.write_row(values(row))
    elif dialect.paramstyle in PLACEHOLDERS:
        marks = ", ".join([PLACEHOLDERS[dialect.paramstyle]] * len(columns))
        dbapi_cursor = connection.connection.cursor()
        try:
            # Table and column names come from the model, quoted by the dialect; values are parameters.
            statement = f"INSERT INTO {into} VALUES ({marks})"  # noqa: S608
            dbapi_cursor.executemany(statement, [values(row) for row in rows])
        finally:
            dbapi_cursor.close()
    else:
        session.execute(
            insert(table), [{"id": uuid.uuid4(), **row, "created_at": now, "updated_at": now} for row in rows]
        )


def _processor(table: Table, column: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    column_type = table.c[column].type
    return column_type.dialect_impl(dialect).bind_processor(dialect)


def expire(session: Session, ids: set[uuid.UUID]) -> None:
    """Objects the caller's session holds for rows written here are read again when next used."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Licence | Person | Vehicle) and obj.id in ids:
            session.expire(obj)


def _table(model: type[Entity]) -> Table:
    return cast(Table, model.__table__)
