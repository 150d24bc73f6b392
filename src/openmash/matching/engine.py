"""Finding a record's likely matches: look up its blocking keys, read the candidates sharing one, score each
field by field, and return those worth showing, best first, each with its explanation.

Two indexed reads whatever the size of the register: the cost grows with the size of the blocks, not of the
register.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from openmash.matching import storage
from openmash.matching.index import frequencies, placeholder
from openmash.matching.keys import query_keys, terms_of
from openmash.matching.model import Frequency, Model, Scored, load_model, score
from openmash.matching.models import MatchEntry, MatchKey
from openmash.matching.prepared import Prepared, prepare
from openmash.matching.record import MatchRecord
from openmash.matching.weighing import Weighing

MAX_RESULTS = 50
# Which candidates are scored. The blocking keys a record shares with the query rank it: the true record of
# a query with no error shares every key, and with two errors still more than almost any other. Scored are
# the SCORED_LEAST sharing most, and any other sharing within SCORED_SPREAD keys of the most shared, up to
# MAX_CANDIDATES. Measured at 2,000,000 people (10,000 generated applicants): the true record is among those
# scored for 99.86% of registered applicants (99.88% scoring every record sharing a key), half the queries
# score at most 10 records, and no query more than 100 (bench/results/matching.md).
MAX_CANDIDATES = 100
SCORED_LEAST = 10
SCORED_SPREAD = 4
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
) -> list[Prepared]:
    """The indexed records worth scoring for the query (see MAX_CANDIDATES): one statement, so a screening
    is one round trip to the database for its candidates. Written for the driver: compiling the statement
    through SQLAlchemy cost more than running it."""
    keys = sorted(query_keys(domain, query))
    if not keys:
        return []
    connection = session.connection()
    mark = placeholder(connection)
    sql = (
        "WITH ranked AS (SELECT entry_id, count(*) AS shared FROM match_keys"  # noqa: S608 - placeholders only
        f" WHERE key IN ({', '.join([mark] * len(keys))})"
        f" GROUP BY entry_id ORDER BY shared DESC, entry_id LIMIT {mark}),"
        " placed AS (SELECT entry_id, shared, max(shared) OVER () AS most,"
        " row_number() OVER (ORDER BY shared DESC, entry_id) AS place FROM ranked)"
        " SELECT e.record_id, e.data FROM placed JOIN match_entries AS e ON e.id = placed.entry_id"
        f" WHERE placed.place <= {mark} OR placed.shared >= placed.most - {mark}"
    )
    rows = connection.exec_driver_sql(sql, (*keys, int(cap), SCORED_LEAST, SCORED_SPREAD)).fetchall()
    return [storage.loads_prepared(record_id, data) for record_id, data in rows]


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

    return _best(prepare(query), found, model, frequency, limit)


def _best(
    query: Prepared, found: Sequence[Prepared], model: Model, frequency: Frequency, limit: int
) -> list[Match]:
    """The candidates in a band, best first: all weighed by the first pass, the sentences written only for
    the ``limit`` shown."""
    weighing = Weighing(query, model, frequency)
    weighed = [(weight, held) for held in found if (weight := weighing.weigh(held))[1] is not None]
    weighed.sort(key=lambda pair: (-pair[0][0], pair[1].record_id))
    return [Match(held.record_id, score(query, held, model, frequency)) for _, held in weighed[:limit]]


def find_many(
    session: Session,
    domain: str,
    queries: Sequence[MatchRecord],
    *,
    model: Model | None = None,
    limit: int = MAX_RESULTS,
    min_shared: int = 2,
) -> dict[str, list[Match]]:
    """Each query's matches among the other indexed records, for queries already indexed (an import's new
    people): the index is joined with itself in the database, a few statements per 500 records, so an import
    of tens of thousands of people is not tens of thousands of lookups.

    A proposal asks for more than a screening does: only the keys stored for each record meet (not a
    screening's swapped variants), and only pairs sharing ``min_shared`` keys are scored. Nine in ten pairs
    sharing one key are strangers, while a generated applicant with up to two errors and a date of birth
    (as every register record has) shares two or more stored keys with its record in 9,652 cases out of
    9,764 (98.9%)."""
    model = model or load_model()
    wanted = {query.record_id: query for query in queries}
    entry_of: dict[int, str] = {}
    ids = sorted(wanted)
    for start in range(0, len(ids), 500):
        for entry_id, record_id in session.execute(
            select(MatchEntry.id, MatchEntry.record_id).where(
                MatchEntry.domain == domain, MatchEntry.record_id.in_(ids[start : start + 500])
            )
        ):
            entry_of[entry_id] = record_id
    mine, theirs = aliased(MatchKey), aliased(MatchKey)
    shared: dict[int, Counter[int]] = defaultdict(Counter)
    entries = sorted(entry_of)
    for start in range(0, len(entries), 500):
        for entry_id, other_id, count in session.execute(
            select(mine.entry_id, theirs.entry_id, func.count())
            .join(theirs, theirs.key == mine.key)
            .where(mine.entry_id.in_(entries[start : start + 500]), theirs.entry_id != mine.entry_id)
            .group_by(mine.entry_id, theirs.entry_id)
            .having(func.count() >= min_shared)
        ):
            shared[entry_id][other_id] = count
    chosen = {entry: _most_shared(others, MAX_CANDIDATES) for entry, others in shared.items()}
    needed = sorted({other for others in chosen.values() for other in others})
    held: dict[int, Prepared] = {}
    for start in range(0, len(needed), _CHUNK):
        for entry_id, record_id, data in session.execute(
            select(MatchEntry.id, MatchEntry.record_id, MatchEntry.data).where(
                MatchEntry.id.in_(needed[start : start + _CHUNK])
            )
        ):
            held[entry_id] = storage.loads_prepared(record_id, data)
    shares = frequencies(session, domain, [term for query in queries for term in terms_of(query)])

    def frequency(field: str, value: str) -> float | None:
        return shares.get((field, value))

    found: dict[str, list[Match]] = {record_id: [] for record_id in wanted}
    for entry, others in chosen.items():
        query = prepare(wanted[entry_of[entry]])
        found[query.record_id] = _best(query, [held[other] for other in others], model, frequency, limit)
    return found
