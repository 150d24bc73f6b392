"""In-app notices to an agency: the duty to share (another authority recorded a safeguarding decision or
concern about a driver this authority licenses) and the life of requests for details.

A notice's summary never carries more personal detail than the register already shares with every licensing
authority (authority, licence type, decision, reason category, dates): the person is reached through a link,
whose page applies the sharing rules and audits the view.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.db.base import utcnow
from openmash.errors import NotFoundError, PermissionDenied
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import Principal
from openmash.register import labels, matches
from openmash.register.models import Licence, Notice

# A person is "currently licensed" by an authority holding a licence of theirs in one of these states: a
# suspended driver is still that authority's driver (the suspension may be lifted).
CURRENTLY_LICENSED = frozenset({"licensed", "suspended"})
LIST_LIMIT = 200


def current_authorities(
    session: Session, person_id: uuid.UUID, *, exclude: uuid.UUID | None = None
) -> list[Agency]:
    """Every licensing authority that currently licenses the person, or a record confirmed to be the same
    person (but ``exclude``), by name."""
    people = {person_id} | matches.linked_people(session, person_id)
    stmt = (
        select(Agency)
        .join(Licence, Licence.authority_id == Agency.id)
        .where(
            Licence.person_id.in_(people),
            Licence.status.in_(CURRENTLY_LICENSED),
            Agency.type == AgencyType.LICENSING_AUTHORITY.value,
        )
        .distinct()
        .order_by(Agency.name)
    )
    if exclude is not None:
        stmt = stmt.where(Agency.id != exclude)
    return list(session.scalars(stmt))


def notify(
    session: Session,
    agency_id: uuid.UUID,
    *,
    kind: str,
    summary: str,
    person_id: uuid.UUID | None = None,
    from_agency_id: uuid.UUID | None = None,
    licence_event_id: uuid.UUID | None = None,
    driver_concern_id: uuid.UUID | None = None,
    details_request_id: uuid.UUID | None = None,
) -> Notice:
    """Add one notice for an agency in the caller's transaction (it exists exactly when the action does)."""
    assert kind in labels.NOTICE_KINDS, kind
    notice = Notice(
        agency_id=agency_id,
        kind=kind,
        summary=summary,
        person_id=person_id,
        from_agency_id=from_agency_id,
        licence_event_id=licence_event_id,
        driver_concern_id=driver_concern_id,
        details_request_id=details_request_id,
    )
    session.add(notice)
    return notice


@dataclass(frozen=True)
class NoticeView:
    id: uuid.UUID
    kind: str
    kind_label: str
    summary: str
    created_at: datetime
    from_agency: str | None
    person_id: uuid.UUID | None
    details_request_id: uuid.UUID | None
    read_at: datetime | None
    read_by: str | None


def _ensure_may_see(principal: Principal) -> None:
    if not principal.can(Permission.REGISTER_RECORD):
        raise PermissionDenied("Only licensing officers see their authority's notices")


def list_notices(session: Session, principal: Principal, *, unread_only: bool = False) -> list[NoticeView]:
    """The agency's notices: unread first, newest first (the latest 200)."""
    _ensure_may_see(principal)
    sender = aliased(Agency)
    stmt = (
        select(Notice, sender.name)
        .outerjoin(sender, Notice.from_agency_id == sender.id)
        .where(Notice.agency_id == principal.agency_id)
        .order_by(Notice.read_at.is_not(None), Notice.created_at.desc(), Notice.id)
        .limit(LIST_LIMIT)
    )
    if unread_only:
        stmt = stmt.where(Notice.read_at.is_(None))
    return [
        NoticeView(
            id=n.id,
            kind=n.kind,
            kind_label=labels.NOTICE_KINDS.get(n.kind, n.kind),
            summary=n.summary,
            created_at=n.created_at,
            from_agency=from_name,
            person_id=n.person_id,
            details_request_id=n.details_request_id,
            read_at=n.read_at,
            read_by=n.read_by,
        )
        for n, from_name in session.execute(stmt)
    ]


def unread(session: Session, principal: Principal) -> Sequence[NoticeView]:
    return list_notices(session, principal, unread_only=True)


def unread_count(session: Session, agency_id: uuid.UUID) -> int:
    """For the header: how many notices the agency has not yet read."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Notice)
            .where(Notice.agency_id == agency_id, Notice.read_at.is_(None))
        )
        or 0
    )


def mark_read(session: Session, principal: Principal, notice_id: uuid.UUID, context: Context) -> Notice:
    """Mark one of the agency's notices read, by whom and when (audited). Reading it twice changes nothing."""
    _ensure_may_see(principal)
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NotFoundError("Notice not found")
    if notice.agency_id != principal.agency_id:
        raise PermissionDenied("This notice is for another agency")
    if notice.read_at is not None:
        return notice
    notice.read_at = utcnow()
    notice.read_by = principal.label
    audit.record(
        session,
        "register.notice.read",
        principal.actor,
        object_type="notice",
        object_id=notice.id,
        context=context,
        details={"kind": notice.kind},
    )
    return notice
