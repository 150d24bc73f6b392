"""People the register may hold twice, found in one batch and put to an officer, never merged silently.

An import proposes the likely matches of the people it creates (``matches.py``); a register from before the
matching engine, or one that a better model or variant table would now pair differently, is checked whole
by Splink (``matching.batch``). Each likely pair is proposed as an import's would be, to the licensing
authority of the newer record's most recent licence (the authority that most likely created the second
record, and that knows the applicant). A pair already proposed or decided, either way round, is never
proposed again, nor one that confirmed links already join.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from importlib.metadata import version

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import SYSTEM, Actor, Context
from openmash.matching import batch, proposals
from openmash.matching.engine import Match
from openmash.matching.models import MatchProposal
from openmash.register import person_index
from openmash.register.matches import engine_name as matching_engine
from openmash.register.models import Licence, Person
from openmash.register.person_index import DOMAIN

_CHUNK = 500


def engine_name() -> str:
    """Recorded with each proposal: Splink nominated the pair, our model scored it."""
    return f"splink {version('splink')} + {matching_engine()}"


def _chunks(ids: list[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _linked(session: Session) -> dict[str, str]:
    """Each record joined to others by confirmed links, mapped to one record of its group."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in session.execute(
        select(MatchProposal.record_id, MatchProposal.candidate_id).where(
            MatchProposal.domain == DOMAIN, MatchProposal.status == proposals.CONFIRMED
        )
    ):
        parent[root(a)] = root(b)
    return {x: root(x) for x in list(parent)}


def _created(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[datetime, str]]:
    """When each person was first recorded (the id breaks a tie), to tell the newer record of a pair."""
    created: dict[uuid.UUID, tuple[datetime, str]] = {}
    for chunk in _chunks(ids):
        for person_id, at in session.execute(
            select(Person.id, Person.created_at).where(Person.id.in_(chunk))
        ):
            created[person_id] = (at, str(person_id))
    return created


def _latest_authority(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """The authority of each person's most recently recorded licence."""
    latest: dict[uuid.UUID, tuple[datetime, str, uuid.UUID]] = {}
    for chunk in _chunks(ids):
        for person_id, authority_id, at, licence_id in session.execute(
            select(Licence.person_id, Licence.authority_id, Licence.created_at, Licence.id).where(
                Licence.person_id.in_(chunk)
            )
        ):
            candidate = (at, str(licence_id), authority_id)
            if person_id not in latest or candidate[:2] > latest[person_id][:2]:
                latest[person_id] = candidate
    return {person_id: found[2] for person_id, found in latest.items()}


def propose_duplicates(
    session: Session,
    *,
    threshold: float = batch.DEFAULT_THRESHOLD,
    limit: int | None = None,
    actor: Actor = SYSTEM,
    context: Context = audit.NO_CONTEXT,
) -> int:
    """Dedupe every person on the register and propose each likely pair not yet put to anyone, the
    strongest first (at most ``limit``; the rest wait for the next run). Returns how many were proposed.

    ``threshold`` is Splink's match probability from which a pair is scored by our model; only pairs our
    model calls certain or probable are proposed. Audited, with the proposals made.
    """
    ids = list(session.scalars(select(Person.id).order_by(Person.id)))
    pairs = batch.dedupe(person_index.records_for(session, ids), threshold=threshold)
    known = proposals.known_pairs(
        session, DOMAIN, sorted({x for p in pairs for x in (p.left_id, p.right_id)})
    )
    group = _linked(session)
    eligible = [
        p
        for p in pairs
        if frozenset((p.left_id, p.right_id)) not in known
        and group.get(p.left_id, p.left_id) != group.get(p.right_id, p.right_id)
    ]
    fresh = eligible if limit is None else eligible[: max(limit, 0)]
    involved = sorted({uuid.UUID(x) for p in fresh for x in (p.left_id, p.right_id)}, key=str)
    created = _created(session, involved)
    authority = _latest_authority(session, involved)
    name = engine_name()
    made: list[MatchProposal] = []
    for pair in fresh:
        older, newer = sorted((uuid.UUID(pair.left_id), uuid.UUID(pair.right_id)), key=created.__getitem__)
        made += proposals.propose(
            session,
            DOMAIN,
            str(newer),
            [Match(str(older), pair.scored)],
            owner_agency_id=authority.get(newer, authority.get(older)),
            engine=name,
            known=known,
        )
    audit.record(
        session,
        "register.matches.batch",
        actor,
        purpose="Finding people the register may hold twice",
        context=context,
        details={
            "engine": name,
            "threshold": threshold,
            "limit": limit,
            "people": len(ids),
            "likely_pairs": len(pairs),
            "already_proposed_or_linked": len(pairs) - len(eligible),
            "left_for_next_run": len(eligible) - len(fresh),
            "proposals": [str(p.id) for p in made],
        },
    )
    return len(made)
