"""Driver concerns: complaints, intelligence and police information about a driver, recorded by any licensing
authority or police force. Append-only (the database refuses UPDATE and DELETE); a safeguarding concern is
shared at once with every authority that currently licenses the driver.

Who may record: a licensing authority's officers (they hold ``REGISTER_RECORD``) and a police force's
analysts. Police analysts do not hold ``REGISTER_RECORD`` (they record no licensing decisions), so the route
asks for ``REGISTER_SEARCH``, which exactly licensing officers, licensing managers and police analysts hold,
and this module adds the agency check: a licensing authority's user must also hold ``REGISTER_RECORD``; a
police force's needs ``REGISTER_SEARCH``; no other kind of agency records driver concerns here.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.db.base import utcnow
from openmash.errors import NotFoundError, PermissionDenied, ValidationFailed
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import Principal
from openmash.register import labels, notices
from openmash.register.models import DriverConcern, Person
from openmash.register.workdays import uk_today

CONCERN_KINDS: frozenset[str] = frozenset(labels.CONCERN_KINDS)
SUMMARY_MAX_LENGTH = 5000


def may_record_concern(principal: Principal) -> bool:
    if principal.agency_type is AgencyType.LICENSING_AUTHORITY:
        return principal.can(Permission.REGISTER_RECORD)
    if principal.agency_type is AgencyType.POLICE_FORCE:
        return principal.can(Permission.REGISTER_SEARCH)
    return False


def ensure_may_record_concern(principal: Principal) -> None:
    if not may_record_concern(principal):
        raise PermissionDenied("Only licensing officers and police analysts record concerns about drivers")


def get_person(session: Session, person_id: uuid.UUID) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError("Person not found")
    return person


def concern_problems(kind: str, occurred_on: date | None, summary: str, today: date) -> dict[str, str]:
    """What is wrong with a concern, field by field (a form shows these with its own)."""
    errors: dict[str, str] = {}
    if kind not in CONCERN_KINDS:
        errors["kind"] = "Select the kind of concern"
    if occurred_on is not None and occurred_on > today:
        errors["occurred_on"] = "The date it happened must be today or in the past"
    summary = summary.strip()
    if not summary:
        errors["summary"] = "Describe the concern"
    elif len(summary) > SUMMARY_MAX_LENGTH:
        errors["summary"] = f"The description must be {SUMMARY_MAX_LENGTH} characters or fewer"
    return errors


def record_concern(
    session: Session,
    principal: Principal,
    person_id: uuid.UUID,
    *,
    kind: str,
    safeguarding: bool,
    occurred_on: date | None,
    summary: str,
    context: Context,
    today: date | None = None,
) -> DriverConcern:
    """Record a concern (never edited afterwards); if it is about safeguarding, notify every authority that
    currently licenses the person but the recorder's own."""
    ensure_may_record_concern(principal)
    person = get_person(session, person_id)
    summary = (summary or "").strip()
    errors = concern_problems(kind, occurred_on, summary, today or uk_today())
    if errors:
        raise ValidationFailed(errors)
    concern = DriverConcern(
        id=uuid.uuid4(),
        person_id=person.id,
        agency_id=principal.agency_id,
        kind=kind,
        safeguarding=safeguarding,
        occurred_on=occurred_on,
        summary=summary,
        recorded_at=utcnow(),
        recorded_by=principal.label,
    )
    session.add(concern)
    session.flush()
    notified: list[Agency] = []
    if safeguarding:
        when = f", about events on {occurred_on:%-d %B %Y}" if occurred_on else ""
        text = (
            f"{principal.agency_name} ({principal.agency_code}) recorded a safeguarding concern "
            f"({labels.CONCERN_KINDS[kind].lower()}{when}) about a driver your authority licenses. "
            "Open the person's record to see what the register shares, and ask them for details."
        )
        notified = notices.current_authorities(session, person.id, exclude=principal.agency_id)
        for agency in notified:
            notices.notify(
                session,
                agency.id,
                kind="duty_to_share_concern",
                summary=text,
                person_id=person.id,
                from_agency_id=principal.agency_id,
                driver_concern_id=concern.id,
            )
    audit.record(
        session,
        "register.concern.record",
        principal.actor,
        object_type="driver_concern",
        object_id=concern.id,
        context=context,
        details={
            "person_id": str(person.id),
            "kind": kind,
            "safeguarding": safeguarding,
            "occurred_on": occurred_on.isoformat() if occurred_on else None,
            "notified": [a.code for a in notified],
        },
    )
    return concern
