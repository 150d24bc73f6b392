"""Signing in through the pages: password, two-factor or enrolment, sign-out and password change."""

from __future__ import annotations

import re

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.identity.permissions import AgencyType, Role
from tests.support.factories import make_user
from tests.support.web import csrf_from, next_code, post_form, sign_in


def _actions(sessions: sessionmaker[Session]) -> list[str]:
    with transaction(sessions) as session:
        return [r.action for r in session.scalars(select(AuditRecord).order_by(AuditRecord.seq))]


def test_sign_in_with_two_factor_reaches_the_start_page(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    user = make_user(sessions, settings, [Role.LICENSING_OFFICER])
    sign_in(client, sessions, user)
    page = client.get("/")
    assert page.status_code == 200
    assert "Licensing officer" in page.text
    assert "Sign out" in page.text
    assert "sign_in" in _actions(sessions)


def test_the_second_step_cannot_be_skipped(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    user = make_user(sessions, settings, [Role.LICENSING_OFFICER])
    post_form(client, "/sign-in", "/sign-in", {"email": user.email, "password": user.password})
    for path in ("/", "/account", "/admin/users"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/sign-in/two-factor"


def test_a_wrong_code_is_refused_with_a_message(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    user = make_user(sessions, settings, [Role.LICENSING_OFFICER])
    post_form(client, "/sign-in", "/sign-in", {"email": user.email, "password": user.password})
    response = post_form(client, "/sign-in/two-factor", "/sign-in/two-factor", {"code": "123456"})
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "Enter the correct 6-digit code" in response.text  # type: ignore[attr-defined]
    assert 'href="#code"' in response.text  # type: ignore[attr-defined]
    assert "sign_in.two_factor.failed" in _actions(sessions)


def test_wrong_password_and_unknown_email_get_the_same_answer(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    user = make_user(sessions, settings, [Role.LICENSING_OFFICER])
    wrong = post_form(client, "/sign-in", "/sign-in", {"email": user.email, "password": "not the password"})
    unknown = post_form(
        client, "/sign-in", "/sign-in", {"email": "nobody@example.invalid", "password": "x" * 12}
    )
    for response in (wrong, unknown):
        assert response.status_code == 400  # type: ignore[attr-defined]
        assert "Enter a correct email address and password" in response.text  # type: ignore[attr-defined]


def test_a_locked_account_is_not_revealed(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    user = make_user(sessions, settings, [Role.LICENSING_OFFICER])
    for _ in range(settings.lockout_threshold):
        post_form(client, "/sign-in", "/sign-in", {"email": user.email, "password": "not the password"})
    locked = post_form(client, "/sign-in", "/sign-in", {"email": user.email, "password": user.password})
    assert locked.status_code == 400  # type: ignore[attr-defined]
    assert "Enter a correct email address and password" in locked.text  # type: ignore[attr-defined]


def test_enrolment_shows_a_qr_code_and_accepts_a_code_from_it(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    user = make_user(sessions, settings, [Role.SCHOOL_DSL], enrolled=False)
    response = post_form(client, "/sign-in", "/sign-in", {"email": user.email, "password": user.password})
    assert response.headers["location"] == "/sign-in/set-up-two-factor"  # type: ignore[attr-defined]
    page = client.get("/sign-in/set-up-two-factor")
    assert "<svg" in page.text
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text)
    assert secret
    assert client.get("/sign-in/set-up-two-factor").text.count(secret.group(1)) == 1  # same secret on reload
    done = client.post(
        "/sign-in/set-up-two-factor",
        data={"csrf_token": csrf_from(page.text), "code": pyotp.TOTP(secret.group(1)).now()},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert client.get("/").status_code == 200
    assert "two_factor.enrol" in _actions(sessions)


def test_signing_out_ends_the_session_for_good(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    user = make_user(sessions, settings, [Role.MASH_PRACTITIONER])
    sign_in(client, sessions, user)
    stolen = dict(client.cookies)
    response = post_form(client, "/", "/sign-out", {})
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["location"].startswith("/sign-in")  # type: ignore[attr-defined]
    client.cookies.clear()
    for name, value in stolen.items():
        client.cookies.set(name, value)
    assert client.get("/", follow_redirects=False).headers["location"].startswith("/sign-in")
    assert "sign_out" in _actions(sessions)


def test_changing_password_signs_out_other_sessions(
    app: object, client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    user = make_user(sessions, settings, [Role.HEALTH_PRACTITIONER])
    sign_in(client, sessions, user)
    with TestClient(app, base_url="http://testserver") as other:  # type: ignore[arg-type]
        sign_in(other, sessions, user)
        bad = post_form(
            client,
            "/account/password",
            "/account/password",
            {"current_password": "wrong one entirely", "new_password": "short", "confirm_password": "short"},
        )
        assert bad.status_code == 400  # type: ignore[attr-defined]
        assert "Your current password is wrong" in bad.text  # type: ignore[attr-defined]
        new = "a brand new passphrase"
        good = post_form(
            client,
            "/account/password",
            "/account/password",
            {"current_password": user.password, "new_password": new, "confirm_password": new},
        )
        assert good.status_code == 303  # type: ignore[attr-defined]
        assert client.get("/account").status_code == 200
        assert other.get("/account", follow_redirects=False).status_code == 303
    client.cookies.clear()
    response = post_form(client, "/sign-in", "/sign-in", {"email": user.email, "password": new})
    assert response.headers["location"] == "/sign-in/two-factor"  # type: ignore[attr-defined]


def test_admin_of_a_school_must_enrol_too(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    user = make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.SCHOOL, enrolled=False)
    response = post_form(client, "/sign-in", "/sign-in", {"email": user.email, "password": user.password})
    assert response.headers["location"] == "/sign-in/set-up-two-factor"  # type: ignore[attr-defined]
    assert (
        client.get("/admin/users", follow_redirects=False).headers["location"] == "/sign-in/set-up-two-factor"
    )


def test_the_session_cookie_changes_when_sign_in_completes(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    user = make_user(sessions, settings, [Role.LICENSING_OFFICER])
    post_form(client, "/sign-in", "/sign-in", {"email": user.email, "password": user.password})
    before = client.cookies.get("openmash_session")
    sign_in_code = post_form(
        client, "/sign-in/two-factor", "/sign-in/two-factor", {"code": next_code(sessions, user)}
    )
    assert sign_in_code.status_code == 303  # type: ignore[attr-defined]
    after = client.cookies.get("openmash_session")
    assert before
    assert after
    assert before != after
    with TestClient(client.app, base_url="http://testserver") as thief:  # type: ignore[arg-type]
        thief.cookies.set("openmash_session", before)
        assert thief.get("/", follow_redirects=False).headers["location"].startswith("/sign-in")


def test_sign_in_can_be_abandoned_at_the_second_step(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    user = make_user(sessions, settings, [Role.LICENSING_OFFICER])
    post_form(client, "/sign-in", "/sign-in", {"email": user.email, "password": user.password})
    page = client.get("/sign-in/two-factor")
    assert "Cancel and sign out" in page.text
    response = client.post("/sign-out", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert response.status_code == 303
    assert (
        client.get("/sign-in/two-factor", follow_redirects=False).headers["location"].startswith("/sign-in")
    )
