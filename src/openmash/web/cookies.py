"""Setting and clearing the session cookie."""

from __future__ import annotations

from starlette.responses import Response

from openmash.config import Settings
from openmash.http.middleware import cookie_names


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    name, _ = cookie_names(settings)
    response.set_cookie(
        name,
        token,
        max_age=settings.session_absolute_hours * 3600,
        path="/",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    name, _ = cookie_names(settings)
    response.delete_cookie(name, path="/", secure=settings.secure_cookies, httponly=True, samesite="lax")
