"""Sign in, two-factor, two-factor enrolment and sign out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from openmash.audit.service import Context
from openmash.config import Settings
from openmash.http.auth import SigningIn, public, signing_in
from openmash.http.context import app_context, audit_context
from openmash.identity import signin, twofactor
from openmash.identity.models import UserSession
from openmash.web.cookies import clear_session_cookie, set_session_cookie
from openmash.web.templating import render

router = APIRouter()

FAILED = "Enter a correct email address and password"


def safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would help phishing."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return "/"
    return target


@router.get("/sign-in", dependencies=[Depends(public())])
def sign_in_page(request: Request, next: str = "/", expired: bool = False) -> Response:
    return render(request, "sign_in.html", {"next": safe_next(next), "expired": expired})


@router.post("/sign-in", dependencies=[Depends(public())])
def sign_in(
    request: Request,
    email: Annotated[str, Form(max_length=1000)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=1000)] = "/",
) -> Response:
    ctx = app_context(request)
    errors = {}
    if not email.strip():
        errors["email"] = "Enter your email address"
    if not password:
        errors["password"] = "Enter your password"
    if errors:
        return render(
            request,
            "sign_in.html",
            {"errors": errors, "values": {"email": email}, "next": safe_next(next)},
            400,
        )
    with ctx.transaction() as session:
        result = signin.sign_in_with_password(session, ctx.settings, email, password, audit_context(request))
    if not result.ok or result.session_token is None or result.stage is None:
        return render(
            request,
            "sign_in.html",
            {
                "errors": {"email": FAILED},
                "values": {"email": email},
                "next": safe_next(next),
                "failed": True,
            },
            400,
        )
    target = {
        signin.Stage.TWO_FACTOR: "/sign-in/two-factor",
        signin.Stage.ENROL: "/sign-in/set-up-two-factor",
        signin.Stage.FULL: safe_next(next),
    }[result.stage]
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, ctx.settings, result.session_token)
    return response


@router.get("/sign-in/two-factor")
def two_factor_page(
    request: Request, who: Annotated[SigningIn, Depends(signing_in(signin.Stage.TWO_FACTOR))]
) -> Response:
    return render(request, "two_factor.html")


SecondStep = Callable[[Session, Settings, UserSession, str, Context], str | None]


def _second_step(request: Request, who: SigningIn, check: SecondStep, code: str) -> Response | None:
    """Run the code check; redirect home with the new cookie, or to sign-in if the attempt ended the
    session (lockout); None means a wrong code, to be shown on the same page."""
    ctx = app_context(request)
    with ctx.transaction() as session:
        user_session = session.get(UserSession, who.session_id)
        assert user_session is not None
        new_token = check(session, ctx.settings, user_session, code, audit_context(request))
        ended = user_session.ended_at is not None
    if new_token is not None:
        response = RedirectResponse("/", status_code=303)
        set_session_cookie(response, ctx.settings, new_token)
        return response
    if ended:
        response = RedirectResponse("/sign-in?expired=true", status_code=303)
        clear_session_cookie(response, ctx.settings)
        return response
    return None


@router.post("/sign-in/two-factor")
def two_factor(
    request: Request,
    who: Annotated[SigningIn, Depends(signing_in(signin.Stage.TWO_FACTOR))],
    code: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    done = _second_step(request, who, signin.verify_two_factor, code)
    if done is not None:
        return done
    return render(request, "two_factor.html", {"errors": {"code": "Enter the correct 6-digit code"}}, 400)


def _enrolment_context(request: Request, who: SigningIn) -> dict[str, str]:
    ctx = app_context(request)
    with ctx.transaction() as session:
        user_session = session.get(UserSession, who.session_id)
        assert user_session is not None
        secret = signin.start_enrolment(session, user_session)
    uri = twofactor.provisioning_uri(secret, who.principal.label)
    return {"secret": secret, "qr_svg": twofactor.qr_svg(uri)}


@router.get("/sign-in/set-up-two-factor")
def enrol_page(
    request: Request, who: Annotated[SigningIn, Depends(signing_in(signin.Stage.ENROL))]
) -> Response:
    return render(request, "enrol.html", _enrolment_context(request, who))


@router.post("/sign-in/set-up-two-factor")
def enrol(
    request: Request,
    who: Annotated[SigningIn, Depends(signing_in(signin.Stage.ENROL))],
    code: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    done = _second_step(request, who, signin.confirm_enrolment, code)
    if done is not None:
        return done
    context: dict[str, object] = dict(_enrolment_context(request, who))
    context["errors"] = {"code": "Enter the correct 6-digit code from your authenticator app"}
    return render(request, "enrol.html", context, 400)


@router.post("/sign-out", dependencies=[Depends(public())])
def sign_out(request: Request) -> Response:
    """Open to any session, even one part-way through signing in (the form's CSRF token still counts)."""
    ctx = app_context(request)
    with ctx.transaction() as session:
        signin.sign_out(session, request.state.session_cookie, audit_context(request))
    response = RedirectResponse("/sign-in?signed_out=true", status_code=303)
    clear_session_cookie(response, ctx.settings)
    return response
