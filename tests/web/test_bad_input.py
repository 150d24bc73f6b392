"""The web pages under hostile or broken input: forged forms, injected markup and SQL, odd ids, wrong or
oversized bodies, stale sessions and open-redirect attempts. Nothing is written, nothing leaks, and every
response carries the security headers.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from openmash.app import create_app
from openmash.audit import service as audit
from openmash.audit.models import AuditRecord
from openmash.config import Settings
from openmash.db.base import utcnow
from openmash.db.session import transaction
from openmash.identity.models import Agency, User, UserSession
from openmash.identity.permissions import AgencyType, Role
from tests.support.factories import UserLogin, make_user
from tests.support.web import csrf_from, next_code, post_form, sign_in

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
NEXT = re.compile(r'name="next" value="([^"]*)"')
TOTAL = re.compile(r'govuk-table__caption--m">(\d+) records')
LEAKS = ("Traceback", 'File "', "sqlalchemy", "SELECT ", "psycopg", "sqlite", "openmash/", "Exception")


@pytest.fixture
def admin(client: TestClient, sessions: sessionmaker[Session], settings: Settings) -> UserLogin:
    """A signed-in national administrator who is also an auditor."""
    user = make_user(sessions, settings, [Role.ADMIN, Role.AUDITOR], agency_type=AgencyType.NATIONAL_ADMIN)
    sign_in(client, sessions, user)
    return user


def count(sessions: sessionmaker[Session], model: type[Any], *where: Any) -> int:
    with transaction(sessions) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def denials(sessions: sessionmaker[Session]) -> list[AuditRecord]:
    with transaction(sessions) as session:
        stmt = select(AuditRecord).where(AuditRecord.action == "access.denied").order_by(AuditRecord.seq)
        return list(session.scalars(stmt).all())


def assert_error_page(response: Any, status: int, title: str) -> str:
    """A GOV.UK-styled error page that gives nothing away."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    html: str = response.text
    assert 'class="govuk-template' in html
    assert f'<h1 class="govuk-heading-l">{title}</h1>' in html
    assert 'class="govuk-footer"' in html
    for leak in LEAKS:
        assert leak not in html, leak
    return html


# --- forged forms ---------------------------------------------------------------------------------------


def test_agency_form_without_the_right_csrf_token_is_refused_and_audited(
    client: TestClient, app: FastAPI, sessions: sessionmaker[Session], admin: UserLogin
) -> None:
    good = csrf_from(client.get("/admin/agencies/new").text)
    # A token genuinely issued by openmash, but to another browser.
    with TestClient(app, raise_server_exceptions=False) as stranger:
        foreign = csrf_from(stranger.get("/sign-in").text)
    assert foreign != good
    form = {"type": "school", "code": "SCHOOL-CSRF", "name": "Forged school"}
    attempts: list[dict[str, str]] = [
        form,
        {**form, "csrf_token": ""},
        {**form, "csrf_token": "0" * 64},
        {**form, "csrf_token": foreign},
        {**form, "csrf_token": good.upper()},
        {**form, "csrf_token": good[:-1]},
    ]
    agencies_before = count(sessions, Agency)
    for data in attempts:
        before = len(denials(sessions))
        response = client.post("/admin/agencies/new", data=data, follow_redirects=False)
        html = assert_error_page(response, 403, "You do not have access")
        assert "Forged school" not in html
        new = denials(sessions)[before:]
        assert len(new) == 1, data
        assert json.loads(new[0].details) == {"reason": "csrf"}
        assert new[0].actor_user_id == admin.id
        assert new[0].object_id == "POST /admin/agencies/new"
    assert count(sessions, Agency) == agencies_before
    assert (
        count(
            sessions,
            AuditRecord,
            AuditRecord.action == "agency.create",
            AuditRecord.agency_id == admin.agency_id,
        )
        == 0
    )
    # Signing someone out is a form too: a forged one is refused and the session lives on.
    response = client.post("/sign-out", data={"csrf_token": foreign}, follow_redirects=False)
    assert response.status_code == 403
    assert client.get("/account").status_code == 200
    # The same form with the page's own token goes through, so the refusals were about the token.
    response = client.post("/admin/agencies/new", data={**form, "csrf_token": good}, follow_redirects=False)
    assert response.status_code == 303
    assert count(sessions, Agency) == agencies_before + 1
    # Signing in again gives a new session cookie, which the form token is bound to: the old one is dead.
    sign_in(client, sessions, admin)
    response = client.post(
        "/admin/agencies/new",
        data={"csrf_token": good, "type": "school", "code": "SCHOOL-OLD", "name": "Old token"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert count(sessions, Agency) == agencies_before + 1


# --- injected markup ------------------------------------------------------------------------------------


def test_markup_in_an_agency_name_is_stored_as_given_and_shown_escaped(
    client: TestClient, sessions: sessionmaker[Session], admin: UserLogin
) -> None:
    attribute_breaker = '"><img src=x onerror=alert(2)>'
    for code, name in (("SCHOOL-XSS", SCRIPT), ("SCHOOL-XSS2", attribute_breaker)):
        response = post_form(
            client,
            "/admin/agencies/new",
            "/admin/agencies/new",
            {"type": "school", "code": code, "name": name},
        )
        assert response.status_code == 303  # type: ignore[attr-defined]
    with transaction(sessions) as session:
        stored = dict(
            session.execute(select(Agency.code, Agency.name).where(Agency.code.like("SCHOOL-XSS%"))).all()
        )
    assert stored == {"SCHOOL-XSS": SCRIPT, "SCHOOL-XSS2": attribute_breaker}

    for page in ("/admin/agencies", "/admin/users/new", "/admin/tokens/new"):
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.text
        assert SCRIPT not in html, page
        assert "<img src=x" not in html, page
        assert ESCAPED_SCRIPT in html, page
    assert "&lt;img src=x onerror=alert(2)&gt;" in client.get("/admin/agencies").text

    # Markup in the query string is not reflected either.
    for url in (
        f"/admin/agencies?created={quote(SCRIPT)}",
        f"/admin/users?agency={quote(chr(34) + '>' + SCRIPT)}",
        f"/audit?action={quote(SCRIPT)}&actor={quote(SCRIPT)}&purpose={quote(SCRIPT)}",
        f"/sign-in?next={quote(SCRIPT)}",
    ):
        response = client.get(url)
        assert response.status_code in (200, 303), url
        assert SCRIPT not in response.text, url
    assert ESCAPED_SCRIPT in client.get(f"/admin/agencies?created={quote(SCRIPT)}").text


# --- injected SQL ---------------------------------------------------------------------------------------


def test_sql_in_form_fields_is_just_text(
    client: TestClient, app: FastAPI, sessions: sessionmaker[Session], admin: UserLogin
) -> None:
    agencies_before = count(sessions, Agency)
    users_before = count(sessions, User)
    names = {
        "SCHOOL-SQL1": "Robert'); DROP TABLE agencies;--",
        "SCHOOL-SQL2": "x' OR '1'='1",
        "SCHOOL-SQL3": '"; DELETE FROM users; --',
    }
    for code, name in names.items():
        response = post_form(
            client,
            "/admin/agencies/new",
            "/admin/agencies/new",
            {"type": "school", "code": code, "name": name},
        )
        assert response.status_code == 303  # type: ignore[attr-defined]
    # SQL in the code breaks the code's rule: refused, not run.
    response = post_form(
        client,
        "/admin/agencies/new",
        "/admin/agencies/new",
        {"type": "school", "code": "X'; DROP TABLE users;--", "name": "Sneaky"},
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    with transaction(sessions) as session:
        for code, name in names.items():
            agency = session.scalars(select(Agency).where(Agency.code == code)).one()
            assert agency.name == name
    assert count(sessions, Agency) == agencies_before + 3
    assert count(sessions, User) == users_before
    assert client.get("/admin/users").status_code == 200
    assert admin.email in client.get("/admin/users").text

    # The classic sign-in bypass gets nowhere.
    with TestClient(app, raise_server_exceptions=False) as browser:
        response = post_form(
            browser, "/sign-in", "/sign-in", {"email": "' OR '1'='1' --", "password": "' OR '1'='1"}
        )
        assert response.status_code == 400  # type: ignore[attr-defined]
        assert "Enter a correct email address and password" in response.text  # type: ignore[attr-defined]
        response = post_form(
            browser, "/sign-in", "/sign-in", {"email": f"{admin.email}' --", "password": "x"}
        )
        assert response.status_code == 400  # type: ignore[attr-defined]
        assert "openmash_session" not in browser.cookies


def test_sql_and_wildcards_in_the_audit_search_are_just_text(
    client: TestClient, sessions: sessionmaker[Session], admin: UserLogin
) -> None:
    # A real search finds records, so the empty results below are not a broken search.
    response = client.get("/audit", params={"action": "sign_in", "purpose": "Baseline SYN-1"})
    assert response.status_code == 200
    assert int(TOTAL.findall(response.text)[0]) > 0

    hostile = [
        {"action": "' OR 1=1 --"},
        {"action": "%"},
        {"action": "_"},
        {"actor": "%' OR '1'='1"},
        {"actor": "%"},
        {"object_id": "1; DROP TABLE audit_records;--"},
        {"object_id": "' OR ''='"},
    ]
    for params in hostile:
        records_before = count(sessions, AuditRecord)
        purpose = "Investigation SYN-2'); DROP TABLE audit_records;--"
        response = client.get("/audit", params={**params, "purpose": purpose})
        assert response.status_code == 200, params
        assert TOTAL.findall(response.text) == ["0"], params
        assert count(sessions, AuditRecord) == records_before + 1  # just the search itself
        with transaction(sessions) as session:
            last = session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(1)).one()
        assert last.action == "audit.search"
        assert last.purpose == purpose
        for key, value in params.items():
            assert json.loads(last.details)[key] == value

    response = client.get("/audit", params={"agency": "' OR ''='", "purpose": "SYN-3"})
    assert response.status_code == 400
    assert "No agency has this code" in response.text
    with transaction(sessions) as session:
        assert audit.verify(session).intact


def test_nul_characters_in_input_are_refused_not_a_server_error(
    client: TestClient, app: FastAPI, sessions: sessionmaker[Session], admin: UserLogin
) -> None:
    """U+0000 cannot be stored in PostgreSQL text: bad input on every database, never a 500, never stored."""
    agencies_before = count(sessions, Agency)
    problems = []
    response = post_form(
        client,
        "/admin/agencies/new",
        "/admin/agencies/new",
        {"type": "school", "code": "SCHOOL-NUL", "name": "Nul\x00 school"},
    )
    if response.status_code != 400:  # type: ignore[attr-defined]
        problems.append(f"agency name: {response.status_code}")  # type: ignore[attr-defined]
    for params in (
        {"purpose": "Complaint\x00 SYN-5", "action": "sign_in"},
        {"purpose": "SYN-5", "actor": "someone\x00"},
        {"purpose": "SYN-5", "agency": "NATIONAL\x00"},
    ):
        status = client.get("/audit", params=params).status_code
        if status not in (200, 400):
            problems.append(f"audit search {params}: {status}")
    status = client.get(f"/admin/users/{admin.id}", params={"purpose": "\x00"}).status_code
    if status not in (200, 400):
        problems.append(f"user page purpose: {status}")
    with TestClient(app, raise_server_exceptions=False) as browser:
        response = post_form(
            browser, "/sign-in", "/sign-in", {"email": f"{admin.email}\x00", "password": admin.password}
        )
        if response.status_code != 400:  # type: ignore[attr-defined]
            problems.append(f"sign-in email: {response.status_code}")  # type: ignore[attr-defined]
    assert problems == [], problems
    assert count(sessions, Agency) == agencies_before
    with transaction(sessions) as session:
        trail = session.execute(select(AuditRecord.actor_label, AuditRecord.purpose)).all()
    assert not [row for row in trail if "\x00" in f"{row.actor_label}{row.purpose}"]


def test_audit_dates_at_their_extremes_are_not_server_errors(client: TestClient, admin: UserLogin) -> None:
    """The last representable date is valid input: the search or export works, or the form says why not."""
    params = {"purpose": "Edge SYN-6", "date_to": "9999-12-31"}
    problems = []
    search = client.get("/audit", params=params)
    if search.status_code == 200:
        assert int(TOTAL.findall(search.text)[0]) > 0  # up to the end of time is everything so far
    elif search.status_code != 400:
        problems.append(f"search: {search.status_code}")
    export = client.get("/audit/export.csv", params=params)
    if export.status_code == 200:
        # A 200 must carry the whole file, not a stream that died after the headers.
        if not export.text.startswith("seq,occurred_at,action,"):
            problems.append(f"export: 200 with body {export.text[:40]!r}")
    elif export.status_code != 400:
        problems.append(f"export: {export.status_code}")
    assert problems == [], problems


# --- invalid forms --------------------------------------------------------------------------------------


def test_invalid_agency_form_shows_the_error_summary_and_writes_nothing(
    client: TestClient, sessions: sessionmaker[Session], admin: UserLogin
) -> None:
    agencies_before = count(sessions, Agency)
    audit_before = count(sessions, AuditRecord, AuditRecord.action == "agency.create")
    cases: list[tuple[dict[str, str], set[str]]] = [
        ({"type": "school", "code": "SCHOOL-OK", "name": ""}, {"name"}),
        ({"type": "licensing_authority", "code": "NOT-A-GSS-CODE", "name": "Council"}, {"code"}),
        ({"type": "", "code": "", "name": "   "}, {"type", "code", "name"}),
        ({"type": "parliament", "code": "a b", "name": "X"}, {"type", "code"}),
    ]
    for data, fields in cases:
        response = post_form(client, "/admin/agencies/new", "/admin/agencies/new", data)
        assert response.status_code == 400, data  # type: ignore[attr-defined]
        html = response.text  # type: ignore[attr-defined]
        assert "<title>Error: " in html
        assert "govuk-error-summary" in html
        assert "There is a problem" in html
        links = set(re.findall(r'<a href="#([a-z_]+)"', html))
        assert links == fields, data
        for field in fields:
            assert f'id="{field}-error"' in html, field
    # The refused input is shown again, escaped.
    response = post_form(
        client,
        "/admin/agencies/new",
        "/admin/agencies/new",
        {"type": "school", "code": SCRIPT, "name": f'x" autofocus onfocus="alert(1){SCRIPT}'},
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    assert SCRIPT not in html
    assert 'autofocus onfocus="alert(1)' not in html
    assert ESCAPED_SCRIPT in html
    assert count(sessions, Agency) == agencies_before
    assert count(sessions, AuditRecord, AuditRecord.action == "agency.create") == audit_before
    # A name one character too long is a mistake a person makes (pasting): it gets the same error summary.
    response = post_form(
        client,
        "/admin/agencies/new",
        "/admin/agencies/new",
        {"type": "school", "code": "SCHOOL-LONG", "name": "n" * 201},
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    assert "govuk-error-summary" in html
    assert set(re.findall(r'<a href="#([a-z_]+)"', html)) == {"name"}
    assert count(sessions, Agency) == agencies_before


# --- unknown ids and paths ------------------------------------------------------------------------------


def test_unknown_or_malformed_ids_give_a_404_page_that_leaks_nothing(
    client: TestClient, sessions: sessionmaker[Session], admin: UserLogin
) -> None:
    for path in (
        f"/admin/users/{uuid.uuid4()}",
        "/admin/users/not-a-uuid",
        "/admin/users/1%20OR%201=1",
        "/admin/users/'%3B%20DROP%20TABLE%20users%3B--",
        f"/admin/users/{uuid.uuid4().hex[:-1]}",
    ):
        response = client.get(path)
        html = assert_error_page(response, 404, "Page not found")
        assert "DROP" not in html
    token = csrf_from(client.get("/account").text)
    audit_before = count(sessions, AuditRecord)
    for path in (f"/admin/users/{uuid.uuid4()}/deactivate", "/admin/users/not-a-uuid/deactivate"):
        response = client.post(path, data={"csrf_token": token}, follow_redirects=False)
        assert_error_page(response, 404, "Page not found")
    assert count(sessions, AuditRecord) == audit_before


def test_unknown_path_gives_the_govuk_404_page(client: TestClient) -> None:
    for path in ("/no-such-page", "/admin/nothing", "/static/no-such-file.js", "/%00"):
        response = client.get(path)
        html = assert_error_page(response, 404, "Page not found")
        assert f"quote reference {response.headers['x-request-id']}" in html
    response = client.get("/no-such-page")
    assert '<a class="govuk-link" href="/">Go to the start page</a>' in response.text


# --- wrong and oversized bodies -------------------------------------------------------------------------


def test_wrong_or_oversized_bodies_are_refused_and_write_nothing(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, admin: UserLogin
) -> None:
    token = csrf_from(client.get("/admin/agencies/new").text)
    body = {"csrf_token": token, "type": "school", "code": "SCHOOL-BODY", "name": "Body school"}
    agencies_before = count(sessions, Agency)
    audit_before = count(sessions, AuditRecord)
    # Not a form: 415.
    for kwargs in (
        {"json": body},
        {"content": json.dumps(body), "headers": {"Content-Type": "text/plain"}},
        {"content": f"csrf_token={token}&type=school&code=SCHOOL-BODY&name=x"},  # no content type
    ):
        response = client.post("/admin/agencies/new", follow_redirects=False, **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 415, kwargs
    # Over the limit: 413, whether the size is declared up front...
    big = {**body, "name": "n" * settings.max_body_bytes}
    response = client.post("/admin/agencies/new", data=big, follow_redirects=False)
    assert response.status_code == 413
    # ...or only discovered as the body arrives (no Content-Length).
    encoded = f"csrf_token={token}&type=school&code=SCHOOL-BODY&name={'n' * settings.max_body_bytes}".encode()

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(encoded), 65536):
            yield encoded[i : i + 65536]

    response = client.post(
        "/admin/agencies/new",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert response.status_code == 413
    assert count(sessions, Agency) == agencies_before
    assert count(sessions, AuditRecord) == audit_before
    # The same fields as an ordinary form go through, so the refusals were about the body.
    response = client.post("/admin/agencies/new", data=body, follow_redirects=False)
    assert response.status_code == 303
    assert count(sessions, Agency) == agencies_before + 1


# --- security headers -----------------------------------------------------------------------------------


def _assert_security_headers(response: Any, *, https: bool) -> None:
    h = response.headers
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    csp = h.get("content-security-policy", "")
    assert "default-src 'self'" in csp, where
    assert "script-src 'self'" in csp, where
    assert "frame-ancestors 'none'" in csp, where
    assert "unsafe-inline" not in csp, where
    assert "unsafe-eval" not in csp, where
    assert h.get("x-frame-options") == "DENY", where
    assert h.get("x-content-type-options") == "nosniff", where
    assert h.get("referrer-policy") == "no-referrer", where
    if https:
        hsts = h.get("strict-transport-security", "")
        assert re.fullmatch(r"max-age=(\d+); includeSubDomains", hsts), where
        assert int(hsts.split("=")[1].split(";")[0]) >= 31536000
    else:
        assert "strict-transport-security" not in h, where
    if response.request.url.path.startswith("/static/"):
        assert "no-store" not in h.get("cache-control", ""), where
    else:
        assert h.get("cache-control") == "no-store", where


def _assorted_responses(client: TestClient, max_body: int) -> list[Any]:
    token = csrf_from(client.get("/sign-in").text)
    responses = [
        client.get("/sign-in"),
        client.get("/", follow_redirects=False),
        client.get("/no-such-page"),
        client.get("/healthz"),
        client.get("/api/openapi.json"),
        client.get("/api/docs"),
        client.get("/api/v1/whoami"),
        client.get("/static/openmash.js"),
        client.get("/static/vendor/openmash.css"),
        client.post("/sign-in", data={"csrf_token": token, "email": "", "password": ""}),  # 400
        client.post("/sign-in", data={"email": "a@example.invalid"}),  # 403: no CSRF token
        client.post("/sign-in", json={"csrf_token": token}),  # 415 from the middleware
        client.post("/sign-in", data={"csrf_token": token, "email": "x" * max_body}),  # 413
        client.delete("/sign-in", headers={"Content-Type": "application/x-www-form-urlencoded"}),  # 405
    ]
    statuses = {r.status_code for r in responses}
    assert {200, 303, 400, 401, 403, 404, 405, 413, 415} <= statuses, statuses
    return responses


def test_every_response_has_the_security_headers_and_hsts_only_over_https(
    client: TestClient, app: FastAPI, settings: Settings
) -> None:
    for response in _assorted_responses(client, settings.max_body_bytes):
        _assert_security_headers(response, https=False)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as secure:
        for response in _assorted_responses(secure, settings.max_body_bytes):
            _assert_security_headers(response, https=True)


def test_signed_in_pages_have_the_security_headers(client: TestClient, admin: UserLogin) -> None:
    for path in ("/", "/account", "/admin/agencies", "/admin/users", "/audit"):
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_security_headers(response, https=False)


# --- cookies and sessions -------------------------------------------------------------------------------


def _set_cookie(response: Any, name: str) -> str:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header  # type: ignore[no-any-return]
    raise AssertionError(f"no Set-Cookie for {name}: {response.headers.get_list('set-cookie')}")


def _flags(header: str) -> set[str]:
    return {part.strip().lower() for part in header.split(";")[1:]}


def test_session_and_csrf_cookies_are_httponly_and_samesite_lax(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    user = make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.NATIONAL_ADMIN)
    page = client.get("/sign-in")
    csrf_cookie = _flags(_set_cookie(page, "openmash_csrf"))
    assert {"httponly", "samesite=lax", "path=/"} <= csrf_cookie
    response = post_form(client, "/sign-in", "/sign-in", {"email": user.email, "password": user.password})
    assert response.status_code == 303  # type: ignore[attr-defined]
    session_cookie = _flags(_set_cookie(response, "openmash_session"))
    assert {"httponly", "samesite=lax", "path=/"} <= session_cookie
    assert not any(flag.startswith("domain=") for flag in session_cookie)


def test_cookies_are_secure_and_host_only_when_configured(
    engine: Engine, sessions: sessionmaker[Session], settings: Settings
) -> None:
    secure_settings = settings.model_copy(update={"cookie_secure": True})
    user = make_user(sessions, secure_settings, [Role.ADMIN], agency_type=AgencyType.NATIONAL_ADMIN)
    app = create_app(secure_settings, engine)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as browser:
        page = browser.get("/sign-in")
        assert {"httponly", "samesite=lax", "secure", "path=/"} <= _flags(
            _set_cookie(page, "__Host-openmash_csrf")
        )
        response = post_form(
            browser, "/sign-in", "/sign-in", {"email": user.email, "password": user.password}
        )
        assert response.status_code == 303  # type: ignore[attr-defined]
        flags = _flags(_set_cookie(response, "__Host-openmash_session"))
        assert {"httponly", "samesite=lax", "secure", "path=/"} <= flags
        assert not any(flag.startswith("domain=") for flag in flags)


def _age_sessions(sessions: sessionmaker[Session], user_id: object, **changes: object) -> None:
    with transaction(sessions) as session:
        rows = session.scalars(select(UserSession).where(UserSession.user_id == user_id)).all()
        assert rows
        for row in rows:
            for key, value in changes.items():
                setattr(row, key, value)


def test_idle_session_expires_and_cannot_be_revived(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, admin: UserLogin
) -> None:
    assert client.get("/account").status_code == 200
    idle = timedelta(minutes=settings.session_idle_minutes + 1)
    _age_sessions(sessions, admin.id, last_seen_at=utcnow() - idle)
    response = client.get("/account", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/account&expired=true"
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert "You were signed out" in page.text
    assert NEXT.findall(page.text) == ["/account"]
    # Ended for good: putting the clock back does not bring it back.
    _age_sessions(sessions, admin.id, last_seen_at=utcnow())
    response = client.get("/account", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")
    with transaction(sessions) as session:
        ended = session.scalars(select(UserSession.ended_at).where(UserSession.user_id == admin.id)).all()
    assert ended
    assert all(e is not None for e in ended)


def test_session_past_its_absolute_limit_expires(
    client: TestClient, sessions: sessionmaker[Session], admin: UserLogin
) -> None:
    assert client.get("/admin/agencies").status_code == 200
    _age_sessions(sessions, admin.id, expires_at=utcnow() - timedelta(seconds=1))
    response = client.get("/admin/agencies", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/admin/agencies&expired=true"
    # A form posted with a dead session is not carried out either.
    agencies_before = count(sessions, Agency)
    token = csrf_from(client.get("/sign-in").text)
    response = client.post(
        "/admin/agencies/new",
        data={"csrf_token": token, "type": "school", "code": "SCHOOL-LATE", "name": "Late"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")
    assert count(sessions, Agency) == agencies_before


# --- open redirects -------------------------------------------------------------------------------------

OFF_SITE = [
    "https://evil.example",
    "//evil.example",
    "//evil.example/admin",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "evil.example",
]


def test_sign_in_next_cannot_leave_the_site(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    # A same-site next is carried through the sign-in form...
    assert NEXT.findall(client.get("/sign-in?next=/account").text) == ["/account"]
    # ...an off-site one is replaced by the start page.
    for target in OFF_SITE:
        page = client.get(f"/sign-in?next={quote(target, safe='')}")
        assert page.status_code == 200
        assert NEXT.findall(page.text) == ["/"], target

    user = make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.NATIONAL_ADMIN)
    for target in ("https://evil.example", "//evil.example"):
        client.cookies.clear()
        response = post_form(
            client,
            f"/sign-in?next={quote(target, safe='')}",
            "/sign-in",
            {"email": user.email, "password": user.password, "next": target},
        )
        assert response.status_code == 303  # type: ignore[attr-defined]
        assert response.headers["location"] == "/sign-in/two-factor"  # type: ignore[attr-defined]
        response = post_form(
            client, "/sign-in/two-factor", "/sign-in/two-factor", {"code": next_code(sessions, user)}
        )
        assert response.status_code == 303  # type: ignore[attr-defined]
        assert response.headers["location"] == "/"  # type: ignore[attr-defined]
        assert client.get("/").status_code == 200
