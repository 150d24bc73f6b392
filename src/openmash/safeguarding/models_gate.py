"""Tables of the gate check: the transport carers arranged for a child, and every car checked at a school's or
children's home's gate (a sighting).

A sighting is evidence: append-only in the database (migration 0008). It keeps what the register said at
the time (licensed or not, by which authorities) and what the user was told, so it still explains itself
after the register changes; it never keeps the driver's identity, which the user was not told.
An arrangement is a carer's setting (like a child's status): kept current, each change audited.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openmash.db.base import Entity


class ArrangedTransport(Entity):
    """Transport carers arranged for a child: a named vehicle (by its mark) or an operator, from a time and
    until one (open-ended if not given)."""

    __tablename__ = "arranged_transport"
    __table_args__ = (Index("ix_arranged_transport_child_from", "child_id", "valid_from"),)

    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    recorded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[str] = mapped_column(String(300))
    recorded_at: Mapped[datetime]
    vehicle_registration: Mapped[str | None] = mapped_column(String(8))
    operator_name: Mapped[str | None] = mapped_column(String(200))
    # The operator's licence reference at its authority, when known: a car licensed under it is only
    # "operator_unconfirmed" at the gate (the authority is not recorded; decision 0006, "Gate answers").
    operator_licence_ref: Mapped[str | None] = mapped_column(String(100))
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(300))


class GateSighting(Entity):
    """A car checked at a gate: the mark, the place (the checking agency), the time, the child if named,
    and the answer given. Never updated or deleted."""

    __tablename__ = "gate_sightings"
    __table_args__ = (Index("ix_gate_sightings_registration_checked", "vehicle_registration", "checked_at"),)

    vehicle_registration: Mapped[str] = mapped_column(String(8))
    child_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("children.id"), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    # The MASH that receives the alerts this sighting may raise.
    mash_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    checked_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    checked_by: Mapped[str] = mapped_column(String(300))
    checked_at: Mapped[datetime]
    vehicle_description: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    # What the register said, and what the user was told.
    licensed: Mapped[bool]
    vehicle_kinds: Mapped[list[str]] = mapped_column(JSON)
    authorities: Mapped[list[str]] = mapped_column(JSON)  # authority codes
    # arranged, operator_unconfirmed, not_arranged, not_recorded, no_child
    arranged: Mapped[str] = mapped_column(String(20))
    arranged_transport_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("arranged_transport.id"))
    shared_with_police: Mapped[bool] = mapped_column(default=True)
