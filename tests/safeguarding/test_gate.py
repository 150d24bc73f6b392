"""The gate check: a school or children's home learns only whether a car is a licensed taxi or private hire
vehicle, by whom, and whether carers arranged the pick-up; never who the driver is. Each check is a sighting,
append-only and audited."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import PermissionDenied, PurposeRequired, ValidationFailed
from openmash.identity.models import Agency
from openmash.safeguarding import gate, transport, visibility
from openmash.safeguarding.gate import Arranged
from openmash.safeguarding.models_gate import GateSighting
from openmash.safeguarding.transport import TransportInput
from tests.support.care import refused
from tests.support.gate import DRIVER_FORENAMES, DRIVER_SURNAME, check, licensed_car
from tests.support.safeguarding import NOW, Cast, at, make_cast, make_child, record, who

PLATE = "AB12CDE"


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


def _licensed(sessions: sessionmaker[Session], cast: Cast, **kw: object) -> str:
    with transaction(sessions) as session:
        licensed_car(session, cast.licensing.agency_id, PLATE, **kw)  # type: ignore[arg-type]
        authority = session.get(Agency, cast.licensing.agency_id)
        assert authority is not None
        return authority.name


def test_a_school_learns_the_car_is_licensed_and_by_whom_but_never_the_driver(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    authority = _licensed(sessions, cast)
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        answer = check(session, school, "ab12 cde", cast.mash.agency_id, child_id=child.id)
        assert answer.licensed
        assert answer.registration == PLATE
        assert [a.name for a in answer.authorities] == [authority]
        assert answer.vehicle_kind_labels == ("private hire vehicle",)
        told = repr(answer) + answer.advice + answer.arranged_label
        audit = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "safeguarding.gate.check")
        ).one()
        sighting = session.get(GateSighting, answer.sighting_id)
        assert sighting is not None
        kept = json.dumps({c.name: str(getattr(sighting, c.key)) for c in GateSighting.__table__.columns})
    for text in (told, audit.details, kept):
        assert DRIVER_SURNAME not in text
        assert DRIVER_FORENAMES not in text
        assert "PH-0001" not in text  # the driver's licence number
        assert "P-PH-0001" not in text  # the authority's plate number


def test_an_unknown_car_is_not_licensed_and_the_sighting_is_kept_against_child_place_and_time(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        home = who(session, cast.home)
        child = make_child(session, home)
        answer = check(session, home, "XY99 ZZZ", cast.mash.agency_id, child_id=child.id)
        assert not answer.licensed
        assert answer.authorities == ()
        assert "not a licensed" in answer.advice
        sighting = session.get(GateSighting, answer.sighting_id)
        assert sighting is not None
        assert (sighting.child_id, sighting.agency_id, sighting.checked_at) == (child.id, home.agency_id, NOW)
        assert sighting.mash_agency_id == cast.mash.agency_id


def test_a_suspended_drivers_car_is_not_currently_licensed(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    events = [
        ("applied", date(2023, 1, 5), None),
        ("granted", date(2023, 2, 1), None),
        ("suspended", date(2026, 1, 10), "sexual_offence_or_safeguarding"),
    ]
    _licensed(sessions, cast, events=events)
    with transaction(sessions) as session:
        answer = check(session, who(session, cast.school), PLATE, cast.mash.agency_id)
        assert not answer.licensed
        assert answer.arranged is Arranged.NO_CHILD


def test_the_answer_says_whether_carers_arranged_this_pick_up(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    _licensed(sessions, cast)
    with transaction(sessions) as session:
        home = who(session, cast.home)
        child = make_child(session, home)
        assert (
            check(session, home, PLATE, cast.mash.agency_id, child_id=child.id).arranged
            is Arranged.NOT_RECORDED
        )
        transport.record_arrangement(
            session,
            home,
            child.id,
            TransportInput(valid_from=NOW - timedelta(days=1), vehicle_registration="cd34 efg"),
            NO_CONTEXT,
            now=NOW,
        )
        answer = check(session, home, PLATE, cast.mash.agency_id, child_id=child.id)
        assert answer.arranged is Arranged.NOT_ARRANGED
        assert answer.arranged_with == ("CD34EFG",)
        assert (
            check(session, home, "CD34EFG", cast.mash.agency_id, child_id=child.id).arranged
            is Arranged.ARRANGED
        )


def test_an_arranged_operator_reference_is_never_taken_as_an_arranged_pick_up(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        licence = licensed_car(session, cast.licensing.agency_id, PLATE, ref="OP-77")
        licence.licence_type = "private_hire_operator"
        school = who(session, cast.school)
        child = make_child(session, school)
        arrangement = transport.record_arrangement(
            session,
            school,
            child.id,
            TransportInput(
                valid_from=at(2026, 1, 1), operator_name="Swift Cars", operator_licence_ref="op-77"
            ),
            NO_CONTEXT,
            now=NOW,
        )
        # Another council may license an operator under the same reference: the arrangement does not say
        # which council licensed Swift Cars, so the gate is not told that carers arranged this car.
        answer = check(session, school, PLATE, cast.mash.agency_id, child_id=child.id)
        assert answer.arranged is Arranged.OPERATOR_UNCONFIRMED
        assert "Carers arranged this pick-up" not in answer.arranged_label
        assert "not confirmed" in answer.arranged_label
        assert "check with carers" in answer.advice
        transport.end_arrangement(session, school, arrangement.id, NO_CONTEXT, now=NOW - timedelta(hours=1))
        assert (
            check(session, school, PLATE, cast.mash.agency_id, child_id=child.id).arranged
            is Arranged.NOT_RECORDED
        )


def test_only_schools_and_homes_check_and_only_children_their_agency_knows(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        health = who(session, cast.health)
        with pytest.raises(PermissionDenied):
            check(session, health, PLATE, cast.mash.agency_id)
        other = make_child(session, who(session, cast.home))
        with pytest.raises(PermissionDenied):
            check(session, who(session, cast.school), PLATE, cast.mash.agency_id, child_id=other.id)


def test_a_check_needs_a_mark_and_a_mash(sessions: sessionmaker[Session], cast: Cast) -> None:
    with transaction(sessions) as session, pytest.raises(ValidationFailed) as failed:
        check(session, who(session, cast.school), "!!", None)
    assert set(failed.value.fields) == {"registration", "mash_agency_id"}


def test_sightings_are_append_only(sessions: sessionmaker[Session], cast: Cast, engine: Engine) -> None:
    with transaction(sessions) as session:
        check(session, who(session, cast.school), PLATE, cast.mash.agency_id)
    refused(engine, "gate_sightings")


def test_a_gate_sighting_counts_in_the_purpose_rule_as_any_other_agencys_record(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    """Police who recorded about a child still give a purpose before seeing a school's gate sighting of the
    child (shared with police), as for any other agency's record."""
    with transaction(sessions) as session:
        police, school = who(session, cast.police), who(session, cast.school)
        child = make_child(session, school)
        record(session, police, child.id, "going_missing")
        assert visibility.connected(session, police, child)
        gate.sightings_of_child(session, police, child.id, purpose=None, context=NO_CONTEXT)  # own only
        check(session, school, PLATE, cast.mash.agency_id, child_id=child.id)
    with transaction(sessions) as session, pytest.raises(PurposeRequired):
        gate.sightings_of_child(
            session, who(session, cast.police), child.id, purpose=None, context=NO_CONTEXT
        )
    with transaction(sessions) as session:
        seen = gate.sightings_of_child(
            session, who(session, cast.police), child.id, purpose="Op Willow", context=NO_CONTEXT
        )
        assert [s.vehicle_registration for s in seen] == [PLATE]
