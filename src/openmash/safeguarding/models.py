"""Tables of the safeguarding hub: children, the identifiers each agency holds for them, the taxonomy of
concerns, the concerns themselves and risk screenings.

Concerns and risk screenings are evidence: the database refuses UPDATE and DELETE on them (migration 0006)
and a correction is a new concern linked to the one it corrects. Children and categories are kept current
(a child's flags change, an administrator renames a category); every change is audited by its service.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openmash.db.base import Entity


class Child(Entity):
    """A child known to any agency: one row however many agencies record about them."""

    __tablename__ = "children"
    __table_args__ = (Index("ix_children_surname_dob", "surname", "date_of_birth"),)

    surname: Mapped[str] = mapped_column(String(100))
    forenames: Mapped[str] = mapped_column(String(100))
    # Unknown at times (police may meet a child who will not say): the age overrides then do not apply.
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(10))
    # Equality data, all optional, as the child or their family describe it.
    ethnicity: Mapped[str | None] = mapped_column(String(100))
    religion: Mapped[str | None] = mapped_column(String(100))
    first_language: Mapped[str | None] = mapped_column(String(100))
    disability: Mapped[str | None] = mapped_column(String(300))
    learning_disability: Mapped[bool] = mapped_column(default=False)
    # Status and flags shown as badges wherever the child appears.
    looked_after: Mapped[bool] = mapped_column(default=False)
    placement_agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    lead_professional_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    child_protection_plan: Mapped[bool] = mapped_column(default=False)
    cse_risk: Mapped[bool] = mapped_column(default=False)
    created_by_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    created_by: Mapped[str] = mapped_column(String(300))

    identifiers: Mapped[list[ChildIdentifier]] = relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="ChildIdentifier.created_at"
    )


class ChildIdentifier(Entity):
    """An identifier an agency holds for a child: an NHS number, a school's UPN, a police or social-care id.

    An agency holds one value of a kind once; the service refuses a national identifier (NHS number, UPN)
    already held for another child.
    """

    __tablename__ = "child_identifiers"
    __table_args__ = (
        UniqueConstraint("kind", "value", "agency_id"),
        Index("ix_child_identifiers_value", "value"),
    )

    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(40))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    recorded_by: Mapped[str] = mapped_column(String(300))

    child: Mapped[Child] = relationship(back_populates="identifiers")


class ConcernCategory(Entity):
    """One kind of concern in the administrator's taxonomy, seeded with the CSE indicators (categories.py)."""

    __tablename__ = "concern_categories"

    code: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    # vulnerability, moderate, significant or other (not scored).
    indicator_kind: Mapped[str] = mapped_column(String(20))
    # Points a current indicator of this category scores in a risk screening.
    weight: Mapped[int] = mapped_column(default=0)
    # Space-separated role names that may see concerns of this category; empty means everyone entitled.
    restricted_to_roles: Mapped[str] = mapped_column(String(400), default="")
    # "Picked up by a car or taxi": the form asks for the registration mark and a description.
    asks_for_vehicle: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    @property
    def restricted_roles(self) -> frozenset[str]:
        return frozenset(self.restricted_to_roles.split())


class Concern(Entity):
    """What an agency saw or was told about a child. Never updated or deleted (court-safe): a correction is a
    new concern whose ``corrects_id`` names the one it corrects, with the reason."""

    __tablename__ = "child_concerns"
    __table_args__ = (Index("ix_child_concerns_child_occurred", "child_id", "occurred_at"),)

    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    recorded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[str] = mapped_column(String(300))
    # When it happened (may be back-dated: the chronology orders by it) and when it was written (server time).
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    category_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("concern_categories.id"))
    summary: Mapped[str] = mapped_column(Text)
    # The child's own words, exactly as typed: never trimmed or normalised.
    childs_words: Mapped[str | None] = mapped_column(Text)
    vehicle_registration: Mapped[str | None] = mapped_column(String(8), index=True)
    vehicle_description: Mapped[str | None] = mapped_column(String(300))
    shared_with_police: Mapped[bool] = mapped_column(default=False)
    # Unique: a concern is corrected once; a later correction corrects the correction.
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("child_concerns.id"), unique=True)
    correction_reason: Mapped[str | None] = mapped_column(Text)

    category: Mapped[ConcernCategory] = relationship(lazy="joined")


class RiskScreening(Entity):
    """One CSE risk screening of a child: the computed score and band, the overrides applied, any
    professional judgement raising it, and the configuration used. Kept as history, never updated."""

    __tablename__ = "risk_screenings"
    __table_args__ = (Index("ix_risk_screenings_child_screened", "child_id", "screened_at"),)

    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    screened_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    screened_by: Mapped[str] = mapped_column(String(300))
    screened_at: Mapped[datetime]
    score: Mapped[int]
    scored_band: Mapped[str] = mapped_column(String(20))  # from the score alone
    computed_band: Mapped[str] = mapped_column(String(20))  # after the overrides
    judgement_band: Mapped[str | None] = mapped_column(String(20))
    judgement_reasons: Mapped[str | None] = mapped_column(Text)
    final_band: Mapped[str] = mapped_column(String(20))
    # [{"category": code, "kind": ..., "points": n, "concern_ids": [...]}], the overrides and the config.
    indicators: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    overrides: Mapped[list[str]] = mapped_column(JSON)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
