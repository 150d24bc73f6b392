"""What a concern mentions besides the child: adults by name, phone numbers, addresses (or postcodes).

Recorded by the agency that recorded the concern, in the same transaction or later (a mention can only be
added, never changed: a wrong one is corrected by correcting the concern and recording the mentions on the
correction, since only a concern's current version links). Each value is kept as typed (trimmed) with its
normalised key (``network.normalise``); the same key twice on one concern is kept once. Audited with the kinds
and counts, not the values (the audit is read more widely than the record).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.db.base import utcnow
from openmash.errors import NotFoundError, PermissionDenied, ValidationFailed
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.network.links import Kind
from openmash.network.models import ConcernMention
from openmash.network.normalise import normalise_address, normalise_adult, normalise_phone
from openmash.safeguarding.models import Concern

VALUE_MAX_LENGTH = 300
MAX_PER_KIND = 20


@dataclass(frozen=True)
class MentionsInput:
    adults: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)


def _read(data: MentionsInput) -> tuple[list[tuple[str, str, str, str | None]], dict[str, str]]:
    """(kind, value, key, postcode) for each value given, and the problems, field by field."""
    found: list[tuple[str, str, str, str | None]] = []
    errors: dict[str, str] = {}
    fields = (("adults", Kind.ADULT, data.adults), ("phones", Kind.PHONE, data.phones))
    for name, kind, values in (*fields, ("addresses", Kind.ADDRESS, data.addresses)):
        given = [v.strip() for v in values if v and v.strip()]
        if len(given) > MAX_PER_KIND:
            errors[name] = f"Give at most {MAX_PER_KIND}"
            continue
        for index, value in enumerate(given):
            problem = f"{name}-{index}"
            if len(value) > VALUE_MAX_LENGTH:
                errors[problem] = f"This must be {VALUE_MAX_LENGTH} characters or fewer"
            elif kind is Kind.ADULT:
                key = normalise_adult(value)
                if key is None:
                    errors[problem] = "Enter the adult's name as the child or you know it"
                else:
                    found.append((kind, value, key, None))
            elif kind is Kind.PHONE:
                key = normalise_phone(value)
                if key is None:
                    errors[problem] = "Enter a phone number, like 07700 900123 or +44 7700 900123"
                else:
                    found.append((kind, value, key, None))
            else:
                address = normalise_address(value)
                if address is None:
                    errors[problem] = "Enter an address or a postcode"
                else:
                    found.append((kind, value, address[0], address[1]))
    return found, errors


def record_mentions(
    session: Session,
    principal: Principal,
    concern_id: uuid.UUID,
    data: MentionsInput,
    context: Context,
    *,
    now: datetime | None = None,
) -> list[ConcernMention]:
    """Add what a concern mentions (by the agency that recorded the concern); returns the new mentions."""
    if not principal.can(Permission.CONCERNS_RECORD):
        raise PermissionDenied("You do not have permission to record concerns about children")
    concern = session.get(Concern, concern_id)
    if concern is None:
        raise NotFoundError("Concern not found")
    if concern.agency_id != principal.agency_id:
        raise PermissionDenied("Only the agency that recorded a concern adds what it mentions")
    found, errors = _read(data)
    if errors:
        raise ValidationFailed(errors)
    now = now or utcnow()
    held = {
        (m.kind, m.key)
        for m in session.scalars(select(ConcernMention).where(ConcernMention.concern_id == concern.id))
    }
    made: list[ConcernMention] = []
    for kind, value, key, postcode in found:
        if (kind, key) in held:
            continue
        held.add((kind, key))
        mention = ConcernMention(
            id=uuid.uuid4(),
            concern_id=concern.id,
            child_id=concern.child_id,
            agency_id=principal.agency_id,
            kind=kind,
            value=value,
            key=key,
            postcode=postcode,
            recorded_by_user_id=principal.id if principal.kind == "user" else None,
            recorded_by=principal.label,
            recorded_at=now,
        )
        session.add(mention)
        made.append(mention)
    session.flush()
    if made:
        audit.record(
            session,
            "network.mentions.record",
            principal.actor,
            object_type="child_concern",
            object_id=concern.id,
            context=context,
            details={
                "child_id": str(concern.child_id),
                "kinds": {k: sum(1 for m in made if m.kind == k) for k in sorted({m.kind for m in made})},
            },
        )
    return made


def mentions_of(session: Session, concern_id: uuid.UUID) -> list[ConcernMention]:
    """A concern's mentions (for showing the concern to those who may see it)."""
    return list(
        session.scalars(
            select(ConcernMention)
            .where(ConcernMention.concern_id == concern_id)
            .order_by(ConcernMention.kind, ConcernMention.recorded_at, ConcernMention.id)
        )
    )
