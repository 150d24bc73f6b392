"""The hub's children in the matching engine, under their own domain so that children and drivers never
meet: what of a child the engine compares, kept in step whenever a child or an identifier is recorded.

Only the national identifiers (NHS number, UPN) are compared: a police or social-care id means something
only with the agency that holds it, and two forces' ids for one child are not "different".
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.matching import index
from openmash.matching.record import MatchRecord
from openmash.safeguarding.identifiers import NATIONAL_KINDS
from openmash.safeguarding.models import Child, ChildIdentifier

DOMAIN = "safeguarding.child"


def sex_code(written: str | None) -> str | None:
    """Only a clear F or M is compared."""
    folded = (written or "").strip().lower()
    return {"f": "F", "female": "F", "girl": "F", "m": "M", "male": "M", "boy": "M"}.get(folded)


def records_for(session: Session, ids: Iterable[uuid.UUID]) -> list[MatchRecord]:
    wanted = sorted(set(ids), key=str)
    if not wanted:
        return []
    held: dict[uuid.UUID, dict[str, str]] = defaultdict(dict)
    for child_id, kind, value in session.execute(
        select(ChildIdentifier.child_id, ChildIdentifier.kind, ChildIdentifier.value)
        .where(
            ChildIdentifier.child_id.in_(wanted), ChildIdentifier.kind.in_([str(k) for k in NATIONAL_KINDS])
        )
        .order_by(ChildIdentifier.created_at)
    ):
        held[child_id].setdefault(kind, value)
    return [
        MatchRecord(
            record_id=str(child.id),
            names=((child.surname, child.forenames),),
            date_of_birth=child.date_of_birth,
            identifiers=held[child.id],
            sex=sex_code(child.sex),
        )
        for child in session.scalars(select(Child).where(Child.id.in_(wanted)).order_by(Child.id))
    ]


def reindex(session: Session, ids: Iterable[uuid.UUID]) -> int:
    """Bring these children's index entries up to date, in the caller's transaction."""
    return index.index_records(session, DOMAIN, records_for(session, ids))
