"""Tables for support after court (issue 8 item 9): a child's support plan (therapy, an advocate, an
independent sexual violence adviser...) as items with a named owner, each item's history of status changes,
requests to close and managers' reviews, and the court dates recorded against the child.

The plan belongs to the child, not to a criminal case: nothing here names a case, so it outlives one. Every
table is evidence and append-only (migration 0010 makes the database refuse UPDATE and DELETE): an item's
status is its latest status event, and a change is a new event with who, when and why.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openmash.db.base import Entity


class CourtDate(Entity):
    """A hearing, trial or verdict in a criminal case about the child, with the outcome as recorded."""

    __tablename__ = "court_dates"

    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(String(20))  # hearing, trial, verdict
    held_on: Mapped[date]
    court: Mapped[str | None] = mapped_column(String(300))
    outcome: Mapped[str | None] = mapped_column(Text)
    recorded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[str] = mapped_column(String(300))
    recorded_at: Mapped[datetime]
    shared_with_police: Mapped[bool] = mapped_column(default=True)


class SupportItem(Entity):
    """One item of a child's support plan, owned by a named person (who may work for another agency)."""

    __tablename__ = "support_items"

    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(String(20))  # therapy, advocate, isva, other
    description: Mapped[str] = mapped_column(String(300))
    owner_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    owner: Mapped[str] = mapped_column(String(300))  # the owner's name when the item was made
    started_on: Mapped[date]
    recorded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[str] = mapped_column(String(300))
    recorded_at: Mapped[datetime]
    shared_with_police: Mapped[bool] = mapped_column(default=False)


class SupportItemEvent(Entity):
    """One step in an item's history: a status (open, paused, closed), a request to close it awaiting a
    manager's review, or the review itself (closed or kept open). ``seq`` numbers an item's events, so the
    latest is never ambiguous and two changes made at once cannot both land on the same step."""

    __tablename__ = "support_item_events"
    __table_args__ = (UniqueConstraint("item_id", "seq"),)

    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("support_items.id"))
    seq: Mapped[int]
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # status, closure_requested, review
    status: Mapped[str | None] = mapped_column(String(20))  # status: open/paused/closed; review: outcome
    reasons: Mapped[str | None] = mapped_column(Text)
    # The verdict whose review window a request or review fell in.
    verdict_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("court_dates.id"))
    acted_at: Mapped[datetime]
    by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    by: Mapped[str] = mapped_column(String(300))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
