"""Requests for details: from a licensing authority to the one holding a licence, due in working days,
answered once by the holder, withdrawn by the asker, listed in each inbox, reminded daily when overdue."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.cli import app as cli
from openmash.config import Settings, get_settings
from openmash.db.session import transaction
from openmash.errors import Conflict, NotFoundError, PermissionDenied, ValidationFailed
from openmash.identity.permissions import AgencyType, Role
from openmash.register import requests
from openmash.register.models import DetailsRequest, Notice
from tests.conftest import make_settings
from tests.support.factories import UserLogin, make_agency, make_user
from tests.support.register import make_licensed_driver, principal_for


@dataclass
class Pair:
    """Asker screens an applicant whom Holder revoked; Third is an unrelated authority."""

    licence_id: uuid.UUID
    asker: UserLogin
    holder: UserLogin
    third: UserLogin


def _pair(sessions: sessionmaker[Session], settings: Settings) -> Pair:
    with transaction(sessions) as session:
        asker = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Asking test council")
        holder = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Holding test council")
        third = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Third test council")
        licence = make_licensed_driver(
            session,
            holder,
            ref="H-1",
            events=[("granted", date(2020, 1, 6), None), ("revoked", date(2025, 6, 2), "violence")],
        )
        ids = (licence.id, asker.id, holder.id, third.id)
    return Pair(
        ids[0],
        make_user(sessions, settings, [Role.LICENSING_OFFICER], agency_id=ids[1]),
        make_user(sessions, settings, [Role.LICENSING_MANAGER], agency_id=ids[2]),
        make_user(sessions, settings, [Role.LICENSING_OFFICER], agency_id=ids[3]),
    )


def _ask(
    sessions: sessionmaker[Session], pair: Pair, today: date = date(2026, 12, 23), working_days: int = 20
) -> uuid.UUID:
    with transaction(sessions) as session:
        made = requests.request_details(
            session,
            principal_for(session, pair.asker),
            pair.licence_id,
            application_reference="PH/2026/0412",
            question="What lay behind the revocation?",
            working_days=working_days,
            context=NO_CONTEXT,
            today=today,
        )
        return made.id


def _notices(session: Session, kind: str) -> list[Notice]:
    return list(session.scalars(select(Notice).where(Notice.kind == kind)))


def test_the_statute_sets_the_default_of_20_working_days() -> None:
    assert make_settings().details_request_working_days == 20
    assert make_settings(details_request_working_days=10).details_request_working_days == 10


def test_a_request_is_due_in_working_days_skipping_the_christmas_bank_holidays(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    pair = _pair(sessions, settings)
    # Wednesday 23 December 2026: Christmas Day (Friday), the Boxing Day substitute (Monday 28th) and New
    # Year's Day (Friday 1 January) do not count, nor do the weekends.
    request_id = _ask(
        sessions, pair, today=date(2026, 12, 23), working_days=settings.details_request_working_days
    )
    with transaction(sessions) as session:
        made = session.get(DetailsRequest, request_id)
        assert made is not None
        assert made.due_on == date(2027, 1, 25)
        assert (made.status, made.requested_by, made.requested_by_user_id) == (
            "open",
            pair.asker.email,
            pair.asker.id,
        )
        [notice] = _notices(session, "details_request")
        assert notice.agency_id == pair.holder.agency_id
        assert notice.details_request_id == request_id
        assert "Answer by 25 January 2027" in notice.summary
        entry = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "register.request.create")
        ).one()
        assert entry.purpose == "PH/2026/0412"


def test_a_shorter_setting_gives_an_earlier_due_date(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    pair = _pair(sessions, settings)
    request_id = _ask(sessions, pair, today=date(2026, 12, 23), working_days=3)
    with transaction(sessions) as session:
        made = session.get(DetailsRequest, request_id)
        assert made is not None
        assert made.due_on == date(2026, 12, 30)


def test_who_may_ask_and_about_what(sessions: sessionmaker[Session], settings: Settings) -> None:
    pair = _pair(sessions, settings)
    analyst = make_user(sessions, settings, [Role.POLICE_ANALYST])
    with transaction(sessions) as session:
        common = {"application_reference": "X", "question": "Y", "working_days": 20, "context": NO_CONTEXT}
        with pytest.raises(ValidationFailed) as caught:
            requests.request_details(session, principal_for(session, pair.holder), pair.licence_id, **common)  # type: ignore[arg-type]
        assert "licence_id" in caught.value.fields  # not to itself
        with pytest.raises(PermissionDenied):
            requests.request_details(session, principal_for(session, analyst), pair.licence_id, **common)  # type: ignore[arg-type]
        with pytest.raises(NotFoundError):
            requests.request_details(session, principal_for(session, pair.asker), uuid.uuid4(), **common)  # type: ignore[arg-type]
        with pytest.raises(ValidationFailed) as caught:
            requests.request_details(
                session,
                principal_for(session, pair.asker),
                pair.licence_id,
                application_reference=" ",
                question="",
                working_days=20,
                context=NO_CONTEXT,
            )
        assert set(caught.value.fields) == {"application_reference", "question"}
    with transaction(sessions) as session:
        assert session.scalars(select(DetailsRequest)).all() == []
        assert session.scalars(select(Notice)).all() == []


def test_one_open_request_per_licence_and_application(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    pair = _pair(sessions, settings)
    _ask(sessions, pair)
    with pytest.raises(ValidationFailed) as caught:
        _ask(sessions, pair)
    assert "application_reference" in caught.value.fields


def test_only_the_holder_answers_and_only_once(sessions: sessionmaker[Session], settings: Settings) -> None:
    pair = _pair(sessions, settings)
    request_id = _ask(sessions, pair)
    with transaction(sessions) as session:
        for outsider in (pair.asker, pair.third):
            with pytest.raises(PermissionDenied):
                requests.answer_request(
                    session, principal_for(session, outsider), request_id, answer="x", context=NO_CONTEXT
                )
        with pytest.raises(ValidationFailed) as caught:
            requests.answer_request(
                session, principal_for(session, pair.holder), request_id, answer="  ", context=NO_CONTEXT
            )
        assert set(caught.value.fields) == {"answer"}
    with transaction(sessions) as session:
        answered = requests.answer_request(
            session,
            principal_for(session, pair.holder),
            request_id,
            answer="Assault on a passenger, conviction 2025",
            context=NO_CONTEXT,
        )
        assert (answered.status, answered.answered_by) == ("answered", pair.holder.email)
    with transaction(sessions) as session, pytest.raises(Conflict):
        requests.answer_request(
            session, principal_for(session, pair.holder), request_id, answer="again", context=NO_CONTEXT
        )
    with transaction(sessions) as session:
        stored = session.get(DetailsRequest, request_id)
        assert stored is not None
        assert stored.answer == "Assault on a passenger, conviction 2025"
        [told] = _notices(session, "details_answered")
        assert told.agency_id == pair.asker.agency_id
        assert "Assault" not in told.summary
        actions = set(session.scalars(select(AuditRecord.action)))
        assert "register.request.answer" in actions


def test_only_the_asker_withdraws_and_then_nobody_answers(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    pair = _pair(sessions, settings)
    request_id = _ask(sessions, pair)
    with transaction(sessions) as session:
        with pytest.raises(PermissionDenied):
            requests.withdraw_request(
                session, principal_for(session, pair.holder), request_id, context=NO_CONTEXT
            )
        requests.withdraw_request(session, principal_for(session, pair.asker), request_id, context=NO_CONTEXT)
    with transaction(sessions) as session:
        with pytest.raises(Conflict):
            requests.answer_request(
                session, principal_for(session, pair.holder), request_id, answer="x", context=NO_CONTEXT
            )
        with pytest.raises(Conflict):
            requests.withdraw_request(
                session, principal_for(session, pair.asker), request_id, context=NO_CONTEXT
            )
    with transaction(sessions) as session:
        [told] = _notices(session, "details_withdrawn")
        assert told.agency_id == pair.holder.agency_id
        assert "register.request.withdraw" in set(session.scalars(select(AuditRecord.action)))


def test_each_inbox_shows_its_side_with_due_and_overdue_flags(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    pair = _pair(sessions, settings)
    request_id = _ask(sessions, pair, today=date(2026, 12, 23))  # due 25 January 2027
    with transaction(sessions) as session:
        holder = requests.inbox(session, principal_for(session, pair.holder), date(2027, 1, 25))
        assert [r.id for r in holder.incoming] == [request_id]
        assert holder.outgoing == []
        assert not holder.incoming[0].overdue
        assert holder.incoming[0].working_days_left == 0
        assert holder.incoming[0].can_answer
        asker = requests.inbox(session, principal_for(session, pair.asker), date(2027, 1, 26))
        assert [r.id for r in asker.outgoing] == [request_id]
        assert asker.outgoing[0].overdue
        assert asker.outgoing[0].can_withdraw
        assert not asker.outgoing[0].can_answer
        assert asker.outgoing[0].person_name == "Sam Testdriver"
        third = requests.inbox(session, principal_for(session, pair.third), date(2027, 1, 26))
        assert (third.incoming, third.outgoing) == ([], [])
        with pytest.raises(PermissionDenied):
            requests.view_request(session, principal_for(session, pair.third), request_id, NO_CONTEXT)
        assert requests.view_request(
            session, principal_for(session, pair.asker), request_id, NO_CONTEXT
        ).question
        assert {"register.request.list", "register.request.view"} <= set(
            session.scalars(select(AuditRecord.action))
        )


def test_reminders_once_per_overdue_request_per_working_day(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    pair = _pair(sessions, settings)
    overdue = _ask(sessions, pair, today=date(2026, 12, 23))  # due Monday 25 January 2027
    with transaction(sessions) as session:
        answered = requests.request_details(
            session,
            principal_for(session, pair.asker),
            pair.licence_id,
            application_reference="PH/2026/0999",
            question="And this one?",
            working_days=20,
            context=NO_CONTEXT,
            today=date(2026, 12, 23),
        ).id
        later = requests.request_details(
            session,
            principal_for(session, pair.third),
            pair.licence_id,
            application_reference="HC/2027/1",
            question="Not yet due",
            working_days=20,
            context=NO_CONTEXT,
            today=date(2027, 1, 20),
        ).id
    with transaction(sessions) as session:
        requests.answer_request(
            session, principal_for(session, pair.holder), answered, answer="Done", context=NO_CONTEXT
        )
    with transaction(sessions) as session:
        assert requests.send_reminders(session, date(2027, 1, 25)) == 0  # due today is not overdue
        assert requests.send_reminders(session, date(2027, 1, 26)) == 1
    with transaction(sessions) as session:
        assert requests.send_reminders(session, date(2027, 1, 26)) == 0  # the same day again adds nothing
        assert requests.send_reminders(session, date(2027, 1, 30)) == 0  # Saturday
        assert requests.send_reminders(session, date(2027, 2, 1)) == 1
    with transaction(sessions) as session:
        reminders = _notices(session, "details_overdue")
        assert len(reminders) == 2
        assert {n.details_request_id for n in reminders} == {overdue}
        assert {n.agency_id for n in reminders} == {pair.holder.agency_id}
        assert (
            "was due on 25 January 2027 (1 working day ago)"
            in min(reminders, key=lambda n: n.created_at).summary
        )
        stored = session.get(DetailsRequest, overdue)
        assert stored is not None
        assert stored.last_reminded_on == date(2027, 2, 1)
        entries = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "register.request.remind")
        ).all()
        assert len(entries) == 2
        assert str(later) not in "".join(e.details for e in entries)


def test_the_daily_command_reminds_once(
    sessions: sessionmaker[Session], settings: Settings, engine: Engine
) -> None:
    pair = _pair(sessions, settings)
    _ask(sessions, pair, today=date(2026, 12, 23))  # due Monday 25 January 2027
    env = {
        "OPENMASH_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "OPENMASH_ENVIRONMENT": "test",
    }
    get_settings.cache_clear()
    try:
        first = CliRunner().invoke(cli, ["requests", "remind", "--date", "2027-01-26"], env=env)
        second = CliRunner().invoke(cli, ["requests", "remind", "--date", "2027-01-26"], env=env)
        bad = CliRunner().invoke(cli, ["requests", "remind", "--date", "26/01/2027"], env=env)
    finally:
        get_settings.cache_clear()
    assert (first.exit_code, second.exit_code, bad.exit_code) == (0, 0, 2)
    assert "1 overdue request(s) reminded" in first.output
    assert "0 overdue request(s) reminded" in second.output
