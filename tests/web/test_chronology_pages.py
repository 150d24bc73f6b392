"""Recording and correcting concerns, the chronology and risk screening, through the browser's eyes:
need-to-know in the HTML, the purpose asked for and audited, the child's words kept verbatim, corrections as
new entries (there is no way to edit), restricted categories offered only to their roles, and clear errors."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.alerts.models import Alert
from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.base import utcnow
from openmash.db.session import transaction
from openmash.register.workdays import UK
from openmash.safeguarding import concerns
from openmash.safeguarding.concerns import ConcernInput
from openmash.safeguarding.models import Concern, RiskScreening
from tests.conftest import count_rows
from tests.support.factories import UserLogin
from tests.support.safeguarding import Cast, at, make_cast, make_child, record, who
from tests.support.web import csrf_from

Browsers = Callable[[UserLogin], TestClient]
POLICE_ONLY = "Officers stopped a car in the early hours; intelligence ref 7731"
SCHOOL_NOTE = "Kayleigh was collected from the gate by an unknown adult"
WORDS = "  he said i was his girlfriend now\nand not to tell mum  "


@dataclass
class Story:
    cast: Cast
    child_id: uuid.UUID
    police_concern: uuid.UUID
    school_concern: uuid.UUID


@pytest.fixture
def story(sessions: sessionmaker[Session], settings: Settings) -> Story:
    cast = make_cast(sessions, settings)
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school, surname="Whitfield", forenames="Kayleigh")
        mine = record(
            session, school, child.id, "picked_up_by_taxi_or_car", at(2026, 2, 3), summary=SCHOOL_NOTE
        )
        theirs = record(
            session,
            who(session, cast.police),
            child.id,
            "drugs_or_alcohol",
            at(2026, 2, 4),
            summary=POLICE_ONLY,
        )
        return Story(cast, child.id, theirs.id, mine.id)


def _concern_form(**values: str) -> dict[str, str]:
    return {
        "category": "going_missing",
        "occurred_on-day": "2",
        "occurred_on-month": "3",
        "occurred_on-year": "2026",
        "occurred_time": "21:40",
        "summary": "Did not come home after school; found at 23:30 in town",
        "childs_words": "",
        "vehicle_registration": "",
        "vehicle_description": "",
        "shared_with_police": "no",
        **values,
    }


def test_a_school_user_cannot_see_police_only_entries_in_the_chronology(
    browsers: Browsers, story: Story
) -> None:
    school = browsers(story.cast.school)
    page = school.get(f"/children/{story.child_id}/chronology")
    assert page.status_code == 200, page.text
    assert SCHOOL_NOTE in page.text
    assert POLICE_ONLY not in page.text
    assert "You see your own agency&#39;s entries only" in page.text
    printed = school.get(f"/children/{story.child_id}/chronology/print")
    assert SCHOOL_NOTE in printed.text
    assert POLICE_ONLY not in printed.text
    # Police see their own, not the school's entry that was not shared with them.
    police = browsers(story.cast.police)
    page = police.get(f"/children/{story.child_id}/chronology")
    assert POLICE_ONLY in page.text
    assert SCHOOL_NOTE not in page.text


def test_a_viewer_outside_the_agency_is_asked_for_a_purpose_and_the_view_is_audited_with_it(
    browsers: Browsers, sessions: sessionmaker[Session], story: Story
) -> None:
    mash = browsers(story.cast.mash)
    url = f"/children/{story.child_id}/chronology"
    asked = mash.get(url, params={"agency_type": "school"})
    assert asked.status_code == 200
    assert "Why do you need to see this child&#39;s record?" in asked.text
    assert 'name="purpose_choice"' in asked.text
    assert 'name="agency_type" value="school"' in asked.text  # the filter is carried through the question
    assert SCHOOL_NOTE not in asked.text
    empty = mash.get(url, params={"purpose_choice": "other", "purpose_other": " "})
    assert empty.status_code == 400
    assert 'href="#purpose_other"' in empty.text
    unchosen = mash.get(url, params={"purpose_choice": "nonsense"})
    assert unchosen.status_code == 400
    assert 'href="#purpose_choice"' in unchosen.text
    seen = mash.get(
        url,
        params={"purpose_choice": "other", "purpose_other": "Strategy meeting 41", "agency_type": "school"},
    )
    assert seen.status_code == 200, seen.text
    assert SCHOOL_NOTE in seen.text
    assert POLICE_ONLY not in seen.text  # filtered to schools
    assert "purpose=Strategy+meeting+41" in seen.text  # carried to the links
    with transaction(sessions) as session:
        views = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "safeguarding.chronology.view")
        ).all()
        assert [v.purpose for v in views] == ["Strategy meeting 41"]
        assert views[0].object_id == str(story.child_id)
    picked = mash.get(url, params={"purpose_choice": "enquiry"})
    assert POLICE_ONLY in picked.text


def test_recording_a_concern_keeps_the_childs_words_verbatim_and_a_backdated_entry_falls_into_place(
    browsers: Browsers, sessions: sessionmaker[Session], story: Story
) -> None:
    school = browsers(story.cast.school)
    form = school.get(f"/children/{story.child_id}/concerns/new")
    assert form.status_code == 200
    assert "Kayleigh Whitfield" in form.text
    done = school.post(
        f"/children/{story.child_id}/concerns/new",
        data={
            "csrf_token": csrf_from(form.text),
            **_concern_form(
                category="cars_with_unknown_adults",
                childs_words=WORDS,
                vehicle_registration="kx19 txa",
                vehicle_description="Silver Toyota Prius, taxi sign",
                **{"occurred_on-day": "1", "occurred_on-month": "1"},
            ),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    with transaction(sessions) as session:
        saved = session.scalars(select(Concern).where(Concern.vehicle_registration.is_not(None))).all()
        new = next(c for c in saved if c.category.code == "cars_with_unknown_adults")
        assert new.childs_words == WORDS
        assert new.vehicle_registration == "KX19TXA"
        assert new.shared_with_police is False
    page = school.get(done.headers["location"])
    assert "Concern recorded" in page.text
    assert "Recorded later" in page.text
    # 1 January comes before the school's 3 February entry.
    assert page.text.index("Getting into cars with unknown adults") < page.text.index(SCHOOL_NOTE)


def test_bad_concern_input_gives_a_clear_error_and_writes_nothing(
    browsers: Browsers, sessions: sessionmaker[Session], story: Story
) -> None:
    school = browsers(story.cast.school)
    token = csrf_from(school.get(f"/children/{story.child_id}/concerns/new").text)
    before = count_rows(sessions, Concern)
    bad = school.post(
        f"/children/{story.child_id}/concerns/new",
        data={
            "csrf_token": token,
            **_concern_form(
                category="",
                summary=" ",
                occurred_time="25:00",
                vehicle_registration="!!",
                shared_with_police="",
                **{"occurred_on-year": "2099"},
            ),
        },
    )
    # The form's own boxes first (a time that is not one, the sharing question unanswered)...
    assert bad.status_code == 400
    for field in ("occurred_time", "shared_with_police"):
        assert f'href="#{field}"' in bad.text, field
    assert "like 14:30" in bad.text
    # ...then every rule of the service at once.
    future = school.post(
        f"/children/{story.child_id}/concerns/new",
        data={
            "csrf_token": token,
            **_concern_form(
                category="", summary=" ", vehicle_registration="!!", **{"occurred_on-year": "2099"}
            ),
        },
    )
    assert future.status_code == 400
    for field in ("category", "summary", "occurred_on-day", "vehicle_registration"):
        assert f'href="#{field}"' in future.text, field
    assert "must be now or in the past" in future.text
    assert 'value="!!"' in future.text  # what was typed is kept
    assert count_rows(sessions, Concern) == before


def test_a_concern_recorded_through_the_page_raises_the_repeat_low_level_alert(
    browsers: Browsers, sessions: sessionmaker[Session], story: Story
) -> None:
    """The third low-level concern in 30 days, from a second agency, raises the alert in the same
    transaction that records it: not at the next scheduled run."""
    recent = utcnow() - timedelta(days=2)
    with transaction(sessions) as session:
        for login, code in ((story.cast.police, "staying_out_late"), (story.cast.police, "going_missing")):
            data = ConcernInput(category_code=code, occurred_at=recent, summary="Synthetic recent concern")
            concerns.record_concern(session, who(session, login), story.child_id, data, NO_CONTEXT)
    school = browsers(story.cast.school)
    form = school.get(f"/children/{story.child_id}/concerns/new")
    day = (utcnow() - timedelta(days=1)).astimezone(UK)
    done = school.post(
        f"/children/{story.child_id}/concerns/new",
        data={
            "csrf_token": csrf_from(form.text),
            **_concern_form(
                category="drugs_or_alcohol",
                occurred_time="10:00",
                **{
                    "occurred_on-day": str(day.day),
                    "occurred_on-month": str(day.month),
                    "occurred_on-year": str(day.year),
                },
            ),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    with transaction(sessions) as session:
        raised = session.scalars(select(Alert).where(Alert.rule_code == "repeat_low_level")).all()
        assert [a.subject_key for a in raised] == [f"child:{story.child_id}"]


def test_restricted_categories_are_offered_only_to_the_roles_they_name(
    browsers: Browsers, story: Story
) -> None:
    school_form = browsers(story.cast.school).get(f"/children/{story.child_id}/concerns/new")
    assert 'value="police_intelligence"' not in school_form.text
    assert 'value="going_missing"' in school_form.text
    police_form = browsers(story.cast.police).get(f"/children/{story.child_id}/concerns/new")
    assert 'value="police_intelligence"' in police_form.text
    assert 'name="shared_with_police"' not in police_form.text  # police entries are the police's own


def test_a_concern_cannot_be_edited_only_corrected_with_a_reason_and_the_original_kept(
    app: object, browsers: Browsers, sessions: sessionmaker[Session], story: Story
) -> None:
    for route in app.routes:  # type: ignore[attr-defined]
        if isinstance(route, APIRoute) and "concern" in route.path:
            assert route.methods <= {"GET", "POST"}, route.path
            assert "edit" not in route.path, route.path
            assert "delete" not in route.path, route.path
    school = browsers(story.cast.school)
    url = f"/children/{story.child_id}/concerns/{story.school_concern}/correct"
    form = school.get(url)
    assert form.status_code == 200
    assert SCHOOL_NOTE in form.text  # the form starts from the original
    token = csrf_from(form.text)
    corrected = _concern_form(
        category="picked_up_by_taxi_or_car", summary="Collected by a taxi the home did not book"
    ) | {"occurred_on-day": "3", "occurred_on-month": "2"}
    no_reason = school.post(url, data={"csrf_token": token, **corrected})
    assert no_reason.status_code == 400
    assert 'href="#reason"' in no_reason.text
    done = school.post(
        url,
        data={"csrf_token": token, **corrected, "reason": "Wrong driver description"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    page = school.get(done.headers["location"])
    assert "Correction recorded" in page.text
    assert SCHOOL_NOTE in page.text  # the original is kept
    assert re.search(r"govuk-tag--grey\">\s*Corrected\s*</strong>", page.text)
    assert "This entry was corrected" in page.text
    assert "Wrong driver description" in page.text
    with transaction(sessions) as session:
        original = session.get(Concern, story.school_concern)
        assert original is not None
        assert original.summary == SCHOOL_NOTE
    # Correcting it again is refused: the correction is the latest version.
    assert school.get(url).status_code == 409
    # Another agency may not correct the school's entry.
    assert browsers(story.cast.police).get(url).status_code == 403


def test_the_mash_screens_for_risk_raising_the_grade_only_with_reasons(
    browsers: Browsers, sessions: sessionmaker[Session], story: Story
) -> None:
    # The page screens at the real clock: every concern that counts is placed relative to it, so the test
    # holds on any day (the story's 3 February 2026 pick-up leaves the 12-month window in February 2027).
    recent = utcnow() - timedelta(days=3)
    lapsed = utcnow() - timedelta(days=240)  # 6 to 12 months ago: a significant indicator lapsed
    with transaction(sessions) as session:
        for login, code, when in (
            (story.cast.police, "drugs_or_alcohol", recent),
            (story.cast.school, "online_grooming", recent),
            (story.cast.school, "picked_up_by_taxi_or_car", lapsed),
        ):
            data = ConcernInput(category_code=code, occurred_at=when, summary="Synthetic concern")
            concerns.record_concern(session, who(session, login), story.child_id, data, NO_CONTEXT)
    mash = browsers(story.cast.mash)
    url = f"/children/{story.child_id}/risk"
    page = mash.get(url, params={"purpose_choice": "risk"})
    assert page.status_code == 200, page.text
    assert "has not been screened yet" in page.text
    token = csrf_from(page.text)
    purpose = "Screening the child for risk of exploitation"
    screened = mash.post(url, data={"csrf_token": token, "purpose": purpose}, follow_redirects=False)
    assert screened.status_code == 303, screened.text
    page = mash.get(screened.headers["location"])
    assert "Current grade" in page.text
    # Online grooming now (5), drugs or alcohol now (1), the pick-up 8 months ago lapsed (1): 7 points, mild.
    assert "Online grooming" in page.text
    assert "Drugs or alcohol" in page.text
    assert "Picked up from school or home by a taxi or car not arranged by carers" in page.text
    assert "(lapsed)" in page.text
    assert "7 points: Mild" in page.text
    lower = mash.post(url, data={"csrf_token": token, "purpose": purpose, "judgement_band": "not_at_risk"})
    assert lower.status_code == 400
    assert 'href="#judgement_band"' in lower.text
    no_reasons = mash.post(
        url, data={"csrf_token": token, "purpose": purpose, "judgement_band": "significant"}
    )
    assert no_reasons.status_code == 400
    assert 'href="#judgement_reasons"' in no_reasons.text
    assert count_rows(sessions, RiskScreening) == 1
    raised = mash.post(
        url,
        data={
            "csrf_token": token,
            "purpose": purpose,
            "judgement_band": "significant",
            "judgement_reasons": "Seen with the same adult three times",
        },
        follow_redirects=False,
    )
    assert raised.status_code == 303
    page = mash.get(raised.headers["location"])
    assert "Seen with the same adult three times" in page.text
    assert "History" in page.text
    with transaction(sessions) as session:
        latest = session.scalars(select(RiskScreening).order_by(RiskScreening.screened_at.desc())).first()
        assert latest is not None
        assert (latest.computed_band, latest.final_band) == ("mild", "significant")
    # The school neither screens nor sees the screenings.
    assert browsers(story.cast.school).get(url).status_code == 403


def test_the_printable_chronology_has_no_navigation_and_says_who_printed_it(
    browsers: Browsers, story: Story
) -> None:
    printed = browsers(story.cast.school).get(f"/children/{story.child_id}/chronology/print")
    assert printed.status_code == 200
    assert 'id="navigation"' not in printed.text
    assert "OFFICIAL-SENSITIVE" in printed.text
    assert "Chronology of Kayleigh Whitfield" in printed.text
