"""Keeping the match index in step with a domain's records: add or update records in batches (an import
updates it incrementally), remove them, and count names for term frequencies.

Everything runs in the caller's transaction, so a record and its index entry are written together or not at
all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import cast

import psycopg
from sqlalchemy import Table, delete, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from openmash.matching import storage
from openmash.matching.keys import record_keys
from openmash.matching.models import MatchEntry, MatchKey, MatchTermCount
from openmash.matching.normalise import joined
from openmash.matching.record import MatchRecord

ALL = "*"  # the field and value of the row counting a domain's records
# Below this many records a share says little (in a register of one, every name is everyone's): the model's
# average weights are used instead.
MIN_RECORDS_FOR_FREQUENCIES = 1000
ANALYZE_AFTER = 5000  # records written at once, after which PostgreSQL's statistics are refreshed
_CHUNK = 500


def terms_of(record: MatchRecord) -> list[tuple[str, str]]:
    """The values counted for term frequencies: the main name's surname and forenames, joined."""
    if not record.names:
        return []
    surname, forenames = record.names[0]
    return [
        (field, value)
        for field, value in (("surname", joined(surname)), ("forenames", joined(forenames)))
        if value
    ]


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
        entries = cast(Table, MatchEntry.__table__)
        written = session.execute(  # Core, not the ORM: an import writes tens of thousands at once
            insert(entries).returning(entries.c.id, entries.c.record_id, sort_by_parameter_order=True),
            [{"domain": domain, "record_id": r.record_id, "data": storage.dumps(r)} for r in fresh],
        ).all()
        for (entry_id, _), record in zip(written, fresh, strict=True):
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


def _write_keys(session: Session, keys: list[tuple[int, int]]) -> None:
    """Straight to the driver (COPY on PostgreSQL, executemany on SQLite): an import or a rebuild writes
    millions of keys, and SQLAlchemy's per-row machinery (a statement a row on psycopg) would cost more than
    the database's own work."""
    connection = session.connection()
    driver = connection.connection.driver_connection
    if isinstance(driver, psycopg.Connection):
        with (
            driver.cursor() as cursor,
            cursor.copy("COPY match_keys (key, entry_id) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.set_types(["int8", "int8"])
            for row in keys:
                copy.write_row(row)
    elif connection.dialect.paramstyle == "qmark":
        sqlite_cursor = connection.connection.cursor()
        try:
            sqlite_cursor.executemany("INSERT INTO match_keys (key, entry_id) VALUES (?, ?)", keys)
        finally:
            sqlite_cursor.close()
    else:
        session.execute(insert(cast(Table, MatchKey.__table__)), [{"key": k, "entry_id": e} for k, e in keys])


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
    """The share of a domain's records holding each (field, value) asked for (absent: never seen)."""
    wanted = set(terms)
    values = sorted({value for _, value in wanted} | {ALL})
    fields = sorted({field for field, _ in wanted} | {ALL})
    found: dict[tuple[str, str], int] = {}
    for start in range(0, len(values), 2000):
        for field, value, count in session.execute(
            select(MatchTermCount.field, MatchTermCount.value, MatchTermCount.count).where(
                MatchTermCount.domain == domain,
                MatchTermCount.field.in_(fields),
                MatchTermCount.value.in_(values[start : start + 2000]),
            )
        ):
            found[(field, value)] = count
    total = found.get((ALL, ALL), 0)
    if total < MIN_RECORDS_FOR_FREQUENCIES:
        return {}
    return {term: found[term] / total for term in wanted if found.get(term, 0) > 0}
