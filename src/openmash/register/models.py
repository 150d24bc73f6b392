"""Tables of the national register: people, their names and addresses, licences and their decision events,
vehicles and driver concerns.

A person is national (one row however many authorities license them); a licence belongs to one authority;
decision events are never edited (a correction is a new event that supersedes one).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openmash.db.base import Entity


class Person(Entity):
    """A driver or operator: the holder of licences anywhere in England and Wales."""

    __tablename__ = "people"
    __table_args__ = (
        Index("ix_people_driving_licence_number", "driving_licence_number"),
        Index("ix_people_ni_number", "ni_number"),
        Index("ix_people_surname_dob", "surname", "date_of_birth"),
        # Screening finds candidates by date of birth (as given, or day and month swapped).
        Index("ix_people_date_of_birth", "date_of_birth"),
    )

    surname: Mapped[str] = mapped_column(String(100))
    forenames: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(10))
    driving_licence_number: Mapped[str | None] = mapped_column(String(16))
    ni_number: Mapped[str | None] = mapped_column(String(9))
    phone: Mapped[str | None] = mapped_column(String(40))

    names: Mapped[list[PersonName]] = relationship(back_populates="person", cascade="all, delete-orphan")
    addresses: Mapped[list[PersonAddress]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )
    licences: Mapped[list[Licence]] = relationship(back_populates="person")


class PersonName(Entity):
    """A previous name or alias, searched like the current one."""

    __tablename__ = "person_names"
    __table_args__ = (UniqueConstraint("person_id", "kind", "surname", "forenames"),)

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "previous" or "alias"
    surname: Mapped[str] = mapped_column(String(100))
    forenames: Mapped[str] = mapped_column(String(100))

    person: Mapped[Person] = relationship(back_populates="names")


class PersonAddress(Entity):
    __tablename__ = "person_addresses"
    __table_args__ = (Index("ix_person_addresses_postcode", "postcode"),)

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(8))
    first_seen_on: Mapped[date] = mapped_column(Date)
    recorded_by_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))

    person: Mapped[Person] = relationship(back_populates="addresses")


class Licence(Entity):
    """One licence granted (or applied for) at one authority, under the authority's own reference."""

    __tablename__ = "licences"
    __table_args__ = (UniqueConstraint("authority_id", "authority_licence_ref"),)

    authority_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    authority_licence_ref: Mapped[str] = mapped_column(String(100))
    licence_type: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    # Derived from the events (register.licences.status_of), kept so a screening summary is one read.
    status: Mapped[str] = mapped_column(String(30))
    status_since: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="licences")
    events: Mapped[list[LicenceEvent]] = relationship(
        back_populates="licence", order_by="LicenceEvent.event_date, LicenceEvent.recorded_at"
    )


class LicenceEvent(Entity):
    """A dated decision on a licence. Never updated: a correction is a new event that supersedes one."""

    __tablename__ = "licence_events"
    __table_args__ = (UniqueConstraint("licence_id", "dedupe_key"),)

    licence_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("licences.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    event_date: Mapped[date] = mapped_column(Date)
    reason_category: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("licence_events.id"))
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(20))  # "import", "web" or "api"
    # kind|date|reason: the same decision sent twice (a re-imported file) is recorded once.
    dedupe_key: Mapped[str] = mapped_column(String(100))

    licence: Mapped[Licence] = relationship(back_populates="events")


class Vehicle(Entity):
    __tablename__ = "vehicles"

    # Upper-case, no spaces: the form every lookup normalises to.
    registration: Mapped[str] = mapped_column(String(8), unique=True)
    make: Mapped[str | None] = mapped_column(String(60))
    model: Mapped[str | None] = mapped_column(String(60))
    colour: Mapped[str | None] = mapped_column(String(40))

    licensings: Mapped[list[VehicleLicence]] = relationship(back_populates="vehicle")


class VehicleLicence(Entity):
    """A vehicle tied to a driver's or operator's licence, from a date (and until one)."""

    __tablename__ = "vehicle_licences"
    __table_args__ = (UniqueConstraint("vehicle_id", "licence_id"),)

    vehicle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicles.id"), index=True)
    licence_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("licences.id"), index=True)
    authority_plate_number: Mapped[str | None] = mapped_column(String(40))
    from_date: Mapped[date] = mapped_column(Date)
    to_date: Mapped[date | None] = mapped_column(Date)

    vehicle: Mapped[Vehicle] = relationship(back_populates="licensings")
    licence: Mapped[Licence] = relationship()


class DriverConcern(Entity):
    """A complaint, intelligence or police information about a driver, from any authority or police force."""

    __tablename__ = "driver_concerns"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(String(30))  # complaint, intelligence, police_information
    safeguarding: Mapped[bool]
    occurred_on: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(300))


class DetailsRequest(Entity):
    """One authority asks another for the details behind a licence decision (Taxis and Private Hire Vehicles
    (Safeguarding and Road Safety) Act 2022, s.3): answered in the app, due by a date, audited."""

    __tablename__ = "details_requests"
    __table_args__ = (
        Index("ix_details_requests_holding", "holding_agency_id", "status"),
        Index("ix_details_requests_requesting", "requesting_agency_id", "status"),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    licence_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("licences.id"))
    requesting_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    holding_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    requested_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    requested_by: Mapped[str] = mapped_column(String(300))
    application_reference: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # open, answered, withdrawn
    due_on: Mapped[date] = mapped_column(Date)
    last_reminded_on: Mapped[date | None] = mapped_column(Date)
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None] = mapped_column(String(300))
    answer: Mapped[str | None] = mapped_column(Text)


class Notice(Entity):
    """An in-app notification to an agency, such as the duty to share: another authority recorded a
    safeguarding decision or concern about a driver this authority licenses."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_agency_unread", "agency_id", "read_at"),)

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    from_agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    licence_event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("licence_events.id"))
    driver_concern_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("driver_concerns.id"))
    details_request_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("details_requests.id"))
    summary: Mapped[str] = mapped_column(Text)
    read_at: Mapped[datetime | None]
    read_by: Mapped[str | None] = mapped_column(String(300))
