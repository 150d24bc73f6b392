"""API tokens for agencies' own systems: scoped to one agency and chosen permissions, expiring, revocable.

A token reads ``omt_<id>_<secret>``; only a SHA-256 of the secret is stored (the secret is 256 random
bits, so a slow hash adds nothing), and it is shown once, when created.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Actor, Context
from openmash.config import Settings
from openmash.db.base import utcnow
from openmash.errors import NotFoundError, ValidationFailed
from openmash.identity.models import Agency, ApiToken
from openmash.identity.permissions import AgencyType, Permission, token_grantable_for
from openmash.identity.principal import Principal
from openmash.identity.users import ensure_may_manage

PREFIX = "omt_"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    plaintext: str


def create_token_as(
    session: Session,
    settings: Settings,
    principal: Principal,
    *,
    agency_id: uuid.UUID,
    name: str,
    permissions: Iterable[str],
    days: int,
    context: Context,
) -> CreatedToken:
    """An administrator creates a token for their own agency (any agency, if national)."""
    ensure_may_manage(principal, agency_id)
    return create_token(
        session,
        settings,
        principal.actor,
        agency_id=agency_id,
        name=name,
        permissions=permissions,
        days=days,
        context=context,
    )


def create_token(
    session: Session,
    settings: Settings,
    actor: Actor,
    *,
    agency_id: uuid.UUID,
    name: str,
    permissions: Iterable[str],
    days: int,
    context: Context,
) -> CreatedToken:
    """Create a token; the caller has established the actor's authority (an admin, or the console)."""
    agency = session.get(Agency, agency_id)
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if agency is None:
        errors["agency"] = "Select an agency"
    if not name or len(name) > 200:
        errors["name"] = "Enter a name for the token (200 characters or fewer)"
    if not 1 <= days <= settings.api_token_max_days:
        errors["days"] = f"Enter a number of days from 1 to {settings.api_token_max_days}"
    chosen: set[Permission] = set()
    if agency is not None:
        allowed = token_grantable_for(AgencyType(agency.type))
        for p in permissions:
            try:
                perm = Permission(p)
            except ValueError:
                errors["permissions"] = f"Unknown permission: {p}"
                continue
            if perm not in allowed:
                errors["permissions"] = f"A token of this agency cannot be given {perm.value}"
            chosen.add(perm)
        if not chosen and "permissions" not in errors:
            errors["permissions"] = "Select at least one permission"
    if errors or agency is None:
        raise ValidationFailed(errors)
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        id=uuid.uuid4(),
        agency_id=agency.id,
        name=name,
        secret_hash=_digest(secret),
        permissions=" ".join(sorted(p.value for p in chosen)),
        created_by_user_id=actor.user_id,
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        "token.create",
        actor,
        object_type="api_token",
        object_id=token.id,
        context=context,
        details={"agency": agency.code, "permissions": token.permissions, "days": days},
    )
    return CreatedToken(token=token, plaintext=f"{PREFIX}{token.id.hex}_{secret}")


def authenticate(session: Session, presented: str) -> ApiToken | None:
    """The live token for a presented value, or None (unknown, wrong secret, expired or revoked)."""
    if not presented.startswith(PREFIX) or len(presented) > 200:
        return None
    try:
        id_hex, secret = presented[len(PREFIX) :].split("_", 1)
        token_id = uuid.UUID(hex=id_hex)
    except ValueError:
        return None
    token = session.get(ApiToken, token_id)
    if token is None or not hmac.compare_digest(token.secret_hash, _digest(secret)):
        return None
    now = utcnow()
    if token.revoked_at is not None or token.expires_at <= now or not token.agency.active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now
    return token


def list_tokens(session: Session, principal: Principal) -> Sequence[ApiToken]:
    stmt = select(ApiToken).order_by(ApiToken.created_at.desc())
    if not principal.is_national:
        stmt = stmt.where(ApiToken.agency_id == principal.agency_id)
    return session.scalars(stmt).all()


def revoke_token(session: Session, principal: Principal, token_id: uuid.UUID, context: Context) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFoundError("Token not found")
    ensure_may_manage(principal, token.agency_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            session,
            "token.revoke",
            principal.actor,
            object_type="api_token",
            object_id=token.id,
            context=context,
        )
    return token
