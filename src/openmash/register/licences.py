"""Recording decisions on licences: the rules every decision event obeys and how a licence's status follows
from its events. `record_event` adds one event (pages, API); an import writes many at once with the same rules
(`check_decision`, `dedupe_key`, `event_values`, `status_of`).

Events are never edited. The same decision sent twice is recorded once; a correction is a new event that
supersedes an earlier one, and the superseded event no longer counts towards the licence's status.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from openmash.db.base import utcnow
from openmash.errors import ValidationFailed
from openmash.register.models import Licence, LicenceEvent

# What a licence is after each kind of event.
STATUS_AFTER = {
    "applied": "applied",
    "granted": "licensed",
    "renewed": "licensed",
    "refused": "refused",
    "suspended": "suspended",
    "suspension_lifted": "licensed",
    "revoked": "revoked",
    "surrendered": "surrendered",
    "expired": "expired",
}
NEEDS_REASON = frozenset({"refused", "suspended", "revoked"})
REASONS = frozenset({"sexual_offence_or_safeguarding", "violence", "dishonesty", "drugs", "driving", "other"})
SAFEGUARDING_REASONS = frozenset({"sexual_offence_or_safeguarding"})


class Decision(Protocol):
    """What the status rule reads of an event: a stored LicenceEvent, or one an import is about to write."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def kind(self) -> str: ...
    @property
    def event_date(self) -> date: ...
    @property
    def recorded_at(self) -> datetime: ...
    @property
    def supersedes_id(self) -> uuid.UUID | None: ...


def dedupe_key(kind: str, event_date: date, reason_category: str | None) -> str:
    return f"{kind}|{event_date.isoformat()}|{reason_category or ''}"


def status_of(events: Iterable[Decision]) -> tuple[str, date] | None:
    """The licence's status and since when: its latest event that no other event supersedes."""
    events = list(events)
    superseded = {e.supersedes_id for e in events if e.supersedes_id is not None}
    live = [e for e in events if e.id not in superseded]
    if not live:
        return None
    latest = max(live, key=lambda e: (e.event_date, e.recorded_at))
    return STATUS_AFTER[latest.kind], latest.event_date


def check_decision(kind: str, reason_category: str | None) -> None:
    """The rules every decision obeys, wherever it is recorded (page, API, import)."""
    errors: dict[str, str] = {}
    if kind not in STATUS_AFTER:
        errors["event"] = "Select the decision"
    if reason_category is not None and reason_category not in REASONS:
        errors["reason_category"] = "Select the reason"
    elif kind in NEEDS_REASON and reason_category is None:
        errors["reason_category"] = "Select the reason for a refusal, suspension or revocation"
    elif kind not in NEEDS_REASON and reason_category is not None:
        errors["reason_category"] = "Only refusals, suspensions and revocations have a reason"
    if errors:
        raise ValidationFailed(errors)


def event_values(
    licence_id: uuid.UUID,
    *,
    kind: str,
    event_date: date,
    reason_category: str | None,
    recorded_by: str,
    source: str,
    note: str | None,
    supersedes_id: uuid.UUID | None,
    recorded_at: datetime,
) -> dict[str, Any]:
    """The columns of a new decision event, whether it is written one at a time (record_event) or in bulk
    (an import). The id is known before the write, so a correction can name it at once."""
    return {
        "id": uuid.uuid4(),
        "licence_id": licence_id,
        "kind": kind,
        "event_date": event_date,
        "reason_category": reason_category,
        "note": note,
        "supersedes_id": supersedes_id,
        "recorded_at": recorded_at,
        "recorded_by": recorded_by,
        "source": source,
        "dedupe_key": dedupe_key(kind, event_date, reason_category),
    }


def record_event(
    session: Session,
    licence: Licence,
    *,
    kind: str,
    event_date: date,
    reason_category: str | None,
    recorded_by: str,
    source: str,
    note: str | None = None,
    supersedes: LicenceEvent | None = None,
) -> LicenceEvent | None:
    """Add a decision to a licence and bring its status up to date; None if it was already recorded."""
    check_decision(kind, reason_category)
    key = dedupe_key(kind, event_date, reason_category)
    if any(e.dedupe_key == key for e in licence.events):
        return None
    if supersedes is not None and supersedes.licence_id != licence.id:
        raise ValidationFailed({"supersedes": "A correction must be to an event on the same licence"})
    event = LicenceEvent(
        **event_values(
            licence.id,
            kind=kind,
            event_date=event_date,
            reason_category=reason_category,
            recorded_by=recorded_by,
            source=source,
            note=note,
            supersedes_id=supersedes.id if supersedes else None,
            recorded_at=utcnow(),
        )
    )
    licence.events.append(event)
    session.add(event)
    current = status_of(licence.events)
    if current is not None:
        licence.status, licence.status_since = current
    return event
