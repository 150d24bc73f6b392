"""The planted cases after ``demo load``: the MASH finds the alert for the child whose signs were spread
thinly across school, health and police, with the three fragments; and the network alert naming the three
children picked up by the planted vehicle and its flagged driver; loading again adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from openmash import alerts
from openmash.alerts.models import Alert, AlertChild, AlertRecord
from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.demo import planted, register, seed
from openmash.identity import users
from openmash.identity.principal import Principal, principal_for_user
from openmash.safeguarding.models import Concern
from openmash.safeguarding.models_gate import GateSighting


def _who(session: Session, local: str) -> Principal:
    user = users.find_by_email(session, seed.demo_email(local))
    assert user is not None
    return principal_for_user(user)


def _load(sessions: sessionmaker[Session], settings: Settings) -> str:
    with transaction(sessions) as session:
        seed.load(session, settings)
    with transaction(sessions) as session:
        register.load(session, seed.DEMO_ACTOR, 20)
    with transaction(sessions) as session:
        return planted.load(session)


def _one(session: Session, rule: str, subject: str) -> Alert:
    (alert,) = session.scalars(select(Alert).where(Alert.rule_code == rule, Alert.subject_key == subject))
    return alert


def _children(session: Session, alert: Alert) -> set[object]:
    return set(session.scalars(select(AlertChild.child_id).where(AlertChild.alert_id == alert.id)))


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_planted_alerts_name_the_right_children_vehicle_and_driver_and_a_second_load_adds_nothing(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    note = _load(sessions, settings)
    assert "KX19TXA" in note
    with transaction(sessions) as session:
        found = planted.plant(session)  # already planted: finds the same children, writes nothing new
        assert found.driver is not None
        assert found.driver.surname == "Khan"
        spread = _one(session, "repeat_low_level", f"child:{found.spread.id}")
        assert _children(session, spread) == {found.spread.id}
        fragments = list(
            session.scalars(
                select(Concern)
                .join(AlertRecord, AlertRecord.record_id == Concern.id)
                .where(AlertRecord.alert_id == spread.id)
            )
        )
        assert len({c.agency_id for c in fragments}) == 3  # school, health, police

        network = _one(session, "shared_entity", "entity:vehicle:KX19TXA")
        assert _children(session, network) == {c.id for c in found.linked}
        assert str(found.driver.id) in network.details["drivers"]
        mash = _who(session, "mash.practitioner")
        detail = alerts.alert_detail(session, mash, network.id, NO_CONTEXT)
        assert detail.subject == "Vehicle KX19TXA"
        assert any("Khan" in name for name in detail.drivers)
        assert {r.record_kind for r in detail.records} == {"concern", "gate_sighting"}
        listed = {a.id for a in alerts.alerts_for(session, mash)}
        assert {spread.id, network.id} <= listed

        gate_alert = _one(session, "gate_driver_flagged", "vehicle:KX19TXA")
        (sighting,) = session.scalars(select(GateSighting))
        assert sighting.child_id == found.linked[2].id
        assert sighting.licensed
        assert sighting.arranged == "not_arranged"  # carers use another firm
        assert _children(session, gate_alert) == {found.linked[2].id}
        counts = [_count(session, m) for m in (Alert, AlertRecord, Concern, GateSighting)]
        audits = _count(session, AuditRecord)
    _load(sessions, settings)
    with transaction(sessions) as session:
        assert [_count(session, m) for m in (Alert, AlertRecord, Concern, GateSighting)] == counts
        assert _count(session, AuditRecord) == audits
