"""The hub's API as agencies' case systems use it with their tokens: search before create, need-to-know in
the JSON, the purpose as a query parameter and audited, corrections as new entries, risk screening for the
MASH, and uniform errors for bad input."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.alerts.models import Alert
from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT, SYSTEM
from openmash.config import Settings
from openmash.db.base import utcnow
from openmash.db.session import transaction
from openmash.identity import tokens
from openmash.identity.permissions import AgencyType, Permission
from openmash.safeguarding import categories
from openmash.safeguarding.models import Child, Concern
from tests.api.test_api import error_of
from tests.conftest import count_rows
from tests.support.factories import make_agency

CHILD_PERMISSIONS = [
    Permission.CHILDREN_SEARCH,
    Permission.CHILDREN_RECORD,
    Permission.CONCERNS_RECORD,
    Permission.CHRONOLOGY_READ,
]
KAYLEIGH = {"surname": "Whitfield", "forenames": "Kayleigh", "date_of_birth": "2011-04-09"}
POLICE_ONLY = "Stop check in the early hours, intelligence ref 7731"


def _key(
    sessions: sessionmaker[Session],
    settings: Settings,
    agency_type: AgencyType,
    extra: list[Permission] = (),  # type: ignore[assignment]
) -> dict[str, str]:
    with transaction(sessions) as session:
        categories.seed_default_categories(session)
        agency = make_agency(session, agency_type)
        made = tokens.create_token(
            session,
            settings,
            SYSTEM,
            agency_id=agency.id,
            name=f"{agency.code} case system",
            permissions=[p.value for p in [*CHILD_PERMISSIONS, *extra]],
            days=30,
            context=NO_CONTEXT,
        )
    return {"Authorization": f"Bearer {made.plaintext}"}


def _recent(days: int = 2) -> str:
    return (utcnow() - timedelta(days=days)).isoformat()


@pytest.fixture
def school(sessions: sessionmaker[Session], settings: Settings) -> dict[str, str]:
    return _key(sessions, settings, AgencyType.SCHOOL)


@pytest.fixture
def police(sessions: sessionmaker[Session], settings: Settings) -> dict[str, str]:
    return _key(sessions, settings, AgencyType.POLICE_FORCE)


@pytest.fixture
def mash(sessions: sessionmaker[Session], settings: Settings) -> dict[str, str]:
    return _key(sessions, settings, AgencyType.CHILDRENS_SOCIAL_CARE, [Permission.RISK_SCREEN])


def _child(client: TestClient, key: dict[str, str]) -> str:
    made = client.post("/api/v1/children", headers=key, json=KAYLEIGH)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def test_a_school_system_searches_creates_and_records_with_the_childs_words_kept_verbatim(
    client: TestClient, sessions: sessionmaker[Session], school: dict[str, str]
) -> None:
    found = client.post("/api/v1/children/searches", headers=school, json=KAYLEIGH)
    assert found.status_code == 200, found.text
    assert found.json()["candidates"] == []
    child_id = _child(client, school)
    words = "  he said not to tell\n"
    recorded = client.post(
        f"/api/v1/children/{child_id}/concerns",
        headers=school,
        json={
            "category": "picked_up_by_taxi_or_car",
            "occurred_at": _recent(),
            "summary": "Collected at the gate by a taxi not booked by the family",
            "childs_words": words,
            "vehicle_registration": "kx19 txa",
        },
    )
    assert recorded.status_code == 201, recorded.text
    with transaction(sessions) as session:
        concern = session.get(Concern, uuid.UUID(recorded.json()["id"]))
        assert concern is not None
        assert concern.childs_words == words
        assert concern.vehicle_registration == "KX19TXA"
    record = client.get(f"/api/v1/children/{child_id}", headers=school)
    assert record.status_code == 200, record.text
    assert record.json()["scope"] == "own_agency"


def test_creating_a_child_when_children_are_proposed_needs_none_of_these(
    client: TestClient, sessions: sessionmaker[Session], school: dict[str, str], police: dict[str, str]
) -> None:
    known = _child(client, school)
    refused = client.post("/api/v1/children", headers=police, json={**KAYLEIGH, "forenames": "Kayley"})
    error = error_of(refused, 409, "likely_matches")
    assert known in error["fields"]["candidates"]
    assert count_rows(sessions, Child) == 1
    made = client.post(
        "/api/v1/children", headers=police, json={**KAYLEIGH, "forenames": "Kayley", "none_of_these": True}
    )
    assert made.status_code == 201, made.text
    assert count_rows(sessions, Child) == 2


def test_a_school_system_cannot_see_police_only_entries(
    client: TestClient, school: dict[str, str], police: dict[str, str]
) -> None:
    child_id = _child(client, school)
    concern = {"category": "drugs_or_alcohol", "occurred_at": _recent(), "summary": POLICE_ONLY}
    assert (
        client.post(f"/api/v1/children/{child_id}/concerns", headers=police, json=concern).status_code == 201
    )
    school_view = client.get(f"/api/v1/children/{child_id}/chronology", headers=school)
    assert school_view.status_code == 200, school_view.text
    assert POLICE_ONLY not in school_view.text
    police_view = client.get(
        f"/api/v1/children/{child_id}/chronology", headers=police, params={"purpose": "Op Larch"}
    )
    assert police_view.status_code == 200, police_view.text
    assert [e["summary"] for e in police_view.json()["entries"]] == [POLICE_ONLY]


def test_a_system_outside_the_agency_must_give_a_purpose_and_the_view_is_audited_with_it(
    client: TestClient, sessions: sessionmaker[Session], school: dict[str, str], mash: dict[str, str]
) -> None:
    child_id = _child(client, school)
    concern = {"category": "going_missing", "occurred_at": _recent(), "summary": "Missing overnight"}
    client.post(f"/api/v1/children/{child_id}/concerns", headers=school, json=concern)
    url = f"/api/v1/children/{child_id}/chronology"
    error = error_of(client.get(url, headers=mash), 422, "purpose_required")
    assert "purpose" in error["fields"]
    seen = client.get(url, headers=mash, params={"purpose": "Contact 2026/118", "agency_type": "school"})
    assert seen.status_code == 200, seen.text
    assert seen.json()["scope"] == "whole"
    assert [e["category"] for e in seen.json()["entries"]] == ["going_missing"]
    with transaction(sessions) as session:
        viewed = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "safeguarding.chronology.view")
        ).all()
        assert [v.purpose for v in viewed] == ["Contact 2026/118"]
        assert json.loads(viewed[0].details)["filters"]["agency_types"] == ["school"]


def test_a_correction_is_a_new_entry_and_the_original_is_kept(
    client: TestClient, school: dict[str, str], police: dict[str, str]
) -> None:
    child_id = _child(client, school)
    first = client.post(
        f"/api/v1/children/{child_id}/concerns",
        headers=school,
        json={"category": "going_missing", "occurred_at": _recent(), "summary": "Missing after school"},
    ).json()
    correction = {
        "category": "staying_out_late",
        "occurred_at": _recent(),
        "summary": "Home late, not missing",
        "reason": "The home confirmed she was back by 22:00",
    }
    assert (
        client.post(
            f"/api/v1/concerns/{first['id']}/corrections", headers=police, json=correction
        ).status_code
        == 403
    )
    made = client.post(f"/api/v1/concerns/{first['id']}/corrections", headers=school, json=correction)
    assert made.status_code == 201, made.text
    assert made.json()["corrects_id"] == first["id"]
    again = client.post(f"/api/v1/concerns/{first['id']}/corrections", headers=school, json=correction)
    error_of(again, 409, "conflict")
    entries = client.get(f"/api/v1/children/{child_id}/chronology", headers=school).json()["entries"]
    original = next(e for e in entries if e["id"] == first["id"])
    assert original["summary"] == "Missing after school"
    assert original["corrected_by_id"] == made.json()["id"]
    assert client.patch(f"/api/v1/concerns/{first['id']}", headers=school, json={}).status_code in (404, 405)


def test_bad_input_gives_a_uniform_error_and_writes_nothing(
    client: TestClient, sessions: sessionmaker[Session], school: dict[str, str]
) -> None:
    child_id = _child(client, school)
    url = f"/api/v1/children/{child_id}/concerns"
    naive = client.post(
        url,
        headers=school,
        json={"category": "going_missing", "occurred_at": "2026-03-01T10:00", "summary": "x"},
    )
    assert "occurred_at" in error_of(naive, 422, "validation_failed")["fields"]
    future = client.post(
        url,
        headers=school,
        json={"category": "nonsense", "occurred_at": "2099-01-01T10:00:00+00:00", "summary": " "},
    )
    assert set(error_of(future, 422, "validation_failed")["fields"]) >= {"category", "occurred_at", "summary"}
    restricted = client.post(
        url,
        headers=school,
        json={"category": "police_intelligence", "occurred_at": _recent(), "summary": "x"},
    )
    assert "category" in error_of(restricted, 422, "validation_failed")["fields"]
    bad_nhs = client.post(
        "/api/v1/children/searches", headers=school, json={**KAYLEIGH, "identifiers": {"nhs_number": "1"}}
    )
    assert "nhs_number" in error_of(bad_nhs, 422, "validation_failed")["fields"]
    error_of(client.get(f"/api/v1/children/{uuid.uuid4()}", headers=school), 404, "not_found")
    assert count_rows(sessions, Concern) == 0


def test_the_mash_screens_for_risk_and_only_whole_record_viewers_see_the_screenings(
    client: TestClient, school: dict[str, str], mash: dict[str, str]
) -> None:
    child_id = _child(client, school)
    for code in ("online_grooming", "drugs_or_alcohol"):
        client.post(
            f"/api/v1/children/{child_id}/concerns",
            headers=school,
            json={"category": code, "occurred_at": _recent(), "summary": "Synthetic"},
        )
    url = f"/api/v1/children/{child_id}/risk-screenings"
    error_of(client.post(url, headers=mash, json={}), 422, "purpose_required")
    screened = client.post(url, headers=mash, params={"purpose": "Screening"}, json={})
    assert screened.status_code == 201, screened.text
    body = screened.json()
    assert body["score"] == 6
    assert body["final_band"] == "mild"
    assert {i["category"] for i in body["indicators"]} == {"online_grooming", "drugs_or_alcohol"}
    lower = client.post(
        url,
        headers=mash,
        params={"purpose": "Screening"},
        json={"judgement_band": "not_at_risk", "judgement_reasons": "x"},
    )
    assert "judgement_band" in error_of(lower, 422, "validation_failed")["fields"]
    history = client.get(url, headers=mash, params={"purpose": "Screening"})
    assert [s["id"] for s in history.json()] == [body["id"]]
    error_of(client.get(url, headers=school), 403, "forbidden")
    error_of(client.post(url, headers=school, json={}), 403, "forbidden")


def test_a_concern_recorded_through_the_api_runs_the_alert_rules_in_the_same_transaction(
    client: TestClient, sessions: sessionmaker[Session], school: dict[str, str], police: dict[str, str]
) -> None:
    child_id = _child(client, school)
    url = f"/api/v1/children/{child_id}/concerns"
    recorded = ((school, "staying_out_late"), (school, "going_missing"), (police, "drugs_or_alcohol"))
    for key, category in recorded:
        concern = {"category": category, "occurred_at": _recent(), "summary": "Synthetic low-level concern"}
        assert client.post(url, headers=key, json=concern).status_code == 201
    with transaction(sessions) as session:
        raised = session.scalars(select(Alert).where(Alert.rule_code == "repeat_low_level")).all()
        assert [a.subject_key for a in raised] == [f"child:{child_id}"]
