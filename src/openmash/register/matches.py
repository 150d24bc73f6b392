"""Likely matches found when an authority imports new people: proposed to that authority's officers, who
confirm ("the same person") or reject; never merged silently, never proposed twice.

A confirmed match links two person records rather than merging them, so what each authority recorded stays
as it recorded it; the link makes them one person for the duty to share and on the person page.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.errors import NotFoundError, PermissionDenied
from openmash.identity.models import Agency
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.matching import engine, index, proposals
from openmash.matching.model import load_model
from openmash.matching.models import MatchProposal
from openmash.register import person_index
from openmash.register.models import Person
from openmash.register.person_index import DOMAIN


def engine_name() -> str:
    return f"openmash-matching {load_model().version}"


def index_and_propose(
    session: Session, authority_id: uuid.UUID, touched: Iterable[uuid.UUID], new: Iterable[uuid.UUID]
) -> int:
    """After an import: bring the people it touched up to date in the index, then propose the likely matches
    of the people it created. Returns how many matches were proposed."""
    records = person_index.records_for(session, touched)
    created = {str(person_id) for person_id in new}
    fresh = [record for record in records if record.record_id in created]
    index.index_records(session, DOMAIN, fresh, all_new=True)
    index.index_records(session, DOMAIN, [record for record in records if record.record_id not in created])
    if not fresh:
        return 0
    found = engine.find_many(session, DOMAIN, fresh)
    known = proposals.known_pairs(session, DOMAIN, [record.record_id for record in fresh])
    name = engine_name()
    return sum(
        len(
            proposals.propose(
                session,
                DOMAIN,
                record.record_id,
                found[record.record_id],
                owner_agency_id=authority_id,
                engine=name,
                known=known,
            )
        )
        for record in fresh
    )


def linked_people(session: Session, person_id: uuid.UUID) -> set[uuid.UUID]:
    """Person records confirmed to be the same person as this one (not itself)."""
    return {uuid.UUID(other) for other in proposals.confirmed_with(session, DOMAIN, str(person_id))}


@dataclass(frozen=True)
class PersonSide:
    id: uuid.UUID
    surname: str
    forenames: str
    date_of_birth: date
    licences: list[tuple[str, str, str]]  # (authority name, licence reference, status)


@dataclass(frozen=True)
class ProposalView:
    id: uuid.UUID
    proposed_at: datetime
    band: str
    score: float
    explanation: list[dict[str, Any]]
    new: PersonSide
    existing: PersonSide
    status: str
    decided_by: str | None
    decided_at: datetime | None


def _ensure_may_decide(principal: Principal) -> None:
    if not principal.can(Permission.REGISTER_RECORD):
        raise PermissionDenied("You do not have permission to decide proposed matches")


def _sides(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, PersonSide]:
    people = session.scalars(
        select(Person).where(Person.id.in_(ids)).options(selectinload(Person.licences))
    ).all()
    authorities = {
        a.id: a.name
        for a in session.scalars(
            select(Agency).where(Agency.id.in_({lic.authority_id for p in people for lic in p.licences}))
        )
    }
    return {
        p.id: PersonSide(
            p.id,
            p.surname,
            p.forenames,
            p.date_of_birth,
            sorted(
                (authorities[lic.authority_id], lic.authority_licence_ref, lic.status) for lic in p.licences
            ),
        )
        for p in people
    }


def _view(proposal: MatchProposal, sides: dict[uuid.UUID, PersonSide]) -> ProposalView:
    return ProposalView(
        id=proposal.id,
        proposed_at=proposal.created_at,
        band=proposal.band,
        score=proposal.score,
        explanation=proposal.explanation,
        new=sides[uuid.UUID(proposal.record_id)],
        existing=sides[uuid.UUID(proposal.candidate_id)],
        status=proposal.status,
        decided_by=proposal.decided_by,
        decided_at=proposal.decided_at,
    )


@dataclass(frozen=True)
class Pending:
    shown: list[ProposalView]  # the oldest first
    total: int


def pending(session: Session, principal: Principal, context: Context, limit: int = 50) -> Pending:
    """The proposals waiting for the officer's authority, oldest first; showing them is audited (they name
    people)."""
    _ensure_may_decide(principal)
    waiting, total = proposals.pending_for(session, DOMAIN, principal.agency_id, limit)
    if not waiting:
        return Pending([], total)
    ids = {uuid.UUID(x) for p in waiting for x in (p.record_id, p.candidate_id)}
    audit.record(
        session,
        "register.matches.list",
        principal.actor,
        purpose="Deciding matches proposed by an import",
        context=context,
        details={"proposals": [str(p.id) for p in waiting], "people": sorted(str(x) for x in ids)},
    )
    sides = _sides(session, ids)
    return Pending([_view(p, sides) for p in waiting], total)


def decide(
    session: Session,
    principal: Principal,
    proposal_id: uuid.UUID,
    *,
    confirm: bool,
    note: str | None,
    context: Context,
) -> ProposalView:
    """An officer of the importing authority confirms or rejects a proposed match; audited."""
    _ensure_may_decide(principal)
    proposal = session.get(MatchProposal, proposal_id)
    if proposal is None or proposal.domain != DOMAIN or proposal.owner_agency_id != principal.agency_id:
        raise NotFoundError("No such proposed match for your authority")
    decided = proposals.decide(
        session,
        proposal_id,
        confirm=confirm,
        user_id=principal.actor.user_id,
        decided_by=principal.actor.label,
        note=note,
    )
    audit.record(
        session,
        "register.matches.confirm" if confirm else "register.matches.reject",
        principal.actor,
        object_type="person",
        object_id=uuid.UUID(decided.record_id),
        context=context,
        details={
            "proposal": str(decided.id),
            "candidate": decided.candidate_id,
            "note": decided.decision_note,
        },
    )
    sides = _sides(session, {uuid.UUID(decided.record_id), uuid.UUID(decided.candidate_id)})
    return _view(decided, sides)
