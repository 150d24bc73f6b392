"""Alerts in the app: the list of a person's alerts (their MASH's, and those naming them as a child's lead
professional), one alert with the records that fired it, and its status (seen, closed) with who and when.

Need-to-know applies inside an alert too (``alerts.access``). The MASH sees everything. A lead professional
reads an alert only while still lead professional of one of its children, never one from the driver register,
and only if they may see one of its records; they see by name only the children whose whole record they may
see or their agency knows (others are counted: "and 2 other children"), only the records the concern rule
lets them see (restricted categories not even counted), and nothing from the driver register. The status
(seen, closed) is the MASH's: only an addressed MASH changes it. Every list and every alert opened is
audited with a fixed purpose and the children and records shown, as the hub's other work lists are.

An API token of a MASH holding ``ALERTS_READ`` (docs/decisions/0009) is its MASH's case system: it reads
exactly the alerts addressed to its MASH as an agency, never one addressed to a person (it is no lead
professional), and marks them seen (the history names the token, ``by_user_id`` stays empty); closing says
what was done, a person's account, so a token never closes one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from openmash.alerts.access import (
    RecordShown,
    Shown,
    addressed_mash,
    is_mash,
    lead_may_read,
    may_read,
    record_as_seen,
)
from openmash.alerts.engine import CLOSED, NEW, SEEN
from openmash.alerts.models import Alert, AlertChild, AlertEvent, AlertRecipient, AlertRecord, AlertRule
from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.db.base import utcnow
from openmash.errors import Conflict, NotFoundError, PermissionDenied
from openmash.identity.models import Agency
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.network.links import KIND_LABELS, EntityRef, Kind
from openmash.register.models import Person
from openmash.safeguarding.checks import Form
from openmash.safeguarding.models import Child
from openmash.safeguarding.status import Badge, badges
from openmash.safeguarding.visibility import knows_child

PURPOSE = "act on alerts addressed to me"


@dataclass(frozen=True)
class ChildShown:
    child_id: uuid.UUID
    surname: str
    forenames: str
    date_of_birth: date | None
    badges: list[Badge]


@dataclass(frozen=True)
class AlertSummary:
    id: uuid.UUID
    title: str
    rule_code: str
    status: str
    raised_at: datetime
    last_fired_at: datetime
    children: list[ChildShown]
    other_children: int  # children in the alert the viewer may not see by name


@dataclass(frozen=True)
class AlertsPage:
    total: int  # all the reader's alerts in the statuses asked for
    alerts: list[AlertSummary]  # the page of them (``limit`` from ``offset``)


@dataclass(frozen=True)
class EventShown:
    kind: str
    at: datetime
    by: str
    note: str | None


@dataclass(frozen=True)
class AlertDetail:
    summary: AlertSummary
    rule_label: str
    subject: str  # what it is about, as far as the viewer may know ("Vehicle AB12CDE", "an adult")
    drivers: list[str]  # names of the drivers behind a vehicle: the MASH and police only
    records: list[RecordShown]
    withheld_records: int
    history: list[EventShown]
    details: dict[str, object]
    may_change_status: bool = False  # a user of an addressed MASH (lead professionals only read)


def _ensure(principal: Principal) -> None:
    if not principal.can(Permission.ALERTS_READ):
        raise PermissionDenied("You do not have permission to see alerts")


def _candidates(principal: Principal) -> object:
    """Alerts addressed to the reader's MASH or naming them (``access.may_read`` decides the latter): a token
    is named in none."""
    clauses = [AlertRecipient.user_id == principal.id] if principal.kind == "user" else []
    if is_mash(principal):
        clauses.append(AlertRecipient.agency_id == principal.agency_id)
    return select(AlertRecipient.alert_id).where(or_(false(), *clauses))


def _mine(session: Session, principal: Principal, statuses: tuple[str, ...]) -> list[Alert]:
    found = session.scalars(
        select(Alert)
        .where(Alert.id.in_(_candidates(principal)), Alert.status.in_(statuses))  # type: ignore[arg-type]
        .order_by((Alert.status != NEW), Alert.last_fired_at.desc(), Alert.id)
    )
    alerts = list(found)
    mash: set[uuid.UUID] = set()
    if is_mash(principal) and alerts:
        mash = set(
            session.scalars(
                select(AlertRecipient.alert_id).where(
                    AlertRecipient.agency_id == principal.agency_id,
                    AlertRecipient.alert_id.in_([a.id for a in alerts]),
                )
            )
        )
    # One query for the MASH's own; a named lead professional's are checked one by one (they are few).
    return [a for a in alerts if a.id in mash or lead_may_read(session, principal, a)]


def _summary(session: Session, principal: Principal, alert: Alert) -> AlertSummary:
    children = list(
        session.scalars(
            select(Child)
            .join(AlertChild, AlertChild.child_id == Child.id)
            .where(AlertChild.alert_id == alert.id)
            .order_by(Child.surname, Child.forenames, Child.id)
        )
    )
    # Named: the children whose agency knows them or whose whole record the reader sees (need-to-know).
    shown = [c for c in children if knows_child(session, principal, c)]
    return AlertSummary(
        id=alert.id,
        title=alert.title,
        rule_code=alert.rule_code,
        status=alert.status,
        raised_at=alert.raised_at,
        last_fired_at=alert.last_fired_at,
        children=[ChildShown(c.id, c.surname, c.forenames, c.date_of_birth, badges(c)) for c in shown],
        other_children=len(children) - len(shown),
    )


def alerts_page(
    session: Session,
    principal: Principal,
    *,
    statuses: tuple[str, ...] = (NEW, SEEN),
    limit: int | None = None,
    offset: int = 0,
) -> AlertsPage:
    """The reader's alerts in these statuses, new first, then the latest fired, ``limit`` of them from
    ``offset`` (all when ``limit`` is None), with how many there are in all. Audited with the alerts and
    children of the page only: nothing else of them is shown."""
    _ensure(principal)
    if offset < 0 or (limit is not None and limit < 0):
        raise ValueError("limit and offset must not be negative")
    alerts = _mine(session, principal, statuses)
    page = alerts[offset:] if limit is None else alerts[offset : offset + limit]
    found = [_summary(session, principal, a) for a in page]
    details: dict[str, object] = {
        "alerts": [str(a.id) for a in found],
        "children": sorted({str(c.child_id) for a in found for c in a.children}),
        "statuses": list(statuses),
    }
    if limit is not None or offset:
        details |= {"total": len(alerts), "limit": limit, "offset": offset}
    audit.record(session, "alerts.list", principal.actor, purpose=PURPOSE, details=details)
    return AlertsPage(total=len(alerts), alerts=found)


def alerts_for(
    session: Session, principal: Principal, *, statuses: tuple[str, ...] = (NEW, SEEN)
) -> list[AlertSummary]:
    """All the reader's alerts in these statuses, new first, then the latest fired. Audited."""
    return alerts_page(session, principal, statuses=statuses).alerts


def count_new(session: Session, principal: Principal) -> int:
    """How many new alerts the person has (for a badge on every page: no personal data, not audited)."""
    if not principal.can(Permission.ALERTS_READ) or principal.kind != "user":
        return 0
    return len(_mine(session, principal, (NEW,)))


def _addressed(session: Session, principal: Principal, alert_id: uuid.UUID) -> Alert:
    _ensure(principal)
    alert = session.get(Alert, alert_id)
    if alert is None or not may_read(session, principal, alert):
        raise NotFoundError("Alert not found")
    return alert


def _agency_names(session: Session) -> dict[uuid.UUID, str]:
    return {a.id: a.name for a in session.scalars(select(Agency))}


def _subject(alert: Alert, network: bool, carried: bool) -> str:
    """What the alert is about. ``carried``: the viewer sees at least one of the hub's records naming it (a
    mark or an adult read from a restricted concern is not named to someone who may not see that concern)."""
    ref = alert.details.get("entity") or (
        f"vehicle:{alert.details['registration']}" if "registration" in alert.details else None
    )
    if not isinstance(ref, str):
        return ""
    entity = EntityRef.parse(ref)
    kind = KIND_LABELS.get(Kind(entity.kind), entity.kind)
    if carried and (entity.kind == Kind.VEHICLE or (network and entity.kind != Kind.DRIVER)):
        return f"{kind} {entity.key}" if entity.kind == Kind.VEHICLE else f"{kind}: {entity.key}"
    return f"{kind} (details for the MASH and police)"


SUBJECT_DETAILS = ("entity", "registration")
NETWORK_DETAILS = ("drivers", "entity")


def alert_detail(
    session: Session, principal: Principal, alert_id: uuid.UUID, context: Context
) -> AlertDetail:
    """One alert with the records that fired it, as far as the viewer may see them. Audited with the
    children and records shown."""
    alert = _addressed(session, principal, alert_id)
    network = principal.can(Permission.NETWORK_READ)
    names = _agency_names(session)
    shown: list[RecordShown] = []
    withheld = 0
    for record in session.scalars(
        select(AlertRecord)
        .where(AlertRecord.alert_id == alert.id)
        .order_by(AlertRecord.added_at, AlertRecord.id)
    ):
        how, seen = record_as_seen(session, principal, record, names, network)
        if seen is not None:
            shown.append(seen)
        elif how is Shown.WITHHELD:
            withheld += 1
    drivers: list[str] = []
    if network:
        for person_id in alert.details.get("drivers", []) or []:
            person = session.get(Person, uuid.UUID(str(person_id)))
            if person is not None:
                drivers.append(f"{person.forenames} {person.surname}")
    rule = session.get(AlertRule, alert.rule_id)
    history = [
        EventShown(e.kind, e.at, e.by, e.note)
        for e in session.scalars(
            select(AlertEvent)
            .where(AlertEvent.alert_id == alert.id)
            .order_by(AlertEvent.at, AlertEvent.created_at, AlertEvent.id)
        )
    ]
    carried = any(r.child_id is not None for r in shown)
    hidden = {*(() if network else NETWORK_DETAILS), *(() if carried else SUBJECT_DETAILS)}
    safe_details = {k: v for k, v in alert.details.items() if k not in hidden}
    summary = _summary(session, principal, alert)
    audit.record(
        session,
        "alerts.alert.read",
        principal.actor,
        object_type="alert",
        object_id=alert.id,
        purpose=PURPOSE,
        context=context,
        details={
            "children": [str(c.child_id) for c in summary.children],
            "records": [f"{r.record_kind}:{r.record_id}" for r in shown],
            "records_shown": len(shown),
            "withheld": withheld,
        },
    )
    return AlertDetail(
        summary=summary,
        rule_label=rule.label if rule else alert.title,
        subject=_subject(alert, network, carried),
        drivers=drivers,
        records=shown,
        withheld_records=withheld,
        history=history,
        details=safe_details,
        may_change_status=addressed_mash(session, principal, alert.id),
    )


def _actionable(session: Session, principal: Principal, alert_id: uuid.UUID) -> Alert:
    """The status is the MASH's: a lead professional reads the alert but does not mark it seen or close it
    (their "seen" would take it off the MASH's new alerts)."""
    alert = _addressed(session, principal, alert_id)
    if not addressed_mash(session, principal, alert.id):
        raise PermissionDenied("Only the MASH the alert is addressed to marks it seen or closes it")
    return alert


def _change(
    session: Session,
    principal: Principal,
    alert: Alert,
    status: str,
    kind: str,
    note: str | None,
    context: Context,
    now: datetime,
) -> Alert:
    alert.status, alert.status_at, alert.status_by = status, now, principal.label
    if status == CLOSED:
        alert.open_key = None
    session.add(
        AlertEvent(
            alert_id=alert.id,
            kind=kind,
            at=now,
            by_user_id=principal.id if principal.kind == "user" else None,
            by=principal.label,
            note=note,
        )
    )
    session.flush()
    audit.record(
        session,
        f"alerts.alert.{kind}",
        principal.actor,
        object_type="alert",
        object_id=alert.id,
        context=context,
        details={"status": status},
    )
    return alert


def mark_seen(
    session: Session,
    principal: Principal,
    alert_id: uuid.UUID,
    context: Context,
    *,
    now: datetime | None = None,
) -> Alert:
    """A new alert marked seen by a user of an addressed MASH (nothing changes if it is not new)."""
    alert = _actionable(session, principal, alert_id)
    if alert.status != NEW:
        return alert
    return _change(session, principal, alert, SEEN, "seen", None, context, now or utcnow())


def close_alert(
    session: Session,
    principal: Principal,
    alert_id: uuid.UUID,
    note: str,
    context: Context,
    *,
    now: datetime | None = None,
) -> Alert:
    """Close an alert, saying what was done (a user of an addressed MASH: a person's account, never a
    token's). New facts later raise a new alert."""
    alert = _actionable(session, principal, alert_id)
    if principal.kind != "user":
        raise PermissionDenied("Closing an alert says what was done about it: a named person closes it")
    if alert.status == CLOSED:
        raise Conflict("This alert is already closed")
    form = Form()
    text = form.text("note", note, required="Say what was done about this alert")
    form.check()
    return _change(session, principal, alert, CLOSED, "closed", text, context, now or utcnow())
