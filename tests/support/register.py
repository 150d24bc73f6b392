"""Building register records for tests through the register's services (synthetic people only)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.identity.models import Agency, User
from openmash.identity.principal import Principal, principal_for_user
from openmash.register import licences, person_index
from openmash.register.models import Licence, Person, Vehicle, VehicleLicence
from tests.support.factories import UserLogin


def make_licensed_driver(
    session: Session,
    authority: Agency,
    *,
    ref: str,
    surname: str = "Testdriver",
    forenames: str = "Sam",
    date_of_birth: date = date(1979, 4, 11),
    events: list[tuple[str, date, str | None]] | None = None,
    registration: str | None = None,
    person: Person | None = None,
) -> Licence:
    if person is None:
        person = make_person(session, surname=surname, forenames=forenames, date_of_birth=date_of_birth)
    events = events or [("applied", date(2023, 1, 5), None), ("granted", date(2023, 2, 1), None)]
    licence = Licence(
        authority_id=authority.id,
        authority_licence_ref=ref,
        licence_type="private_hire_driver",
        person_id=person.id,
        status="applied",
        status_since=events[0][1],
    )
    session.add(licence)
    session.flush()
    for kind, day, reason in events:
        licences.record_event(
            session,
            licence,
            kind=kind,
            event_date=day,
            reason_category=reason,
            recorded_by="test",
            source="import",
        )
    if registration:
        vehicle = session.scalars(select(Vehicle).where(Vehicle.registration == registration)).first()
        if vehicle is None:
            vehicle = Vehicle(registration=registration, make="Toyota", model="Prius", colour="Silver")
            session.add(vehicle)
            session.flush()
        session.add(
            VehicleLicence(
                vehicle_id=vehicle.id,
                licence_id=licence.id,
                authority_plate_number=f"P-{ref}",
                from_date=events[-1][1],
            )
        )
        session.flush()
    return licence


def make_person(
    session: Session,
    *,
    surname: str = "Testperson",
    forenames: str = "Alex",
    date_of_birth: date = date(1981, 6, 2),
) -> Person:
    """A person as an import would leave them: on the register and in the matching index."""
    person = Person(surname=surname, forenames=forenames, date_of_birth=date_of_birth)
    session.add(person)
    session.flush()
    person_index.reindex(session, [person.id])
    return person


def principal_for(session: Session, login: UserLogin) -> Principal:
    """The principal a signed-in user would be, for calling services directly."""
    user = session.get(User, login.id)
    assert user is not None
    return principal_for_user(user)
