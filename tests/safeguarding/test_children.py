"""Search-or-create: what every agency records about one child meets on one record, because the engine
proposes the children already known before a new one is made, and a new one needs an explicit "none of these".
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import Conflict, PermissionDenied, ValidationFailed
from openmash.safeguarding import children
from openmash.safeguarding.children import LikelyMatches
from openmash.safeguarding.models import Child, ChildIdentifier
from tests.conftest import count_rows
from tests.support.register import make_person
from tests.support.safeguarding import TODAY, Cast, make_cast, make_child, who

NHS = "943 476 5919"


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


def _details(surname: str, forenames: str, born: date | None, **identifiers: str) -> children.ChildDetails:
    return children.read_child_details(
        surname=surname, forenames=forenames, date_of_birth=born, today=TODAY, identifiers=identifiers
    )


def _actions(session: Session, action: str) -> list[AuditRecord]:
    return list(session.scalars(select(AuditRecord).where(AuditRecord.action == action)))


def test_a_child_known_to_the_school_is_proposed_to_the_police_under_a_misspelt_name_and_swapped_date(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        known = make_child(
            session,
            who(session, cast.school),
            surname="Whitfield",
            forenames="Kayleigh",
            date_of_birth=date(2011, 4, 9),
        )
    with transaction(sessions) as session:
        found = children.find_children(
            session, who(session, cast.police), _details("Whitfeld", "Kayley", date(2011, 9, 4)), NO_CONTEXT
        )
        assert [c.child_id for c in found] == [known.id]
        assert found[0].band in {"probable", "possible"}
        assert any(part.field == "date_of_birth" for part in found[0].explanation)
        (searched,) = _actions(session, "safeguarding.child.search")
        assert searched.purpose == children.SEARCH_PURPOSE
        assert json.loads(searched.details)["candidates"] == [str(known.id)]


def test_the_same_nhs_number_makes_a_match_certain_whatever_the_name(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        known = make_child(
            session,
            who(session, cast.health),
            surname="Okafor",
            forenames="Chidera",
            identifiers={"nhs_number": NHS},
        )
    with transaction(sessions) as session:
        found = children.find_children(
            session,
            who(session, cast.school),
            _details("Okafor", "Chi", date(2011, 5, 14), nhs_number=NHS),
            NO_CONTEXT,
        )
        assert [(c.child_id, c.band) for c in found] == [(known.id, "certain")]


def test_creating_a_child_while_one_is_proposed_needs_none_of_these(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        known = make_child(session, who(session, cast.school), surname="Whitfield", forenames="Kayleigh")
    details = _details("Whitfield", "Kayleigh", date(2011, 5, 14))
    with transaction(sessions) as session, pytest.raises(LikelyMatches) as raised:
        children.create_child(
            session, who(session, cast.home), details, none_of_these=False, context=NO_CONTEXT
        )
    assert [c.child_id for c in raised.value.candidates] == [known.id]
    assert count_rows(sessions, Child) == 1
    with transaction(sessions) as session:
        twin = children.create_child(
            session, who(session, cast.home), details, none_of_these=True, context=NO_CONTEXT
        )
        (created,) = [
            a for a in _actions(session, "safeguarding.child.create") if a.object_id == str(twin.id)
        ]
        assert json.loads(created.details)["none_of_these"] == [str(known.id)]
        assert created.agency_id == cast.home.agency_id


def test_a_child_nobody_knows_is_created_without_confirmation_and_can_be_found_at_once(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        child = children.create_child(
            session,
            who(session, cast.school),
            _details("Abernethy", "Rowan", date(2012, 1, 30)),
            none_of_these=False,
            context=NO_CONTEXT,
        )
    with transaction(sessions) as session:
        found = children.find_children(
            session, who(session, cast.mash), _details("Abernethy", "Rowan", None), NO_CONTEXT
        )
        assert [c.child_id for c in found] == [child.id]


def test_an_nhs_number_already_held_for_another_child_is_refused_even_with_none_of_these(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        make_child(session, who(session, cast.health), identifiers={"nhs_number": NHS})
    with transaction(sessions) as session, pytest.raises(Conflict, match="NHS number is already held"):
        children.create_child(
            session,
            who(session, cast.school),
            _details("Different", "Person", date(2010, 1, 1), nhs_number=NHS),
            none_of_these=True,
            context=NO_CONTEXT,
        )


def test_a_bad_nhs_number_is_refused_before_anything_is_searched(cast: Cast) -> None:
    with pytest.raises(ValidationFailed) as failed:
        _details("Whitfield", "Kayleigh", date(2011, 4, 9), nhs_number="943 476 5918")
    assert "check digit" in failed.value.fields["nhs_number"]


def test_a_name_and_a_date_of_birth_in_the_future_are_refused(cast: Cast) -> None:
    with pytest.raises(ValidationFailed) as failed:
        _details(" ", "", date(2030, 1, 1))
    assert set(failed.value.fields) == {"surname", "forenames", "date_of_birth"}


def test_children_and_drivers_never_meet_in_the_engine(sessions: sessionmaker[Session], cast: Cast) -> None:
    with transaction(sessions) as session:
        make_person(session, surname="Whitfield", forenames="Kayleigh", date_of_birth=date(2011, 5, 14))
    with transaction(sessions) as session:
        found = children.find_children(
            session,
            who(session, cast.school),
            _details("Whitfield", "Kayleigh", date(2011, 5, 14)),
            NO_CONTEXT,
        )
        assert found == []


def test_a_licensing_officer_neither_searches_for_nor_records_children(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    details = _details("Whitfield", "Kayleigh", date(2011, 5, 14))
    with transaction(sessions) as session:
        officer = who(session, cast.licensing)
        with pytest.raises(PermissionDenied):
            children.find_children(session, officer, details, NO_CONTEXT)
        with pytest.raises(PermissionDenied):
            children.create_child(session, officer, details, none_of_these=True, context=NO_CONTEXT)


def test_each_agency_keeps_its_own_identifiers_and_a_national_one_belongs_to_one_child(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        first = make_child(session, who(session, cast.school))
        second = make_child(session, who(session, cast.school))
        police = who(session, cast.police)
        assert children.add_identifier(session, police, first.id, "police_id", "ab/123", NO_CONTEXT)
        # The same reference from the same force for the same child is already held: nothing new.
        assert children.add_identifier(session, police, first.id, "police_id", "AB/123", NO_CONTEXT) is None
        with pytest.raises(Conflict, match="another child"):
            children.add_identifier(session, police, second.id, "police_id", "AB/123", NO_CONTEXT)
        children.add_identifier(session, who(session, cast.health), first.id, "nhs_number", NHS, NO_CONTEXT)
        with pytest.raises(Conflict, match="NHS number"):
            children.add_identifier(
                session, who(session, cast.mash), second.id, "nhs_number", NHS, NO_CONTEXT
            )
        with pytest.raises(ValidationFailed):
            children.add_identifier(session, police, first.id, "nhs_number", "1234567890", NO_CONTEXT)
    with transaction(sessions) as session:
        held = session.scalars(select(ChildIdentifier).where(ChildIdentifier.child_id == first.id)).all()
        assert sorted((h.kind, h.value, h.agency_id == cast.police.agency_id) for h in held) == [
            ("nhs_number", "9434765919", False),
            ("police_id", "AB/123", True),
        ]
        assert len(_actions(session, "safeguarding.child.identifier.add")) == 2


def test_an_identifier_added_later_lets_other_agencies_find_the_child_by_it(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        child = make_child(session, who(session, cast.school), surname="Okafor", forenames="Chidera")
        children.add_identifier(session, who(session, cast.health), child.id, "nhs_number", NHS, NO_CONTEXT)
    with transaction(sessions) as session:
        found = children.find_children(
            session, who(session, cast.police), _details("Okafor", "Chidi", None, nhs_number=NHS), NO_CONTEXT
        )
        assert [(c.child_id, c.band) for c in found] == [(child.id, "certain")]
