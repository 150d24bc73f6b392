"""Databases of the benchmark's own, and the process's memory.

Each run gets a fresh SQLite file or a fresh PostgreSQL database, created and dropped by the register
benchmark's helpers (``openmash.demo.benchmark``), never the service's database.

Peak memory is the kernel's high-water mark of this process's resident set (VmHWM in /proc/self/status),
reset just before the step measured (writing 5 to /proc/self/clear_refs), so it is the peak during that step
of everything the process holds, the in-memory register the harness generated included. Where /proc is not
there, ``resource.getrusage`` gives the peak since the process started.
"""

from __future__ import annotations

import os
import resource
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from openmash.db.session import normalise_url
from openmash.demo import benchmark

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_server() -> str:
    return (
        os.environ.get("OPENMASH_BENCH_DATABASE_URL")
        or os.environ.get("OPENMASH_TEST_DATABASE_URL")
        or DEFAULT_POSTGRES
    )


def answers(url: str) -> bool:
    parsed = make_url(normalise_url(url))
    try:
        with socket.create_connection((parsed.host or "127.0.0.1", parsed.port or 5432), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def database(kind: str, directory: Path | None = None) -> Iterator[sessionmaker[Session]]:
    """A migrated database of its own: "sqlite" (a temporary file) or "postgresql" (created, then dropped)."""
    if kind == "sqlite":
        with benchmark.sqlite_database(directory) as sessions:
            yield sessions
    elif kind == "postgresql":
        with benchmark.postgres_database(postgres_server()) as sessions:
            yield sessions
    else:
        raise ValueError(f"unknown database {kind!r}")


def vacuum_analyse(sessions: sessionmaker[Session]) -> None:
    """Fresh planner statistics, as autovacuum gives a database in service (PostgreSQL: VACUUM ANALYZE, so
    index-only scans see an up-to-date visibility map; SQLite: ANALYZE)."""
    engine = sessions.kw["bind"]
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()


def server_settings(sessions: sessionmaker[Session]) -> str:
    """The PostgreSQL settings that matter to read latency, for the results."""
    engine = sessions.kw["bind"]
    if engine.dialect.name != "postgresql":
        return ""
    names = (
        "server_version",
        "shared_buffers",
        "effective_cache_size",
        "work_mem",
        "random_page_cost",
        "jit",
    )
    with engine.connect() as connection:
        return ", ".join(f"{name}={connection.execute(text(f'SHOW {name}')).scalar()}" for name in names)


def _status(field: str) -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024  # kB -> MB
    except OSError:
        return None
    return None


def reset_peak() -> bool:
    """Start a new high-water mark of resident memory; False when the kernel does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
        return True
    except OSError:
        return False


def peak_mb() -> float:
    """The resident high-water mark in MB (since ``reset_peak``, or since the process started)."""
    value = _status("VmHWM")
    if value is not None:
        return value
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def resident_mb() -> float:
    value = _status("VmRSS")
    return value if value is not None else peak_mb()
