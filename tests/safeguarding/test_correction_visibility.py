"""A correction can narrow who sees a concern: withdrawing the sharing with police, or moving the concern
into a restricted category, hides the original as well as the correction; widening the sharing shows the
correction only, never the uncorrected original. The chronology (SQL) and the one-by-one predicate (alerts,
triage) give the same answer."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.identity.principal import Principal
from openmash.safeguarding import concerns, status
from openmash.safeguarding.chronology import chronology
from openmash.safeguarding.concerns import ConcernInput
from openmash.safeguarding.models import Concern
from openmash.safeguarding.status import ChildStatus
from openmash.safeguarding.visibility import (
    Scope,
    Sight,
    concern_sight,
    get_child,
    scope_for,
    visible_concern_ids,
)
from tests.conftest import Database
from tests.support.factories import UserLogin
from tests.support.safeguarding import NOW, Cast, at, make_cast, make_child, record, who

PURPOSE = "Strategy discussion 2026/052"


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


def _as_input(concern: Concern, **changes: object) -> ConcernInput:
    data = ConcernInput(
        category_code=concern.category.code,
        occurred_at=concern.occurred_at,
        summary=concern.summary,
        childs_words=concern.childs_words,
        vehicle_registration=concern.vehicle_registration,
        vehicle_description=concern.vehicle_description,
        shared_with_police=concern.shared_with_police,
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def _correct(session: Session, principal: Principal, concern: Concern, **changes: object) -> Concern:
    return concerns.correct_concern(
        session, principal, concern.id, _as_input(concern, **changes), "Corrected", NO_CONTEXT, now=NOW
    )


def _seen(sessions: sessionmaker[Session], login: UserLogin, child_id: uuid.UUID) -> set[uuid.UUID]:
    """The concerns the viewer's chronology shows, checked against the one-by-one predicate."""
    with transaction(sessions) as session:
        viewer = who(session, login)
        found = chronology(session, viewer, child_id, purpose=PURPOSE, context=NO_CONTEXT)
        shown = {e.id for e in found.entries if e.kind == "concern"}
        child_concerns = list(session.scalars(select(Concern).where(Concern.child_id == child_id)))
        scope = found.scope
        one_by_one = {c.id for c in child_concerns if concern_sight(session, viewer, scope, c) is Sight.SHOWN}
        batch = visible_concern_ids(session, viewer, scope, [c.id for c in child_concerns])
        assert shown == one_by_one == batch
        return shown


def test_withdrawing_the_sharing_with_police_hides_the_original_from_police(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        original = record(session, school, child.id, occurred_at=at(2026, 2, 1), shared_with_police=True)
        child_id, original_id = child.id, original.id
    assert _seen(sessions, cast.police, child_id) == {original_id}
    with transaction(sessions) as session:
        school = who(session, cast.school)
        correction = _correct(session, school, session.get(Concern, original_id), shared_with_police=False)
        correction_id = correction.id
    assert _seen(sessions, cast.police, child_id) == set()
    # The recording agency and the MASH still see both (the original is evidence, kept as it was).
    assert _seen(sessions, cast.school, child_id) == {original_id, correction_id}
    assert _seen(sessions, cast.mash, child_id) == {original_id, correction_id}


def test_moving_a_concern_into_a_restricted_category_hides_the_original_from_a_school(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        child = make_child(session, mash)
        status.set_status(
            session,
            mash,
            child.id,
            ChildStatus(lead_professional_user_id=cast.school.id),  # type: ignore[arg-type]
            NO_CONTEXT,
        )
        original = record(session, mash, child.id, "drugs_or_alcohol", at(2026, 2, 2))
        child_id, original_id = child.id, original.id
    # The school is the lead professional: the whole record, but no restricted category.
    assert _seen(sessions, cast.school, child_id) == {original_id}
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        moved = _correct(
            session, mash, session.get(Concern, original_id), category_code="police_intelligence"
        )
        moved_id = moved.id
    assert _seen(sessions, cast.school, child_id) == set()
    assert _seen(sessions, cast.mash, child_id) == {original_id, moved_id}
    with transaction(sessions) as session:
        school = who(session, cast.school)
        original = session.get(Concern, original_id)
        assert original is not None
        scope = scope_for(school, get_child(session, child_id))
        # Hidden, not merely withheld: an alert does not even count it for the school.
        assert concern_sight(session, school, scope, original) is Sight.HIDDEN


def test_a_correction_that_widens_the_sharing_shows_police_the_correction_only(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        original = record(session, school, child.id, occurred_at=at(2026, 2, 3), shared_with_police=False)
        child_id, original_id = child.id, original.id
    assert _seen(sessions, cast.police, child_id) == set()
    with transaction(sessions) as session:
        school = who(session, cast.school)
        widened = _correct(session, school, session.get(Concern, original_id), shared_with_police=True)
        widened_id = widened.id
    assert _seen(sessions, cast.police, child_id) == {widened_id}


def test_the_most_restrictive_entry_later_in_the_chain_wins(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    # Shared, then withdrawn, then shared again: police see only the last entry, never the first (whose
    # text the withdrawal was about).
    with transaction(sessions) as session:
        home = who(session, cast.home)
        child = make_child(session, home)
        first = record(session, home, child.id, occurred_at=at(2026, 2, 4), shared_with_police=True)
        second = _correct(session, home, first, shared_with_police=False)
        third = _correct(session, home, second, shared_with_police=True, summary="Reworded for police.")
        child_id, third_id = child.id, third.id
    assert _seen(sessions, cast.police, child_id) == {third_id}


def test_a_police_view_needs_no_purpose_for_an_entry_the_withdrawal_hid(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    # The purpose rule counts only what would be shown: police who recorded about the child themselves need
    # no purpose once the school's only shared entry is withdrawn.
    with transaction(sessions) as session:
        school = who(session, cast.school)
        police = who(session, cast.police)
        child = make_child(session, school)
        record(session, police, child.id, "drugs_or_alcohol", at(2026, 2, 5))
        shared = record(session, school, child.id, occurred_at=at(2026, 2, 6), shared_with_police=True)
        _correct(session, school, shared, shared_with_police=False)
        child_id = child.id
    with transaction(sessions) as session:
        found = chronology(session, who(session, cast.police), child_id, purpose=None, context=NO_CONTEXT)
        assert [e.category_code for e in found.entries] == ["drugs_or_alcohol"]


def _bounded(session: Session, backend: str, seconds: float = 5.0) -> None:
    """Make a runaway query fail instead of hanging the suite (a recursive walk that never ends)."""
    if backend == "postgresql":
        session.execute(text(f"SET LOCAL statement_timeout = {int(seconds * 1000)}"))
        return
    raw = session.connection().connection.dbapi_connection
    deadline = time.monotonic() + seconds
    raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)  # type: ignore[union-attr]


def test_the_chain_walk_starts_from_the_childs_own_corrections_and_survives_a_corrupt_cycle(
    sessions: sessionmaker[Session], cast: Cast, database: Database
) -> None:
    """The batch check walks only the chains of the children its concerns are about, and a correction chain
    that loops (a corrupt row correcting itself: impossible through the services) ends the walk rather than
    running for ever, for that child's own concerns too."""
    with transaction(sessions) as session:
        school, mash = who(session, cast.school), who(session, cast.mash)
        child, other = make_child(session, school), make_child(session, school)
        status.set_status(
            session, mash, child.id, ChildStatus(lead_professional_user_id=school.id), NO_CONTEXT
        )
        seen = record(session, mash, child.id, "going_missing", at(2026, 3, 1))
        moved = record(session, mash, child.id, "drugs_or_alcohol", at(2026, 3, 2))
        hidden = _correct(session, mash, moved, category_code="police_intelligence")
        template = record(session, mash, other.id, "police_intelligence", at(2026, 3, 3))
        looped = uuid.uuid4()
        columns = {a.key: getattr(template, a.key) for a in sa_inspect(Concern).column_attrs}
        session.add(
            Concern(**{**columns, "id": looped, "corrects_id": looped, "correction_reason": "Corrupt"})
        )
        session.flush()
        plain = record(session, school, other.id, "going_missing", at(2026, 3, 4))
        ids = {seen.id, moved.id, hidden.id}
        child_id, seen_id, looped_id, plain_id = child.id, seen.id, looped, plain.id
    backend = database.backend
    with transaction(sessions) as session:
        _bounded(session, backend)
        school = who(session, cast.school)
        assert visible_concern_ids(session, school, Scope.WHOLE, ids) == {seen_id}
        assert visible_concern_ids(session, school, Scope.WHOLE, ids, child_ids=[child_id]) == {seen_id}
        assert visible_concern_ids(session, school, Scope.WHOLE, [looped_id, plain_id]) == {plain_id}


def _corrects(sessions: sessionmaker[Session], login: UserLogin, child_id: uuid.UUID) -> list[object]:
    """What each correction in the viewer's chronology says it corrects."""
    with transaction(sessions) as session:
        found = chronology(session, who(session, login), child_id, purpose=PURPOSE, context=NO_CONTEXT)
        return [(e.is_correction, e.corrects_id) for e in found.entries if e.kind == "concern"]


def test_a_correction_never_names_an_entry_the_viewer_may_not_see(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    # Widening: police see the correction as a correction, but not the id of the original never shared.
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        original = record(session, school, child.id, occurred_at=at(2026, 2, 3), shared_with_police=False)
        _correct(session, school, original, shared_with_police=True)
        child_id, original_id = child.id, original.id
    assert _corrects(sessions, cast.police, child_id) == [(True, None)]
    assert (True, original_id) in _corrects(sessions, cast.school, child_id)


def test_a_correction_never_names_a_restricted_entry_earlier_in_its_chain(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    # Open, then police intelligence, then open again: the school lead professional sees the last entry,
    # and it does not name the restricted one it corrects.
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        child = make_child(session, mash)
        status.set_status(
            session,
            mash,
            child.id,
            ChildStatus(lead_professional_user_id=cast.school.id),  # type: ignore[arg-type]
            NO_CONTEXT,
        )
        first = record(session, mash, child.id, "drugs_or_alcohol", at(2026, 2, 2))
        middle = _correct(session, mash, first, category_code="police_intelligence")
        last = _correct(session, mash, middle, category_code="drugs_or_alcohol")
        child_id, middle_id, last_id = child.id, middle.id, last.id
    assert _seen(sessions, cast.school, child_id) == {last_id}
    assert _corrects(sessions, cast.school, child_id) == [(True, None)]
    assert (True, middle_id) in _corrects(sessions, cast.mash, child_id)
