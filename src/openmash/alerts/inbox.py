"""Alerts in the app: the list of a person's alerts (their MASH's, and those naming them as a child's lead
professional), one alert with the records that fired it, and its status (seen, closed) with who and when.

Need-to-know applies inside an alert too. The MASH sees everything. A lead professional sees by name only the
children whose whole record they may see or their agency knows (others are counted: "and 2 other
children"), only the records the concern rule lets them see, and nothing from the driver register: the
driver behind a vehicle and the register's records are for the MASH and police (``NETWORK_READ``). Every
list and every alert opened is audited with a fixed purpose, as the hub's other work lists are.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from openmash.alerts.engine import CLOSED, NEW, SEEN
from openmash.alerts.models import Alert, AlertChild, AlertEvent, AlertRecipient, AlertRecord, AlertRule
from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.db.base import utcnow
from openmash.errors import Conflict, NotFoundError, PermissionDenied
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import Principal
from openmash.network.links import KIND_LABELS, EntityRef, Kind
from openmash.network.models import ConcernMention
from openmash.register.models import DriverConcern, LicenceEvent, Person
from openmash.safeguarding.checks import Form
from openmash.safeguarding.models import Child, Concern
from openmash.safeguarding.models_care import HelpRequest, MissingEpisode, MissingReturn
from openmash.safeguarding.models_gate import GateSighting
from openmash.safeguarding.status import Badge, badges
from openmash.safeguarding.visibility import Scope, connected, may_see_concern, may_see_record, scope_for

PURPOSE = "act on alerts addressed to me"
REGISTER_KINDS = frozenset({"driver_concern", "licence_event"})


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
class RecordShown:
    record_kind: str
    record_id: uuid.UUID
    child_id: uuid.UUID | None
    when: datetime | date | None
    agency_name: str
    description: str


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


def _ensure(principal: Principal) -> None:
    if not principal.can(Permission.ALERTS_READ) or principal.kind != "user":
        raise PermissionDenied("You do not have permission to see alerts")


def _is_mash(principal: Principal) -> bool:
    return principal.agency_type is AgencyType.CHILDRENS_SOCIAL_CARE


def _mine(principal: Principal) -> object:
    clauses = [AlertRecipient.user_id == principal.id]
    if _is_mash(principal):
        clauses.append(AlertRecipient.agency_id == principal.agency_id)
    return select(AlertRecipient.alert_id).where(or_(*clauses))


def _may_name(session: Session, principal: Principal, child: Child) -> bool:
    return scope_for(principal, child) is Scope.WHOLE or connected(session, principal, child)


def _summary(session: Session, principal: Principal, alert: Alert) -> AlertSummary:
    children = list(
        session.scalars(
            select(Child)
            .join(AlertChild, AlertChild.child_id == Child.id)
            .where(AlertChild.alert_id == alert.id)
            .order_by(Child.surname, Child.forenames, Child.id)
        )
    )
    shown = [c for c in children if _may_name(session, principal, c)]
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


def alerts_for(
    session: Session, principal: Principal, *, statuses: tuple[str, ...] = (NEW, SEEN)
) -> list[AlertSummary]:
    """The person's alerts in these statuses, new first, then the latest fired. Audited."""
    _ensure(principal)
    alerts = list(
        session.scalars(
            select(Alert)
            .where(Alert.id.in_(_mine(principal)), Alert.status.in_(statuses))  # type: ignore[arg-type]
            .order_by((Alert.status != NEW), Alert.last_fired_at.desc(), Alert.id)
        )
    )
    found = [_summary(session, principal, a) for a in alerts]
    audit.record(
        session,
        "alerts.list",
        principal.actor,
        purpose=PURPOSE,
        details={"alerts": [str(a.id) for a in found], "statuses": list(statuses)},
    )
    return found


def count_new(session: Session, principal: Principal) -> int:
    """How many new alerts the person has (for a badge on every page: no personal data, not audited)."""
    if not principal.can(Permission.ALERTS_READ) or principal.kind != "user":
        return 0
    return (
        session.scalar(
            select(func.count()).select_from(Alert).where(Alert.id.in_(_mine(principal)), Alert.status == NEW)  # type: ignore[arg-type]
        )
        or 0
    )


def _addressed(session: Session, principal: Principal, alert_id: uuid.UUID) -> Alert:
    _ensure(principal)
    alert = session.get(Alert, alert_id)
    if (
        alert is None
        or session.scalar(
            select(func.count())
            .select_from(AlertRecipient)
            .where(
                AlertRecipient.alert_id == alert_id,
                AlertRecipient.alert_id.in_(_mine(principal)),  # type: ignore[arg-type]
            )
        )
        == 0
    ):
        raise NotFoundError("Alert not found")
    return alert


def _agency_names(session: Session) -> dict[uuid.UUID, str]:
    return {a.id: a.name for a in session.scalars(select(Agency))}


def _record(
    session: Session, principal: Principal, record: AlertRecord, names: dict[uuid.UUID, str], register: bool
) -> RecordShown | None:
    """One record as the viewer may see it, or None when they may not."""
    kind, rid = record.record_kind, record.record_id
    if kind in REGISTER_KINDS:
        if not register:
            return None
        if kind == "driver_concern":
            concern = session.get(DriverConcern, rid)
            if concern is None:
                return None
            text = "Register: safeguarding concern about the driver"
            return RecordShown(
                kind,
                rid,
                None,
                concern.occurred_on or concern.recorded_at,
                names.get(concern.agency_id, ""),
                text,
            )
        event = session.get(LicenceEvent, rid)
        if event is None:
            return None
        return RecordShown(
            kind,
            rid,
            None,
            event.event_date,
            "",
            f"Register: licence {event.kind} for {event.reason_category}",
        )
    child = session.get(Child, record.child_id) if record.child_id else None
    if child is None or not _may_name(session, principal, child):
        return None
    scope = scope_for(principal, child)
    if kind in ("concern", "concern_mention"):
        concern_id = rid
        if kind == "concern_mention":
            mention = session.get(ConcernMention, rid)
            if mention is None:
                return None
            concern_id = mention.concern_id
        about = session.get(Concern, concern_id)
        if about is None or not may_see_concern(principal, scope, about):
            return None
        label = about.category.label
        what = label if kind == "concern" else f"Mentioned in a concern ({label})"
        return RecordShown(kind, rid, child.id, about.occurred_at, names.get(about.agency_id, ""), what)
    models: dict[str, tuple[type[Any], str, str]] = {
        "missing_episode": (MissingEpisode, "missing_since", "Reported missing"),
        "missing_return": (MissingReturn, "returned_at", "Return from missing"),
        "help_request": (HelpRequest, "asked_at", "Request for help"),
        "gate_sighting": (GateSighting, "checked_at", "Gate check"),
    }
    if kind not in models:
        return None
    model, when, label = models[kind]
    row: Any = session.get(model, rid)
    if row is None or not may_see_record(principal, scope, row.agency_id, row.shared_with_police):
        return None
    if isinstance(row, GateSighting):
        label = f"Gate check of {row.vehicle_registration} ({'licensed' if row.licensed else 'not licensed'})"
    return RecordShown(kind, rid, child.id, getattr(row, when), names.get(row.agency_id, ""), label)


def _subject(alert: Alert, network: bool) -> str:
    ref = alert.details.get("entity") or (
        f"vehicle:{alert.details['registration']}" if "registration" in alert.details else None
    )
    if not isinstance(ref, str):
        return ""
    entity = EntityRef.parse(ref)
    kind = KIND_LABELS.get(Kind(entity.kind), entity.kind)
    if entity.kind == Kind.VEHICLE or (network and entity.kind != Kind.DRIVER):
        return f"{kind} {entity.key}" if entity.kind == Kind.VEHICLE else f"{kind}: {entity.key}"
    return f"{kind} (details for the MASH and police)"


def alert_detail(
    session: Session, principal: Principal, alert_id: uuid.UUID, context: Context
) -> AlertDetail:
    """One alert with the records that fired it, as far as the viewer may see them. Audited."""
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
        seen = _record(session, principal, record, names, network)
        if seen is None:
            withheld += 1
        else:
            shown.append(seen)
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
    safe_details = {k: v for k, v in alert.details.items() if network or k not in ("drivers", "entity")}
    audit.record(
        session,
        "alerts.alert.read",
        principal.actor,
        object_type="alert",
        object_id=alert.id,
        purpose=PURPOSE,
        context=context,
        details={"records_shown": len(shown), "withheld": withheld},
    )
    return AlertDetail(
        summary=_summary(session, principal, alert),
        rule_label=rule.label if rule else alert.title,
        subject=_subject(alert, network),
        drivers=drivers,
        records=shown,
        withheld_records=withheld,
        history=history,
        details=safe_details,
    )


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
            alert_id=alert.id, kind=kind, at=now, by_user_id=principal.id, by=principal.label, note=note
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
    """A new alert marked seen by a person it is addressed to (nothing changes if it is not new)."""
    alert = _addressed(session, principal, alert_id)
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
    """Close an alert, saying what was done (a MASH user or the lead professional). New facts later raise a
    new alert."""
    alert = _addressed(session, principal, alert_id)
    if alert.status == CLOSED:
        raise Conflict("This alert is already closed")
    form = Form()
    text = form.text("note", note, required="Say what was done about this alert")
    form.check()
    return _change(session, principal, alert, CLOSED, "closed", text, context, now or utcnow())
