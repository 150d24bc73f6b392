"""Alerts and need-to-know: the status is the MASH's, restricted records reach no one their category does not
name (not even as the subject of an alert), a former lead professional is no longer told, and every alert
read is audited with the children and records shown."""

from __future__ import annotations

import json
import smtplib
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash import alerts
from openmash.alerts.models import Alert, AlertDelivery, EmailOutbox
from openmash.alerts.senders import MAX_ATTEMPTS, Email
from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import NotFoundError, PermissionDenied
from openmash.identity.principal import Principal
from openmash.safeguarding import status
from openmash.safeguarding.status import ChildStatus
from tests.support.gate import three_children_one_car
from tests.support.safeguarding import NOW, Cast, at, make_cast, make_child, record, who

BASE = "https://openmash.example.invalid"


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    return make_cast(sessions, settings)


def _lead(session: Session, cast: Cast, child_id: uuid.UUID, lead: Principal | None, **flags: bool) -> None:
    wanted = ChildStatus(lead_professional_user_id=lead.id if lead else None, **flags)
    status.set_status(session, who(session, cast.mash), child_id, wanted, NO_CONTEXT)


def _network_alert(session: Session, cast: Cast, lead: Principal) -> tuple[Alert, list[uuid.UUID]]:
    """The three children one car alert, the school being the first child's lead professional."""
    children, _ = three_children_one_car(session, cast)
    _lead(session, cast, children[0], lead)
    alerts.evaluate_child(session, children[0], NOW)
    (alert,) = session.scalars(select(Alert).where(Alert.rule_code == "shared_entity"))
    return alert, children


def test_a_lead_professional_reads_the_alert_but_only_the_mash_marks_it_seen_or_closes_it(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school, mash = who(session, cast.school), who(session, cast.mash)
        alert, _ = _network_alert(session, cast, school)
        assert [a.id for a in alerts.alerts_for(session, school)] == [alert.id]
        assert not alerts.alert_detail(session, school, alert.id, NO_CONTEXT).may_change_status
        with pytest.raises(PermissionDenied):
            alerts.mark_seen(session, school, alert.id, NO_CONTEXT)
        with pytest.raises(PermissionDenied):
            alerts.close_alert(session, school, alert.id, "Nothing to do", NO_CONTEXT)
        assert alert.status == "new"
        assert alerts.count_new(session, mash) == 1
        assert alerts.alert_detail(session, mash, alert.id, NO_CONTEXT).may_change_status
        alerts.close_alert(session, mash, alert.id, "Strategy discussion held", NO_CONTEXT, now=NOW)
        assert alert.status == "closed"


def test_a_mark_read_from_police_intelligence_is_not_shown_to_a_lead_professional(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school, home, police, mash = (
            who(session, c) for c in (cast.school, cast.home, cast.police, cast.mash)
        )
        first, second = make_child(session, school), make_child(session, home)
        _lead(session, cast, first.id, school)
        record(session, police, first.id, "police_intelligence", vehicle_registration="YX21KLM")
        record(session, home, second.id, "cars_with_unknown_adults", vehicle_registration="YX21KLM")
        raised = [a for a in alerts.evaluate_child(session, first.id, NOW) if a.rule_code == "shared_entity"]
        (alert,) = raised
        assert alerts.alert_detail(session, mash, alert.id, NO_CONTEXT).subject == "Vehicle YX21KLM"
        # The lead may see none of the records naming the car: the alert is not theirs at all.
        assert alerts.alerts_for(session, school) == []
        with pytest.raises(NotFoundError):
            alerts.alert_detail(session, school, alert.id, NO_CONTEXT)
        alerts.deliver_pending(session, alerts.OutboxSender(), NOW, base_url=BASE)
        assert cast.school.email not in {m.to_address for m in session.scalars(select(EmailOutbox))}


def test_police_intelligence_alone_about_a_flagged_child_alerts_the_mash_only(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school, police, mash = who(session, cast.school), who(session, cast.police), who(session, cast.mash)
        child = make_child(session, school)
        _lead(session, cast, child.id, school, child_protection_plan=True)
        record(session, police, child.id, "police_intelligence", occurred_at=at(2026, 3, 9))
        (alert,) = alerts.evaluate_child(session, child.id, NOW)
        assert alert.rule_code == "flagged_child_touched"
        assert [a.id for a in alerts.alerts_for(session, mash)] == [alert.id]
        assert alerts.alerts_for(session, school) == []
        # Once police record something the lead may see, the lead is told, and sees only that.
        seen = record(session, police, child.id, "going_missing", occurred_at=at(2026, 3, 9))
        alerts.evaluate_child(session, child.id, NOW)
        detail = alerts.alert_detail(session, school, alert.id, NO_CONTEXT)
        assert [r.record_id for r in detail.records] == [seen.id]
        assert detail.withheld_records == 0  # a restricted record is not even counted


def test_a_former_lead_professional_is_no_longer_shown_nor_e_mailed_the_alert(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        alert, children = _network_alert(session, cast, school)
        assert [a.id for a in alerts.alerts_for(session, school)] == [alert.id]
        _lead(session, cast, children[0], who(session, cast.health))
        assert alerts.alerts_for(session, school) == []
        assert alerts.count_new(session, school) == 0
        with pytest.raises(NotFoundError):
            alerts.alert_detail(session, school, alert.id, NO_CONTEXT)
        alerts.deliver_pending(session, alerts.OutboxSender(), NOW, base_url=BASE)
        assert cast.school.email not in {m.to_address for m in session.scalars(select(EmailOutbox))}


def test_reading_an_alert_is_audited_with_the_children_and_records_shown(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        alert, children = _network_alert(session, cast, school)
        detail = alerts.alert_detail(session, school, alert.id, NO_CONTEXT)
        alerts.alerts_for(session, school)
        reads = list(
            session.scalars(
                select(AuditRecord)
                .where(AuditRecord.action.in_(["alerts.alert.read", "alerts.list"]))
                .order_by(AuditRecord.seq)
            )
        )
        read, listed = (json.loads(r.details) for r in reads[-2:])
        assert read["children"] == [str(children[0])]
        assert read["records"] == [f"{r.record_kind}:{r.record_id}" for r in detail.records]
        assert len(read["records"]) == 1
        assert listed["children"] == [str(children[0])]


class RefusingSender:
    """Refuses one address (as an SMTP server would, naming it), sends the others to the outbox."""

    name = "smtp"

    def __init__(self, refused: str) -> None:
        self.refused = refused
        self.outbox = alerts.OutboxSender()

    def send(self, session: Session, email: Email) -> None:
        if email.to == self.refused:
            raise smtplib.SMTPRecipientsRefused({email.to: (550, b"No such user " + email.to.encode())})
        self.outbox.send(session, email)


def test_one_refused_address_does_not_stop_the_others_and_is_retried_alone(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school = who(session, cast.school)
        _network_alert(session, cast, school)
        sent = alerts.deliver_pending(session, RefusingSender(cast.mash.email), NOW, base_url=BASE)
        assert sent == 1
        assert [m.to_address for m in session.scalars(select(EmailOutbox))] == [cast.school.email]
        (failed,) = session.scalars(select(AlertDelivery).where(AlertDelivery.status == "failed"))
        assert (failed.user_id, failed.attempts, failed.delivered_at) == (cast.mash.id, 1, None)
        assert failed.last_error is not None
        assert cast.mash.email not in failed.last_error
        assert alerts.deliver_pending(session, RefusingSender(cast.mash.email), NOW, base_url=BASE) == 0
        assert failed.attempts == 2
        # The next run sends only what was not sent.
        assert alerts.deliver_pending(session, alerts.OutboxSender(), NOW, base_url=BASE) == 1
        assert sorted(m.to_address for m in session.scalars(select(EmailOutbox))) == sorted(
            [cast.school.email, cast.mash.email]
        )
        assert (failed.status, failed.attempts, failed.last_error) == ("sent", 3, None)
        assert alerts.deliver_pending(session, alerts.OutboxSender(), NOW, base_url=BASE) == 0


def test_an_e_mail_is_given_up_after_the_last_attempt(sessions: sessionmaker[Session], cast: Cast) -> None:
    with transaction(sessions) as session:
        _network_alert(session, cast, who(session, cast.school))
        refusing = RefusingSender(cast.mash.email)
        for _ in range(MAX_ATTEMPTS + 2):
            alerts.deliver_pending(session, refusing, NOW, base_url=BASE)
        (failed,) = session.scalars(select(AlertDelivery).where(AlertDelivery.status == "failed"))
        assert failed.attempts == MAX_ATTEMPTS


def test_a_lead_professional_is_not_e_mailed_about_new_facts_they_may_not_see(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    with transaction(sessions) as session:
        school, police = who(session, cast.school), who(session, cast.police)
        child = make_child(session, school)
        _lead(session, cast, child.id, school, child_protection_plan=True)
        record(session, police, child.id, "going_missing", occurred_at=at(2026, 3, 9))
        alerts.evaluate_child(session, child.id, NOW)
        assert alerts.deliver_pending(session, alerts.OutboxSender(), NOW, base_url=BASE) == 2
        record(session, police, child.id, "police_intelligence", occurred_at=at(2026, 3, 9, 13))
        later = NOW + timedelta(hours=1)
        assert [a.rule_code for a in alerts.evaluate_child(session, child.id, later)] == [
            "flagged_child_touched"
        ]
        assert alerts.deliver_pending(session, alerts.OutboxSender(), later, base_url=BASE) == 1
        mail = [m.to_address for m in session.scalars(select(EmailOutbox))]
        assert sorted(mail) == sorted([cast.mash.email, cast.school.email, cast.mash.email])
