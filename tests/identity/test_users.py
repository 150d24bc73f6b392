"""Administrators manage only their own agency's users (the national administrator, everyone's)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT, SYSTEM
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.errors import PermissionDenied, PurposeRequired, ValidationFailed
from openmash.identity import signin, users
from openmash.identity.models import User, UserSession
from openmash.identity.permissions import AgencyType, Role
from openmash.identity.principal import Principal, principal_for_user
from tests.support.factories import PASSWORD, UserLogin, make_agency, make_user


def _principal(sessions: sessionmaker[Session], login: UserLogin) -> Principal:
    with transaction(sessions) as session:
        user = session.get(User, login.id)
        assert user is not None
        return principal_for_user(user)


@pytest.fixture
def local_admin(sessions: sessionmaker[Session], settings: Settings) -> UserLogin:
    return make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.LICENSING_AUTHORITY)


def test_a_local_admin_cannot_touch_another_agencys_user(
    sessions: sessionmaker[Session], settings: Settings, local_admin: UserLogin
) -> None:
    other = make_user(sessions, settings, [Role.POLICE_ANALYST])
    admin = _principal(sessions, local_admin)
    with transaction(sessions) as session:
        with pytest.raises(PermissionDenied):
            users.set_roles(session, admin, other.id, ["police_analyst"], NO_CONTEXT)  # type: ignore[arg-type]
        with pytest.raises(PermissionDenied):
            users.reset_two_factor(session, admin, other.id, NO_CONTEXT)  # type: ignore[arg-type]
        assert all(u.agency_id == local_admin.agency_id for u in users.list_users(session, admin, None))


def test_national_admin_must_give_a_purpose_to_open_another_agencys_user(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    national = _principal(
        sessions, make_user(sessions, settings, [Role.ADMIN], agency_type=AgencyType.NATIONAL_ADMIN)
    )
    other = make_user(sessions, settings, [Role.SCHOOL_DSL])
    with transaction(sessions) as session:
        with pytest.raises(PurposeRequired):
            users.view_user(session, national, other.id, "  ", NO_CONTEXT)  # type: ignore[arg-type]
        users.view_user(session, national, other.id, "complaint 42", NO_CONTEXT)  # type: ignore[arg-type]
    with transaction(sessions) as session:
        viewed = session.scalars(select(AuditRecord).where(AuditRecord.action == "user.view")).one()
        assert viewed.purpose == "complaint 42"
        assert viewed.object_id == str(other.id)


def test_roles_must_fit_the_agency_type(sessions: sessionmaker[Session], settings: Settings) -> None:
    with transaction(sessions) as session:
        school = make_agency(session, AgencyType.SCHOOL)
        with pytest.raises(ValidationFailed) as caught:
            users.create_user(
                session,
                settings,
                SYSTEM,
                agency_id=school.id,
                email="x@example.invalid",
                full_name="A Person",
                password=PASSWORD,
                roles=["police_analyst"],
            )
        assert "roles" in caught.value.fields


def test_bad_input_is_reported_field_by_field_and_nothing_is_written(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    with pytest.raises(ValidationFailed) as caught, transaction(sessions) as session:
        users.create_user(
            session,
            settings,
            SYSTEM,
            agency_id=uuid.uuid4(),
            email="not an email",
            full_name="",
            password="short",
            roles=[],
        )
    assert {"agency", "email", "full_name", "password"} <= set(caught.value.fields)
    with transaction(sessions) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0


def test_email_addresses_are_unique_whatever_their_case(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    existing = make_user(sessions, settings, [Role.LICENSING_OFFICER])
    with pytest.raises(ValidationFailed) as caught, transaction(sessions) as session:
        users.create_user(
            session,
            settings,
            SYSTEM,
            agency_id=existing.agency_id,
            email=existing.email.upper(),  # type: ignore[arg-type]
            full_name="Someone Else",
            password=PASSWORD,
            roles=["licensing_officer"],
        )
    assert "email" in caught.value.fields


def test_an_admin_cannot_lock_themselves_out(
    sessions: sessionmaker[Session], settings: Settings, local_admin: UserLogin
) -> None:
    admin = _principal(sessions, local_admin)
    with transaction(sessions) as session:
        with pytest.raises(ValidationFailed):
            users.set_active(session, admin, local_admin.id, False, NO_CONTEXT)  # type: ignore[arg-type]
        with pytest.raises(ValidationFailed):
            users.set_roles(session, admin, local_admin.id, ["auditor"], NO_CONTEXT)  # type: ignore[arg-type]


def test_resetting_two_factor_signs_the_user_out_and_makes_them_enrol_again(
    sessions: sessionmaker[Session], settings: Settings, local_admin: UserLogin
) -> None:
    officer = make_user(sessions, settings, [Role.LICENSING_OFFICER], agency_id=local_admin.agency_id)
    with transaction(sessions) as session:
        raw = signin.sign_in_with_password(
            session, settings, officer.email, PASSWORD, NO_CONTEXT
        ).session_token
    admin = _principal(sessions, local_admin)
    with transaction(sessions) as session:
        users.reset_two_factor(session, admin, officer.id, NO_CONTEXT)  # type: ignore[arg-type]
    with transaction(sessions) as session:
        assert raw
        assert signin.load_session(session, settings, raw) is None
        assert session.scalars(select(UserSession).where(UserSession.ended_at.is_(None))).all() == []
        again = signin.sign_in_with_password(session, settings, officer.email, PASSWORD, NO_CONTEXT)
        assert again.stage is signin.Stage.ENROL


def test_role_changes_are_audited_with_before_and_after(
    sessions: sessionmaker[Session], settings: Settings, local_admin: UserLogin
) -> None:
    officer = make_user(sessions, settings, [Role.LICENSING_OFFICER], agency_id=local_admin.agency_id)
    admin = _principal(sessions, local_admin)
    with transaction(sessions) as session:
        users.set_roles(session, admin, officer.id, ["licensing_manager"], NO_CONTEXT)  # type: ignore[arg-type]
    with transaction(sessions) as session:
        entry = session.scalars(select(AuditRecord).where(AuditRecord.action == "user.roles.change")).one()
        assert '"from":["licensing_officer"]' in entry.details
        assert '"to":["licensing_manager"]' in entry.details
        assert entry.actor_user_id == local_admin.id
