"""Tables of the matching engine: each indexed record, its blocking keys, name counts for term frequencies,
and proposed links with the decision a person made about them.

Records are kept by domain ("register.person", later the hub's children) and by the domain's own id as
text, so the engine needs no foreign key into any domain's tables.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openmash.db.base import Base, Entity

# SQLite only makes INTEGER PRIMARY KEY an alias of its rowid (and so autoincrementing).
ENTRY_ID = BigInteger().with_variant(Integer(), "sqlite")


class MatchEntry(Base):
    """One indexed record, with what comparing it needs (names, date of birth, identifiers, postcodes)."""

    __tablename__ = "match_entries"
    __table_args__ = (UniqueConstraint("domain", "record_id"),)

    id: Mapped[int] = mapped_column(ENTRY_ID, primary_key=True, autoincrement=True)
    domain: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)  # compact JSON of the MatchRecord (matching.storage)


class MatchKey(Base):
    """A blocking key (a 64-bit hash of domain, kind and value) of an entry: candidates are the entries that
    share a key with the query."""

    __tablename__ = "match_keys"
    __table_args__ = (
        Index("ix_match_keys_entry_id", "entry_id"),
        {"sqlite_with_rowid": False},
    )

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entry_id: Mapped[int] = mapped_column(
        ENTRY_ID, ForeignKey("match_entries.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )


class MatchTermCount(Base):
    """How many records of a domain hold a value (a surname, a forename), so that agreeing on "Khan" weighs
    less than agreeing on "Oyelaran". The row with field "*" and value "*" counts the records."""

    __tablename__ = "match_term_counts"

    domain: Mapped[str] = mapped_column(String(40), primary_key=True)
    field: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)


class MatchProposal(Entity):
    """A likely match put to a person to confirm or reject. Decided pairs are never proposed again."""

    __tablename__ = "match_proposals"
    __table_args__ = (
        UniqueConstraint("domain", "record_id", "candidate_id"),
        Index("ix_match_proposals_owner_status", "owner_agency_id", "status"),
    )

    domain: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(64))  # the new record
    candidate_id: Mapped[str] = mapped_column(String(64))  # the record it may be
    owner_agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))  # who decides
    score: Mapped[float] = mapped_column(Float)
    band: Mapped[str] = mapped_column(String(20))
    explanation: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    engine: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="proposed")  # proposed, confirmed, rejected
    decided_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_by: Mapped[str | None] = mapped_column(String(300))
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_note: Mapped[str | None] = mapped_column(Text)
