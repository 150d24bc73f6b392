"""A whole-index build's Python work in other processes: while this process writes one batch to the
database, a worker computes the next batch's blocking keys, stored form and counted names.

Keys cost about 40 µs a record, so a 2,000,000-person build spent some 200 s in Python on one core while the
machine's others idled, and the database then waited on it. Records cross to the worker as plain tuples (a
MatchRecord's read-only mapping does not pickle) and come back as strings and integers. Workers are forked:
a spawned one would re-run the caller's main script (any command without a ``__main__`` guard would break),
and a forked one only computes keys and leaves with ``os._exit``, never touching the database connections it
inherited.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from openmash.matching import storage
from openmash.matching.keys import record_keys, terms_of
from openmash.matching.record import MatchRecord

# Batches smaller than this are keyed here: starting a worker (a fresh interpreter) costs about a second.
POOL_FROM_BATCH = 5000

Wired = tuple[str, tuple[tuple[str, str], ...], date | None, dict[str, str], tuple[str, ...], str | None]


@dataclass(frozen=True)
class Keyed:
    """One batch ready to write: each record's stored form and keys, and the names it adds to the counts."""

    data: list[str]
    keys: list[list[int]]
    terms: list[tuple[str, str]]


def _wire(record: MatchRecord) -> Wired:
    return (
        record.record_id,
        record.names,
        record.date_of_birth,
        dict(record.identifiers),
        tuple(record.postcodes),
        record.sex,
    )


def _unwire(wired: Wired) -> MatchRecord:
    record_id, names, born, identifiers, postcodes, sex = wired
    return MatchRecord(record_id, names, born, MappingProxyType(identifiers), frozenset(postcodes), sex)


def key_batch(domain: str, records: Sequence[MatchRecord]) -> Keyed:
    """What ``index.build`` writes for a batch."""
    return Keyed(
        data=[storage.dumps(record) for record in records],
        keys=[sorted(record_keys(domain, record)) for record in records],
        terms=[term for record in records for term in terms_of(record)],
    )


def _key_wired(domain: str, wired: list[Wired]) -> Keyed:
    return key_batch(domain, [_unwire(w) for w in wired])


def default_workers() -> int:
    """One core left for the database; at most four workers (the writer cannot take more)."""
    return max(0, min(4, (os.cpu_count() or 1) - 1))


def keyed_batches(
    domain: str, batches: Iterable[Sequence[MatchRecord]], workers: int | None = None
) -> Iterator[tuple[Sequence[MatchRecord], Keyed]]:
    """Each non-empty batch with its keys, in order. Batches of ``POOL_FROM_BATCH`` records or more are
    keyed in ``workers`` processes (by default all cores but one), a few batches ahead of the caller."""
    workers = default_workers() if workers is None else workers
    source = iter(batches)
    pool: ProcessPoolExecutor | None = None
    ahead: deque[tuple[Sequence[MatchRecord], Future[Keyed] | Keyed]] = deque()
    try:
        while True:
            while len(ahead) <= workers:
                batch = next(source, None)
                if batch is None:
                    break
                if not batch:
                    continue
                if workers and len(batch) >= POOL_FROM_BATCH:
                    if pool is None:
                        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
                    ahead.append((batch, pool.submit(_key_wired, domain, [_wire(r) for r in batch])))
                else:
                    ahead.append((batch, key_batch(domain, batch)))
            if not ahead:
                return
            batch, keyed = ahead.popleft()
            yield batch, keyed.result() if isinstance(keyed, Future) else keyed
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
