"""The gate check, network and mentions API as agencies' systems use it with their tokens. What a concern
mentions is added by its agency's system and read by systems that may see the concern, with a purpose.

No token may check a car at the gate or read the network (``identity.permissions.TOKEN_GRANTABLE``,
docs/decisions/0009): a gate check is a person at the gate choosing a car to check, and each one is a
sighting that feeds the network and the alerts; the network is for the MASH's and police's people, with
two-factor and a purpose. A token is refused both when issued and, if its row names them, when used."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT, SYSTEM
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import ValidationFailed
from openmash.identity import tokens
from openmash.identity.models import ApiToken
from openmash.identity.permissions import Permission
from openmash.network import mentions
from openmash.safeguarding import categories
from openmash.safeguarding.models import Concern
from openmash.safeguarding.models_gate import GateSighting
from tests.api.test_api import error_of
from tests.support.gate import three_children_one_car
from tests.support.safeguarding import Cast, make_cast, make_child, record, who

MARK = "LR70XYZ"


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


def _smuggle(sessions: sessionmaker[Session], agency_id: object, permission: Permission) -> None:
    """Write a permission into the agency's token rows, as a row edited by hand or issued under an older
    rule would hold it."""
    with transaction(sessions) as session:
        for row in session.scalars(select(ApiToken).where(ApiToken.agency_id == agency_id)):
            row.permissions += f" {permission.value}"


def test_no_token_is_given_the_gate_check_or_the_network(
    sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    for login, permission in (
        (cast.school, Permission.GATE_CHECK),
        (cast.home, Permission.GATE_CHECK),
        (cast.home, Permission.TRANSPORT_ARRANGE),
        (cast.mash, Permission.NETWORK_READ),
        (cast.police, Permission.NETWORK_READ),
    ):
        with pytest.raises(ValidationFailed) as refused:
            _key(sessions, settings, login.agency_id, [permission])
        assert "permissions" in refused.value.fields


def test_a_schools_token_whose_row_names_the_gate_check_is_refused_and_no_sighting_is_written(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    with transaction(sessions) as session:
        child_id = make_child(session, who(session, cast.school)).id
    key = _key(sessions, settings, cast.school.agency_id, [Permission.CHILDREN_SEARCH])
    _smuggle(sessions, cast.school.agency_id, Permission.GATE_CHECK)
    response = client.post(
        "/api/v1/gate-checks",
        headers=key,
        json={"registration": MARK, "child_id": str(child_id), "mash_agency_id": str(cast.mash.agency_id)},
    )
    error_of(response, 403, "forbidden")
    with transaction(sessions) as session:
        assert session.scalars(select(GateSighting)).all() == []


def test_a_police_token_whose_row_names_the_network_reads_nothing_of_it(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    with transaction(sessions) as session:
        children, _ = three_children_one_car(session, cast)
    key = _key(sessions, settings, cast.police.agency_id, [Permission.CHRONOLOGY_READ])
    _smuggle(sessions, cast.police.agency_id, Permission.NETWORK_READ)
    for path in (f"/api/v1/network/vehicles/{MARK}", f"/api/v1/network/children/{children[0]}"):
        error_of(client.get(path, headers=key, params={"purpose": "Operation Lantern"}), 403, "forbidden")
    with transaction(sessions) as session:
        assert session.scalars(select(AuditRecord).where(AuditRecord.action.like("network.%"))).all() == []


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


def test_a_correction_through_the_api_that_shares_with_police_must_give_its_mentions(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    """Left out, ``mentions`` would carry the original's adults to police unseen by anyone: a 422 naming the
    field, nothing written; given, police see exactly what the correction chose."""
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        concern_id = record(session, school, child.id, shared_with_police=False).id
    key = _key(sessions, settings, cast.school.agency_id, [Permission.CONCERNS_RECORD])
    client.post(f"/api/v1/concerns/{concern_id}/mentions", headers=key, json={"adults": ["Dean Smith"]})
    body = {
        "category": "going_missing",
        "occurred_at": "2026-03-01T12:00:00+00:00",
        "summary": "Now shared",
        "shared_with_police": True,
        "reason": "Police asked for it",
    }
    refused = error_of(
        client.post(f"/api/v1/concerns/{concern_id}/corrections", headers=key, json=body),
        422,
        "validation_failed",
    )
    assert set(refused["fields"]) == {"mentions"}
    with transaction(sessions) as session:
        assert mentions.mentions_of(session, concern_id)  # the original's, untouched
        assert session.scalar(select(Concern.id).where(Concern.corrects_id == concern_id)) is None
    made = client.post(
        f"/api/v1/concerns/{concern_id}/corrections",
        headers=key,
        json={**body, "mentions": {"adults": []}},
    )
    assert made.status_code == 201, made.text
    with transaction(sessions) as session:
        assert mentions.mentions_of(session, uuid.UUID(made.json()["id"])) == []
