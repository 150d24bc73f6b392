"""The person page, recording a decision and recording a concern, through the browser's eyes: sharing rules in
the HTML, the purpose interstitial, field errors with nothing written, POST-redirect-GET, notices in the
header, and links from the screening results."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.identity.permissions import AgencyType, Role
from openmash.register import licences
from openmash.register.models import DriverConcern, LicenceEvent, Notice, PersonAddress
from openmash.register.workdays import uk_today
from tests.conftest import count_rows
from tests.support.factories import UserLogin, make_agency, make_user
from tests.support.register import make_licensed_driver, make_person
from tests.support.web import csrf_from, post_form, sign_in

SECRET_NOTE = "Messages to a 14-year-old passenger, police ref 55/2025"
SECRET_ADDRESS = "9 Theirs Road, Theirsby"


@dataclass
class World:
    person_id: uuid.UUID
    our_licence: uuid.UUID
    their_licence: uuid.UUID
    ours: UserLogin
    theirs: UserLogin
    stranger: UserLogin


@pytest.fixture
def world(sessions: sessionmaker[Session], settings: Settings) -> World:
    with transaction(sessions) as session:
        ours = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Ours test council")
        theirs = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Theirs test council")
        stranger = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Stranger test council")
        person = make_person(session, surname="Kowalski", forenames="Piotr", date_of_birth=date(1979, 11, 4))
        mine = make_licensed_driver(session, ours, ref="O-1", person=person)
        theirs_licence = make_licensed_driver(session, theirs, ref="T-1", person=person)
        licences.record_event(
            session,
            theirs_licence,
            kind="suspended",
            event_date=date(2025, 9, 1),
            reason_category="sexual_offence_or_safeguarding",
            recorded_by="officer@theirs.example",
            source="web",
            note=SECRET_NOTE,
        )
        session.add(
            PersonAddress(
                person_id=person.id,
                address=SECRET_ADDRESS,
                postcode="WV1 1AA",
                first_seen_on=date(2020, 1, 5),
                recorded_by_agency_id=theirs.id,
            )
        )
        ids = (person.id, mine.id, theirs_licence.id, ours.id, theirs.id, stranger.id)
    return World(
        ids[0],
        ids[1],
        ids[2],
        make_user(sessions, settings, [Role.LICENSING_OFFICER], agency_id=ids[3]),
        make_user(sessions, settings, [Role.LICENSING_OFFICER], agency_id=ids[4]),
        make_user(sessions, settings, [Role.LICENSING_OFFICER], agency_id=ids[5]),
    )


def test_another_authoritys_notes_and_addresses_never_reach_the_page(
    client: TestClient, sessions: sessionmaker[Session], world: World
) -> None:
    sign_in(client, sessions, world.ours)
    page = client.get(f"/register/people/{world.person_id}")
    assert page.status_code == 200
    assert "Piotr Kowalski" in page.text
    assert "Theirs test council" in page.text
    assert "Sexual offence or safeguarding" in page.text
    assert SECRET_NOTE not in page.text
    assert SECRET_ADDRESS not in page.text
    assert "officer@theirs.example" not in page.text
    assert "notes and the addresses it holds are not shown" in page.text
    assert f'href="/register/licences/{world.their_licence}/requests/new"' in page.text
    assert f'href="/register/licences/{world.our_licence}/decisions/new"' in page.text
    assert f"/register/licences/{world.our_licence}/requests/new" not in page.text
    assert f"/register/licences/{world.their_licence}/decisions/new" not in page.text


def test_the_holding_authority_sees_its_own_note(
    client: TestClient, sessions: sessionmaker[Session], world: World
) -> None:
    sign_in(client, sessions, world.theirs)
    page = client.get(f"/register/people/{world.person_id}")
    assert SECRET_NOTE in page.text
    assert SECRET_ADDRESS in page.text


def test_a_purpose_is_asked_for_then_audited(
    client: TestClient, sessions: sessionmaker[Session], world: World
) -> None:
    sign_in(client, sessions, world.stranger)
    asked = client.get(f"/register/people/{world.person_id}")
    assert asked.status_code == 200
    assert "Why do you need to see this?" in asked.text
    assert "Piotr" not in asked.text
    empty = client.get(f"/register/people/{world.person_id}", params={"purpose": " "})
    assert empty.status_code == 400
    assert 'href="#purpose"' in empty.text
    page = client.get(f"/register/people/{world.person_id}", params={"purpose": "Application PH/2026/0412"})
    assert page.status_code == 200
    assert "Piotr Kowalski" in page.text
    assert SECRET_NOTE not in page.text
    assert "Your authority does not license this person" in page.text
    assert "?purpose=Application%20PH/2026/0412" in page.text  # carried into "Request details"
    with transaction(sessions) as session:
        entry = session.scalars(select(AuditRecord).where(AuditRecord.action == "register.person.view")).one()
        assert entry.purpose == "Application PH/2026/0412"
    assert client.get(f"/register/people/{uuid.uuid4()}", params={"purpose": "x"}).status_code == 404


def test_a_decision_is_recorded_shared_noticed_and_read(
    client: TestClient, sessions: sessionmaker[Session], world: World, browsers: object
) -> None:
    sign_in(client, sessions, world.ours)
    form = f"/register/licences/{world.our_licence}/decisions/new"
    assert "Record a decision about Piotr Kowalski" in client.get(form).text
    today = uk_today()
    response = post_form(
        client,
        form,
        form,
        {
            "kind": "revoked",
            "event_date-day": str(today.day),
            "event_date-month": str(today.month),
            "event_date-year": str(today.year),
            "reason_category": "violence",
            "note": "Assault on a passenger",
            "supersedes_id": "",
        },
    )
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    assert response.headers["location"] == f"/register/people/{world.person_id}?done=decision"  # type: ignore[attr-defined]
    assert "Decision recorded" in client.get(response.headers["location"]).text  # type: ignore[attr-defined]
    # The other authority that licenses him (suspended, still theirs) is told at once; the stranger is not.
    other = browsers(world.theirs)  # type: ignore[operator]
    notices_page = other.get("/register/notices")
    assert "Notices (1<span" in notices_page.text
    assert "Ours test council" in notices_page.text
    assert "a revocation of a private hire driver licence" in notices_page.text
    assert "Assault on a passenger" not in notices_page.text
    notice_id = re.search(r'action="/register/notices/([0-9a-f-]+)/read"', notices_page.text)
    assert notice_id
    read = other.post(
        f"/register/notices/{notice_id.group(1)}/read",
        data={"csrf_token": csrf_from(notices_page.text)},
        follow_redirects=False,
    )
    assert read.status_code == 303
    after = other.get("/register/notices")
    assert "Notices (1" not in after.text
    assert "Read " in after.text
    stranger = browsers(world.stranger)  # type: ignore[operator]
    assert "There are no notices." in stranger.get("/register/notices").text
    with transaction(sessions) as session:
        assert "register.notice.read" in set(session.scalars(select(AuditRecord.action)))
    # Someone else's notice cannot be marked read.
    denied = stranger.post(
        f"/register/notices/{notice_id.group(1)}/read",
        data={"csrf_token": csrf_from(stranger.get("/register/notices").text)},
        follow_redirects=False,
    )
    assert denied.status_code == 403


def test_bad_decision_input_shows_field_errors_and_writes_nothing(
    client: TestClient, sessions: sessionmaker[Session], world: World
) -> None:
    sign_in(client, sessions, world.ours)
    before = count_rows(sessions, LicenceEvent)
    form = f"/register/licences/{world.our_licence}/decisions/new"
    response = post_form(
        client,
        form,
        form,
        {"kind": "revoked", "event_date-day": "31", "event_date-month": "2", "event_date-year": "2025"},
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    for anchor in ("#event_date-day", "#reason_category"):
        assert f'href="{anchor}"' in text, anchor
    assert "must be a real date" in text
    future = post_form(
        client,
        form,
        form,
        {"kind": "granted", "event_date-day": "1", "event_date-month": "1", "event_date-year": "2100"},
    )
    assert future.status_code == 400  # type: ignore[attr-defined]
    assert "today or in the past" in future.text  # type: ignore[attr-defined]
    assert count_rows(sessions, LicenceEvent) == before
    assert count_rows(sessions, Notice) == 0


def test_no_decision_on_another_authoritys_licence(
    client: TestClient, sessions: sessionmaker[Session], world: World
) -> None:
    sign_in(client, sessions, world.ours)
    assert client.get(f"/register/licences/{world.their_licence}/decisions/new").status_code == 403
    token = csrf_from(client.get("/account").text)
    posted = client.post(
        f"/register/licences/{world.their_licence}/decisions/new",
        data={
            "csrf_token": token,
            "kind": "granted",
            "event_date-day": "1",
            "event_date-month": "1",
            "event_date-year": "2025",
        },
        follow_redirects=False,
    )
    assert posted.status_code == 403


def test_a_police_analyst_records_a_concern_with_the_purpose_carried(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, world: World
) -> None:
    analyst = make_user(sessions, settings, [Role.POLICE_ANALYST])
    sign_in(client, sessions, analyst)
    person = client.get(f"/register/people/{world.person_id}", params={"purpose": "Op Willow"})
    assert f"/register/people/{world.person_id}/concerns/new?purpose=Op%20Willow" in person.text
    link = f"/register/people/{world.person_id}/concerns/new?purpose=Op+Willow"
    form = client.get(link)
    assert 'name="purpose" value="Op Willow"' in form.text
    action = f"/register/people/{world.person_id}/concerns/new"
    bad = post_form(
        client, link, action, {"kind": "", "summary": "", "occurred_on-day": "40", "purpose": "Op Willow"}
    )
    assert bad.status_code == 400  # type: ignore[attr-defined]
    for anchor in ("#kind", "#safeguarding", "#summary", "#occurred_on-day"):
        assert f'href="{anchor}"' in bad.text, anchor  # type: ignore[attr-defined]
    assert count_rows(sessions, DriverConcern) == 0
    good = post_form(
        client,
        link,
        action,
        {
            "kind": "intelligence",
            "safeguarding": "yes",
            "occurred_on-day": "1",
            "occurred_on-month": "3",
            "occurred_on-year": "2025",
            "summary": "Seen outside a children's home at 02:00",
            "purpose": "Op Willow",
        },
    )
    assert good.status_code == 303  # type: ignore[attr-defined]
    assert good.headers["location"] == f"/register/people/{world.person_id}?purpose=Op+Willow&done=concern"  # type: ignore[attr-defined]
    page = client.get(good.headers["location"])  # type: ignore[attr-defined]
    assert "Concern recorded." in page.text
    assert "Seen outside a children&#39;s home at 02:00" in page.text
    with transaction(sessions) as session:
        assert len(session.scalars(select(Notice).where(Notice.kind == "duty_to_share_concern")).all()) == 2


def test_other_licensing_authorities_see_only_that_a_concern_exists(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, world: World
) -> None:
    analyst = make_user(sessions, settings, [Role.POLICE_ANALYST])
    sign_in(client, sessions, analyst)
    link = f"/register/people/{world.person_id}/concerns/new?purpose=Op+Willow"
    post_form(
        client,
        link,
        f"/register/people/{world.person_id}/concerns/new",
        {
            "kind": "police_information",
            "safeguarding": "no",
            "summary": "Arrested on suspicion, ref 88",
            "purpose": "x",
        },
    )
    client.post("/sign-out", data={"csrf_token": csrf_from(client.get("/account").text)})
    sign_in(client, sessions, world.ours)
    page = client.get(f"/register/people/{world.person_id}")
    assert "Police information from" in page.text
    assert "Arrested on suspicion" not in page.text
    assert "Only the recording agency and police see the details" in page.text


def test_screening_links_to_the_person_and_to_requests_for_other_authorities_licences(
    client: TestClient, sessions: sessionmaker[Session], world: World
) -> None:
    sign_in(client, sessions, world.ours)
    page = client.get(
        "/register/screen",
        params={
            "surname": "Kowalsky",
            "forenames": "Piotr",
            "dob-day": "4",
            "dob-month": "11",
            "dob-year": "1979",
            "purpose": "PH/1",
        },
    )
    assert page.status_code == 200
    assert f'href="/register/people/{world.person_id}?purpose=PH/1"' in page.text
    assert f'href="/register/licences/{world.their_licence}/requests/new?purpose=PH/1"' in page.text
    assert f"/register/licences/{world.our_licence}/requests/new" not in page.text
