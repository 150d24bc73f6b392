"""End to end in a real browser: Debian's chromium, driven by Playwright, against the app served by uvicorn.

The app runs in-process on a temporary SQLite file; users are made through the real services. Each test
signs in as a person would, through the forms, and checks what they see: the two-factor enrolment, the
navigation their role gives them, signing out, pages without JavaScript, accessibility (axe, WCAG 2.2 A/AA)
and a console free of CSP violations and script errors.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.config import Settings
from openmash.db import migrate
from openmash.db.session import make_engine, make_session_factory, transaction
from openmash.identity.models import User
from openmash.identity.permissions import AgencyType, Role
from tests.conftest import make_settings
from tests.support import factories
from tests.support.factories import UserLogin

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TIMEOUT_MS = 10_000

# Runs before any page script (and is not subject to the page's CSP): reports every CSP violation to the
# console, so that a blocked inline style or script fails the test even if Chromium stays quiet about it.
REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || "?"}:${e.lineNumber}`);
});
"""


# --- the browser and the server -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("OPENMASH_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " and OPENMASH_REQUIRE_BROWSER=1")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Live:
    base_url: str
    settings: Settings
    sessions: sessionmaker[Session]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    import uvicorn

    from openmash.app import create_app

    path = tmp_path_factory.mktemp("e2e") / "openmash.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    settings = make_settings()
    app = create_app(settings, engine)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn-e2e", daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            pytest.fail(f"the app did not start on {base_url}")
        time.sleep(0.05)
    try:
        yield Live(base_url, settings, make_session_factory(engine))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


# --- a page that remembers what went wrong in the console -----------------------------------------------


@dataclass
class Tab:
    """A page in its own browser context (its own cookies), recording console errors and page errors."""

    page: Any
    base_url: str
    problems: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    @property
    def path(self) -> str:
        return urlsplit(self.page.url).path

    def assert_path(self, expected: str) -> None:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.wait_for_url(lambda url: urlsplit(url).path == expected)
        except PlaywrightTimeout:
            main = self.page.locator("main")
            shown = main.inner_text(timeout=1000) if main.count() else self.page.content()
            raise AssertionError(f"expected {expected}, still on {self.page.url}:\n{shown}") from None
        assert self.path == expected

    def session_cookie(self) -> str | None:
        cookies = self.page.context.cookies(self.base_url)
        return next((c["value"] for c in cookies if c["name"].endswith("openmash_session")), None)

    def nav(self) -> str:
        return str(self.page.locator("#navigation").inner_text())

    def console(self, message: Any) -> None:
        if message.type != "error":
            return
        source = message.location.get("url", "")
        self.problems.append(f"console.error on {self.page.url}: {message.text} ({source})")

    def assert_clean_console(self) -> None:
        assert self.problems == [], "browser console:\n" + "\n".join(self.problems)


@pytest.fixture
def open_tab(browser: Any, live: Live) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_(*, javascript: bool = True) -> Tab:
        context = browser.new_context(java_script_enabled=javascript, locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(REPORT_CSP)
        contexts.append(context)
        page = context.new_page()
        tab = Tab(page, live.base_url)
        page.on("console", lambda msg: tab.console(msg))
        page.on("pageerror", lambda exc: tab.problems.append(f"page error on {page.url}: {exc}"))
        page.on(
            "response",
            lambda r: (
                tab.problems.append(f"{r.status} for {r.url}")
                if r.url.startswith(live.base_url + "/static/") and r.status >= 400
                else None
            ),
        )
        return tab

    yield open_
    for context in contexts:
        context.close()


# --- signing in as a person would ------------------------------------------------------------------------


def make_user(live: Live, role: Role, agency_type: AgencyType) -> UserLogin:
    return factories.make_user(live.sessions, live.settings, [role], agency_type=agency_type, enrolled=False)


def next_code(live: Live, user: UserLogin) -> str:
    """A code the app will accept now: codes cannot be replayed, so step past the last one used."""
    assert user.totp_secret
    with transaction(live.sessions) as session:
        row = session.get(User, user.id)
        assert row is not None
        last = row.totp_last_step
    now = datetime.now(UTC)
    totp = pyotp.TOTP(user.totp_secret)
    step = int(now.timestamp()) // totp.interval
    if last is not None and last >= step + 1:  # both this step and the next used: wait for the clock
        time.sleep((last + 1) * totp.interval - now.timestamp() + 0.5)
        now = datetime.now(UTC)
    elif last is not None and last >= step:
        now = now + timedelta(seconds=totp.interval)
    return totp.at(now)


def submit_password(tab: Tab, user: UserLogin) -> None:
    tab.goto("/sign-in")
    tab.page.get_by_label("Email address").fill(user.email)
    tab.page.get_by_label("Password").fill(user.password)
    tab.page.get_by_role("button", name="Sign in").click()


def enrol(tab: Tab, user: UserLogin) -> UserLogin:
    """First sign-in: password, then set up two-factor from the key on the page. Returns the user with it."""
    submit_password(tab, user)
    tab.assert_path("/sign-in/set-up-two-factor")
    secret = "".join(tab.page.locator("#totp-secret").inner_text().split())
    assert len(secret) >= 16, secret
    enrolled = replace(user, totp_secret=secret)
    tab.page.get_by_label("Security code").fill(pyotp.TOTP(secret).now())
    tab.page.get_by_role("button", name="Confirm and continue", exact=True).click()
    tab.assert_path("/")
    return enrolled


def sign_out(tab: Tab) -> None:
    tab.page.locator("header").get_by_role("button", name="Sign out").click()
    tab.assert_path("/sign-in")


def sign_in(tab: Tab, live: Live, user: UserLogin) -> None:
    """Later sign-ins: password, then a code on /sign-in/two-factor."""
    submit_password(tab, user)
    tab.assert_path("/sign-in/two-factor")
    tab.page.get_by_label("Security code").fill(next_code(live, user))
    tab.page.get_by_role("button", name="Continue", exact=True).click()
    tab.assert_path("/")


# --- the tests -------------------------------------------------------------------------------------------


def test_two_factor_enrolment_then_navigation_by_role(live: Live, open_tab: Any) -> None:
    auditor = make_user(live, Role.AUDITOR, AgencyType.NATIONAL_ADMIN)
    tab = open_tab()
    auditor = enrol(tab, auditor)
    # Our script (the GOV.UK Frontend components) ran under the content security policy.
    assert "js-enabled" in (tab.page.locator("body").get_attribute("class") or "")
    nav = tab.nav()
    assert "Audit trail" in nav
    assert "Users" not in nav
    assert "Agencies" not in nav
    assert "API tokens" not in nav
    assert "Your account" in nav

    # Signing in again goes through the two-factor page, not enrolment, and the navigation still works.
    # The session cookie given for the password step is replaced once the code is accepted.
    sign_out(tab)
    assert tab.session_cookie() is None
    submit_password(tab, auditor)
    tab.assert_path("/sign-in/two-factor")
    half_signed_in = tab.session_cookie()
    assert half_signed_in
    tab.page.get_by_label("Security code").fill(next_code(live, auditor))
    tab.page.get_by_role("button", name="Continue", exact=True).click()
    tab.assert_path("/")
    assert tab.session_cookie() not in (None, half_signed_in)
    assert "Audit trail" in tab.nav()
    tab.page.locator("#navigation").get_by_role("link", name="Audit trail").click()
    tab.assert_path("/audit")
    tab.page.get_by_role("heading", name="Audit trail").wait_for()
    tab.assert_clean_console()

    admin = make_user(live, Role.ADMIN, AgencyType.NATIONAL_ADMIN)
    tab = open_tab()
    enrol(tab, admin)
    nav = tab.nav()
    for item in ("Users", "Agencies", "API tokens", "Your account"):
        assert item in nav
    assert "Audit trail" not in nav
    tab.assert_clean_console()


def test_sign_out_returns_to_sign_in_and_ends_the_session(live: Live, open_tab: Any) -> None:
    user = make_user(live, Role.LICENSING_OFFICER, AgencyType.LICENSING_AUTHORITY)
    tab = open_tab()
    enrolled = enrol(tab, user)
    sign_out(tab)
    tab.page.get_by_text("You have signed out.").wait_for()
    assert tab.page.locator("#navigation").count() == 0

    # The browser's back button asks for the signed-in page again (it is never cached) and is refused...
    with tab.page.expect_request(lambda r: urlsplit(r.url).path == "/"):
        tab.page.go_back()
    tab.assert_path("/sign-in")
    # ...and asking for it again sends the browser to sign in.
    tab.goto("/")
    tab.assert_path("/sign-in")
    tab.page.get_by_role("heading", name="Sign in to openmash").wait_for()
    tab.goto("/account")
    tab.assert_path("/sign-in")

    # Part-way through signing in, "Cancel and sign out" ends the half-signed-in session too.
    submit_password(tab, enrolled)
    tab.assert_path("/sign-in/two-factor")
    tab.page.get_by_role("button", name="Cancel and sign out").click()
    tab.assert_path("/sign-in")
    assert tab.session_cookie() is None
    tab.goto("/sign-in/two-factor")
    tab.assert_path("/sign-in")
    tab.assert_clean_console()


def test_pages_work_without_javascript(live: Live, open_tab: Any) -> None:
    user = make_user(live, Role.LICENSING_OFFICER, AgencyType.LICENSING_AUTHORITY)
    tab = open_tab(javascript=False)
    enrolled = enrol(tab, user)
    assert "js-enabled" not in (tab.page.locator("body").get_attribute("class") or "")
    assert "Your account" in tab.nav()
    sign_out(tab)

    submit_password(tab, enrolled)
    tab.assert_path("/sign-in/two-factor")
    tab.page.get_by_role("heading", name="Enter your security code").wait_for()
    tab.page.get_by_label("Security code").fill(next_code(live, enrolled))
    tab.page.get_by_role("button", name="Continue", exact=True).click()
    tab.assert_path("/")
    tab.goto("/account")
    tab.page.get_by_role("heading", name="Your account").wait_for()
    sign_out(tab)
    tab.assert_clean_console()


def _assert_accessible(tab: Tab, label: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        tab.page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    )
    assert results.violations_count == 0, f"{label} ({tab.page.url}):\n{results.generate_report()}"


def test_pages_are_accessible_and_the_console_is_clean(live: Live, open_tab: Any) -> None:
    failures: list[str] = []

    def check(tab: Tab, label: str) -> None:
        try:
            _assert_accessible(tab, label)
        except AssertionError as exc:
            failures.append(str(exc))

    auditor = make_user(live, Role.AUDITOR, AgencyType.POLICE_FORCE)
    tab = open_tab()
    tab.goto("/sign-in")
    check(tab, "sign-in page")
    submit_password(tab, auditor)
    tab.assert_path("/sign-in/set-up-two-factor")
    check(tab, "two-factor enrolment page")
    secret = "".join(tab.page.locator("#totp-secret").inner_text().split())
    auditor = replace(auditor, totp_secret=secret)
    tab.page.get_by_label("Security code").fill(pyotp.TOTP(secret).now())
    tab.page.get_by_role("button", name="Confirm and continue", exact=True).click()
    tab.assert_path("/")
    check(tab, "home page")
    tab.goto("/account")
    check(tab, "your account")
    tab.goto("/audit")
    check(tab, "audit trail")
    tab.page.get_by_label("Purpose of this search").fill("E2E-1 accessibility check")
    tab.page.get_by_role("button", name="Search", exact=True).click()
    tab.page.locator("table.govuk-table").wait_for()
    check(tab, "audit trail results")

    sign_out(tab)
    submit_password(tab, auditor)
    tab.assert_path("/sign-in/two-factor")
    check(tab, "two-factor page")

    tab.assert_clean_console()
    assert not failures, "\n\n".join(failures)


# --- the register, end to end on the demo data --------------------------------------------------------------


def _demo_login(live: Live, local: str) -> UserLogin:
    from openmash.demo import seed

    email = seed.demo_email(local)
    with transaction(live.sessions) as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        return UserLogin(user.id, email, seed.DEMO_PASSWORD, seed.demo_totp_secret(email), user.agency_id, "")


def test_an_officer_finds_the_planted_revoked_driver_asks_and_is_answered(live: Live, open_tab: Any) -> None:
    """The register issue's 'done when', in the browser, on the demo's planted cases."""
    from openmash.audit.service import Actor
    from openmash.demo import register, seed

    with transaction(live.sessions) as session:
        seed.load(session, live.settings)
    with transaction(live.sessions) as session:
        register.load(session, Actor(label="demo-loader"), 300)
    bucks = _demo_login(live, "licensing.officer")
    wolves = _demo_login(live, "wolverhampton.officer")

    tab = open_tab()
    sign_in(tab, live, bucks)
    tab.goto("/register/screen")
    page = tab.page
    page.fill("#surname", "Kahn")
    page.fill("#forenames", "Muhammad")
    page.fill("#dob-day", "3")
    page.fill("#dob-month", "7")
    page.fill("#dob-year", "1984")
    page.fill("#purpose", "Application PH/2026/0412")
    page.click("button:has-text('Search the register')")
    # Wolverhampton and Birmingham each hold a record of Mohammed Khan (an import proposed them as one).
    card = page.locator(".govuk-summary-card", has_text="City of Wolverhampton Council").first
    assert "Mohammed Khan" in card.inner_text()
    assert "Probable" in card.inner_text()
    why = card.locator("table").first.inner_text()
    assert "sound the same" in why
    assert "day and month swapped" in why
    history = card.inner_text()
    assert "City of Wolverhampton Council" in history
    assert "revoked" in history
    assert "sexual offence or safeguarding" in history

    card.locator("a", has_text="Request details").first.click()
    page.fill("#question", "Please send the reasons for the revocation in September 2024.")
    page.click("button:has-text('Send the request')")
    assert "/register/requests/" in tab.path
    request_path = tab.path
    sign_out(tab)

    sign_in(tab, live, wolves)
    tab.goto("/register/requests")
    assert "PH/2026/0412" in page.locator("main").inner_text()
    tab.goto(request_path)
    page.fill("#answer", "Revoked after a police disclosure about conduct towards a child passenger.")
    page.click("button:has-text('Send the answer')")
    sign_out(tab)

    sign_in(tab, live, bucks)
    tab.goto(request_path)
    assert "police disclosure" in page.locator("main").inner_text()

    tab.goto("/register/vehicles")
    page.fill("#registration", "kx19 txa")
    page.fill("#purpose", "Sighting outside Larkfield House, incident 4471")
    page.click("button:has-text('Look up')")
    result = page.locator("main").inner_text()
    assert "Buckinghamshire Council" in result
    assert "City of Wolverhampton Council" in result
    tab.assert_clean_console()

    with transaction(live.sessions) as session:
        actions = set(
            session.scalars(
                select(AuditRecord.action).where(AuditRecord.actor_user_id.in_([bucks.id, wolves.id]))
            )
        )
    assert {
        "register.screen",
        "register.request.create",
        "register.request.answer",
        "register.plate_lookup",
    } <= actions
