"""The application's settings and database, reachable from any request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

from openmash.audit.service import Context
from openmash.config import Settings
from openmash.db.session import transaction


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with transaction(self.sessions) as session:
            yield session


def app_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def audit_context(request: Request) -> Context:
    """Request id and client address for the audit trail."""
    client = request.client.host if request.client else None
    return Context(request_id=getattr(request.state, "request_id", None), ip_address=client)
