"""The application: middleware, routers, static files and the one place errors become responses."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from openmash import __version__
from openmash.api import v1
from openmash.config import Settings, get_settings
from openmash.db.session import make_engine, make_session_factory
from openmash.errors import (
    Conflict,
    DomainError,
    NotFoundError,
    PermissionDenied,
    PurposeRequired,
    ValidationFailed,
)
from openmash.http.auth import is_api, record_denial
from openmash.http.context import AppContext
from openmash.http.errors import HttpProblem, NotSignedIn, Redirect
from openmash.http.middleware import OpenmashMiddleware, add_security_headers
from openmash.web import (
    pages_account,
    pages_admin_agencies,
    pages_admin_tokens,
    pages_admin_users,
    pages_alerts,
    pages_audit,
    pages_children,
    pages_chronology,
    pages_chronology_pdf,
    pages_concerns,
    pages_gate,
    pages_help,
    pages_hub,
    pages_matches,
    pages_mentions,
    pages_misc,
    pages_missing,
    pages_network,
    pages_people,
    pages_philomena,
    pages_register,
    pages_requests,
    pages_sign_in,
    pages_support,
    pages_triage,
)
from openmash.web.templating import render

log = logging.getLogger("openmash")
STATIC = Path(__file__).parent / "web" / "static"

TITLES = {
    400: "There is a problem with your request",
    403: "You do not have access",
    404: "Page not found",
    405: "There is a problem with your request",
    409: "This clashes with an existing record",
    413: "The request is too large",
    415: "There is a problem with your request",
    422: "There is a problem with your request",
    500: "Sorry, there is a problem with the service",
}


def _error(
    request: Request, status: int, code: str, message: str, fields: dict[str, str] | None = None
) -> Response:
    if is_api(request):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        body = {"error": {"code": code, "message": message, "fields": fields or {}}}
        return JSONResponse(body, status_code=status, headers=headers)
    context = {
        "title": TITLES.get(status, "There is a problem"),
        "message": message,
        "request_id": getattr(request.state, "request_id", None),
    }
    return render(request, "error.html", context, status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if is_api(request):
            return _error(request, 401, exc.code, exc.message)
        target = request.url.path if request.method == "GET" else "/"
        expired = "&expired=true" if request.state.session_cookie else ""
        return RedirectResponse(f"/sign-in?next={quote(target)}{expired}", status_code=303)

    @app.exception_handler(HttpProblem)
    async def problem(request: Request, exc: HttpProblem) -> Response:
        return _error(request, exc.status, exc.code, exc.message)

    @app.exception_handler(Redirect)
    async def redirect(request: Request, exc: Redirect) -> Response:
        return RedirectResponse(exc.url, status_code=303)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if isinstance(exc, ValidationFailed):
            return _error(request, 422, "validation_failed", str(exc), exc.fields)
        if isinstance(exc, PurposeRequired):
            return _error(request, 422, "purpose_required", str(exc), {"purpose": str(exc)})
        if isinstance(exc, NotFoundError):
            return _error(request, 404, "not_found", str(exc))
        if isinstance(exc, PermissionDenied):
            await run_in_threadpool(record_denial, request, str(exc))
            return _error(request, 403, "forbidden", str(exc))
        if isinstance(exc, Conflict):
            return _error(request, 409, "conflict", str(exc))
        return _error(request, 400, "bad_request", str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        fields: dict[str, str] = {}
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form")]
            fields[".".join(loc) or "body"] = str(err.get("msg", "is not valid"))
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return _error(request, 400, "malformed_json", "The body is not valid JSON", fields)
        if not is_api(request):
            if any(e.get("loc", ("",))[0] == "path" for e in exc.errors()):
                return _error(request, 404, "not_found", "If you typed the web address, check it is correct.")
            return _error(request, 400, "bad_request", "The form could not be read. Go back and try again.")
        return _error(request, 422, "validation_failed", "Some of the input is not valid", fields)

    @app.exception_handler(StarletteHTTPException)
    async def http_exception(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return _error(request, 404, "not_found", "If you typed the web address, check it is correct.")
        if exc.status_code == 405:
            return _error(
                request, 405, "method_not_allowed", "This address does not accept that kind of request."
            )
        message = "The request could not be read" if exc.status_code < 500 else "Try again later."
        return _error(request, exc.status_code, "http_error", message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error, request %s", getattr(request.state, "request_id", "?"))
        response = _error(
            request, 500, "internal_error", "Try again later. Nothing you entered has been saved."
        )
        add_security_headers(response.headers, request.scope)
        return response


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_safe_for_production()
    engine = engine or make_engine(settings.database_url)
    app = FastAPI(
        title="openmash API",
        version=__version__,
        description="Token-authenticated API for agencies' own systems.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.ctx = AppContext(settings=settings, engine=engine, sessions=make_session_factory(engine))
    app.add_middleware(OpenmashMiddleware, settings=settings)
    _install_error_handlers(app)
    for module in (
        pages_sign_in,
        pages_account,
        pages_admin_agencies,
        pages_admin_users,
        pages_admin_tokens,
        pages_audit,
        pages_misc,
        pages_register,
        pages_people,
        pages_requests,
        pages_matches,
        pages_children,
        pages_concerns,
        pages_mentions,
        pages_chronology,
        pages_chronology_pdf,
        pages_missing,
        pages_philomena,
        pages_triage,
        pages_help,
        pages_support,
        pages_hub,
        pages_gate,
        pages_network,
        pages_alerts,
    ):
        app.include_router(module.router, include_in_schema=False)
    app.include_router(v1.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def factory() -> Any:
    """For ``uvicorn --factory openmash.app:factory``."""
    return create_app()
