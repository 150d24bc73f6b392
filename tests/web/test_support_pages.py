"""Support after court through the browser's eyes: the child's page links to the support page; a support
item and a verdict are added; the owner's attempt to close it inside the 12 weeks is refused naming the
rule; a MASH manager's review is asked for and recorded; the gap shows; a school that does not record about
the child is asked for a purpose and cannot review."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.alerts.models import Alert
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.base import utcnow
from openmash.db.session import transaction
from openmash.identity.permissions import Role
from openmash.safeguarding import support
from tests.support.factories import UserLogin, make_user
from tests.support.safeguarding import Cast, make_cast, make_child, who
from tests.support.web import csrf_from

Browsers = Callable[[UserLogin], TestClient]


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


@pytest.fixture
def manager(sessions: sessionmaker[Session], settings: Settings, cast: Cast) -> UserLogin:
    return make_user(sessions, settings, [Role.MASH_MANAGER], agency_id=cast.mash.agency_id)


def _post(client: TestClient, page: str, action: str, data: dict[str, str]) -> object:
    token = csrf_from(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **data}, follow_redirects=False)


def test_the_owner_cannot_close_support_after_a_verdict_until_a_mash_manager_reviews_it(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast, manager: UserLogin
) -> None:
    with transaction(sessions) as session:
        child = make_child(session, who(session, cast.mash))
    page = f"/children/{child.id}/support"
    mash = browsers(cast.mash)
    assert f'href="{page}"' in mash.get(f"/children/{child.id}").text
    started = (utcnow() - timedelta(weeks=20)).date()
    added = _post(
        mash,
        page,
        f"{page}/items",
        {
            "kind": "isva",
            "description": "Weekly ISVA sessions",
            "owner_user_id": str(cast.mash.id),
            "started_on-day": str(started.day),
            "started_on-month": str(started.month),
            "started_on-year": str(started.year),
        },
    )
    assert added.status_code == 303  # type: ignore[attr-defined]
    verdict = (utcnow() - timedelta(weeks=8)).date()
    dated = _post(
        mash,
        page,
        f"{page}/court-dates",
        {
            "court_kind": "verdict",
            "held_on-day": str(verdict.day),
            "held_on-month": str(verdict.month),
            "held_on-year": str(verdict.year),
            "outcome": "Guilty",
            "court_police": "yes",
        },
    )
    assert dated.status_code == 303  # type: ignore[attr-defined]
    with transaction(sessions) as session:
        (item,) = support.items_of(session, child.id)
    refused = _post(mash, page, f"/support/items/{item.id}/status", {"status": "closed", "reasons": "Done"})
    assert refused.status_code == 400  # type: ignore[attr-defined]
    text = html.unescape(refused.text)  # type: ignore[attr-defined]
    assert "Rule 'support after court'" in text
    assert "MASH manager's review" in text
    asked = _post(mash, page, f"/support/items/{item.id}/request-review", {"reasons": "She wants to stop"})
    assert asked.status_code == 303  # type: ignore[attr-defined]
    assert "Manager's review pending" in html.unescape(mash.get(page).text)
    boss = browsers(manager)
    missing = _post(boss, page, f"/support/items/{item.id}/review", {"decision": "close", "reasons": ""})
    assert missing.status_code == 400  # type: ignore[attr-defined]
    reviewed = _post(
        boss, page, f"/support/items/{item.id}/review", {"decision": "close", "reasons": "Therapy instead"}
    )
    assert reviewed.status_code == 303  # type: ignore[attr-defined]
    after = html.unescape(mash.get(page).text)
    assert "Gap in support" in after
    assert "Manager's review: closed" in after
    with transaction(sessions) as session:
        (alert,) = session.scalars(select(Alert).where(Alert.rule_code == "support_gap"))
    shown = html.unescape(mash.get(f"/alerts/{alert.id}").text)
    assert "A child has no support open in the weeks after a verdict" in shown
    assert "Support item not open: Weekly ISVA sessions" in shown


def test_a_school_user_is_asked_for_a_purpose_and_cannot_review(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        child = make_child(session, mash)
        item = support.add_item(
            session,
            mash,
            child.id,
            support.ItemInput("therapy", "CAMHS", mash.id, utcnow().date()),
            NO_CONTEXT,
        )
    school = browsers(cast.school)
    asked = school.get(f"/children/{child.id}/support")
    assert asked.status_code == 200
    assert "CAMHS" not in asked.text
    assert 'name="purpose_choice"' in asked.text
    seen = school.get(f"/children/{child.id}/support?purpose=Meeting")
    assert "CAMHS" not in seen.text
    token = csrf_from(seen.text)
    denied = school.post(
        f"/support/items/{item.id}/review", data={"csrf_token": token, "decision": "close", "reasons": "x"}
    )
    assert denied.status_code == 403
