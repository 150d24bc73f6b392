"""An officer records a decision on one of their own authority's licences, and the duty to share follows.

Only the licence's own authority records on it. A correction is a new decision naming the one it supersedes
(events are never edited). When the decision is a refusal, suspension or revocation for a reason that is
"relevant information" under the 2022 Act, every other authority that currently licenses the same person is
told at once, in the same transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session, selectinload

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.errors import NotFoundError, PermissionDenied, ValidationFailed
from openmash.identity.models import Agency
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.register import labels, licences, notices
from openmash.register.models import Licence, LicenceEvent, Person
from openmash.register.workdays import uk_today

NOTE_MAX_LENGTH = 5000

SHARED_DECISIONS: frozenset[str] = frozenset({"refused", "suspended", "revoked"})
"""The decisions the Taxis and Private Hire Vehicles (Safeguarding and Road Safety) Act 2022, s.2, puts on the
national database: a refusal (including a refused renewal), a suspension or a revocation."""

RELEVANT_INFORMATION_REASONS: frozenset[str] = frozenset(
    {"sexual_offence_or_safeguarding", "violence", "driving"}
)
"""Reason categories that are "relevant information" under the Taxis and Private Hire Vehicles (Safeguarding
and Road Safety) Act 2022 (s.2 and s.5): information about a sexual offence (charged or not), harassment,
physical or psychological harm, an offence risking harm, or a risk to road safety.

- ``sexual_offence_or_safeguarding`` covers sexual offences, harassment and safeguarding (harm to a child or a
  vulnerable passenger);
- ``violence`` covers physical or psychological harm and offences risking it;
- ``driving`` covers risks to road safety.

``dishonesty`` is not on the Act's list. ``drugs`` and ``other`` say too little on their own: a drugs
decision that involved harm or a risk to children (supplying a child, drug-driving) belongs under
safeguarding, violence or driving, and the recording authority chooses the category. Widen this set if policy
changes: it is the only place the duty to share reads it from."""


def is_relevant_decision(kind: str, reason_category: str | None) -> bool:
    """A refusal, suspension or revocation on relevant information: the duty to share applies."""
    return kind in SHARED_DECISIONS and reason_category in RELEVANT_INFORMATION_REASONS


@dataclass(frozen=True)
class LicenceForDecision:
    """What the decision form shows: one of the officer's own authority's licences and its history."""

    licence: Licence
    person: Person
    live_events: list[LicenceEvent]  # those a correction may supersede, latest first


def ensure_may_record(principal: Principal, licence: Licence) -> None:
    """Agency scoping: only the licence's own authority's officers record decisions on it."""
    if not principal.can(Permission.REGISTER_RECORD):
        raise PermissionDenied("You do not have permission to record decisions")
    if principal.agency_id != licence.authority_id:
        raise PermissionDenied("Only the authority that issued this licence can record decisions on it")


def _load(session: Session, licence_id: uuid.UUID) -> Licence:
    licence = session.get(Licence, licence_id, options=[selectinload(Licence.events)])
    if licence is None:
        raise NotFoundError("Licence not found")
    return licence


def licence_for_decision(session: Session, principal: Principal, licence_id: uuid.UUID) -> LicenceForDecision:
    licence = _load(session, licence_id)
    ensure_may_record(principal, licence)
    superseded = {e.supersedes_id for e in licence.events if e.supersedes_id}
    live = [e for e in licence.events if e.id not in superseded]
    live.sort(key=lambda e: (e.event_date, e.recorded_at), reverse=True)
    return LicenceForDecision(licence=licence, person=licence.person, live_events=live)


def _check(
    licence: Licence,
    kind: str,
    event_date: date | None,
    reason_category: str | None,
    note: str | None,
    supersedes_id: uuid.UUID | None,
    today: date,
) -> LicenceEvent | None:
    """Every rule at once, so the form shows every problem; returns the event a correction supersedes."""
    errors: dict[str, str] = {}
    try:
        licences.check_decision(kind, reason_category)
    except ValidationFailed as exc:
        errors.update({("kind" if k == "event" else k): v for k, v in exc.fields.items()})
    if event_date is None:
        errors["event_date"] = "Enter the date of the decision"
    elif event_date > today:
        errors["event_date"] = "The date of the decision must be today or in the past"
    if note is not None and len(note) > NOTE_MAX_LENGTH:
        errors["note"] = f"The note must be {NOTE_MAX_LENGTH} characters or fewer"
    supersedes = None
    if supersedes_id is not None:
        supersedes = next((e for e in licence.events if e.id == supersedes_id), None)
        if supersedes is None:
            errors["supersedes_id"] = "A correction must replace a decision on this licence"
        elif any(e.supersedes_id == supersedes_id for e in licence.events):
            errors["supersedes_id"] = "That decision has already been corrected"
    if errors:
        raise ValidationFailed(errors)
    return supersedes


def _summary(authority: Agency, licence: Licence, event: LicenceEvent, corrected: LicenceEvent | None) -> str:
    text = (
        f"{authority.name} ({authority.code}) recorded {labels.DECISION_NOUNS[event.kind]} of a "
        f"{labels.licence_type(licence.licence_type)} licence on {event.event_date:%-d %B %Y}"
    )
    if event.reason_category:
        text += f", reason: {labels.reason(event.reason_category)}"
    if corrected is not None:
        text += (
            f". It corrects {labels.DECISION_NOUNS[corrected.kind]} dated {corrected.event_date:%-d %B %Y}"
            + (f" ({labels.reason(corrected.reason_category)})" if corrected.reason_category else "")
            + ", which no longer stands"
        )
    return text + (
        ". Your authority licenses the same person: consider your own licence, and ask them for details."
    )


def record_decision(
    session: Session,
    principal: Principal,
    licence_id: uuid.UUID,
    *,
    kind: str,
    event_date: date | None,
    reason_category: str | None,
    note: str | None,
    supersedes_id: uuid.UUID | None,
    context: Context,
    today: date | None = None,
) -> LicenceEvent:
    """Record a decision (from a page as source "web", from a token as "api"), notify under the duty to
    share, and audit it all in the caller's transaction."""
    licence = _load(session, licence_id)
    ensure_may_record(principal, licence)
    reason_category = reason_category or None
    note = (note or "").strip() or None
    supersedes = _check(licence, kind, event_date, reason_category, note, supersedes_id, today or uk_today())
    assert event_date is not None
    event = licences.record_event(
        session,
        licence,
        kind=kind,
        event_date=event_date,
        reason_category=reason_category,
        recorded_by=principal.label,
        source="api" if principal.kind == "token" else "web",
        note=note,
        supersedes=supersedes,
    )
    if event is None:
        raise ValidationFailed({"kind": "This decision, with this date and reason, is already recorded"})
    session.flush()
    notified: list[Agency] = []
    corrects_shared = supersedes is not None and is_relevant_decision(
        supersedes.kind, supersedes.reason_category
    )
    if is_relevant_decision(kind, reason_category) or corrects_shared:
        authority = session.get(Agency, licence.authority_id)
        assert authority is not None
        relevant = is_relevant_decision(kind, reason_category)
        notice_kind = "duty_to_share_decision" if relevant else "duty_to_share_correction"
        summary = _summary(authority, licence, event, supersedes if corrects_shared else None)
        notified = notices.current_authorities(session, licence.person_id, exclude=licence.authority_id)
        for agency in notified:
            notices.notify(
                session,
                agency.id,
                kind=notice_kind,
                summary=summary,
                person_id=licence.person_id,
                from_agency_id=authority.id,
                licence_event_id=event.id,
            )
    audit.record(
        session,
        "register.decision.record",
        principal.actor,
        object_type="licence_event",
        object_id=event.id,
        context=context,
        details={
            "licence_id": str(licence.id),
            "licence_ref": licence.authority_licence_ref,
            "kind": kind,
            "event_date": event_date.isoformat(),
            "reason_category": reason_category,
            "supersedes": str(supersedes.id) if supersedes else None,
            "source": event.source,
            "notified": [a.code for a in notified],
        },
    )
    return event
