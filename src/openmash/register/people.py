"""The person page: one driver's licences across every authority, vehicles, concerns and requests, as far as
the sharing rules allow, and every view audited.

Sharing rules:
- The viewer's own authority's licences show everything it recorded: decision notes, who recorded them, and
  the addresses (and phone) it holds.
- Another authority's licences show only what the register shares: authority, reference, type, status,
  dates and each decision's kind, date and reason category, never its notes, its officers or the addresses
  it recorded. For more the viewer raises a request for details (2022 Act, s.3).
- Concerns show in full to the agency that recorded them and to police; others see the kind, dates, the
  safeguarding flag and the recording agency only.
- Someone whose authority does not license the person must give a purpose before the page opens.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.errors import NotFoundError, PermissionDenied, PurposeRequired
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import Principal
from openmash.register import matches
from openmash.register.concerns import may_record_concern
from openmash.register.models import (
    DetailsRequest,
    DriverConcern,
    Licence,
    LicenceEvent,
    Person,
    VehicleLicence,
)
from openmash.register.request_views import OPEN
from openmash.register.workdays import uk_today


@dataclass(frozen=True)
class EventView:
    kind: str
    event_date: date
    reason_category: str | None
    superseded: bool
    correction: bool
    note: str | None  # own authority only
    recorded_by: str | None  # own authority only


@dataclass(frozen=True)
class VehicleView:
    registration: str
    description: str
    plate_number: str | None
    from_date: date
    to_date: date | None


@dataclass(frozen=True)
class LicenceView:
    id: uuid.UUID
    own: bool
    authority_name: str
    authority_code: str
    authority_licence_ref: str
    licence_type: str
    status: str
    status_since: date
    expires_on: date | None
    events: list[EventView]
    vehicles: list[VehicleView]
    may_record: bool
    may_request: bool


@dataclass(frozen=True)
class ConcernView:
    kind: str
    occurred_on: date | None
    safeguarding: bool
    agency_name: str
    recorded_at: datetime
    full: bool
    summary: str | None  # the recording agency and police only
    recorded_by: str | None


@dataclass(frozen=True)
class AddressView:
    address: str | None
    postcode: str | None
    first_seen_on: date


@dataclass(frozen=True)
class RequestLine:
    id: uuid.UUID
    direction: str
    status: str
    due_on: date
    overdue: bool
    licence_ref: str
    other_agency: str


@dataclass(frozen=True)
class PersonView:
    id: uuid.UUID
    surname: str
    forenames: str
    date_of_birth: date
    sex: str | None
    driving_licence_number: str | None
    ni_number: str | None
    phone: str | None  # only when the viewer's authority licenses the person
    other_names: list[tuple[str, str, str]]  # (kind, surname, forenames)
    addresses: list[AddressView]  # those the viewer's agency recorded
    addresses_held_elsewhere: int
    licensed_here: bool
    licences: list[LicenceView]
    concerns: list[ConcernView]
    requests: list[RequestLine]
    may_record_concern: bool
    same_person_as: list[tuple[uuid.UUID, str, date]] = field(default_factory=list)  # (id, name, born)


def _same_person_as(session: Session, person_id: uuid.UUID) -> list[tuple[uuid.UUID, str, date]]:
    """Records an officer confirmed to be this person (a proposed match from an import)."""
    linked = matches.linked_people(session, person_id)
    if not linked:
        return []
    return [
        (p.id, f"{p.forenames} {p.surname}", p.date_of_birth)
        for p in session.scalars(
            select(Person).where(Person.id.in_(linked)).order_by(Person.surname, Person.id)
        )
    ]


def _events(licence: Licence, own: bool) -> list[EventView]:
    superseded = {e.supersedes_id for e in licence.events if e.supersedes_id}
    ordered: list[LicenceEvent] = sorted(
        licence.events, key=lambda e: (e.event_date, e.recorded_at), reverse=True
    )
    return [
        EventView(
            kind=e.kind,
            event_date=e.event_date,
            reason_category=e.reason_category,
            superseded=e.id in superseded,
            correction=e.supersedes_id is not None,
            note=e.note if own else None,
            recorded_by=e.recorded_by if own else None,
        )
        for e in ordered
    ]


def _vehicles(session: Session, licence_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[VehicleView]]:
    found: dict[uuid.UUID, list[VehicleView]] = {i: [] for i in licence_ids}
    if not licence_ids:
        return found
    links = session.scalars(
        select(VehicleLicence)
        .where(VehicleLicence.licence_id.in_(licence_ids))
        .options(selectinload(VehicleLicence.vehicle))
        .order_by(VehicleLicence.from_date.desc())
    )
    for link in links:
        v = link.vehicle
        description = " ".join(p for p in (v.colour, v.make, v.model) if p)
        found[link.licence_id].append(
            VehicleView(
                v.registration, description, link.authority_plate_number, link.from_date, link.to_date
            )
        )
    return found


def _concerns(session: Session, principal: Principal, person_id: uuid.UUID) -> list[ConcernView]:
    police = principal.agency_type is AgencyType.POLICE_FORCE
    rows = session.execute(
        select(DriverConcern, Agency.name)
        .join(Agency, DriverConcern.agency_id == Agency.id)
        .where(DriverConcern.person_id == person_id)
        .order_by(DriverConcern.recorded_at.desc())
    ).all()
    views = []
    for concern, agency_name in rows:
        full = police or concern.agency_id == principal.agency_id
        views.append(
            ConcernView(
                kind=concern.kind,
                occurred_on=concern.occurred_on,
                safeguarding=concern.safeguarding,
                agency_name=agency_name,
                recorded_at=concern.recorded_at,
                full=full,
                summary=concern.summary if full else None,
                recorded_by=concern.recorded_by if full else None,
            )
        )
    return views


def _requests(session: Session, principal: Principal, person_id: uuid.UUID, today: date) -> list[RequestLine]:
    """Requests about this person that the viewer's authority made or was asked."""
    rows = session.execute(
        select(DetailsRequest, Licence.authority_licence_ref)
        .join(Licence, DetailsRequest.licence_id == Licence.id)
        .where(
            DetailsRequest.person_id == person_id,
            or_(
                DetailsRequest.requesting_agency_id == principal.agency_id,
                DetailsRequest.holding_agency_id == principal.agency_id,
            ),
        )
        .order_by(DetailsRequest.created_at.desc())
    ).all()
    other_ids = {
        r.holding_agency_id if r.requesting_agency_id == principal.agency_id else r.requesting_agency_id
        for r, _ in rows
    }
    names = {a.id: a.name for a in session.scalars(select(Agency).where(Agency.id.in_(other_ids)))}
    lines = []
    for r, ref in rows:
        outgoing = r.requesting_agency_id == principal.agency_id
        lines.append(
            RequestLine(
                id=r.id,
                direction="outgoing" if outgoing else "incoming",
                status=r.status,
                due_on=r.due_on,
                overdue=r.status == OPEN and r.due_on < today,
                licence_ref=ref,
                other_agency=names[r.holding_agency_id if outgoing else r.requesting_agency_id],
            )
        )
    return lines


def view_person(
    session: Session,
    principal: Principal,
    person_id: uuid.UUID,
    purpose: str | None,
    context: Context,
    today: date | None = None,
) -> PersonView:
    """Open a person's record. Outside the viewer's own licensees a purpose must be given; always audited."""
    if not principal.can(Permission.REGISTER_SEARCH):
        raise PermissionDenied("You do not have permission to see the register")
    person = session.get(
        Person,
        person_id,
        options=[
            selectinload(Person.names),
            selectinload(Person.addresses),
            selectinload(Person.licences).selectinload(Licence.events),
        ],
    )
    if person is None:
        raise NotFoundError("Person not found")
    purpose = (purpose or "").strip() or None
    licensed_here = any(lic.authority_id == principal.agency_id for lic in person.licences)
    if not licensed_here and not purpose:
        raise PurposeRequired(
            "Give the purpose for opening the record of a person your authority does not license"
        )
    audit.record(
        session,
        "register.person.view",
        principal.actor,
        object_type="person",
        object_id=person.id,
        purpose=purpose,
        context=context,
        details={"licensed_here": licensed_here},
    )
    agencies = {
        a.id: a
        for a in session.scalars(
            select(Agency).where(Agency.id.in_({lic.authority_id for lic in person.licences}))
        )
    }
    may_request = principal.agency_type is AgencyType.LICENSING_AUTHORITY and principal.can(
        Permission.REGISTER_RECORD
    )
    ordered = sorted(
        person.licences,
        key=lambda lic: (lic.authority_id != principal.agency_id, -lic.status_since.toordinal()),
    )
    vehicles = _vehicles(session, [lic.id for lic in ordered])
    licence_views = []
    for lic in ordered:
        own = lic.authority_id == principal.agency_id
        licence_views.append(
            LicenceView(
                id=lic.id,
                own=own,
                authority_name=agencies[lic.authority_id].name,
                authority_code=agencies[lic.authority_id].code,
                authority_licence_ref=lic.authority_licence_ref,
                licence_type=lic.licence_type,
                status=lic.status,
                status_since=lic.status_since,
                expires_on=lic.expires_on,
                events=_events(lic, own),
                vehicles=vehicles[lic.id],
                may_record=own and principal.can(Permission.REGISTER_RECORD),
                may_request=may_request and not own,
            )
        )
    mine = [a for a in person.addresses if a.recorded_by_agency_id == principal.agency_id]
    return PersonView(
        id=person.id,
        surname=person.surname,
        forenames=person.forenames,
        date_of_birth=person.date_of_birth,
        sex=person.sex,
        driving_licence_number=person.driving_licence_number,
        ni_number=person.ni_number,
        phone=person.phone if licensed_here else None,
        other_names=[(n.kind, n.surname, n.forenames) for n in person.names],
        addresses=[
            AddressView(a.address, a.postcode, a.first_seen_on)
            for a in sorted(mine, key=lambda a: a.first_seen_on, reverse=True)
        ],
        addresses_held_elsewhere=len(person.addresses) - len(mine),
        licensed_here=licensed_here,
        licences=licence_views,
        concerns=_concerns(session, principal, person.id),
        requests=_requests(session, principal, person.id, today or uk_today()),
        may_record_concern=may_record_concern(principal),
        same_person_as=_same_person_as(session, person.id),
    )
