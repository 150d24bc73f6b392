"""Finding and adding a child, the child's page and the MASH's status form, through the browser's eyes: the
search before the add, "none of these" when children were proposed, badges wherever the child appears,
identifiers shown by need-to-know, and field errors with nothing written."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.safeguarding import status
from openmash.safeguarding.models import Child, ChildIdentifier
from openmash.safeguarding.status import ChildStatus
from tests.conftest import count_rows
from tests.support.factories import UserLogin
from tests.support.safeguarding import Cast, make_cast, make_child, who
from tests.support.web import csrf_from

NHS = "943 476 5919"
Browsers = Callable[[UserLogin], TestClient]


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


def _known_child(sessions: sessionmaker[Session], cast: Cast, **kw: object) -> uuid.UUID:
    with transaction(sessions) as session:
        child = make_child(
            session,
            who(session, cast.school),
            surname="Whitfield",
            forenames="Kayleigh",
            date_of_birth=date(2011, 4, 9),
            **kw,  # type: ignore[arg-type]
        )
        return child.id


def _search(**values: str) -> dict[str, str]:
    return {"surname": "", "forenames": "", "dob-day": "", "dob-month": "", "dob-year": "", **values}


def test_a_child_known_to_the_school_is_found_by_police_under_a_misspelt_name_with_badges_and_reasons(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    child_id = _known_child(sessions, cast)
    with transaction(sessions) as session:
        status.set_status(
            session, who(session, cast.mash), child_id, ChildStatus(child_protection_plan=True), _ctx()
        )
    police = browsers(cast.police)
    page = police.get(
        "/children",
        params=_search(surname="Whitfeld", forenames="Kayley", **{"dob-day": "9", "dob-month": "4"})
        | {"dob-year": "2011"},
    )
    assert page.status_code == 200, page.text
    assert "Kayleigh Whitfield" in page.text
    assert "Child protection plan" in page.text
    assert "Why this child was proposed" in page.text
    assert "Date of birth" in page.text
    assert f'href="/children/{child_id}"' in page.text
    assert "Add a new child" in page.text


def test_adding_a_child_when_children_were_proposed_needs_none_of_these(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    known = _known_child(sessions, cast)
    home = browsers(cast.home)
    values = _search(surname="Whitfield", forenames="Kayleigh", **{"dob-day": "9", "dob-month": "4"}) | {
        "dob-year": "2011"
    }
    results = home.get("/children", params=values)
    assert "Add a new child" in results.text
    form = home.get("/children/new", params=values | {"shown": "1"})
    assert form.status_code == 200
    assert "none of them is this child" in form.text
    token = csrf_from(form.text)
    before = count_rows(sessions, Child)
    refused = home.post("/children/new", data={"csrf_token": token, **values}, follow_redirects=False)
    assert refused.status_code == 409
    assert 'href="#none_of_these"' in refused.text
    assert f'href="/children/{known}"' in refused.text  # the proposed child, to open instead
    assert count_rows(sessions, Child) == before
    added = home.post(
        "/children/new",
        data={"csrf_token": token, **values, "none_of_these": "yes"},
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    new_id = added.headers["location"].split("/")[2].split("?")[0]
    with transaction(sessions) as session:
        created = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "safeguarding.child.create")
        ).all()[-1]
        assert json.loads(created.details)["none_of_these"] == [str(known)]
    page = home.get(added.headers["location"])
    assert page.status_code == 200
    assert "Child added" in page.text
    assert new_id != str(known)


def test_a_child_is_added_only_after_a_search(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    school = browsers(cast.school)
    went = school.get("/children/new", follow_redirects=False)
    assert went.status_code == 303
    assert went.headers["location"] == "/children"
    values = _search(surname="Nwosu", forenames="Adaeze", nhs_number=NHS)
    results = school.get("/children", params=values)
    assert "No child already known resembles this one" in results.text
    form = school.get("/children/new", params=values | {"shown": "0"})
    assert "none of them is this child" not in form.text
    added = school.post(
        "/children/new",
        data={"csrf_token": csrf_from(form.text), **values, "ethnicity": "Black British"},
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    with transaction(sessions) as session:
        child = session.scalars(select(Child).where(Child.surname == "Nwosu")).one()
        assert child.ethnicity == "Black British"
        assert session.scalars(select(ChildIdentifier.value)).all() == ["9434765919"]


def test_bad_input_on_the_search_and_add_forms_gives_a_clear_error_and_writes_nothing(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    school = browsers(cast.school)
    bad = school.get(
        "/children",
        params=_search(surname="Nwosu", forenames="Adaeze", nhs_number="123", **{"dob-day": "31"})
        | {"dob-month": "2", "dob-year": "2012"},
    )
    assert bad.status_code == 400
    assert "There is a problem" in bad.text
    assert 'href="#nhs_number"' in bad.text
    assert "Enter a valid NHS number" in bad.text
    assert 'href="#dob-day"' in bad.text
    form = school.get("/children/new", params=_search(surname="Nwosu"))
    empty = school.post(
        "/children/new",
        data={"csrf_token": csrf_from(form.text), **_search(surname="Nwosu")},
        follow_redirects=False,
    )
    assert empty.status_code == 400
    assert 'href="#forenames"' in empty.text
    assert count_rows(sessions, Child) == 0


def test_the_child_page_shows_badges_placement_and_only_the_identifiers_the_viewer_may_see(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    child_id = _known_child(sessions, cast, identifiers={"nhs_number": NHS, "social_care_id": "SC-77/1"})
    police = browsers(cast.police)
    asked = police.get(f"/children/{child_id}")
    assert "Why do you need to see this child" in asked.text
    assert "Kayleigh" not in asked.text
    page = police.get(f"/children/{child_id}", params={"purpose_choice": "enquiry"})
    assert page.status_code == 200, page.text
    assert "NHS number: 943 476 5919" in page.text
    assert "SC-77/1" not in page.text  # a social-care id is the holder's and the MASH's
    mash = browsers(cast.mash)
    opened = mash.get(f"/children/{child_id}", params={"purpose_choice": "enquiry"})
    purpose = "A strategy discussion or child protection enquiry"
    assert f"/children/{child_id}/status?purpose=" in opened.text
    token = csrf_from(mash.get(f"/children/{child_id}/status", params={"purpose": purpose}).text)
    saved = mash.post(
        f"/children/{child_id}/status",
        data={"csrf_token": token, "flags": ["looked_after", "cse_risk"], "purpose": purpose},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    shown = mash.get(saved.headers["location"])
    assert "Status and flags saved" in shown.text
    assert "Risk of child sexual exploitation" in shown.text
    assert "SC-77/1" in shown.text
    # The badge follows the child into another agency's search results.
    school = browsers(cast.school)
    found = school.get("/children", params=_search(surname="Whitfield", forenames="Kayleigh"))
    assert "Looked after" in found.text
    assert "Risk of child sexual exploitation" in found.text


def test_the_status_form_refuses_a_placement_for_a_child_not_looked_after_and_an_unknown_lead(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    child_id = _known_child(sessions, cast)
    mash = browsers(cast.mash)
    token = csrf_from(mash.get(f"/children/{child_id}/status").text)
    with transaction(sessions) as session:
        home_id = str(who(session, cast.home).agency_id)
    bad = mash.post(
        f"/children/{child_id}/status",
        data={"csrf_token": token, "placement": home_id, "lead_professional": "nobody@example.invalid"},
    )
    assert bad.status_code == 400
    assert 'href="#lead_professional"' in bad.text
    assert "No active user has this email address" in bad.text
    bad = mash.post(f"/children/{child_id}/status", data={"csrf_token": token, "placement": home_id})
    assert bad.status_code == 400
    assert 'href="#placement"' in bad.text
    assert "Only a looked-after child" in bad.text
    good = mash.post(
        f"/children/{child_id}/status",
        data={
            "csrf_token": token,
            "flags": "looked_after",
            "placement": home_id,
            "lead_professional": cast.school.email,
        },
        follow_redirects=False,
    )
    assert good.status_code == 303, good.text
    with transaction(sessions) as session:
        child = session.get(Child, child_id)
        assert child is not None
        assert str(child.placement_agency_id) == home_id
        assert child.lead_professional_user_id == cast.school.id


def test_an_agency_adds_an_identifier_it_holds(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    child_id = _known_child(sessions, cast)
    health = browsers(cast.health)
    form = health.get(f"/children/{child_id}/identifiers/new")
    token = csrf_from(form.text)
    bad = health.post(
        f"/children/{child_id}/identifiers/new",
        data={"csrf_token": token, "kind": "nhs_number", "value": "943 476 5918"},
    )
    assert bad.status_code == 400
    assert 'href="#value"' in bad.text
    good = health.post(
        f"/children/{child_id}/identifiers/new",
        data={"csrf_token": token, "kind": "nhs_number", "value": NHS},
        follow_redirects=False,
    )
    assert good.status_code == 303
    with transaction(sessions) as session:
        assert session.scalars(select(ChildIdentifier.value)).all() == ["9434765919"]


def test_the_children_entry_is_in_the_navigation_of_those_who_record_about_children(
    browsers: Browsers, cast: Cast
) -> None:
    assert 'href="/children"' in browsers(cast.school).get("/").text
    assert 'href="/children"' not in browsers(cast.licensing).get("/").text


def _ctx():  # type: ignore[no-untyped-def]
    from openmash.audit.service import NO_CONTEXT

    return NO_CONTEXT


def test_the_forms_that_show_a_child_audit_the_read_whoever_opens_them(
    browsers: Browsers, sessions: sessionmaker[Session], cast: Cast
) -> None:
    """Any recorder may open a form for any child's id and see the child's name, date of birth and badges;
    the read is audited, with the purpose when the address carries one."""
    child_id = _known_child(sessions, cast)
    health = browsers(cast.health)  # the health agency has recorded nothing about this child
    for url in (f"/children/{child_id}/concerns/new", f"/children/{child_id}/identifiers/new"):
        page = health.get(url, params={"purpose": "Op Willow"})
        assert page.status_code == 200, page.text
        assert "Kayleigh" in page.text
    mash = browsers(cast.mash)
    assert mash.get(f"/children/{child_id}/status").status_code == 200
    school = browsers(cast.school)
    assert school.get(f"/children/{child_id}/transport").status_code == 200
    with transaction(sessions) as session:
        reads = session.scalars(
            select(AuditRecord)
            .where(AuditRecord.object_id == str(child_id), AuditRecord.action.not_like("%.create"))
            .order_by(AuditRecord.id)
        ).all()
        seen = [(r.action, r.actor_user_id, r.purpose) for r in reads]
    assert seen.count(("safeguarding.child.summary", cast.health.id, "Op Willow")) == 2
    assert ("safeguarding.child.status_form", cast.mash.id, None) in seen
    assert ("safeguarding.transport.read", cast.school.id, None) in seen
