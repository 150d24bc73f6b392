"""Keeping the match index in step with a domain's records: add or update records in batches (an import
updates it incrementally), remove them, and count names for term frequencies.

Everything runs in the caller's transaction, so a record and its index entry are written together or not at
all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Literal, cast

import psycopg
from sqlalchemy import Connection, Table, delete, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from openmash.db.session import roomy_cache
from openmash.matching import storage
from openmash.matching.keys import record_keys, terms_of
from openmash.matching.models import MatchEntry, MatchKey, MatchTermCount
from openmash.matching.pipeline import keyed_batches
from openmash.matching.record import MatchRecord

ALL = "*"  # the field and value of the row counting a domain's records
# Below this many records a share says little (in a register of one, every name is everyone's): the model's
# average weights are used instead.
MIN_RECORDS_FOR_FREQUENCIES = 1000
ANALYZE_AFTER = 5000  # records written at once, after which PostgreSQL's statistics are refreshed
_CHUNK = 500
_INSERT_KEYS = {
    "match_keys": "INSERT INTO match_keys (key, entry_id) VALUES (?, ?)",
    "match_keys_staged": "INSERT INTO match_keys_staged (key, entry_id) VALUES (?, ?)",
}


def placeholder(connection: Connection) -> str:
    """The driver's positional parameter mark, for the few statements written for the driver."""
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def index_records(
    session: Session, domain: str, records: Iterable[MatchRecord], *, all_new: bool = False
) -> int:
    """Add new records and refresh changed ones; returns how many entries were written. ``all_new`` says
    the caller knows none is indexed yet (a rebuild, an import's new people): nothing is looked up first."""
    wanted = {record.record_id: record for record in records}
    if not wanted:
        return 0
    existing: dict[str, tuple[int, str]] = {}
    for chunk in [] if all_new else _chunks(list(wanted)):
        for entry_id, record_id, data in session.execute(
            select(MatchEntry.id, MatchEntry.record_id, MatchEntry.data).where(
                MatchEntry.domain == domain, MatchEntry.record_id.in_(chunk)
            )
        ):
            existing[record_id] = (entry_id, data)
    counts: Counter[tuple[str, str]] = Counter()
    fresh: list[MatchRecord] = []
    changed: list[tuple[int, MatchRecord]] = []
    for record_id, record in wanted.items():
        if record_id not in existing:
            fresh.append(record)
            counts.update(terms_of(record))
            counts[(ALL, ALL)] += 1
            continue
        entry_id, data = existing[record_id]
        if data != storage.dumps(record):
            changed.append((entry_id, record))
            counts.subtract(terms_of(storage.loads(record_id, data)))
            counts.update(terms_of(record))
    keys: list[tuple[int, int]] = []
    if changed:
        changed_ids = [entry_id for entry_id, _ in changed]
        session.execute(delete(MatchKey).where(MatchKey.entry_id.in_(changed_ids)))
        for entry_id, record in changed:
            session.execute(
                update(MatchEntry).where(MatchEntry.id == entry_id).values(data=storage.dumps(record))
            )
            keys += [(key, entry_id) for key in record_keys(domain, record)]
    if fresh:
        for entry_id, record in zip(_insert_entries(session, domain, fresh), fresh, strict=True):
            keys += [(key, entry_id) for key in record_keys(domain, record)]
    if keys:
        _write_keys(session, keys)
    _add_counts(session, domain, counts)
    total = len(fresh) + len(changed)
    if total >= ANALYZE_AFTER and session.get_bind().dialect.name == "postgresql":
        # Fresh statistics at once: planned on a table that autovacuum still thinks nearly empty, a
        # screening's lookups scan every key (17 ms p50 instead of 3 ms at 60,000 people).
        session.execute(text("ANALYZE match_entries, match_keys, match_term_counts"))
    return total


def build(
    session: Session,
    domain: str,
    batches: Iterable[Sequence[MatchRecord]],
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> int:
    """A domain's whole index afresh (a rebuild, a first load of millions): the domain is cleared, entries
    written batch by batch, and the keys gathered in a scratch table and written in key order at the end
    with the entry index made afterwards. Inserting millions of hashed keys one batch at a time scatters
    them over the whole B-tree (a 2M-person index took 23 minutes that way); in key order it is appended.
    One transaction, the caller's: readers see the old index until it commits. Large batches are keyed in
    ``workers`` other processes meanwhile (``pipeline.py``; 0 keys them here)."""
    with roomy_cache(session):
        return _build(session, domain, batches, progress, workers)


def _build(
    session: Session,
    domain: str,
    batches: Iterable[Sequence[MatchRecord]],
    progress: Callable[[int], None] | None,
    workers: int | None,
) -> int:
    clear(session, domain)
    connection = session.connection()
    dialect = connection.dialect.name
    connection.exec_driver_sql("CREATE TEMPORARY TABLE match_keys_staged (key BIGINT, entry_id BIGINT)")
    counts: Counter[tuple[str, str]] = Counter()
    total = 0
    for batch, keyed in keyed_batches(domain, batches, workers):
        ids = _insert_entries(session, domain, batch, keyed.data)
        keys = [
            (key, entry_id) for entry_id, its_keys in zip(ids, keyed.keys, strict=True) for key in its_keys
        ]
        _write_keys(session, keys, table="match_keys_staged")
        counts.update(keyed.terms)
        counts[(ALL, ALL)] += len(batch)
        total += len(batch)
        if progress is not None:
            progress(len(batch))
    connection.exec_driver_sql("DROP INDEX ix_match_keys_entry_id")
    connection.exec_driver_sql(
        "INSERT INTO match_keys (key, entry_id) SELECT key, entry_id FROM match_keys_staged"
        " ORDER BY key, entry_id"
    )
    connection.exec_driver_sql("DROP TABLE match_keys_staged")
    connection.exec_driver_sql("CREATE INDEX ix_match_keys_entry_id ON match_keys (entry_id)")
    session.execute(
        insert(cast(Table, MatchTermCount.__table__)),
        [
            {"domain": domain, "field": field, "value": value[:200], "count": count}
            for (field, value), count in counts.items()
        ],
    )
    if dialect == "postgresql":
        connection.exec_driver_sql("ANALYZE match_entries, match_keys, match_term_counts")
    else:  # statistics from a sample: a full ANALYZE reads every page of a multi-gigabyte index
        connection.exec_driver_sql("PRAGMA analysis_limit = 10000")
        connection.exec_driver_sql("ANALYZE")
    return total


def _insert_entries(
    session: Session, domain: str, records: Sequence[MatchRecord], data: Sequence[str] | None = None
) -> list[int]:
    """Write new entries straight to the driver and return their ids, in order. The ids are taken first
    (PostgreSQL: from the table's sequence; SQLite: after the highest, safe because every SQLite write
    transaction here holds the database's write lock from its BEGIN IMMEDIATE): SQLAlchemy's RETURNING
    for many rows costs a statement a row on SQLite."""
    connection = session.connection()
    driver = connection.connection.driver_connection
    data = [storage.dumps(record) for record in records] if data is None else data
    if isinstance(driver, psycopg.Connection):
        ids = [
            int(entry_id)
            for (entry_id,) in connection.exec_driver_sql(
                "SELECT nextval(pg_get_serial_sequence('match_entries', 'id'))"
                " FROM generate_series(1, %(n)s)",
                {"n": len(records)},
            )
        ]
        with (
            driver.cursor() as cursor,
            cursor.copy(
                "COPY match_entries (id, domain, record_id, data) FROM STDIN (FORMAT BINARY)"
            ) as copy,
        ):
            copy.set_types(["int8", "text", "text", "text"])
            for entry_id, record, stored in zip(ids, records, data, strict=True):
                copy.write_row((entry_id, domain, record.record_id, stored))
        return ids
    highest = connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM match_entries").scalar() or 0
    ids = list(range(int(highest) + 1, int(highest) + 1 + len(records)))
    rows = [
        (entry_id, domain, record.record_id, stored)
        for entry_id, record, stored in zip(ids, records, data, strict=True)
    ]
    sqlite_cursor = connection.connection.cursor()
    try:
        sqlite_cursor.executemany(
            "INSERT INTO match_entries (id, domain, record_id, data) VALUES (?, ?, ?, ?)", rows
        )
    finally:
        sqlite_cursor.close()
    return ids


def _write_keys(
    session: Session,
    keys: list[tuple[int, int]],
    table: Literal["match_keys", "match_keys_staged"] = "match_keys",
) -> None:
    """Straight to the driver (COPY on PostgreSQL, executemany on SQLite): an import or a rebuild writes
    millions of keys, and SQLAlchemy's per-row machinery (a statement a row on psycopg) would cost more than
    the database's own work."""
    connection = session.connection()
    driver = connection.connection.driver_connection
    if isinstance(driver, psycopg.Connection):
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {table} (key, entry_id) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.set_types(["int8", "int8"])
            for row in keys:
                copy.write_row(row)
    elif connection.dialect.paramstyle == "qmark":
        sqlite_cursor = connection.connection.cursor()
        try:
            sqlite_cursor.executemany(_INSERT_KEYS[table], keys)
        finally:
            sqlite_cursor.close()
    else:
        session.execute(
            text(_INSERT_KEYS[table].replace("?, ?", ":key, :entry_id")),
            [{"key": k, "entry_id": e} for k, e in keys],
        )


def remove_records(session: Session, domain: str, record_ids: Iterable[str]) -> None:
    """Take records out of the index (a record merged into another, or erased)."""
    counts: Counter[tuple[str, str]] = Counter()
    for chunk in _chunks(list(record_ids)):
        rows = session.execute(
            select(MatchEntry.id, MatchEntry.record_id, MatchEntry.data).where(
                MatchEntry.domain == domain, MatchEntry.record_id.in_(chunk)
            )
        ).all()
        for _, record_id, data in rows:
            counts.subtract(terms_of(storage.loads(record_id, data)))
            counts[(ALL, ALL)] -= 1
        ids = [entry_id for entry_id, _, _ in rows]
        session.execute(delete(MatchKey).where(MatchKey.entry_id.in_(ids)))
        session.execute(delete(MatchEntry).where(MatchEntry.id.in_(ids)))
    _add_counts(session, domain, counts)


def _add_counts(session: Session, domain: str, counts: Counter[tuple[str, str]]) -> None:
    rows = [
        {"domain": domain, "field": field, "value": value[:200], "count": change}
        for (field, value), change in counts.items()
        if change
    ]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    upsert = postgresql_insert(MatchTermCount) if dialect == "postgresql" else sqlite_insert(MatchTermCount)
    for start in range(0, len(rows), 1000):  # one multi-row statement a thousand names, not one a name
        chunk = upsert.values(rows[start : start + 1000])
        session.execute(
            chunk.on_conflict_do_update(
                index_elements=["domain", "field", "value"],
                set_={"count": MatchTermCount.count + chunk.excluded.count},
            )
        )


def clear(session: Session, domain: str) -> None:
    """Empty a domain's index, before a rebuild."""
    entries = select(MatchEntry.id).where(MatchEntry.domain == domain)
    session.execute(delete(MatchKey).where(MatchKey.entry_id.in_(entries)))
    session.execute(delete(MatchEntry).where(MatchEntry.domain == domain))
    session.execute(delete(MatchTermCount).where(MatchTermCount.domain == domain))


def frequencies(
    session: Session, domain: str, terms: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], float]:
    """The share of a domain's records holding each (field, value) asked for (absent: never seen). Written
    for the driver, as a screening asks it every time."""
    wanted = set(terms)
    values = sorted({value[:200] for _, value in wanted} | {ALL})
    fields = sorted({field for field, _ in wanted} | {ALL})
    connection = session.connection()
    mark = placeholder(connection)
    found: dict[tuple[str, str], int] = {}
    for start in range(0, len(values), 2000):
        chunk = values[start : start + 2000]
        # The field is named so that the primary key (domain, field, value) is used: without it PostgreSQL
        # read every name counted (57 ms at 2,000,000 people).
        sql = (
            "SELECT field, value, count FROM match_term_counts"  # noqa: S608 - placeholders only
            f" WHERE domain = {mark} AND field IN ({', '.join([mark] * len(fields))})"
            f" AND value IN ({', '.join([mark] * len(chunk))})"
        )
        for field, value, count in connection.exec_driver_sql(sql, (domain, *fields, *chunk)):
            found[(field, value)] = int(count)
    total = found.get((ALL, ALL), 0)
    if total < MIN_RECORDS_FOR_FREQUENCIES:
        return {}
    return {term: found[term] / total for term in wanted if found.get(term, 0) > 0}
