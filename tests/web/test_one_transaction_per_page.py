"""A page is one transaction: the navigation's counts (new alerts, unread notices) are read inside the page's
own transaction, not in one more transaction per count. On SQLite each transaction takes the write lock
(BEGIN IMMEDIATE), so each extra one is a wait for every other request. Counted, never timed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from openmash.alerts import evaluate_child
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.http import navigation
from tests.support.factories import UserLogin
from tests.support.gate import three_children_one_car
from tests.support.safeguarding import NOW, Cast, make_cast, who

Browsers = Callable[[UserLogin], TestClient]
# Reading the session cookie (its own transaction, before the route runs), then the page.
PER_PAGE = 2


@contextmanager
def begun(engine: Engine) -> Iterator[list[object]]:
    """The transactions begun on the engine inside the block."""
    found: list[object] = []

    def begin(conn: Any) -> None:
        found.append(conn)

    event.listen(engine, "begin", begin)
    try:
        yield found
    finally:
        event.remove(engine, "begin", begin)


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


def test_a_page_with_the_alerts_count_is_one_transaction(
    browsers: Browsers, sessions: sessionmaker[Session], engine: Engine, cast: Cast
) -> None:
    with transaction(sessions) as session:
        children, _ = three_children_one_car(session, cast)
        for child_id in children:
            evaluate_child(session, child_id, NOW)
        new = navigation.read(session, who(session, cast.mash)).new_alerts
    assert new
    mash = browsers(cast.mash)
    with begun(engine) as transactions:
        page = mash.get("/hub")
    assert page.status_code == 200, page.text
    assert f"Alerts ({new}<span" in page.text  # the same count as before
    assert len(transactions) == PER_PAGE


def test_a_page_with_the_notices_count_is_one_transaction(
    browsers: Browsers, engine: Engine, cast: Cast
) -> None:
    officer = browsers(cast.licensing)
    with begun(engine) as transactions:
        page = officer.get("/register/notices")
    assert page.status_code == 200, page.text
    assert 'href="/register/notices"' in page.text
    assert len(transactions) == PER_PAGE


def test_an_error_page_reads_the_counts_in_one_transaction_of_its_own(
    browsers: Browsers, engine: Engine, cast: Cast
) -> None:
    """A page refused before its transaction committed still shows the navigation, from one more."""
    mash = browsers(cast.mash)
    with begun(engine) as transactions:
        page = mash.get("/triage/00000000-0000-0000-0000-000000000000")
    assert page.status_code == 404
    assert 'href="/alerts"' in page.text
    assert len(transactions) == PER_PAGE + 1
