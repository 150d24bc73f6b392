"""The application's settings and database, reachable from any request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

from openmash.audit.service import Context
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.http import navigation


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    request: Request | None = None  # set by ``app_context`` for the request being answered

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One user action. For a request, the navigation's counts are read in it too, just before it
        commits, so that a page does not open another transaction for them."""
        with transaction(self.sessions) as session:
            yield session
            if self.request is not None:
                navigation.remember(self.request, session)


def app_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return replace(ctx, request=request)


def audit_context(request: Request) -> Context:
    """Request id and client address for the audit trail."""
    client = request.client.host if request.client else None
    return Context(request_id=getattr(request.state, "request_id", None), ip_address=client)
