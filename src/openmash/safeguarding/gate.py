"""The gate check: a school or children's home user enters the registration mark of a car collecting a child
and is told only what they need to decide what to do now.

The answer (``GateAnswer``) says whether the car is a currently licensed taxi or private hire vehicle, which
authorities license it, and, when a child is named and carers recorded the child's transport, whether this
pick-up was arranged. It never says who the driver is, nor anything the register holds against them: the
school cannot act on that, and must not hold it. What the register says is checked by the MASH's alerts
(``openmash.alerts``), which the caller triggers after the check (``alerts.evaluate_sighting``); the user is
not told why an alert was raised, nor that one was.

Each check is kept as a sighting (``GateSighting``: the mark, the place — the checking agency —, the time,
the child if named, and the answer given), append-only and audited. A sighting names the MASH that receives
its alerts: the caller gives it (the responsible local authority is not modelled yet); a MASH user's own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.db.base import utcnow
from openmash.errors import PermissionDenied
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import Principal
from openmash.register import vehicle_drivers
from openmash.register.vehicle_drivers import VehicleLicensing
from openmash.register.workdays import UK
from openmash.safeguarding.checks import LINE_MAX_LENGTH, Form
from openmash.safeguarding.models_gate import ArrangedTransport, GateSighting
from openmash.safeguarding.transport import current_arrangements, ensure_knows_child
from openmash.safeguarding.visibility import get_child, may_see_record, open_child


class Arranged(StrEnum):
    ARRANGED = "arranged"  # carers arranged this car by its mark
    # Carers arranged an operator whose licence reference this car is licensed under, but an operator's
    # reference is unique only within its licensing authority, which the arrangement does not record: never
    # "arranged" (docs/decisions/0006, "Gate answers").
    OPERATOR_UNCONFIRMED = "operator_unconfirmed"
    NOT_ARRANGED = "not_arranged"  # carers recorded transport for the child, and this is not it
    NOT_RECORDED = "not_recorded"  # carers have recorded no transport for the child now
    NO_CHILD = "no_child"  # no child was named


ARRANGED_LABELS = {
    Arranged.ARRANGED: "Carers arranged this pick-up",
    Arranged.OPERATOR_UNCONFIRMED: "Carers arranged an operator with this licence reference, but not which "
    "council licensed it, so this is not confirmed as their pick-up",
    Arranged.NOT_ARRANGED: "Carers did not arrange this car: they arranged other transport for this child",
    Arranged.NOT_RECORDED: "No transport arranged by carers is recorded for this child",
    Arranged.NO_CHILD: "No child was named, so arranged transport was not checked",
}


@dataclass(frozen=True)
class GateCheckInput:
    registration: str
    child_id: uuid.UUID | None = None
    # The MASH that receives any alert; a MASH user's own agency when not given.
    mash_agency_id: uuid.UUID | None = None
    vehicle_description: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Authority:
    code: str
    name: str


@dataclass(frozen=True)
class GateAnswer:
    """All a gate user is told. Deliberately holds no driver, licence number or register concern."""

    sighting_id: uuid.UUID
    registration: str
    checked_at: datetime
    licensed: bool
    vehicle_kinds: tuple[str, ...]  # "hackney_carriage", "private_hire"
    vehicle_kind_labels: tuple[str, ...]
    authorities: tuple[Authority, ...]
    child_id: uuid.UUID | None
    arranged: Arranged
    arranged_label: str
    # What carers arranged, for the user to compare: marks and operator names, never a driver.
    arranged_with: tuple[str, ...]

    @property
    def advice(self) -> str:
        if self.arranged is Arranged.ARRANGED:
            return "This car was arranged by carers."
        if self.arranged is Arranged.OPERATOR_UNCONFIRMED:
            return (
                "This car is licensed under an operator licence with the reference carers gave, but they did "
                "not record the council that licensed their operator: check with carers before the child "
                "leaves."
            )
        if not self.licensed:
            return (
                "This car is not a licensed taxi or private hire vehicle. Do not let a child leave in it "
                "unless carers confirm they arranged it; follow your safeguarding procedure."
            )
        if self.arranged is Arranged.NOT_ARRANGED:
            return "This car is licensed, but it is not the transport carers arranged: check with carers."
        return "This car is a licensed vehicle. Check with carers if you are unsure who arranged it."


def _description(arrangement: ArrangedTransport) -> str:
    parts = [arrangement.vehicle_registration or "", arrangement.operator_name or ""]
    return " / ".join(p for p in parts if p) or (arrangement.operator_licence_ref or "")


def arranged_status(
    session: Session, child_id: uuid.UUID | None, licensing: VehicleLicensing, at: datetime
) -> tuple[Arranged, ArrangedTransport | None, list[ArrangedTransport]]:
    """Whether this car was arranged for the child: by its mark (unique nationally). An operator's licence
    reference is unique only within its licensing authority and an arrangement does not record the
    authority, so a car licensed under an operator licence with the arranged reference is only
    ``OPERATOR_UNCONFIRMED``, never ``ARRANGED``."""
    if child_id is None:
        return Arranged.NO_CHILD, None, []
    found = current_arrangements(session, child_id, at)
    if not found:
        return Arranged.NOT_RECORDED, None, []
    operator_refs = {
        link.authority_licence_ref.strip().upper()
        for link in licensing.current
        if link.licence_type == "private_hire_operator"
    }
    for arrangement in found:
        if arrangement.vehicle_registration == licensing.registration:
            return Arranged.ARRANGED, arrangement, found
    for arrangement in found:
        ref = (arrangement.operator_licence_ref or "").strip().upper()
        if ref and ref in operator_refs:
            return Arranged.OPERATOR_UNCONFIRMED, arrangement, found
    return Arranged.NOT_ARRANGED, None, found


def check_vehicle(
    session: Session,
    principal: Principal,
    data: GateCheckInput,
    context: Context,
    *,
    now: datetime | None = None,
) -> GateAnswer:
    """Check a car at the gate: answer what the user needs, keep the sighting, audit the check. Call
    ``alerts.evaluate_sighting(session, answer.sighting_id, now)`` afterwards, in the same transaction."""
    if not principal.can(Permission.GATE_CHECK):
        raise PermissionDenied("You do not have permission to check vehicles at the gate")
    now = now or utcnow()
    form = Form()
    mark = form.registration("registration", data.registration)
    if mark is None and "registration" not in form.errors:
        form.errors["registration"] = "Enter the registration mark of the car"
    description = form.text("vehicle_description", data.vehicle_description, max_length=LINE_MAX_LENGTH)
    note = form.text("note", data.note)
    mash_id = data.mash_agency_id
    if mash_id is None and principal.agency_type is AgencyType.CHILDRENS_SOCIAL_CARE:
        mash_id = principal.agency_id
    mash = form.mash(session, "mash_agency_id", mash_id)
    form.check()
    assert mark is not None
    child = None
    if data.child_id is not None:
        child = get_child(session, data.child_id)
        ensure_knows_child(session, principal, child)
    licensing = vehicle_drivers.licensing_of(session, mark, now.astimezone(UK).date())
    arranged, matched, found = arranged_status(session, child.id if child else None, licensing, now)
    authorities = tuple(
        dict.fromkeys(Authority(link.authority_code, link.authority_name) for link in licensing.current)
    )
    sighting = GateSighting(
        id=uuid.uuid4(),
        vehicle_registration=mark,
        child_id=child.id if child else None,
        agency_id=principal.agency_id,
        mash_agency_id=mash,
        checked_by_user_id=principal.id if principal.kind == "user" else None,
        checked_by=principal.label,
        checked_at=now,
        vehicle_description=description,
        note=note,
        licensed=licensing.licensed,
        vehicle_kinds=list(licensing.kinds),
        authorities=[a.code for a in authorities],
        arranged=str(arranged),
        arranged_transport_id=matched.id if matched else None,
    )
    session.add(sighting)
    session.flush()
    audit.record(
        session,
        "safeguarding.gate.check",
        principal.actor,
        object_type="gate_sighting",
        object_id=sighting.id,
        context=context,
        details={
            "registration": mark,
            "child_id": str(child.id) if child else None,
            "licensed": licensing.licensed,
            "authorities": sighting.authorities,
            "arranged": str(arranged),
        },
    )
    return GateAnswer(
        sighting_id=sighting.id,
        registration=mark,
        checked_at=now,
        licensed=licensing.licensed,
        vehicle_kinds=licensing.kinds,
        vehicle_kind_labels=tuple(vehicle_drivers.vehicle_kind_label(k) for k in licensing.kinds),
        authorities=authorities,
        child_id=child.id if child else None,
        arranged=arranged,
        arranged_label=ARRANGED_LABELS[arranged],
        arranged_with=tuple(_description(a) for a in found),
    )


def sightings_of_vehicle(
    session: Session, registration: str, *, since: datetime | None = None
) -> list[GateSighting]:
    """Every sighting of a mark (already normalised), oldest first: for the alert rules, not for users."""
    query = select(GateSighting).where(GateSighting.vehicle_registration == registration)
    if since is not None:
        query = query.where(GateSighting.checked_at >= since)
    return list(session.scalars(query.order_by(GateSighting.checked_at, GateSighting.id)))


def sightings_of_child(
    session: Session, principal: Principal, child_id: uuid.UUID, *, purpose: str | None, context: Context
) -> list[GateSighting]:
    """The gate sightings naming a child that the viewer may see (the concern rule), newest first; the view
    is audited as a view of the child's record."""
    opened = open_child(session, principal, child_id, purpose, context, action="safeguarding.gate.sightings")
    return [
        s
        for s in session.scalars(
            select(GateSighting)
            .where(GateSighting.child_id == opened.child.id)
            .order_by(GateSighting.checked_at.desc(), GateSighting.id)
        )
        if may_see_record(principal, opened.scope, s.agency_id, s.shared_with_police)
    ]
