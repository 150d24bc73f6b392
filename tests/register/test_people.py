"""The person view: the viewer's own authority's records in full, others' as the register shares them,
concerns in full only for the recorder and police, and a purpose needed (and audited) outside one's own
licensees."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import NotFoundError, PermissionDenied, PurposeRequired
from openmash.identity.permissions import AgencyType, Role
from openmash.register import concerns, licences, people
from openmash.register.models import PersonAddress
from tests.support.factories import UserLogin, make_agency, make_user
from tests.support.register import make_licensed_driver, make_person, principal_for


@dataclass
class Shared:
    person_id: uuid.UUID
    ours: UserLogin  # an officer of the authority that licenses the person ("Ours")
    theirs: UserLogin  # an officer of the authority that revoked the person ("Theirs")
    stranger: UserLogin  # an officer of an authority with no licence for the person
    analyst: UserLogin


def _shared(sessions: sessionmaker[Session], settings: Settings) -> Shared:
    with transaction(sessions) as session:
        ours = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Ours test council")
        theirs = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Theirs test council")
        stranger = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Stranger test council")
        person = make_person(session)
        person.phone = "07700 900123"
        mine = make_licensed_driver(session, ours, ref="O-1", person=person, registration="AB12CDE")
        licences.record_event(
            session,
            mine,
            kind="renewed",
            event_date=date(2026, 2, 1),
            reason_category=None,
            recorded_by="clerk@ours.example",
            source="web",
            note="Renewed after DBS update check",
        )
        revoked = make_licensed_driver(session, theirs, ref="T-1", person=person)
        licences.record_event(
            session,
            revoked,
            kind="revoked",
            event_date=date(2025, 9, 1),
            reason_category="sexual_offence_or_safeguarding",
            recorded_by="officer@theirs.example",
            source="web",
            note="Messages to a 14-year-old passenger, police ref 55/2025",
        )
        session.add_all(
            [
                PersonAddress(
                    person_id=person.id,
                    address="1 Ours Street, Oursville",
                    postcode="HP19 8FF",
                    first_seen_on=date(2023, 1, 5),
                    recorded_by_agency_id=ours.id,
                ),
                PersonAddress(
                    person_id=person.id,
                    address="9 Theirs Road, Theirsby",
                    postcode="WV1 1AA",
                    first_seen_on=date(2020, 1, 5),
                    recorded_by_agency_id=theirs.id,
                ),
            ]
        )
        ids = (person.id, ours.id, theirs.id, stranger.id)
    return Shared(
        ids[0],
        make_user(sessions, settings, [Role.LICENSING_OFFICER], agency_id=ids[1]),
        make_user(sessions, settings, [Role.LICENSING_OFFICER], agency_id=ids[2]),
        make_user(sessions, settings, [Role.LICENSING_MANAGER], agency_id=ids[3]),
        make_user(sessions, settings, [Role.POLICE_ANALYST]),
    )


def _view(sessions: sessionmaker[Session], who: UserLogin, person_id: uuid.UUID, purpose: str | None = None):  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        return people.view_person(session, principal_for(session, who), person_id, purpose, NO_CONTEXT)


def test_the_own_authority_sees_its_records_in_full_and_others_only_as_shared(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    world = _shared(sessions, settings)
    view = _view(sessions, world.ours, world.person_id)
    assert view.licensed_here
    assert view.phone == "07700 900123"
    own, other = view.licences  # own authority's first
    assert (own.own, own.authority_licence_ref, own.may_record, own.may_request) == (True, "O-1", True, False)
    assert any(e.note == "Renewed after DBS update check" for e in own.events)
    assert {e.recorded_by for e in own.events} >= {"clerk@ours.example"}
    assert [v.registration for v in own.vehicles] == ["AB12CDE"]
    assert (other.own, other.authority_name, other.status, other.may_record, other.may_request) == (
        False,
        "Theirs test council",
        "revoked",
        False,
        True,
    )
    revocation = other.events[0]
    assert (revocation.kind, revocation.reason_category, revocation.event_date) == (
        "revoked",
        "sexual_offence_or_safeguarding",
        date(2025, 9, 1),
    )
    assert all(e.note is None and e.recorded_by is None for e in other.events)
    assert [a.address for a in view.addresses] == ["1 Ours Street, Oursville"]
    assert view.addresses_held_elsewhere == 1


def test_a_purpose_is_needed_outside_ones_own_licensees_and_audited(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    world = _shared(sessions, settings)
    for who in (world.stranger, world.analyst):
        with pytest.raises(PurposeRequired):
            _view(sessions, who, world.person_id, "  ")
    view = _view(sessions, world.stranger, world.person_id, "Application PH/2026/0412")
    assert not view.licensed_here
    assert view.phone is None
    assert view.addresses == []
    assert view.addresses_held_elsewhere == 2
    assert all(not lic.own and lic.may_request for lic in view.licences)
    assert all(e.note is None for lic in view.licences for e in lic.events)
    _view(sessions, world.ours, world.person_id)  # no purpose needed for one's own licensee
    with transaction(sessions) as session:
        entries = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "register.person.view").order_by(AuditRecord.seq)
        ).all()
        assert [(e.agency_code is not None, e.purpose) for e in entries] == [
            (True, "Application PH/2026/0412"),
            (True, None),
        ]
        assert {e.object_id for e in entries} == {str(world.person_id)}


def test_concerns_in_full_for_the_recorder_and_police_only(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    world = _shared(sessions, settings)
    with transaction(sessions) as session:
        concerns.record_concern(
            session,
            principal_for(session, world.theirs),
            world.person_id,
            kind="complaint",
            safeguarding=True,
            occurred_on=date(2025, 8, 20),
            summary="Passenger's mother reported inappropriate messages",
            context=NO_CONTEXT,
        )
    for who, full in (
        (world.theirs, True),
        (world.analyst, True),
        (world.ours, False),
        (world.stranger, False),
    ):
        view = _view(sessions, who, world.person_id, "Check")
        [concern] = view.concerns
        assert (concern.kind, concern.safeguarding, concern.occurred_on) == (
            "complaint",
            True,
            date(2025, 8, 20),
        )
        assert concern.agency_name == "Theirs test council"
        assert concern.full is full
        assert (concern.summary is not None) is full
        assert (concern.recorded_by is not None) is full
    assert not _view(sessions, world.analyst, world.person_id, "Check").licences[0].may_request  # police


def test_only_register_users_open_a_record(sessions: sessionmaker[Session], settings: Settings) -> None:
    world = _shared(sessions, settings)
    practitioner = make_user(sessions, settings, [Role.MASH_PRACTITIONER])
    with pytest.raises(PermissionDenied):
        _view(sessions, practitioner, world.person_id, "Referral 77")
    with pytest.raises(NotFoundError):
        _view(sessions, world.ours, uuid.uuid4(), "x")
    with transaction(sessions) as session:
        assert (
            session.scalars(select(AuditRecord).where(AuditRecord.action == "register.person.view")).all()
            == []
        )
