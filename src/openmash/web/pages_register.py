"""The register's pages: plate lookup (more to come: screening, person, decisions, requests, import)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from openmash.errors import PurposeRequired, ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.register import vehicles
from openmash.web.templating import render

router = APIRouter(prefix="/register")


@router.get("/vehicles")
def plate_lookup(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.VEHICLE_LOOKUP))],
    registration: str = "",
    purpose: str = "",
) -> Response:
    values = {"registration": registration[:40], "purpose": purpose[:300]}
    context: dict[str, Any] = {"values": values, "result": None}
    if not registration and not purpose:
        return render(request, "register/plate.html", context)
    try:
        with app_context(request).transaction() as session:
            context["result"] = vehicles.lookup_plate(
                session, principal, registration[:40], purpose[:300], audit_context(request)
            )
    except ValidationFailed as exc:
        context["errors"] = exc.fields
    except PurposeRequired as exc:
        context["errors"] = {"purpose": str(exc)}
    return render(request, "register/plate.html", context, 400 if "errors" in context else 200)
