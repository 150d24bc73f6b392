"""MASH triage: contacts graded Red, Amber or Green with due times in working time (weekends, bank holidays
and the change of the clocks skipped), regrading kept as history, one decision by a named MASH user, a queue
ordered by due time with overdue ones marked; only the MASH triages; all court-safe."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import Conflict, NotFoundError, PermissionDenied, ValidationFailed
from openmash.identity.permissions import Role
from openmash.identity.principal import Principal
from openmash.safeguarding import triage
from openmash.safeguarding.models_care import MashContact
from openmash.safeguarding.triage import Referral
from openmash.safeguarding.triage_timescales import DEFAULT_TIMESCALES, Grade, TriageConfig
from openmash.safeguarding.worktime import Timescale, Unit, WorkingHours
from tests.support.care import audits, details, faker, refused
from tests.support.factories import make_user
from tests.support.safeguarding import NOW, Cast, at, make_cast, make_child, record, who

LATER = datetime(2027, 2, 1, 12, tzinfo=UTC)  # "now" when grading contacts received in 2026


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


def _referral(session: Session, mash: Principal, received_at: datetime, now: datetime = LATER) -> MashContact:
    child = make_child(session, mash)
    data = Referral(
        referrer=f"{faker.first_name()}, mother, by telephone",
        summary="Worried about older boyfriend",
        received_at=received_at,
    )
    return triage.record_referral(session, mash, child.id, data, NO_CONTEXT, now=now)


def _grade(
    session: Session, mash: Principal, contact: MashContact, grade: str, now: datetime = LATER, **kw: object
):  # type: ignore[no-untyped-def]
    return triage.grade_contact(session, mash, contact.id, grade, "Reasons given", NO_CONTEXT, now=now, **kw)  # type: ignore[arg-type]


def _uk(year: int, month: int, day: int, hour: int, minute: int = 0, *, bst: bool = False) -> datetime:
    """A time on the clock in England as UTC (BST is an hour ahead)."""
    return datetime(year, month, day, hour - (1 if bst else 0), minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("grade", "received", "due"),
    [
        # Red: 4 working hours, 09:00-17:00 Monday to Friday.
        ("red", _uk(2026, 3, 10, 10), _uk(2026, 3, 10, 14)),  # Tuesday, within the day
        ("red", _uk(2026, 3, 6, 15), _uk(2026, 3, 9, 11)),  # Friday 15:00: two hours Friday, two Monday
        ("red", _uk(2026, 3, 7, 10), _uk(2026, 3, 9, 13)),  # Saturday: from Monday 09:00
        ("red", _uk(2026, 3, 6, 17, 30), _uk(2026, 3, 9, 13)),  # Friday evening: from Monday 09:00
        ("red", _uk(2026, 3, 10, 7), _uk(2026, 3, 10, 13)),  # before the day starts
        ("red", _uk(2026, 5, 1, 15, bst=True), _uk(2026, 5, 5, 11, bst=True)),  # Monday 4 May a bank holiday
        ("red", _uk(2026, 3, 27, 15), _uk(2026, 3, 30, 11, bst=True)),  # the clocks go forward on the Sunday
        ("red", _uk(2026, 3, 10, 13), _uk(2026, 3, 10, 17)),  # exactly to the end of the day
        # Amber: 1 working day, the same time the next working day.
        ("amber", _uk(2026, 3, 10, 10), _uk(2026, 3, 11, 10)),
        ("amber", _uk(2026, 4, 2, 10, bst=True), _uk(2026, 4, 7, 10, bst=True)),  # Good Friday, Easter Monday
        ("amber", _uk(2026, 3, 6, 18), _uk(2026, 3, 10, 9)),  # Friday evening counts from Monday 09:00
        # Green: 3 working days.
        ("green", _uk(2026, 12, 23, 14), _uk(2026, 12, 30, 14)),  # Christmas Day, Boxing Day substitute
        ("green", _uk(2026, 3, 11, 16), _uk(2026, 3, 16, 16)),
    ],
)
def test_due_times_count_working_time_across_weekends_and_bank_holidays(
    sessions: sessionmaker[Session], cast: Cast, grade: str, received: datetime, due: datetime
) -> None:
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        graded = _grade(session, mash, _referral(session, mash, received), grade)
    assert graded.due_at == due


def test_the_defaults_read_amber_24_and_green_72_as_one_and_three_working_days() -> None:
    labels = {str(g): t.label for g, t in DEFAULT_TIMESCALES.items()}
    assert labels == {"red": "4 working hours", "amber": "1 working day", "green": "3 working days"}


def test_timescales_and_working_hours_are_configurable(sessions: sessionmaker[Session], cast: Cast) -> None:
    config = TriageConfig(
        timescales={
            Grade.RED: Timescale(2, Unit.HOURS),
            Grade.AMBER: Timescale(24, Unit.WORKING_HOURS),
            Grade.GREEN: Timescale(72, Unit.WORKING_HOURS),
        },
        hours=WorkingHours(starts=time(8), ends=time(18)),
    )
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        red = _grade(session, mash, _referral(session, mash, _uk(2026, 3, 7, 10)), "red", config=config)
        amber = _grade(session, mash, _referral(session, mash, _uk(2026, 3, 9, 8)), "amber", config=config)
    assert red.due_at == _uk(2026, 3, 7, 12)  # the plain clock, on a Saturday
    assert (amber.due_at, amber.timescale) == (_uk(2026, 3, 11, 12), "24 working hours")  # 10 hours a day
    with pytest.raises(ValueError, match="every grade"):
        TriageConfig(timescales={Grade.RED: Timescale(4, Unit.WORKING_HOURS)})


def test_regrading_keeps_the_history_and_counts_from_when_the_contact_came_in(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    received = _uk(2026, 3, 9, 9)
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        contact = _referral(session, mash, received, now=NOW)
        _grade(session, mash, contact, "green", now=_uk(2026, 3, 9, 10))
        with pytest.raises(Conflict):
            _grade(session, mash, contact, "green", now=_uk(2026, 3, 9, 11))
        red = _grade(session, mash, contact, "red", now=_uk(2026, 3, 10, 11))
        history = triage.grade_history(session, mash, contact.id)
        regraded = details(audits(session, "safeguarding.triage.grade")[-1])
    assert [g.grade for g in history] == ["green", "red"]
    assert red.due_at == _uk(2026, 3, 9, 13)  # four working hours from receipt: already passed
    assert regraded["previous"] == "green"
    with transaction(sessions) as session:
        (item,) = triage.queue(session, who(session, cast.mash), now=NOW)
        assert (item.grade, item.grades_given, item.overdue) == ("red", 2, True)


def test_the_queue_is_ordered_by_due_time_with_overdue_marked_and_decided_ones_gone(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    now = _uk(2026, 3, 11, 12)
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        green = _referral(session, mash, _uk(2026, 3, 9, 10), now=now)  # due Thursday 12th 10:00
        amber = _referral(session, mash, _uk(2026, 3, 10, 10), now=now)  # due Wednesday 11th 10:00: overdue
        ungraded = _referral(session, mash, _uk(2026, 3, 11, 11), now=now)  # queued as Red: due 15:00
        decided = _referral(session, mash, _uk(2026, 3, 9, 9), now=now)
        _grade(session, mash, green, "green", now=now)
        _grade(session, mash, amber, "amber", now=now)
        _grade(session, mash, decided, "red", now=now)
        triage.decide(session, mash, decided.id, "strategy_discussion", "Risk of harm", NO_CONTEXT, now=now)
    with transaction(sessions) as session:
        found = triage.queue(session, who(session, cast.mash), now=now)
        assert [(i.contact_id, i.grade, i.overdue) for i in found] == [
            (amber.id, "amber", True),
            (ungraded.id, None, False),
            (green.id, "green", False),
        ]
        (listed,) = audits(session, "safeguarding.triage.queue")
        assert listed.purpose == triage.QUEUE_PURPOSE
        assert details(listed)["overdue"] == 1


def test_a_concern_sent_to_the_mash_is_a_contact_in_its_queue_only(
    sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    other_mash = make_user(sessions, settings, [Role.MASH_PRACTITIONER])
    with transaction(sessions) as session:
        school, police = who(session, cast.school), who(session, cast.police)
        child = make_child(session, school)
        concern = record(
            session, school, child.id, "online_grooming", at(2026, 3, 9), summary="Messages from an adult"
        )
        with pytest.raises(PermissionDenied):  # only the recording agency sends its concern
            triage.refer_concern(session, police, concern.id, cast.mash.agency_id, NO_CONTEXT, now=NOW)
        with pytest.raises(ValidationFailed):  # to a MASH
            triage.refer_concern(session, school, concern.id, cast.police.agency_id, NO_CONTEXT, now=NOW)  # type: ignore[arg-type]
        contact = triage.refer_concern(session, school, concern.id, cast.mash.agency_id, NO_CONTEXT, now=NOW)  # type: ignore[arg-type]
        with pytest.raises(Conflict):
            triage.refer_concern(session, school, concern.id, cast.mash.agency_id, NO_CONTEXT, now=NOW)  # type: ignore[arg-type]
    with transaction(sessions) as session:
        (item,) = triage.queue(session, who(session, cast.mash), now=NOW)
        assert (item.contact_id, item.source, item.category) == (contact.id, "concern", "Online grooming")
        assert item.summary == "Messages from an adult"
        assert item.received_at == NOW
        assert triage.queue(session, who(session, other_mash), now=NOW) == []
        with pytest.raises(NotFoundError):
            _grade(session, who(session, other_mash), contact, "red")


@pytest.mark.parametrize("login", ["school", "home", "police", "health", "licensing"])
def test_only_the_mash_triages(sessions: sessionmaker[Session], cast: Cast, login: str) -> None:
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        contact = _referral(session, mash, _uk(2026, 3, 9, 10))
        outsider = who(session, getattr(cast, login))
        with pytest.raises(PermissionDenied):
            _grade(session, outsider, contact, "red")
        with pytest.raises(PermissionDenied):
            triage.decide(session, outsider, contact.id, "assessment", "x", NO_CONTEXT, now=LATER)
        with pytest.raises(PermissionDenied):
            triage.queue(session, outsider, now=LATER)
        with pytest.raises(PermissionDenied):
            triage.record_referral(
                session, outsider, contact.child_id, Referral("Neighbour", "Shouting"), NO_CONTEXT, now=LATER
            )


def test_a_decision_needs_a_grade_is_made_once_and_ends_the_grading(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        contact = _referral(session, mash, _uk(2026, 3, 9, 10))
        with pytest.raises(Conflict):
            triage.decide(session, mash, contact.id, "early_help", "Family support", NO_CONTEXT, now=LATER)
        _grade(session, mash, contact, "amber")
        with pytest.raises(ValidationFailed) as failed:
            triage.decide(session, mash, contact.id, "ignore", " ", NO_CONTEXT, now=LATER)
        assert set(failed.value.fields) == {"next_step", "reasons"}
        decision = triage.decide(
            session, mash, contact.id, "early_help", "Family support", NO_CONTEXT, now=LATER
        )
        with pytest.raises(Conflict):
            triage.decide(session, mash, contact.id, "assessment", "Again", NO_CONTEXT, now=LATER)
        with pytest.raises(Conflict):
            _grade(session, mash, contact, "red")
        decided = details(audits(session, "safeguarding.triage.decide")[-1])
    assert (decision.next_step, decision.decided_by_user_id) == ("early_help", cast.mash.id)
    assert decided == {"next_step": "early_help", "grade": "amber", "in_time": False}


def test_the_services_offer_no_way_to_edit_or_delete() -> None:
    public = [n for n, _ in inspect.getmembers(triage, inspect.isfunction) if not n.startswith("_")]
    for word in ("update", "edit", "delete", "remove", "change", "amend", "withdraw"):
        assert not [n for n in public if word in n], word


@pytest.mark.parametrize("table", ["mash_contacts", "triage_grades", "triage_decisions"])
def test_the_database_refuses_to_edit_or_delete_triage_records(
    sessions: sessionmaker[Session], cast: Cast, engine: Engine, table: str
) -> None:
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        contact = _referral(session, mash, _uk(2026, 3, 9, 10))
        _grade(session, mash, contact, "red")
        triage.decide(session, mash, contact.id, "assessment", "Single assessment", NO_CONTEXT, now=LATER)
    refused(engine, table)
