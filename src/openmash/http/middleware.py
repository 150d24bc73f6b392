"""Pure ASGI middleware: request ids, CSRF seed cookie, body limits, content types, security headers."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openmash.config import Settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def cookie_names(settings: Settings) -> tuple[str, str]:
    """Session and CSRF cookie names; ``__Host-`` pins them to this host over https."""
    prefix = "__Host-" if settings.secure_cookies else ""
    return f"{prefix}openmash_session", f"{prefix}openmash_csrf"


def csrf_token_for(settings: Settings, seed: str, session_cookie: str) -> str:
    """The form token: bound to the browser's CSRF cookie and to its session cookie, signed with the key."""
    binding = hashlib.sha256(session_cookie.encode("utf-8")).hexdigest()
    message = f"csrf|{seed}|{binding}".encode()
    return hmac.new(settings.secret_key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def add_security_headers(h: MutableHeaders, scope: Scope) -> None:
    """On every response, including the 500 page (which is sent from outside this middleware)."""
    h["X-Request-Id"] = scope.get("state", {}).get("request_id", "")
    h["Content-Security-Policy"] = CSP
    h["X-Frame-Options"] = "DENY"
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "no-referrer"
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if scope.get("scheme") == "https":
        h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if not scope["path"].startswith("/static/"):
        h["Cache-Control"] = "no-store"
        h["Pragma"] = "no-cache"


def _error(scope: Scope, status: int, code: str, message: str) -> Response:
    if scope["path"].startswith("/api/"):
        return JSONResponse({"error": {"code": code, "message": message, "fields": {}}}, status_code=status)
    return PlainTextResponse(message, status_code=status)


NUL_CHECKED_TYPES = ("application/x-www-form-urlencoded", "application/json")


def _content_type(headers: dict[str, str]) -> str:
    return headers.get("content-type", "").split(";")[0].strip().lower()


def _has_nul(raw: bytes) -> bool:
    """A NUL character, raw or escaped as in a form (%00) or JSON (\\u0000): PostgreSQL cannot store it."""
    lowered = raw.lower()
    return b"\x00" in raw or b"%00" in lowered or b"\\u0000" in lowered


def _nul_refusal(scope: Scope) -> Response:
    return _error(scope, 400, "bad_request", "The request contains a NUL character, which is not allowed")


def _replay(body: bytes, receive: Receive) -> Receive:
    """Hand the buffered body to the app once, then pass on whatever the server sends next."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


class OpenmashMiddleware:
    """Runs first on every request: gives it an id and a CSRF seed, refuses what we never accept,
    and adds the security headers to every response."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.session_cookie, self.csrf_cookie = cookie_names(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        cookies = SimpleCookie()
        try:
            cookies.load(headers.get("cookie", ""))
        except Exception:
            cookies = SimpleCookie()
        seed = cookies[self.csrf_cookie].value if self.csrf_cookie in cookies else ""
        new_seed = None
        if len(seed) < 32 or len(seed) > 100:
            seed = new_seed = secrets.token_urlsafe(32)
        session_value = cookies[self.session_cookie].value if self.session_cookie in cookies else ""
        state["session_cookie"] = session_value
        state["csrf_token"] = csrf_token_for(self.settings, seed, session_value)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                h = MutableHeaders(scope=message)
                add_security_headers(h, scope)
                if new_seed is not None:
                    secure = "; Secure" if self.settings.secure_cookies else ""
                    h.append(
                        "Set-Cookie",
                        f"{self.csrf_cookie}={new_seed}; Path=/; HttpOnly; SameSite=Lax{secure}",
                    )
            await send(message)

        if _has_nul(scope["query_string"]):
            await _nul_refusal(scope)(scope, receive, send_with_headers)
            return
        if scope["method"] in UNSAFE_METHODS:
            refusal = self._refuse(scope, headers)
            if refusal is None:
                body = await self._read_body(receive)
                if body is None:
                    refusal = _error(scope, 413, "payload_too_large", "The request is too large")
                elif _content_type(headers) in NUL_CHECKED_TYPES and _has_nul(body):
                    refusal = _nul_refusal(scope)
            if refusal is not None:
                await refusal(scope, receive, send_with_headers)
                return
            assert body is not None
            receive = _replay(body, receive)
        await self.app(scope, receive, send_with_headers)

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The whole body (forms and JSON are small), or None once it passes the limit."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.settings.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    def _refuse(self, scope: Scope, headers: dict[str, str]) -> Response | None:
        length = headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                return _error(scope, 400, "bad_request", "The request could not be read")
            if int(length) > self.settings.max_body_bytes:
                return _error(scope, 413, "payload_too_large", "The request is too large")
        has_body = (length is not None and length != "0") or "transfer-encoding" in headers
        if not has_body:
            return None
        content_type = _content_type(headers)
        if scope["path"].startswith("/api/"):
            if content_type != "application/json":
                return _error(
                    scope, 415, "unsupported_media_type", "Send JSON (Content-Type: application/json)"
                )
        elif content_type not in FORM_TYPES:
            return _error(scope, 415, "unsupported_media_type", "This page accepts only form submissions")
        return None
