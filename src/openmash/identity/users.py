"""Managing user accounts, scoped by agency: an agency's admin manages its own users; the national
administrator's admins manage everyone's."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Actor, Context
from openmash.config import Settings
from openmash.db.base import utcnow
from openmash.errors import NotFoundError, PermissionDenied, PurposeRequired, ValidationFailed
from openmash.identity import passwords
from openmash.identity.models import Agency, User, UserRole, UserSession
from openmash.identity.permissions import ROLES_BY_AGENCY_TYPE, AgencyType, Role
from openmash.identity.principal import Principal

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _parse_roles(agency: Agency, roles: Iterable[str]) -> set[Role]:
    allowed = ROLES_BY_AGENCY_TYPE[AgencyType(agency.type)]
    chosen: set[Role] = set()
    for name in roles:
        try:
            role = Role(name)
        except ValueError:
            raise ValidationFailed({"roles": f"Unknown role: {name}"}) from None
        if role not in allowed:
            raise ValidationFailed(
                {"roles": f"A user of this kind of agency cannot be given the role {role.value}"}
            )
        chosen.add(role)
    if not chosen:
        raise ValidationFailed({"roles": "Select at least one role"})
    return chosen


def ensure_may_manage(principal: Principal, agency_id: uuid.UUID) -> None:
    """An admin manages users of their own agency; a national admin manages any agency's."""
    if not (principal.is_national or principal.agency_id == agency_id):
        raise PermissionDenied("You can only manage users of your own agency")


def create_user(
    session: Session,
    settings: Settings,
    actor: Actor,
    *,
    agency_id: uuid.UUID | None,
    email: str,
    full_name: str,
    password: str,
    roles: Iterable[str],
    context: Context | None = None,
) -> User:
    errors: dict[str, str] = {}
    email = normalise_email(email)
    full_name = " ".join(full_name.split())
    agency = session.get(Agency, agency_id) if agency_id is not None else None
    if agency is None:
        errors["agency"] = "Select an agency"
    if not full_name or len(full_name) > 200:
        errors["full_name"] = "Enter the person's full name (200 characters or fewer)"
    if not EMAIL.match(email) or len(email) > 254:
        errors["email"] = "Enter an email address in the correct format, like name@example.gov.uk"
    problem = passwords.password_problem(password, email)
    if problem:
        errors["password"] = problem
    role_set: set[Role] = set()
    if agency is not None:
        try:
            role_set = _parse_roles(agency, roles)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors or agency is None:
        raise ValidationFailed(errors)
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise ValidationFailed({"email": "A user with this email address already exists"})
    now = utcnow()
    user = User(
        agency_id=agency.id,
        email=email,
        full_name=full_name,
        password_hash=passwords.hash_password(settings, password),
        password_changed_at=now,
        failed_attempts=0,
        active=True,
    )
    user.roles = [UserRole(role=r.value) for r in sorted(role_set)]
    session.add(user)
    session.flush()
    audit.record(
        session,
        "user.create",
        actor,
        object_type="user",
        object_id=user.id,
        context=context or audit.NO_CONTEXT,
        details={"email": email, "agency": agency.code, "roles": sorted(r.value for r in role_set)},
    )
    return user


def get_user(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("User not found")
    return user


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == normalise_email(email))).first()


def view_user(
    session: Session, principal: Principal, user_id: uuid.UUID, purpose: str | None, context: Context
) -> User:
    """Open one user's record for an admin; outside their own agency a purpose must be given."""
    user = get_user(session, user_id)
    ensure_may_manage(principal, user.agency_id)
    purpose = (purpose or "").strip() or None
    if user.agency_id != principal.agency_id and not purpose:
        raise PurposeRequired("Give the purpose for viewing a record held by another agency")
    audit.record(
        session,
        "user.view",
        principal.actor,
        object_type="user",
        object_id=user.id,
        purpose=purpose,
        context=context,
    )
    return user


def list_users(
    session: Session, principal: Principal, agency_id: uuid.UUID | None, context: Context | None = None
) -> Sequence[User]:
    """Users an admin may manage: their own agency's, or (national admin) any or one agency's. Audited:
    staff names and email addresses are personal data too."""
    stmt = select(User).order_by(User.full_name)
    if not principal.is_national:
        agency_id = principal.agency_id
    if agency_id is not None:
        stmt = stmt.where(User.agency_id == agency_id)
    found = session.scalars(stmt).all()
    audit.record(
        session,
        "user.list",
        principal.actor,
        object_type="agency",
        object_id=agency_id,
        context=context or audit.NO_CONTEXT,
        details={"count": len(found)},
    )
    return found


def set_roles(
    session: Session, principal: Principal, user_id: uuid.UUID, roles: Iterable[str], context: Context
) -> User:
    user = get_user(session, user_id)
    ensure_may_manage(principal, user.agency_id)
    new_roles = _parse_roles(user.agency, roles)
    old_roles = set(user.role_names)
    if user.id == principal.id and Role.ADMIN.value in old_roles and Role.ADMIN not in new_roles:
        raise ValidationFailed({"roles": "You cannot remove your own administrator role"})
    user.roles = [UserRole(role=r.value) for r in sorted(new_roles)]
    session.flush()
    audit.record(
        session,
        "user.roles.change",
        principal.actor,
        object_type="user",
        object_id=user.id,
        context=context,
        details={"from": sorted(old_roles), "to": sorted(r.value for r in new_roles)},
    )
    return user


def _end_sessions(session: Session, user_id: uuid.UUID, now: datetime, keep: uuid.UUID | None = None) -> None:
    """Sign the user out everywhere (but for the session ``keep``)."""
    for s in session.scalars(
        select(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    ):
        if s.id != keep:
            s.ended_at = now


def reset_two_factor(session: Session, principal: Principal, user_id: uuid.UUID, context: Context) -> User:
    """For a lost phone: the user must enrol again at next sign-in, and is signed out everywhere now."""
    user = get_user(session, user_id)
    ensure_may_manage(principal, user.agency_id)
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    _end_sessions(session, user.id, utcnow())
    audit.record(
        session,
        "user.two_factor.reset",
        principal.actor,
        object_type="user",
        object_id=user.id,
        context=context,
    )
    return user


def set_active(
    session: Session, principal: Principal, user_id: uuid.UUID, active: bool, context: Context
) -> User:
    user = get_user(session, user_id)
    ensure_may_manage(principal, user.agency_id)
    if user.id == principal.id and not active:
        raise ValidationFailed({"active": "You cannot deactivate your own account"})
    user.active = active
    if not active:
        _end_sessions(session, user.id, utcnow())
    else:
        user.failed_attempts = 0
        user.locked_until = None
    audit.record(
        session,
        "user.activate" if active else "user.deactivate",
        principal.actor,
        object_type="user",
        object_id=user.id,
        context=context,
    )
    return user


def change_password(
    session: Session,
    settings: Settings,
    principal: Principal,
    current: str,
    new: str,
    confirm: str,
    context: Context,
) -> None:
    user = get_user(session, principal.id)
    errors: dict[str, str] = {}
    if not passwords.verify_password(settings, user.password_hash, current):
        errors["current_password"] = "Your current password is wrong"
    problem = passwords.password_problem(new, user.email)
    if problem:
        errors["new_password"] = problem
    elif new != confirm:
        errors["confirm_password"] = "The passwords do not match"
    elif new == current:
        errors["new_password"] = "Choose a password different from your current one"
    if errors:
        raise ValidationFailed(errors)
    now = utcnow()
    user.password_hash = passwords.hash_password(settings, new)
    user.password_changed_at = now
    # Sign out every other session: a changed password should shut out whoever knew the old one.
    _end_sessions(session, user.id, now, keep=principal.session_id)
    audit.record(
        session,
        "account.password.change",
        principal.actor,
        object_type="user",
        object_id=user.id,
        context=context,
    )
