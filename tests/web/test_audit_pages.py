"""Auditors search the trail with a stated purpose, see only what they may, and export it as CSV."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit import service as audit
from openmash.audit.models import AuditRecord
from openmash.audit.service import Actor
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.identity.permissions import AgencyType, Role
from tests.support.factories import make_user
from tests.support.web import sign_in


def _seed(sessions: sessionmaker[Session], agency_id: object, agency_code: str) -> None:
    with transaction(sessions) as session:
        mine = Actor(label="officer@mine.invalid", agency_id=agency_id, agency_code=agency_code)  # type: ignore[arg-type]
        theirs = Actor(label="officer@theirs.invalid", agency_code="OTHER")
        audit.record(session, "register.search", mine, purpose='=HYPERLINK("http://x")', object_id="p1")
        audit.record(session, "register.search", theirs, purpose="application 7", object_id="p2")


def test_a_search_needs_a_purpose_and_is_itself_audited(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    auditor = make_user(sessions, settings, [Role.AUDITOR], agency_type=AgencyType.NATIONAL_ADMIN)
    sign_in(client, sessions, auditor)
    assert client.get("/audit").status_code == 200
    refused = client.get("/audit", params={"action": "register"})
    assert refused.status_code == 400
    assert "Enter why you are searching the audit trail" in refused.text
    found = client.get("/audit", params={"action": "sign_in", "purpose": "Quarterly review"})
    assert found.status_code == 200
    assert "records" in found.text
    with transaction(sessions) as session:
        entry = session.scalars(select(AuditRecord).where(AuditRecord.action == "audit.search")).one()
        assert entry.purpose == "Quarterly review"
        assert entry.actor_user_id == auditor.id


def test_an_agency_auditor_sees_only_their_agencys_records(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    auditor = make_user(sessions, settings, [Role.AUDITOR], agency_type=AgencyType.POLICE_FORCE)
    _seed(sessions, auditor.agency_id, auditor.agency_code)
    sign_in(client, sessions, auditor)
    page = client.get("/audit", params={"action": "register", "purpose": "Complaint 9"})
    assert "officer@mine.invalid" in page.text
    assert "officer@theirs.invalid" not in page.text


def test_bad_dates_are_explained(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    auditor = make_user(sessions, settings, [Role.AUDITOR], agency_type=AgencyType.NATIONAL_ADMIN)
    sign_in(client, sessions, auditor)
    page = client.get("/audit", params={"date_from": "2026-02-30", "date_to": "2026-01-01", "purpose": "x"})
    assert page.status_code == 400
    assert 'href="#date_from"' in page.text


def test_export_is_csv_with_formulas_neutralised_and_is_audited(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    auditor = make_user(sessions, settings, [Role.AUDITOR], agency_type=AgencyType.NATIONAL_ADMIN)
    sign_in(client, sessions, auditor)
    _seed(sessions, None, "X")
    assert client.get("/audit/export.csv").status_code == 400  # no purpose
    response = client.get(
        "/audit/export.csv", params={"action": "register", "purpose": "Subject access request 12"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["object_id"] for r in rows] == ["p1", "p2"]
    assert rows[0]["purpose"].startswith("'=")
    with transaction(sessions) as session:
        entry = session.scalars(select(AuditRecord).where(AuditRecord.action == "audit.export")).one()
        assert entry.purpose == "Subject access request 12"
