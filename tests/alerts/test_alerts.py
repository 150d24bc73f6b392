"""Alerts: every rule fires on the facts it names, never twice on the same facts, is addressed to the MASH
and the lead professional, shows each viewer only what they may see, and is e-mailed with no personal
details."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from openmash import alerts
from openmash.alerts.models import Alert, AlertChild, AlertRecipient, AlertRecord, EmailOutbox
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import NotFoundError
from openmash.identity.permissions import AgencyType, Role
from openmash.safeguarding import help_requests, status
from openmash.safeguarding.help_requests import HelpInput
from openmash.safeguarding.models import Child
from openmash.safeguarding.status import ChildStatus
from tests.support.care import bring_back, refused, report
from tests.support.factories import make_user
from tests.support.gate import DRIVER_SURNAME, check, flag_driver, licensed_car, three_children_one_car
from tests.support.safeguarding import NOW, Cast, at, make_cast, make_child, record, who


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


def _of(session: Session, rule: str) -> list[Alert]:
    return list(session.scalars(select(Alert).where(Alert.rule_code == rule).order_by(Alert.raised_at)))


def _children(session: Session, alert: Alert) -> set[object]:
    return set(session.scalars(select(AlertChild.child_id).where(AlertChild.alert_id == alert.id)))


def _records(session: Session, alert: Alert) -> set[tuple[str, object]]:
    rows = session.execute(
        select(AlertRecord.record_kind, AlertRecord.record_id).where(AlertRecord.alert_id == alert.id)
    )
    return {(r[0], r[1]) for r in rows}


def test_three_children_picked_up_by_a_flagged_drivers_car_raise_one_network_alert(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        children, driver = three_children_one_car(session, cast)
        for child_id in children:
            alerts.evaluate_child(session, child_id, NOW)
        (alert,) = _of(session, "shared_entity")
        assert _children(session, alert) == set(children)
        assert alert.details["entity"] == "vehicle:LR70XYZ"
        assert alert.details["drivers"] == [str(driver)]
        assert {kind for kind, _ in _records(session, alert)} == {
            "concern",
            "missing_return",
            "gate_sighting",
        }
        detail = alerts.alert_detail(session, who(session, cast.mash), alert.id, NO_CONTEXT)
        assert detail.subject == "Vehicle LR70XYZ"
        assert any(DRIVER_SURNAME in name for name in detail.drivers)
        assert len(detail.summary.children) == 3


def test_re_evaluating_the_same_facts_raises_no_duplicate(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        children, _ = three_children_one_car(session, cast)
        first = [a.id for c in children for a in alerts.evaluate_child(session, c, NOW)]
        assert first
        again = [a for c in children for a in alerts.evaluate_child(session, c, NOW + timedelta(minutes=5))]
        assert again == []
        # The second child's return home interview is overdue: raised once, however often the schedule runs.
        assert [a.rule_code for a in alerts.run_scheduled(session, NOW)] == ["return_interview_overdue"]
        assert alerts.run_scheduled(session, NOW) == []
        assert len(_of(session, "shared_entity")) == 1


def test_a_new_child_joins_the_open_alert_and_after_closing_only_new_facts_raise_again(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        children, _ = three_children_one_car(session, cast)
        alerts.evaluate_child(session, children[0], NOW)
        (alert,) = _of(session, "shared_entity")
        mash = who(session, cast.mash)
        alerts.close_alert(session, mash, alert.id, "Strategy discussion held", NO_CONTEXT, now=NOW)
        assert alerts.evaluate_child(session, children[1], NOW) == []
        school = who(session, cast.school)
        fourth = make_child(session, school)
        record(session, school, fourth.id, "cars_with_unknown_adults", vehicle_registration="LR70XYZ")
        raised = alerts.evaluate_child(session, fourth.id, NOW)
        new = [a for a in raised if a.rule_code == "shared_entity"]
        assert len(new) == 1
        assert new[0].id != alert.id
        assert _children(session, new[0]) == {*children, fourth.id}


def test_a_car_seen_twice_unlicensed_alerts_the_mash_and_once_does_not(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        home = who(session, cast.home)
        child = make_child(session, home)
        first = check(session, home, "KX11 ABC", cast.mash.agency_id, child_id=child.id)
        assert alerts.evaluate_sighting(session, first.sighting_id, NOW) == []
        second = check(session, home, "KX11ABC", cast.mash.agency_id, now=NOW + timedelta(days=2))
        raised = alerts.evaluate_sighting(session, second.sighting_id, NOW + timedelta(days=2))
        assert [a.rule_code for a in raised] == ["gate_unlicensed_repeat"]
        listed = alerts.alerts_for(session, who(session, cast.mash))
        assert [a.id for a in listed] == [raised[0].id]
        assert {kind for kind, _ in _records(session, raised[0])} == {"gate_sighting"}
        # The home is not told: not addressed (as a user nor as an agency), so nothing to list.
        addressed = list(
            session.scalars(select(AlertRecipient).where(AlertRecipient.alert_id == raised[0].id))
        )
        assert [(r.agency_id, r.user_id) for r in addressed] == [(cast.mash.agency_id, None)]
        assert alerts.alerts_for(session, home) == []


def test_a_car_tied_to_a_flagged_driver_alerts_the_mash_on_the_first_check_without_telling_the_school(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        licence = licensed_car(session, cast.licensing.agency_id, "MV19QRS")
        flag_driver(session, who(session, cast.licensing), licence.person_id)
        school, mash = who(session, cast.school), who(session, cast.mash)
        # The school checking the car is the child's lead professional: it is still not told (the driver's
        # register record is for the MASH and police only).
        child = make_child(session, school)
        status.set_status(
            session, mash, child.id, ChildStatus(lead_professional_user_id=school.id), NO_CONTEXT
        )
        answer = check(session, school, "MV19QRS", cast.mash.agency_id, child_id=child.id)
        assert answer.licensed
        raised = alerts.evaluate_sighting(session, answer.sighting_id, NOW)
        assert [a.rule_code for a in raised] == ["gate_driver_flagged"]
        kinds = {kind for kind, _ in _records(session, raised[0])}
        assert kinds == {"gate_sighting", "driver_concern"}
        assert _children(session, raised[0]) == {child.id}
        assert [a.id for a in alerts.alerts_for(session, mash)] == [raised[0].id]
        assert alerts.alerts_for(session, school) == []
        assert alerts.count_new(session, school) == 0
        with pytest.raises(NotFoundError):
            alerts.alert_detail(session, school, raised[0].id, NO_CONTEXT)
        addressed = session.scalars(select(AlertRecipient).where(AlertRecipient.alert_id == raised[0].id))
        assert [r.user_id for r in addressed if r.user_id is not None] == []
        # An alert addressed to the lead before this was fixed is not shown to them either.
        session.add(AlertRecipient(alert_id=raised[0].id, user_id=school.id))
        session.flush()
        assert alerts.alerts_for(session, school) == []
        alerts.deliver_pending(
            session, alerts.OutboxSender(), NOW, base_url="https://openmash.example.invalid"
        )
        assert {m.to_address for m in session.scalars(select(EmailOutbox))} == {cast.mash.email}


def test_a_flagged_child_touched_by_another_agency_alerts_the_lead_professional_and_the_mash(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        mash, school, health = who(session, cast.mash), who(session, cast.school), who(session, cast.health)
        child = make_child(session, school)
        lead = ChildStatus(child_protection_plan=True, lead_professional_user_id=school.id)
        status.set_status(session, mash, child.id, lead, NO_CONTEXT)
        record(session, school, child.id, "general_welfare", occurred_at=NOW - timedelta(days=1))
        assert alerts.evaluate_child(session, child.id, NOW) == []  # the lead's own agency
        concern = record(session, health, child.id, "general_welfare", occurred_at=NOW - timedelta(days=1))
        (alert,) = alerts.evaluate_child(session, child.id, NOW)
        assert alert.rule_code == "flagged_child_touched"
        assert _records(session, alert) == {("concern", concern.id)}
        assert [a.id for a in alerts.alerts_for(session, school)] == [alert.id]
        assert [a.id for a in alerts.alerts_for(session, mash)] == [alert.id]
        assert alerts.alerts_for(session, health) == []


def test_indicators_past_the_threshold_alert(sessions: sessionmaker[Session], cast: Cast) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school)
        record(session, school, child.id, "online_grooming")
        record(session, school, child.id, "moved_between_towns")
        assert [a.rule_code for a in alerts.evaluate_child(session, child.id, NOW)] == []  # 10 points: mild
        record(session, school, child.id, "clipping")
        (alert,) = alerts.evaluate_child(session, child.id, NOW)
        assert alert.rule_code == "risk_threshold"
        assert alert.details["band"] == "moderate"
        assert len(_records(session, alert)) == 3


def test_three_low_level_concerns_in_30_days_from_two_agencies_alert(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school, health = who(session, cast.school), who(session, cast.health)
        child = make_child(session, school)
        for day in (20, 25):
            record(session, school, child.id, "staying_out_late", occurred_at=at(2026, 2, day))
        record(session, school, child.id, "self_harm", occurred_at=at(2026, 1, 2))  # outside the 30 days
        assert alerts.evaluate_child(session, child.id, NOW) == []
        record(session, school, child.id, "general_welfare", occurred_at=at(2026, 3, 1))
        police = who(session, cast.police)
        record(session, police, child.id, "police_intelligence", occurred_at=at(2026, 3, 2))
        # "Other" concerns (a welfare note; police intelligence, restricted too) are not low-level signs.
        assert alerts.evaluate_child(session, child.id, NOW) == []
        record(session, health, child.id, "drugs_or_alcohol", occurred_at=at(2026, 3, 5))
        (alert,) = [
            a for a in alerts.evaluate_child(session, child.id, NOW) if a.rule_code == "repeat_low_level"
        ]
        assert len(_records(session, alert)) == 3
        assert alerts.evaluate_child(session, child.id, NOW) == []


def test_overdue_return_interviews_and_requests_for_help_alert_on_the_schedule(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        home = who(session, cast.home)
        child = make_child(session, home)
        episode = report(session, home, child.id, cast.mash.agency_id, at(2026, 3, 1), now=at(2026, 3, 1, 13))
        bring_back(session, home, episode.id, at(2026, 3, 2), now=at(2026, 3, 2, 13))
        help_requests.record_request(
            session,
            home,
            child.id,
            HelpInput(
                asked_at=at(2026, 3, 2, 10),
                told_to="Night care worker",
                childs_words="I want it to stop",
                mash_agency_id=cast.mash.agency_id,  # type: ignore[arg-type]
            ),
            NO_CONTEXT,
            now=at(2026, 3, 2, 11),
        )
        assert alerts.run_scheduled(session, at(2026, 3, 2, 14)) == []
        raised = alerts.run_scheduled(session, NOW)
        assert sorted(a.subject_key.rsplit(":", 1)[-1] for a in raised) == [
            "acknowledgement",
            "answer",
            "interview",
        ]
        assert alerts.run_scheduled(session, NOW + timedelta(hours=1)) == []


def test_a_disabled_rule_raises_nothing(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings
) -> None:
    admin = make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.NATIONAL_ADMIN)
    with transaction(sessions) as session:
        alerts.seed_default_rules(session)
        alerts.update_rule(
            session,
            who(session, admin),
            "gate_unlicensed_repeat",
            enabled=False,
            parameters={},
            context=NO_CONTEXT,
        )
        home = who(session, cast.home)
        for day in (1, 2, 3):
            answer = check(session, home, "KX11ABC", cast.mash.agency_id, now=NOW + timedelta(days=day))
            assert alerts.evaluate_sighting(session, answer.sighting_id, NOW + timedelta(days=day)) == []


def test_the_email_holds_no_personal_details_and_is_sent_once(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        children, _ = three_children_one_car(session, cast)
        for child_id in children:
            alerts.evaluate_child(session, child_id, NOW)
        sender = alerts.OutboxSender()
        sent = alerts.deliver_pending(session, sender, NOW, base_url="https://openmash.example.invalid")
        assert sent >= 1
        assert alerts.deliver_pending(session, sender, NOW, base_url="https://openmash.example.invalid") == 0
        mail = list(session.scalars(select(EmailOutbox)))
        names = [n for c in session.scalars(select(Child)) for n in (c.surname, c.forenames)]
        assert {m.to_address for m in mail} == {cast.mash.email}
        for message in mail:
            text = message.subject + message.body
            assert "https://openmash.example.invalid/alerts/" in text
            for name in [*names, DRIVER_SURNAME, "LR70XYZ"]:
                assert name not in text


def test_seen_and_closed_are_kept_with_who_and_only_recipients_act(
    sessions: sessionmaker[Session], cast: Cast, engine: Engine
) -> None:
    with transaction(sessions) as session:
        children, _ = three_children_one_car(session, cast)
        alerts.evaluate_child(session, children[0], NOW)
        (alert,) = _of(session, "shared_entity")
        mash = who(session, cast.mash)
        alerts.mark_seen(session, mash, alert.id, NO_CONTEXT, now=NOW)
        assert (alert.status, alert.status_by) == ("seen", mash.label)
        with pytest.raises(NotFoundError):
            alerts.mark_seen(session, who(session, cast.school), alert.id, NO_CONTEXT)
        alerts.close_alert(session, mash, alert.id, "Referred to police", NO_CONTEXT, now=NOW)
        history = alerts.alert_detail(session, mash, alert.id, NO_CONTEXT).history
        assert [e.kind for e in history] == ["raised", "seen", "closed"]
    for table in ("alert_events", "alert_records", "alert_children"):
        refused(engine, table)


def test_a_lead_professional_sees_their_child_but_not_the_others_nor_the_driver(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        children, _ = three_children_one_car(session, cast)
        school = who(session, cast.school)
        lead = ChildStatus(lead_professional_user_id=school.id)
        status.set_status(session, who(session, cast.mash), children[0], lead, NO_CONTEXT)
        alerts.evaluate_child(session, children[0], NOW)
        (alert,) = _of(session, "shared_entity")
        detail = alerts.alert_detail(session, school, alert.id, NO_CONTEXT)
        assert [c.child_id for c in detail.summary.children] == [children[0]]
        assert detail.summary.other_children == 2
        assert detail.drivers == []
        assert "drivers" not in detail.details
        assert [r.child_id for r in detail.records] == [children[0]]
        assert detail.withheld_records == 2
