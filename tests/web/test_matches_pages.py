"""The proposed-matches page: an officer of the importing authority sees why two records may be one person,
decides, and the decision is kept; the API does the same for a council's system."""

from __future__ import annotations

import io
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.service import NO_CONTEXT, SYSTEM
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.identity import tokens
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType, Role
from openmash.matching.models import MatchProposal
from openmash.register import imports
from openmash.register.licence_csv import read_licence_csv
from tests.support.factories import UserLogin, make_agency, make_user
from tests.support.web import csrf_from, sign_in

HEADER = (
    "authority_licence_ref,licence_type,event,event_date,reason_category,surname,forenames,date_of_birth,"
    "driving_licence_number,ni_number,postcode,address,vehicle_registration\n"
)
HELD = HEADER + (
    "W-1,private_hire_driver,granted,2019-02-01,,Kowalski,Piotr,1979-11-04,,AB123456C,,,\n"
    "W-1,private_hire_driver,revoked,2024-05-05,sexual_offence_or_safeguarding,Kowalski,Piotr,1979-11-04,,,,,\n"
)
NEW = HEADER + "N-1,private_hire_driver,applied,2026-10-01,,Kowalsky,Peter,1979-11-04,,AB123456C,,,\n"


def _import(session: Session, authority: Agency, text: str) -> int:
    rows = read_licence_csv(io.StringIO(text), today=date(2026, 11, 24)).rows
    return imports.import_licences(session, authority, rows, SYSTEM, NO_CONTEXT).matches_proposed


def _world(sessions: sessionmaker[Session], settings: Settings) -> tuple[Agency, UserLogin]:
    with transaction(sessions) as session:
        held = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Holding test council")
        mine = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Importing test council")
        _import(session, held, HELD)
        assert _import(session, mine, NEW) == 1
    return mine, make_user(sessions, settings, [Role.LICENSING_OFFICER], agency_id=mine.id)


def test_an_officer_sees_why_and_confirms_the_same_person(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    _, officer = _world(sessions, settings)
    sign_in(client, sessions, officer)
    page = client.get("/register/matches")
    assert page.status_code == 200
    assert "Peter Kowalsky may be Piotr Kowalski" in page.text
    assert "Holding test council" in page.text
    assert "same National Insurance number" in page.text.replace("\n", " ")
    with transaction(sessions) as session:
        proposal_id = session.scalars(select(MatchProposal.id)).one()
    action = f"/register/matches/{proposal_id}/decision"
    unanswered = client.post(action, data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert unanswered.status_code == 400
    assert "Select whether this is the same person" in unanswered.text
    done = client.post(
        action,
        data={"csrf_token": csrf_from(page.text), "decision": "same", "note": "NI checked"},
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, "/register/matches?done=same")
    after = client.get("/register/matches?done=same")
    assert "Confirmed as the same person" in after.text
    assert "There are no proposed matches" in after.text
    with transaction(sessions) as session:
        decided = session.get_one(MatchProposal, proposal_id)
        assert (decided.status, decided.decided_by, decided.decision_note) == (
            "confirmed",
            officer.email,
            "NI checked",
        )
        new_person = decided.record_id
    person_page = client.get(f"/register/people/{new_person}")
    assert "Confirmed as the same person as" in person_page.text
    assert "Piotr Kowalski" in person_page.text


def test_another_authoritys_officer_sees_nothing_to_decide(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    _world(sessions, settings)
    outsider = make_user(sessions, settings, [Role.LICENSING_OFFICER])
    sign_in(client, sessions, outsider)
    assert "There are no proposed matches" in client.get("/register/matches").text


def test_a_councils_system_lists_and_decides_its_proposals(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    mine, _ = _world(sessions, settings)
    with transaction(sessions) as session:
        made = tokens.create_token(
            session,
            settings,
            SYSTEM,
            agency_id=mine.id,
            name="Licensing system",
            permissions=["register:decisions:record"],
            days=30,
            context=NO_CONTEXT,
        )
    key = {"Authorization": f"Bearer {made.plaintext}"}
    listed = client.get("/api/v1/register/matches", headers=key)
    assert listed.status_code == 200, listed.text
    assert listed.json()["total"] == 1
    [proposal] = listed.json()["proposals"]
    assert (proposal["new"]["surname"], proposal["existing"]["surname"]) == ("Kowalsky", "Kowalski")
    assert proposal["existing"]["licences"][0]["status"] == "revoked"
    decided = client.post(
        f"/api/v1/register/matches/{proposal['id']}/decision",
        headers=key,
        json={"same_person": False, "note": "Different people: checked DVLA"},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "rejected"
    again = client.post(
        f"/api/v1/register/matches/{proposal['id']}/decision", headers=key, json={"same_person": True}
    )
    assert again.status_code == 409
    assert client.get("/api/v1/register/matches", headers=key).json() == {"total": 0, "proposals": []}
