"""The chronology: back-dated entries fall into their place, filters narrow it, and a correction is shown
beside the entry it corrects."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.safeguarding import concerns
from openmash.safeguarding.chronology import Chronology, ChronologyFilter, chronology
from openmash.safeguarding.concerns import ConcernInput
from tests.support.factories import UserLogin
from tests.support.safeguarding import NOW, Cast, at, make_cast, make_child, record, who

PURPOSE = "Weekly MASH review"


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


def _view(
    sessions: sessionmaker[Session],
    login: UserLogin,
    child_id: object,
    filters: ChronologyFilter | None = None,
) -> Chronology:
    with transaction(sessions) as session:
        return chronology(
            session,
            who(session, login),
            child_id,
            purpose=PURPOSE,
            context=NO_CONTEXT,
            filters=filters,  # type: ignore[arg-type]
        )


def test_a_back_dated_entry_falls_into_its_place(sessions: sessionmaker[Session], cast: Cast) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        record(session, school, child.id, "school_absence_or_exclusion", at(2026, 3, 2))
        record(
            session, school, child.id, "going_missing", at(2026, 1, 15)
        )  # written today, happened in January
    entries = _view(sessions, cast.mash, child.id).entries
    assert [(e.category_code, e.backdated) for e in entries] == [
        ("going_missing", True),
        ("school_absence_or_exclusion", True),
    ]
    assert entries[0].recorded_at == NOW


def test_an_entry_written_the_same_day_is_not_called_back_dated(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        record(session, school, child.id, occurred_at=datetime(2026, 3, 10, 9, tzinfo=UTC))
    assert [e.backdated for e in _view(sessions, cast.mash, child.id).entries] == [False]


@pytest.fixture
def spread(sessions: sessionmaker[Session], cast: Cast) -> object:
    """Signs spread thinly across school, health and police."""
    with transaction(sessions) as session:
        school, health, police = (
            who(session, cast.school),
            who(session, cast.health),
            who(session, cast.police),
        )
        child = make_child(session, school)
        record(session, school, child.id, "school_absence_or_exclusion", at(2025, 6, 10))
        # 23:30 in UTC on 1 July is 00:30 on 2 July in England (summer time).
        record(
            session,
            health,
            child.id,
            "sexually_transmitted_infection",
            datetime(2025, 7, 1, 23, 30, tzinfo=UTC),
        )
        record(session, police, child.id, "going_missing", at(2025, 8, 20), shared_with_police=True)
        return child.id


def test_the_chronology_filters_by_agency_type(
    sessions: sessionmaker[Session], cast: Cast, spread: object
) -> None:
    found = _view(sessions, cast.mash, spread, ChronologyFilter(agency_types={"school", "health"}))
    assert [e.agency_type for e in found.entries] == ["school", "health"]


def test_the_chronology_filters_by_category(
    sessions: sessionmaker[Session], cast: Cast, spread: object
) -> None:
    found = _view(sessions, cast.mash, spread, ChronologyFilter(categories={"going_missing"}))
    assert [e.category_code for e in found.entries] == ["going_missing"]


def test_the_chronology_filters_by_days_in_england(
    sessions: sessionmaker[Session], cast: Cast, spread: object
) -> None:
    to_first = _view(sessions, cast.mash, spread, ChronologyFilter(occurred_to=date(2025, 7, 1)))
    assert [e.category_code for e in to_first.entries] == ["school_absence_or_exclusion"]
    from_second = _view(
        sessions,
        cast.mash,
        spread,
        ChronologyFilter(occurred_from=date(2025, 7, 2), occurred_to=date(2025, 7, 2)),
    )
    assert [e.category_code for e in from_second.entries] == ["sexually_transmitted_infection"]


def test_filters_never_widen_what_a_viewer_may_see(
    sessions: sessionmaker[Session], cast: Cast, spread: object
) -> None:
    found = _view(
        sessions, cast.police, spread, ChronologyFilter(agency_types={"school", "health", "police_force"})
    )
    assert [e.agency_type for e in found.entries] == ["police_force"]


def test_the_view_and_its_filters_are_audited(
    sessions: sessionmaker[Session], cast: Cast, spread: object
) -> None:
    _view(sessions, cast.mash, spread, ChronologyFilter(categories={"going_missing"}))
    with transaction(sessions) as session:
        (view,) = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "safeguarding.chronology.view")
        ).all()
        assert json.loads(view.details)["filters"]["categories"] == ["going_missing"]
        assert view.purpose == PURPOSE


def test_a_correction_is_shown_with_its_reason_and_the_original_marked_corrected(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        home = who(session, cast.home)
        child = make_child(session, home)
        original = record(session, home, child.id, "going_missing", at(2026, 2, 1))
        correction = concerns.correct_concern(
            session,
            home,
            original.id,
            ConcernInput("going_missing", at(2026, 2, 2), "Missing overnight, returned by police at 06:00."),
            "Wrong night entered",
            NO_CONTEXT,
            now=NOW,
        )
    entries = {e.id: e for e in _view(sessions, cast.mash, child.id).entries}
    assert entries[original.id].corrected
    assert entries[original.id].corrected_by_id == correction.id
    assert not entries[correction.id].corrected
    assert entries[correction.id].corrects_id == original.id
    assert entries[correction.id].correction_reason == "Wrong night entered"
