"""Links between children and the things their records mention, computed from the records themselves (no
copy to keep in step): a concern's vehicle, a return's vehicle, a gate sighting naming a child, and a
concern's mentions of an adult, a phone or an address. The driver behind a vehicle is found through the
register (the licence the vehicle was tied to on the day of the record).

Every link names the record that made it (kind and id), the agency that recorded it and whether it was
shared with police, so that the service can apply need-to-know (``network.service``) and an alert can say
exactly which records fired it. Only current versions of concerns count: a corrected concern's links are
those of its correction.

Grades (as police link analysis grades them): a gate sighting is **confirmed** (a professional read the mark
at the time); a concern's or a return's vehicle is **tentative** (as reported); a driver found through the
register and a mention of an adult, phone or address are **unconfirmed**.

Nothing here authorises or audits: ``network.service`` does, for people; ``openmash.alerts`` reads this as
the system.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, select, true
from sqlalchemy.orm import Session

from openmash.network.models import ConcernMention
from openmash.register.models import Licence, Vehicle, VehicleLicence
from openmash.register.workdays import UK
from openmash.safeguarding.models import Concern, ConcernCategory
from openmash.safeguarding.models_care import MissingReturn
from openmash.safeguarding.models_gate import GateSighting


class Kind(StrEnum):
    VEHICLE = "vehicle"
    DRIVER = "driver"
    ADULT = "adult"
    PHONE = "phone"
    ADDRESS = "address"
    POSTCODE = "postcode"


KIND_LABELS = {
    Kind.VEHICLE: "Vehicle",
    Kind.DRIVER: "Licensed driver",
    Kind.ADULT: "Adult",
    Kind.PHONE: "Phone number",
    Kind.ADDRESS: "Address",
    Kind.POSTCODE: "Postcode",
}
MENTION_KINDS = (Kind.ADULT, Kind.PHONE, Kind.ADDRESS)


class Source(StrEnum):
    CONCERN = "concern"
    MISSING_RETURN = "missing_return"
    GATE_SIGHTING = "gate_sighting"
    MENTION = "concern_mention"


class Grade(StrEnum):
    CONFIRMED = "confirmed"
    TENTATIVE = "tentative"
    UNCONFIRMED = "unconfirmed"


@dataclass(frozen=True, order=True)
class EntityRef:
    """A thing children may share, by kind and normalised key ("vehicle", "AB12CDE")."""

    kind: str
    key: str

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.key}"

    @classmethod
    def parse(cls, ref: str) -> EntityRef:
        kind, _, key = ref.partition(":")
        if kind not in {str(k) for k in Kind} or not key:
            raise ValueError(f"not an entity reference: {ref!r}")
        return cls(kind, key)


@dataclass(frozen=True)
class Link:
    entity: EntityRef
    child_id: uuid.UUID
    source_kind: str
    source_id: uuid.UUID
    agency_id: uuid.UUID
    shared_with_police: bool
    occurred_at: datetime
    grade: str
    label: str  # how the record wrote it: the mark, the name or number as typed
    # A concern in a restricted category (and its mentions) only for these roles; empty for everyone.
    restricted_roles: frozenset[str] = frozenset()


def _current_concerns() -> ColumnElement[bool]:
    corrected = select(Concern.corrects_id).where(Concern.corrects_id.is_not(None))
    return Concern.id.not_in(corrected)


def _concern_vehicles(where: ColumnElement[bool]) -> Select[Concern, ConcernCategory]:
    return (
        select(Concern, ConcernCategory)
        .join(ConcernCategory, Concern.category_id == ConcernCategory.id)
        .where(Concern.vehicle_registration.is_not(None), _current_concerns(), where)
    )


def _vehicle_links(
    session: Session,
    *,
    registrations: Iterable[str] | None = None,
    child_id: uuid.UUID | None = None,
) -> list[Link]:
    """Vehicle links from concerns, returns and sightings, for some marks or one child (or all)."""
    marks = sorted(set(registrations)) if registrations is not None else None
    found: list[Link] = []

    def where(reg: object, child: object) -> ColumnElement[bool]:
        clause: ColumnElement[bool] = true()
        if marks is not None:
            clause = clause & reg.in_(marks)  # type: ignore[attr-defined]
        if child_id is not None:
            clause = clause & (child == child_id)
        return clause

    for row in session.execute(_concern_vehicles(where(Concern.vehicle_registration, Concern.child_id))):
        concern, category = row[0], row[1]
        found.append(
            Link(
                EntityRef(Kind.VEHICLE, concern.vehicle_registration or ""),
                concern.child_id,
                Source.CONCERN,
                concern.id,
                concern.agency_id,
                concern.shared_with_police,
                concern.occurred_at,
                Grade.TENTATIVE,
                concern.vehicle_registration or "",
                category.restricted_roles,
            )
        )
    for back in session.scalars(
        select(MissingReturn).where(
            MissingReturn.vehicle_registration.is_not(None),
            where(MissingReturn.vehicle_registration, MissingReturn.child_id),
        )
    ):
        found.append(
            Link(
                EntityRef(Kind.VEHICLE, back.vehicle_registration or ""),
                back.child_id,
                Source.MISSING_RETURN,
                back.id,
                back.agency_id,
                back.shared_with_police,
                back.returned_at,
                Grade.TENTATIVE,
                back.vehicle_registration or "",
            )
        )
    for sighting in session.scalars(
        select(GateSighting).where(
            GateSighting.child_id.is_not(None),
            where(GateSighting.vehicle_registration, GateSighting.child_id),
        )
    ):
        assert sighting.child_id is not None
        found.append(
            Link(
                EntityRef(Kind.VEHICLE, sighting.vehicle_registration),
                sighting.child_id,
                Source.GATE_SIGHTING,
                sighting.id,
                sighting.agency_id,
                sighting.shared_with_police,
                sighting.checked_at,
                Grade.CONFIRMED,
                sighting.vehicle_registration,
            )
        )
    return found


def _mention_links(session: Session, where: ColumnElement[bool]) -> list[Link]:
    found: list[Link] = []
    rows = session.execute(
        select(ConcernMention, Concern, ConcernCategory)
        .join(Concern, ConcernMention.concern_id == Concern.id)
        .join(ConcernCategory, Concern.category_id == ConcernCategory.id)
        .where(_current_concerns(), where)
    )
    for mention, concern, category in rows:
        entities = [EntityRef(mention.kind, mention.key)]
        if mention.postcode:
            entities.append(EntityRef(Kind.POSTCODE, mention.postcode))
        for entity in entities:
            found.append(
                Link(
                    entity,
                    mention.child_id,
                    Source.MENTION,
                    mention.id,
                    concern.agency_id,
                    concern.shared_with_police,
                    concern.occurred_at,
                    Grade.UNCONFIRMED,
                    mention.value,
                    category.restricted_roles,
                )
            )
    return found


def drivers_on(session: Session, links: Iterable[Link]) -> dict[tuple[str, datetime], set[uuid.UUID]]:
    """For each (mark, time) of these vehicle links, the people whose licences the vehicle was tied to on
    that day (whatever the licence's status: a suspended driver still driving the car is the point)."""
    wanted = {(link.entity.key, link.occurred_at) for link in links if link.entity.kind == Kind.VEHICLE}
    marks = sorted({mark for mark, _ in wanted})
    if not marks:
        return {}
    tied: dict[str, list[tuple[uuid.UUID, object, object]]] = defaultdict(list)
    for registration, person_id, start, end in session.execute(
        select(Vehicle.registration, Licence.person_id, VehicleLicence.from_date, VehicleLicence.to_date)
        .join(VehicleLicence, VehicleLicence.vehicle_id == Vehicle.id)
        .join(Licence, VehicleLicence.licence_id == Licence.id)
        .where(Vehicle.registration.in_(marks))
    ):
        tied[registration].append((person_id, start, end))
    found: dict[tuple[str, datetime], set[uuid.UUID]] = {}
    for mark, at in wanted:
        day = at.astimezone(UK).date()
        found[(mark, at)] = {
            person
            for person, start, end in tied.get(mark, [])
            if start <= day and (end is None or day <= end)  # type: ignore[operator]
        }
    return found


def _with_drivers(session: Session, links: list[Link]) -> list[Link]:
    """The vehicle links again as links to the drivers behind the vehicles (unconfirmed: inferred)."""
    behind = drivers_on(session, links)
    found: list[Link] = []
    for link in links:
        if link.entity.kind != Kind.VEHICLE:
            continue
        for person_id in sorted(behind.get((link.entity.key, link.occurred_at), set()), key=str):
            found.append(
                replace(link, entity=EntityRef(Kind.DRIVER, str(person_id)), grade=Grade.UNCONFIRMED)
            )
    return found


def links_of_child(session: Session, child_id: uuid.UUID) -> list[Link]:
    """Everything the child's records link them to, drivers included."""
    vehicles = _vehicle_links(session, child_id=child_id)
    mentions = _mention_links(session, ConcernMention.child_id == child_id)
    return vehicles + _with_drivers(session, vehicles) + mentions


def _registrations_of_driver(session: Session, person_id: uuid.UUID) -> list[str]:
    return list(
        session.scalars(
            select(Vehicle.registration)
            .join(VehicleLicence, VehicleLicence.vehicle_id == Vehicle.id)
            .join(Licence, VehicleLicence.licence_id == Licence.id)
            .where(Licence.person_id == person_id)
            .distinct()
        )
    )


def links_to(session: Session, entity: EntityRef) -> list[Link]:
    """Every child's links to one entity."""
    if entity.kind == Kind.VEHICLE:
        return _vehicle_links(session, registrations=[entity.key])
    if entity.kind == Kind.DRIVER:
        try:
            person_id = uuid.UUID(entity.key)
        except ValueError:
            return []
        vehicles = _vehicle_links(session, registrations=_registrations_of_driver(session, person_id))
        return [link for link in _with_drivers(session, vehicles) if link.entity == entity]
    if entity.kind == Kind.POSTCODE:
        return [
            link
            for link in _mention_links(session, ConcernMention.postcode == entity.key)
            if link.entity == entity
        ]
    return _mention_links(session, (ConcernMention.kind == entity.kind) & (ConcernMention.key == entity.key))


def all_links(session: Session) -> list[Link]:
    """Every link in the hub (for the list of shared entities). Reads every record that mentions a vehicle
    or has a mention: fine for a local hub; a national one would keep an index table (ADR 0007)."""
    vehicles = _vehicle_links(session)
    return vehicles + _with_drivers(session, vehicles) + _mention_links(session, true())


def by_entity(links: Iterable[Link]) -> dict[EntityRef, list[Link]]:
    grouped: dict[EntityRef, list[Link]] = defaultdict(list)
    for link in links:
        grouped[link.entity].append(link)
    return dict(grouped)


def children_of(links: Iterable[Link]) -> set[uuid.UUID]:
    return {link.child_id for link in links}
