"""Demo agencies and one user per role, created once (loading again changes nothing).

Demo users have two-factor set up with secrets derived from a fixed seed, so that ``openmash demo code``
can stand in for the phone app. Nothing here may run in production (the CLI refuses).
"""

from __future__ import annotations

import hashlib
import random
from base64 import b32encode
from dataclasses import dataclass

from faker import Faker
from sqlalchemy.orm import Session

from openmash.audit.service import Actor
from openmash.config import Settings
from openmash.db.base import utcnow
from openmash.identity import agencies, twofactor, users
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType, Role

SEED = 20261124
DEMO_PASSWORD = "demo-password-2026"
DEMO_DOMAIN = "demo.openmash.invalid"
DEMO_ACTOR = Actor(label="demo-loader")

# Real licensing authority names and GSS codes (public bodies); every person is generated.
AGENCIES: list[tuple[AgencyType, str, str]] = [
    (AgencyType.NATIONAL_ADMIN, "NATIONAL", "openmash national administrator"),
    (AgencyType.LICENSING_AUTHORITY, "E06000060", "Buckinghamshire Council"),
    (AgencyType.LICENSING_AUTHORITY, "E08000031", "City of Wolverhampton Council"),
    (AgencyType.POLICE_FORCE, "THAMES-VALLEY-POLICE", "Thames Valley Police"),
    (AgencyType.CHILDRENS_SOCIAL_CARE, "BUCKS-MASH", "Buckinghamshire MASH"),
    (AgencyType.SCHOOL, "DEMO-SCHOOL-1", "Chiltern Vale Academy (demo)"),
    (AgencyType.CHILDRENS_HOME, "DEMO-HOME-1", "Larkfield House children's home (demo)"),
    (AgencyType.HEALTH, "DEMO-HEALTH-1", "Aylesbury Vale sexual health service (demo)"),
]

USERS: list[tuple[str, Role, str]] = [
    ("admin", Role.ADMIN, "NATIONAL"),
    ("auditor", Role.AUDITOR, "NATIONAL"),
    ("licensing.officer", Role.LICENSING_OFFICER, "E06000060"),
    ("licensing.manager", Role.LICENSING_MANAGER, "E06000060"),
    ("wolverhampton.officer", Role.LICENSING_OFFICER, "E08000031"),
    ("bucks.admin", Role.ADMIN, "E06000060"),
    ("police.analyst", Role.POLICE_ANALYST, "THAMES-VALLEY-POLICE"),
    ("mash.practitioner", Role.MASH_PRACTITIONER, "BUCKS-MASH"),
    ("mash.manager", Role.MASH_MANAGER, "BUCKS-MASH"),
    ("school.dsl", Role.SCHOOL_DSL, "DEMO-SCHOOL-1"),
    ("home.manager", Role.HOME_MANAGER, "DEMO-HOME-1"),
    ("health.practitioner", Role.HEALTH_PRACTITIONER, "DEMO-HEALTH-1"),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: Role
    agency: str
    totp_secret: str


def demo_email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def demo_totp_secret(email: str) -> str:
    digest = hashlib.sha256(f"{SEED}:{email}".encode()).digest()
    return b32encode(digest[:20]).decode("ascii")


def load(session: Session, settings: Settings) -> list[DemoLogin]:
    faker = Faker("en_GB")
    faker.seed_instance(SEED)
    random.seed(SEED)
    by_code: dict[str, Agency] = {}
    for agency_type, code, name in AGENCIES:
        found = agencies.find_by_code(session, code)
        if found is None:
            found = agencies.create_agency(session, DEMO_ACTOR, agency_type.value, code, name)
        by_code[code] = found
    logins = []
    for local, role, code in USERS:
        email = demo_email(local)
        full_name = faker.name()
        secret = demo_totp_secret(email)
        if users.find_by_email(session, email) is None:
            user = users.create_user(
                session,
                settings,
                DEMO_ACTOR,
                agency_id=by_code[code].id,
                email=email,
                full_name=full_name,
                password=DEMO_PASSWORD,
                roles=[role.value],
            )
            user.totp_secret = secret
            user.totp_enrolled_at = utcnow()
        logins.append(DemoLogin(email=email, role=role, agency=by_code[code].name, totp_secret=secret))
    return logins


def current_code(session: Session, email: str) -> str | None:
    user = users.find_by_email(session, email)
    if user is None or not user.email.endswith("@" + DEMO_DOMAIN) or not user.totp_secret:
        return None
    return twofactor.current_code(user.totp_secret, utcnow())


def describe(logins: list[DemoLogin]) -> str:
    lines = [
        "",
        "openmash demo: sign in at http://127.0.0.1:8000/sign-in",
        f"Every demo user's password is: {DEMO_PASSWORD}",
        "Two-factor codes: add the user's key below to an authenticator app, or in another terminal run",
        "  .venv/bin/openmash demo code EMAIL",
        "",
        f"{'email':48} {'role':22} {'agency':45} two-factor key",
    ]
    lines += [f"{x.email:48} {x.role.value:22} {x.agency:45} {x.totp_secret}" for x in logins]
    return "\n".join(lines) + "\n"
