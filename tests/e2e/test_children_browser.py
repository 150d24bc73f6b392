"""End to end in a real browser: a school's safeguarding lead finds no known child, adds the child, records a
concern with the child's own words and sees it in the chronology; each page accessible (axe) with a clean
console. Uses the server, browser and helpers of test_browser.py."""

from __future__ import annotations

from typing import Any

import pytest

from openmash.db.session import transaction
from openmash.identity.permissions import AgencyType, Role
from openmash.safeguarding import categories
from tests.e2e.test_browser import (  # noqa: F401 (fixtures)
    Live,
    _assert_accessible,
    browser,
    enrol,
    live,
    make_user,
    open_tab,
)

pytestmark = pytest.mark.e2e


def test_a_school_lead_adds_a_child_after_searching_and_records_a_concern(live: Live, open_tab: Any) -> None:  # noqa: F811
    with transaction(live.sessions) as session:
        categories.seed_default_categories(session)
    tab = open_tab()
    enrol(tab, make_user(live, Role.SCHOOL_DSL, AgencyType.SCHOOL))
    page = tab.page
    page.locator("#navigation").get_by_role("link", name="Children").click()
    tab.assert_path("/children")
    _assert_accessible(tab, "find a child")
    page.get_by_label("Surname").fill("Achterberg")
    page.get_by_label("First names").fill("Liesbeth")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("No child already known resembles this one").wait_for()
    _assert_accessible(tab, "search results")
    page.get_by_role("button", name="Add a new child").click()
    tab.assert_path("/children/new")
    page.get_by_role("button", name="Add the child").click()
    page.get_by_text("Child added").wait_for()
    _assert_accessible(tab, "the child's page")
    page.get_by_role("link", name="Record a concern").click()
    _assert_accessible(tab, "record a concern")
    page.get_by_label("Going missing").check()
    page.get_by_label("Day").fill("2")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Time").fill("21:40")
    page.get_by_label("What happened").fill("Did not come home after school")
    page.get_by_label("The child's own words (optional)").fill("I was with my boyfriend")
    page.locator("#shared_with_police-2").check()  # "No"
    page.get_by_role("button", name="Record the concern").click()
    page.get_by_text("Concern recorded").wait_for()
    assert "I was with my boyfriend" in page.locator("main").inner_text()
    _assert_accessible(tab, "the chronology")
    tab.assert_clean_console()
