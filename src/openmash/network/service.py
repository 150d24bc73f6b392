"""Network queries for people: which children are linked to a vehicle, driver, adult, phone or address; which
entities two or more children share; a child's network; the licensed driver behind a vehicle.

Need-to-know: the network crosses agencies by nature, so only the MASH and police read it
(``NETWORK_READ``), always with a purpose, and every read is audited with the children shown. Police see
links from their own records and those shared with police; the MASH sees all. A link from a concern in a
restricted category is shown only to the roles the category names. The driver behind a vehicle (a name, a
date of birth, licences) is shown only here, never to the school or home that checked the car.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.errors import PermissionDenied, PurposeRequired, ValidationFailed
from openmash.identity.models import Agency
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.network import links as network
from openmash.network.links import KIND_LABELS, EntityRef, Kind, Link
from openmash.network.normalise import normalise_address, normalise_adult, normalise_phone
from openmash.register import labels, vehicle_drivers
from openmash.register.identifiers import normalise_postcode, normalise_registration
from openmash.register.models import Person
from openmash.register.workdays import UK
from openmash.safeguarding.models import Child
from openmash.safeguarding.status import Badge, badges
from openmash.safeguarding.visibility import Scope, agency_scope, may_see_record


@dataclass(frozen=True)
class ChildSummary:
    child_id: uuid.UUID
    surname: str
    forenames: str
    date_of_birth: date | None
    badges: list[Badge]


@dataclass(frozen=True)
class LinkView:
    """One record that links a child to the entity: which record (kind, id), by whom, when, how sure."""

    child_id: uuid.UUID
    source_kind: str
    source_id: uuid.UUID
    agency_name: str
    occurred_at: datetime
    grade: str
    as_written: str


@dataclass(frozen=True)
class EntityView:
    entity: EntityRef
    kind_label: str
    label: str
    children: list[ChildSummary]
    links: list[LinkView]


@dataclass(frozen=True)
class LicenceView:
    authority_code: str
    authority_name: str
    licence_type: str
    authority_licence_ref: str
    status: str
    from_date: date
    to_date: date | None
    current: bool


@dataclass(frozen=True)
class DriverView:
    person_id: uuid.UUID
    name: str
    date_of_birth: date
    licences: list[LicenceView]
    safeguarding: list[str]  # what the register holds for safeguarding, by kind (never its text)


def _scope(principal: Principal) -> Scope:
    """The network crosses children, so the agency's own scope applies (``visibility.agency_scope``), and an
    agency that sees only its own records has no network to read."""
    scope = agency_scope(principal)
    if not principal.can(Permission.NETWORK_READ) or scope is Scope.OWN_AGENCY:
        raise PermissionDenied("Only the MASH and police see links between children")
    return scope


def _purpose(purpose: str | None) -> str:
    stated = (purpose or "").strip()
    if not stated:
        raise PurposeRequired("Give the purpose of looking at links between children")
    return stated


def visible(principal: Principal, scope: Scope, link: Link) -> bool:
    """A link is read from a record's current version (a concern's latest entry), so the record's own
    settings are its chain's: the agency rule and, for a concern, its category's roles."""
    return may_see_record(
        principal, scope, link.agency_id, link.shared_with_police, restricted_roles=link.restricted_roles
    )


def _children(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, ChildSummary]:
    wanted = sorted(set(ids), key=str)
    if not wanted:
        return {}
    return {
        c.id: ChildSummary(c.id, c.surname, c.forenames, c.date_of_birth, badges(c))
        for c in session.scalars(select(Child).where(Child.id.in_(wanted)))
    }


def _label(session: Session, entity: EntityRef, found: list[Link]) -> str:
    if entity.kind == Kind.DRIVER:
        person = session.get(Person, uuid.UUID(entity.key))
        return f"{person.forenames} {person.surname}" if person else "Unknown driver"
    written = [link.label for link in found if link.label]
    return max(set(written), key=written.count) if written else entity.key


def _view(
    session: Session, entity: EntityRef, found: list[Link], agencies: dict[uuid.UUID, str]
) -> EntityView:
    children = _children(session, (link.child_id for link in found))
    ordered = sorted(found, key=lambda link: (link.occurred_at, str(link.source_id)))
    return EntityView(
        entity=entity,
        kind_label=KIND_LABELS.get(Kind(entity.kind), entity.kind),
        label=_label(session, entity, found),
        children=sorted(children.values(), key=lambda c: (c.surname, c.forenames, str(c.child_id))),
        links=[
            LinkView(
                child_id=link.child_id,
                source_kind=link.source_kind,
                source_id=link.source_id,
                agency_name=agencies.get(link.agency_id, ""),
                occurred_at=link.occurred_at,
                grade=link.grade,
                as_written=link.label,
            )
            for link in ordered
        ],
    )


def _agencies(session: Session, found: Iterable[Link]) -> dict[uuid.UUID, str]:
    ids = sorted({link.agency_id for link in found}, key=str)
    return {a.id: a.name for a in session.scalars(select(Agency).where(Agency.id.in_(ids)))} if ids else {}


def _audit(
    session: Session,
    principal: Principal,
    action: str,
    purpose: str,
    context: Context,
    views: list[EntityView],
    **details: object,
) -> None:
    audit.record(
        session,
        action,
        principal.actor,
        purpose=purpose,
        context=context,
        details={
            **details,
            "entities": [v.entity.ref for v in views],
            "children": sorted({str(c.child_id) for v in views for c in v.children}),
        },
    )


def parse_entity(ref: str) -> EntityRef:
    """An entity from its reference ("vehicle:AB12CDE"), its key normalised as the links store it, whatever
    the kind: a vehicle's mark in any spacing or case, a driver's register id, a phone number, an adult's
    name, an address or a postcode as typed. ValidationFailed (never a server error) for anything else."""
    try:
        entity = EntityRef.parse(ref.strip())
    except ValueError:
        raise ValidationFailed(
            {"entity": "Choose a vehicle, driver, adult, phone number or address"}
        ) from None
    key: str | None
    match Kind(entity.kind):
        case Kind.VEHICLE:
            key = normalise_registration(entity.key)
            problem = "Enter a registration mark of 2 to 8 letters and numbers"
        case Kind.DRIVER:
            try:
                key = str(uuid.UUID(entity.key.strip()))
            except ValueError:
                key = None
            problem = "Choose a driver from the register"
        case Kind.PHONE:
            key, problem = normalise_phone(entity.key), "Enter a phone number, like 07700 900123"
        case Kind.ADULT:
            key, problem = normalise_adult(entity.key), "Enter the adult's name"
        case Kind.ADDRESS:
            address = normalise_address(entity.key)
            key, problem = (address[0] if address else None), "Enter an address or a postcode"
        case Kind.POSTCODE:
            key, problem = normalise_postcode(entity.key), "Enter a postcode, like LS1 4AP"
    if key is None:
        raise ValidationFailed({"entity": problem})
    return EntityRef(entity.kind, key)


def children_linked_to(
    session: Session, principal: Principal, entity: EntityRef, *, purpose: str | None, context: Context
) -> EntityView:
    """The children linked to one entity, with each record that links them. Audited."""
    scope = _scope(principal)
    stated = _purpose(purpose)
    found = [link for link in network.links_to(session, entity) if visible(principal, scope, link)]
    view = _view(session, entity, found, _agencies(session, found))
    _audit(session, principal, "network.entity.read", stated, context, [view])
    return view


def shared_entities(
    session: Session,
    principal: Principal,
    *,
    purpose: str | None,
    context: Context,
    min_children: int = 2,
    kinds: Iterable[str] | None = None,
) -> list[EntityView]:
    """Entities two or more (``min_children``) children are linked to, most children first. Audited."""
    scope = _scope(principal)
    stated = _purpose(purpose)
    wanted = set(kinds) if kinds is not None else {str(k) for k in Kind}
    every = [
        link
        for link in network.all_links(session)
        if link.entity.kind in wanted and visible(principal, scope, link)
    ]
    agencies = _agencies(session, every)
    views = [
        _view(session, entity, found, agencies)
        for entity, found in network.by_entity(every).items()
        if len(network.children_of(found)) >= min_children
    ]
    views.sort(key=lambda v: (-len(v.children), v.entity.kind, v.entity.key))
    _audit(session, principal, "network.shared.read", stated, context, views, min_children=min_children)
    return views


def child_network(
    session: Session, principal: Principal, child_id: uuid.UUID, *, purpose: str | None, context: Context
) -> list[EntityView]:
    """Every entity the child is linked to, each with all the children linked to it. Audited."""
    scope = _scope(principal)
    stated = _purpose(purpose)
    own = [link for link in network.links_of_child(session, child_id) if visible(principal, scope, link)]
    views = []
    for entity in sorted({link.entity for link in own}):
        found = [link for link in network.links_to(session, entity) if visible(principal, scope, link)]
        views.append(_view(session, entity, found, _agencies(session, found)))
    views.sort(key=lambda v: (-len(v.children), v.entity.kind, v.entity.key))
    audit_details = {"child_id": str(child_id)}
    _audit(session, principal, "network.child.read", stated, context, views, **audit_details)
    return views


def drivers_behind(
    session: Session, principal: Principal, registration: str, *, purpose: str | None, context: Context
) -> list[DriverView]:
    """The licensed drivers (and operators) a vehicle is or was tied to, with what the register holds
    against them for safeguarding: the MASH and police only, with a purpose. Audited."""
    _scope(principal)
    stated = _purpose(purpose)
    mark = normalise_registration(registration)
    if mark is None:
        raise ValidationFailed({"registration": "Enter a registration mark of 2 to 8 letters and numbers"})
    licensing = vehicle_drivers.licensing_of(session, mark, datetime.now(UK).date())
    found = vehicle_drivers.drivers(session, licensing)
    flags = vehicle_drivers.safeguarding_flags(session, [d.person_id for d in found])
    views = [
        DriverView(
            person_id=driver.person_id,
            name=driver.name,
            date_of_birth=driver.date_of_birth,
            licences=[
                LicenceView(
                    authority_code=link.authority_code,
                    authority_name=link.authority_name,
                    licence_type=labels.licence_type(link.licence_type),
                    authority_licence_ref=link.authority_licence_ref,
                    status=link.status,
                    from_date=link.from_date,
                    to_date=link.to_date,
                    current=link.current,
                )
                for link in driver.licences
            ],
            safeguarding=[f.description for f in flags if f.person_id == driver.person_id],
        )
        for driver in found
    ]
    audit.record(
        session,
        "network.vehicle.drivers",
        principal.actor,
        object_type="vehicle",
        object_id=licensing.vehicle_id,
        purpose=stated,
        context=context,
        details={"registration": mark, "people": [str(d.person_id) for d in views]},
    )
    return views
