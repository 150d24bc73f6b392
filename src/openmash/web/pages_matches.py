"""Matches an import proposed: the importing authority's officers confirm or reject them (rules in
register.matches)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from openmash.errors import Conflict, ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.register import matches
from openmash.web.templating import render

router = APIRouter(prefix="/register")
Recorder = Annotated[Principal, Depends(require(Permission.REGISTER_RECORD))]
DECISIONS = {"same": True, "different": False}


def _page(request: Request, principal: Principal, errors: dict[str, str] | None = None) -> Response:
    with app_context(request).transaction() as session:
        found = matches.pending(session, principal, audit_context(request))
    context = {
        "proposals": found.shown,
        "total": found.total,
        "done": request.query_params.get("done"),
        "errors": errors or {},
        "column": "full",
    }
    return render(request, "register/matches.html", context, 400 if errors else 200)


@router.get("/matches")
def matches_page(request: Request, principal: Recorder) -> Response:
    return _page(request, principal)


@router.post("/matches/{proposal_id}/decision")
def match_decide(
    request: Request,
    principal: Recorder,
    proposal_id: uuid.UUID,
    decision: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    if decision not in DECISIONS:
        return _page(
            request, principal, {f"decision-{proposal_id}": "Select whether this is the same person"}
        )
    try:
        with app_context(request).transaction() as session:
            matches.decide(
                session,
                principal,
                proposal_id,
                confirm=DECISIONS[decision],
                note=note,
                context=audit_context(request),
            )
    except (Conflict, ValidationFailed) as exc:
        return _page(request, principal, {f"decision-{proposal_id}": str(exc)})
    return RedirectResponse(f"/register/matches?done={decision}", status_code=303)
