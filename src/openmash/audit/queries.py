"""Reading the audit trail: filtered, scoped to what the reader may see, and exported as CSV."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from openmash.audit import service
from openmash.audit.models import AuditRecord
from openmash.audit.service import Actor, Context
from openmash.errors import ValidationFailed


@dataclass(frozen=True)
class AuditFilter:
    """What an auditor is looking for. ``agency_id`` None means every agency (national auditors only)."""

    agency_id: uuid.UUID | None = None
    date_from: date | None = None
    date_to: date | None = None
    action: str | None = None
    outcome: str | None = None
    actor: str | None = None
    object_id: str | None = None


def _statement(f: AuditFilter) -> Select[AuditRecord]:
    stmt = select(AuditRecord)
    if f.agency_id is not None:
        stmt = stmt.where(AuditRecord.agency_id == f.agency_id)
    if f.date_from is not None:
        stmt = stmt.where(AuditRecord.occurred_at >= datetime.combine(f.date_from, time.min, tzinfo=UTC))
    if f.date_to is not None and f.date_to < date.max:
        end = datetime.combine(f.date_to + timedelta(days=1), time.min, tzinfo=UTC)
        stmt = stmt.where(AuditRecord.occurred_at < end)
    if f.action:
        stmt = stmt.where(AuditRecord.action.startswith(f.action, autoescape=True))
    if f.outcome:
        stmt = stmt.where(AuditRecord.outcome == f.outcome)
    if f.actor:
        pattern = f.actor.lower()
        stmt = stmt.where(func.lower(AuditRecord.actor_label).contains(pattern, autoescape=True))
    if f.object_id:
        stmt = stmt.where(or_(AuditRecord.object_id == f.object_id, AuditRecord.request_id == f.object_id))
    return stmt


def require_purpose(purpose: str | None, doing: str) -> str:
    """Searching or exporting the trail is itself a read of personal data: it needs a purpose."""
    stated = (purpose or "").strip()
    if not stated:
        raise ValidationFailed({"purpose": f"Enter why you are {doing} the audit trail"})
    return stated


def search_for(
    session: Session,
    actor: Actor,
    f: AuditFilter,
    purpose: str | None,
    context: Context,
    *,
    limit: int = 50,
    offset: int = 0,
    details: dict[str, Any] | None = None,
) -> tuple[Sequence[AuditRecord], int]:
    """An auditor's search: refused without a purpose, and recorded in the trail it searches."""
    stated = require_purpose(purpose, "searching")
    found = search(session, f, limit=limit, offset=offset)
    service.record(session, "audit.search", actor, purpose=stated, context=context, details=details)
    return found


def record_export(
    session: Session, actor: Actor, purpose: str | None, context: Context, details: dict[str, Any]
) -> None:
    stated = require_purpose(purpose, "exporting")
    service.record(session, "audit.export", actor, purpose=stated, context=context, details=details)


def search(
    session: Session, f: AuditFilter, *, limit: int = 50, offset: int = 0
) -> tuple[Sequence[AuditRecord], int]:
    """One page of matching records, newest first, and how many match in all."""
    stmt = _statement(f)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(AuditRecord.seq.desc()).limit(limit).offset(offset)).all()
    return rows, total


CSV_COLUMNS = [
    "seq",
    "occurred_at",
    "action",
    "outcome",
    "actor",
    "actor_user_id",
    "actor_token_id",
    "agency_code",
    "object_type",
    "object_id",
    "purpose",
    "request_id",
    "ip_address",
    "details",
    "hash",
]


def _safe_cell(value: object) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ is prefixed with a quote."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def export_csv(session: Session, f: AuditFilter, batch_size: int = 2000) -> Iterator[str]:
    """Yield the CSV in chunks, oldest first, without holding the whole trail in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    last_seq = 0
    while True:
        rows = session.scalars(
            _statement(f).where(AuditRecord.seq > last_seq).order_by(AuditRecord.seq).limit(batch_size)
        ).all()
        for r in rows:
            writer.writerow(
                [
                    _safe_cell(v)
                    for v in (
                        r.seq,
                        r.occurred_at.isoformat(),
                        r.action,
                        r.outcome,
                        r.actor_label,
                        r.actor_user_id,
                        r.actor_token_id,
                        r.agency_code,
                        r.object_type,
                        r.object_id,
                        r.purpose,
                        r.request_id,
                        r.ip_address,
                        r.details,
                        r.hash,
                    )
                ]
            )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(rows) < batch_size:
            return
        last_seq = rows[-1].seq
