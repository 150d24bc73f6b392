"""Requests for help: the child's words kept exactly, acknowledged and answered by a named person within
working times, escalated to the MASH's managers when not (once, however often the job runs), listed until
closed, and closed only with the child's own view of the outcome; all court-safe."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import Conflict, NotFoundError, PermissionDenied, ValidationFailed
from openmash.identity.permissions import Role
from openmash.identity.principal import Principal
from openmash.safeguarding import help_requests, help_responses
from openmash.safeguarding.chronology import chronology
from openmash.safeguarding.help_requests import HelpConfig, HelpInput
from openmash.safeguarding.models_care import HelpRequest, HelpRequestStep
from openmash.safeguarding.worktime import Timescale, Unit
from tests.support.care import audits, details, refused
from tests.support.factories import UserLogin, make_user
from tests.support.safeguarding import NOW, Cast, make_cast, make_child, who

WORDS = "  please don't tell them I told you.\nI want it to stop, I just want to go home  "
VIEW = "  they listened this time. I feel safer\tnow "
ASKED = datetime(2026, 3, 6, 16, tzinfo=UTC)  # a Friday, 16:00 in England
ACK_DUE = datetime(2026, 3, 9, 16, tzinfo=UTC)  # 1 working day: Monday 16:00
ANSWER_DUE = datetime(2026, 3, 13, 16, tzinfo=UTC)  # 5 working days: the next Friday 16:00


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


@pytest.fixture
def manager(sessions: sessionmaker[Session], settings: Settings, cast: Cast) -> UserLogin:
    return make_user(sessions, settings, [Role.MASH_MANAGER], agency_id=cast.mash.agency_id)


def _ask(
    session: Session, recorder: Principal, cast: Cast, asked_at: datetime = ASKED, **kw: object
) -> HelpRequest:
    child = make_child(session, recorder)
    values: dict[str, object] = {
        "asked_at": asked_at,
        "told_to": "Her form tutor",
        "childs_words": WORDS,
        "mash_agency_id": cast.mash.agency_id,
    }
    values.update(kw)
    config = values.pop("config", help_requests.DEFAULT_CONFIG)
    data = HelpInput(**values)  # type: ignore[arg-type]
    return help_requests.record_request(session, recorder, child.id, data, NO_CONTEXT, now=NOW, config=config)  # type: ignore[arg-type]


def _request(sessions: sessionmaker[Session], cast: Cast, **kw: object) -> HelpRequest:
    with transaction(sessions) as session:
        return _ask(session, who(session, cast.school), cast, **kw)


def test_a_request_keeps_the_childs_words_and_fixes_its_times_in_working_days(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    request = _request(sessions, cast)
    with transaction(sessions) as session:
        stored = session.get(HelpRequest, request.id)
        assert stored is not None
        assert stored.childs_words == WORDS
        assert (stored.acknowledge_due_at, stored.answer_due_at) == (ACK_DUE, ANSWER_DUE)


def test_times_skip_bank_holidays_and_are_configurable(sessions: sessionmaker[Session], cast: Cast) -> None:
    easter = _request(sessions, cast, asked_at=datetime(2025, 4, 17, 10, tzinfo=UTC))  # Thursday 11:00 BST
    assert easter.acknowledge_due_at == datetime(
        2025, 4, 22, 10, tzinfo=UTC
    )  # past Good Friday, Easter Monday
    assert easter.answer_due_at == datetime(2025, 4, 28, 10, tzinfo=UTC)
    config = HelpConfig(
        acknowledge_within=Timescale(2, Unit.WORKING_HOURS), answer_within=Timescale(2, Unit.WORKING_DAYS)
    )
    quick = _request(sessions, cast, config=config)
    assert (quick.acknowledge_due_at, quick.answer_due_at) == (
        datetime(2026, 3, 9, 10, tzinfo=UTC),
        datetime(2026, 3, 10, 16, tzinfo=UTC),
    )


def test_a_request_needs_the_childs_words_who_they_told_and_a_mash(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session, pytest.raises(ValidationFailed) as failed:
        _ask(
            session,
            who(session, cast.school),
            cast,
            childs_words="  ",
            told_to="",
            mash_agency_id=cast.home.agency_id,
        )
    assert set(failed.value.fields) == {"childs_words", "told_to", "mash_agency_id"}


def test_a_named_person_acknowledges_and_answers_and_closing_needs_the_childs_view(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    request = _request(sessions, cast)
    with transaction(sessions) as session:
        school = who(session, cast.school)
        ack = help_responses.acknowledge(session, school, request.id, NO_CONTEXT, now=NOW)
        with pytest.raises(Conflict):
            help_responses.acknowledge(session, school, request.id, NO_CONTEXT, now=NOW)
        with pytest.raises(Conflict):  # not answered yet
            help_responses.close(session, school, request.id, VIEW, NO_CONTEXT, now=NOW)
        help_responses.answer(
            session, school, request.id, "Referred to the MASH; met her with the DSL", NO_CONTEXT, now=NOW
        )
        with pytest.raises(ValidationFailed) as failed:
            help_responses.close(session, school, request.id, "   ", NO_CONTEXT, now=NOW)
        assert set(failed.value.fields) == {"childs_view"}
        closed = help_responses.close(session, school, request.id, VIEW, NO_CONTEXT, now=NOW)
        with pytest.raises(Conflict):
            help_responses.answer(session, school, request.id, "More", NO_CONTEXT, now=NOW)
    assert (ack.by_user_id, closed.childs_view) == (cast.school.id, VIEW)
    with transaction(sessions) as session:
        assert help_requests.open_requests(session, who(session, cast.school), now=NOW) == []


def test_answering_acknowledges_too(sessions: sessionmaker[Session], cast: Cast) -> None:
    request = _request(sessions, cast)
    with transaction(sessions) as session:
        help_responses.answer(
            session, who(session, cast.mash), request.id, "Strategy discussion held", NO_CONTEXT, now=NOW
        )
        steps = help_requests.steps_of(session, request.id)
    assert set(steps) == {"acknowledged", "answered"}
    assert steps["answered"].by == cast.mash.email


def test_only_the_recording_agency_and_its_mash_act_on_a_request(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    request = _request(sessions, cast)
    with transaction(sessions) as session:
        with pytest.raises(NotFoundError):
            help_responses.acknowledge(session, who(session, cast.police), request.id, NO_CONTEXT, now=NOW)
        with pytest.raises(PermissionDenied):
            help_responses.acknowledge(session, who(session, cast.licensing), request.id, NO_CONTEXT, now=NOW)
        assert help_requests.open_requests(session, who(session, cast.police), now=NOW) == []
        assert [v.id for v in help_requests.open_requests(session, who(session, cast.mash), now=NOW)] == [
            request.id
        ]


def test_the_open_list_puts_overdue_first_and_answered_ones_last_until_closed(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        answered = _ask(session, school, cast, asked_at=datetime(2026, 3, 2, 9, tzinfo=UTC))
        fresh = _ask(session, school, cast, asked_at=datetime(2026, 3, 10, 9, tzinfo=UTC))
        waiting = _ask(session, school, cast)  # acknowledgement due Monday 9th: overdue on the 10th
        help_responses.answer(session, school, answered.id, "Done", NO_CONTEXT, now=NOW)
    with transaction(sessions) as session:
        found = help_requests.open_requests(session, who(session, cast.school), now=NOW)
        assert [(v.id, v.overdue) for v in found] == [
            (waiting.id, True),
            (fresh.id, False),
            (answered.id, False),
        ]
        assert found[0].childs_words == WORDS
        assert found[2].next_due_at is None
        (listed,) = audits(session, "safeguarding.help.open_list")
        assert listed.purpose == help_requests.LIST_PURPOSE


def test_requests_not_acknowledged_or_answered_in_time_escalate_once_to_the_mash_managers(
    sessions: sessionmaker[Session], cast: Cast, manager: UserLogin
) -> None:
    request = _request(sessions, cast)
    on_time = _request(sessions, cast)
    with transaction(sessions) as session:
        help_responses.acknowledge(session, who(session, cast.school), on_time.id, NO_CONTEXT, now=ACK_DUE)
    with transaction(sessions) as session:
        assert help_requests.escalate_overdue(session, ACK_DUE) == []  # due, not yet overdue
    with transaction(sessions) as session:
        made = help_requests.escalate_overdue(session, datetime(2026, 3, 9, 17, tzinfo=UTC))
        assert [(s.request_id, s.kind, s.missed_due_at) for s in made] == [
            (request.id, "escalated_acknowledgement", ACK_DUE)
        ]
    with transaction(sessions) as session:  # re-run: nothing new
        assert help_requests.escalate_overdue(session, datetime(2026, 3, 9, 18, tzinfo=UTC)) == []
    with transaction(sessions) as session:  # the answer is late for both
        made = help_requests.escalate_overdue(session, datetime(2026, 3, 16, 9, tzinfo=UTC))
        assert sorted((str(s.request_id), s.kind) for s in made) == sorted(
            [(str(request.id), "escalated_answer"), (str(on_time.id), "escalated_answer")]
        )
        assert help_requests.escalate_overdue(session, datetime(2026, 3, 17, 9, tzinfo=UTC)) == []
        assert len(audits(session, "safeguarding.help.escalate")) == 3
    with transaction(sessions) as session:
        found = help_requests.escalations(
            session, who(session, manager), now=datetime(2026, 3, 17, 9, tzinfo=UTC)
        )
        assert {v.id for v in found} == {request.id, on_time.id}
        assert all(v.escalated for v in found)
        with pytest.raises(PermissionDenied):  # a practitioner, not a manager
            help_requests.escalations(session, who(session, cast.mash), now=NOW)


def test_escalation_survives_a_race_with_another_run(
    sessions: sessionmaker[Session], cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = _request(sessions, cast)
    late = datetime(2026, 3, 9, 17, tzinfo=UTC)
    with transaction(sessions) as session:
        assert len(help_requests.escalate_overdue(session, late)) == 1
    # Another run that read the steps before this one wrote them: the unique step refuses the second.
    monkeypatch.setattr(help_requests, "steps_of", lambda session, request_id: {})
    with transaction(sessions) as session:
        assert help_requests.escalate_overdue(session, late) == []
    with transaction(sessions) as session:
        kinds = session.scalars(
            select(HelpRequestStep.kind).where(HelpRequestStep.request_id == request.id)
        ).all()
        assert kinds == ["escalated_acknowledgement"]


def test_a_closed_request_never_escalates(sessions: sessionmaker[Session], cast: Cast) -> None:
    request = _request(sessions, cast)
    with transaction(sessions) as session:
        school = who(session, cast.school)
        help_responses.answer(session, school, request.id, "Seen the same day", NO_CONTEXT, now=ASKED)
        help_responses.close(session, school, request.id, VIEW, NO_CONTEXT, now=ASKED)
    with transaction(sessions) as session:
        assert help_requests.escalate_overdue(session, datetime(2026, 4, 1, tzinfo=UTC)) == []


def test_a_request_for_help_is_in_the_childs_chronology(sessions: sessionmaker[Session], cast: Cast) -> None:
    request = _request(sessions, cast)
    with transaction(sessions) as session:
        found = chronology(
            session, who(session, cast.school), request.child_id, purpose=None, context=NO_CONTEXT
        )
        (entry,) = found.entries
        assert (entry.kind, entry.childs_words, entry.occurred_at) == ("help_request", WORDS, ASKED)
        recorded = details(audits(session, "safeguarding.help.record")[-1])
        assert recorded["answer_due_at"] == ANSWER_DUE.isoformat()


def test_the_services_offer_no_way_to_edit_or_delete() -> None:
    public = [
        n
        for module in (help_requests, help_responses)
        for n, _ in inspect.getmembers(module, inspect.isfunction)
        if not n.startswith("_")
    ]
    for word in ("update", "edit", "delete", "remove", "change", "amend", "withdraw"):
        assert not [n for n in public if word in n], word


@pytest.mark.parametrize("table", ["help_requests", "help_request_steps"])
def test_the_database_refuses_to_edit_or_delete_requests_for_help(
    sessions: sessionmaker[Session], cast: Cast, engine: Engine, table: str
) -> None:
    request = _request(sessions, cast)
    with transaction(sessions) as session:
        help_responses.acknowledge(session, who(session, cast.school), request.id, NO_CONTEXT, now=NOW)
    refused(engine, table)
