"""Matches proposed by an import: a new applicant who may already be on the register is put to the importing
authority's officers, never merged silently, never proposed twice; a confirmation links the two records for
the duty to share; every decision and every listing is audited."""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT, SYSTEM
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import Conflict, NotFoundError, PermissionDenied
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType, Role
from openmash.matching.models import MatchProposal
from openmash.register import decisions, imports, matches
from openmash.register.licence_csv import read_licence_csv
from openmash.register.models import Licence, Notice, Person
from tests.support.factories import UserLogin, make_agency, make_user
from tests.support.register import principal_for

HEADER = (
    "authority_licence_ref,licence_type,event,event_date,reason_category,surname,forenames,date_of_birth,"
    "driving_licence_number,ni_number,postcode,address,vehicle_registration\n"
)
WOLVERHAMPTON = HEADER + (
    "W-1,private_hire_driver,applied,2019-01-04,,Khan,Mohammed,1984-07-03,,AB123456C,WV1 1AA,,\n"
    "W-1,private_hire_driver,granted,2019-02-01,,Khan,Mohammed,1984-07-03,,,,,\n"
    "W-2,private_hire_driver,granted,2020-02-01,,Oyelaran,Adebayo,1975-02-14,,,WV2 2BB,,\n"
)
# The same man as W-1, under a variant of his name with day and month swapped, and a stranger.
BIRMINGHAM = HEADER + (
    "B-1,private_hire_driver,applied,2025-06-01,,Kahn,Muhammad,1984-03-07,,AB123456C,B1 1AA,,\n"
    "B-2,hackney_carriage_driver,applied,2025-06-02,,Jones,Rhiannon,2001-05-05,,,B2 2BB,,\n"
)


@dataclass
class World:
    wolverhampton: uuid.UUID
    birmingham: uuid.UUID
    officer: UserLogin  # Birmingham's
    other_officer: UserLogin  # Wolverhampton's


def _import(session: Session, authority: Agency, text: str) -> imports.ImportSummary:
    result = read_licence_csv(io.StringIO(text), today=date(2026, 11, 24))
    assert result.valid, result.errors
    return imports.import_licences(session, authority, result.rows, SYSTEM, NO_CONTEXT, file_name="t.csv")


def _person(session: Session, ref: str) -> Person:
    return session.scalars(select(Licence).where(Licence.authority_licence_ref == ref)).one().person


@pytest.fixture
def world(sessions: sessionmaker[Session], settings: Settings) -> World:
    with transaction(sessions) as session:
        wolves = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Wolverhampton test council")
        brum = make_agency(session, AgencyType.LICENSING_AUTHORITY, "Birmingham test council")
        assert _import(session, wolves, WOLVERHAMPTON).matches_proposed == 0
        ids = wolves.id, brum.id
    officer = make_user(sessions, settings, [Role.LICENSING_OFFICER], agency_id=ids[1])
    other = make_user(sessions, settings, [Role.LICENSING_OFFICER], agency_id=ids[0])
    return World(ids[0], ids[1], officer, other)


def _import_birmingham(sessions: sessionmaker[Session], world: World) -> imports.ImportSummary:
    with transaction(sessions) as session:
        return _import(session, session.get_one(Agency, world.birmingham), BIRMINGHAM)


def test_an_import_proposes_the_registered_driver_and_merges_nothing(
    sessions: sessionmaker[Session], world: World
) -> None:
    summary = _import_birmingham(sessions, world)
    assert summary.matches_proposed == 1
    with transaction(sessions) as session:
        proposal = session.scalars(select(MatchProposal)).one()
        assert proposal.record_id == str(_person(session, "B-1").id)
        assert proposal.candidate_id == str(_person(session, "W-1").id)
        assert (proposal.status, proposal.owner_agency_id) == ("proposed", world.birmingham)
        assert session.scalar(select(func.count()).select_from(Person)) == 4  # nothing merged
        assert {p["field"] for p in proposal.explanation} >= {"surname", "date_of_birth", "ni_number"}


def test_reimporting_the_file_proposes_nothing_more(sessions: sessionmaker[Session], world: World) -> None:
    _import_birmingham(sessions, world)
    assert _import_birmingham(sessions, world).matches_proposed == 0
    with transaction(sessions) as session:
        assert session.scalar(select(func.count()).select_from(MatchProposal)) == 1


def test_the_importing_authority_sees_its_proposals_and_the_listing_is_audited(
    sessions: sessionmaker[Session], world: World
) -> None:
    _import_birmingham(sessions, world)
    with transaction(sessions) as session:
        waiting = matches.pending(session, principal_for(session, world.officer), NO_CONTEXT).shown
        assert [(p.new.surname, p.existing.surname) for p in waiting] == [("Kahn", "Khan")]
        assert waiting[0].existing.licences == [("Wolverhampton test council", "W-1", "licensed")]
        assert matches.pending(session, principal_for(session, world.other_officer), NO_CONTEXT).total == 0
        listed = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "register.matches.list")
        ).all()
        assert len(listed) == 1
        assert str(waiting[0].existing.id) in json.loads(listed[0].details)["people"]


def test_a_rejected_pair_is_remembered_and_never_proposed_again(
    sessions: sessionmaker[Session], world: World
) -> None:
    _import_birmingham(sessions, world)
    with transaction(sessions) as session:
        principal = principal_for(session, world.officer)
        proposal_id = matches.pending(session, principal, NO_CONTEXT).shown[0].id
        decided = matches.decide(
            session, principal, proposal_id, confirm=False, note="Different NI", context=NO_CONTEXT
        )
        assert (decided.status, decided.decided_by) == ("rejected", world.officer.email)
    with transaction(sessions) as session:
        principal = principal_for(session, world.officer)
        assert matches.pending(session, principal, NO_CONTEXT).total == 0
        with pytest.raises(Conflict):
            matches.decide(session, principal, proposal_id, confirm=True, note="", context=NO_CONTEXT)
        actions = session.scalars(select(AuditRecord.action)).all()
        assert "register.matches.reject" in actions
    assert _import_birmingham(sessions, world).matches_proposed == 0


def test_only_the_importing_authority_decides(
    sessions: sessionmaker[Session], world: World, settings: Settings
) -> None:
    _import_birmingham(sessions, world)
    police = make_user(sessions, settings, [Role.POLICE_ANALYST])
    with transaction(sessions) as session:
        proposal_id = session.scalars(select(MatchProposal.id)).one()
        with pytest.raises(NotFoundError):
            matches.decide(
                session,
                principal_for(session, world.other_officer),
                proposal_id,
                confirm=True,
                note="",
                context=NO_CONTEXT,
            )
        with pytest.raises(PermissionDenied):
            matches.decide(
                session,
                principal_for(session, police),
                proposal_id,
                confirm=True,
                note="",
                context=NO_CONTEXT,
            )
        assert session.get_one(MatchProposal, proposal_id).status == "proposed"


def test_a_confirmed_match_carries_the_duty_to_share(
    sessions: sessionmaker[Session], world: World, settings: Settings
) -> None:
    """Birmingham grants the applicant; when Wolverhampton revokes its own licence for a safeguarding reason,
    Birmingham is told, because its officer confirmed that the two records are one man."""
    _import_birmingham(sessions, world)
    grant = HEADER + "B-1,private_hire_driver,granted,2025-07-01,,Kahn,Muhammad,1984-03-07,,,,,\n"
    with transaction(sessions) as session:
        _import(session, session.get_one(Agency, world.birmingham), grant)
        principal = principal_for(session, world.officer)
        proposal_id = matches.pending(session, principal, NO_CONTEXT).shown[0].id
        matches.decide(
            session, principal, proposal_id, confirm=True, note="Same NI number", context=NO_CONTEXT
        )
        assert matches.linked_people(session, _person(session, "B-1").id) == {_person(session, "W-1").id}
        assert matches.linked_people(session, _person(session, "W-1").id) == {_person(session, "B-1").id}
        wolves_licence = (
            session.scalars(select(Licence).where(Licence.authority_licence_ref == "W-1")).one().id
        )
    with transaction(sessions) as session:
        decisions.record_decision(
            session,
            principal_for(session, world.other_officer),
            wolves_licence,
            kind="revoked",
            event_date=date(2026, 1, 5),
            reason_category="sexual_offence_or_safeguarding",
            note="",
            supersedes_id=None,
            context=NO_CONTEXT,
        )
    with transaction(sessions) as session:
        told = session.scalars(select(Notice.agency_id).where(Notice.kind == "duty_to_share_decision")).all()
        assert told == [world.birmingham]
