"""Who may do what: agency types, roles and permissions, kept as data in one place.

Every page and API route declares one permission; a role grants a set of them. Agency scoping (which
agency's records a user may touch) is applied by the services on top of this.
"""

from __future__ import annotations

from enum import StrEnum


class AgencyType(StrEnum):
    LICENSING_AUTHORITY = "licensing_authority"
    POLICE_FORCE = "police_force"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care"
    SCHOOL = "school"
    CHILDRENS_HOME = "childrens_home"
    HEALTH = "health"
    NATIONAL_ADMIN = "national_admin"


AGENCY_TYPE_LABELS: dict[AgencyType, str] = {
    AgencyType.LICENSING_AUTHORITY: "Licensing authority",
    AgencyType.POLICE_FORCE: "Police force",
    AgencyType.CHILDRENS_SOCIAL_CARE: "Children's social care (MASH)",
    AgencyType.SCHOOL: "School",
    AgencyType.CHILDRENS_HOME: "Children's home",
    AgencyType.HEALTH: "Health",
    AgencyType.NATIONAL_ADMIN: "National administrator",
}


class Role(StrEnum):
    LICENSING_OFFICER = "licensing_officer"
    LICENSING_MANAGER = "licensing_manager"
    MASH_PRACTITIONER = "mash_practitioner"
    MASH_MANAGER = "mash_manager"
    POLICE_ANALYST = "police_analyst"
    SCHOOL_DSL = "school_dsl"
    HOME_MANAGER = "home_manager"
    HEALTH_PRACTITIONER = "health_practitioner"
    AUDITOR = "auditor"
    ADMIN = "admin"


ROLE_LABELS: dict[Role, str] = {
    Role.LICENSING_OFFICER: "Licensing officer",
    Role.LICENSING_MANAGER: "Licensing manager",
    Role.MASH_PRACTITIONER: "MASH practitioner",
    Role.MASH_MANAGER: "MASH manager",
    Role.POLICE_ANALYST: "Police analyst",
    Role.SCHOOL_DSL: "School designated safeguarding lead",
    Role.HOME_MANAGER: "Children's home manager",
    Role.HEALTH_PRACTITIONER: "Health practitioner",
    Role.AUDITOR: "Auditor",
    Role.ADMIN: "Administrator",
}


class Permission(StrEnum):
    """Named ``area:resource:action``."""

    ACCOUNT_SELF = "account:self:manage"
    AGENCIES_READ = "identity:agencies:read"
    AGENCIES_MANAGE = "identity:agencies:manage"
    USERS_MANAGE = "identity:users:manage"
    TOKENS_MANAGE = "identity:tokens:manage"
    AUDIT_READ = "audit:records:read"
    AUDIT_EXPORT = "audit:records:export"
    # Granted now so that two-factor and API-token scopes are right from the start; the register and the
    # safeguarding hub add the pages and routes that use them.
    REGISTER_SEARCH = "register:people:search"
    REGISTER_RECORD = "register:decisions:record"
    VEHICLE_LOOKUP = "register:vehicles:lookup"
    CHILDREN_SEARCH = "safeguarding:children:search"
    CONCERNS_RECORD = "safeguarding:concerns:record"
    # The safeguarding hub (openmash.safeguarding): what each agency sees of a child is decided on top of
    # these by safeguarding.visibility, in one place.
    CHILDREN_RECORD = "safeguarding:children:record"
    CHILDREN_MANAGE = "safeguarding:children:manage"
    CHRONOLOGY_READ = "safeguarding:chronology:read"
    RISK_SCREEN = "safeguarding:risk:screen"
    CATEGORIES_MANAGE = "safeguarding:categories:manage"
    # Missing episodes (any agency reports and records a return; the MASH, which arranges return home
    # interviews, records them); Philomena profiles kept by a looked-after child's carers and the MASH.
    MISSING_RECORD = "safeguarding:missing:record"
    INTERVIEWS_RECORD = "safeguarding:interviews:record"
    PHILOMENA_KEEP = "safeguarding:philomena:keep"
    # MASH triage: any agency sends a concern to the MASH; only the MASH reads its queue, grades and decides.
    CONTACTS_REFER = "safeguarding:contacts:refer"
    TRIAGE_READ = "safeguarding:triage:read"
    TRIAGE_DECIDE = "safeguarding:triage:decide"
    # Requests for help: any agency records, acknowledges, answers and closes; a MASH manager receives the
    # escalations of those not answered in time.
    HELP_RECORD = "safeguarding:help:record"
    HELP_ANSWER = "safeguarding:help:answer"
    HELP_ESCALATIONS = "safeguarding:help:escalations"
    # Gate checks: a school or children's home checks the registration mark of a car collecting a child and
    # learns only whether it is licensed, by whom, and whether carers arranged it; carers (and the MASH)
    # record the transport they arranged.
    # Support after court: every agency that records about children keeps a child's support plan and court
    # dates (an item's owner may be a therapist in health, an adviser, the lead professional in a school);
    # the services narrow it to agencies that know the child. Only a MASH manager reviews closing an item
    # in the weeks after a verdict.
    SUPPORT_KEEP = "safeguarding:support:keep"
    SUPPORT_REVIEW = "safeguarding:support:review"
    GATE_CHECK = "safeguarding:gate:check"
    TRANSPORT_ARRANGE = "safeguarding:transport:arrange"
    # Link analysis across agencies (openmash.network): the MASH and police only.
    NETWORK_READ = "network:links:read"
    # Alerts (openmash.alerts): read and act on the alerts addressed to one (the MASH, a lead professional);
    # the rules are national data kept by the national administrator.
    ALERTS_READ = "alerts:alerts:read"
    ALERT_RULES_MANAGE = "alerts:rules:manage"


# Permissions that let a user search or browse personal data: any role holding one must use two-factor.
SEARCHES_PERSONAL_DATA: frozenset[Permission] = frozenset(
    {
        Permission.USERS_MANAGE,
        Permission.AUDIT_READ,
        Permission.REGISTER_SEARCH,
        Permission.VEHICLE_LOOKUP,
        Permission.CHILDREN_SEARCH,
        Permission.CHRONOLOGY_READ,
        Permission.RISK_SCREEN,
        Permission.MISSING_RECORD,
        Permission.PHILOMENA_KEEP,
        Permission.TRIAGE_READ,
        Permission.HELP_ANSWER,
        Permission.HELP_ESCALATIONS,
        Permission.SUPPORT_KEEP,
        Permission.SUPPORT_REVIEW,
        Permission.NETWORK_READ,
        Permission.ALERTS_READ,
    }
)

# Permissions that only a user (or token) of the national administrator may exercise. The taxonomy of
# concerns is one for the whole country, so that a concern means the same wherever it was recorded.
NATIONAL_ONLY: frozenset[Permission] = frozenset(
    {Permission.AGENCIES_MANAGE, Permission.CATEGORIES_MANAGE, Permission.ALERT_RULES_MANAGE}
)

# Permissions an agency may give to an API token for its own systems; account and user management never.
# A token is a system, not a person: it holds no roles, and the services refuse it the steps they keep for a
# named person (grading, deciding, acknowledging, answering, closing, reviewing). Why each hub permission is
# or is not here: docs/decisions/0009-api-tokens-and-the-hub.md.
TOKEN_GRANTABLE: frozenset[Permission] = frozenset(
    {
        Permission.AGENCIES_READ,
        Permission.AGENCIES_MANAGE,
        Permission.AUDIT_READ,
        Permission.AUDIT_EXPORT,
        Permission.REGISTER_SEARCH,
        Permission.REGISTER_RECORD,
        Permission.VEHICLE_LOOKUP,
        Permission.CHILDREN_SEARCH,
        Permission.CONCERNS_RECORD,
        # The hub's API (api/children.py): an agency's case system finds, records and reads what the
        # agency's users could; safeguarding.visibility narrows it the same way (a token holds no roles).
        Permission.CHILDREN_RECORD,
        Permission.CHRONOLOGY_READ,
        Permission.RISK_SCREEN,
        # Facts an agency's system holds first and sends on (api/care.py, api/support.py): a home's system
        # reports a missing child and the return and keeps the Philomena profile; the MASH's system records
        # the return home interview (with its named interviewer) and reads its triage queue; a school's
        # system sends its concern to the MASH and records a child's request for help; a court or support
        # provider's dates and items reach the plan. Grading, deciding and closing stay with people.
        Permission.MISSING_RECORD,
        Permission.INTERVIEWS_RECORD,
        Permission.PHILOMENA_KEEP,
        Permission.CONTACTS_REFER,
        Permission.TRIAGE_READ,
        Permission.HELP_RECORD,
        Permission.HELP_ANSWER,
        Permission.SUPPORT_KEEP,
        # A MASH's own alerts (api/alerts.py); see TOKEN_GRANTABLE_ONLY_TO.
        Permission.ALERTS_READ,
    }
)

# Grantable permissions that only some kinds of agency may give a token, although other agencies' users hold
# them. Alerts are addressed to a MASH as an agency, or to a lead professional as a named person (checked
# when read: still the lead?): only a MASH has alerts of its own for its system to read.
TOKEN_GRANTABLE_ONLY_TO: dict[Permission, frozenset[AgencyType]] = {
    Permission.ALERTS_READ: frozenset({AgencyType.CHILDRENS_SOCIAL_CARE}),
}

_EVERYONE = {Permission.ACCOUNT_SELF, Permission.AGENCIES_READ}
# Every agency that records about children: find or create a child, record concerns, read the chronology
# (which safeguarding.visibility narrows to what the agency may see).
_RECORDS_ABOUT_CHILDREN = {
    Permission.CHILDREN_SEARCH,
    Permission.CHILDREN_RECORD,
    Permission.CONCERNS_RECORD,
    Permission.CHRONOLOGY_READ,
    Permission.MISSING_RECORD,
    Permission.CONTACTS_REFER,
    Permission.HELP_RECORD,
    Permission.HELP_ANSWER,
    Permission.SUPPORT_KEEP,
    # Any of their users may be a child's lead professional, to whom the child's alerts are addressed.
    Permission.ALERTS_READ,
}
# The MASH also keeps a child's status, flags and lead professional, screens for risk, triages contacts,
# records return home interviews and may keep a looked-after child's Philomena profile.
_MASH = _RECORDS_ABOUT_CHILDREN | {
    Permission.CHILDREN_MANAGE,
    Permission.RISK_SCREEN,
    Permission.VEHICLE_LOOKUP,
    Permission.INTERVIEWS_RECORD,
    Permission.PHILOMENA_KEEP,
    Permission.TRIAGE_READ,
    Permission.TRIAGE_DECIDE,
    Permission.TRANSPORT_ARRANGE,
    Permission.NETWORK_READ,
}
# Schools and children's homes check the cars that collect children at their gate, and record the transport
# carers arranged.
_GATE = {Permission.GATE_CHECK, Permission.TRANSPORT_ARRANGE}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.LICENSING_OFFICER: frozenset(
        _EVERYONE | {Permission.REGISTER_SEARCH, Permission.REGISTER_RECORD, Permission.VEHICLE_LOOKUP}
    ),
    Role.LICENSING_MANAGER: frozenset(
        _EVERYONE | {Permission.REGISTER_SEARCH, Permission.REGISTER_RECORD, Permission.VEHICLE_LOOKUP}
    ),
    Role.MASH_PRACTITIONER: frozenset(_EVERYONE | _MASH),
    Role.MASH_MANAGER: frozenset(
        _EVERYONE | _MASH | {Permission.HELP_ESCALATIONS, Permission.SUPPORT_REVIEW}
    ),
    Role.POLICE_ANALYST: frozenset(
        _EVERYONE
        | _RECORDS_ABOUT_CHILDREN
        | {Permission.REGISTER_SEARCH, Permission.VEHICLE_LOOKUP, Permission.NETWORK_READ}
    ),
    Role.SCHOOL_DSL: frozenset(_EVERYONE | _RECORDS_ABOUT_CHILDREN | _GATE),
    # Carers of looked-after children keep the child's Philomena profile.
    Role.HOME_MANAGER: frozenset(_EVERYONE | _RECORDS_ABOUT_CHILDREN | _GATE | {Permission.PHILOMENA_KEEP}),
    Role.HEALTH_PRACTITIONER: frozenset(_EVERYONE | _RECORDS_ABOUT_CHILDREN),
    Role.AUDITOR: frozenset(_EVERYONE | {Permission.AUDIT_READ, Permission.AUDIT_EXPORT}),
    Role.ADMIN: frozenset(
        _EVERYONE
        | {
            Permission.AGENCIES_MANAGE,
            Permission.USERS_MANAGE,
            Permission.TOKENS_MANAGE,
            Permission.CATEGORIES_MANAGE,
            Permission.ALERT_RULES_MANAGE,
        }
    ),
}

# Which roles a user of each kind of agency may hold (a school user is never a police analyst).
ROLES_BY_AGENCY_TYPE: dict[AgencyType, frozenset[Role]] = {
    AgencyType.LICENSING_AUTHORITY: frozenset(
        {Role.LICENSING_OFFICER, Role.LICENSING_MANAGER, Role.AUDITOR, Role.ADMIN}
    ),
    AgencyType.POLICE_FORCE: frozenset({Role.POLICE_ANALYST, Role.AUDITOR, Role.ADMIN}),
    AgencyType.CHILDRENS_SOCIAL_CARE: frozenset(
        {Role.MASH_PRACTITIONER, Role.MASH_MANAGER, Role.AUDITOR, Role.ADMIN}
    ),
    AgencyType.SCHOOL: frozenset({Role.SCHOOL_DSL, Role.ADMIN}),
    AgencyType.CHILDRENS_HOME: frozenset({Role.HOME_MANAGER, Role.ADMIN}),
    AgencyType.HEALTH: frozenset({Role.HEALTH_PRACTITIONER, Role.AUDITOR, Role.ADMIN}),
    AgencyType.NATIONAL_ADMIN: frozenset({Role.AUDITOR, Role.ADMIN}),
}


def permissions_for(roles: set[Role] | frozenset[Role], agency_type: AgencyType) -> frozenset[Permission]:
    """The permissions a user holds: those of their roles, less national ones outside the national admin."""
    granted: set[Permission] = set()
    for role in roles:
        if role in ROLES_BY_AGENCY_TYPE[agency_type]:
            granted |= ROLE_PERMISSIONS[role]
    if agency_type is not AgencyType.NATIONAL_ADMIN:
        granted -= NATIONAL_ONLY
    return frozenset(granted)


def requires_two_factor(roles: set[Role] | frozenset[Role]) -> bool:
    return any(ROLE_PERMISSIONS[role] & SEARCHES_PERSONAL_DATA for role in roles)


def token_grantable_for(agency_type: AgencyType) -> frozenset[Permission]:
    """What a token of this agency may be given: what its users could hold, and only API-safe permissions."""
    roles = ROLES_BY_AGENCY_TYPE[agency_type]
    held = permissions_for(frozenset(roles), agency_type) & TOKEN_GRANTABLE
    return frozenset(p for p in held if agency_type in TOKEN_GRANTABLE_ONLY_TO.get(p, {agency_type}))
