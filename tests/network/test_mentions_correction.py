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
from openmash.errors import Conflict, NotFoundError, PermissionDenied, ValidationFailed
from openmash.identity.permissions import Role
from openmash.identity.principal import Principal
from openmash.network import links, mentions, service
from openmash.network.links import EntityRef, Kind
from openmash.network.mentions import MentionsInput
from openmash.safeguarding.concerns import ConcernInput
from openmash.safeguarding.models import Concern
from tests.support.factories import make_user
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


def test_a_correction_that_widens_who_sees_the_concern_must_say_what_it_mentions(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    """Sharing with police, or moving out of a restricted category, shows the concern to people who could
    not see the entry it corrects: carrying the original's mentions to them silently is refused, before
    anything is written; giving them (even none) is the corrector's choice."""
    with transaction(sessions) as session:
        school, police = who(session, cast.school), who(session, cast.police)
        child = make_child(session, school)
        private = record(session, school, child.id, occurred_at=at(2026, 2, 3), shared_with_police=False)
        mentions.record_mentions(
            session, school, private.id, MentionsInput(adults=["Dean"]), NO_CONTEXT, now=NOW
        )
        intel = record(session, police, child.id, "police_intelligence", at(2026, 2, 4))
        mentions.record_mentions(
            session, police, intel.id, MentionsInput(adults=["Dean"]), NO_CONTEXT, now=NOW
        )
        private_id, intel_id = private.id, intel.id
    widenings = [
        (cast.school, private_id, {"shared_with_police": True}),
        (cast.police, intel_id, {"category_code": "going_missing"}),
    ]
    for login, concern_id, changes in widenings:
        with transaction(sessions) as session:
            principal, concern = who(session, login), session.get(Concern, concern_id)
            assert concern is not None
            with pytest.raises(ValidationFailed) as refused:
                mentions.correct_with_mentions(
                    session,
                    principal,
                    concern_id,
                    _as_input(concern, **changes),
                    "Widen",
                    NO_CONTEXT,
                    now=NOW,
                )
            assert set(refused.value.fields) == {"mentions"}
            assert session.scalar(select(Concern.id).where(Concern.corrects_id == concern_id)) is None
            chosen = mentions.correct_with_mentions(
                session,
                principal,
                concern_id,
                _as_input(concern, **changes),
                "Widen",
                NO_CONTEXT,
                mentions=MentionsInput(),
                now=NOW,
            )
            assert mentions.mentions_of(session, chosen.id) == []
    with transaction(sessions) as session:
        # Narrowing, or changing nothing of who sees it, still carries them without being asked.
        school = who(session, cast.school)
        shared = record(session, school, child.id, occurred_at=at(2026, 2, 5), shared_with_police=True)
        mentions.record_mentions(
            session, school, shared.id, MentionsInput(adults=["Dean"]), NO_CONTEXT, now=NOW
        )
        narrowed = mentions.correct_with_mentions(
            session,
            school,
            shared.id,
            _as_input(shared, shared_with_police=False),
            "Withdraw",
            NO_CONTEXT,
            now=NOW,
        )
        assert [m.value for m in mentions.mentions_of(session, narrowed.id)] == ["Dean"]


def test_a_mention_carried_by_a_correction_keeps_who_recorded_it_and_when(
    sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    colleague = make_user(sessions, settings, [Role.SCHOOL_DSL], agency_id=cast.school.agency_id)
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        original = record(session, school, child.id, occurred_at=at(2026, 2, 3))
        mentions.record_mentions(
            session, school, original.id, MentionsInput(adults=["Dean"]), NO_CONTEXT, now=at(2026, 2, 3)
        )
        (first,) = mentions.mentions_of(session, original.id)
        other = who(session, colleague)
        typo = mentions.correct_with_mentions(
            session,
            other,
            original.id,
            _as_input(original, summary="Typo fixed"),
            "Typo",
            NO_CONTEXT,
            now=NOW,
        )
        (carried,) = mentions.mentions_of(session, typo.id)
        provenance = (first.recorded_by, first.recorded_by_user_id, first.recorded_at, first.agency_id)
        assert (carried.recorded_by, carried.recorded_by_user_id, carried.recorded_at, carried.agency_id) == (
            provenance
        )
        # Given again as it was, it keeps its provenance too; a new one is the corrector's.
        given = mentions.correct_with_mentions(
            session,
            other,
            typo.id,
            _as_input(typo),
            "He also named a phone",
            NO_CONTEXT,
            mentions=MentionsInput(adults=["Dean"], phones=["07700 900123"]),
            now=NOW,
        )
        by_kind = {m.kind: m for m in mentions.mentions_of(session, given.id)}
        assert (by_kind["adult"].recorded_by, by_kind["adult"].recorded_at) == (
            first.recorded_by,
            first.recorded_at,
        )
        assert (by_kind["phone"].recorded_by, by_kind["phone"].recorded_at) == (other.label, NOW)
        assert other.label != first.recorded_by
