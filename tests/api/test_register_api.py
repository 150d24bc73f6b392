"""The register's API, as a council's licensing system uses it with its token."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT, SYSTEM
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.identity import tokens
from openmash.identity.permissions import AgencyType
from openmash.register.models import LicenceEvent
from tests.support.factories import make_agency

FILE = (
    "authority_licence_ref,licence_type,event,event_date,reason_category,surname,forenames,date_of_birth,"
    "driving_licence_number,ni_number,postcode,address,vehicle_registration\n"
    "L-1,private_hire_driver,granted,2021-03-01,,Okafor,Chinedu,1988-08-18,,,,,KM70 XYZ\n"
    "L-1,private_hire_driver,suspended,2025-06-01,violence,Okafor,Chinedu,1988-08-18,,,,,\n"
)


def _token(sessions: sessionmaker[Session], settings: Settings, perms: list[str]) -> dict[str, str]:
    with transaction(sessions) as session:
        agency = make_agency(session, AgencyType.LICENSING_AUTHORITY)
        made = tokens.create_token(
            session,
            settings,
            SYSTEM,
            agency_id=agency.id,
            name="Licensing system",
            permissions=perms,
            days=30,
            context=NO_CONTEXT,
        )
    return {"Authorization": f"Bearer {made.plaintext}"}


def test_a_council_imports_screens_looks_up_and_exports(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    key = _token(
        sessions,
        settings,
        ["register:decisions:record", "register:people:search", "register:vehicles:lookup"],
    )
    imported = client.post(
        "/api/v1/register/imports", headers=key, json={"csv": FILE, "file_name": "nightly.csv"}
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["events_added"] == 2
    again = client.post("/api/v1/register/imports", headers=key, json={"csv": FILE})
    assert again.json()["events_added"] == 0
    screened = client.post(
        "/api/v1/register/screenings",
        headers=key,
        json={
            "purpose": "Application 99",
            "names": [{"surname": "Okafor", "forenames": "Chinedu"}],
            "date_of_birth": "1988-08-18",
        },
    )
    assert screened.status_code == 200, screened.text
    assert screened.json()["candidates"][0]["licences"][0]["status"] == "suspended"
    plate = client.get("/api/v1/register/vehicles/km70xyz", headers=key, params={"purpose": "Complaint 5"})
    assert plate.status_code == 200
    assert plate.json()["licensed_to"][0]["authority_licence_ref"] == "L-1"
    exported = client.get("/api/v1/register/exports", headers=key)
    assert exported.status_code == 200
    assert len(list(csv.DictReader(io.StringIO(exported.text)))) == 2
    with transaction(sessions) as session:
        actions = set(session.scalars(select(AuditRecord.action)))
    assert {"register.import", "register.screen", "register.plate_lookup", "register.export"} <= actions


def test_a_bad_file_is_refused_line_by_line_and_nothing_written(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    key = _token(sessions, settings, ["register:decisions:record"])
    bad = FILE + "L-2,private_hire_driver,revoked,2025-01-01,,Smith,Jo,2015-01-01,,,,,\n"
    response = client.post("/api/v1/register/imports", headers=key, json={"csv": bad})
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert "line 4, column reason_category" in fields
    assert "line 4, column date_of_birth" in fields
    with transaction(sessions) as session:
        assert session.scalar(select(func.count()).select_from(LicenceEvent)) == 0


def test_purpose_is_required_and_a_token_without_the_record_permission_cannot_import(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    key = _token(sessions, settings, ["register:people:search", "register:vehicles:lookup"])
    no_purpose = client.get("/api/v1/register/vehicles/AB12CDE", headers=key)
    assert no_purpose.status_code == 422
    assert "purpose" in no_purpose.json()["error"]["fields"]
    denied = client.post("/api/v1/register/imports", headers=key, json={"csv": FILE})
    assert denied.status_code == 403
