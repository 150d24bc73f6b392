"""Authorisation in one place.

Every page and API route declares exactly one access rule through a dependency made here:
``require(permission)``, ``authenticated()``, ``signing_in(stage)`` or ``public()``. The dependency
authenticates (session cookie for pages, bearer token for the API), checks the permission, checks the CSRF
token on every form post, and audits each denial. The route × role test reads these rules off the app.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from openmash.audit import service as audit
from openmash.audit.service import Actor, Outcome
from openmash.http.context import AppContext, app_context, audit_context
from openmash.http.errors import Forbidden, NotSignedIn, Redirect
from openmash.http.middleware import UNSAFE_METHODS
from openmash.identity import signin, tokens
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal, principal_for_token, principal_for_user

STAGE_PAGES = {
    signin.Stage.TWO_FACTOR: "/sign-in/two-factor",
    signin.Stage.ENROL: "/sign-in/set-up-two-factor",
}


@dataclass(frozen=True)
class AccessRule:
    """What a route demands: permission (with one), authenticated, signing_in (with a stage), public."""

    kind: str
    permission: Permission | None = None
    stage: signin.Stage | None = None


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def record_denial(request: Request, reason: str, actor: Actor | None = None) -> None:
    """Denied access is audited in its own transaction, so it is kept although the action is not."""
    ctx = app_context(request)
    principal: Principal | None = getattr(request.state, "principal", None)
    who = actor or (principal.actor if principal else Actor(label="(anonymous)"))
    with ctx.transaction() as session:
        audit.record(
            session,
            "access.denied",
            who,
            outcome=Outcome.DENIED,
            object_type="route",
            object_id=f"{request.method} {request.url.path}"[:100],
            context=audit_context(request),
            details={"reason": reason},
        )


async def _check_csrf(request: Request) -> None:
    if is_api(request) or request.method not in UNSAFE_METHODS:
        return
    form = await request.form()
    sent = form.get("csrf_token")
    expected = request.state.csrf_token
    if not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        await run_in_threadpool(record_denial, request, "csrf")
        raise Forbidden(
            "This form has expired or did not come from openmash. Go back, reload the page and try again."
        )


def _principal_from_token(ctx: AppContext, header: str) -> Principal | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    with ctx.transaction() as session:
        token = tokens.authenticate(session, value.strip())
        return principal_for_token(token) if token else None


def _load_user_session(ctx: AppContext, raw: str) -> tuple[Principal, signin.Stage] | None:
    with ctx.transaction() as session:
        found = signin.load_session(session, ctx.settings, raw)
        if found is None:
            return None
        return principal_for_user(found.user, session_id=found.id), signin.Stage(found.stage)


async def _authenticate(request: Request) -> tuple[Principal, signin.Stage]:
    ctx = app_context(request)
    if is_api(request):
        principal = await run_in_threadpool(
            _principal_from_token, ctx, request.headers.get("authorization", "")
        )
        if principal is None:
            await run_in_threadpool(record_denial, request, "no_valid_token")
            raise NotSignedIn("Send a valid API token: Authorization: Bearer omt_...")
        return principal, signin.Stage.FULL
    loaded = await run_in_threadpool(_load_user_session, ctx, request.state.session_cookie)
    if loaded is None:
        raise NotSignedIn("Sign in to continue")
    return loaded


def _rule(rule: AccessRule, dependency: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    dependency.access_rule = rule  # type: ignore[attr-defined]
    return dependency


def require(permission: Permission) -> Callable[[Request], Awaitable[Principal]]:
    """The route needs a fully signed-in user (or token) holding ``permission``."""

    async def dependency(request: Request) -> Principal:
        principal, stage = await _authenticate(request)
        request.state.principal = principal
        if stage is not signin.Stage.FULL:
            raise Redirect(STAGE_PAGES[stage])
        if not principal.can(permission):
            await run_in_threadpool(record_denial, request, f"missing permission {permission.value}")
            raise Forbidden("You do not have permission to see this page")
        await _check_csrf(request)
        return principal

    return _rule(AccessRule("permission", permission=permission), dependency)


def authenticated() -> Callable[[Request], Awaitable[Principal]]:
    """Any fully signed-in user or valid token, whatever its permissions (who am I, sign out)."""

    async def dependency(request: Request) -> Principal:
        principal, stage = await _authenticate(request)
        request.state.principal = principal
        if stage is not signin.Stage.FULL:
            raise Redirect(STAGE_PAGES[stage])
        await _check_csrf(request)
        return principal

    return _rule(AccessRule("authenticated"), dependency)


@dataclass(frozen=True)
class SigningIn:
    session_id: uuid.UUID
    principal: Principal


def signing_in(stage: signin.Stage) -> Callable[[Request], Awaitable[SigningIn]]:
    """A session part-way through sign-in, at exactly this step."""

    async def dependency(request: Request) -> SigningIn:
        principal, current = await _authenticate(request)
        if current is signin.Stage.FULL:
            raise Redirect("/")
        if current is not stage:
            raise Redirect(STAGE_PAGES[current])
        await _check_csrf(request)
        assert principal.session_id is not None
        return SigningIn(session_id=principal.session_id, principal=principal)

    return _rule(AccessRule("signing_in", stage=stage), dependency)


def public() -> Callable[[Request], Awaitable[None]]:
    """No sign-in needed (the sign-in page itself, health check, API description); forms still need CSRF."""

    async def dependency(request: Request) -> None:
        await _check_csrf(request)

    return _rule(AccessRule("public"), dependency)
