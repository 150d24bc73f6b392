"""Building agencies, users and tokens for tests through the real services (synthetic data only)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from faker import Faker
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.service import SYSTEM
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.identity import agencies, twofactor, users
from openmash.identity.models import Agency, User
from openmash.identity.permissions import ROLES_BY_AGENCY_TYPE, AgencyType, Role

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)
_faker = Faker("en_GB")
_faker.seed_instance(4242)

CODES = {
    AgencyType.LICENSING_AUTHORITY: "E06{:06d}",
    AgencyType.POLICE_FORCE: "POLICE-{}",
    AgencyType.CHILDRENS_SOCIAL_CARE: "MASH-{}",
    AgencyType.SCHOOL: "SCHOOL-{}",
    AgencyType.CHILDRENS_HOME: "HOME-{}",
    AgencyType.HEALTH: "HEALTH-{}",
    AgencyType.NATIONAL_ADMIN: "NATIONAL-{}",
}


def agency_type_for(role: Role) -> AgencyType:
    """The natural home of a role (admins and auditors default to a licensing authority)."""
    for agency_type in (
        AgencyType.LICENSING_AUTHORITY,
        AgencyType.POLICE_FORCE,
        AgencyType.CHILDRENS_SOCIAL_CARE,
        AgencyType.SCHOOL,
        AgencyType.CHILDRENS_HOME,
        AgencyType.HEALTH,
    ):
        if role in ROLES_BY_AGENCY_TYPE[agency_type]:
            return agency_type
    return AgencyType.NATIONAL_ADMIN


@dataclass
class UserLogin:
    id: object
    email: str
    password: str
    totp_secret: str | None
    agency_id: object
    agency_code: str


def make_agency(session: Session, agency_type: AgencyType, name: str | None = None) -> Agency:
    n = next(_counter)
    return agencies.create_agency(
        session, SYSTEM, agency_type.value, CODES[agency_type].format(n), name or f"{_faker.city()} {n}"
    )


def make_user(
    sessions: sessionmaker[Session],
    settings: Settings,
    roles: list[Role],
    *,
    agency: Agency | None = None,
    agency_type: AgencyType | None = None,
    agency_id: object | None = None,
    enrolled: bool = True,
) -> UserLogin:
    """A user with these roles, in a new agency unless one is given; enrolled in two-factor unless asked
    otherwise (the secret is returned)."""
    with transaction(sessions) as session:
        if agency_id is not None:
            agency = session.get(Agency, agency_id)
            assert agency is not None
        elif agency is None:
            agency = make_agency(session, agency_type or agency_type_for(roles[0]))
        else:
            agency = session.merge(agency)
        n = next(_counter)
        user: User = users.create_user(
            session,
            settings,
            SYSTEM,
            agency_id=agency.id,
            email=f"user{n}@example.invalid",
            full_name=_faker.name(),
            password=PASSWORD,
            roles=[r.value for r in roles],
        )
        secret = None
        if enrolled:
            secret = twofactor.new_secret()
            user.totp_secret = secret
        return UserLogin(user.id, user.email, PASSWORD, secret, agency.id, agency.code)
