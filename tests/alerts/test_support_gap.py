"""The gap-in-support alert: a verdict in the last 12 weeks (the rule's setting) and no support item open
raises one alert naming the rule, the verdict and the items, on each write and on the schedule, never twice
on the same facts."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash import alerts
from openmash.alerts.models import AlertRecipient, AlertRule
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.identity.permissions import Role
from openmash.safeguarding import court_dates, support
from openmash.safeguarding.court_dates import CourtDateInput
from openmash.safeguarding.support import ItemInput
from tests.alerts.test_alerts import _records
from tests.safeguarding.test_support import VERDICT, after_verdict, on, plan_after_verdict
from tests.support.factories import UserLogin, make_user
from tests.support.safeguarding import Cast, make_cast, make_child, who


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


@pytest.fixture
def manager(sessions: sessionmaker[Session], settings: Settings, cast: Cast) -> UserLogin:
    return make_user(sessions, settings, [Role.MASH_MANAGER], agency_id=cast.mash.agency_id)


def test_the_gap_alert_fires_when_the_last_item_closes_inside_the_window(
    sessions: sessionmaker[Session], cast: Cast, manager: UserLogin
) -> None:
    child, item = plan_after_verdict(sessions, cast)
    with transaction(sessions) as session:
        assert alerts.evaluate_child(session, child.id, after_verdict(50)) == []
        support.review_closure(
            session,
            who(session, manager),
            item.id,
            True,
            "She asked to stop",
            NO_CONTEXT,
            now=after_verdict(56),
        )
        (alert,) = alerts.evaluate_child(session, child.id, after_verdict(56))
        assert alert.rule_code == "support_gap"
        assert alert.title == "A child has no support open in the weeks after a verdict"
        assert {kind for kind, _ in _records(session, alert)} == {"court_date", "support_item"}
        assert alert.details["verdict_on"] == VERDICT.isoformat()
        recipients = session.scalars(
            select(AlertRecipient.agency_id).where(AlertRecipient.alert_id == alert.id)
        )
        assert cast.mash.agency_id in set(recipients)
        detail = alerts.alert_detail(session, who(session, cast.mash), alert.id, NO_CONTEXT)
        assert any("Support item not open" in r.description for r in detail.records)
        assert alerts.evaluate_child(session, child.id, after_verdict(57)) == []


def test_a_paused_item_is_a_gap_and_an_open_one_is_not(sessions: sessionmaker[Session], cast: Cast) -> None:
    child, item = plan_after_verdict(sessions, cast)
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        support.add_item(
            session,
            mash,
            child.id,
            ItemInput("therapy", "CAMHS", mash.id, VERDICT),
            NO_CONTEXT,
            now=after_verdict(1),
        )
        support.change_status(session, mash, item.id, "paused", "Holiday", NO_CONTEXT, now=after_verdict(2))
        assert alerts.evaluate_child(session, child.id, after_verdict(2)) == []
    with transaction(sessions) as session:
        (therapy,) = [i for i in support.items_of(session, child.id) if i.id != item.id]
        support.change_status(
            session, mash, therapy.id, "paused", "Waiting list", NO_CONTEXT, now=after_verdict(3)
        )
        (alert,) = alerts.evaluate_child(session, child.id, after_verdict(3))
        assert len(_records(session, alert)) == 3


def test_the_schedule_raises_a_gap_for_a_verdict_with_no_support_once(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        mash = who(session, cast.mash)
        child = make_child(session, mash)
        court_dates.record_court_date(
            session,
            mash,
            child.id,
            CourtDateInput("verdict", VERDICT, outcome="Not guilty"),
            NO_CONTEXT,
            now=on(VERDICT),
        )
    with transaction(sessions) as session:
        raised = [a for a in alerts.run_scheduled(session, after_verdict(7)) if a.rule_code == "support_gap"]
        assert len(raised) == 1
        verdict = court_dates.verdict_in_window(session, child.id, VERDICT)
        assert verdict is not None
        assert _records(session, raised[0]) == {("court_date", verdict.id)}
        assert alerts.run_scheduled(session, after_verdict(8)) == []


def test_no_gap_is_raised_once_the_window_has_passed_and_the_window_is_the_rules_setting(
    sessions: sessionmaker[Session], cast: Cast, manager: UserLogin
) -> None:
    child, item = plan_after_verdict(sessions, cast)
    with transaction(sessions) as session:
        support.review_closure(
            session, who(session, manager), item.id, True, "Moved away", NO_CONTEXT, now=after_verdict(40)
        )
        assert [
            a for a in alerts.run_scheduled(session, after_verdict(84)) if a.rule_code == "support_gap"
        ] == []
        alerts.seed_default_rules(session)
        rule = session.scalars(select(AlertRule).where(AlertRule.code == "support_gap")).one()
        rule.parameters = {"window_weeks": 4}
        assert alerts.evaluate_child(session, child.id, after_verdict(40)) == []
        rule.parameters = {"window_weeks": 6}
        assert len(alerts.evaluate_child(session, child.id, after_verdict(40))) == 1
