"""Signing in: lockout after repeated failures, two-factor that cannot be replayed, sessions that expire."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.base import utcnow
from openmash.db.session import transaction
from openmash.identity import signin, twofactor
from openmash.identity.models import User, UserSession
from openmash.identity.permissions import AgencyType, Role
from tests.support.factories import make_user


def _password(
    sessions: sessionmaker[Session], settings: Settings, email: str, password: str
) -> signin.SignInResult:
    with transaction(sessions) as session:
        return signin.sign_in_with_password(session, settings, email, password, NO_CONTEXT)


def _session_row(session: Session, raw: str) -> UserSession:
    return session.scalars(select(UserSession).where(UserSession.token_hash == signin.hash_token(raw))).one()


def _actions(sessions: sessionmaker[Session]) -> list[tuple[str, str]]:
    with transaction(sessions) as session:
        return [(r.action, r.outcome) for r in session.scalars(select(AuditRecord).order_by(AuditRecord.seq))]


def test_enrolled_user_needs_a_code_after_the_password(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    user = make_user(sessions, settings, [Role.LICENSING_OFFICER])
    result = _password(sessions, settings, user.email, user.password)
    assert result.ok
    assert result.stage is signin.Stage.TWO_FACTOR


def test_unenrolled_searching_role_must_enrol(sessions: sessionmaker[Session], settings: Settings) -> None:
    user = make_user(sessions, settings, [Role.POLICE_ANALYST], enrolled=False)
    result = _password(sessions, settings, user.email.upper(), user.password)
    assert result.ok
    assert result.stage is signin.Stage.ENROL


def test_failures_lock_the_account_and_the_right_password_is_then_refused(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    user = make_user(sessions, settings, [Role.LICENSING_OFFICER])
    for _ in range(settings.lockout_threshold):
        assert not _password(sessions, settings, user.email, "wrong password guess").ok
    assert not _password(sessions, settings, user.email, user.password).ok
    with transaction(sessions) as session:
        row = session.get(User, user.id)
        assert row is not None
        assert row.locked_until is not None
        assert row.locked_until > utcnow() + timedelta(minutes=settings.lockout_minutes - 1)
    reasons = [a for a in _actions(sessions) if a[0] == "sign_in.failed"]
    assert len(reasons) == settings.lockout_threshold + 1


def test_the_lock_lifts_after_its_time(sessions: sessionmaker[Session], settings: Settings) -> None:
    user = make_user(sessions, settings, [Role.LICENSING_OFFICER])
    with transaction(sessions) as session:
        row = session.get(User, user.id)
        assert row is not None
        row.locked_until = utcnow() - timedelta(seconds=1)
    assert _password(sessions, settings, user.email, user.password).ok


def test_unknown_email_fails_and_is_audited(sessions: sessionmaker[Session], settings: Settings) -> None:
    assert not _password(sessions, settings, "nobody@example.invalid", "whatever it is").ok
    assert ("sign_in.failed", "failed") in _actions(sessions)


def test_deactivated_user_cannot_sign_in(sessions: sessionmaker[Session], settings: Settings) -> None:
    user = make_user(sessions, settings, [Role.LICENSING_OFFICER])
    with transaction(sessions) as session:
        row = session.get(User, user.id)
        assert row is not None
        row.active = False
    assert not _password(sessions, settings, user.email, user.password).ok


def test_a_code_completes_sign_in_once_and_cannot_be_replayed(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    user = make_user(sessions, settings, [Role.LICENSING_OFFICER])
    assert user.totp_secret
    code = twofactor.current_code(user.totp_secret, utcnow())
    first = _password(sessions, settings, user.email, user.password)
    second = _password(sessions, settings, user.email, user.password)
    assert first.session_token
    assert second.session_token
    with transaction(sessions) as session:
        row = _session_row(session, first.session_token)
        assert signin.verify_two_factor(session, settings, row, code, NO_CONTEXT)
    with transaction(sessions) as session:
        row = _session_row(session, second.session_token)
        assert not signin.verify_two_factor(session, settings, row, code, NO_CONTEXT)
    assert ("sign_in", "allowed") in _actions(sessions)


def test_enrolment_needs_a_code_from_the_new_secret(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    user = make_user(sessions, settings, [Role.MASH_PRACTITIONER], enrolled=False)
    result = _password(sessions, settings, user.email, user.password)
    assert result.session_token
    with transaction(sessions) as session:
        row = _session_row(session, result.session_token)
        secret = signin.start_enrolment(session, row)
        assert signin.start_enrolment(session, row) == secret  # reloading the page keeps the same QR code
        assert not signin.confirm_enrolment(session, settings, row, "000000", NO_CONTEXT)
    with transaction(sessions) as session:
        row = _session_row(session, result.session_token)
        code = twofactor.current_code(secret, utcnow())
        assert signin.confirm_enrolment(session, settings, row, code, NO_CONTEXT)
        assert row.stage == signin.Stage.FULL.value
    with transaction(sessions) as session:
        stored = session.get(User, user.id)
        assert stored is not None
        assert stored.totp_secret == secret


def test_sessions_end_when_idle_or_too_old(sessions: sessionmaker[Session], settings: Settings) -> None:
    user = make_user(sessions, settings, [Role.LICENSING_OFFICER])
    idle = _password(sessions, settings, user.email, user.password).session_token
    old = _password(sessions, settings, user.email, user.password).session_token
    fresh = _password(sessions, settings, user.email, user.password).session_token
    assert idle
    assert old
    assert fresh
    with transaction(sessions) as session:
        _session_row(session, idle).last_seen_at = utcnow() - timedelta(
            minutes=settings.session_idle_minutes + 1
        )
        _session_row(session, old).expires_at = utcnow() - timedelta(seconds=1)
    with transaction(sessions) as session:
        assert signin.load_session(session, settings, idle) is None
        assert signin.load_session(session, settings, old) is None
        assert signin.load_session(session, settings, fresh) is not None
        assert signin.load_session(session, settings, "made-up-token") is None


def test_admins_sessions_are_two_factor_too(sessions: sessionmaker[Session], settings: Settings) -> None:
    user = make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.SCHOOL, enrolled=False)
    result = _password(sessions, settings, user.email, user.password)
    assert result.stage is signin.Stage.ENROL
