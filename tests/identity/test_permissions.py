"""The access model as data: who holds what, who must use two-factor, what a token may carry."""

from __future__ import annotations

from openmash.identity.permissions import (
    ROLES_BY_AGENCY_TYPE,
    SEARCHES_PERSONAL_DATA,
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


def test_every_role_that_reads_a_childs_record_must_use_two_factor() -> None:
    for role in Role:
        agency_type = next(t for t, roles in ROLES_BY_AGENCY_TYPE.items() if role in roles)
        held = permissions_for({role}, agency_type)
        if held & {Permission.CHRONOLOGY_READ, Permission.CHILDREN_SEARCH, Permission.RISK_SCREEN}:
            assert requires_two_factor({role}), role


def test_every_agency_that_records_about_children_may_read_what_the_hub_lets_it_see() -> None:
    for role, agency_type in (
        (Role.SCHOOL_DSL, AgencyType.SCHOOL),
        (Role.HOME_MANAGER, AgencyType.CHILDRENS_HOME),
        (Role.HEALTH_PRACTITIONER, AgencyType.HEALTH),
        (Role.POLICE_ANALYST, AgencyType.POLICE_FORCE),
        (Role.MASH_PRACTITIONER, AgencyType.CHILDRENS_SOCIAL_CARE),
    ):
        held = permissions_for({role}, agency_type)
        assert {Permission.CHILDREN_RECORD, Permission.CONCERNS_RECORD, Permission.CHRONOLOGY_READ} <= held
    assert Permission.CHRONOLOGY_READ not in permissions_for(
        {Role.LICENSING_OFFICER}, AgencyType.LICENSING_AUTHORITY
    )


def test_only_the_mash_screens_for_risk_and_keeps_a_childs_status() -> None:
    for role in Role:
        for agency_type, roles in ROLES_BY_AGENCY_TYPE.items():
            if role not in roles:
                continue
            held = permissions_for({role}, agency_type)
            mash = agency_type is AgencyType.CHILDRENS_SOCIAL_CARE and role in {
                Role.MASH_PRACTITIONER,
                Role.MASH_MANAGER,
            }
            assert (Permission.RISK_SCREEN in held) is mash, (role, agency_type)
            assert (Permission.CHILDREN_MANAGE in held) is mash, (role, agency_type)


def test_only_the_national_administrator_keeps_the_taxonomy_of_concerns() -> None:
    assert Permission.CATEGORIES_MANAGE in permissions_for({Role.ADMIN}, AgencyType.NATIONAL_ADMIN)
    assert Permission.CATEGORIES_MANAGE not in permissions_for({Role.ADMIN}, AgencyType.CHILDRENS_SOCIAL_CARE)


def _held(role: Role) -> frozenset[Permission]:
    agency_type = next(t for t, roles in ROLES_BY_AGENCY_TYPE.items() if role in roles)
    return permissions_for({role}, agency_type)


def test_only_the_mash_triages_and_records_return_home_interviews() -> None:
    for role in Role:
        held = _held(role)
        mash = role in {Role.MASH_PRACTITIONER, Role.MASH_MANAGER}
        for permission in (Permission.TRIAGE_READ, Permission.TRIAGE_DECIDE, Permission.INTERVIEWS_RECORD):
            assert (permission in held) is mash, (role, permission)


def test_every_agency_that_records_about_children_reports_missing_refers_and_records_requests_for_help() -> (
    None
):
    for role in (
        Role.SCHOOL_DSL,
        Role.HOME_MANAGER,
        Role.HEALTH_PRACTITIONER,
        Role.POLICE_ANALYST,
        Role.MASH_PRACTITIONER,
    ):
        assert {
            Permission.MISSING_RECORD,
            Permission.CONTACTS_REFER,
            Permission.HELP_RECORD,
            Permission.HELP_ANSWER,
        } <= _held(role), role


def test_escalated_requests_for_help_go_to_mash_managers_and_philomena_profiles_to_carers() -> None:
    assert {r for r in Role if Permission.HELP_ESCALATIONS in _held(r)} == {Role.MASH_MANAGER}
    assert {r for r in Role if Permission.PHILOMENA_KEEP in _held(r)} == {
        Role.HOME_MANAGER,
        Role.MASH_PRACTITIONER,
        Role.MASH_MANAGER,
    }


def test_every_role_that_reads_the_hubs_lists_must_use_two_factor() -> None:
    lists = {
        Permission.TRIAGE_READ,
        Permission.HELP_ANSWER,
        Permission.HELP_ESCALATIONS,
        Permission.MISSING_RECORD,
        Permission.PHILOMENA_KEEP,
    }
    for role in Role:
        if _held(role) & lists:
            assert requires_two_factor({role}), role


def test_only_schools_and_childrens_homes_check_cars_at_the_gate() -> None:
    assert {r for r in Role if Permission.GATE_CHECK in _held(r)} == {Role.SCHOOL_DSL, Role.HOME_MANAGER}
    assert {r for r in Role if Permission.TRANSPORT_ARRANGE in _held(r)} == {
        Role.SCHOOL_DSL,
        Role.HOME_MANAGER,
        Role.MASH_PRACTITIONER,
        Role.MASH_MANAGER,
    }


def test_only_the_mash_and_police_read_the_network() -> None:
    assert {r for r in Role if Permission.NETWORK_READ in _held(r)} == {
        Role.MASH_PRACTITIONER,
        Role.MASH_MANAGER,
        Role.POLICE_ANALYST,
    }
    for agency_type in AgencyType:
        assert Permission.NETWORK_READ not in token_grantable_for(agency_type)


def test_every_possible_lead_professional_reads_alerts_and_only_the_national_admin_keeps_the_rules() -> None:
    for role in Role:
        if Permission.CHRONOLOGY_READ in _held(role):
            assert Permission.ALERTS_READ in _held(role), role
    assert Permission.ALERT_RULES_MANAGE in permissions_for({Role.ADMIN}, AgencyType.NATIONAL_ADMIN)
    assert Permission.ALERT_RULES_MANAGE not in permissions_for(
        {Role.ADMIN}, AgencyType.CHILDRENS_SOCIAL_CARE
    )


def test_every_role_that_reads_the_network_or_alerts_must_use_two_factor() -> None:
    for role in Role:
        if _held(role) & {Permission.NETWORK_READ, Permission.ALERTS_READ}:
            assert requires_two_factor({role}), role


def test_agencies_recording_about_children_keep_support_plans_and_only_mash_managers_review_closing() -> None:
    keepers = {r for r in Role if Permission.SUPPORT_KEEP in _held(r)}
    assert keepers == {
        Role.MASH_PRACTITIONER,
        Role.MASH_MANAGER,
        Role.POLICE_ANALYST,
        Role.SCHOOL_DSL,
        Role.HOME_MANAGER,
        Role.HEALTH_PRACTITIONER,
    }
    assert {r for r in Role if Permission.SUPPORT_REVIEW in _held(r)} == {Role.MASH_MANAGER}
    assert {Permission.SUPPORT_KEEP, Permission.SUPPORT_REVIEW} <= SEARCHES_PERSONAL_DATA
    for role in keepers:
        assert requires_two_factor({role}), role
    for agency_type in AgencyType:
        assert Permission.SUPPORT_REVIEW not in token_grantable_for(agency_type)


# The hub's permissions a token may carry, and for which agencies (docs/decisions/0009). Written out by hand
# so that making one grantable is a decision this test makes someone write down.
HUB_TOKEN_GRANTABLE: dict[Permission, set[AgencyType]] = {
    Permission.MISSING_RECORD: {
        AgencyType.POLICE_FORCE,
        AgencyType.CHILDRENS_SOCIAL_CARE,
        AgencyType.SCHOOL,
        AgencyType.CHILDRENS_HOME,
        AgencyType.HEALTH,
    },
    Permission.INTERVIEWS_RECORD: {AgencyType.CHILDRENS_SOCIAL_CARE},
    Permission.PHILOMENA_KEEP: {AgencyType.CHILDRENS_SOCIAL_CARE, AgencyType.CHILDRENS_HOME},
    Permission.CONTACTS_REFER: {
        AgencyType.POLICE_FORCE,
        AgencyType.CHILDRENS_SOCIAL_CARE,
        AgencyType.SCHOOL,
        AgencyType.CHILDRENS_HOME,
        AgencyType.HEALTH,
    },
    Permission.TRIAGE_READ: {AgencyType.CHILDRENS_SOCIAL_CARE},
    Permission.HELP_RECORD: {
        AgencyType.POLICE_FORCE,
        AgencyType.CHILDRENS_SOCIAL_CARE,
        AgencyType.SCHOOL,
        AgencyType.CHILDRENS_HOME,
        AgencyType.HEALTH,
    },
    Permission.HELP_ANSWER: {
        AgencyType.POLICE_FORCE,
        AgencyType.CHILDRENS_SOCIAL_CARE,
        AgencyType.SCHOOL,
        AgencyType.CHILDRENS_HOME,
        AgencyType.HEALTH,
    },
    Permission.SUPPORT_KEEP: {
        AgencyType.POLICE_FORCE,
        AgencyType.CHILDRENS_SOCIAL_CARE,
        AgencyType.SCHOOL,
        AgencyType.CHILDRENS_HOME,
        AgencyType.HEALTH,
    },
    # Alerts are addressed to a MASH as an agency; a lead professional's are theirs as a person.
    Permission.ALERTS_READ: {AgencyType.CHILDRENS_SOCIAL_CARE},
}
# A person's judgement or a manager's view, the national rules, a car chosen at the gate, the network.
NEVER_FOR_TOKENS = {
    Permission.CHILDREN_MANAGE,
    Permission.CATEGORIES_MANAGE,
    Permission.TRIAGE_DECIDE,
    Permission.HELP_ESCALATIONS,
    Permission.SUPPORT_REVIEW,
    Permission.GATE_CHECK,
    Permission.TRANSPORT_ARRANGE,
    Permission.NETWORK_READ,
    Permission.ALERT_RULES_MANAGE,
}


def test_the_hubs_permissions_a_token_may_carry_are_exactly_those_decided() -> None:
    for permission, agencies in HUB_TOKEN_GRANTABLE.items():
        assert {t for t in AgencyType if permission in token_grantable_for(t)} == agencies, permission
    for agency_type in AgencyType:
        assert not token_grantable_for(agency_type) & NEVER_FOR_TOKENS, agency_type
    hub = {p for p in Permission if p.value.split(":")[0] in ("safeguarding", "network", "alerts")}
    decided = set(HUB_TOKEN_GRANTABLE) | NEVER_FOR_TOKENS
    assert hub - decided == {
        Permission.CHILDREN_SEARCH,
        Permission.CHILDREN_RECORD,
        Permission.CONCERNS_RECORD,
        Permission.CHRONOLOGY_READ,
        Permission.RISK_SCREEN,
    }, "a new hub permission: decide whether a token may carry it (docs/decisions/0009)"


def test_a_token_never_carries_what_only_a_manager_of_its_agency_holds() -> None:
    for agency_type in AgencyType:
        roles = ROLES_BY_AGENCY_TYPE[agency_type]
        if Role.MASH_MANAGER not in roles:
            continue
        manager_only = permissions_for({Role.MASH_MANAGER}, agency_type) - permissions_for(
            {Role.MASH_PRACTITIONER}, agency_type
        )
        assert manager_only == {Permission.HELP_ESCALATIONS, Permission.SUPPORT_REVIEW}
        assert not token_grantable_for(agency_type) & manager_only
