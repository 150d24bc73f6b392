"""Finding a record's likely matches: look up its blocking keys, read the candidates sharing one, score each
field by field, and return those worth showing, best first, each with its explanation.

Two indexed reads whatever the size of the register: the cost grows with the size of the blocks, not of the
register.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.matching import storage
from openmash.matching.index import frequencies, terms_of
from openmash.matching.keys import query_keys
from openmash.matching.model import Model, Scored, load_model, score
from openmash.matching.models import MatchEntry, MatchKey
from openmash.matching.record import MatchRecord

MAX_RESULTS = 50
# The most candidates scored for one query, those sharing the most keys with it first. The true record of a
# query with no error shares every key, and with two errors still more than almost any other: at 200,000
# people it is never below the 62nd. Bounds the time of a query on a common name at national scale.
MAX_CANDIDATES = 200
_CHUNK = 2000


@dataclass(frozen=True)
class Match:
    record_id: str
    scored: Scored


def _most_shared(shared: Counter[int], cap: int) -> list[int]:
    if len(shared) <= cap:
        return list(shared)
    return [entry for entry, _ in sorted(shared.items(), key=lambda item: (-item[1], item[0]))[:cap]]


def candidates(
    session: Session, domain: str, query: MatchRecord, cap: int = MAX_CANDIDATES
) -> list[MatchRecord]:
    """The indexed records sharing a blocking key with the query, those sharing most first, up to ``cap``."""
    keys = query_keys(domain, query)
    if not keys:
        return []
    shared = Counter(session.scalars(select(MatchKey.entry_id).where(MatchKey.key.in_(keys))))
    if not shared:
        return []
    return [
        storage.loads(record_id, data)
        for record_id, data in session.execute(
            select(MatchEntry.record_id, MatchEntry.data).where(MatchEntry.id.in_(_most_shared(shared, cap)))
        )
    ]


def find(
    session: Session,
    domain: str,
    query: MatchRecord,
    *,
    model: Model | None = None,
    limit: int = MAX_RESULTS,
    exclude: Collection[str] = (),
) -> list[Match]:
    """The query's matches worth showing (band certain, probable or possible), best first."""
    model = model or load_model()
    found = [held for held in candidates(session, domain, query) if held.record_id not in exclude]
    if not found:
        return []
    shares = frequencies(session, domain, terms_of(query))

    def frequency(field: str, value: str) -> float | None:
        return shares.get((field, value))

    matches = [
        Match(held.record_id, scored)
        for held in found
        if (scored := score(query, held, model, frequency)).band is not None
    ]
    matches.sort(key=lambda m: (-m.scored.weight, m.record_id))
    return matches[:limit]


def find_many(
    session: Session,
    domain: str,
    queries: Sequence[MatchRecord],
    *,
    model: Model | None = None,
    limit: int = MAX_RESULTS,
) -> dict[str, list[Match]]:
    """Each query's matches among the other indexed records (an import's new people, already indexed),
    with the lookups batched: a few queries per thousands of records instead of two per record."""
    model = model or load_model()
    keys_of = {query.record_id: query_keys(domain, query) for query in queries}
    wanted = sorted({key for keys in keys_of.values() for key in keys})
    entries_of: dict[int, list[int]] = defaultdict(list)
    for start in range(0, len(wanted), _CHUNK):
        for key, entry_id in session.execute(
            select(MatchKey.key, MatchKey.entry_id).where(MatchKey.key.in_(wanted[start : start + _CHUNK]))
        ):
            entries_of[key].append(entry_id)
    chosen = {
        query.record_id: _most_shared(
            Counter(entry for key in keys_of[query.record_id] for entry in entries_of.get(key, ())),
            MAX_CANDIDATES + 1,  # the query itself is indexed too
        )
        for query in queries
    }
    entry_ids = sorted({entry for entries in chosen.values() for entry in entries})
    held: dict[int, MatchRecord] = {}
    for start in range(0, len(entry_ids), _CHUNK):
        for entry_id, record_id, data in session.execute(
            select(MatchEntry.id, MatchEntry.record_id, MatchEntry.data).where(
                MatchEntry.id.in_(entry_ids[start : start + _CHUNK])
            )
        ):
            held[entry_id] = storage.loads(record_id, data)
    shares = frequencies(session, domain, [term for query in queries for term in terms_of(query)])

    def frequency(field: str, value: str) -> float | None:
        return shares.get((field, value))

    found: dict[str, list[Match]] = {}
    for query in queries:
        matches = [
            Match(other.record_id, scored)
            for entry in chosen[query.record_id]
            if (other := held[entry]).record_id != query.record_id
            and (scored := score(query, other, model, frequency)).band is not None
        ]
        matches.sort(key=lambda m: (-m.scored.weight, m.record_id))
        found[query.record_id] = matches[:limit]
    return found
