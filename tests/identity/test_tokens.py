"""API tokens: shown once, stored hashed, scoped to an agency and permissions, expiring and revocable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.service import NO_CONTEXT, SYSTEM
from openmash.config import Settings
from openmash.db.base import utcnow
from openmash.db.session import transaction
from openmash.errors import ValidationFailed
from openmash.identity import tokens
from openmash.identity.models import ApiToken
from openmash.identity.permissions import AgencyType, Permission, Role, permissions_for
from openmash.identity.principal import principal_for_token
from tests.identity.test_permissions import NEVER_FOR_TOKENS
from tests.support.factories import make_agency, make_user
from tests.support.register import principal_for


def _create(
    sessions: sessionmaker[Session], settings: Settings, agency_type: AgencyType, perms: list[str]
) -> tokens.CreatedToken:
    with transaction(sessions) as session:
        agency = make_agency(session, agency_type)
        return tokens.create_token(
            session,
            settings,
            SYSTEM,
            agency_id=agency.id,
            name="Licensing system",
            permissions=perms,
            days=30,
            context=NO_CONTEXT,
        )


def test_a_token_authenticates_with_its_scope_and_only_its_hash_is_stored(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    created = _create(sessions, settings, AgencyType.LICENSING_AUTHORITY, ["register:people:search"])
    with transaction(sessions) as session:
        stored = session.get(ApiToken, created.token.id)
        assert stored is not None
        secret = created.plaintext.split("_", 2)[2]
        assert secret not in stored.secret_hash
        found = tokens.authenticate(session, created.plaintext)
        assert found is not None
        principal = principal_for_token(found)
    assert principal.permissions == {Permission.REGISTER_SEARCH}
    assert principal.agency_id == created.token.agency_id


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: t + "x",
        lambda t: "omt_nonsense",
        lambda t: "",
    ],
)
def test_a_wrong_token_is_refused(sessions: sessionmaker[Session], settings: Settings, mangle) -> None:  # type: ignore[no-untyped-def]
    created = _create(sessions, settings, AgencyType.POLICE_FORCE, ["register:vehicles:lookup"])
    with transaction(sessions) as session:
        assert tokens.authenticate(session, mangle(created.plaintext)) is None


def test_expired_and_revoked_tokens_are_refused(sessions: sessionmaker[Session], settings: Settings) -> None:
    expired = _create(sessions, settings, AgencyType.POLICE_FORCE, ["register:vehicles:lookup"])
    revoked = _create(sessions, settings, AgencyType.POLICE_FORCE, ["register:vehicles:lookup"])
    with transaction(sessions) as session:
        row = session.get(ApiToken, expired.token.id)
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
        gone = session.get(ApiToken, revoked.token.id)
        assert gone is not None
        gone.revoked_at = utcnow()
    with transaction(sessions) as session:
        assert tokens.authenticate(session, expired.plaintext) is None
        assert tokens.authenticate(session, revoked.plaintext) is None


def test_a_token_cannot_be_given_what_its_agency_may_not_do(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    for agency_type, permission in (
        (AgencyType.SCHOOL, "register:people:search"),
        (AgencyType.LICENSING_AUTHORITY, "identity:users:manage"),
        (AgencyType.LICENSING_AUTHORITY, "identity:agencies:manage"),
        (AgencyType.LICENSING_AUTHORITY, "no:such:permission"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            _create(sessions, settings, agency_type, [permission])
        assert "permissions" in caught.value.fields


def test_expiry_is_bounded(sessions: sessionmaker[Session], settings: Settings) -> None:
    with transaction(sessions) as session:
        agency = make_agency(session, AgencyType.HEALTH)
    for days in (0, settings.api_token_max_days + 1):
        with pytest.raises(ValidationFailed) as caught, transaction(sessions) as session:
            tokens.create_token(
                session,
                settings,
                SYSTEM,
                agency_id=agency.id,
                name="x",
                permissions=["identity:agencies:read"],
                days=days,
                context=NO_CONTEXT,
            )
        assert "days" in caught.value.fields


@pytest.mark.parametrize("agency_type", [t for t in AgencyType if t is not AgencyType.NATIONAL_ADMIN])
def test_an_admin_cannot_issue_a_token_with_a_permission_no_token_may_carry(
    sessions: sessionmaker[Session], settings: Settings, agency_type: AgencyType
) -> None:
    """What the admin pages and the CLI call: a permission the agency's users hold but no token may (a
    person's judgement, a manager's view, the gate, the network) is refused, and nothing is issued."""
    admin = make_user(sessions, settings, [Role.ADMIN], agency_type=agency_type)
    held = permissions_for(frozenset(Role), agency_type) & NEVER_FOR_TOKENS
    for permission in sorted(held):
        with pytest.raises(ValidationFailed) as caught, transaction(sessions) as session:
            tokens.create_token_as(
                session,
                settings,
                principal_for(session, admin),
                agency_id=admin.agency_id,  # type: ignore[arg-type]
                name="Case system",
                permissions=[Permission.CHILDREN_SEARCH.value, permission.value],
                days=30,
                context=NO_CONTEXT,
            )
        assert permission.value in caught.value.fields["permissions"]
    with transaction(sessions) as session:
        assert session.scalars(select(ApiToken).where(ApiToken.agency_id == admin.agency_id)).all() == []


def test_only_a_mashs_token_may_read_alerts(sessions: sessionmaker[Session], settings: Settings) -> None:
    made = _create(sessions, settings, AgencyType.CHILDRENS_SOCIAL_CARE, [Permission.ALERTS_READ.value])
    assert made.token.permission_names == {Permission.ALERTS_READ.value}
    for agency_type in (AgencyType.SCHOOL, AgencyType.CHILDRENS_HOME, AgencyType.POLICE_FORCE):
        with pytest.raises(ValidationFailed) as caught:
            _create(sessions, settings, agency_type, [Permission.ALERTS_READ.value])
        assert "permissions" in caught.value.fields


def test_a_token_row_naming_a_permission_no_token_may_carry_does_not_grant_it(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    """A row edited by hand, or issued before a permission was withdrawn from tokens, grants only what a
    token of its agency may carry now."""
    made = _create(sessions, settings, AgencyType.CHILDRENS_SOCIAL_CARE, [Permission.MISSING_RECORD.value])
    with transaction(sessions) as session:
        row = session.get(ApiToken, made.token.id)
        assert row is not None
        row.permissions = " ".join(
            [Permission.MISSING_RECORD.value, *(p.value for p in sorted(NEVER_FOR_TOKENS))]
        )
    with transaction(sessions) as session:
        found = tokens.authenticate(session, made.plaintext)
        assert found is not None
        assert principal_for_token(found).permissions == {Permission.MISSING_RECORD}
