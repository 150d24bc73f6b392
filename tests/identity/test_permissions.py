"""The access model as data: who holds what, who must use two-factor, what a token may carry."""

from __future__ import annotations

from openmash.identity.permissions import (
    ROLES_BY_AGENCY_TYPE,
    AgencyType,
    Permission,
    Role,
    permissions_for,
    requires_two_factor,
    token_grantable_for,
)


def test_every_role_can_manage_its_own_account() -> None:
    for role in Role:
        agency_type = next(t for t, roles in ROLES_BY_AGENCY_TYPE.items() if role in roles)
        assert Permission.ACCOUNT_SELF in permissions_for({role}, agency_type)


def test_roles_that_search_personal_data_must_use_two_factor() -> None:
    for role in (
        Role.LICENSING_OFFICER,
        Role.POLICE_ANALYST,
        Role.MASH_PRACTITIONER,
        Role.SCHOOL_DSL,
        Role.AUDITOR,
    ):
        assert requires_two_factor({role}), role


def test_only_the_national_administrator_manages_agencies() -> None:
    assert Permission.AGENCIES_MANAGE in permissions_for({Role.ADMIN}, AgencyType.NATIONAL_ADMIN)
    assert Permission.AGENCIES_MANAGE not in permissions_for({Role.ADMIN}, AgencyType.LICENSING_AUTHORITY)


def test_a_role_outside_its_agency_type_grants_nothing() -> None:
    assert permissions_for({Role.POLICE_ANALYST}, AgencyType.SCHOOL) == frozenset()


def test_auditors_do_not_administer_and_administrators_do_not_audit() -> None:
    admin = permissions_for({Role.ADMIN}, AgencyType.NATIONAL_ADMIN)
    auditor = permissions_for({Role.AUDITOR}, AgencyType.NATIONAL_ADMIN)
    assert Permission.AUDIT_READ not in admin
    assert Permission.USERS_MANAGE not in auditor


def test_tokens_never_carry_account_or_user_management() -> None:
    for agency_type in AgencyType:
        grantable = token_grantable_for(agency_type)
        assert Permission.USERS_MANAGE not in grantable
        assert Permission.TOKENS_MANAGE not in grantable
        assert Permission.ACCOUNT_SELF not in grantable


def test_a_school_token_cannot_search_the_driver_register() -> None:
    assert Permission.REGISTER_SEARCH not in token_grantable_for(AgencyType.SCHOOL)
    assert Permission.REGISTER_SEARCH in token_grantable_for(AgencyType.LICENSING_AUTHORITY)
