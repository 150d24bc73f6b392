"""Driving the app over HTTP as a browser would: real sign-in, real CSRF tokens, real cookies."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from openmash.db.base import utcnow
from openmash.db.session import transaction
from openmash.identity import twofactor
from openmash.identity.models import User
from tests.support.factories import UserLogin

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


def csrf_from(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def post_form(client: TestClient, page: str, action: str, data: dict[str, object]) -> object:
    """Open the page (for its CSRF token), then submit the form to ``action``."""
    token = csrf_from(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **data}, follow_redirects=False)


def next_code(sessions: sessionmaker[Session], user: UserLogin) -> str:
    """A valid code not yet used (codes cannot be replayed, so step forward past the last one used)."""
    assert user.totp_secret
    with transaction(sessions) as session:
        row = session.get(User, user.id)
        assert row is not None
        last = row.totp_last_step
    now = utcnow()
    step = int(now.timestamp()) // 30
    if last is not None and last >= step:
        now = now + timedelta(seconds=30)
    return twofactor.current_code(user.totp_secret, now)


def sign_in(client: TestClient, sessions: sessionmaker[Session], user: UserLogin) -> None:
    response = post_form(client, "/sign-in", "/sign-in", {"email": user.email, "password": user.password})
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    assert response.headers["location"] == "/sign-in/two-factor"  # type: ignore[attr-defined]
    response = post_form(
        client, "/sign-in/two-factor", "/sign-in/two-factor", {"code": next_code(sessions, user)}
    )
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    assert response.headers["location"] == "/"  # type: ignore[attr-defined]
