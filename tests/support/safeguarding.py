"""Building children and concerns for tests through the hub's services (synthetic children only)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from faker import Faker
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.identity.permissions import Role
from openmash.identity.principal import Principal
from openmash.safeguarding import categories, children, concerns
from openmash.safeguarding.concerns import ConcernInput
from openmash.safeguarding.models import Child, Concern
from tests.support.factories import UserLogin, make_user
from tests.support.register import principal_for

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TODAY = NOW.date()

_faker = Faker("en_GB")
_faker.seed_instance(8008)


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@dataclass
class Cast:
    """One user in each kind of agency that records about children."""

    school: UserLogin
    home: UserLogin
    police: UserLogin
    mash: UserLogin
    health: UserLogin
    licensing: UserLogin


def make_cast(sessions: sessionmaker[Session], settings: Settings) -> Cast:
    with transaction(sessions) as session:
        categories.seed_default_categories(session)
    return Cast(
        school=make_user(sessions, settings, [Role.SCHOOL_DSL]),
        home=make_user(sessions, settings, [Role.HOME_MANAGER]),
        police=make_user(sessions, settings, [Role.POLICE_ANALYST]),
        mash=make_user(sessions, settings, [Role.MASH_PRACTITIONER]),
        health=make_user(sessions, settings, [Role.HEALTH_PRACTITIONER]),
        licensing=make_user(sessions, settings, [Role.LICENSING_OFFICER]),
    )


def who(session: Session, login: UserLogin) -> Principal:
    return principal_for(session, login)


def make_child(
    session: Session,
    principal: Principal,
    *,
    surname: str | None = None,
    forenames: str | None = None,
    date_of_birth: date | None = date(2011, 5, 14),
    identifiers: dict[str, str] | None = None,
    learning_disability: bool = False,
) -> Child:
    """A child created through search-or-create (confirming that no proposed child is this one)."""
    details = children.read_child_details(
        surname=surname or _faker.last_name(),
        forenames=forenames or _faker.first_name(),
        date_of_birth=date_of_birth,
        today=TODAY,
        identifiers=identifiers or {},
        learning_disability=learning_disability,
    )
    return children.create_child(session, principal, details, none_of_these=True, context=NO_CONTEXT)


def record(
    session: Session,
    principal: Principal,
    child_id: uuid.UUID,
    category: str = "going_missing",
    occurred_at: datetime | None = None,
    **kw: object,
) -> Concern:
    values: dict[str, object] = {"summary": f"Synthetic concern: {_faker.sentence()}"}
    values.update(kw)
    data = ConcernInput(category_code=category, occurred_at=occurred_at or at(2026, 3, 1), **values)  # type: ignore[arg-type]
    return concerns.record_concern(session, principal, child_id, data, NO_CONTEXT, now=NOW)
