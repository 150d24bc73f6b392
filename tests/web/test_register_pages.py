"""A licensing officer screens an applicant through the page and sees who matched and why."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from openmash.config import Settings
from openmash.db.session import transaction
from openmash.identity.permissions import AgencyType, Role
from tests.support.factories import make_agency, make_user
from tests.support.register import make_licensed_driver, make_person
from tests.support.web import sign_in


def test_a_misspelt_application_finds_the_driver_revoked_elsewhere(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    with transaction(sessions) as session:
        elsewhere = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Revoking test council")
        person = make_person(session, surname="Kowalski", forenames="Piotr", date_of_birth=date(1979, 11, 4))
        make_licensed_driver(
            session,
            elsewhere,
            ref="RV-1",
            person=person,
            events=[
                ("granted", date(2018, 1, 1), None),
                ("revoked", date(2023, 5, 5), "sexual_offence_or_safeguarding"),
            ],
        )
    officer = make_user(sessions, settings, [Role.LICENSING_OFFICER])
    sign_in(client, sessions, officer)
    page = client.get(
        "/register/screen",
        params={
            "surname": "Kowalsky",
            "forenames": "Piotr",
            "dob-day": "4",
            "dob-month": "11",
            "dob-year": "1979",
            "purpose": "Application PH/2026/0412",
        },
    )
    assert page.status_code == 200
    assert "Piotr Kowalski" in page.text
    assert "Revoking test council" in page.text
    assert "revoked since 2023-05-05" in page.text
    assert "sexual offence or safeguarding" in page.text
    assert "Probable" in page.text


def test_the_form_explains_what_is_wrong(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    officer = make_user(sessions, settings, [Role.LICENSING_MANAGER])
    sign_in(client, sessions, officer)
    page = client.get(
        "/register/screen",
        params={
            "surname": "",
            "dob-day": "31",
            "dob-month": "2",
            "dob-year": "1980",
            "ni_number": "QQ123456C",
            "purpose": "",
        },
    )
    assert page.status_code == 400
    for anchor in ("#surname", "#dob-day", "#ni_number"):
        assert f'href="{anchor}"' in page.text, anchor
    no_purpose = client.get("/register/screen", params={"surname": "Smith"})
    assert no_purpose.status_code == 400
    assert 'href="#purpose"' in no_purpose.text


IMPORT_FILE = (
    "authority_licence_ref,licence_type,event,event_date,reason_category,surname,forenames,date_of_birth,"
    "driving_licence_number,ni_number,postcode,address,vehicle_registration\n"
    "U-1,dual_driver,granted,2022-02-02,,Mensah,Kwame,1985-05-15,,,,,\n"
)


def test_an_officer_uploads_a_file_sees_problems_by_line_then_imports_it(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    officer = make_user(sessions, settings, [Role.LICENSING_OFFICER])
    sign_in(client, sessions, officer)
    page = client.get("/register/import")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    bad = IMPORT_FILE + "U-2,dual_driver,refused,2022-02-02,,Mensah,Ama,1985-05-15,,,,,\n"
    refused = client.post(
        "/register/import", data={"csrf_token": token}, files={"file": ("bad.csv", bad.encode(), "text/csv")}
    )
    assert refused.status_code == 400
    assert "line 3, column reason_category" in refused.text
    assert "Nothing was imported" in refused.text
    done = client.post(
        "/register/import",
        data={"csrf_token": token},
        files={"file": ("good.csv", IMPORT_FILE.encode(), "text/csv")},
    )
    assert done.status_code == 200, done.text
    assert "1 decisions added" in done.text
    exported = client.get("/register/export.csv")
    assert "Mensah" in exported.text
