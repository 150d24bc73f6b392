"""The practitioner's dashboard: my children, and what is due and overdue (return home interviews, triage
contacts, requests for help, escalations), each read through its service with that service's own rules and
audit; and the user's new alerts (``alerts.alerts_for``, audited there) for those who read alerts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from openmash import alerts
from openmash.alerts.engine import NEW
from openmash.http.auth import require
from openmash.http.context import app_context
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.safeguarding import help_requests, return_interviews, triage, worklist
from openmash.web.templating import render

router = APIRouter()
Reader = Annotated[Principal, Depends(require(Permission.CHRONOLOGY_READ))]
SHOWN = 10  # of each list; the full lists are a link away


def _overdue_first(items: list[Any]) -> list[Any]:
    return sorted(items, key=lambda i: not i.overdue)


@router.get("/hub")
def dashboard(
    request: Request, principal: Principal = Depends(require(Permission.CHRONOLOGY_READ))
) -> Response:
    context: dict[str, Any] = {"column": "full", "shown": SHOWN}
    with app_context(request).transaction() as session:
        context["children"] = worklist.my_children(session, principal)
        context["interviews"] = (
            return_interviews.interviews_due(session, principal)
            if principal.can(Permission.MISSING_RECORD) or principal.can(Permission.INTERVIEWS_RECORD)
            else None
        )
        context["contacts"] = (
            triage.queue(session, principal) if principal.can(Permission.TRIAGE_READ) else None
        )
        context["requests"] = (
            _overdue_first(help_requests.open_requests(session, principal))
            if principal.can(Permission.HELP_ANSWER)
            else None
        )
        context["alerts"] = (
            alerts.alerts_for(session, principal, statuses=(NEW,))
            if principal.can(Permission.ALERTS_READ)
            else None
        )
        context["escalated"] = (
            help_requests.escalations(session, principal)
            if principal.can(Permission.HELP_ESCALATIONS)
            else None
        )
    return render(request, "care/hub.html", context)
