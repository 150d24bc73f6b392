"""Evaluating the rules: on each new record (``evaluate_child``, ``evaluate_sighting``) and on a schedule
(``run_scheduled``), turning candidates into alerts without ever raising the same facts twice.

Idempotency: an alert is identified by its rule and subject (a child, a vehicle, an entity, a request). A
candidate's records already behind any alert of that rule and subject are facts already alerted and raise
nothing. New records join the alert still open for that rule and subject (which goes back to "new", with an
"updated" event), or, if every earlier one is closed, raise a new alert with the whole picture. One open
alert per rule and subject is also a unique constraint, so two evaluations at once cannot both raise one:
the loser joins the winner's alert.

Addressing: the MASHes the records name (a sighting's, an episode's, a request's) and those that know the
children (created them, recorded about them, hold a contact, the lead professional's if a MASH), and each
child's lead professional unless the facts come from the driver register (``access.register_based``: a
driver's safeguarding record is for the MASH and police only; the lead may be the home that checked the car).
Whether a named lead professional still reads the alert is decided when it is read or e-mailed
(``access.may_read``). Which local authority is responsible for a child is not modelled yet: an alert
about children no MASH knows goes to every active MASH rather than to nobody.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openmash.alerts import facts
from openmash.alerts.access import register_based
from openmash.alerts.facts import Candidate
from openmash.alerts.models import Alert, AlertChild, AlertEvent, AlertRecipient, AlertRecord
from openmash.alerts.rules import RuleKind, enabled_rules
from openmash.audit import service as audit
from openmash.audit.service import SYSTEM
from openmash.identity.models import Agency, User
from openmash.identity.permissions import AgencyType
from openmash.safeguarding.models import Child, Concern
from openmash.safeguarding.models_care import HelpRequest, MashContact, MissingEpisode
from openmash.safeguarding.models_gate import GateSighting
from openmash.safeguarding.models_support import CourtDate, SupportItem
from openmash.safeguarding.visibility import get_child

NEW, SEEN, CLOSED = "new", "seen", "closed"
STATUSES = (NEW, SEEN, CLOSED)

CHILD_RULES = {
    RuleKind.FLAGGED_CHILD_TOUCHED: facts.flagged_child_touched,
    RuleKind.RISK_THRESHOLD: facts.risk_threshold,
    RuleKind.REPEAT_LOW_LEVEL: facts.repeat_low_level,
    RuleKind.SHARED_ENTITY: facts.shared_entity,
    RuleKind.SUPPORT_GAP: facts.support_gap,
}
VEHICLE_RULES = {
    RuleKind.GATE_UNLICENSED_REPEAT: facts.gate_unlicensed_repeat,
    RuleKind.GATE_DRIVER_FLAGGED: facts.gate_driver_flagged,
}
SCHEDULED_RULES = {
    RuleKind.RETURN_INTERVIEW_OVERDUE: facts.return_interviews_overdue,
    RuleKind.HELP_REQUEST_OVERDUE: facts.help_requests_overdue,
    RuleKind.SUPPORT_GAP: facts.support_gaps,
}


def responsible_mashes(session: Session, child_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """The MASHes that know these children through their own records."""
    ids = sorted(set(child_ids), key=str)
    if not ids:
        return set()
    mash = set(
        session.scalars(
            select(Agency.id).where(
                Agency.type == AgencyType.CHILDRENS_SOCIAL_CARE.value, Agency.active.is_(True)
            )
        )
    )
    found: set[uuid.UUID] = set()
    for column, child in (
        (MissingEpisode.mash_agency_id, MissingEpisode.child_id),
        (HelpRequest.mash_agency_id, HelpRequest.child_id),
        (MashContact.mash_agency_id, MashContact.child_id),
        (GateSighting.mash_agency_id, GateSighting.child_id),
        (SupportItem.agency_id, SupportItem.child_id),
        (CourtDate.agency_id, CourtDate.child_id),
        (Concern.agency_id, Concern.child_id),
        (Child.created_by_agency_id, Child.id),
    ):
        found |= set(session.scalars(select(column).where(child.in_(ids)).distinct()))
    leads = select(Child.lead_professional_user_id).where(Child.id.in_(ids))
    found |= set(session.scalars(select(User.agency_id).where(User.id.in_(leads))))
    return found & mash


def _recipients(session: Session, candidate: Candidate) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    """(MASH agencies, lead professional users) an alert about these facts is addressed to."""
    agencies = set(candidate.mash_agency_ids) | responsible_mashes(session, candidate.children)
    if not agencies:
        agencies = set(
            session.scalars(
                select(Agency.id).where(
                    Agency.type == AgencyType.CHILDRENS_SOCIAL_CARE.value, Agency.active.is_(True)
                )
            )
        )
    leads: set[uuid.UUID] = set()
    kinds = (f.record_kind for f in candidate.records)
    if candidate.children and not register_based(candidate.rule.kind, candidate.subject_key, kinds):
        leads = {
            lead
            for lead in session.scalars(
                select(Child.lead_professional_user_id).where(
                    Child.id.in_(sorted(candidate.children, key=str))
                )
            )
            if lead is not None
        }
    return agencies, leads


def _event(session: Session, alert: Alert, kind: str, now: datetime, note: str | None = None) -> AlertEvent:
    event = AlertEvent(id=uuid.uuid4(), alert_id=alert.id, kind=kind, at=now, by=SYSTEM.label, note=note)
    session.add(event)
    return event


def _attach(
    session: Session, alert: Alert, candidate: Candidate, records: Iterable[facts.Fired], now: datetime
) -> None:
    """Add the children, records and recipients not yet on the alert."""
    children = set(session.scalars(select(AlertChild.child_id).where(AlertChild.alert_id == alert.id)))
    for child_id in sorted(candidate.children - children, key=str):
        session.add(AlertChild(alert_id=alert.id, child_id=child_id))
    for fired in records:
        session.add(
            AlertRecord(
                alert_id=alert.id,
                record_kind=fired.record_kind,
                record_id=fired.record_id,
                child_id=fired.child_id,
                added_at=now,
            )
        )
    agencies, leads = _recipients(session, candidate)
    held = {
        (r.agency_id, r.user_id)
        for r in session.scalars(select(AlertRecipient).where(AlertRecipient.alert_id == alert.id))
    }
    for agency_id in sorted(agencies, key=str):
        if (agency_id, None) not in held:
            session.add(AlertRecipient(alert_id=alert.id, agency_id=agency_id))
    for user_id in sorted(leads, key=str):
        if (None, user_id) not in held:
            session.add(AlertRecipient(alert_id=alert.id, user_id=user_id))


def _covered(
    session: Session, rule_code: str, subject_key: str
) -> tuple[set[tuple[str, uuid.UUID]], Alert | None]:
    alerts = list(
        session.scalars(select(Alert).where(Alert.rule_code == rule_code, Alert.subject_key == subject_key))
    )
    ids = [a.id for a in alerts]
    covered: set[tuple[str, uuid.UUID]] = set()
    if ids:
        rows = session.execute(
            select(AlertRecord.record_kind, AlertRecord.record_id).where(AlertRecord.alert_id.in_(ids))
        )
        covered = {(row[0], row[1]) for row in rows}
    return covered, next((a for a in alerts if a.status != CLOSED), None)


def _update(
    session: Session, alert: Alert, candidate: Candidate, new: list[facts.Fired], now: datetime
) -> Alert:
    _attach(session, alert, candidate, new, now)
    alert.details = {**alert.details, **candidate.details}
    alert.last_fired_at = now
    if alert.status != NEW:
        alert.status, alert.status_at, alert.status_by = NEW, now, SYSTEM.label
    _event(session, alert, "updated", now, note=f"{len(new)} new record(s)")
    session.flush()
    audit.record(
        session,
        "alerts.alert.update",
        SYSTEM,
        object_type="alert",
        object_id=alert.id,
        details={"rule": alert.rule_code, "records": [f"{f.record_kind}:{f.record_id}" for f in new]},
    )
    return alert


def fire(session: Session, candidate: Candidate, now: datetime) -> Alert | None:
    """Raise an alert for the candidate, add its new facts to the open one, or do nothing (facts already
    alerted). Returns the alert raised or updated."""
    rule = candidate.rule
    covered, open_alert = _covered(session, rule.code, candidate.subject_key)
    new = [f for f in candidate.records if (f.record_kind, f.record_id) not in covered]
    if not new:
        return None
    if open_alert is not None:
        return _update(session, open_alert, candidate, new, now)
    alert = Alert(
        id=uuid.uuid4(),
        rule_id=rule.id,
        rule_code=rule.code,
        kind=rule.kind,
        subject_key=candidate.subject_key,
        open_key=candidate.subject_key,
        title=rule.label,
        details=dict(candidate.details),
        status=NEW,
        status_at=now,
        status_by=SYSTEM.label,
        raised_at=now,
        last_fired_at=now,
    )
    try:
        with session.begin_nested():
            session.add(alert)
            session.flush()
    except IntegrityError:
        # Another evaluation raised it first: join it.
        covered, open_alert = _covered(session, rule.code, candidate.subject_key)
        new = [f for f in candidate.records if (f.record_kind, f.record_id) not in covered]
        return _update(session, open_alert, candidate, new, now) if open_alert and new else None
    _attach(session, alert, candidate, candidate.records, now)
    _event(session, alert, "raised", now)
    session.flush()
    audit.record(
        session,
        "alerts.alert.raise",
        SYSTEM,
        object_type="alert",
        object_id=alert.id,
        details={
            "rule": rule.code,
            "subject": candidate.subject_key,
            "children": sorted(str(c) for c in candidate.children),
            "records": [f"{f.record_kind}:{f.record_id}" for f in candidate.records],
        },
    )
    return alert


def _fire_all(session: Session, candidates: Iterable[Candidate], now: datetime) -> list[Alert]:
    fired = [fire(session, candidate, now) for candidate in candidates]
    return list(dict.fromkeys(a for a in fired if a is not None))


def evaluate_vehicle(session: Session, registration: str, now: datetime) -> list[Alert]:
    """The gate rules for one (normalised) mark."""
    candidates: list[Candidate] = []
    for rule in enabled_rules(session, set(VEHICLE_RULES)):
        candidates += VEHICLE_RULES[RuleKind(rule.kind)](session, rule, registration, now)
    return _fire_all(session, candidates, now)


def evaluate_child(session: Session, child_id: uuid.UUID, now: datetime) -> list[Alert]:
    """Evaluate every rule about a child after something was recorded about them (a concern, a missing
    report or return, a gate check, a request for help, a change of flags): call it in the same transaction.
    Returns the alerts raised or updated; re-running it on the same facts returns none."""
    child = get_child(session, child_id)
    candidates: list[Candidate] = []
    for rule in enabled_rules(session, set(CHILD_RULES)):
        candidates += CHILD_RULES[RuleKind(rule.kind)](session, rule, child, now)
    raised = _fire_all(session, candidates, now)
    marks = session.scalars(
        select(GateSighting.vehicle_registration).where(GateSighting.child_id == child.id).distinct()
    )
    for mark in sorted(marks):
        raised += [a for a in evaluate_vehicle(session, mark, now) if a not in raised]
    return raised


def evaluate_sighting(session: Session, sighting_id: uuid.UUID, now: datetime) -> list[Alert]:
    """After a gate check (``safeguarding.gate.check_vehicle``): the gate rules for the mark, and the
    child's rules if a child was named."""
    sighting = session.get(GateSighting, sighting_id)
    if sighting is None:
        return []
    raised = evaluate_vehicle(session, sighting.vehicle_registration, now)
    if sighting.child_id is not None:
        raised += [a for a in evaluate_child(session, sighting.child_id, now) if a not in raised]
    return raised


def run_scheduled(session: Session, now: datetime) -> list[Alert]:
    """The scheduled rules (overdue return home interviews and requests for help, gaps in support): for
    cron, safe to re-run as often as wished. E-mails are sent by ``senders.deliver_pending``."""
    candidates: list[Candidate] = []
    for rule in enabled_rules(session, set(SCHEDULED_RULES)):
        candidates += SCHEDULED_RULES[RuleKind(rule.kind)](session, rule, now)
    return _fire_all(session, candidates, now)
