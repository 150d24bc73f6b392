"""The migrations build exactly the schema the models describe, on both databases, and can be undone."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from openmash.db import migrate
from openmash.models import Base


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_downgrade_to_nothing_and_back(engine: Engine) -> None:
    migrate.downgrade(engine, "base")
    assert "users" not in inspect(engine).get_table_names()
    migrate.upgrade(engine)
    assert {"agencies", "users", "audit_records", "api_tokens"} <= set(inspect(engine).get_table_names())
