"""Support after court: a child's support plan outlives any criminal case, each change is a row with who,
when and why, and no item closes in the 12 weeks (configurable) after a verdict without a MASH manager's
review; need-to-know as for every record about a child; all court-safe."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import NotFoundError, PermissionDenied, PurposeRequired, ValidationFailed
from openmash.identity.permissions import Role
from openmash.safeguarding import court_dates, support, support_plan
from openmash.safeguarding.court_dates import CourtDateInput
from openmash.safeguarding.models import Child
from openmash.safeguarding.models_support import SupportItem, SupportItemEvent
from openmash.safeguarding.support import (
    ItemInput,
    ReviewRequired,
    SupportConfig,
)
from tests.support.care import audits, details, refused
from tests.support.factories import UserLogin, make_user
from tests.support.safeguarding import Cast, make_cast, make_child, who

VERDICT = date(2026, 1, 5)


def on(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def after_verdict(days: int) -> datetime:
    return on(VERDICT + timedelta(days=days))


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


@pytest.fixture
def manager(sessions: sessionmaker[Session], settings: Settings, cast: Cast) -> UserLogin:
    return make_user(sessions, settings, [Role.MASH_MANAGER], agency_id=cast.mash.agency_id)


def plan_after_verdict(
    sessions: sessionmaker[Session], cast: Cast, *, verdict: bool = True
) -> tuple[Child, SupportItem]:
    """A child the MASH knows, an ISVA owned by the MASH practitioner from before the trial, and a verdict."""
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        child = make_child(session, mash)
        item = support.add_item(
            session,
            mash,
            child.id,
            ItemInput("isva", "Weekly sessions with the ISVA", mash.id, date(2025, 10, 1)),
            NO_CONTEXT,
            now=on(date(2025, 10, 1)),
        )
        if verdict:
            court_dates.record_court_date(
                session,
                mash,
                child.id,
                CourtDateInput("verdict", VERDICT, "Crown Court", "Guilty on all counts"),
                NO_CONTEXT,
                now=on(VERDICT, 17),
            )
        return child, item


def close(
    sessions: sessionmaker[Session], login: UserLogin, item: SupportItem, now: datetime, **kw: object
) -> None:
    with transaction(sessions) as session:
        support.change_status(
            session,
            who(session, login),
            item.id,
            "closed",
            "She says she is fine now",
            NO_CONTEXT,
            now=now,
            **kw,  # type: ignore[arg-type]
        )


def status(sessions: sessionmaker[Session], item: SupportItem) -> str:
    with transaction(sessions) as session:
        return str(support.status_of(support.events_of(session, item.id)))


def test_a_support_worker_cannot_close_an_item_eight_weeks_after_a_verdict_without_a_managers_review(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    _, item = plan_after_verdict(sessions, cast)
    with pytest.raises(ReviewRequired, match=r"support after court.*MASH manager's review"):
        close(sessions, cast.mash, item, after_verdict(56))
    assert status(sessions, item) == "open"


def test_closing_is_refused_on_the_last_day_of_the_twelve_weeks_and_allowed_the_day_after(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    _, item = plan_after_verdict(sessions, cast)
    with pytest.raises(ReviewRequired):
        close(sessions, cast.mash, item, after_verdict(83))
    close(sessions, cast.mash, item, after_verdict(84))
    assert status(sessions, item) == "closed"


def test_the_review_window_is_configurable(sessions: sessionmaker[Session], cast: Cast) -> None:
    _, item = plan_after_verdict(sessions, cast)
    with pytest.raises(ReviewRequired, match="in the 26 weeks"):
        close(sessions, cast.mash, item, after_verdict(100), config=SupportConfig(review_weeks=26))
    close(sessions, cast.mash, item, after_verdict(29), config=SupportConfig(review_weeks=4))
    assert status(sessions, item) == "closed"


def test_support_closes_with_reasons_when_there_is_no_verdict_and_pausing_is_allowed_inside_the_window(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    _, before = plan_after_verdict(sessions, cast, verdict=False)
    close(sessions, cast.mash, before, after_verdict(10))
    _, item = plan_after_verdict(sessions, cast)
    with transaction(sessions) as session:
        support.change_status(
            session,
            who(session, cast.mash),
            item.id,
            "paused",
            "In hospital",
            NO_CONTEXT,
            now=after_verdict(20),
        )
        with pytest.raises(ValidationFailed) as missing:
            support.change_status(session, who(session, cast.mash), item.id, "open", " ", NO_CONTEXT)
        assert "reasons" in missing.value.fields
    assert status(sessions, item) == "paused"


def test_every_change_is_a_new_row_with_who_when_and_why(sessions: sessionmaker[Session], cast: Cast) -> None:
    _, item = plan_after_verdict(sessions, cast)
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        support.change_status(session, mash, item.id, "paused", "Holiday", NO_CONTEXT, now=after_verdict(1))
        support.change_status(session, mash, item.id, "open", "Back", NO_CONTEXT, now=after_verdict(15))
        events = support.events_of(session, item.id)
        assert [(e.seq, e.status, e.reasons) for e in events] == [
            (1, "open", "Support started"),
            (2, "paused", "Holiday"),
            (3, "open", "Back"),
        ]
        assert {e.by for e in events} == {mash.label}
        assert events[1].acted_at == after_verdict(1)


def test_a_manager_reviews_a_pending_request_and_closes_the_item_with_reasons(
    sessions: sessionmaker[Session], cast: Cast, manager: UserLogin
) -> None:
    _, item = plan_after_verdict(sessions, cast)
    with transaction(sessions) as session:
        support.request_closure(
            session, who(session, cast.mash), item.id, "She wants to stop", NO_CONTEXT, now=after_verdict(70)
        )
        assert support.review_pending(support.events_of(session, item.id))
    with transaction(sessions) as session:
        support.review_closure(
            session,
            who(session, manager),
            item.id,
            True,
            "Spoke to her and her mother; therapy arranged instead",
            NO_CONTEXT,
            now=after_verdict(71),
        )
        events = support.events_of(session, item.id)
        assert not support.review_pending(events)
        assert [e.kind for e in events][-3:] == ["closure_requested", "review", "status"]
        assert events[-2].by_user_id == manager.id
        assert events[-2].verdict_id is not None
    assert status(sessions, item) == "closed"


def test_only_a_mash_manager_reviews_closing_and_the_refusal_names_the_rule(
    sessions: sessionmaker[Session], cast: Cast, manager: UserLogin
) -> None:
    _, item = plan_after_verdict(sessions, cast)
    with transaction(sessions) as session:
        with pytest.raises(PermissionDenied, match=r"support after court.*MASH manager"):
            support.review_closure(session, who(session, cast.mash), item.id, True, "Done", NO_CONTEXT)
        with pytest.raises(ValidationFailed):
            support.review_closure(session, who(session, manager), item.id, True, " ", NO_CONTEXT)
    with transaction(sessions) as session:
        support.review_closure(
            session,
            who(session, manager),
            item.id,
            False,
            "Keep going until the appeal",
            NO_CONTEXT,
            now=after_verdict(30),
        )
    assert status(sessions, item) == "open"


def test_an_api_token_and_an_unconnected_school_cannot_change_an_item(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    _, item = plan_after_verdict(sessions, cast)
    with transaction(sessions) as session:
        school = who(session, cast.school)
        with pytest.raises(NotFoundError):
            support.change_status(session, school, item.id, "paused", "x", NO_CONTEXT)
        mash = who(session, cast.mash)
        token = replace(mash, kind="token", roles=frozenset())
        with pytest.raises(PermissionDenied, match="named person"):
            support.change_status(session, token, item.id, "paused", "x", NO_CONTEXT)


def test_a_school_user_cannot_see_the_plan_of_a_child_it_does_not_record_about(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    child, _ = plan_after_verdict(sessions, cast)
    with transaction(sessions) as session:
        school = who(session, cast.school)
        with pytest.raises(PurposeRequired):
            support_plan.support_plan(session, school, child.id, None, NO_CONTEXT)
        seen = support_plan.support_plan(session, school, child.id, "Checking before a meeting", NO_CONTEXT)
        assert seen.items == []
        assert seen.court_dates == []
        with pytest.raises(PermissionDenied, match="support plan"):
            support.add_item(
                session, school, child.id, ItemInput("therapy", "x", school.id, date(2026, 1, 1)), NO_CONTEXT
            )


def test_the_mash_sees_the_whole_plan_and_every_read_is_audited(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    child, item = plan_after_verdict(sessions, cast)
    with transaction(sessions) as session:
        plan = support_plan.support_plan(
            session, who(session, cast.mash), child.id, None, NO_CONTEXT, now=after_verdict(56)
        )
        assert [i.id for i in plan.items] == [item.id]
        assert plan.items[0].owner
        assert plan.items[0].status == "open"
        assert plan.verdict_on == VERDICT
        assert plan.review_until == VERDICT + timedelta(weeks=12)
        assert [d.outcome for d in plan.court_dates] == ["Guilty on all counts"]
    with transaction(sessions) as session:
        (read,) = audits(session, "safeguarding.support.read")
        assert details(read)["items"] == [str(item.id)]


def test_court_dates_items_and_their_history_are_append_only(
    engine: Engine, sessions: sessionmaker[Session], cast: Cast
) -> None:
    plan_after_verdict(sessions, cast)
    for table in ("court_dates", "support_items", "support_item_events"):
        refused(engine, table)
    with transaction(sessions) as session:
        assert session.scalars(select(SupportItemEvent)).first() is not None


def test_a_verdict_cannot_be_recorded_for_a_day_still_to_come(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    child, _ = plan_after_verdict(sessions, cast, verdict=False)
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        with pytest.raises(ValidationFailed) as error:
            court_dates.record_court_date(
                session,
                mash,
                child.id,
                CourtDateInput("verdict", VERDICT),
                NO_CONTEXT,
                now=on(VERDICT - timedelta(days=2)),
            )
        assert "held_on" in error.value.fields
        court_dates.record_court_date(
            session,
            mash,
            child.id,
            CourtDateInput("trial", VERDICT),
            NO_CONTEXT,
            now=on(VERDICT - timedelta(days=2)),
        )


def test_an_items_owner_in_another_agency_sees_and_acts_on_it_but_not_the_rest_of_the_plan(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    child, isva = plan_after_verdict(sessions, cast)
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        therapy = support.add_item(
            session,
            mash,
            child.id,
            ItemInput("therapy", "CAMHS", cast.health.id, VERDICT),  # type: ignore[arg-type]
            NO_CONTEXT,
        )
    with transaction(sessions) as session:
        health = who(session, cast.health)
        seen = support_plan.support_plan(session, health, child.id, "My therapy sessions", NO_CONTEXT)
        assert [i.id for i in seen.items] == [therapy.id]
        support.change_status(
            session, health, therapy.id, "paused", "Off sick", NO_CONTEXT, now=after_verdict(5)
        )
        with pytest.raises(NotFoundError):
            support.change_status(session, health, isva.id, "paused", "x", NO_CONTEXT)
