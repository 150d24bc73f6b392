"""Concerns are court-safe: kept exactly as recorded, never edited or deleted, corrected only by a new entry
that names the old one and says why; restricted categories are recorded only by the roles they name."""

from __future__ import annotations

import inspect
import json
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import Conflict, PermissionDenied, ValidationFailed
from openmash.safeguarding import concerns
from openmash.safeguarding.concerns import ConcernInput
from openmash.safeguarding.models import Concern
from tests.support.safeguarding import NOW, Cast, at, make_cast, make_child, record, who

WORDS = "  he said I was his girlfriend\nand that\tthe car was ours — don't tell anyone  "


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


def _input(**kw: object) -> ConcernInput:
    values: dict[str, object] = {
        "category_code": "going_missing",
        "occurred_at": at(2026, 3, 1),
        "summary": "Not back at the home by 22:00; returned at 03:10.",
    }
    values.update(kw)
    return ConcernInput(**values)  # type: ignore[arg-type]


def test_the_childs_own_words_are_kept_exactly_as_typed(sessions: sessionmaker[Session], cast: Cast) -> None:
    with transaction(sessions) as session:
        home = who(session, cast.home)
        child = make_child(session, home)
        concern = record(session, home, child.id, childs_words=WORDS)
    with transaction(sessions) as session:
        stored = session.get(Concern, concern.id)
        assert stored is not None
        assert stored.childs_words == WORDS


def test_a_back_dated_concern_keeps_when_it_happened_and_when_it_was_written(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        concern = record(session, school, child.id, occurred_at=at(2025, 11, 3, 8))
    assert concern.occurred_at == at(2025, 11, 3, 8)
    assert concern.recorded_at == NOW


def test_a_concern_in_the_future_is_refused(sessions: sessionmaker[Session], cast: Cast) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        with pytest.raises(ValidationFailed) as failed:
            record(session, school, child.id, occurred_at=NOW + timedelta(hours=1))
        assert "occurred_at" in failed.value.fields


def test_a_vehicle_is_kept_in_the_registers_form_so_the_plate_lookup_finds_it(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        home = who(session, cast.home)
        child = make_child(session, home)
        concern = record(
            session,
            home,
            child.id,
            category="picked_up_by_taxi_or_car",
            vehicle_registration=" ab12 cde ",
            vehicle_description="Silver Toyota Prius, taxi sign on the roof",
        )
        assert concern.vehicle_registration == "AB12CDE"
        with pytest.raises(ValidationFailed) as failed:
            record(
                session, home, child.id, category="picked_up_by_taxi_or_car", vehicle_registration="AB-12!"
            )
        assert "vehicle_registration" in failed.value.fields


def test_a_blank_summary_and_an_unknown_category_are_refused(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        with pytest.raises(ValidationFailed) as failed:
            concerns.record_concern(
                session, school, child.id, _input(category_code="nope", summary="  "), NO_CONTEXT, now=NOW
            )
        assert set(failed.value.fields) == {"category", "summary"}


def test_only_the_roles_a_restricted_category_names_record_in_it(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        with pytest.raises(ValidationFailed, match="problem") as failed:
            record(session, school, child.id, category="police_intelligence")
        assert "restricted" in failed.value.fields["category"]
        assert record(session, who(session, cast.police), child.id, category="police_intelligence")


def test_a_licensing_officer_does_not_record_concerns_about_children(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        child = make_child(session, who(session, cast.school))
        with pytest.raises(PermissionDenied):
            record(session, who(session, cast.licensing), child.id)


def test_recording_a_concern_is_audited_without_its_text(sessions: sessionmaker[Session], cast: Cast) -> None:
    with transaction(sessions) as session:
        home = who(session, cast.home)
        child = make_child(session, home)
        concern = record(session, home, child.id, childs_words=WORDS, shared_with_police=True)
    with transaction(sessions) as session:
        (entry,) = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "safeguarding.concern.record")
        ).all()
        assert entry.object_id == str(concern.id)
        details = json.loads(entry.details)
        assert details["shared_with_police"] is True
        assert details["category"] == "going_missing"
        assert "girlfriend" not in entry.details


def test_a_correction_is_a_new_entry_and_the_original_stays_as_it_was(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        original = record(session, school, child.id, summary="Left at lunch with an older male.")
        correction = concerns.correct_concern(
            session,
            school,
            original.id,
            _input(category_code="unknown_or_older_adults", summary="Left at lunch with an older male."),
            "Wrong category chosen",
            NO_CONTEXT,
            now=NOW,
        )
    with transaction(sessions) as session:
        kept = session.get(Concern, original.id)
        assert kept is not None
        assert kept.category.code == "going_missing"
        assert correction.corrects_id == original.id
        assert correction.correction_reason == "Wrong category chosen"
        assert [c.id for c in concerns.current_concerns(session, child.id)] == [correction.id]
        (entry,) = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "safeguarding.concern.correct")
        ).all()
        changed = json.loads(entry.details)["changed"]
        assert changed["category"] == {"from": "going_missing", "to": "unknown_or_older_adults"}


def test_a_correction_needs_a_reason_and_the_recording_agency(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        original = record(session, school, child.id)
        with pytest.raises(ValidationFailed) as failed:
            concerns.correct_concern(session, school, original.id, _input(), "  ", NO_CONTEXT, now=NOW)
        assert "reason" in failed.value.fields
        with pytest.raises(PermissionDenied):
            concerns.correct_concern(
                session,
                who(session, cast.mash),
                original.id,
                _input(),
                "Not ours to fix",
                NO_CONTEXT,
                now=NOW,
            )


def test_a_concern_is_corrected_once_and_a_later_correction_corrects_the_correction(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        original = record(session, school, child.id)
        first = concerns.correct_concern(
            session, school, original.id, _input(), "Time was wrong", NO_CONTEXT, now=NOW
        )
        with pytest.raises(Conflict):
            concerns.correct_concern(session, school, original.id, _input(), "Again", NO_CONTEXT, now=NOW)
        second = concerns.correct_concern(
            session, school, first.id, _input(), "Time still wrong", NO_CONTEXT, now=NOW
        )
        assert [c.id for c in concerns.current_concerns(session, child.id)] == [second.id]


def test_the_service_layer_offers_no_way_to_edit_or_delete_a_concern() -> None:
    public = [
        name for name, _ in inspect.getmembers(concerns, inspect.isfunction) if not name.startswith("_")
    ]
    assert public
    for word in ("update", "edit", "delete", "remove", "change", "amend", "withdraw"):
        assert not [name for name in public if word in name], word


@pytest.mark.parametrize(
    "statement", ["UPDATE child_concerns SET summary = 'x'", "DELETE FROM child_concerns"]
)
def test_the_database_refuses_to_edit_or_delete_a_concern(
    sessions: sessionmaker[Session], cast: Cast, engine: Engine, statement: str
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        record(session, school, make_child(session, school).id)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    with transaction(sessions) as session:
        assert len(session.scalars(select(Concern)).all()) == 1
