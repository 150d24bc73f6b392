"""Appending to the audit trail and proving it has not been altered.

Each record's hash covers its own fields and the previous record's hash, so altering or deleting any
record breaks every link after it. The chain head (last sequence number and hash) catches a truncated tail.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.audit.models import AuditChainHead, AuditRecord
from openmash.db.base import utcnow

GENESIS_HASH = "0" * 64
_HEAD_ID = 1


class Outcome(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    FAILED = "failed"


@dataclass(frozen=True)
class Actor:
    """Who acted: a user, an agency's API token, or the system (CLI, demo loader)."""

    label: str
    user_id: uuid.UUID | None = None
    token_id: uuid.UUID | None = None
    agency_id: uuid.UUID | None = None
    agency_code: str | None = None


SYSTEM = Actor(label="system")


@dataclass(frozen=True)
class Context:
    """Where the action came from."""

    request_id: str | None = None
    ip_address: str | None = None


NO_CONTEXT = Context()


def record(
    session: Session,
    action: str,
    actor: Actor,
    *,
    outcome: Outcome = Outcome.ALLOWED,
    object_type: str | None = None,
    object_id: str | uuid.UUID | None = None,
    purpose: str | None = None,
    context: Context = NO_CONTEXT,
    details: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append one record in the caller's transaction, so it is kept exactly when the action is."""
    head = session.scalars(
        select(AuditChainHead).where(AuditChainHead.id == _HEAD_ID).with_for_update()
    ).first()
    if head is None:
        head = AuditChainHead(id=_HEAD_ID, last_seq=0, last_hash=GENESIS_HASH)
        session.add(head)
    entry = AuditRecord(
        seq=head.last_seq + 1,
        id=uuid.uuid4(),
        occurred_at=utcnow(),
        action=action,
        outcome=str(outcome),
        actor_user_id=actor.user_id,
        actor_token_id=actor.token_id,
        actor_label=actor.label,
        agency_id=actor.agency_id,
        agency_code=actor.agency_code,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        purpose=purpose,
        request_id=context.request_id,
        ip_address=context.ip_address,
        details=json.dumps(details or {}, sort_keys=True, separators=(",", ":"), default=str),
        prev_hash=head.last_hash,
    )
    entry.hash = record_hash(entry)
    head.last_seq = entry.seq
    head.last_hash = entry.hash
    session.add(entry)
    session.flush()
    return entry


def _canonical_time(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_hash(entry: AuditRecord) -> str:
    """SHA-256 over the record's content and the previous hash, in a canonical JSON form."""
    content = {
        "seq": entry.seq,
        "id": str(entry.id),
        "occurred_at": _canonical_time(entry.occurred_at),
        "action": entry.action,
        "outcome": entry.outcome,
        "actor_user_id": str(entry.actor_user_id) if entry.actor_user_id else None,
        "actor_token_id": str(entry.actor_token_id) if entry.actor_token_id else None,
        "actor_label": entry.actor_label,
        "agency_id": str(entry.agency_id) if entry.agency_id else None,
        "agency_code": entry.agency_code,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "purpose": entry.purpose,
        "request_id": entry.request_id,
        "ip_address": entry.ip_address,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
    }
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    intact: bool
    checked: int
    first_broken_seq: int | None = None
    problem: str | None = None
    head_hash: str = GENESIS_HASH


def verify(session: Session, batch_size: int = 5000) -> VerifyResult:
    """Walk the whole chain in order; report the first record whose link is broken."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        batch = session.scalars(
            select(AuditRecord).where(AuditRecord.seq > last_seq).order_by(AuditRecord.seq).limit(batch_size)
        ).all()
        if not batch:
            break
        for entry in batch:
            if entry.seq != expected_seq:
                return VerifyResult(
                    False,
                    checked,
                    expected_seq,
                    f"record {expected_seq} is missing (next found is {entry.seq})",
                )
            if entry.prev_hash != expected_prev:
                return VerifyResult(
                    False, checked, entry.seq, f"record {entry.seq} does not follow the one before"
                )
            if record_hash(entry) != entry.hash:
                return VerifyResult(False, checked, entry.seq, f"record {entry.seq} has been altered")
            expected_prev = entry.hash
            expected_seq += 1
            checked += 1
        last_seq = batch[-1].seq
    head = session.get(AuditChainHead, _HEAD_ID)
    head_seq = head.last_seq if head else 0
    head_hash = head.last_hash if head else GENESIS_HASH
    if head_seq != checked or head_hash != expected_prev:
        return VerifyResult(
            False, checked, checked + 1, f"the trail ends at record {checked} but {head_seq} were written"
        )
    return VerifyResult(True, checked, head_hash=expected_prev)
