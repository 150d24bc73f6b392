"""Administrators: users of their agency (all agencies for the national administrator)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from openmash.errors import PurposeRequired, ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.identity import users
from openmash.identity.models import User
from openmash.identity.permissions import ROLE_LABELS, ROLES_BY_AGENCY_TYPE, AgencyType, Permission
from openmash.identity.principal import Principal
from openmash.web.choices import agency_select
from openmash.web.templating import render

router = APIRouter(prefix="/admin/users")
Admin = Annotated[Principal, Depends(require(Permission.USERS_MANAGE))]


def _role_items(agency_type: str | None, chosen: set[str]) -> list[dict[str, Any]]:
    allowed = ROLES_BY_AGENCY_TYPE[AgencyType(agency_type)] if agency_type else set(ROLE_LABELS)
    return [
        {"value": r.value, "text": label, "checked": r.value in chosen}
        for r, label in ROLE_LABELS.items()
        if r in allowed
    ]


def _parse_uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


@router.get("")
def list_page(request: Request, principal: Admin, agency: str | None = None) -> Response:
    ctx = app_context(request)
    agency_id = _parse_uuid(agency)
    with ctx.transaction() as session:
        rows = [
            {
                "id": u.id,
                "name": u.full_name,
                "email": u.email,
                "agency": u.agency.name,
                "roles": sorted(u.role_names),
                "active": u.active,
                "enrolled": u.totp_secret is not None,
            }
            for u in users.list_users(session, principal, agency_id, audit_context(request))
        ]
    return render(request, "admin/users.html", {"users": rows, "column": "full"})


def _new_context(
    request: Request, principal: Admin, values: dict[str, Any], roles: set[str]
) -> dict[str, Any]:
    items, agency_type = agency_select(request, principal, values.get("agency_id", ""))
    return {"agency_items": items, "role_items": _role_items(agency_type, roles), "values": values}


@router.get("/new")
def new_page(request: Request, principal: Admin, agency: str | None = None) -> Response:
    return render(
        request, "admin/user_new.html", _new_context(request, principal, {"agency_id": agency or ""}, set())
    )


@router.post("/new")
def create(
    request: Request,
    principal: Admin,
    agency_id: Annotated[str, Form(max_length=1000)] = "",
    full_name: Annotated[str, Form(max_length=1000)] = "",
    email: Annotated[str, Form(max_length=1000)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    roles: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies defaults
) -> Response:
    ctx = app_context(request)
    values = {"agency_id": agency_id, "full_name": full_name, "email": email}
    target = _parse_uuid(agency_id)
    try:
        if target is not None:
            users.ensure_may_manage(principal, target)
        with ctx.transaction() as session:
            user = users.create_user(
                session,
                ctx.settings,
                principal.actor,
                agency_id=target,
                email=email,
                full_name=full_name,
                password=password,
                roles=roles,
                context=audit_context(request),
            )
            new_id = user.id
    except ValidationFailed as exc:
        errors = {("agency_id" if k == "agency" else k): v for k, v in exc.fields.items()}
        context = _new_context(request, principal, values, set(roles))
        context["errors"] = errors
        return render(request, "admin/user_new.html", context, 400)
    return RedirectResponse(f"/admin/users/{new_id}?done=created", status_code=303)


def _user_view(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.full_name,
        "email": user.email,
        "agency": user.agency.name,
        "agency_code": user.agency.code,
        "agency_type": user.agency.type,
        "roles": sorted(user.role_names),
        "active": user.active,
        "enrolled": user.totp_enrolled_at,
        "locked_until": user.locked_until,
        "last_sign_in_at": user.last_sign_in_at,
    }


@router.get("/{user_id}")
def user_page(request: Request, principal: Admin, user_id: uuid.UUID, purpose: str | None = None) -> Response:
    ctx = app_context(request)
    try:
        with ctx.transaction() as session:
            view = _user_view(users.view_user(session, principal, user_id, purpose, audit_context(request)))
    except PurposeRequired as exc:
        errors = {"purpose": "Enter why you need to see this record"} if purpose is not None else {}
        return render(
            request,
            "purpose.html",
            {"action": f"/admin/users/{user_id}", "carry": [], "message": str(exc), "errors": errors},
            400 if errors else 200,
        )
    view["role_items"] = _role_items(view["agency_type"], set(view["roles"]))
    return render(
        request, "admin/user.html", {"user": view, "done": request.query_params.get("done"), "column": "full"}
    )


def _user_page_with_errors(
    request: Request, user_id: uuid.UUID, errors: dict[str, str], roles: set[str] | None
) -> Response:
    """The user's page again, with what went wrong (and the roles as the admin ticked them)."""
    with app_context(request).transaction() as session:
        view = _user_view(users.get_user(session, user_id))
    view["role_items"] = _role_items(view["agency_type"], set(view["roles"]) if roles is None else roles)
    return render(request, "admin/user.html", {"user": view, "errors": errors, "column": "full"}, 400)


@router.post("/{user_id}/roles")
def change_roles(
    request: Request,
    principal: Admin,
    user_id: uuid.UUID,
    roles: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:
    ctx = app_context(request)
    try:
        with ctx.transaction() as session:
            users.set_roles(session, principal, user_id, roles, audit_context(request))
    except ValidationFailed as exc:
        return _user_page_with_errors(request, user_id, exc.fields, set(roles))
    return RedirectResponse(f"/admin/users/{user_id}?done=roles", status_code=303)


@router.post("/{user_id}/reset-two-factor")
def reset_two_factor(request: Request, principal: Admin, user_id: uuid.UUID) -> Response:
    ctx = app_context(request)
    with ctx.transaction() as session:
        users.reset_two_factor(session, principal, user_id, audit_context(request))
    return RedirectResponse(f"/admin/users/{user_id}?done=two_factor", status_code=303)


@router.post("/{user_id}/deactivate")
def deactivate(request: Request, principal: Admin, user_id: uuid.UUID) -> Response:
    return _set_active(request, principal, user_id, active=False)


@router.post("/{user_id}/reactivate")
def reactivate(request: Request, principal: Admin, user_id: uuid.UUID) -> Response:
    return _set_active(request, principal, user_id, active=True)


def _set_active(request: Request, principal: Principal, user_id: uuid.UUID, *, active: bool) -> Response:
    ctx = app_context(request)
    try:
        with ctx.transaction() as session:
            users.set_active(session, principal, user_id, active, audit_context(request))
    except ValidationFailed as exc:
        return _user_page_with_errors(request, user_id, exc.fields, None)
    return RedirectResponse(
        f"/admin/users/{user_id}?done={'reactivated' if active else 'deactivated'}", status_code=303
    )
