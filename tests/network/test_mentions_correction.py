"""Correcting a concern keeps what it mentions: the correction carries the corrected entry's mentions (or
mentions exactly what it is given), in the same transaction, audited; the network still shows the adult, the
phone and the vehicle, once; a superseded entry takes no more mentions; and a concern's mentions are read
only by those who may see the concern."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import Conflict, NotFoundError, PermissionDenied
from openmash.identity.principal import Principal
from openmash.network import links, mentions, service
from openmash.network.links import EntityRef, Kind
from openmash.network.mentions import MentionsInput
from openmash.safeguarding.concerns import ConcernInput
from openmash.safeguarding.models import Concern
from tests.support.safeguarding import NOW, Cast, at, make_cast, make_child, record, who

PURPOSE = "strategy discussion 2026/061"
ADULT = EntityRef(Kind.ADULT, "dean")
CAR = EntityRef(Kind.VEHICLE, "LR70XYZ")


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


def _as_input(concern: Concern, **changes: object) -> ConcernInput:
    data = ConcernInput(
        category_code=concern.category.code,
        occurred_at=concern.occurred_at,
        summary=concern.summary,
        vehicle_registration=concern.vehicle_registration,
        shared_with_police=concern.shared_with_police,
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def _concern_with_mentions(session: Session, principal: Principal, child_id: uuid.UUID) -> Concern:
    concern = record(
        session,
        principal,
        child_id,
        "picked_up_by_taxi_or_car",
        at(2026, 2, 10),
        vehicle_registration="LR70 XYZ",
        shared_with_police=True,
    )
    mentions.record_mentions(
        session,
        principal,
        concern.id,
        MentionsInput(adults=["Dean"], phones=["07700 900123"]),
        NO_CONTEXT,
        now=NOW,
    )
    return concern


def test_a_correction_carries_the_mentions_and_the_network_counts_them_once(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        other = make_child(session, school)
        original = _concern_with_mentions(session, school, child.id)
        mentions.record_mentions(
            session,
            school,
            record(session, school, other.id, shared_with_police=True).id,
            MentionsInput(adults=["DEAN"]),
            NO_CONTEXT,
            now=NOW,
        )
        correction = mentions.correct_with_mentions(
            session,
            school,
            original.id,
            _as_input(original, summary="The time was wrong."),
            "Time corrected",
            NO_CONTEXT,
            now=NOW,
        )
        carried = mentions.mentions_of(session, correction.id)
        assert sorted((m.kind, m.value) for m in carried) == [("adult", "Dean"), ("phone", "07700 900123")]
        # The original keeps its own mentions (evidence), but they no longer link.
        assert len(mentions.mentions_of(session, original.id)) == 2
        to_dean = links.links_to(session, ADULT)
        assert sorted(str(link.child_id) for link in to_dean) == sorted([str(child.id), str(other.id)])
        assert {link.source_id for link in to_dean if link.child_id == child.id} == {
            m.id for m in carried if m.kind == "adult"
        }
        for reader in (cast.mash, cast.police):
            network = service.child_network(
                session, who(session, reader), child.id, purpose=PURPOSE, context=NO_CONTEXT
            )
            by_entity = {view.entity: view for view in network}
            assert {ADULT, CAR, EntityRef(Kind.PHONE, "+447700900123")} <= set(by_entity)
            assert len([link for link in by_entity[ADULT].links if link.child_id == child.id]) == 1
            assert len(by_entity[CAR].links) == 1
        audited = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "network.mentions.correct")
        ).one()
        details = json.loads(audited.details)
        assert details["carried"] is True
        assert details["corrects"] == str(original.id)
        assert details["kinds"] == {"adult": 1, "phone": 1}
        assert "Dean" not in audited.details


def test_a_correction_given_mentions_mentions_exactly_those(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        original = _concern_with_mentions(session, school, child.id)
        correction = mentions.correct_with_mentions(
            session,
            school,
            original.id,
            _as_input(original),
            "The adult was misheard: it was Dan",
            NO_CONTEXT,
            mentions=MentionsInput(adults=["Dan"]),
            now=NOW,
        )
        assert [(m.kind, m.value) for m in mentions.mentions_of(session, correction.id)] == [("adult", "Dan")]
        assert links.links_to(session, ADULT) == []
        assert links.links_to(session, EntityRef(Kind.PHONE, "+447700900123")) == []


def test_mentions_are_added_to_the_latest_version_by_the_recording_agency_only(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        original = _concern_with_mentions(session, school, child.id)
        mentions.correct_with_mentions(
            session, school, original.id, _as_input(original), "Reworded", NO_CONTEXT, now=NOW
        )
        with pytest.raises(Conflict):
            mentions.record_mentions(
                session, school, original.id, MentionsInput(adults=["Lee"]), NO_CONTEXT, now=NOW
            )
        with pytest.raises(PermissionDenied):
            mentions.record_mentions(
                session, who(session, cast.mash), original.id, MentionsInput(adults=["Lee"]), NO_CONTEXT
            )


def test_a_concerns_mentions_are_read_only_by_those_who_may_see_the_concern(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        original = _concern_with_mentions(session, school, child.id)
        police = who(session, cast.police)
        seen = mentions.concern_mentions(session, police, original.id, purpose=PURPOSE, context=NO_CONTEXT)
        assert [m.value for m in seen.mentions] == ["Dean", "07700 900123"]
        assert not seen.may_add
        with pytest.raises(NotFoundError):
            mentions.concern_mentions(
                session, who(session, cast.home), original.id, purpose=PURPOSE, context=NO_CONTEXT
            )
        # Sharing withdrawn: police see neither the correction's mentions nor the original's.
        withdrawn = mentions.correct_with_mentions(
            session,
            school,
            original.id,
            _as_input(original, shared_with_police=False),
            "Not for police",
            NO_CONTEXT,
            now=NOW,
        )
        for concern_id in (original.id, withdrawn.id):
            with pytest.raises(NotFoundError):
                mentions.concern_mentions(session, police, concern_id, purpose=PURPOSE, context=NO_CONTEXT)
        assert (
            mentions.mentions_shown(session, police, service.Scope.POLICE, [original.id, withdrawn.id]) == {}
        )
        mine = mentions.concern_mentions(session, school, withdrawn.id, purpose=None, context=NO_CONTEXT)
        assert mine.may_add
        assert mine.current
        read = session.scalars(select(AuditRecord).where(AuditRecord.action == "network.mentions.read")).all()
        assert {r.purpose for r in read} >= {PURPOSE}
