"""Plate lookup finds the vehicle and everyone it is licensed to, in any spacing or case, and is audited."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import PurposeRequired, ValidationFailed
from openmash.identity.models import User
from openmash.identity.permissions import AgencyType, Role
from openmash.identity.principal import principal_for_user
from openmash.register import vehicles
from tests.support.factories import make_agency, make_user
from tests.support.register import make_licensed_driver
from tests.support.web import sign_in


def _two_authorities_one_car(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        bucks = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Bucks test council")
        wolves = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Wolves test council")
        make_licensed_driver(session, bucks, ref="B-1", surname="Alder", registration="AB12CDE")
        make_licensed_driver(
            session,
            wolves,
            ref="W-9",
            surname="Birch",
            registration="AB12CDE",
            events=[
                ("granted", date(2022, 3, 1), None),
                ("revoked", date(2024, 8, 9), "sexual_offence_or_safeguarding"),
            ],
        )


def test_a_plate_in_any_spacing_finds_every_licence_and_is_audited(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    _two_authorities_one_car(sessions)
    analyst = make_user(sessions, settings, [Role.POLICE_ANALYST])
    with transaction(sessions) as session:
        user = session.get(User, analyst.id)
        assert user is not None
        principal = principal_for_user(user)
        result = vehicles.lookup_plate(session, principal, " ab12 cde ", "Incident 4471", NO_CONTEXT)
        assert result.vehicle is not None
        assert sorted(x.holder for x in result.licensed_to) == ["Sam Alder", "Sam Birch"]
        revoked = next(x for x in result.licensed_to if x.authority_licence_ref == "W-9")
        assert revoked.status == "revoked"
        assert revoked.events[-1].reason_category == "sexual_offence_or_safeguarding"
    with transaction(sessions) as session:
        entry = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "register.plate_lookup")
        ).one()
        assert entry.purpose == "Incident 4471"
        assert '"registration":"AB12CDE"' in entry.details


def test_a_lookup_needs_a_purpose_and_a_plausible_mark(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    analyst = make_user(sessions, settings, [Role.POLICE_ANALYST])
    with transaction(sessions) as session:
        user = session.get(User, analyst.id)
        assert user is not None
        principal = principal_for_user(user)
        with pytest.raises(PurposeRequired):
            vehicles.lookup_plate(session, principal, "AB12CDE", "  ", NO_CONTEXT)
        with pytest.raises(ValidationFailed):
            vehicles.lookup_plate(session, principal, "A!", "incident", NO_CONTEXT)
        missing = vehicles.lookup_plate(session, principal, "ZZ99ZZZ", "incident", NO_CONTEXT)
        assert missing.vehicle is None


def test_the_page_shows_the_drivers_and_says_when_a_car_is_not_licensed(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings
) -> None:
    _two_authorities_one_car(sessions)
    practitioner = make_user(sessions, settings, [Role.MASH_PRACTITIONER])
    sign_in(client, sessions, practitioner)
    page = client.get("/register/vehicles", params={"registration": "ab12cde", "purpose": "Referral 77"})
    assert page.status_code == 200
    assert "Sam Birch" in page.text
    assert "Wolves test council" in page.text
    assert "sexual offence or safeguarding" in page.text
    none = client.get("/register/vehicles", params={"registration": "XY51 ABC", "purpose": "Referral 77"})
    assert "No licensed vehicle has the mark XY51ABC" in none.text
    no_purpose = client.get("/register/vehicles", params={"registration": "AB12CDE"})
    assert no_purpose.status_code == 400
    assert 'href="#purpose"' in no_purpose.text
