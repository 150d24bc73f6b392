"""Likely matches put to a person: proposed, then confirmed or rejected, and never proposed again once
decided. Nothing is ever merged silently; what a confirmation does is the domain's business.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from openmash.db.base import utcnow
from openmash.errors import Conflict, NotFoundError
from openmash.matching.engine import Match
from openmash.matching.models import MatchProposal

PROPOSED, CONFIRMED, REJECTED = "proposed", "confirmed", "rejected"
PROPOSABLE_BANDS = ("certain", "probable")


def known_pairs(session: Session, domain: str, record_ids: Sequence[str]) -> set[frozenset[str]]:
    """Pairs already proposed or decided that involve any of these records (either way round)."""
    known: set[frozenset[str]] = set()
    for start in range(0, len(record_ids), 500):
        chunk = record_ids[start : start + 500]
        for a, b in session.execute(
            select(MatchProposal.record_id, MatchProposal.candidate_id).where(
                MatchProposal.domain == domain,
                or_(MatchProposal.record_id.in_(chunk), MatchProposal.candidate_id.in_(chunk)),
            )
        ):
            known.add(frozenset((a, b)))
    return known


def propose(
    session: Session,
    domain: str,
    record_id: str,
    matches: Sequence[Match],
    *,
    owner_agency_id: uuid.UUID | None,
    engine: str,
    known: set[frozenset[str]] | None = None,
) -> list[MatchProposal]:
    """Propose the certain and probable matches of a new record, except pairs already put to someone."""
    seen = known if known is not None else known_pairs(session, domain, [record_id])
    made = []
    for match in matches:
        pair = frozenset((record_id, match.record_id))
        if match.scored.band not in PROPOSABLE_BANDS or match.record_id == record_id or pair in seen:
            continue
        seen.add(pair)
        proposal = MatchProposal(
            domain=domain,
            record_id=record_id,
            candidate_id=match.record_id,
            owner_agency_id=owner_agency_id,
            score=round(match.scored.weight, 2),
            band=match.scored.band or "",
            explanation=[part.as_dict() for part in match.scored.explanation],
            engine=engine,
            status=PROPOSED,
        )
        session.add(proposal)
        made.append(proposal)
    session.flush()
    return made


def decide(
    session: Session,
    proposal_id: uuid.UUID,
    *,
    confirm: bool,
    user_id: uuid.UUID | None,
    decided_by: str,
    note: str | None = None,
) -> MatchProposal:
    """Record a person's decision; a decision is final (a wrong one is put right by the domain, not here)."""
    proposal = session.get(MatchProposal, proposal_id, with_for_update=True)
    if proposal is None:
        raise NotFoundError("No such proposed match")
    if proposal.status != PROPOSED:
        raise Conflict(f"This match was already {proposal.status} by {proposal.decided_by}")
    proposal.status = CONFIRMED if confirm else REJECTED
    proposal.decided_by_user_id = user_id
    proposal.decided_by = decided_by
    proposal.decided_at = utcnow()
    proposal.decision_note = (note or "").strip() or None
    session.flush()
    return proposal


def confirmed_with(session: Session, domain: str, record_id: str) -> set[str]:
    """Every record confirmed to be the same as this one, directly or through others (not itself)."""
    seen = {record_id}
    frontier = {record_id}
    while frontier:
        rows = session.execute(
            select(MatchProposal.record_id, MatchProposal.candidate_id).where(
                MatchProposal.domain == domain,
                MatchProposal.status == CONFIRMED,
                or_(MatchProposal.record_id.in_(frontier), MatchProposal.candidate_id.in_(frontier)),
            )
        ).all()
        linked = {x for row in rows for x in row} - seen
        seen |= linked
        frontier = linked
    return seen - {record_id}


def pending_for(
    session: Session, domain: str, owner_agency_id: uuid.UUID, limit: int = 50
) -> tuple[list[MatchProposal], int]:
    """An agency's proposals waiting for a decision, oldest first (up to ``limit``), and how many wait."""
    waiting = (
        MatchProposal.domain == domain,
        MatchProposal.owner_agency_id == owner_agency_id,
        MatchProposal.status == PROPOSED,
    )
    total = session.scalar(select(func.count()).select_from(MatchProposal).where(*waiting)) or 0
    first = session.scalars(
        select(MatchProposal)
        .where(*waiting)
        .order_by(MatchProposal.created_at, MatchProposal.id)
        .limit(limit)
    )
    return list(first), total
