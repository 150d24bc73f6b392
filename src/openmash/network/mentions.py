"""What a concern mentions besides the child: adults by name, phone numbers, addresses (or postcodes).

Recorded by the agency that recorded the concern (``visibility.may_correct``: the same people who may correct
it), on its latest version, in the same transaction or later. A mention can only be added, never changed: a
wrong one is corrected by correcting the concern with the mentions it should have (``correct_with_mentions``),
since only a concern's current version links. A correction that gives no mentions carries the corrected
entry's over, so the network and the alerts do not lose them (the superseded entry's no longer link, so
nothing is counted twice). Each value is kept as typed (trimmed) with its normalised key
(``network.normalise``); the same key twice on one concern is kept once. Audited with the kinds and counts,
not the values (the audit is read more widely than the record).

Who reads them: whoever may see the concern (``visibility.concern_clause``, correction chains included).
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
from openmash.errors import Conflict, NotFoundError, PermissionDenied, ValidationFailed
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.network.links import KIND_LABELS, Kind
from openmash.network.models import ConcernMention
from openmash.network.normalise import normalise_address, normalise_adult, normalise_phone
from openmash.safeguarding import concerns
from openmash.safeguarding.concerns import ConcernInput
from openmash.safeguarding.models import Concern
from openmash.safeguarding.visibility import (
    Scope,
    may_correct,
    may_see_concern,
    open_child,
    visible_concern_ids,
)

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


def _kinds(made: list[ConcernMention]) -> dict[str, int]:
    return {k: sum(1 for m in made if m.kind == k) for k in sorted({m.kind for m in made})}


def _latest_of_own(session: Session, principal: Principal, concern_id: uuid.UUID) -> Concern:
    """The concern mentions are added to: by those who may correct it, and only its latest version (a
    superseded entry no longer links, so a mention added there would be lost)."""
    if not principal.can(Permission.CONCERNS_RECORD):
        raise PermissionDenied("You do not have permission to record concerns about children")
    concern = session.get(Concern, concern_id)
    if concern is None:
        raise NotFoundError("Concern not found")
    if not may_correct(principal, concern):
        raise PermissionDenied("Only the agency that recorded a concern adds what it mentions")
    if session.scalar(select(Concern.id).where(Concern.corrects_id == concern.id)) is not None:
        raise Conflict("This concern has been corrected: add what it mentions to the latest version")
    return concern


def _add(
    session: Session,
    principal: Principal,
    concern: Concern,
    found: list[tuple[str, str, str, str | None]],
    now: datetime,
) -> list[ConcernMention]:
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
    return made


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
    concern = _latest_of_own(session, principal, concern_id)
    found, errors = _read(data)
    if errors:
        raise ValidationFailed(errors)
    made = _add(session, principal, concern, found, now or utcnow())
    if made:
        audit.record(
            session,
            "network.mentions.record",
            principal.actor,
            object_type="child_concern",
            object_id=concern.id,
            context=context,
            details={"child_id": str(concern.child_id), "kinds": _kinds(made)},
        )
    return made


def correct_with_mentions(
    session: Session,
    principal: Principal,
    concern_id: uuid.UUID,
    data: ConcernInput,
    reason: str,
    context: Context,
    *,
    mentions: MentionsInput | None = None,
    now: datetime | None = None,
) -> Concern:
    """Correct a concern (``safeguarding.concerns.correct_concern``) and give the correction its mentions, in
    the caller's transaction: ``mentions`` when given (the correction mentions exactly these: how a wrong
    mention is taken out), otherwise the corrected entry's, carried over. Audited with kinds and counts."""
    found: list[tuple[str, str, str, str | None]] = []
    if mentions is not None:
        found, errors = _read(mentions)
        if errors:  # before anything is written (the correction's own problems come once these are right)
            raise ValidationFailed(errors)
    correction = concerns.correct_concern(session, principal, concern_id, data, reason, context, now=now)
    carried = mentions is None
    if carried:
        found = [(m.kind, m.value, m.key, m.postcode) for m in mentions_of(session, concern_id)]
    made = _add(session, principal, correction, found, correction.recorded_at)
    if made or not carried:
        audit.record(
            session,
            "network.mentions.correct",
            principal.actor,
            object_type="child_concern",
            object_id=correction.id,
            context=context,
            details={
                "child_id": str(correction.child_id),
                "corrects": str(concern_id),
                "carried": carried,
                "kinds": _kinds(made),
            },
        )
    return correction


def mentions_of(session: Session, concern_id: uuid.UUID) -> list[ConcernMention]:
    """A concern's mentions (for showing the concern to those who may see it)."""
    return list(
        session.scalars(
            select(ConcernMention)
            .where(ConcernMention.concern_id == concern_id)
            .order_by(
                ConcernMention.kind, ConcernMention.recorded_at, ConcernMention.value, ConcernMention.id
            )
        )
    )


@dataclass(frozen=True)
class MentionView:
    id: uuid.UUID
    kind: str
    kind_label: str
    value: str
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class ConcernMentions:
    """A concern's mentions as its page shows them, with whether the viewer may add to them."""

    concern_id: uuid.UUID
    child_id: uuid.UUID
    category_label: str
    occurred_at: datetime
    current: bool  # the latest version (a corrected entry's mentions no longer link)
    may_add: bool
    mentions: list[MentionView]
    purpose: str | None


def _view(m: ConcernMention) -> MentionView:
    return MentionView(m.id, m.kind, KIND_LABELS[Kind(m.kind)], m.value, m.recorded_by, m.recorded_at)


def mentions_shown(
    session: Session, principal: Principal, scope: Scope, concern_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[MentionView]]:
    """The mentions of the concerns a view already shows (a chronology, audited by its own read), for those
    of them the viewer may see: two queries however many concerns."""
    visible = visible_concern_ids(session, principal, scope, concern_ids)
    found: dict[uuid.UUID, list[MentionView]] = {}
    if not visible:
        return found
    for m in session.scalars(
        select(ConcernMention)
        .where(ConcernMention.concern_id.in_(sorted(visible, key=str)))
        .order_by(ConcernMention.kind, ConcernMention.recorded_at, ConcernMention.value, ConcernMention.id)
    ):
        found.setdefault(m.concern_id, []).append(_view(m))
    return found


def concern_mentions(
    session: Session, principal: Principal, concern_id: uuid.UUID, *, purpose: str | None, context: Context
) -> ConcernMentions:
    """One concern's mentions, for whoever may see the concern: the child's record is opened (the purpose
    rule) and the read audited with the concern. A concern the viewer may not see is not found."""
    concern = session.get(Concern, concern_id)
    if concern is None:
        raise NotFoundError("Concern not found")
    opened = open_child(
        session,
        principal,
        concern.child_id,
        purpose,
        context,
        action="network.mentions.read",
        details={"concern_id": str(concern.id)},
    )
    if not may_see_concern(session, principal, opened.scope, concern):
        raise NotFoundError("Concern not found")
    current = session.scalar(select(Concern.id).where(Concern.corrects_id == concern.id)) is None
    return ConcernMentions(
        concern_id=concern.id,
        child_id=concern.child_id,
        category_label=concern.category.label,
        occurred_at=concern.occurred_at,
        current=current,
        may_add=current and principal.can(Permission.CONCERNS_RECORD) and may_correct(principal, concern),
        mentions=[_view(m) for m in mentions_of(session, concern.id)],
        purpose=opened.purpose,
    )


def own_concern_mentions(session: Session, principal: Principal, concern_id: uuid.UUID) -> ConcernMentions:
    """What the recording agency's own concern mentions, as it stands after adding to it: the agency's own
    record, so no purpose is asked (the addition itself is audited by ``record_mentions``)."""
    concern = _latest_of_own(session, principal, concern_id)
    return ConcernMentions(
        concern_id=concern.id,
        child_id=concern.child_id,
        category_label=concern.category.label,
        occurred_at=concern.occurred_at,
        current=True,
        may_add=True,
        mentions=[_view(m) for m in mentions_of(session, concern.id)],
        purpose=None,
    )
