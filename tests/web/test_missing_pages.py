"""Missing episodes through the browser's eyes: reporting a child missing from their page, the return with the
vehicle's mark, the return home interview with the child's account kept verbatim, the list of interviews due
with overdue ones highlighted, the Philomena profile kept in versions and what police were sent."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.config import Settings
from openmash.db.base import utcnow
from openmash.db.session import transaction
from openmash.safeguarding.models import Child
from openmash.safeguarding.models_care import MissingEpisode, MissingReturn, PhilomenaProfile, ReturnInterview
from openmash.web.care_forms import moment_values
from tests.conftest import count_rows
from tests.support.care import bring_back, place, report
from tests.support.factories import UserLogin
from tests.support.safeguarding import Cast, make_cast, make_child, who
from tests.support.web import csrf_from

Browsers = Callable[[UserLogin], TestClient]
ACCOUNT = "  a man i met online said he'd pick me up.\nwe went to a flat  "


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


def _child(sessions: sessionmaker[Session], login: UserLogin, **kw: object) -> uuid.UUID:
    with transaction(sessions) as session:
        return make_child(session, who(session, login), surname="Whitfield", forenames="Kayleigh", **kw).id  # type: ignore[arg-type]


def _post(client: TestClient, page: str, action: str, data: dict[str, str]) -> object:
    token = csrf_from(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **data}, follow_redirects=False)


def _report_form(cast: Cast, when: datetime, **values: str) -> dict[str, str]:
    return {
        **moment_values("missing", when),
        "last_seen_where": "Bus station, Aylesbury",
        "clothing": "Black puffer jacket",
        "circumstances": "Did not come back after school; phone off",
        "police_reference": "",
        "shared_with_police": "yes",
        "mash_agency_id": str(cast.mash.agency_id),
        **values,
    }


def _overdue_episode(sessions: sessionmaker[Session], cast: Cast) -> tuple[uuid.UUID, uuid.UUID]:
    """A child back four days ago whose interview (due 72 hours after) nobody has done."""
    now = utcnow()
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school, surname="Okafor", forenames="Precious")
        episode = report(session, school, child.id, cast.mash.agency_id, now - timedelta(days=5), now=now)
        bring_back(session, school, episode.id, now - timedelta(days=4), now=now)
        return child.id, episode.id


def test_a_school_reports_a_child_missing_from_their_page_and_records_the_return_with_the_car(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    child_id = _child(sessions, cast.school)
    school = browsers(cast.school)
    page = school.get(f"/children/{child_id}")
    assert f'href="/children/{child_id}/missing/new"' in page.text
    made = _post(
        school,
        f"/children/{child_id}/missing/new",
        f"/children/{child_id}/missing/new",
        _report_form(cast, utcnow() - timedelta(hours=6)),
    )
    assert made.status_code == 303, made.text  # type: ignore[attr-defined]
    episode_page = school.get(made.headers["location"])  # type: ignore[attr-defined]
    assert "Missing report recorded" in episode_page.text
    assert "Bus station, Aylesbury" in episode_page.text
    episode_id = made.headers["location"].split("/")[4].split("?")[0]  # type: ignore[attr-defined]
    back = _post(
        school,
        f"/children/{child_id}/missing/{episode_id}/return",
        f"/children/{child_id}/missing/{episode_id}/return",
        {
            **moment_values("returned", utcnow() - timedelta(hours=1)),
            "how": "found",
            "found_where": "A flat on Mill Street",
            "found_with": "Two adult men",
            "transport": "A private-hire car",
            "vehicle_registration": "kx19 txa",
            "vehicle_description": "Silver Prius",
        },
    )
    assert back.status_code == 303, back.text  # type: ignore[attr-defined]
    shown = school.get(back.headers["location"])  # type: ignore[attr-defined]
    assert "Return recorded" in shown.text
    assert "KX19TXA" in shown.text
    assert "Interview due by" in shown.text
    with transaction(sessions) as session:
        returned = session.scalars(select(MissingReturn)).one()
        assert returned.interview_due_at == returned.returned_at + timedelta(hours=72)


def test_reporting_missing_with_nothing_filled_in_shows_each_problem_and_records_nothing(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    child_id = _child(sessions, cast.school)
    school = browsers(cast.school)
    refused = _post(
        school,
        f"/children/{child_id}/missing/new",
        f"/children/{child_id}/missing/new",
        _report_form(cast, utcnow(), last_seen_where="", circumstances="", **moment_values("missing", None)),
    )
    assert refused.status_code == 400  # type: ignore[attr-defined]
    text = refused.text  # type: ignore[attr-defined]
    assert "There is a problem" in text
    assert 'href="#missing_on-day"' in text
    assert 'href="#missing_time"' in text
    assert count_rows(sessions, MissingEpisode) == 0


def test_an_overdue_return_interview_is_highlighted_on_the_list(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    _, episode_id = _overdue_episode(sessions, cast)
    for login in (cast.mash, cast.school):
        listed = browsers(login).get("/return-interviews")
        assert listed.status_code == 200
        row = re.search(rf'<tr[^>]*id="episode-{episode_id}".*?</tr>', listed.text, re.S)
        assert row is not None, listed.text
        assert "Overdue" in row.group(0)
        assert "Precious Okafor" in row.group(0)
    # An agency that neither reported it nor arranges the interview does not see it.
    assert str(episode_id) not in browsers(cast.health).get("/return-interviews").text


def test_the_mash_records_the_interview_with_the_childs_account_kept_exactly_as_typed(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    child_id, episode_id = _overdue_episode(sessions, cast)
    mash = browsers(cast.mash)
    page = f"/children/{child_id}/missing/{episode_id}"
    form = mash.get(f"{page}/interview", params={"purpose": "The child is missing or has just come back"})
    assert form.status_code == 200, form.text
    assert "Overdue" in form.text
    done = _post(
        mash,
        f"{page}/interview",
        f"{page}/interview",
        {
            **moment_values("held", utcnow() - timedelta(minutes=30)),
            "outcome": "completed",
            "interviewer": "Jo Bright, independent advocate",
            "childs_account": ACCOUNT,
            "summary": "",
            "shared_with_police": "yes",
            "purpose": "The child is missing or has just come back",
        },
    )
    assert done.status_code == 303, done.text  # type: ignore[attr-defined]
    with transaction(sessions) as session:
        assert session.scalars(select(ReturnInterview.childs_account)).one() == ACCOUNT
    shown = mash.get(done.headers["location"])  # type: ignore[attr-defined]
    assert "Completed late" in shown.text
    assert str(episode_id) not in mash.get("/return-interviews").text


def test_a_completed_interview_without_the_childs_account_is_refused_with_a_clear_error(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    child_id, episode_id = _overdue_episode(sessions, cast)
    mash = browsers(cast.mash)
    page = f"/children/{child_id}/missing/{episode_id}/interview"
    refused = _post(
        mash,
        page,
        page,
        {
            **moment_values("held", utcnow() - timedelta(minutes=30)),
            "outcome": "completed",
            "interviewer": "Jo Bright",
            "childs_account": "   ",
            "shared_with_police": "no",
        },
    )
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert 'href="#childs_account"' in refused.text  # type: ignore[attr-defined]
    assert "in their own words" in refused.text  # type: ignore[attr-defined]
    assert count_rows(sessions, ReturnInterview) == 0


def test_a_school_cannot_record_the_return_home_interview(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    child_id, episode_id = _overdue_episode(sessions, cast)
    page = browsers(cast.school).get(f"/children/{child_id}/missing/{episode_id}/interview")
    assert page.status_code == 403


def test_the_home_keeps_the_philomena_profile_in_versions_and_police_get_it_when_the_child_goes_missing(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    child_id = _child(sessions, cast.mash)
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        child = session.get(Child, child_id)
        assert child is not None
        place(session, mash, child, cast.home.agency_id)
    home = browsers(cast.home)
    page = f"/children/{child_id}/philomena"
    purpose = {"purpose": "The child is missing or has just come back"}
    opened = home.get(page, params=purpose)
    assert opened.status_code == 200, opened.text
    assert "No profile has been kept" in opened.text
    fields = {
        "description": "Slight, 5ft 2, dyed red hair",
        "vulnerabilities": "",
        "associates": "Older boy called 'Jay'",
        "places": "Retail park, the bus station",
        "phone": "07700 900123",
        "social_media": "",
        "transport": "",
        "photo_reference": "Office safe, dated March",
        "change_note": "",
        **purpose,
    }
    first = _post(home, f"{page}?purpose=x", page, fields)
    assert first.status_code == 303, first.text  # type: ignore[attr-defined]
    second = _post(home, f"{page}?purpose=x", page, fields | {"places": "Retail park; Mill Street flats"})
    assert second.status_code == 303  # type: ignore[attr-defined]
    shown = home.get(page, params=purpose)
    assert "Current version: 2" in shown.text
    assert "Earlier versions" in shown.text
    assert count_rows(sessions, PhilomenaProfile) == 2
    # A school may not keep or read it.
    assert browsers(cast.school).get(page, params=purpose).status_code == 403
    # Reported missing by the home and shared with police: police see the profile as it stood.
    reported = _post(
        home,
        f"/children/{child_id}/missing/new?purpose=x",
        f"/children/{child_id}/missing/new",
        _report_form(cast, utcnow() - timedelta(hours=2)),
    )
    assert reported.status_code == 303, reported.text  # type: ignore[attr-defined]
    police = browsers(cast.police).get(f"/children/{child_id}/police-shares", params=purpose)
    assert police.status_code == 200, police.text
    assert "Mill Street flats" in police.text
    assert "Version 2" in police.text
    assert "Black puffer jacket" in police.text
