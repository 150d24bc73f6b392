"""The API for support after court as a case system uses it: add an item and a verdict, read the plan with
its review window and the gap, need-to-know for a school that does not record about the child, and no route
for a named person's steps (status, review). The tokens are real: a case system may be given
``SUPPORT_KEEP`` (``identity.permissions.TOKEN_GRANTABLE``), never a MASH manager's ``SUPPORT_REVIEW``."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.alerts.models import Alert
from openmash.config import Settings
from openmash.db.base import utcnow
from openmash.db.session import transaction
from openmash.identity.permissions import AgencyType, Permission, Role
from tests.api.test_api import error_of
from tests.api.test_care_api import Key, _child, _key
from tests.support.factories import make_user

KEEP = (Permission.SUPPORT_KEEP,)


def test_a_case_system_adds_support_and_a_verdict_and_reads_the_plan_with_its_review_window(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    mash: Key = _key(sessions, settings, AgencyType.CHILDRENS_SOCIAL_CARE, KEEP)
    owner = make_user(sessions, settings, [Role.MASH_PRACTITIONER], agency_id=mash.agency_id)
    child_id = _child(client, mash)
    today = utcnow().date()
    verdict = client.post(
        f"/api/v1/children/{child_id}/court-dates",
        headers=mash.headers,
        json={"kind": "verdict", "held_on": today.isoformat(), "outcome": "Guilty"},
    )
    assert verdict.status_code == 201, verdict.text
    with transaction(sessions) as session:
        assert [a.rule_code for a in session.scalars(select(Alert))] == ["support_gap"]
    item = client.post(
        f"/api/v1/children/{child_id}/support-items",
        headers=mash.headers,
        json={
            "kind": "isva",
            "description": "ISVA",
            "owner_user_id": str(owner.id),
            "started_on": today.isoformat(),
        },
    )
    assert item.status_code == 201, item.text
    assert item.json()["status"] == "open"
    plan = client.get(f"/api/v1/children/{child_id}/support", headers=mash.headers).json()
    assert [i["description"] for i in plan["items"]] == ["ISVA"]
    assert plan["items"][0]["history"][0]["status"] == "open"
    assert plan["verdict_on"] == today.isoformat()
    assert plan["gap"] is False
    wrong = client.post(
        f"/api/v1/children/{child_id}/support-items",
        headers=mash.headers,
        json={
            "kind": "magic",
            "description": "",
            "owner_user_id": str(owner.id),
            "started_on": today.isoformat(),
        },
    )
    assert set(error_of(wrong, 422, "validation_failed")["fields"]) >= {"kind", "description"}


def test_a_school_that_does_not_record_about_the_child_cannot_see_or_add_to_the_plan(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    mash = _key(sessions, settings, AgencyType.CHILDRENS_SOCIAL_CARE, KEEP)
    school = _key(sessions, settings, AgencyType.SCHOOL, KEEP)
    child_id = _child(client, mash)
    error_of(
        client.get(f"/api/v1/children/{child_id}/support", headers=school.headers), 422, "purpose_required"
    )
    added = client.post(
        f"/api/v1/children/{child_id}/court-dates",
        headers=school.headers,
        json={"kind": "hearing", "held_on": "2026-01-05"},
    )
    error_of(added, 403, None)


def test_there_is_no_route_to_change_or_review_a_support_item(client: TestClient) -> None:
    paths = set(client.get("/api/openapi.json").json()["paths"])
    assert not any("status" in p or "review" in p for p in paths if "support" in p)
