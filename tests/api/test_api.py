"""The JSON API under /api/v1: token authentication, uniform errors, input rules and the audit trail.

Agencies' own systems rely on three promises: only a live token gets in (and every refusal is audited),
every error has the same JSON shape, and bad input changes nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit import service as audit
from openmash.audit.models import AuditRecord
from openmash.audit.service import SYSTEM, Actor
from openmash.config import Settings
from openmash.db.base import utcnow
from openmash.db.session import transaction
from openmash.identity import tokens
from openmash.identity.models import Agency, ApiToken, User
from openmash.identity.permissions import AgencyType, Permission, Role
from openmash.identity.principal import principal_for_user
from tests.support.factories import make_agency, make_user
from tests.support.web import sign_in

READ = Permission.AGENCIES_READ.value
MANAGE = Permission.AGENCIES_MANAGE.value
AUDIT = Permission.AUDIT_READ.value


@dataclass(frozen=True)
class Key:
    plaintext: str
    id: uuid.UUID
    agency_id: uuid.UUID
    agency_code: str
    agency_name: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.plaintext}"}


def make_token(
    sessions: sessionmaker[Session],
    settings: Settings,
    agency_type: AgencyType,
    permissions: list[str],
    *,
    agency_id: uuid.UUID | None = None,
    days: int = 30,
) -> Key:
    with transaction(sessions) as session:
        agency = session.get(Agency, agency_id) if agency_id else make_agency(session, agency_type)
        assert agency is not None
        created = tokens.create_token(
            session,
            settings,
            SYSTEM,
            agency_id=agency.id,
            name=f"{agency.code} case system",
            permissions=permissions,
            days=days,
            context=audit.NO_CONTEXT,
        )
        return Key(created.plaintext, created.token.id, agency.id, agency.code, agency.name)


def count(sessions: sessionmaker[Session], model: type[Any], *where: Any) -> int:
    with transaction(sessions) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def records(sessions: sessionmaker[Session], action: str) -> list[AuditRecord]:
    with transaction(sessions) as session:
        stmt = select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.seq)
        return list(session.scalars(stmt).all())


def error_of(response: Any, status: int, code: str | None) -> dict[str, Any]:
    """The uniform error body, exactly: {"error": {"code", "message", "fields"}}."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}, error
    assert code is None or error["code"] == code, error
    assert isinstance(error["code"], str)
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["fields"], dict)
    return error  # type: ignore[no-any-return]


@pytest.fixture
def national(sessions: sessionmaker[Session], settings: Settings) -> Key:
    return make_token(sessions, settings, AgencyType.NATIONAL_ADMIN, [READ, MANAGE, AUDIT])


# --- authentication -------------------------------------------------------------------------------------


def _parts(plaintext: str) -> tuple[str, str]:
    """(id in hex, secret) of ``omt_<id>_<secret>`` (the secret itself may contain underscores)."""
    _, id_hex, secret = plaintext.split("_", 2)
    return id_hex, secret


def _swap_secret(plaintext: str) -> str:
    id_hex, secret = _parts(plaintext)
    return f"omt_{id_hex}_{'A' if secret[0] != 'A' else 'B'}{secret[1:]}"


def test_requests_without_a_live_token_get_401_and_are_audited(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, national: Key
) -> None:
    token_id_hex, secret = _parts(national.plaintext)
    presented: list[dict[str, str]] = [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": f"Token {national.plaintext}"},
        {"Authorization": national.plaintext},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Bearer omt_"},
        {"Authorization": f"Bearer omt_{token_id_hex}"},
        {"Authorization": f"Bearer omt_{token_id_hex}_"},
        {"Authorization": "Bearer omt_zzzz_secret"},
        {"Authorization": f"Bearer omt_{uuid.uuid4().hex}_{secret}"},
        {"Authorization": f"Bearer {_swap_secret(national.plaintext)}"},
        {"Authorization": f"Bearer {national.plaintext}x"},
        {"Authorization": f"Bearer {national.plaintext[:-1]}"},
        {"Authorization": f"Bearer {national.plaintext}{'x' * 300}"},
    ]
    before = len(records(sessions, "access.denied"))
    for i, headers in enumerate(presented):
        path = ("/api/v1/whoami", "/api/v1/agencies")[i % 2]
        response = client.get(path, headers=headers)
        error = error_of(response, 401, "unauthenticated")
        assert error["fields"] == {}
        assert response.headers["www-authenticate"] == "Bearer", headers
    denied = records(sessions, "access.denied")[before:]
    assert len(denied) == len(presented)
    for record in denied:
        assert record.outcome == "denied"
        assert json.loads(record.details) == {"reason": "no_valid_token"}
        assert record.object_id in ("GET /api/v1/whoami", "GET /api/v1/agencies")
        assert record.actor_token_id is None
        # The presented secret is never written to the trail.
        assert secret not in record.details + record.actor_label + (record.object_id or "")
    # A token in the query string is not a credential (it would end up in logs and browser history).
    response = client.get("/api/v1/whoami", params={"access_token": national.plaintext})
    error_of(response, 401, "unauthenticated")
    # The genuine token still works after all that.
    assert client.get("/api/v1/whoami", headers=national.headers).status_code == 200


def test_expired_revoked_or_deactivated_tokens_are_refused(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    expired, revoked, orphaned = (
        make_token(sessions, settings, agency_type, [READ])
        for agency_type in (AgencyType.NATIONAL_ADMIN, AgencyType.POLICE_FORCE, AgencyType.SCHOOL)
    )
    for key in (expired, revoked, orphaned):
        assert client.get("/api/v1/agencies", headers=key.headers).status_code == 200
    admin = make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.NATIONAL_ADMIN)
    with transaction(sessions) as session:
        row = session.get(ApiToken, expired.id)
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
        user = session.get(User, admin.id)
        assert user is not None
        tokens.revoke_token(session, principal_for_user(user), revoked.id, audit.NO_CONTEXT)
        agency = session.get(Agency, orphaned.agency_id)
        assert agency is not None
        agency.active = False
    assert [r.object_id for r in records(sessions, "token.revoke")] == [str(revoked.id)]
    before = len(records(sessions, "access.denied"))
    for key in (expired, revoked, orphaned):
        response = client.get("/api/v1/agencies", headers=key.headers)
        error_of(response, 401, "unauthenticated")
        assert response.headers["www-authenticate"] == "Bearer"
        assert key.agency_name not in response.text
    assert len(records(sessions, "access.denied")) == before + 3


def test_a_token_is_not_a_browser_session(client: TestClient, national: Key) -> None:
    # As the session cookie: the web treats the visitor as signed out.
    client.cookies.set("openmash_session", national.plaintext)
    response = client.get("/account", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")
    client.cookies.clear()
    # As a bearer header on a page: ignored, the page still wants a signed-in browser.
    response = client.get("/admin/agencies", headers=national.headers, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")


def test_a_browser_session_does_not_authenticate_the_api(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    user = make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.NATIONAL_ADMIN)
    sign_in(client, sessions, user)
    assert client.get("/account").status_code == 200  # the browser is signed in
    assert client.cookies.get("openmash_session")
    before = len(records(sessions, "access.denied"))
    error_of(client.get("/api/v1/whoami"), 401, "unauthenticated")
    error_of(client.get("/api/v1/agencies"), 401, "unauthenticated")
    response = client.post("/api/v1/agencies", json={"type": "school", "code": "SCHOOL-X", "name": "X"})
    error_of(response, 401, "unauthenticated")
    assert count(sessions, Agency, Agency.code == "SCHOOL-X") == 0
    assert len(records(sessions, "access.denied")) == before + 3


# --- who am I and the agency directory ------------------------------------------------------------------


def test_whoami_describes_the_token(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    key = make_token(sessions, settings, AgencyType.LICENSING_AUTHORITY, [READ, AUDIT])
    response = client.get("/api/v1/whoami", headers=key.headers)
    assert response.status_code == 200
    assert response.json() == {
        "kind": "token",
        "name": f"{key.agency_code} case system",
        "agency_code": key.agency_code,
        "agency_name": key.agency_name,
        "permissions": sorted([READ, AUDIT]),
    }


def test_listing_agencies_needs_the_read_permission(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    reader = make_token(sessions, settings, AgencyType.SCHOOL, [READ])
    response = client.get("/api/v1/agencies", headers=reader.headers)
    assert response.status_code == 200
    listed = {a["code"]: a for a in response.json()}
    assert listed[reader.agency_code] == {
        "id": str(reader.agency_id),
        "type": "school",
        "code": reader.agency_code,
        "name": reader.agency_name,
        "active": True,
    }
    one = client.get(f"/api/v1/agencies/{reader.agency_id}", headers=reader.headers)
    assert one.status_code == 200
    assert one.json() == listed[reader.agency_code]

    other = make_token(sessions, settings, AgencyType.SCHOOL, [Permission.CHILDREN_SEARCH.value])
    before = records(sessions, "access.denied")
    for path in ("/api/v1/agencies", f"/api/v1/agencies/{reader.agency_id}"):
        response = client.get(path, headers=other.headers)
        error = error_of(response, 403, "forbidden")
        assert error["fields"] == {}
        assert "www-authenticate" not in response.headers
        assert reader.agency_name not in response.text
    denied = records(sessions, "access.denied")[len(before) :]
    assert [(r.object_id, r.actor_token_id, r.agency_code) for r in denied] == [
        ("GET /api/v1/agencies", other.id, other.agency_code),
        (f"GET /api/v1/agencies/{reader.agency_id}", other.id, other.agency_code),
    ]
    assert json.loads(denied[0].details) == {"reason": f"missing permission {READ}"}


def test_unknown_or_malformed_agency_id(client: TestClient, national: Key) -> None:
    error_of(client.get(f"/api/v1/agencies/{uuid.uuid4()}", headers=national.headers), 404, "not_found")
    error = error_of(
        client.get("/api/v1/agencies/not-a-uuid", headers=national.headers), 422, "validation_failed"
    )
    assert set(error["fields"]) == {"agency_id"}
    error_of(client.get("/api/v1/nothing-here", headers=national.headers), 404, "not_found")
    response = client.post("/api/v1/whoami", headers=national.headers, json={})
    error_of(response, 405, "method_not_allowed")


# --- adding an agency -----------------------------------------------------------------------------------


def test_national_token_adds_an_agency_and_it_is_audited(
    client: TestClient, sessions: sessionmaker[Session], national: Key
) -> None:
    response = client.post(
        "/api/v1/agencies",
        headers=national.headers,
        json={"type": "licensing_authority", "code": "e06000099", "name": "  Synthetic   Council  "},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["type"] == "licensing_authority"
    assert body["code"] == "E06000099"
    assert body["name"] == "Synthetic Council"
    assert body["active"] is True
    fetched = client.get(f"/api/v1/agencies/{body['id']}", headers=national.headers)
    assert fetched.json() == body
    created = [r for r in records(sessions, "agency.create") if r.object_id == body["id"]]
    assert len(created) == 1
    assert created[0].actor_token_id == national.id
    assert created[0].agency_code == national.agency_code
    assert created[0].request_id == response.headers["x-request-id"]


def test_adding_an_agency_needs_the_manage_permission(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    # A national token without the manage permission, and a local token that cannot be given it.
    reader = make_token(sessions, settings, AgencyType.NATIONAL_ADMIN, [READ])
    local = make_token(sessions, settings, AgencyType.LICENSING_AUTHORITY, [READ, AUDIT])
    agencies_before = count(sessions, Agency)
    for key in (reader, local):
        before = len(records(sessions, "access.denied"))
        response = client.post(
            "/api/v1/agencies", headers=key.headers, json={"type": "school", "code": "SCHOOL-Y", "name": "Y"}
        )
        error_of(response, 403, "forbidden")
        assert len(records(sessions, "access.denied")) == before + 1
    assert count(sessions, Agency) == agencies_before


def test_a_local_token_never_manages_agencies_even_if_its_row_says_so(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    local = make_token(sessions, settings, AgencyType.LICENSING_AUTHORITY, [READ])
    with transaction(sessions) as session:
        row = session.get(ApiToken, local.id)
        assert row is not None
        row.permissions = f"{READ} {MANAGE} {Permission.USERS_MANAGE.value}"
    assert client.get("/api/v1/whoami", headers=local.headers).json()["permissions"] == [READ]
    agencies_before = count(sessions, Agency)
    response = client.post(
        "/api/v1/agencies", headers=local.headers, json={"type": "school", "code": "SCHOOL-W", "name": "W"}
    )
    error_of(response, 403, "forbidden")
    assert count(sessions, Agency) == agencies_before


BAD_AGENCY_INPUT: list[tuple[dict[str, object], set[str]]] = [
    ({"type": "school", "code": "SCHOOL-Z"}, {"name"}),
    ({"type": "school", "code": "SCHOOL-Z", "name": ""}, {"name"}),
    ({"type": "school", "code": "SCHOOL-Z", "name": "   "}, {"name"}),
    ({"type": "licensing_authority", "code": "X12345678", "name": "Z Council"}, {"code"}),
    ({"type": "licensing_authority", "code": "E0600006", "name": "Z Council"}, {"code"}),
    ({"type": "borough", "code": "SCHOOL-Z", "name": "Z"}, {"type"}),
    ({"type": "school", "code": "SCHOOL-Z", "name": "Z", "active": False}, {"active"}),
    ({"type": "school", "code": "has spaces", "name": "Z"}, {"code"}),
    ({"type": "school", "code": "SCHOOL-Z", "name": "Z" * 201}, {"name"}),
    ({"type": 7, "code": ["SCHOOL-Z"], "name": {"a": 1}}, {"type", "code", "name"}),
    ({}, {"type", "code", "name"}),
    ({"type": "borough", "code": "has spaces", "name": "  "}, {"type", "code", "name"}),
]


def test_bad_agency_input_is_refused_field_by_field(
    client: TestClient, sessions: sessionmaker[Session], national: Key
) -> None:
    agencies_before = count(sessions, Agency)
    audit_before = count(sessions, AuditRecord)
    for body, fields in BAD_AGENCY_INPUT:
        response = client.post("/api/v1/agencies", headers=national.headers, json=body)
        error = error_of(response, 422, "validation_failed")
        assert set(error["fields"]) == fields, body
        assert all(isinstance(m, str) and m for m in error["fields"].values()), body
    assert count(sessions, Agency) == agencies_before
    assert count(sessions, AuditRecord) == audit_before


def test_body_that_is_not_an_object_is_refused(
    client: TestClient, sessions: sessionmaker[Session], national: Key
) -> None:
    agencies_before = count(sessions, Agency)
    for raw in (b"[]", b'"school"', b"3", b"null", b'[{"type": "school", "code": "SCHOOL-A", "name": "A"}]'):
        response = client.post(
            "/api/v1/agencies",
            headers={**national.headers, "Content-Type": "application/json"},
            content=raw,
        )
        error_of(response, 422, "validation_failed")
    assert count(sessions, Agency) == agencies_before


def test_malformed_json_is_400(client: TestClient, sessions: sessionmaker[Session], national: Key) -> None:
    agencies_before = count(sessions, Agency)
    for raw in (b"{", b'{"type": "school",}', b"not json", b'{"type": "school" "code": "X"}', b"\xff\xfe"):
        response = client.post(
            "/api/v1/agencies",
            headers={**national.headers, "Content-Type": "application/json"},
            content=raw,
        )
        error_of(response, 400, "malformed_json")
    # JSON nested deeper than any parser should follow is refused as unreadable, not a server error.
    for deep in (b"[" * 100_000 + b"]" * 100_000, b'{"name":' * 50_000 + b"1" + b"}" * 50_000):
        response = client.post(
            "/api/v1/agencies",
            headers={**national.headers, "Content-Type": "application/json"},
            content=deep,
        )
        error_of(response, 400, None)
    # No body at all is missing input rather than broken JSON.
    response = client.post(
        "/api/v1/agencies", headers={**national.headers, "Content-Type": "application/json"}, content=b""
    )
    error_of(response, 422, "validation_failed")
    assert count(sessions, Agency) == agencies_before


def test_only_json_is_accepted(client: TestClient, sessions: sessionmaker[Session], national: Key) -> None:
    agencies_before = count(sessions, Agency)
    as_json = json.dumps({"type": "school", "code": "SCHOOL-CT", "name": "Content type"})
    attempts: list[dict[str, Any]] = [
        {"content": as_json, "headers": {"Content-Type": "text/plain"}},
        {"data": {"type": "school", "code": "SCHOOL-CT", "name": "Content type"}},
        {"files": {"upload": ("a.json", as_json.encode(), "application/json")}},
        {"content": as_json, "headers": {"Content-Type": "application/xml"}},
        {"content": as_json.encode()},  # no content type at all
    ]
    for attempt in attempts:
        headers = {**national.headers, **attempt.pop("headers", {})}
        response = client.post("/api/v1/agencies", headers=headers, **attempt)
        error_of(response, 415, "unsupported_media_type")
    assert count(sessions, Agency) == agencies_before
    # The same body with the right type is accepted (so the refusals were about the type).
    response = client.post(
        "/api/v1/agencies",
        headers={**national.headers, "Content-Type": "application/json; charset=utf-8"},
        content=as_json,
    )
    assert response.status_code == 201, response.text


def test_oversize_body_is_413(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, national: Key
) -> None:
    agencies_before = count(sessions, Agency)
    audit_before = count(sessions, AuditRecord)
    big = json.dumps({"type": "school", "code": "SCHOOL-BIG", "name": "x" * settings.max_body_bytes})
    assert len(big) > settings.max_body_bytes
    response = client.post(
        "/api/v1/agencies", headers={**national.headers, "Content-Type": "application/json"}, content=big
    )
    error_of(response, 413, "payload_too_large")

    # Sent in chunks without a Content-Length, the limit still applies as the body arrives.
    def chunks() -> Iterator[bytes]:
        data = big.encode()
        for i in range(0, len(data), 65536):
            yield data[i : i + 65536]

    response = client.post(
        "/api/v1/agencies",
        headers={**national.headers, "Content-Type": "application/json"},
        content=chunks(),
    )
    error_of(response, 413, "payload_too_large")
    assert count(sessions, Agency) == agencies_before
    assert count(sessions, AuditRecord) == audit_before


def test_nul_characters_are_refused_not_stored(
    client: TestClient, sessions: sessionmaker[Session], national: Key
) -> None:
    """U+0000 cannot be stored in PostgreSQL text: bad input on every database, never a 500, never stored."""
    agencies_before = count(sessions, Agency)
    problems = []
    response = client.post(
        "/api/v1/agencies",
        headers=national.headers,
        json={"type": "school", "code": "SCHOOL-NUL", "name": "Nul\u0000 school"},
    )
    if response.status_code in (400, 422):
        error_of(response, response.status_code, None)
    else:
        problems.append(f"agency name: {response.status_code}")
    # A search may refuse the input (4xx) or search without the NUL (200), but never fail.
    for params in ({"purpose": "Complaint\x00 SYN-9"}, {"purpose": "SYN-9", "action": "sign_in\x00"}):
        response = client.get("/api/v1/audit/records", headers=national.headers, params=params)
        if response.status_code in (400, 422):
            error_of(response, response.status_code, None)
        elif response.status_code != 200:
            problems.append(f"audit search {params}: {response.status_code}")
    assert problems == [], problems
    assert count(sessions, Agency) == agencies_before
    with transaction(sessions) as session:
        trail = session.execute(select(AuditRecord.purpose, AuditRecord.details)).all()
    assert not [row for row in trail if "\x00" in f"{row.purpose}{row.details}"]


def test_duplicate_code_is_409(client: TestClient, sessions: sessionmaker[Session], national: Key) -> None:
    body = {"type": "police_force", "code": "POLICE-DUP", "name": "First force"}
    assert client.post("/api/v1/agencies", headers=national.headers, json=body).status_code == 201
    agencies_before = count(sessions, Agency)
    again = {"type": "police_force", "code": "police-dup", "name": "Second force"}
    error = error_of(client.post("/api/v1/agencies", headers=national.headers, json=again), 409, "conflict")
    assert "POLICE-DUP" in error["message"]
    assert count(sessions, Agency) == agencies_before
    assert len([r for r in records(sessions, "agency.create") if "POLICE-DUP" in r.details]) == 1


# --- the audit trail ------------------------------------------------------------------------------------


def _note(sessions: sessionmaker[Session], agency_id: uuid.UUID, agency_code: str, action: str) -> None:
    with transaction(sessions) as session:
        audit.record(
            session,
            action,
            Actor(label="someone@example.invalid", agency_id=agency_id, agency_code=agency_code),
        )


def test_audit_search_needs_a_purpose(
    client: TestClient, sessions: sessionmaker[Session], national: Key
) -> None:
    for query in ("", "?purpose=", "?purpose=%20%20", "?action=agency"):
        response = client.get(f"/api/v1/audit/records{query}", headers=national.headers)
        error = error_of(response, 422, "validation_failed")
        assert set(error["fields"]) == {"purpose"}
    response = client.get(f"/api/v1/audit/records?purpose={'p' * 301}", headers=national.headers)
    assert set(error_of(response, 422, "validation_failed")["fields"]) == {"purpose"}
    assert records(sessions, "audit.search") == []


def test_audit_search_is_recorded_with_its_purpose(
    client: TestClient, sessions: sessionmaker[Session], national: Key
) -> None:
    purpose = "Complaint ref SYN-0001"
    response = client.get(
        "/api/v1/audit/records",
        headers=national.headers,
        params={"purpose": f"  {purpose} ", "action": "token.", "limit": 5},
    )
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] >= 1  # at least the creation of this token
    assert page["records"]
    assert all(r["action"].startswith("token.") for r in page["records"])
    searches = records(sessions, "audit.search")
    assert len(searches) == 1
    assert searches[0].purpose == purpose
    assert searches[0].actor_token_id == national.id
    assert json.loads(searches[0].details)["action"] == "token."
    # The search itself is then visible to the next search.
    again = client.get(
        "/api/v1/audit/records", headers=national.headers, params={"purpose": "check", "action": "audit."}
    )
    assert [r["purpose"] for r in again.json()["records"]] == [purpose]


def test_audit_search_is_scoped_to_the_tokens_agency(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, national: Key
) -> None:
    police = make_token(sessions, settings, AgencyType.POLICE_FORCE, [AUDIT])
    council = make_token(sessions, settings, AgencyType.LICENSING_AUTHORITY, [AUDIT])
    _note(sessions, police.agency_id, police.agency_code, "test.police")
    _note(sessions, council.agency_id, council.agency_code, "test.council")

    def seen(key: Key, **params: object) -> list[dict[str, Any]]:
        response = client.get(
            "/api/v1/audit/records", headers=key.headers, params={"purpose": "scope check", **params}
        )
        assert response.status_code == 200, response.text
        return response.json()["records"]  # type: ignore[no-any-return]

    police_seen = seen(police)
    assert {r["agency_code"] for r in police_seen} == {police.agency_code}
    assert "test.police" in {r["action"] for r in police_seen}
    assert seen(police, action="test.council") == []
    council_seen = seen(council)
    assert {r["agency_code"] for r in council_seen} == {council.agency_code}
    assert "test.police" not in {r["action"] for r in council_seen}
    national_actions = {r["action"] for r in seen(national, limit=500)}
    assert {"test.police", "test.council"} <= national_actions


def test_audit_search_needs_the_audit_permission(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    key = make_token(sessions, settings, AgencyType.POLICE_FORCE, [READ])
    response = client.get("/api/v1/audit/records", headers=key.headers, params={"purpose": "curious"})
    error_of(response, 403, "forbidden")
    assert records(sessions, "audit.search") == []


def test_audit_search_query_rules(client: TestClient, national: Key) -> None:
    for params in (
        {"limit": 0},
        {"limit": 501},
        {"limit": "ten"},
        {"offset": -1},
        {"date_from": "2026-13-01"},
        {"date_to": "yesterday"},
        {"action": "a" * 81},
    ):
        response = client.get(
            "/api/v1/audit/records", headers=national.headers, params={"purpose": "rules", **params}
        )
        error = error_of(response, 422, "validation_failed")
        assert set(error["fields"]) == set(params), params


def test_audit_search_parameters_at_their_extremes_are_not_server_errors(
    client: TestClient, national: Key
) -> None:
    """The last representable date and a huge offset are valid input: an answer or a 422, never a 500."""
    problems = []
    for params in (
        {"date_to": "9999-12-31"},
        {"date_from": "9999-12-31", "date_to": "9999-12-31"},
        {"date_from": "0001-01-01", "date_to": "0001-01-01"},
        {"offset": 2**62},
        {"offset": 2**63},
        {"offset": 10**30},
    ):
        response = client.get(
            "/api/v1/audit/records", headers=national.headers, params={"purpose": "edge SYN-4", **params}
        )
        if response.status_code == 422:
            assert set(error_of(response, 422, "validation_failed")["fields"]) <= set(params), params
        elif response.status_code == 200:
            page = response.json()
            if "offset" in params or params.get("date_to") == "0001-01-01":
                assert page["records"] == [], params
            if params == {"date_to": "9999-12-31"}:
                assert page["total"] > 0  # up to the end of time is everything so far
        else:
            problems.append(f"{params}: {response.status_code} {response.text[:120]}")
    assert problems == [], problems


# --- the description of the API -------------------------------------------------------------------------


def test_openapi_lists_the_api_and_only_the_api(client: TestClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {
        "/api/v1/whoami",
        "/api/v1/agencies",
        "/api/v1/agencies/{agency_id}",
        "/api/v1/audit/records",
        "/api/v1/register/screenings",
        "/api/v1/register/vehicles/{registration}",
        "/api/v1/register/imports",
        "/api/v1/register/exports",
        "/api/v1/register/matches",
        "/api/v1/register/matches/{proposal_id}/decision",
        "/api/v1/children/searches",
        "/api/v1/gate-checks",
        "/api/v1/network/children/{child_id}",
        "/api/v1/network/vehicles/{registration}",
        "/api/v1/children",
        "/api/v1/children/{child_id}",
        "/api/v1/children/{child_id}/concerns",
        "/api/v1/concerns/{concern_id}/corrections",
        "/api/v1/concerns/{concern_id}/mentions",
        "/api/v1/children/{child_id}/chronology",
        "/api/v1/children/{child_id}/risk-screenings",
        "/api/v1/children/{child_id}/missing-episodes",
        "/api/v1/missing-episodes/{episode_id}/return",
        "/api/v1/missing-episodes/{episode_id}/interviews",
        "/api/v1/return-interviews",
        "/api/v1/children/{child_id}/philomena-profiles",
        "/api/v1/children/{child_id}/police-shares",
        "/api/v1/concerns/{concern_id}/mash-contacts",
        "/api/v1/triage/contacts",
        "/api/v1/children/{child_id}/help-requests",
        "/api/v1/help-requests",
        "/api/v1/help-requests/escalated",
        "/api/v1/children/{child_id}/support",
        "/api/v1/children/{child_id}/support-items",
        "/api/v1/children/{child_id}/court-dates",
        "/api/v1/alerts",
        "/api/v1/alerts/{alert_id}",
        "/api/v1/alerts/{alert_id}/seen",
    }
    assert set(spec["paths"]["/api/v1/agencies"]) == {"get", "post"}
    responses = spec["paths"]["/api/v1/agencies"]["post"]["responses"]
    assert {"201", "401", "403", "413", "415", "422"} <= set(responses)
    assert "ErrorBody" in spec["components"]["schemas"]


def test_api_docs_page_renders(client: TestClient) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    for path in (
        "/api/v1/whoami",
        "/api/v1/agencies",
        "/api/v1/agencies/{agency_id}",
        "/api/v1/audit/records",
    ):
        assert f"<code>{path}</code>" in html
    assert "Add an agency (national administrator)" in html
    assert "Search the audit trail (purpose required)" in html
