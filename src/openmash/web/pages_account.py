"""The start page and the user's own account: details and password change."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from openmash.errors import ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.identity import users
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.web.templating import render

router = APIRouter()
Me = Annotated[Principal, Depends(require(Permission.ACCOUNT_SELF))]


@router.get("/")
def home(request: Request, principal: Me) -> Response:
    return render(request, "home.html")


@router.get("/account")
def account(request: Request, principal: Me) -> Response:
    ctx = app_context(request)
    with ctx.transaction() as session:
        user = users.get_user(session, principal.id)
        details = {
            "email": user.email,
            "enrolled": user.totp_enrolled_at,
            "password_changed_at": user.password_changed_at,
            "last_sign_in_at": user.last_sign_in_at,
        }
    return render(
        request, "account.html", {"details": details, "changed": request.query_params.get("changed")}
    )


@router.get("/account/password")
def password_page(request: Request, principal: Me) -> Response:
    return render(request, "password.html")


@router.post("/account/password")
def change_password(
    request: Request,
    principal: Me,
    current_password: Annotated[str, Form(max_length=1000)] = "",
    new_password: Annotated[str, Form(max_length=1000)] = "",
    confirm_password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    ctx = app_context(request)
    try:
        with ctx.transaction() as session:
            users.change_password(
                session,
                ctx.settings,
                principal,
                current_password,
                new_password,
                confirm_password,
                audit_context(request),
            )
    except ValidationFailed as exc:
        return render(request, "password.html", {"errors": exc.fields}, 400)
    return RedirectResponse("/account?changed=password", status_code=303)
