"""Screening finds a refused or revoked driver under a variant of his name, and never brands a stranger."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT, SYSTEM
from openmash.db.session import transaction
from openmash.errors import PurposeRequired
from openmash.identity.permissions import AgencyType
from openmash.register import person_index, screening
from openmash.register.models import Person, PersonName
from openmash.register.screening import Applicant
from tests.support.factories import make_agency
from tests.support.register import make_licensed_driver

REVOKED = [
    ("granted", date(2019, 5, 1), None),
    ("revoked", date(2024, 2, 3), "sexual_offence_or_safeguarding"),
]


@pytest.fixture
def revoked_driver(sessions: sessionmaker[Session]) -> str:
    with transaction(sessions) as session:
        authority = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Revoking council")
        person = Person(
            surname="Khan",
            forenames="Mohammed",
            date_of_birth=date(1984, 3, 7),
            driving_licence_number="KHAN9803074MO9AB",
            ni_number="AB123456C",
        )
        session.add(person)
        session.flush()
        session.add(PersonName(person_id=person.id, kind="previous", surname="Ahmed", forenames="Mohammed"))
        session.flush()
        person_index.reindex(session, [person.id])  # as an import leaves it
        make_licensed_driver(session, authority, ref="R-77", person=person, events=REVOKED)
        return str(person.id)


def _screen(sessions: sessionmaker[Session], applicant: Applicant) -> list[dict[str, object]]:
    with transaction(sessions) as session:
        found, authorities = screening.screen_for(
            session, SYSTEM, applicant, "Application 2026/118", NO_CONTEXT
        )
        return screening.as_json(found, authorities)


def test_a_misspelt_application_with_day_and_month_swapped_finds_the_revoked_driver(
    sessions: sessionmaker[Session], revoked_driver: str
) -> None:
    result = _screen(sessions, Applicant(names=[("Kahn", "Muhammad")], date_of_birth=date(1984, 7, 3)))
    assert [c["person_id"] for c in result] == [revoked_driver]
    top = result[0]
    assert top["band"] == "probable"
    levels = {e["field"]: e["level"] for e in top["explanation"]}  # type: ignore[union-attr]
    assert levels["surname"] == "phonetic"
    assert levels["forenames"] == "variant"  # Muhammad and Mohammed: one name, two spellings
    assert levels["date_of_birth"] == "day_month_swapped"
    assert top["licences"] == [
        {
            "authority": top["licences"][0]["authority"],
            "authority_licence_ref": "R-77",  # type: ignore[index]
            "licence_type": "private_hire_driver",
            "status": "revoked",
            "reason_category": "sexual_offence_or_safeguarding",
        }
    ]


def test_an_agreeing_licence_number_makes_it_certain(
    sessions: sessionmaker[Session], revoked_driver: str
) -> None:
    result = _screen(
        sessions,
        Applicant(
            names=[("Khan", "Mohammed")],
            date_of_birth=date(1984, 3, 7),
            driving_licence_number="KHAN9803074MO9AB",
        ),
    )
    assert result[0]["band"] == "certain"


def test_name_and_date_of_birth_alone_are_never_certain(
    sessions: sessionmaker[Session], revoked_driver: str
) -> None:
    result = _screen(
        sessions, Applicant(names=[("Khan", "Mohammed")], date_of_birth=date(1984, 3, 7), postcode="HP19 8FF")
    )
    assert result[0]["band"] == "probable"


def test_a_contradicting_identifier_stops_a_twin_being_certain(
    sessions: sessionmaker[Session], revoked_driver: str
) -> None:
    twin = Applicant(
        names=[("Khan", "Mohammed")],
        date_of_birth=date(1984, 3, 7),
        driving_licence_number="KHAN9803074MO9ZZ",
        ni_number="CE654321A",
    )
    result = _screen(sessions, twin)
    assert all(c["band"] != "certain" for c in result)


def test_a_previous_name_is_searched_too(sessions: sessionmaker[Session], revoked_driver: str) -> None:
    result = _screen(sessions, Applicant(names=[("Ahmed", "Mohammed")], date_of_birth=date(1984, 3, 7)))
    assert result[0]["person_id"] == revoked_driver
    assert {e["field"]: e["level"] for e in result[0]["explanation"]}["surname"] == "exact"  # type: ignore[union-attr]


def test_an_unrelated_person_is_not_shown(sessions: sessionmaker[Session], revoked_driver: str) -> None:
    assert _screen(sessions, Applicant(names=[("Oyelaran", "Grace")], date_of_birth=date(1984, 3, 7))) == []


def test_screening_needs_a_purpose_and_records_who_was_shown(
    sessions: sessionmaker[Session], revoked_driver: str
) -> None:
    with transaction(sessions) as session, pytest.raises(PurposeRequired):
        screening.screen_for(session, SYSTEM, Applicant(names=[("Khan", "M")]), "", NO_CONTEXT)
    _screen(sessions, Applicant(names=[("Khan", "Mohammed")], date_of_birth=date(1984, 3, 7)))
    with transaction(sessions) as session:
        entry = session.scalars(select(AuditRecord).where(AuditRecord.action == "register.screen")).one()
    assert entry.purpose == "Application 2026/118"
    assert revoked_driver in entry.details
