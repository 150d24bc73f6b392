"""What a concern mentions besides the child: adults by name, phone numbers, addresses (or postcodes).

Recorded by the agency that recorded the concern (``visibility.may_correct``: the same people who may correct
it), on its latest version, in the same transaction or later. A mention can only be added, never changed: a
wrong one is corrected by correcting the concern with the mentions it should have (``correct_with_mentions``),
since only a concern's current version links. A correction that gives no mentions carries the corrected
entry's over, so the network and the alerts do not lose them (the superseded entry's no longer link, so
nothing is counted twice), except one that widens who may see the concern (now shared with police, or out of
a restricted category): that one must say what it mentions, so that a wider audience never gets the
original's mentions without the corrector choosing them. A mention carried over, or given again as it was,
keeps who recorded it and when. Each value is kept as typed (trimmed) with its normalised key
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
from openmash.safeguarding.models import Concern, ConcernCategory
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
    earlier: list[ConcernMention] | None = None,
) -> list[ConcernMention]:
    """Add these mentions to the concern (once per kind and key). ``earlier``: the corrected entry's, whose
    provenance (agency, who recorded it, when) a mention carried over, or given again exactly as it was,
    keeps: a correction does not rewrite who first recorded what."""
    before = {(m.kind, m.value, m.key, m.postcode): m for m in earlier or []}
    held = {
        (m.kind, m.key)
        for m in session.scalars(select(ConcernMention).where(ConcernMention.concern_id == concern.id))
    }
    made: list[ConcernMention] = []
    for kind, value, key, postcode in found:
        if (kind, key) in held:
            continue
        held.add((kind, key))
        first = before.get((kind, value, key, postcode))
        mention = ConcernMention(
            id=uuid.uuid4(),
            concern_id=concern.id,
            child_id=concern.child_id,
            agency_id=first.agency_id if first else principal.agency_id,
            kind=kind,
            value=value,
            key=key,
            postcode=postcode,
            recorded_by_user_id=(
                first.recorded_by_user_id if first else principal.id if principal.kind == "user" else None
            ),
            recorded_by=first.recorded_by if first else principal.label,
            recorded_at=first.recorded_at if first else now,
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


MENTIONS_REQUIRED = (
    "This correction lets more people see the concern: say what it mentions (even none), so that only what "
    "you choose is shown to them"
)


def widens(session: Session, original: Concern, data: ConcernInput) -> bool:
    """Whether a correction with these settings lets someone see the concern who could not see the entry it
    corrects: now shared with police, or moved out of a restricted category into one that is unrestricted or
    names other roles. (A category that does not exist is the correction's own error, reported there.)"""
    if data.shared_with_police and not original.shared_with_police:
        return True
    before = original.category.restricted_roles
    if not before:
        return False
    after = session.scalars(select(ConcernCategory).where(ConcernCategory.code == data.category_code)).first()
    return after is not None and (not after.restricted_roles or not after.restricted_roles <= before)


def _must_name_mentions(
    session: Session, principal: Principal, concern_id: uuid.UUID, data: ConcernInput
) -> bool:
    """Whether the correction must give its mentions: it widens the audience. Asked only of someone who may
    make the correction, on the latest version (anyone else gets the correction's own refusal, which tells
    nothing of the concern's settings)."""
    original = session.get(Concern, concern_id)
    if (
        original is None
        or not principal.can(Permission.CONCERNS_RECORD)
        or not may_correct(principal, original)
    ):
        return False
    if session.scalar(select(Concern.id).where(Concern.corrects_id == original.id)) is not None:
        return False
    return widens(session, original, data)


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
    mention is taken out), otherwise the corrected entry's, carried over. A correction that widens who may
    see the concern (``widens``) must give ``mentions``: ``ValidationFailed`` on ``mentions`` otherwise,
    before anything is written. A mention carried, or given again as it was, keeps its provenance. Audited
    with kinds and counts."""
    found: list[tuple[str, str, str, str | None]] = []
    if mentions is not None:
        found, errors = _read(mentions)
        if errors:  # before anything is written (the correction's own problems come once these are right)
            raise ValidationFailed(errors)
    elif _must_name_mentions(session, principal, concern_id, data):
        raise ValidationFailed({"mentions": MENTIONS_REQUIRED})
    correction = concerns.correct_concern(session, principal, concern_id, data, reason, context, now=now)
    carried = mentions is None
    earlier = mentions_of(session, concern_id)
    if carried:
        found = [(m.kind, m.value, m.key, m.postcode) for m in earlier]
    made = _add(session, principal, correction, found, correction.recorded_at, earlier)
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
