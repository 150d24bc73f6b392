"""The MASH's triage queue and children's requests for help through the browser's eyes: the queue in due order
with overdue contacts tagged, grades with reasons, the decision taking a contact off the queue, a concern sent
to the MASH; requests for help recorded with the child's words verbatim, acknowledged, answered and closed
only with the child's view, escalations on the MASH manager's list; and the practitioner's dashboard."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.base import utcnow
from openmash.db.session import transaction
from openmash.identity.permissions import Role
from openmash.safeguarding import help_requests, status, triage
from openmash.safeguarding.help_requests import HelpInput
from openmash.safeguarding.models_care import HelpRequest, HelpRequestStep, MashContact, TriageDecision
from openmash.safeguarding.status import ChildStatus
from openmash.safeguarding.triage import Referral
from openmash.web.care_forms import moment_values
from tests.conftest import count_rows
from tests.support.factories import UserLogin, make_user
from tests.support.safeguarding import Cast, make_cast, make_child, record, who
from tests.support.web import csrf_from

Browsers = Callable[[UserLogin], TestClient]
WORDS = "  please don't tell them I told you.\nI want it to stop  "
VIEW = "  they listened this time\tI feel safer "


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


@pytest.fixture
def manager(sessions: sessionmaker[Session], settings: Settings, cast: Cast) -> UserLogin:
    return make_user(sessions, settings, [Role.MASH_MANAGER], agency_id=cast.mash.agency_id)


def _post(client: TestClient, page: str, action: str, data: dict[str, str]) -> object:
    token = csrf_from(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **data}, follow_redirects=False)


def _contacts(sessions: sessionmaker[Session], cast: Cast) -> tuple[uuid.UUID, uuid.UUID]:
    """Two referrals taken by the MASH: one received two days ago (overdue as Red), one just now."""
    now = utcnow()
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        old_child = make_child(session, mash, surname="Ashworth", forenames="Leah")
        new_child = make_child(session, mash, surname="Brennan", forenames="Mia")
        old = triage.record_referral(
            session,
            mash,
            old_child.id,
            Referral("Mother, by telephone", "Out all night twice", now - timedelta(days=5)),
            NO_CONTEXT,
            now=now,
        )
        new = triage.record_referral(
            session, mash, new_child.id, Referral("GP letter", "Weight loss"), NO_CONTEXT, now=now
        )
        return old.id, new.id


def test_a_school_user_cannot_see_the_triage_queue(browsers: Browsers, cast: Cast) -> None:
    school = browsers(cast.school)
    assert school.get("/triage").status_code == 403
    assert 'href="/triage"' not in school.get("/").text


def test_the_queue_is_in_due_order_with_the_overdue_contact_tagged(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    old, new = _contacts(sessions, cast)
    queue = browsers(cast.mash).get("/triage")
    assert queue.status_code == 200, queue.text
    assert queue.text.index(f"contact-{old}") < queue.text.index(f"contact-{new}")
    old_row = re.search(rf'id="contact-{old}".*?</tr>', queue.text, re.S)
    new_row = re.search(rf'id="contact-{new}".*?</tr>', queue.text, re.S)
    assert old_row is not None
    assert new_row is not None
    assert "Overdue" in old_row.group(0)
    assert "Not graded" in old_row.group(0)
    assert "Overdue" not in new_row.group(0)


def test_grading_without_reasons_shows_a_clear_error_then_a_grade_and_a_decision_clear_the_contact(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    _, new = _contacts(sessions, cast)
    mash = browsers(cast.mash)
    page = f"/triage/{new}"
    refused = _post(mash, page, f"{page}/grade", {"grade": "amber", "grade_reasons": ""})
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert 'href="#grade_reasons"' in refused.text  # type: ignore[attr-defined]
    assert "Give the reasons for the grade" in refused.text  # type: ignore[attr-defined]
    graded = _post(mash, page, f"{page}/grade", {"grade": "amber", "grade_reasons": "Known to police"})
    assert graded.status_code == 303  # type: ignore[attr-defined]
    shown = mash.get(page)
    assert "Amber" in shown.text
    assert "Known to police" in shown.text
    regraded = _post(mash, page, f"{page}/grade", {"grade": "red", "grade_reasons": "Seen with older men"})
    assert regraded.status_code == 303  # type: ignore[attr-defined]
    no_step = _post(mash, page, f"{page}/decision", {"next_step": "", "decision_reasons": "x"})
    assert no_step.status_code == 400  # type: ignore[attr-defined]
    assert "Select the next step" in no_step.text  # type: ignore[attr-defined]
    decided = _post(
        mash, page, f"{page}/decision", {"next_step": "strategy_discussion", "decision_reasons": "Risk"}
    )
    assert decided.status_code == 303  # type: ignore[attr-defined]
    assert count_rows(sessions, TriageDecision) == 1
    assert f"contact-{new}" not in mash.get("/triage").text
    assert mash.get(page).status_code == 404


def test_a_school_sends_its_concern_to_the_mash_and_it_joins_the_queue(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school, surname="Carter", forenames="Ella")
        concern = record(session, school, child.id, "going_missing")
        child_id, concern_id = child.id, concern.id
    browser = browsers(cast.school)
    chronology = browser.get(f"/children/{child_id}/chronology")
    refer = f"/children/{child_id}/concerns/{concern_id}/refer"
    assert f'href="{refer}' in chronology.text
    refused = _post(browser, refer, refer, {"mash_agency_id": ""})
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert 'href="#mash_agency_id"' in refused.text  # type: ignore[attr-defined]
    sent = _post(browser, refer, refer, {"mash_agency_id": str(cast.mash.agency_id)})
    assert sent.status_code == 303, sent.text  # type: ignore[attr-defined]
    assert count_rows(sessions, MashContact) == 1
    assert "Ella Carter" in browsers(cast.mash).get("/triage").text


def test_the_mash_records_a_referral_it_took_from_the_childs_page(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        child_id = make_child(session, who(session, cast.mash), surname="Dunne", forenames="Ava").id
    mash = browsers(cast.mash)
    assert f'href="/children/{child_id}/referral"' in mash.get(f"/children/{child_id}").text
    page = f"/children/{child_id}/referral"
    made = _post(
        mash,
        page,
        page,
        {"referrer": "Aunt, by telephone", "summary": "Staying out", **moment_values("received", None)},
    )
    assert made.status_code == 303, made.text  # type: ignore[attr-defined]
    assert "Received" in mash.get(made.headers["location"]).text  # type: ignore[attr-defined]


# Requests for help.


def _request_page(client: TestClient, child_id: uuid.UUID, cast: Cast) -> str:
    page = f"/children/{child_id}/help/new"
    made = _post(
        client,
        page,
        page,
        {
            **moment_values("asked", utcnow() - timedelta(hours=2)),
            "told_to": "Her form tutor",
            "childs_words": WORDS,
            "summary": "",
            "mash_agency_id": str(cast.mash.agency_id),
            "shared_with_police": "no",
        },
    )
    assert made.status_code == 303, made.text  # type: ignore[attr-defined]
    return str(made.headers["location"]).split("?")[0]  # type: ignore[attr-defined]


def test_a_request_for_help_is_recorded_verbatim_acknowledged_answered_and_closed_with_the_childs_view(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        child_id = make_child(session, who(session, cast.school), surname="Evans", forenames="Lily").id
    school = browsers(cast.school)
    assert f'href="/children/{child_id}/help/new"' in school.get(f"/children/{child_id}").text
    page = _request_page(school, child_id, cast)
    with transaction(sessions) as session:
        assert session.scalars(select(HelpRequest.childs_words)).one() == WORDS
    assert "Lily Evans" in school.get("/help").text
    mash = browsers(cast.mash)
    assert "Lily Evans" in mash.get("/help").text
    assert _post(mash, page, f"{page}/acknowledge", {}).status_code == 303  # type: ignore[attr-defined]
    assert _post(school, page, f"{page}/answer", {"answer": "Met her with the DSL"}).status_code == 303  # type: ignore[attr-defined]
    closed = _post(school, page, f"{page}/close", {"childs_view": VIEW})
    assert closed.status_code == 303  # type: ignore[attr-defined]
    with transaction(sessions) as session:
        step = session.scalars(select(HelpRequestStep).where(HelpRequestStep.kind == "closed")).one()
        assert step.childs_view == VIEW
    assert "Lily Evans" not in school.get("/help").text


def test_closing_a_request_for_help_without_the_childs_view_shows_a_clear_error(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        child_id = make_child(session, who(session, cast.school), surname="Evans", forenames="Lily").id
    school = browsers(cast.school)
    page = _request_page(school, child_id, cast)
    _post(school, page, f"{page}/answer", {"answer": "Met her with the DSL"})
    refused = _post(school, page, f"{page}/close", {"childs_view": "  "})
    assert refused.status_code == 400  # type: ignore[attr-defined]
    text = refused.text  # type: ignore[attr-defined]
    assert "There is a problem" in text
    assert 'href="#childs_view"' in text
    assert "Record the child&#39;s view of the outcome" in text
    with transaction(sessions) as session:
        kinds = session.scalars(select(HelpRequestStep.kind)).all()
        assert "closed" not in kinds


def test_the_escalated_request_appears_on_the_mash_managers_list_and_dashboard(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast, manager: UserLogin
) -> None:
    now = utcnow()
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school, surname="Foster", forenames="Grace")
        data = HelpInput(
            asked_at=now - timedelta(days=14),
            told_to="The school nurse",
            childs_words=WORDS,
            mash_agency_id=cast.mash.agency_id,  # type: ignore[arg-type]
        )
        made = help_requests.record_request(session, school, child.id, data, NO_CONTEXT, now=now)
        assert len(help_requests.escalate_overdue(session, now)) == 2
    listed = browsers(manager).get("/help/escalated")
    assert listed.status_code == 200
    row = re.search(rf'id="request-{made.id}".*?</tr>', listed.text, re.S)
    assert row is not None
    assert "Escalated" in row.group(0)
    assert "Overdue" in row.group(0)
    hub = browsers(manager).get("/hub")
    assert "Escalated requests for help (1)" in hub.text
    assert browsers(cast.mash).get("/help/escalated").status_code == 403


def test_the_dashboard_shows_my_children_what_is_overdue_and_a_place_for_alerts(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    old, _ = _contacts(sessions, cast)
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        school = who(session, cast.school)
        make_child(session, school, surname="Green", forenames="Holly")
        led = make_child(session, mash, surname="Hughes", forenames="Isla")
        status.set_status(
            session,
            mash,
            led.id,
            ChildStatus(lead_professional_user_id=cast.school.id),
            NO_CONTEXT,  # type: ignore[arg-type]
        )
    school_hub = browsers(cast.school).get("/hub")
    assert school_hub.status_code == 200, school_hub.text
    assert "Holly Green" in school_hub.text
    assert "Isla Hughes" in school_hub.text  # lead professional
    assert "Lead professional" in school_hub.text
    assert "Leah Ashworth" not in school_hub.text  # the MASH's child
    assert 'id="alerts"' in school_hub.text
    assert "Triage contacts" not in school_hub.text
    mash_hub = browsers(cast.mash).get("/hub")
    contacts = re.search(r'id="contacts".*?</ul>', mash_hub.text, re.S)
    assert contacts is not None
    assert f"/triage/{old}" in contacts.group(0)
    assert "Overdue" in contacts.group(0)
    assert "1 overdue" in mash_hub.text
