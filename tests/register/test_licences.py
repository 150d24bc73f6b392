"""Decisions on licences: recorded once, never edited, corrected by superseding, and the status follows."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from openmash.db.session import transaction
from openmash.errors import ValidationFailed
from openmash.identity.permissions import AgencyType
from openmash.register import licences
from openmash.register.models import Licence, LicenceEvent, Person
from tests.support.factories import make_agency


def _licence(session: Session) -> Licence:
    authority = make_agency(session, AgencyType.LICENSING_AUTHORITY)
    person = Person(surname="Testperson", forenames="Alex", date_of_birth=date(1980, 5, 17))
    session.add(person)
    session.flush()
    licence = Licence(
        authority_id=authority.id,
        authority_licence_ref="PH-0001",
        licence_type="private_hire_driver",
        person_id=person.id,
        status="applied",
        status_since=date(2024, 1, 2),
    )
    session.add(licence)
    session.flush()
    return licence


def _record(
    session: Session, licence: Licence, kind: str, day: date, reason: str | None = None, **kw: object
):  # type: ignore[no-untyped-def]
    return licences.record_event(
        session,
        licence,
        kind=kind,
        event_date=day,
        reason_category=reason,
        recorded_by="officer",
        source="web",
        **kw,
    )


def test_status_follows_the_latest_decision(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        licence = _licence(session)
        _record(session, licence, "applied", date(2024, 1, 2))
        _record(session, licence, "granted", date(2024, 2, 1))
        assert (licence.status, licence.status_since) == ("licensed", date(2024, 2, 1))
        _record(session, licence, "revoked", date(2025, 3, 4), "sexual_offence_or_safeguarding")
        assert licence.status == "revoked"
        # A decision entered late, but dated earlier, does not hide the revocation.
        _record(session, licence, "renewed", date(2025, 1, 1))
        assert licence.status == "revoked"


def test_the_same_decision_twice_is_recorded_once(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        licence = _licence(session)
        assert _record(session, licence, "granted", date(2024, 2, 1)) is not None
        assert _record(session, licence, "granted", date(2024, 2, 1)) is None
        assert len(licence.events) == 1


def test_a_correction_supersedes_without_editing(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        licence = _licence(session)
        _record(session, licence, "granted", date(2024, 2, 1))
        wrong = _record(session, licence, "suspended", date(2024, 6, 1), "violence")
        assert licence.status == "suspended"
        _record(
            session,
            licence,
            "granted",
            date(2024, 2, 2),
            note="suspension entered in error",
            supersedes=wrong,
        )
        assert licence.status == "licensed"
        assert len(licence.events) == 3  # the mistaken suspension is still there, superseded


@pytest.mark.parametrize(
    ("kind", "reason", "field"),
    [
        ("revoked", None, "reason_category"),
        ("granted", "violence", "reason_category"),
        ("cancelled", None, "event"),
        ("suspended", "bad_driving", "reason_category"),
    ],
)
def test_decision_rules(sessions: sessionmaker[Session], kind: str, reason: str | None, field: str) -> None:
    with transaction(sessions) as session:
        licence = _licence(session)
        with pytest.raises(ValidationFailed) as caught:
            _record(session, licence, kind, date(2024, 2, 1), reason)
        assert field in caught.value.fields


@pytest.mark.parametrize("statement", ["UPDATE licence_events SET note = 'x'", "DELETE FROM licence_events"])
def test_the_database_refuses_to_edit_decisions(
    sessions: sessionmaker[Session], engine: Engine, statement: str
) -> None:
    with transaction(sessions) as session:
        _record(session, _licence(session), "granted", date(2024, 2, 1))
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    with transaction(sessions) as session:
        assert session.query(LicenceEvent).count() == 1
