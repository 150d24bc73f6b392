"""The table of things a concern mentions besides the child: an adult by name, a phone number, an address.

A concern is court-safe and its table is never altered, so what it mentions is kept beside it, one row per
mention, append-only like the concern itself (migration 0008). Each row keeps the value as typed and its
normalised key, which is what links children: two mentions with the same kind and key are one entity.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openmash.db.base import Entity


class ConcernMention(Entity):
    __tablename__ = "concern_mentions"
    __table_args__ = (
        Index("ix_concern_mentions_kind_key", "kind", "key"),
        UniqueConstraint("concern_id", "kind", "key"),
    )

    concern_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("child_concerns.id"))
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(String(20))  # adult, phone, address
    value: Mapped[str] = mapped_column(String(300))  # as typed (trimmed)
    key: Mapped[str] = mapped_column(String(300))  # normalised: what links children
    # An address's postcode, when it has one: children at one postcode are linked more loosely.
    postcode: Mapped[str | None] = mapped_column(String(8), index=True)
    recorded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[str] = mapped_column(String(300))
    recorded_at: Mapped[datetime]
