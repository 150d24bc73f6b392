"""The hub's work lists cost the same number of statements for 3 rows as for 12: a list that loads its rows'
steps, grades or events one row at a time (N+1) grows with the list, and a MASH's queue on a bad day is long.
Counted with a listener on the engine, never timed (speed is measured in bench/)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.identity.permissions import Role
from openmash.identity.principal import Principal
from openmash.safeguarding import (
    court_dates,
    help_requests,
    help_responses,
    return_interviews,
    support,
    support_plan,
    triage,
    worklist,
)
from openmash.safeguarding.court_dates import CourtDateInput
from openmash.safeguarding.help_requests import HelpInput
from openmash.safeguarding.models import Child
from openmash.safeguarding.return_interviews import InterviewInput
from openmash.safeguarding.support import ItemInput
from openmash.safeguarding.triage import Referral
from tests.support.care import bring_back, report
from tests.support.factories import UserLogin, make_user
from tests.support.safeguarding import Cast, make_cast, make_child, record, who

FEW, MANY = 3, 12
# Each read's statements (the audit of a list is three: the chain head read under lock, the record, the head
# moved on). Before issue 8's review both lists of requests for help cost 4 + one per request, an escalation
# run 1 + one per late request, a support plan 18 + one per item and a gap in support 2 + one per item.
QUEUE = 8  # contacts with children and agencies, grades, concerns, which of them the MASH sees (2), audit
REQUESTS = 5  # requests with their children and agencies, their steps, audit
ESCALATION_RERUN = 2  # the late requests, their steps
INTERVIEWS_DUE = 5  # episodes with returns and children, offers, audit
MY_CHILDREN = 4  # the children, audit
SUPPORT_PLAN = 19  # the child, agencies, items, court dates, the purpose rule (9), audit, events, verdict
SUPPORT_GAP = 3  # the verdict, items, events
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)  # a Monday
EARLIER = NOW - timedelta(days=20)


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


Read = Callable[[Session, Principal], list[Any]]


def statements(
    sessions: sessionmaker[Session], engine: Engine, login: UserLogin, read: Read
) -> tuple[int, list[str]]:
    """How many rows the read gave, and the statements it sent (its transaction begun and the reader's
    principal loaded outside the count)."""
    with transaction(sessions) as session:
        principal = who(session, login)
        with counted(engine) as sent:
            rows = read(session, principal)
        return len(rows), sent


def same_cost(
    sessions: sessionmaker[Session],
    engine: Engine,
    add: Callable[[Session, int], None],
    login: UserLogin,
    read: Read,
) -> int:
    """Add FEW rows, count the read; add more up to MANY, count again: the two counts must be equal."""
    with transaction(sessions) as session:
        add(session, FEW)
    few, first = statements(sessions, engine, login, read)
    with transaction(sessions) as session:
        add(session, MANY - FEW)
    many, second = statements(sessions, engine, login, read)
    assert (few, many) == (FEW, MANY)
    assert len(second) == len(first), "\n\n".join(second)
    return len(first)


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


@pytest.fixture
def manager(sessions: sessionmaker[Session], settings: Settings, cast: Cast) -> UserLogin:
    return make_user(sessions, settings, [Role.MASH_MANAGER], agency_id=cast.mash.agency_id)


def test_the_triage_queue(sessions: sessionmaker[Session], engine: Engine, cast: Cast) -> None:
    def add(session: Session, n: int) -> None:
        school, mash = who(session, cast.school), who(session, cast.mash)
        for i in range(n):
            child = make_child(session, school)
            if i % 2:
                concern = record(session, school, child.id)
                contact = triage.refer_concern(
                    session, school, concern.id, mash.agency_id, NO_CONTEXT, now=EARLIER
                )
            else:
                data = Referral(referrer="Mother, by telephone", summary="Worried", received_at=EARLIER)
                contact = triage.record_referral(session, mash, child.id, data, NO_CONTEXT, now=EARLIER)
            for grade in ("amber", "red")[: i % 3]:
                triage.grade_contact(session, mash, contact.id, grade, "Reasons", NO_CONTEXT, now=EARLIER)

    cost = same_cost(sessions, engine, add, cast.mash, lambda s, p: triage.queue(s, p, now=NOW))
    assert cost <= QUEUE


def _ask(session: Session, cast: Cast, n: int, *, answering: bool = True) -> None:
    """Requests for help to the MASH: some untouched, some acknowledged, some answered."""
    school, mash = who(session, cast.school), who(session, cast.mash)
    for i in range(n):
        child = make_child(session, school)
        data = HelpInput(
            asked_at=EARLIER, told_to="Her form tutor", childs_words="Help me", mash_agency_id=mash.agency_id
        )
        request = help_requests.record_request(session, school, child.id, data, NO_CONTEXT, now=EARLIER)
        if i % 3 == 1:
            help_responses.acknowledge(session, mash, request.id, NO_CONTEXT, now=EARLIER)
        if i % 3 == 2 and answering:
            help_responses.answer(session, school, request.id, "We talked", NO_CONTEXT, now=EARLIER)


def test_the_open_requests_for_help(sessions: sessionmaker[Session], engine: Engine, cast: Cast) -> None:
    cost = same_cost(
        sessions,
        engine,
        lambda session, n: _ask(session, cast, n),
        cast.mash,
        lambda s, p: help_requests.open_requests(s, p, now=NOW),
    )
    assert cost <= REQUESTS


def test_the_escalated_requests_for_help(
    sessions: sessionmaker[Session], engine: Engine, cast: Cast, manager: UserLogin
) -> None:
    def add(session: Session, n: int) -> None:
        _ask(session, cast, n, answering=False)
        help_requests.escalate_overdue(session, NOW)

    cost = same_cost(sessions, engine, add, manager, lambda s, p: help_requests.escalations(s, p, now=NOW))
    assert cost <= REQUESTS


def test_escalating_again_reads_the_late_requests_steps_at_once(
    sessions: sessionmaker[Session], engine: Engine, cast: Cast
) -> None:
    """The scheduler's run: writing an escalation costs its statements, but a re-run with nothing left to
    escalate reads the late requests and their steps in a fixed number of statements."""

    def rerun(n: int) -> list[str]:
        with transaction(sessions) as session:
            _ask(session, cast, n)
            assert help_requests.escalate_overdue(session, NOW)
        with transaction(sessions) as session:
            session.connection()
            with counted(engine) as sent:
                assert help_requests.escalate_overdue(session, NOW) == []
        return sent

    few, many = rerun(FEW), rerun(MANY - FEW)
    assert len(many) == len(few) <= ESCALATION_RERUN, "\n\n".join(many)


def test_the_return_interviews_due(sessions: sessionmaker[Session], engine: Engine, cast: Cast) -> None:
    def add(session: Session, n: int) -> None:
        home, mash = who(session, cast.home), who(session, cast.mash)
        for i in range(n):
            child = make_child(session, home)
            episode = report(session, home, child.id, mash.agency_id, EARLIER, now=EARLIER)
            back = EARLIER + timedelta(hours=5)
            bring_back(session, home, episode.id, back, now=back)
            if i % 2:
                offer = InterviewInput("offered", "Sam Carter", back + timedelta(hours=1))
                return_interviews.record_interview(session, mash, episode.id, offer, NO_CONTEXT, now=NOW)

    cost = same_cost(
        sessions, engine, add, cast.mash, lambda s, p: return_interviews.interviews_due(s, p, now=NOW)
    )
    assert cost <= INTERVIEWS_DUE


def test_my_children(sessions: sessionmaker[Session], engine: Engine, cast: Cast) -> None:
    def add(session: Session, n: int) -> None:
        school = who(session, cast.school)
        for i in range(n):
            child = make_child(session, school)
            if i % 2:
                record(session, school, child.id)

    cost = same_cost(sessions, engine, add, cast.school, lambda s, p: worklist.my_children(s, p))
    assert cost <= MY_CHILDREN


def _child_after_verdict(sessions: sessionmaker[Session], cast: Cast) -> Child:
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        child = make_child(session, mash)
        verdict = CourtDateInput("verdict", date(2026, 5, 4), "Crown Court", "Guilty")
        court_dates.record_court_date(session, mash, child.id, verdict, NO_CONTEXT, now=EARLIER)
        return child


def _support(session: Session, cast: Cast, child: Child, n: int, *, all_paused: bool = False) -> None:
    """Support items for the child, every other one paused (or all of them)."""
    mash = who(session, cast.mash)
    for i in range(n):
        data = ItemInput("isva", f"Weekly sessions ({i})", mash.id, date(2026, 1, 5))
        item = support.add_item(session, mash, child.id, data, NO_CONTEXT, now=EARLIER)
        if all_paused or i % 2:
            support.change_status(session, mash, item.id, "paused", "On holiday", NO_CONTEXT, now=EARLIER)


def test_a_childs_support_plan(sessions: sessionmaker[Session], engine: Engine, cast: Cast) -> None:
    child = _child_after_verdict(sessions, cast)
    cost = same_cost(
        sessions,
        engine,
        lambda session, n: _support(session, cast, child, n),
        cast.mash,
        lambda s, p: support_plan.support_plan(s, p, child.id, None, NO_CONTEXT, now=NOW).items,
    )
    assert cost <= SUPPORT_PLAN


def test_a_gap_in_support(sessions: sessionmaker[Session], engine: Engine, cast: Cast) -> None:
    """Read by the alert rules for each child with a recent verdict: the items' events in one statement."""
    child = _child_after_verdict(sessions, cast)

    def gap(session: Session, _: Principal) -> list[Any]:
        found = support.support_gap(session, child.id, NOW)
        assert found is not None
        return found[1]

    cost = same_cost(
        sessions,
        engine,
        lambda session, n: _support(session, cast, child, n, all_paused=True),
        cast.mash,
        gap,
    )
    assert cost <= SUPPORT_GAP
