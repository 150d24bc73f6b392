"""Engines and sessions. One transaction per user action: ``with transaction(factory) as session``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever scheme the operator wrote."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    kwargs: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
        # psycopg prepares a statement on the server after five runs, and PostgreSQL may then keep a generic
        # plan made while a table was nearly empty: the match index's lookups by record fell to a scan of
        # the whole table (half a second each) as an import filled it. Planning each statement costs less.
        kwargs["connect_args"] = {"prepare_threshold": None}
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


def _sqlite_begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


# Reads through a memory map rather than a read() per page: a screening touches a few hundred index pages
# scattered over a national register, and copying each through SQLite's small page cache was most of its
# database time (2M people: p95 of the candidate lookup 8.1 ms -> 0.8 ms, bench/results/matching.md). The
# map is address space, not memory; the library caps it (2 GiB in Debian's build), beyond which reads fall
# back to read().
SQLITE_MMAP_BYTES = 2 * 1024**3


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Take the write lock at BEGIN (IMMEDIATE) so two requests never both read the audit chain head
    # and then collide when they write; SQLite is the single-process demo database.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Commit everything done in the block, or nothing."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SQLITE_CACHE_KIB = 256 * 1024


@contextmanager
def roomy_cache(session: Session, kib: int = SQLITE_CACHE_KIB) -> Iterator[None]:
    """On SQLite, a page cache big enough for a large write's index updates (the default 2 MiB makes every
    insert into a big table's random-key indexes a read), put back afterwards. Pages are only taken as
    needed; PostgreSQL has its own shared buffers."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{kib}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before or 0)}")
