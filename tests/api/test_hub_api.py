"""The gate check and network API as agencies' systems use it with their tokens: a school's system is told
whether a car is licensed and arranged, never who drives it; the MASH's and police's systems read the network
only with a purpose, audited; a school's token never reads the network.

These permissions are not grantable to API tokens (``identity.permissions.TOKEN_GRANTABLE``: the network is
for the MASH's and police's people, with two-factor); until that is decided otherwise, the tests grant them
for the length of a test, as tests/api/test_care_api.py does for its own."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from openmash.alerts.models import Alert
from openmash.api import hub
from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT, SYSTEM
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import ValidationFailed
from openmash.identity import permissions, tokens
from openmash.identity.permissions import Permission
from openmash.network import mentions
from openmash.safeguarding import categories
from openmash.safeguarding.models_gate import GateSighting
from tests.api.test_api import error_of
from tests.support.gate import DRIVER_SURNAME, flag_driver, licensed_car, three_children_one_car
from tests.support.safeguarding import Cast, make_cast, make_child, record, who

GRANTED = [Permission.GATE_CHECK, Permission.TRANSPORT_ARRANGE, Permission.NETWORK_READ]
MARK = "LR70XYZ"


@pytest.fixture(autouse=True)
def grantable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(permissions, "TOKEN_GRANTABLE", permissions.TOKEN_GRANTABLE | set(GRANTED))


@pytest.fixture
def app(settings: Settings, engine: Engine) -> FastAPI:
    """The app with this increment's API (included here until api/v1.py includes it itself)."""
    from openmash.app import create_app

    made = create_app(settings, engine)
    if "/api/v1/gate-checks" not in {getattr(route, "path", None) for route in made.routes}:
        made.include_router(hub.router, prefix="/api/v1")
    return made


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


def _key(
    sessions: sessionmaker[Session], settings: Settings, agency_id: object, granted: list[Permission]
) -> dict[str, str]:
    with transaction(sessions) as session:
        categories.seed_default_categories(session)
        made = tokens.create_token(
            session,
            settings,
            SYSTEM,
            agency_id=agency_id,  # type: ignore[arg-type]
            name="case system",
            permissions=[p.value for p in granted],
            days=30,
            context=NO_CONTEXT,
        )
    return {"Authorization": f"Bearer {made.plaintext}"}


def test_a_schools_gate_check_answers_licensed_and_arranged_and_never_names_the_driver(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    with transaction(sessions) as session:
        child = make_child(session, who(session, cast.school))
        licence = licensed_car(session, cast.licensing.agency_id, MARK, ref="PH-55120")
        flag_driver(session, who(session, cast.licensing), licence.person_id)
        child_id, ref = child.id, licence.authority_licence_ref
    key = _key(sessions, settings, cast.school.agency_id, [Permission.GATE_CHECK])
    response = client.post(
        "/api/v1/gate-checks",
        headers=key,
        json={
            "registration": "lr70 xyz",
            "child_id": str(child_id),
            "mash_agency_id": str(cast.mash.agency_id),
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["licensed"] is True
    assert body["registration"] == MARK
    assert body["vehicle_kinds"] == ["private_hire"]
    assert body["arranged"] == "not_recorded"
    assert DRIVER_SURNAME not in response.text
    assert ref not in response.text
    with transaction(sessions) as session:
        assert session.scalars(select(GateSighting.child_id)).all() == [child_id]
        # The MASH's rules ran on the sighting; the school was not told.
        assert [a.rule_code for a in session.scalars(select(Alert))] == ["gate_driver_flagged"]


def test_a_gate_check_with_a_bad_mark_or_a_child_the_school_does_not_know_is_refused(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    with transaction(sessions) as session:
        stranger = make_child(session, who(session, cast.home)).id
    key = _key(sessions, settings, cast.school.agency_id, [Permission.GATE_CHECK])
    mash = str(cast.mash.agency_id)
    bad = client.post("/api/v1/gate-checks", headers=key, json={"registration": "!", "mash_agency_id": mash})
    assert "registration" in error_of(bad, 422, "validation_failed")["fields"]
    unknown = client.post(
        "/api/v1/gate-checks",
        headers=key,
        json={"registration": MARK, "child_id": str(stranger), "mash_agency_id": mash},
    )
    error_of(unknown, 403, "forbidden")
    with transaction(sessions) as session:
        assert session.scalars(select(GateSighting)).all() == []


def test_the_network_needs_a_purpose_and_shows_the_children_and_the_drivers_to_police(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    with transaction(sessions) as session:
        children, driver = three_children_one_car(session, cast)
    key = _key(sessions, settings, cast.police.agency_id, [Permission.NETWORK_READ])
    error_of(client.get(f"/api/v1/network/vehicles/{MARK}", headers=key), 422, "purpose_required")
    response = client.get(
        "/api/v1/network/vehicles/lr70xyz", headers=key, params={"purpose": "Operation Lantern"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["vehicle"]["key"] == MARK
    # Police see their own links and those shared with police (the home's missing report and gate check).
    assert {link["source_kind"] for link in body["vehicle"]["links"]} >= {"gate_sighting"}
    (found,) = body["drivers"]
    assert found["person_id"] == str(driver)
    assert DRIVER_SURNAME in found["name"]
    assert found["safeguarding"]
    mine = client.get(
        f"/api/v1/network/children/{children[2]}", headers=key, params={"purpose": "Operation Lantern"}
    )
    assert mine.status_code == 200, mine.text
    assert any(e["kind"] == "vehicle" and e["key"] == MARK for e in mine.json())
    with transaction(sessions) as session:
        purposes = {
            r.purpose
            for r in session.scalars(select(AuditRecord).where(AuditRecord.action.like("network.%")))
        }
    assert purposes == {"Operation Lantern"}


def test_a_schools_token_never_reads_the_network(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    key = _key(sessions, settings, cast.school.agency_id, [Permission.GATE_CHECK])
    for path in (f"/api/v1/network/vehicles/{MARK}", f"/api/v1/network/children/{uuid.uuid4()}"):
        error_of(client.get(path, headers=key, params={"purpose": "curious"}), 403, None)
    with pytest.raises(ValidationFailed):  # a school's users never hold it, so neither may its tokens
        _key(sessions, settings, cast.school.agency_id, [Permission.NETWORK_READ])


def test_a_concerns_mentions_are_added_by_its_agency_and_read_by_those_who_may_see_it(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        concern = record(session, school, child.id, shared_with_police=True)
        concern_id = concern.id
    writes = [Permission.CONCERNS_RECORD, Permission.CHRONOLOGY_READ]
    school_key = _key(sessions, settings, cast.school.agency_id, writes)
    path = f"/api/v1/concerns/{concern_id}/mentions"
    bad = client.post(path, headers=school_key, json={"phones": ["not a phone"]})
    assert "phones-0" in error_of(bad, 422, "validation_failed")["fields"]
    added = client.post(path, headers=school_key, json={"adults": ["Dean"], "phones": ["07700 900123"]})
    assert added.status_code == 201, added.text
    assert [(m["kind"], m["value"]) for m in added.json()["mentions"]] == [
        ("adult", "Dean"),
        ("phone", "07700 900123"),
    ]
    police_key = _key(sessions, settings, cast.police.agency_id, [Permission.CHRONOLOGY_READ])
    error_of(client.get(path, headers=police_key), 422, "purpose_required")
    read = client.get(path, headers=police_key, params={"purpose": "Operation Lantern"})
    assert read.status_code == 200, read.text
    assert read.json()["may_add"] is False
    assert [m["value"] for m in read.json()["mentions"]] == ["Dean", "07700 900123"]
    home_key = _key(sessions, settings, cast.home.agency_id, writes)
    error_of(client.get(path, headers=home_key, params={"purpose": "Curious"}), 404, "not_found")
    error_of(client.post(path, headers=home_key, json={"adults": ["Lee"]}), 403, "forbidden")
    with transaction(sessions) as session:
        audited = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "network.mentions.read")
        ).all()
        assert [r.purpose for r in audited] == ["Operation Lantern"]


def test_a_correction_through_the_api_carries_the_mentions_unless_it_gives_its_own(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        concern_id = record(session, school, child.id, shared_with_police=True).id
    key = _key(sessions, settings, cast.school.agency_id, [Permission.CONCERNS_RECORD])
    client.post(f"/api/v1/concerns/{concern_id}/mentions", headers=key, json={"adults": ["Dean"]})
    body = {
        "category": "going_missing",
        "occurred_at": "2026-03-01T12:00:00+00:00",
        "summary": "Reworded",
        "shared_with_police": True,
        "reason": "Wording",
    }
    first = client.post(f"/api/v1/concerns/{concern_id}/corrections", headers=key, json=body)
    assert first.status_code == 201, first.text
    second = client.post(
        f"/api/v1/concerns/{first.json()['id']}/corrections",
        headers=key,
        json={**body, "reason": "Misheard", "mentions": {"adults": ["Dan"]}},
    )
    assert second.status_code == 201, second.text
    with transaction(sessions) as session:
        carried = mentions.mentions_of(session, uuid.UUID(first.json()["id"]))
        given = mentions.mentions_of(session, uuid.UUID(second.json()["id"]))
        assert [m.value for m in carried] == ["Dean"]
        assert [m.value for m in given] == ["Dan"]
