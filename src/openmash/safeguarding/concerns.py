"""Concerns about a child, recorded by any agency: court-safe.

A concern is never updated or deleted. This module offers no way to (the database refuses it too: migration
0006), and a correction is a new concern that names the one it corrects, with the reason; the chronology
shows both and marks the original as corrected. Only the recording agency corrects its own concern, once
(a later correction corrects the correction), and every changed field is written to the audit.

What is kept as typed: the child's own words, exactly (not even trimmed), because a court or a review may
turn on them. A vehicle's registration mark is put in the register's standard form (upper case, no spaces)
so that it meets the register's plate lookup.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.db.base import utcnow
from openmash.errors import Conflict, NotFoundError, PermissionDenied, ValidationFailed
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.register.identifiers import normalise_registration
from openmash.safeguarding.models import Concern, ConcernCategory
from openmash.safeguarding.visibility import get_child, may_correct, may_see_category

SUMMARY_MAX_LENGTH = 5000
WORDS_MAX_LENGTH = 10000
REASON_MAX_LENGTH = 2000
VEHICLE_DESCRIPTION_MAX_LENGTH = 300
# A clock a few minutes fast on the recorder's device is not a concern "in the future".
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class ConcernInput:
    """What the recorder wrote. ``occurred_at`` may be days or months back: the chronology orders by it."""

    category_code: str
    occurred_at: datetime
    summary: str
    childs_words: str | None = None
    vehicle_registration: str | None = None
    vehicle_description: str | None = None
    shared_with_police: bool = False


@dataclass(frozen=True)
class _Checked:
    category: ConcernCategory
    summary: str
    childs_words: str | None
    vehicle_registration: str | None
    vehicle_description: str | None


def _check(session: Session, principal: Principal, data: ConcernInput, now: datetime) -> _Checked:
    errors: dict[str, str] = {}
    category = session.scalars(
        select(ConcernCategory).where(ConcernCategory.code == data.category_code)
    ).first()
    if category is None or not category.active:
        errors["category"] = "Select the category of concern"
    elif not may_see_category(principal, category):
        errors["category"] = "This category is restricted: your role may not record in it"
    if data.occurred_at.tzinfo is None:
        errors["occurred_at"] = "Give the time with its time zone"
    elif data.occurred_at > now + CLOCK_SKEW:
        errors["occurred_at"] = "The time it happened must be now or in the past"
    summary = data.summary.strip()
    if not summary:
        errors["summary"] = "Describe the concern"
    elif len(summary) > SUMMARY_MAX_LENGTH:
        errors["summary"] = f"The description must be {SUMMARY_MAX_LENGTH} characters or fewer"
    # Kept exactly as typed; only a field left blank is "not given".
    words = data.childs_words if data.childs_words and data.childs_words.strip() else None
    if words is not None and len(words) > WORDS_MAX_LENGTH:
        errors["childs_words"] = f"The child's words must be {WORDS_MAX_LENGTH} characters or fewer"
    registration = None
    if data.vehicle_registration and data.vehicle_registration.strip():
        registration = normalise_registration(data.vehicle_registration)
        if registration is None:
            errors["vehicle_registration"] = "Enter a registration mark of 2 to 8 letters and numbers"
    description = (data.vehicle_description or "").strip() or None
    if description is not None and len(description) > VEHICLE_DESCRIPTION_MAX_LENGTH:
        errors["vehicle_description"] = (
            f"The description must be {VEHICLE_DESCRIPTION_MAX_LENGTH} characters or fewer"
        )
    if errors:
        raise ValidationFailed(errors)
    assert category is not None
    return _Checked(category, summary, words, registration, description)


def _ensure_may_record(principal: Principal) -> None:
    if not principal.can(Permission.CONCERNS_RECORD):
        raise PermissionDenied("You do not have permission to record concerns about children")


def _new(
    principal: Principal, child_id: uuid.UUID, data: ConcernInput, checked: _Checked, now: datetime
) -> Concern:
    return Concern(
        id=uuid.uuid4(),
        child_id=child_id,
        agency_id=principal.agency_id,
        recorded_by_user_id=principal.id if principal.kind == "user" else None,
        recorded_by=principal.label,
        occurred_at=data.occurred_at,
        recorded_at=now,
        category_id=checked.category.id,
        category=checked.category,
        summary=checked.summary,
        childs_words=checked.childs_words,
        vehicle_registration=checked.vehicle_registration,
        vehicle_description=checked.vehicle_description,
        shared_with_police=data.shared_with_police,
    )


def _facts(concern: Concern) -> dict[str, Any]:
    """What the audit keeps of a concern (not its text: the audit is read more widely than the record)."""
    return {
        "child_id": str(concern.child_id),
        "category": concern.category.code,
        "occurred_at": concern.occurred_at.isoformat(),
        "shared_with_police": concern.shared_with_police,
        "vehicle_registration": concern.vehicle_registration,
    }


def record_concern(
    session: Session,
    principal: Principal,
    child_id: uuid.UUID,
    data: ConcernInput,
    context: Context,
    *,
    now: datetime | None = None,
) -> Concern:
    """Record a concern about a child; the recorded time is the server's. Audited."""
    _ensure_may_record(principal)
    child = get_child(session, child_id)
    now = now or utcnow()
    checked = _check(session, principal, data, now)
    concern = _new(principal, child.id, data, checked, now)
    session.add(concern)
    session.flush()
    audit.record(
        session,
        "safeguarding.concern.record",
        principal.actor,
        object_type="child_concern",
        object_id=concern.id,
        context=context,
        details=_facts(concern),
    )
    return concern


def correct_concern(
    session: Session,
    principal: Principal,
    concern_id: uuid.UUID,
    data: ConcernInput,
    reason: str,
    context: Context,
    *,
    now: datetime | None = None,
) -> Concern:
    """Correct a concern with a new one that names it and gives the reason. The original stays as it was."""
    _ensure_may_record(principal)
    original = session.get(Concern, concern_id)
    if original is None:
        raise NotFoundError("Concern not found")
    if not may_correct(principal, original):
        raise PermissionDenied("Only the agency that recorded a concern may correct it")
    if session.scalar(select(Concern.id).where(Concern.corrects_id == original.id)) is not None:
        raise Conflict("This concern has already been corrected: correct the latest version")
    now = now or utcnow()
    reason = reason.strip()
    problems: dict[str, str] = {}
    if not reason:
        problems["reason"] = "Give the reason for the correction"
    elif len(reason) > REASON_MAX_LENGTH:
        problems["reason"] = f"The reason must be {REASON_MAX_LENGTH} characters or fewer"
    try:
        checked = _check(session, principal, data, now)
    except ValidationFailed as failed:
        raise ValidationFailed({**failed.fields, **problems}) from None
    if problems:
        raise ValidationFailed(problems)
    correction = _new(principal, original.child_id, data, checked, now)
    correction.corrects_id = original.id
    correction.correction_reason = reason
    session.add(correction)
    session.flush()
    before, after = _facts(original), _facts(correction)
    changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    for name in ("summary", "childs_words", "vehicle_description"):
        if getattr(original, name) != getattr(correction, name):
            changed[name] = {"changed": True}
    audit.record(
        session,
        "safeguarding.concern.correct",
        principal.actor,
        object_type="child_concern",
        object_id=correction.id,
        context=context,
        details={"corrects": str(original.id), "reason": reason, "changed": changed},
    )
    return correction


def corrected_ids(session: Session, child_id: uuid.UUID) -> set[uuid.UUID]:
    """The child's concerns that a later concern corrects (no longer the current version)."""
    return set(
        session.scalars(
            select(Concern.corrects_id).where(Concern.child_id == child_id, Concern.corrects_id.is_not(None))
        )
    )


def current_concerns(session: Session, child_id: uuid.UUID) -> list[Concern]:
    """Every agency's concerns about the child in their latest version, oldest first (for risk screening,
    which the MASH runs over the whole record)."""
    replaced = corrected_ids(session, child_id)
    return [
        c
        for c in session.scalars(
            select(Concern).where(Concern.child_id == child_id).order_by(Concern.occurred_at, Concern.id)
        )
        if c.id not in replaced
    ]
