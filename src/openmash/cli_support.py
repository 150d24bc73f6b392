"""What every command shares: who the console operator is, the database, and how errors are shown."""

from __future__ import annotations

import getpass
from typing import NoReturn

import typer
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.service import Actor
from openmash.config import get_settings
from openmash.db.session import make_engine, make_session_factory
from openmash.errors import DomainError, ValidationFailed


def cli_actor() -> Actor:
    return Actor(label=f"cli:{getpass.getuser()}")


def sessions() -> sessionmaker[Session]:
    return make_session_factory(make_engine(get_settings().database_url))


def fail(exc: DomainError) -> NoReturn:
    message = str(exc)
    if isinstance(exc, ValidationFailed):
        message = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=2)
