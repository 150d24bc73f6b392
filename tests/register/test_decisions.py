"""Recording a decision: only the licence's own authority, never in the future, corrections on the same
licence, audited, and the duty to share reaching exactly the other authorities that currently license the
person."""

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
from openmash.errors import NotFoundError, PermissionDenied, ValidationFailed
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType, Permission, Role
from openmash.identity.principal import Principal
from openmash.register import decisions, licences
from openmash.register.models import Licence, LicenceEvent, Notice
from tests.support.factories import UserLogin, make_agency, make_user
from tests.support.register import make_licensed_driver, make_person, principal_for

TODAY = date(2026, 3, 10)


@dataclass
class World:
    agencies: dict[str, uuid.UUID]  # "A" records; the others license the same person in various states
    licence_a: uuid.UUID
    licence_b: uuid.UUID
    person_id: uuid.UUID
    officer_a: UserLogin


def _world(sessions: sessionmaker[Session], settings: Settings) -> World:
    granted = ("granted", date(2024, 1, 10), None)
    with transaction(sessions) as session:
        found = {
            k: make_agency(session, AgencyType.LICENSING_AUTHORITY, f"{k} test council") for k in "ABCDEF"
        }
        person = make_person(session)
        lic_a = make_licensed_driver(session, found["A"], ref="A-1", person=person)
        lic_b = make_licensed_driver(session, found["B"], ref="B-1", person=person)
        make_licensed_driver(
            session,
            found["C"],
            ref="C-1",
            person=person,
            events=[granted, ("suspended", date(2025, 5, 1), "violence")],
        )
        make_licensed_driver(
            session,
            found["D"],
            ref="D-1",
            person=person,
            events=[granted, ("revoked", date(2025, 2, 1), "other")],
        )
        make_licensed_driver(
            session,
            found["E"],
            ref="E-1",
            person=person,
            events=[granted, ("expired", date(2025, 1, 10), None)],
        )
        make_licensed_driver(session, found["F"], ref="F-1", person=person)
        make_licensed_driver(session, found["F"], ref="F-2", person=person)
        ids = {k: a.id for k, a in found.items()}
        world = (lic_a.id, lic_b.id, person.id)
    officer = make_user(sessions, settings, [Role.LICENSING_OFFICER], agency_id=ids["A"])
    return World(ids, world[0], world[1], world[2], officer)


def _record(session: Session, principal: Principal, licence_id: uuid.UUID, **kw: object) -> LicenceEvent:
    values: dict[str, object] = {
        "kind": "revoked",
        "event_date": date(2026, 3, 9),
        "reason_category": "sexual_offence_or_safeguarding",
        "note": "Arrested 2026-03-01; see case file 77",
        "supersedes_id": None,
        "context": NO_CONTEXT,
        "today": TODAY,
    }
    values.update(kw)
    return decisions.record_decision(session, principal, licence_id, **values)  # type: ignore[arg-type]


def _notices(session: Session) -> list[Notice]:
    return list(session.scalars(select(Notice)))


def test_an_officer_records_on_their_own_authoritys_licence_and_it_is_audited(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    world = _world(sessions, settings)
    with transaction(sessions) as session:
        event = _record(session, principal_for(session, world.officer_a), world.licence_a)
        assert (event.source, event.recorded_by) == ("web", world.officer_a.email)
        event_id = event.id
    with transaction(sessions) as session:
        licence = session.get(Licence, world.licence_a)
        assert licence is not None
        assert licence.status == "revoked"
        entry = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "register.decision.record")
        ).one()
        assert entry.object_id == str(event_id)
        assert '"kind":"revoked"' in entry.details


@pytest.mark.parametrize("who", ["other_authority", "police_analyst"])
def test_no_one_else_records_on_the_licence(
    sessions: sessionmaker[Session], settings: Settings, who: str
) -> None:
    world = _world(sessions, settings)
    if who == "other_authority":
        user = make_user(sessions, settings, [Role.LICENSING_MANAGER], agency_id=world.agencies["B"])
    else:
        user = make_user(sessions, settings, [Role.POLICE_ANALYST])
    with transaction(sessions) as session, pytest.raises(PermissionDenied):
        _record(session, principal_for(session, user), world.licence_a)
    with transaction(sessions) as session:
        assert (
            len(session.scalars(select(LicenceEvent).where(LicenceEvent.kind == "revoked")).all()) == 1
        )  # D's
        assert _notices(session) == []


def test_an_api_token_records_with_source_api(sessions: sessionmaker[Session], settings: Settings) -> None:
    world = _world(sessions, settings)
    with transaction(sessions) as session:
        authority = session.get(Agency, world.agencies["A"])
        assert authority is not None
        token = Principal(
            kind="token",
            id=uuid.uuid4(),
            label="token:Licensing system",
            display_name="Licensing system",
            agency_id=authority.id,
            agency_code=authority.code,
            agency_name=authority.name,
            agency_type=AgencyType.LICENSING_AUTHORITY,
            roles=frozenset(),
            permissions=frozenset({Permission.REGISTER_RECORD}),
        )
        event = _record(session, token, world.licence_a, kind="granted", reason_category=None)
        assert event.source == "api"


def test_bad_input_is_refused_field_by_field_and_nothing_is_written(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    world = _world(sessions, settings)
    with transaction(sessions) as session:
        principal = principal_for(session, world.officer_a)
        with pytest.raises(ValidationFailed) as caught:
            _record(session, principal, world.licence_a, event_date=date(2026, 3, 11), reason_category=None)
        assert set(caught.value.fields) == {"event_date", "reason_category"}
        with pytest.raises(ValidationFailed) as caught:
            _record(
                session, principal, world.licence_a, kind="cancelled", event_date=None, reason_category=None
            )
        assert set(caught.value.fields) == {"kind", "event_date"}
        with pytest.raises(ValidationFailed) as caught:
            _record(session, principal, world.licence_a, kind="granted")
        assert set(caught.value.fields) == {"reason_category"}
        with pytest.raises(NotFoundError):
            _record(session, principal, uuid.uuid4())
    with transaction(sessions) as session:
        licence = session.get(Licence, world.licence_a)
        assert licence is not None
        assert [e.kind for e in licence.events] == ["applied", "granted"]
        assert _notices(session) == []


def test_the_same_decision_twice_is_refused(sessions: sessionmaker[Session], settings: Settings) -> None:
    world = _world(sessions, settings)
    with transaction(sessions) as session:
        principal = principal_for(session, world.officer_a)
        _record(session, principal, world.licence_a)
        with pytest.raises(ValidationFailed) as caught:
            _record(session, principal, world.licence_a)
        assert "kind" in caught.value.fields


def test_a_correction_names_a_decision_on_the_same_licence_once(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    world = _world(sessions, settings)
    with transaction(sessions) as session:
        principal = principal_for(session, world.officer_a)
        other_licence = session.get(Licence, world.licence_b)
        assert other_licence is not None
        elsewhere = other_licence.events[0].id
        with pytest.raises(ValidationFailed) as caught:
            _record(
                session,
                principal,
                world.licence_a,
                kind="granted",
                reason_category=None,
                supersedes_id=elsewhere,
            )
        assert "supersedes_id" in caught.value.fields
        wrong = _record(session, principal, world.licence_a, kind="suspended", reason_category="driving")
        fixed = _record(
            session,
            principal,
            world.licence_a,
            kind="suspension_lifted",
            reason_category=None,
            note="suspension entered against the wrong licence",
            supersedes_id=wrong.id,
        )
        assert fixed.supersedes_id == wrong.id
        licence = session.get(Licence, world.licence_a)
        assert licence is not None
        assert licence.status == "licensed"
        with pytest.raises(ValidationFailed) as caught:
            _record(
                session,
                principal,
                world.licence_a,
                kind="granted",
                event_date=date(2026, 3, 10),
                reason_category=None,
                supersedes_id=wrong.id,
            )
        assert caught.value.fields["supersedes_id"] == "That decision has already been corrected"


def test_duty_to_share_reaches_exactly_the_other_current_licensing_authorities(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    world = _world(sessions, settings)
    with transaction(sessions) as session:
        event = _record(session, principal_for(session, world.officer_a), world.licence_a)
        event_id = event.id
    with transaction(sessions) as session:
        found = _notices(session)
        # B licensed, C suspended (still theirs), F twice (one notice); not A (the recorder), D (revoked), E
        # (expired).
        assert sorted(n.agency_id for n in found) == sorted(world.agencies[k] for k in "BCF")
        assert {n.kind for n in found} == {"duty_to_share_decision"}
        assert {n.licence_event_id for n in found} == {event_id}
        assert {n.from_agency_id for n in found} == {world.agencies["A"]}
        assert {n.person_id for n in found} == {world.person_id}
        summary = found[0].summary
        assert "A test council" in summary
        assert "a revocation of a private hire driver licence on 9 March 2026" in summary
        assert "sexual offence or safeguarding" in summary
        assert "Testperson" not in summary  # no personal details beyond what the register shares
        assert "case file" not in summary  # never the recording authority's note
        entry = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "register.decision.record")
        ).one()
        codes = {
            a.code for a in session.scalars(select(Agency).where(Agency.id.in_([n.agency_id for n in found])))
        }
        for code in codes:
            assert code in entry.details


@pytest.mark.parametrize(
    ("kind", "reason", "shared"),
    [
        ("refused", "violence", True),
        ("suspended", "driving", True),
        ("revoked", "sexual_offence_or_safeguarding", True),
        ("revoked", "dishonesty", False),
        ("suspended", "other", False),
        ("surrendered", None, False),
        ("granted", None, False),
    ],
)
def test_only_relevant_refusals_suspensions_and_revocations_are_shared(
    sessions: sessionmaker[Session], settings: Settings, kind: str, reason: str | None, shared: bool
) -> None:
    world = _world(sessions, settings)
    with transaction(sessions) as session:
        _record(
            session,
            principal_for(session, world.officer_a),
            world.licence_a,
            kind=kind,
            reason_category=reason,
        )
    with transaction(sessions) as session:
        assert len(_notices(session)) == (3 if shared else 0)


def test_correcting_a_shared_decision_tells_the_same_authorities(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    world = _world(sessions, settings)
    with transaction(sessions) as session:
        principal = principal_for(session, world.officer_a)
        wrong = _record(session, principal, world.licence_a, kind="suspended", reason_category="violence")
        _record(
            session,
            principal,
            world.licence_a,
            kind="suspension_lifted",
            reason_category=None,
            supersedes_id=wrong.id,
        )
    with transaction(sessions) as session:
        kinds = sorted(n.kind for n in _notices(session))
        assert kinds == ["duty_to_share_correction"] * 3 + ["duty_to_share_decision"] * 3
        correction = next(n for n in _notices(session) if n.kind == "duty_to_share_correction")
        assert (
            "It corrects a suspension dated 9 March 2026 (violence), which no longer stands"
            in correction.summary
        )


def test_the_relevant_reasons_are_reasons_the_register_knows() -> None:
    assert decisions.RELEVANT_INFORMATION_REASONS <= licences.REASONS
    assert {"sexual_offence_or_safeguarding", "violence", "driving"} <= decisions.RELEVANT_INFORMATION_REASONS
    assert decisions.SHARED_DECISIONS == licences.NEEDS_REASON
