"""Administrators: API tokens for their agency's own systems."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from openmash.errors import ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.identity import tokens
from openmash.identity.permissions import AgencyType, Permission, token_grantable_for
from openmash.identity.principal import Principal
from openmash.web.choices import agency_select
from openmash.web.templating import render

router = APIRouter(prefix="/admin/tokens")
Admin = Annotated[Principal, Depends(require(Permission.TOKENS_MANAGE))]


@router.get("")
def list_page(request: Request, principal: Admin) -> Response:
    ctx = app_context(request)
    with ctx.transaction() as session:
        rows = [
            {
                "id": t.id,
                "name": t.name,
                "agency": t.agency.name,
                "permissions": sorted(t.permission_names),
                "expires_at": t.expires_at,
                "revoked_at": t.revoked_at,
                "last_used_at": t.last_used_at,
            }
            for t in tokens.list_tokens(session, principal)
        ]
    return render(request, "admin/tokens.html", {"tokens": rows, "column": "full"})


def _form_context(
    request: Request, principal: Principal, values: dict[str, Any], chosen: set[str]
) -> dict[str, Any]:
    items, agency_type = agency_select(request, principal, values.get("agency_id", ""))
    grantable = token_grantable_for(AgencyType(agency_type)) if agency_type else frozenset(Permission)
    perm_items = [
        {"value": p.value, "text": p.value, "checked": p.value in chosen}
        for p in Permission
        if p in grantable
    ]
    return {"agency_items": items, "permission_items": perm_items, "values": values}


@router.get("/new")
def new_page(request: Request, principal: Admin) -> Response:
    return render(request, "admin/token_new.html", _form_context(request, principal, {"days": "90"}, set()))


@router.post("/new")
def create(
    request: Request,
    principal: Admin,
    agency_id: Annotated[str, Form(max_length=1000)] = "",
    name: Annotated[str, Form(max_length=1000)] = "",
    days: Annotated[str, Form(max_length=1000)] = "",
    permissions: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:
    ctx = app_context(request)
    values = {"agency_id": agency_id, "name": name, "days": days}
    try:
        try:
            target = uuid.UUID(agency_id)
        except ValueError:
            raise ValidationFailed({"agency_id": "Select an agency"}) from None
        day_count = int(days) if days.strip().isdigit() else 0
        with ctx.transaction() as session:
            created = tokens.create_token_as(
                session,
                ctx.settings,
                principal,
                agency_id=target,
                name=name,
                permissions=permissions,
                days=day_count,
                context=audit_context(request),
            )
            shown = {
                "name": created.token.name,
                "plaintext": created.plaintext,
                "expires_at": created.token.expires_at,
            }
    except ValidationFailed as exc:
        context = _form_context(request, principal, values, set(permissions))
        context["errors"] = {("agency_id" if k == "agency" else k): v for k, v in exc.fields.items()}
        return render(request, "admin/token_new.html", context, 400)
    return render(request, "admin/token_created.html", {"token": shown})


@router.post("/{token_id}/revoke")
def revoke(request: Request, principal: Admin, token_id: uuid.UUID) -> Response:
    ctx = app_context(request)
    with ctx.transaction() as session:
        tokens.revoke_token(session, principal, token_id, audit_context(request))
    return RedirectResponse("/admin/tokens", status_code=303)
