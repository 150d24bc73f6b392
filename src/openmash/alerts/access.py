"""Who may read and act on an alert, and what of it each reader sees (docs/decisions/0007).

- The MASH users of an addressed MASH read the alert and change its status (seen, closed): the status is
  the MASH's. A lead professional reads, never changes it (their "seen" would hide it from the MASH).
- A lead professional named on an alert reads it only while still the lead professional of one of its
  children, only when it does not come from the driver register (a driver's safeguarding record, a licence
  decision, a driver reached through the register: MASH and police only), and only when they may see at
  least one of its records. The same test decides who is e-mailed (``senders``).
- Each record is shown, withheld (counted: another agency's record, another child's) or hidden (a restricted
  category the reader's roles are not named in: not even counted, as in the chronology), by
  ``safeguarding.visibility``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.alerts.models import Alert, AlertChild, AlertRecipient, AlertRecord
from openmash.alerts.rules import RuleKind
from openmash.identity.permissions import AgencyType
from openmash.identity.principal import Principal
from openmash.network.models import ConcernMention
from openmash.register.models import DriverConcern, LicenceEvent
from openmash.safeguarding.models import Child, Concern
from openmash.safeguarding.models_care import HelpRequest, MissingEpisode, MissingReturn
from openmash.safeguarding.models_gate import GateSighting
from openmash.safeguarding.models_support import CourtDate, SupportItem
from openmash.safeguarding.visibility import Sight, concern_sight, knows_child, may_see_record, scope_for

REGISTER_KINDS = frozenset({"driver_concern", "licence_event"})
REGISTER_RULES = frozenset({str(RuleKind.GATE_DRIVER_FLAGGED)})
DRIVER_SUBJECT = "entity:driver:"


def register_based(rule_kind: str, subject_key: str, record_kinds: Iterable[str]) -> bool:
    """Whether an alert's facts come from the driver register: addressed to the MASH only."""
    return (
        rule_kind in REGISTER_RULES
        or subject_key.startswith(DRIVER_SUBJECT)
        or bool(set(record_kinds) & REGISTER_KINDS)
    )


def is_mash(principal: Principal) -> bool:
    return principal.agency_type is AgencyType.CHILDRENS_SOCIAL_CARE


def addressed_mash(session: Session, principal: Principal, alert_id: uuid.UUID) -> bool:
    """A user of a MASH the alert is addressed to."""
    if not is_mash(principal):
        return False
    found = session.scalar(
        select(AlertRecipient.id).where(
            AlertRecipient.alert_id == alert_id, AlertRecipient.agency_id == principal.agency_id
        )
    )
    return found is not None


class Shown(StrEnum):
    SHOWN = "shown"
    WITHHELD = "withheld"
    HIDDEN = "hidden"


@dataclass(frozen=True)
class RecordShown:
    record_kind: str
    record_id: uuid.UUID
    child_id: uuid.UUID | None
    when: datetime | date | None
    agency_name: str
    description: str


def _register_record(
    session: Session, kind: str, rid: uuid.UUID, names: dict[uuid.UUID, str]
) -> RecordShown | None:
    if kind == "driver_concern":
        concern = session.get(DriverConcern, rid)
        if concern is None:
            return None
        when = concern.occurred_on or concern.recorded_at
        text = "Register: safeguarding concern about the driver"
        return RecordShown(kind, rid, None, when, names.get(concern.agency_id, ""), text)
    event = session.get(LicenceEvent, rid)
    if event is None:
        return None
    text = f"Register: licence {event.kind} for {event.reason_category}"
    return RecordShown(kind, rid, None, event.event_date, "", text)


_CARE: dict[str, tuple[type[Any], str, str]] = {
    "missing_episode": (MissingEpisode, "missing_since", "Reported missing"),
    "missing_return": (MissingReturn, "returned_at", "Return from missing"),
    "help_request": (HelpRequest, "asked_at", "Request for help"),
    "gate_sighting": (GateSighting, "checked_at", "Gate check"),
    "court_date": (CourtDate, "held_on", "Court date"),
    "support_item": (SupportItem, "started_on", "Support item"),
}


def record_as_seen(
    session: Session, principal: Principal, record: AlertRecord, names: dict[uuid.UUID, str], register: bool
) -> tuple[Shown, RecordShown | None]:
    """One record as the viewer may see it: shown, withheld (counted) or hidden (restricted: not counted)."""
    kind, rid = record.record_kind, record.record_id
    if kind in REGISTER_KINDS:
        found = _register_record(session, kind, rid, names) if register else None
        return (Shown.SHOWN, found) if found is not None else (Shown.HIDDEN, None)
    child = session.get(Child, record.child_id) if record.child_id else None
    if child is None or not knows_child(session, principal, child):
        return Shown.WITHHELD, None
    scope = scope_for(principal, child)
    if kind in ("concern", "concern_mention"):
        concern_id = rid
        if kind == "concern_mention":
            mention = session.get(ConcernMention, rid)
            if mention is None:
                return Shown.WITHHELD, None
            concern_id = mention.concern_id
        about = session.get(Concern, concern_id)
        if about is None:
            return Shown.WITHHELD, None
        # The concern as its correction chain now lets the reader see it (``visibility.concern_sight``).
        sight = concern_sight(session, principal, scope, about)
        if sight is not Sight.SHOWN:
            return (Shown.HIDDEN if sight is Sight.HIDDEN else Shown.WITHHELD), None
        label = about.category.label
        what = label if kind == "concern" else f"Mentioned in a concern ({label})"
        agency = names.get(about.agency_id, "")
        return Shown.SHOWN, RecordShown(kind, rid, child.id, about.occurred_at, agency, what)
    if kind not in _CARE:
        return Shown.WITHHELD, None
    model, when, label = _CARE[kind]
    row: Any = session.get(model, rid)
    if row is None or not may_see_record(principal, scope, row.agency_id, row.shared_with_police):
        return Shown.WITHHELD, None
    if isinstance(row, GateSighting):
        label = f"Gate check of {row.vehicle_registration} ({'licensed' if row.licensed else 'not licensed'})"
    elif isinstance(row, CourtDate):
        label = f"Court: {row.kind}" + (f" ({row.outcome})" if row.outcome else "")
    elif isinstance(row, SupportItem):
        label = f"Support item not open: {row.description} (owner {row.owner})"
    return Shown.SHOWN, RecordShown(
        kind, rid, child.id, getattr(row, when), names.get(row.agency_id, ""), label
    )


def _records(session: Session, alert_id: uuid.UUID) -> list[AlertRecord]:
    return list(
        session.scalars(
            select(AlertRecord)
            .where(AlertRecord.alert_id == alert_id)
            .order_by(AlertRecord.added_at, AlertRecord.id)
        )
    )


def lead_may_read(session: Session, principal: Principal, alert: Alert) -> bool:
    """A named lead professional's alert: still lead of one of its children, not from the register, and at
    least one of its records visible to them."""
    if principal.kind != "user":
        return False
    lead = session.scalar(
        select(AlertChild.id)
        .join(Child, Child.id == AlertChild.child_id)
        .where(AlertChild.alert_id == alert.id, Child.lead_professional_user_id == principal.id)
    )
    if lead is None:
        return False
    records = _records(session, alert.id)
    if register_based(alert.kind, alert.subject_key, (r.record_kind for r in records)):
        return False
    return any(record_as_seen(session, principal, r, {}, False)[0] is Shown.SHOWN for r in records)


def may_read(session: Session, principal: Principal, alert: Alert) -> bool:
    """Whether the alert is the reader's now: their MASH's, or theirs as a named lead professional."""
    if addressed_mash(session, principal, alert.id):
        return True
    if principal.kind != "user":
        return False  # a token is its MASH's system, never a named lead professional
    named = session.scalar(
        select(AlertRecipient.id).where(
            AlertRecipient.alert_id == alert.id, AlertRecipient.user_id == principal.id
        )
    )
    return named is not None and lead_may_read(session, principal, alert)
