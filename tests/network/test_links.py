"""Link analysis: children linked through a vehicle, the driver behind it, adults, phones and addresses; each
link names the record that made it; only the MASH and police read the network, with a purpose, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import PermissionDenied, PurposeRequired, ValidationFailed
from openmash.network import mentions, service
from openmash.network.links import EntityRef, Kind
from openmash.network.mentions import MentionsInput
from openmash.safeguarding import concerns
from openmash.safeguarding.concerns import ConcernInput
from tests.support.care import refused
from tests.support.gate import DRIVER_SURNAME, three_children_one_car
from tests.support.safeguarding import NOW, Cast, at, make_cast, make_child, record, who

PURPOSE = "strategy discussion 2026/044"
CAR = EntityRef(Kind.VEHICLE, "LR70XYZ")


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


def test_three_children_linked_to_one_car_each_by_the_record_that_links_them(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        children, driver = three_children_one_car(session, cast)
        mash = who(session, cast.mash)
        view = service.children_linked_to(session, mash, CAR, purpose=PURPOSE, context=NO_CONTEXT)
        assert {c.child_id for c in view.children} == set(children)
        assert sorted(link.source_kind for link in view.links) == [
            "concern",
            "gate_sighting",
            "missing_return",
        ]
        assert {link.grade for link in view.links} == {"tentative", "confirmed"}
        behind = service.children_linked_to(
            session, mash, EntityRef(Kind.DRIVER, str(driver)), purpose=PURPOSE, context=NO_CONTEXT
        )
        assert {c.child_id for c in behind.children} == set(children)
        assert DRIVER_SURNAME in behind.label
        shared = service.shared_entities(session, mash, purpose=PURPOSE, context=NO_CONTEXT)
        assert {v.entity for v in shared} == {CAR, EntityRef(Kind.DRIVER, str(driver))}
        audited = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "network.shared.read")
        ).one()
        assert audited.purpose == PURPOSE


def test_the_mash_and_police_see_the_driver_behind_a_vehicle(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        _, driver = three_children_one_car(session, cast)
        for reader in (cast.mash, cast.police):
            found = service.drivers_behind(
                session, who(session, reader), "lr70 xyz", purpose=PURPOSE, context=NO_CONTEXT
            )
            assert [d.person_id for d in found] == [driver]
            assert DRIVER_SURNAME in found[0].name
            assert found[0].licences[0].current
            assert found[0].safeguarding == ["Safeguarding concern (intelligence)"]


def test_a_school_user_cannot_read_the_network(sessions: sessionmaker[Session], cast: Cast) -> None:
    with transaction(sessions) as session:
        children, _ = three_children_one_car(session, cast)
        for login in (cast.school, cast.home, cast.health, cast.licensing):
            principal = who(session, login)
            with pytest.raises(PermissionDenied):
                service.children_linked_to(session, principal, CAR, purpose=PURPOSE, context=NO_CONTEXT)
            with pytest.raises(PermissionDenied):
                service.shared_entities(session, principal, purpose=PURPOSE, context=NO_CONTEXT)
            with pytest.raises(PermissionDenied):
                service.child_network(session, principal, children[0], purpose=PURPOSE, context=NO_CONTEXT)
            with pytest.raises(PermissionDenied):
                service.drivers_behind(session, principal, CAR.key, purpose=PURPOSE, context=NO_CONTEXT)


def test_every_network_read_needs_a_purpose(sessions: sessionmaker[Session], cast: Cast) -> None:
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        with pytest.raises(PurposeRequired):
            service.shared_entities(session, mash, purpose="  ", context=NO_CONTEXT)
        with pytest.raises(PurposeRequired):
            service.drivers_behind(session, mash, CAR.key, purpose=None, context=NO_CONTEXT)


def test_police_see_links_from_their_own_records_and_those_shared_with_police(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        children, _ = three_children_one_car(session, cast)  # the school's concern is not shared with police
        view = service.children_linked_to(
            session, who(session, cast.police), CAR, purpose=PURPOSE, context=NO_CONTEXT
        )
        assert {c.child_id for c in view.children} == set(children[1:])
        assert "concern" not in {link.source_kind for link in view.links}


def test_mentions_in_any_form_link_children_through_a_phone_an_adult_and_an_address(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school, health = who(session, cast.school), who(session, cast.health)
        one, two = make_child(session, school), make_child(session, health)
        first = record(session, school, one.id, "unknown_or_older_adults")
        second = record(session, health, two.id, "multiple_unknown_callers")
        mentions.record_mentions(
            session,
            school,
            first.id,
            MentionsInput(
                adults=["Mr Dean Fairweather"], phones=["07700 900123"], addresses=["4 Mill Rd, HP19 8FF"]
            ),
            NO_CONTEXT,
            now=NOW,
        )
        mentions.record_mentions(
            session,
            health,
            second.id,
            MentionsInput(
                adults=["dean fairweather"], phones=["+44 (0)7700 900123"], addresses=["4 mill road hp198ff"]
            ),
            NO_CONTEXT,
            now=NOW,
        )
        network = service.child_network(
            session, who(session, cast.mash), one.id, purpose=PURPOSE, context=NO_CONTEXT
        )
        shared = {v.entity.kind: v for v in network if len(v.children) == 2}
        assert set(shared) == {"adult", "phone", "address", "postcode"}
        assert shared["phone"].entity.key == "+447700900123"
        assert {link.source_kind for link in shared["adult"].links} == {"concern_mention"}


def test_only_the_recording_agency_adds_mentions_and_bad_values_are_refused(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        concern = record(session, school, make_child(session, school).id)
        with pytest.raises(PermissionDenied):
            mentions.record_mentions(
                session,
                who(session, cast.health),
                concern.id,
                MentionsInput(phones=["07700900123"]),
                NO_CONTEXT,
            )
        with pytest.raises(ValidationFailed) as failed:
            mentions.record_mentions(
                session, school, concern.id, MentionsInput(phones=["ring me"]), NO_CONTEXT
            )
        assert set(failed.value.fields) == {"phones-0"}
        made = mentions.record_mentions(
            session, school, concern.id, MentionsInput(phones=["07700900123", "07700 900 123"]), NO_CONTEXT
        )
        assert len(made) == 1


def test_a_corrected_concern_links_by_its_correction_only(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        wrong = record(session, school, child.id, "picked_up_by_taxi_or_car", vehicle_registration="LR70XYZ")
        concerns.correct_concern(
            session,
            school,
            wrong.id,
            ConcernInput(
                "picked_up_by_taxi_or_car",
                at(2026, 3, 1),
                "Synthetic: the mark was misread",
                vehicle_registration="LR70XYY",
            ),
            "Misread the mark",
            NO_CONTEXT,
            now=NOW,
        )
        mash = who(session, cast.mash)
        assert (
            service.children_linked_to(session, mash, CAR, purpose=PURPOSE, context=NO_CONTEXT).children == []
        )
        fixed = EntityRef(Kind.VEHICLE, "LR70XYY")
        assert [
            c.child_id
            for c in service.children_linked_to(
                session, mash, fixed, purpose=PURPOSE, context=NO_CONTEXT
            ).children
        ] == [child.id]


def test_mentions_are_append_only(sessions: sessionmaker[Session], cast: Cast, engine: Engine) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        concern = record(session, school, make_child(session, school).id)
        mentions.record_mentions(session, school, concern.id, MentionsInput(adults=["Dean"]), NO_CONTEXT)
    refused(engine, "concern_mentions")
