"""Test fixtures: every data-layer test runs on SQLite and, when reachable, on a real PostgreSQL server.

PostgreSQL: the suite creates its own database on the server named by OPENMASH_TEST_DATABASE_URL (or on
127.0.0.1:5432 if it answers), migrates it once, empties its tables between tests, and drops it at the end.
If OPENMASH_TEST_DATABASE_URL is set and the server cannot be reached, the suite fails rather than skips.
SQLite: a migrated template file is copied for each test.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from openmash.config import Settings
from openmash.db import migrate
from openmash.db.session import make_engine, make_session_factory, normalise_url
from openmash.models import Base

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "test",
        "secret_key": "test-secret-key-" + "x" * 32,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        "cookie_secure": False,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def postgres_server_url() -> str | None:
    """The server to test against, or None to skip PostgreSQL (only when nobody asked for it)."""
    explicit = os.environ.get("OPENMASH_TEST_DATABASE_URL")
    url = normalise_url(explicit or DEFAULT_PG)
    parsed = make_url(url)
    if _port_open(parsed.host or "127.0.0.1", parsed.port or 5432):
        return url
    if explicit:
        pytest.fail(f"OPENMASH_TEST_DATABASE_URL is set but {parsed.host}:{parsed.port} does not answer")
    return None


class Database:
    """One migrated database for the run; ``fresh()`` gives an engine on an empty copy for one test."""

    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend = backend
        self.tmp = tmp
        self._engines: list[Engine] = []

    def fresh(self) -> Engine:
        raise NotImplementedError

    def close(self) -> None:
        for engine in self._engines:
            engine.dispose()


class SqliteDatabase(Database):
    def __init__(self, tmp: Path) -> None:
        super().__init__("sqlite", tmp)
        self.template = tmp / "template.db"
        engine = make_engine(f"sqlite:///{self.template}")
        migrate.upgrade(engine)
        engine.dispose()

    def fresh(self) -> Engine:
        path = self.tmp / f"{uuid.uuid4().hex}.db"
        shutil.copyfile(self.template, path)
        engine = make_engine(f"sqlite:///{path}")
        self._engines.append(engine)
        return engine


class PostgresDatabase(Database):
    def __init__(self, tmp: Path, server_url: str) -> None:
        super().__init__("postgresql", tmp)
        self.name = f"openmash_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.server_url = server_url
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        admin.dispose()
        self.url = make_url(server_url).set(database=self.name).render_as_string(hide_password=False)
        self.engine = make_engine(self.url)
        migrate.upgrade(self.engine)
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        self._truncate = f"TRUNCATE {tables} CASCADE"

    def fresh(self) -> Engine:
        with self.engine.begin() as conn:
            conn.execute(text(self._truncate))
        return self.engine

    def close(self) -> None:
        super().close()
        self.engine.dispose()
        admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    tmp = tmp_path_factory.mktemp(request.param)
    db: Database
    if request.param == "sqlite":
        db = SqliteDatabase(tmp)
    else:
        server = postgres_server_url()
        if server is None:
            pytest.skip(
                "PostgreSQL is not reachable on 127.0.0.1:5432 and OPENMASH_TEST_DATABASE_URL is not set"
            )
        db = PostgresDatabase(tmp, server)
    yield db
    db.close()


@pytest.fixture
def engine(database: Database) -> Engine:
    return database.fresh()


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def app(settings: Settings, engine: Engine):  # type: ignore[no-untyped-def]
    from openmash.app import create_app

    return create_app(settings, engine)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def browsers(app, sessions):  # type: ignore[no-untyped-def]
    """``browsers(user)`` opens another signed-in client with its own cookies (one per person in a story)."""
    from fastapi.testclient import TestClient

    from tests.support.web import sign_in

    opened: list[TestClient] = []

    def open_(user):  # type: ignore[no-untyped-def]
        client = TestClient(app, base_url="http://testserver", raise_server_exceptions=False)
        client.__enter__()
        opened.append(client)
        sign_in(client, sessions, user)
        return client

    yield open_
    for client in opened:
        client.__exit__(None, None, None)


def count_rows(sessions: sessionmaker[Session], model: type) -> int:
    from sqlalchemy import func, select

    from openmash.db.session import transaction

    with transaction(sessions) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0
