"""Downloading the chronology as a PDF: the page's need-to-know and purpose rule, the filters carried from
the page, an audit record of its own, and a file that is an attachment, never cached, not named after the
child."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.config import Settings
from openmash.db.session import transaction
from tests.safeguarding.test_chronology_pdf import flat, pdf_text
from tests.support.factories import UserLogin
from tests.support.safeguarding import Cast, at, make_cast, make_child, record, who

Browsers = Callable[[UserLogin], TestClient]
POLICE_ONLY = "Officers stopped a car in the early hours; intelligence ref 7731"
SCHOOL_NOTE = "Kayleigh was collected from the gate by an unknown adult"
EXPORT = "safeguarding.chronology.export_pdf"


@dataclass
class Story:
    cast: Cast
    child_id: uuid.UUID


@pytest.fixture
def story(sessions: sessionmaker[Session], settings: Settings) -> Story:
    cast = make_cast(sessions, settings)
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school, surname="Whitfield", forenames="Kayleigh")
        record(session, school, child.id, "picked_up_by_taxi_or_car", at(2026, 2, 3), summary=SCHOOL_NOTE)
        record(
            session,
            who(session, cast.police),
            child.id,
            "drugs_or_alcohol",
            at(2026, 2, 4),
            summary=POLICE_ONLY,
        )
    return Story(cast, child.id)


def test_a_school_users_pdf_is_an_uncached_attachment_without_the_police_only_entries(
    browsers: Browsers, story: Story
) -> None:
    school = browsers(story.cast.school)
    page = school.get(f"/children/{story.child_id}/chronology")
    link = re.search(r'href="([^"]*chronology\.pdf[^"]*)">Download as PDF', page.text)
    assert link is not None, page.text
    got = school.get(link.group(1).replace("&amp;", "&"))
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["cache-control"] == "no-store"
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    assert f"chronology-{story.child_id}-" in disposition
    assert "Whitfield" not in disposition
    assert "Kayleigh" not in disposition
    assert got.content.startswith(b"%PDF-")
    text = flat(pdf_text(got.content))
    assert "Chronology of Kayleigh Whitfield" in text
    assert SCHOOL_NOTE in text
    assert POLICE_ONLY not in text
    assert "OFFICIAL-SENSITIVE" in text
    assert "Page 1 of 1" in text


def test_outside_its_agency_the_pdf_asks_for_a_purpose_and_the_export_is_audited_with_it_and_the_filters(
    browsers: Browsers, sessions: sessionmaker[Session], story: Story
) -> None:
    mash = browsers(story.cast.mash)
    url = f"/children/{story.child_id}/chronology.pdf"
    asked = mash.get(url, params={"agency_type": "school"})
    assert asked.status_code == 200
    assert asked.headers["content-type"].startswith("text/html")
    assert 'name="purpose_choice"' in asked.text
    assert 'name="agency_type" value="school"' in asked.text  # the filter is carried through the question
    with transaction(sessions) as session:
        assert session.scalars(select(AuditRecord).where(AuditRecord.action == EXPORT)).all() == []
    got = mash.get(
        url,
        params={"purpose_choice": "other", "purpose_other": "Strategy meeting 41", "agency_type": "school"},
    )
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/pdf"
    text = flat(pdf_text(got.content))
    assert SCHOOL_NOTE in text
    assert POLICE_ONLY not in text  # filtered to schools
    assert "Purpose: Strategy meeting 41." in text
    assert "Filters: recorded by School." in text
    with transaction(sessions) as session:
        exports = session.scalars(select(AuditRecord).where(AuditRecord.action == EXPORT)).all()
        assert [(e.purpose, e.object_id) for e in exports] == [("Strategy meeting 41", str(story.child_id))]
        assert json.loads(exports[0].details)["filters"]["agency_types"] == ["school"]


def test_the_chronology_page_links_to_the_pdf_with_its_purpose_and_filters_and_bad_dates_go_back_to_it(
    browsers: Browsers, story: Story
) -> None:
    mash = browsers(story.cast.mash)
    page = mash.get(
        f"/children/{story.child_id}/chronology",
        params={"purpose": "Weekly review", "agency_type": "police_force"},
    )
    assert (
        f'href="/children/{story.child_id}/chronology.pdf?purpose=Weekly+review&amp;agency_type=police_force"'
        in page.text
    )
    bad = mash.get(
        f"/children/{story.child_id}/chronology.pdf",
        params={"purpose": "Weekly review", "from-day": "31", "from-month": "2", "from-year": "2026"},
        follow_redirects=False,
    )
    assert bad.status_code == 303
    assert bad.headers["location"].startswith(f"/children/{story.child_id}/chronology?")
