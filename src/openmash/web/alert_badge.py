"""The navigation's count of a user's new alerts, kept apart from the alert pages so that the templating
module can call it on every page without importing a router."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request

from openmash import alerts
from openmash.http.context import app_context
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal


def new_alerts_count(request: Request, principal: Principal | None) -> int | None:
    """How many new alerts the user has (no personal data, not audited), None for those who read no alerts.
    Never fails a page: an error page must render even when the database does not answer."""
    if principal is None or principal.kind != "user" or not principal.can(Permission.ALERTS_READ):
        return None
    try:
        with app_context(request).transaction() as session:
            return alerts.count_new(session, principal)
    except SQLAlchemyError:
        return None
