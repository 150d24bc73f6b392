"""Administrators add agencies and users, change roles, reset two-factor and deactivate, through the pages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.identity.models import Agency, User
from openmash.identity.permissions import AgencyType, Role
from tests.support.factories import UserLogin, make_user
from tests.support.web import post_form, sign_in


def _national_admin(client: TestClient, sessions: sessionmaker[Session], settings: Settings) -> UserLogin:
    admin = make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.NATIONAL_ADMIN)
    sign_in(client, sessions, admin)
    return admin


def _count(sessions: sessionmaker[Session], model: type) -> int:
    with transaction(sessions) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_national_admin_adds_a_licensing_authority_by_its_gss_code(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    _national_admin(client, sessions, settings)
    before = _count(sessions, Agency)
    bad = post_form(
        client,
        "/admin/agencies/new",
        "/admin/agencies/new",
        {"type": "licensing_authority", "code": "BUCKS", "name": "Buckinghamshire Council"},
    )
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert "There is a problem" in bad.text  # type: ignore[attr-defined]
    assert "ONS (GSS) code" in bad.text  # type: ignore[attr-defined]
    assert _count(sessions, Agency) == before
    good = post_form(
        client,
        "/admin/agencies/new",
        "/admin/agencies/new",
        {"type": "licensing_authority", "code": "e06000060", "name": "Buckinghamshire Council"},
    )
    assert good.status_code == 303  # type: ignore[attr-defined]
    listing = client.get("/admin/agencies")
    assert "E06000060" in listing.text
    assert "Buckinghamshire Council" in listing.text
    again = post_form(
        client,
        "/admin/agencies/new",
        "/admin/agencies/new",
        {"type": "licensing_authority", "code": "E06000060", "name": "Another"},
    )
    assert again.status_code == 409  # type: ignore[attr-defined]
    assert _count(sessions, Agency) == before + 1


def test_admin_adds_a_user_who_must_then_enrol(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    admin = make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.LICENSING_AUTHORITY)
    sign_in(client, sessions, admin)
    page = client.get("/admin/users/new")
    assert "Licensing officer" in page.text
    assert "Police analyst" not in page.text  # roles that do not fit the agency are not offered
    response = post_form(
        client,
        "/admin/users/new",
        "/admin/users/new",
        {
            "agency_id": str(admin.agency_id),
            "full_name": "Jo Bloggs",
            "email": "jo.bloggs@example.invalid",
            "password": "a temporary passphrase",
            "roles": ["licensing_officer"],
        },
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    user_page = client.get(response.headers["location"])  # type: ignore[attr-defined]
    assert "User added" in user_page.text
    assert "Not set up" in user_page.text
    with transaction(sessions) as session:
        created = session.scalars(select(User).where(User.email == "jo.bloggs@example.invalid")).one()
        assert created.role_names == {"licensing_officer"}
        assert created.password_hash.startswith("$argon2id$")


def test_invalid_new_user_shows_each_problem_and_writes_nothing(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    admin = make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.POLICE_FORCE)
    sign_in(client, sessions, admin)
    before = _count(sessions, User)
    response = post_form(
        client,
        "/admin/users/new",
        "/admin/users/new",
        {
            "agency_id": str(admin.agency_id),
            "full_name": "",
            "email": "nonsense",
            "password": "short",
        },
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    for anchor in ("#full_name", "#email", "#password", "#roles"):
        assert f'href="{anchor}"' in response.text, anchor  # type: ignore[attr-defined]
    assert _count(sessions, User) == before


def test_a_local_admin_cannot_add_users_to_another_agency(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    admin = make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.LICENSING_AUTHORITY)
    elsewhere = make_user(sessions, settings, [Role.POLICE_ANALYST])
    sign_in(client, sessions, admin)
    before = _count(sessions, User)
    response = post_form(
        client,
        "/admin/users/new",
        "/admin/users/new",
        {
            "agency_id": str(elsewhere.agency_id),
            "full_name": "Mole",
            "email": "mole@example.invalid",
            "password": "a temporary passphrase",
            "roles": ["police_analyst"],
        },
    )
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert _count(sessions, User) == before
    assert client.get(f"/admin/users/{elsewhere.id}").status_code == 403


def test_roles_reset_and_deactivation_take_effect_and_are_audited(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    admin = make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.LICENSING_AUTHORITY)
    officer = make_user(sessions, settings, [Role.LICENSING_OFFICER], agency_id=admin.agency_id)
    sign_in(client, sessions, admin)
    page = f"/admin/users/{officer.id}"
    assert post_form(client, page, f"{page}/roles", {"roles": ["licensing_manager"]}).status_code == 303  # type: ignore[attr-defined]
    assert "Licensing manager" in client.get(page).text
    assert post_form(client, page, f"{page}/reset-two-factor", {}).status_code == 303  # type: ignore[attr-defined]
    assert post_form(client, page, f"{page}/deactivate", {}).status_code == 303  # type: ignore[attr-defined]
    assert "Deactivated" in client.get(page).text
    with transaction(sessions) as session:
        row = session.get(User, officer.id)
        assert row is not None
        assert row.role_names == {"licensing_manager"}
        assert row.totp_secret is None
        assert not row.active
        actions = set(
            session.scalars(select(AuditRecord.action).where(AuditRecord.object_id == str(officer.id)))
        )
    assert {"user.view", "user.roles.change", "user.two_factor.reset", "user.deactivate"} <= actions
    empty = post_form(client, page, f"{page}/roles", {})
    assert empty.status_code == 400  # type: ignore[attr-defined]
    assert "Select at least one role" in empty.text  # type: ignore[attr-defined]


def test_national_admin_states_a_purpose_before_opening_another_agencys_user(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    _national_admin(client, sessions, settings)
    other = make_user(sessions, settings, [Role.HOME_MANAGER])
    asked = client.get(f"/admin/users/{other.id}")
    assert asked.status_code == 200
    assert "Why do you need to see this?" in asked.text
    assert other.email not in asked.text
    blank = client.get(f"/admin/users/{other.id}?purpose=")
    assert blank.status_code == 400
    shown = client.get(f"/admin/users/{other.id}", params={"purpose": "Complaint ref 2026-114"})
    assert shown.status_code == 200
    assert other.email in shown.text
    with transaction(sessions) as session:
        entry = session.scalars(select(AuditRecord).where(AuditRecord.action == "user.view")).one()
        assert entry.purpose == "Complaint ref 2026-114"


def test_tokens_are_shown_once_and_can_be_revoked(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    admin = make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.LICENSING_AUTHORITY)
    sign_in(client, sessions, admin)
    created = post_form(
        client,
        "/admin/tokens/new",
        "/admin/tokens/new",
        {
            "agency_id": str(admin.agency_id),
            "name": "Licensing system",
            "days": "30",
            "permissions": ["register:people:search"],
        },
    )
    assert created.status_code == 200  # type: ignore[attr-defined]
    token = re.search(r"(omt_[0-9a-f]{32}_[A-Za-z0-9_-]+)", created.text)  # type: ignore[attr-defined]
    assert token
    listing = client.get("/admin/tokens")
    assert token.group(1) not in listing.text
    assert (
        client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token.group(1)}"}).status_code == 200
    )
    token_id = re.search(r"/admin/tokens/([0-9a-f-]{36})/revoke", listing.text)
    assert token_id
    post_form(client, "/admin/tokens", f"/admin/tokens/{token_id.group(1)}/revoke", {})
    assert "Revoked" in client.get("/admin/tokens").text
    assert (
        client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token.group(1)}"}).status_code == 401
    )
