"""The navigation's counts: the user's new alerts and their agency's unread notices. They are read at the end
of the page's own transaction (``AppContext.transaction`` calls ``remember``), so a page is one transaction
rather than one for the page and one more per count, and the counts include what the page itself changed
(a notice just opened is no longer unread)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session
from starlette.requests import Request

from openmash import alerts
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.register import notices


@dataclass(frozen=True)
class Counts:
    unread_notices: int | None = None  # None: the user does not see notices
    new_alerts: int | None = None  # None: the user does not read alerts


NONE = Counts()


def shown_to(principal: Principal | None) -> bool:
    """Only named users who see notices or read alerts have counts (an API token has no navigation)."""
    return (
        principal is not None
        and principal.kind == "user"
        and (principal.can(Permission.REGISTER_RECORD) or principal.can(Permission.ALERTS_READ))
    )


def read(session: Session, principal: Principal | None) -> Counts:
    """The counts (no personal data, not audited)."""
    if principal is None or not shown_to(principal):
        return NONE
    return Counts(
        unread_notices=(
            notices.unread_count(session, principal.agency_id)
            if principal.can(Permission.REGISTER_RECORD)
            else None
        ),
        new_alerts=alerts.count_new(session, principal) if principal.can(Permission.ALERTS_READ) else None,
    )


def remember(request: Request, session: Session) -> None:
    """Before a request's transaction commits: the counts as it leaves them, for the page to show. A later
    transaction of the same request reads them again; one rolled back leaves the last committed ones."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if shown_to(principal):
        request.state.navigation_counts = read(session, principal)


def remembered(request: Request) -> Counts | None:
    """The counts the request's last committed transaction read, if it read any."""
    counts: Counts | None = getattr(request.state, "navigation_counts", None)
    return counts
