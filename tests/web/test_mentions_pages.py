"""What a concern mentions, through the browser's eyes: listed on the concern and in the chronology for those
who may see the concern, added with a plain form (CSRF, no JavaScript) by the agency that recorded it, which
runs the alert rules; the correction form starts from the corrected entry's mentions and the correction keeps
what is left in it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.alerts.models import Alert
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.network import mentions
from openmash.safeguarding.models import Concern
from tests.support.factories import UserLogin
from tests.support.safeguarding import Cast, at, make_cast, make_child, record, who
from tests.support.web import csrf_from

Browsers = Callable[[UserLogin], TestClient]


@dataclass
class Story:
    cast: Cast
    child_id: uuid.UUID
    concern_id: uuid.UUID
    other_child_id: uuid.UUID
    other_concern_id: uuid.UUID


@pytest.fixture
def story(sessions: sessionmaker[Session], settings: Settings) -> Story:
    cast = make_cast(sessions, settings)
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        other = make_child(session, school)
        concern = record(session, school, child.id, "going_missing", at(2026, 2, 3), shared_with_police=True)
        theirs = record(session, school, other.id, "going_missing", at(2026, 2, 4))
        return Story(cast, child.id, concern.id, other.id, theirs.id)


def _page(s: Story, concern_id: uuid.UUID | None = None, child_id: uuid.UUID | None = None) -> str:
    return f"/children/{child_id or s.child_id}/concerns/{concern_id or s.concern_id}/mentions"


def _add(client: TestClient, page: str, **boxes: str) -> object:
    token = csrf_from(client.get(page).text)
    data = {"csrf_token": token, "adults": "", "phones": "", "addresses": "", **boxes}
    return client.post(page, data=data, follow_redirects=False)


def test_the_recording_agency_adds_mentions_and_they_show_on_the_concern_and_in_the_chronology(
    browsers: Browsers, story: Story
) -> None:
    school = browsers(story.cast.school)
    page = school.get(_page(story))
    assert page.status_code == 200
    assert "This concern mentions no one and nothing else yet." in page.text
    assert 'name="adults"' in page.text
    added = _add(school, _page(story), adults="Dean\n\n", phones="07700 900123")
    assert added.status_code == 303  # type: ignore[attr-defined]
    assert added.headers["location"] == _page(story) + "?done=added"  # type: ignore[attr-defined]
    shown = school.get(added.headers["location"]).text  # type: ignore[attr-defined]
    assert "Added to what the concern mentions." in shown
    assert "Dean" in shown
    assert "07700 900123" in shown
    chronology = school.get(f"/children/{story.child_id}/chronology").text
    assert "Adult: Dean" in chronology
    assert f'href="{_page(story)}"' in chronology


def test_a_bad_value_is_shown_against_its_box_with_its_line_and_nothing_is_added(
    browsers: Browsers, story: Story, sessions: sessionmaker[Session]
) -> None:
    school = browsers(story.cast.school)
    response = _add(school, _page(story), adults="Dean", phones="07700 900123\nnot a phone")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "Line 2: Enter a phone number" in response.text  # type: ignore[attr-defined]
    assert 'href="#phones"' in response.text  # type: ignore[attr-defined]
    with transaction(sessions) as session:
        assert mentions.mentions_of(session, story.concern_id) == []


def test_police_read_a_shared_concerns_mentions_with_a_purpose_and_others_not_at_all(
    browsers: Browsers, story: Story
) -> None:
    school = browsers(story.cast.school)
    _add(school, _page(story), adults="Dean")
    police = browsers(story.cast.police)
    asked = police.get(_page(story))
    assert asked.status_code == 200
    assert "purpose" in asked.text.lower()
    assert "Dean" not in asked.text
    seen = police.get(_page(story), params={"purpose": "Operation Lantern"})
    assert "Dean" in seen.text
    assert 'name="adults"' not in seen.text  # police read, never add to the school's concern
    home = browsers(story.cast.home)
    assert home.get(_page(story), params={"purpose": "Curious"}).status_code == 404
    refused = _add(police, _page(story, story.other_concern_id, story.other_child_id), adults="Lee")
    assert refused.status_code in (403, 404)  # type: ignore[attr-defined]


def test_adding_the_same_adult_to_two_childrens_concerns_raises_an_alert(
    browsers: Browsers, story: Story, sessions: sessionmaker[Session]
) -> None:
    school = browsers(story.cast.school)
    _add(school, _page(story), adults="Dean Smith")
    with transaction(sessions) as session:
        assert session.scalars(select(Alert)).all() == []
    _add(school, _page(story, story.other_concern_id, story.other_child_id), adults="dean  smith")
    with transaction(sessions) as session:
        assert [a.rule_code for a in session.scalars(select(Alert))] == ["shared_entity"]


def test_the_correction_form_starts_from_the_mentions_and_the_correction_keeps_what_is_left(
    browsers: Browsers, story: Story, sessions: sessionmaker[Session]
) -> None:
    school = browsers(story.cast.school)
    _add(school, _page(story), adults="Dean\nLee", phones="07700 900123")
    correct = f"/children/{story.child_id}/concerns/{story.concern_id}/correct"
    form = school.get(correct).text
    assert "Dean\nLee</textarea>" in form
    token = csrf_from(form)
    response = school.post(
        correct,
        data={
            "csrf_token": token,
            "category": "going_missing",
            "occurred_on-day": "3",
            "occurred_on-month": "2",
            "occurred_on-year": "2026",
            "occurred_time": "12:00",
            "summary": "Reworded",
            "childs_words": "",
            "vehicle_registration": "",
            "vehicle_description": "",
            "shared_with_police": "yes",
            "reason": "Lee was not there",
            "adults": "Dean",
            "phones": "07700 900123",
            "addresses": "",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    with transaction(sessions) as session:
        correction = session.scalars(select(Concern).where(Concern.corrects_id == story.concern_id)).one()
        kept = mentions.mentions_of(session, correction.id)
        assert sorted(m.value for m in kept) == ["07700 900123", "Dean"]
        assert len(mentions.mentions_of(session, story.concern_id)) == 3
    # The superseded entry takes no more mentions; its page says so.
    page = school.get(_page(story)).text
    assert "This concern was corrected." in page
    assert 'name="adults"' not in page
