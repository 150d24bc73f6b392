"""Transport carers arranged for a child (a named car, or an operator), so that a gate check can say whether
the car collecting the child is the one arranged.

Domain.md lists "being picked up from school or home by taxis or cars not arranged by carers" among the
significant indicators; the gate check can only tell "not arranged" when carers have recorded what is.
An arrangement is a setting, not evidence: it is kept current (ended when it stops) and every change is
audited. Schools, children's homes and the MASH record them (``TRANSPORT_ARRANGE``), for a child their
agency already knows or, for the MASH and the lead professional, any child (``visibility.knows_child``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.db.base import utcnow
from openmash.errors import Conflict, NotFoundError, PermissionDenied
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.safeguarding.checks import LINE_MAX_LENGTH, Form
from openmash.safeguarding.models import Child
from openmash.safeguarding.models_gate import ArrangedTransport
from openmash.safeguarding.visibility import Scope, get_child, knows_child, open_child, scope_for


@dataclass(frozen=True)
class TransportInput:
    """A car (its mark) or an operator (its name, and its licence reference when known), or both."""

    valid_from: datetime
    vehicle_registration: str | None = None
    operator_name: str | None = None
    operator_licence_ref: str | None = None
    valid_until: datetime | None = None
    note: str | None = None


def ensure_knows_child(session: Session, principal: Principal, child: Child) -> None:
    """Gate checks and arrangements name a child: only one the caller's agency already knows (the MASH and
    the lead professional any)."""
    if not knows_child(session, principal, child):
        raise PermissionDenied("Your agency has not recorded about this child")


def record_arrangement(
    session: Session,
    principal: Principal,
    child_id: uuid.UUID,
    data: TransportInput,
    context: Context,
    *,
    now: datetime | None = None,
) -> ArrangedTransport:
    """Record transport carers arranged for a child; audited."""
    if not principal.can(Permission.TRANSPORT_ARRANGE):
        raise PermissionDenied("You do not have permission to record arranged transport")
    child = get_child(session, child_id)
    ensure_knows_child(session, principal, child)
    now = now or utcnow()
    form = Form()
    registration = form.registration("vehicle_registration", data.vehicle_registration)
    operator = form.text("operator_name", data.operator_name, max_length=200)
    operator_ref = form.text("operator_licence_ref", data.operator_licence_ref, max_length=100)
    if registration is None and operator is None and operator_ref is None and not form.errors:
        form.errors["vehicle_registration"] = "Give the registration mark of the car, or the operator"
    if data.valid_from.tzinfo is None:
        form.errors["valid_from"] = "Give the time with its time zone"
    if data.valid_until is not None and (
        data.valid_until.tzinfo is None
        or (data.valid_from.tzinfo is not None and data.valid_until <= data.valid_from)
    ):
        form.errors["valid_until"] = "The end must be after the start, with its time zone"
    note = form.text("note", data.note, max_length=LINE_MAX_LENGTH)
    form.check()
    arrangement = ArrangedTransport(
        id=uuid.uuid4(),
        child_id=child.id,
        agency_id=principal.agency_id,
        recorded_by_user_id=principal.id if principal.kind == "user" else None,
        recorded_by=principal.label,
        recorded_at=now,
        vehicle_registration=registration,
        operator_name=operator,
        operator_licence_ref=operator_ref,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        note=note,
    )
    session.add(arrangement)
    session.flush()
    audit.record(
        session,
        "safeguarding.transport.arrange",
        principal.actor,
        object_type="arranged_transport",
        object_id=arrangement.id,
        context=context,
        details={
            "child_id": str(child.id),
            "vehicle_registration": registration,
            "operator": operator_ref or operator,
            "valid_from": data.valid_from.isoformat(),
            "valid_until": data.valid_until.isoformat() if data.valid_until else None,
        },
    )
    return arrangement


def end_arrangement(
    session: Session,
    principal: Principal,
    arrangement_id: uuid.UUID,
    context: Context,
    *,
    now: datetime | None = None,
) -> ArrangedTransport:
    """End an arrangement now (the agency that recorded it, or the MASH); audited."""
    if not principal.can(Permission.TRANSPORT_ARRANGE):
        raise PermissionDenied("You do not have permission to record arranged transport")
    arrangement = session.get(ArrangedTransport, arrangement_id)
    if arrangement is None:
        raise NotFoundError("Arrangement not found")
    child = get_child(session, arrangement.child_id)
    if arrangement.agency_id != principal.agency_id and scope_for(principal, child) is not Scope.WHOLE:
        raise PermissionDenied("Only the agency that recorded an arrangement, or the MASH, ends it")
    if arrangement.ended_at is not None:
        raise Conflict("This arrangement has already ended")
    now = now or utcnow()
    arrangement.ended_at = now
    arrangement.ended_by = principal.label
    session.flush()
    audit.record(
        session,
        "safeguarding.transport.end",
        principal.actor,
        object_type="arranged_transport",
        object_id=arrangement.id,
        context=context,
        details={"child_id": str(child.id)},
    )
    return arrangement


def current_arrangements(session: Session, child_id: uuid.UUID, at: datetime) -> list[ArrangedTransport]:
    """The child's arrangements in force at a time (begun, not past their end, not ended), newest first."""
    return list(
        session.scalars(
            select(ArrangedTransport)
            .where(
                ArrangedTransport.child_id == child_id,
                ArrangedTransport.valid_from <= at,
                or_(ArrangedTransport.valid_until.is_(None), ArrangedTransport.valid_until > at),
                or_(ArrangedTransport.ended_at.is_(None), ArrangedTransport.ended_at > at),
            )
            .order_by(ArrangedTransport.valid_from.desc(), ArrangedTransport.id)
        )
    )


def arrangements(
    session: Session,
    principal: Principal,
    child_id: uuid.UUID,
    context: Context,
    *,
    purpose: str | None = None,
    now: datetime | None = None,
) -> list[ArrangedTransport]:
    """The child's arrangements in force now, for an agency that knows the child (for the gate page). The
    read is audited as a view of the child's record (``visibility.open_child``, summary only)."""
    if not (principal.can(Permission.TRANSPORT_ARRANGE) or principal.can(Permission.GATE_CHECK)):
        raise PermissionDenied("You do not have permission to see arranged transport")
    child = get_child(session, child_id)
    ensure_knows_child(session, principal, child)
    open_child(
        session,
        principal,
        child.id,
        purpose,
        context,
        action="safeguarding.transport.read",
        summary_only=True,
    )
    return current_arrangements(session, child.id, now or utcnow())
