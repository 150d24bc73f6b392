"""Need-to-know: each agency sees of a child what it needs and no more, restricted categories only their
roles see, and every view outside one's own agency states a purpose that the audit keeps."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import PermissionDenied, PurposeRequired
from openmash.safeguarding import status
from openmash.safeguarding.chronology import chronology
from openmash.safeguarding.status import ChildStatus
from openmash.safeguarding.visibility import Scope
from tests.support.factories import UserLogin
from tests.support.safeguarding import Cast, at, make_cast, make_child, record, who

PURPOSE = "Strategy discussion 2026/041"


@dataclass
class Story:
    cast: Cast
    child_id: uuid.UUID
    by_code: dict[str, uuid.UUID]


@pytest.fixture
def story(sessions: sessionmaker[Session], settings: Settings) -> Story:
    """A child the school created; each agency records one thing, the police also an intelligence entry."""
    cast = make_cast(sessions, settings)
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        made = {
            "going_missing": record(session, school, child.id, "going_missing", at(2026, 1, 5)),
            "police_intelligence": record(
                session, who(session, cast.police), child.id, "police_intelligence", at(2026, 1, 6)
            ),
            "drugs_or_alcohol": record(
                session, who(session, cast.police), child.id, "drugs_or_alcohol", at(2026, 1, 7)
            ),
            "staying_out_late": record(
                session,
                who(session, cast.home),
                child.id,
                "staying_out_late",
                at(2026, 1, 8),
                shared_with_police=True,
            ),
            "self_harm": record(session, who(session, cast.health), child.id, "self_harm", at(2026, 1, 9)),
            "general_welfare": record(
                session, who(session, cast.mash), child.id, "general_welfare", at(2026, 1, 10)
            ),
        }
        return Story(cast, child.id, {code: c.id for code, c in made.items()})


def _seen(
    sessions: sessionmaker[Session], login: UserLogin, child_id: uuid.UUID, purpose: str | None = PURPOSE
) -> tuple[Scope, list[str]]:
    with transaction(sessions) as session:
        found = chronology(session, who(session, login), child_id, purpose=purpose, context=NO_CONTEXT)
        return found.scope, [e.category_code for e in found.entries]


def test_a_school_user_cannot_see_police_only_entries(sessions: sessionmaker[Session], story: Story) -> None:
    scope, seen = _seen(sessions, story.cast.school, story.child_id, purpose=None)
    assert scope is Scope.OWN_AGENCY
    assert "police_intelligence" not in seen
    assert seen == ["going_missing"]


def test_a_school_lead_professional_sees_every_agency_but_still_not_police_intelligence(
    sessions: sessionmaker[Session], story: Story
) -> None:
    with transaction(sessions) as session:
        status.set_status(
            session,
            who(session, story.cast.mash),
            story.child_id,
            ChildStatus(lead_professional_user_id=story.cast.school.id),  # type: ignore[arg-type]
            NO_CONTEXT,
        )
    scope, seen = _seen(sessions, story.cast.school, story.child_id)
    assert scope is Scope.WHOLE
    assert seen == ["going_missing", "drugs_or_alcohol", "staying_out_late", "self_harm", "general_welfare"]


def test_the_mash_sees_the_whole_chronology_in_the_order_things_happened(
    sessions: sessionmaker[Session], story: Story
) -> None:
    scope, seen = _seen(sessions, story.cast.mash, story.child_id)
    assert scope is Scope.WHOLE
    assert seen == list(story.by_code)


def test_police_see_their_own_entries_and_those_shared_with_police(
    sessions: sessionmaker[Session], story: Story
) -> None:
    scope, seen = _seen(sessions, story.cast.police, story.child_id)
    assert scope is Scope.POLICE
    assert seen == ["police_intelligence", "drugs_or_alcohol", "staying_out_late"]


@pytest.mark.parametrize(("member", "own"), [("home", "staying_out_late"), ("health", "self_harm")])
def test_a_home_and_health_see_only_their_own_entries_even_those_shared_with_police(
    sessions: sessionmaker[Session], story: Story, member: str, own: str
) -> None:
    # The home's entry was shared with police: sharing with police never widens what a school or home sees.
    _, seen = _seen(sessions, getattr(story.cast, member), story.child_id, purpose=None)
    assert seen == [own]


def test_a_licensing_officer_cannot_open_a_childs_record(
    sessions: sessionmaker[Session], story: Story
) -> None:
    with transaction(sessions) as session, pytest.raises(PermissionDenied):
        chronology(
            session, who(session, story.cast.licensing), story.child_id, purpose=PURPOSE, context=NO_CONTEXT
        )


@pytest.mark.parametrize("member", ["mash", "police"])
def test_a_view_that_shows_another_agencys_entries_needs_a_purpose(
    sessions: sessionmaker[Session], story: Story, member: str
) -> None:
    with transaction(sessions) as session, pytest.raises(PurposeRequired):
        chronology(
            session,
            who(session, getattr(story.cast, member)),
            story.child_id,
            purpose="  ",
            context=NO_CONTEXT,
        )


def test_opening_a_child_ones_agency_never_recorded_about_needs_a_purpose(
    sessions: sessionmaker[Session], settings: Settings, story: Story
) -> None:
    with transaction(sessions) as session:
        other_school = make_child(session, who(session, story.cast.home))  # a child the school never met
    with transaction(sessions) as session, pytest.raises(PurposeRequired):
        chronology(
            session, who(session, story.cast.school), other_school.id, purpose=None, context=NO_CONTEXT
        )
    scope, seen = _seen(sessions, story.cast.school, other_school.id, purpose="Pupil joining next week")
    assert (scope, seen) == (Scope.OWN_AGENCY, [])


def test_every_view_is_audited_with_its_purpose_and_scope(
    sessions: sessionmaker[Session], story: Story
) -> None:
    _seen(sessions, story.cast.mash, story.child_id)
    _seen(sessions, story.cast.school, story.child_id, purpose=None)
    with transaction(sessions) as session:
        views = session.scalars(
            select(AuditRecord)
            .where(AuditRecord.action == "safeguarding.chronology.view")
            .order_by(AuditRecord.seq)
        ).all()
        assert [(v.agency_id, v.purpose, v.object_id) for v in views] == [
            (story.cast.mash.agency_id, PURPOSE, str(story.child_id)),
            (story.cast.school.agency_id, None, str(story.child_id)),
        ]
        assert '"scope":"whole"' in views[0].details
        assert '"outside_own_agency":false' in views[1].details
