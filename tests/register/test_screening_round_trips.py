"""A screening costs a fixed handful of statements, however many people, licences and authorities it shows:
its time beyond the engine's is round trips to the database (issue 7: p95 ≤ 15 ms on PostgreSQL), so one
statement per person or per table shown would be a regression. Counted, never timed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.service import NO_CONTEXT, SYSTEM
from openmash.db.session import transaction
from openmash.identity.permissions import AgencyType
from openmash.register import person_index, screening
from openmash.register.models import Person
from openmash.register.screening import Applicant
from tests.support.factories import make_agency
from tests.support.register import make_licensed_driver, make_person

# The engine's candidates and term frequencies, the people shown with everything the result needs, and the
# audit record (the chain head read under lock, the record, the head moved on).
STATEMENTS_PER_SCREENING = 6

KHAN = Applicant(names=[("Khan", "Mohammed")], date_of_birth=date(1984, 3, 7))
REVOKED = [
    ("granted", date(2019, 5, 1), None),
    ("suspended", date(2023, 6, 2), "violence"),
    ("revoked", date(2024, 2, 3), "sexual_offence_or_safeguarding"),
]


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    """The statements sent to the database inside the block."""
    sent: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _screen_counting(
    sessions: sessionmaker[Session], engine: Engine
) -> tuple[list[dict[str, Any]], list[str]]:
    with transaction(sessions) as session:
        session.connection()  # the transaction begun outside the count (SQLite sends BEGIN IMMEDIATE)
        with counted(engine) as sent:
            found, authorities = screening.screen_for(session, SYSTEM, KHAN, "Application 2026/7", NO_CONTEXT)
        return screening.as_json(found, authorities), sent


def _person(session: Session, forenames: str) -> Person:
    person = make_person(session, surname="Khan", forenames=forenames, date_of_birth=date(1984, 3, 7))
    person_index.reindex(session, [person.id])
    return person


@pytest.fixture
def one_driver(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        council = make_agency(session, AgencyType.LICENSING_AUTHORITY)
        make_licensed_driver(session, council, ref="A-1", person=_person(session, "Mohammed"))


def test_a_screening_showing_one_driver_costs_a_fixed_number_of_statements(
    sessions: sessionmaker[Session], engine: Engine, one_driver: None
) -> None:
    result, sent = _screen_counting(sessions, engine)
    assert len(result) == 1
    assert len(sent) <= STATEMENTS_PER_SCREENING, "\n\n".join(sent)


def test_more_people_licences_and_authorities_shown_cost_no_more_statements(
    sessions: sessionmaker[Session], engine: Engine, one_driver: None
) -> None:
    _, alone = _screen_counting(sessions, engine)
    with transaction(sessions) as session:
        councils = [make_agency(session, AgencyType.LICENSING_AUTHORITY) for _ in range(3)]
        for n, forenames in enumerate(["Mohammed", "Mohamed", "Muhammad"]):
            person = _person(session, forenames)
            for m, council in enumerate(councils[: n + 1]):
                make_licensed_driver(session, council, ref=f"K-{n}-{m}", person=person, events=REVOKED)
        _person(session, "Mohammad")  # on the register without a licence
    result, crowded = _screen_counting(sessions, engine)
    assert len(result) == 5
    assert sum(len(c["licences"]) for c in result) == 7
    assert len(crowded) == len(alone), "\n\n".join(crowded)


def test_each_candidate_shows_every_licence_in_the_order_recorded_with_its_latest_reason(
    sessions: sessionmaker[Session], engine: Engine
) -> None:
    with transaction(sessions) as session:
        first, second = (make_agency(session, AgencyType.LICENSING_AUTHORITY) for _ in range(2))
        person = _person(session, "Mohammed")
        make_licensed_driver(session, second, ref="B-9", person=person, events=REVOKED)
        make_licensed_driver(session, first, ref="A-1", person=person)
        _person(session, "Mohamed")
        codes = (second.code, first.code)
    result, _ = _screen_counting(sessions, engine)
    assert [c["licences"] for c in result] == [
        [
            {
                "authority": codes[0],
                "authority_licence_ref": "B-9",
                "licence_type": "private_hire_driver",
                "status": "revoked",
                "reason_category": "sexual_offence_or_safeguarding",
            },
            {
                "authority": codes[1],
                "authority_licence_ref": "A-1",
                "licence_type": "private_hire_driver",
                "status": "licensed",
                "reason_category": None,
            },
        ],
        [],  # a person without a licence is still shown
    ]
