"""Signing in: password, then a two-factor code (or enrolment), then a session.

Failures count towards a lockout whichever step failed; messages never say whether an email is known.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Actor, Context, Outcome
from openmash.config import Settings
from openmash.db.base import utcnow
from openmash.identity import passwords, twofactor
from openmash.identity.models import User, UserSession
from openmash.identity.permissions import requires_two_factor
from openmash.identity.principal import user_roles
from openmash.identity.users import find_by_email


class Stage(StrEnum):
    TWO_FACTOR = "two_factor"
    ENROL = "enrol"
    FULL = "full"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _user_actor(user: User) -> Actor:
    return Actor(label=user.email, user_id=user.id, agency_id=user.agency_id, agency_code=user.agency.code)


def is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _register_failure(session: Session, settings: Settings, user: User, now: datetime) -> None:
    user.failed_attempts += 1
    if user.failed_attempts >= settings.lockout_threshold:
        user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
        user.failed_attempts = 0


@dataclass(frozen=True)
class SignInResult:
    ok: bool
    session_token: str | None = None
    stage: Stage | None = None


def sign_in_with_password(
    session: Session, settings: Settings, email: str, password: str, context: Context
) -> SignInResult:
    """Check the password; on success open a session at the two-factor or enrolment stage."""
    now = utcnow()
    user = find_by_email(session, email) if email.strip() else None
    password_ok = passwords.verify_password(settings, user.password_hash if user else None, password)
    if user is None:
        audit.record(
            session,
            "sign_in.failed",
            Actor(label=email.strip().lower()[:254] or "(blank)"),
            outcome=Outcome.FAILED,
            context=context,
            details={"reason": "unknown_user"},
        )
        return SignInResult(ok=False)
    reason = None
    if not user.active or not user.agency.active:
        reason = "inactive"
    elif is_locked(user, now):
        reason = "locked"
    elif not password_ok:
        reason = "wrong_password"
        _register_failure(session, settings, user, now)
    if reason is not None:
        _audit_user(session, "sign_in.failed", user, context, Outcome.FAILED, reason=reason)
        return SignInResult(ok=False)
    if passwords.needs_rehash(settings, user.password_hash):
        user.password_hash = passwords.hash_password(settings, password)
    if user.totp_secret:
        stage = Stage.TWO_FACTOR
    elif requires_two_factor(user_roles(user)):
        stage = Stage.ENROL
    else:
        stage = Stage.FULL
    token = _open_session(session, settings, user, stage, now)
    _audit_user(session, "sign_in.password", user, context, next=stage.value)
    if stage is Stage.FULL:
        _complete(session, user, now)
    return SignInResult(ok=True, session_token=token, stage=stage)


def _open_session(session: Session, settings: Settings, user: User, stage: Stage, now: datetime) -> str:
    raw = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            user_id=user.id,
            token_hash=hash_token(raw),
            stage=stage.value,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_absolute_hours),
        )
    )
    session.flush()
    return raw


def _promote(user_session: UserSession) -> str:
    """Signed in fully: a new cookie value, so one seen before the second step is worth nothing after it."""
    raw = secrets.token_urlsafe(32)
    user_session.token_hash = hash_token(raw)
    user_session.stage = Stage.FULL.value
    return raw


def _complete(session: Session, user: User, now: datetime) -> None:
    user.failed_attempts = 0
    user.last_sign_in_at = now


def _audit_user(
    session: Session,
    action: str,
    user: User,
    context: Context,
    outcome: Outcome = Outcome.ALLOWED,
    **details: str,
) -> None:
    audit.record(
        session,
        action,
        _user_actor(user),
        outcome=outcome,
        object_type="user",
        object_id=user.id,
        context=context,
        details=details,
    )


def _wrong_code(
    session: Session,
    settings: Settings,
    user_session: UserSession,
    action: str,
    reason: str,
    context: Context,
) -> None:
    """A wrong code counts towards lockout; once locked, this half-finished sign-in ends."""
    now = utcnow()
    user = user_session.user
    if reason == "wrong_code":
        _register_failure(session, settings, user, now)
    _audit_user(session, action, user, context, Outcome.FAILED, reason=reason)
    if is_locked(user, now):
        user_session.ended_at = now


def _signed_in(session: Session, user_session: UserSession, context: Context) -> str:
    _complete(session, user_session.user, utcnow())
    _audit_user(session, "sign_in", user_session.user, context)
    return _promote(user_session)


def verify_two_factor(
    session: Session, settings: Settings, user_session: UserSession, code: str, context: Context
) -> str | None:
    """Accept a code for a session at the two-factor stage and return the session's new cookie value;
    None for a wrong code, which counts towards lockout."""
    user = user_session.user
    if is_locked(user, utcnow()) or not user.totp_secret:
        _wrong_code(session, settings, user_session, "sign_in.two_factor.failed", "locked", context)
        user_session.ended_at = utcnow()
        return None
    step = twofactor.accepted_step(user.totp_secret, code, utcnow(), user.totp_last_step)
    if step is None:
        _wrong_code(session, settings, user_session, "sign_in.two_factor.failed", "wrong_code", context)
        return None
    user.totp_last_step = step
    return _signed_in(session, user_session, context)


def start_enrolment(session: Session, user_session: UserSession) -> str:
    """A fresh secret for this enrolment, kept on the session until a code proves the phone has it."""
    if not user_session.pending_totp_secret:
        user_session.pending_totp_secret = twofactor.new_secret()
    return user_session.pending_totp_secret


def confirm_enrolment(
    session: Session, settings: Settings, user_session: UserSession, code: str, context: Context
) -> str | None:
    """Finish enrolment with a code from the new secret; returns the session's new cookie value, or None."""
    user = user_session.user
    secret = user_session.pending_totp_secret
    if is_locked(user, utcnow()):
        _wrong_code(session, settings, user_session, "two_factor.enrol.failed", "locked", context)
        user_session.ended_at = utcnow()
        return None
    step = twofactor.accepted_step(secret, code, utcnow(), None) if secret else None
    if step is None:
        _wrong_code(session, settings, user_session, "two_factor.enrol.failed", "wrong_code", context)
        return None
    user.totp_secret = secret
    user.totp_enrolled_at = utcnow()
    user.totp_last_step = step
    user_session.pending_totp_secret = None
    _audit_user(session, "two_factor.enrol", user, context)
    return _signed_in(session, user_session, context)


def load_session(session: Session, settings: Settings, raw_token: str) -> UserSession | None:
    """The live session for a cookie value, touched to extend its idle timeout; None if expired or ended."""
    if not raw_token or len(raw_token) > 200:
        return None
    now = utcnow()
    found = session.scalars(
        select(UserSession).where(UserSession.token_hash == hash_token(raw_token))
    ).first()
    if found is None or found.ended_at is not None:
        return None
    idle_limit = found.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    user = found.user
    if now >= found.expires_at or now >= idle_limit or not user.active or not user.agency.active:
        found.ended_at = now
        return None
    if is_locked(user, now) and found.stage != Stage.FULL.value:
        found.ended_at = now
        return None
    if (now - found.last_seen_at).total_seconds() > 30:
        found.last_seen_at = now
    return found


def sign_out(session: Session, raw_token: str, context: Context) -> None:
    """End the session this cookie names, at whatever stage of signing in it is."""
    if not raw_token or len(raw_token) > 200:
        return
    user_session = session.scalars(
        select(UserSession).where(
            UserSession.token_hash == hash_token(raw_token), UserSession.ended_at.is_(None)
        )
    ).first()
    if user_session is None:
        return
    user_session.ended_at = utcnow()
    audit.record(
        session,
        "sign_out",
        _user_actor(user_session.user),
        object_type="user",
        object_id=user_session.user_id,
        context=context,
    )
