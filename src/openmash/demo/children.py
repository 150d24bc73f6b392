"""The hub's demo: the taxonomy of concerns, and two synthetic children with concerns from several agencies,
so that the children's pages have something to show after ``make demo``. Written through the real services
as the demo users; loading again changes nothing. (A larger planted demo comes with the rest of issue 8.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from faker import Faker
from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.audit.service import NO_CONTEXT
from openmash.db.base import utcnow
from openmash.demo import care
from openmash.demo.seed import demo_email
from openmash.identity import agencies, users
from openmash.identity.principal import Principal, principal_for_user
from openmash.safeguarding import categories, children, concerns, status
from openmash.safeguarding.concerns import ConcernInput
from openmash.safeguarding.models import Child

SEED = 20260308


@dataclass(frozen=True)
class Entry:
    by: str  # demo user, by the local part of the e-mail address
    category: str
    days_ago: int
    summary: str
    childs_words: str | None = None
    vehicle_registration: str | None = None
    vehicle_description: str | None = None
    shared_with_police: bool = False


def _who(session: Session, local: str) -> Principal:
    user = users.find_by_email(session, demo_email(local))
    assert user is not None, f"demo user {local} missing: load the demo users first"
    return principal_for_user(user)


def _child(
    session: Session, by: str, surname: str, forenames: str, born: date, identifiers: dict[str, str]
) -> tuple[Child, bool]:
    found = session.scalars(
        select(Child).where(
            Child.surname == surname, Child.forenames == forenames, Child.date_of_birth == born
        )
    ).first()
    if found is not None:
        return found, False
    details = children.read_child_details(
        surname=surname,
        forenames=forenames,
        date_of_birth=born,
        today=utcnow().date(),
        identifiers=identifiers,
    )
    made = children.create_child(session, _who(session, by), details, none_of_these=True, context=NO_CONTEXT)
    return made, True


def _record(session: Session, child: Child, entries: list[Entry], now: datetime) -> None:
    for e in entries:
        data = ConcernInput(
            category_code=e.category,
            occurred_at=now - timedelta(days=e.days_ago, hours=3),
            summary=e.summary,
            childs_words=e.childs_words,
            vehicle_registration=e.vehicle_registration,
            vehicle_description=e.vehicle_description,
            shared_with_police=e.shared_with_police,
        )
        concerns.record_concern(session, _who(session, e.by), child.id, data, NO_CONTEXT, now=now)


def load(session: Session) -> str:
    """Seed the taxonomy and the demo children (once); returns a note on what to look at."""
    categories.seed_default_categories(session)
    faker = Faker("en_GB")
    faker.seed_instance(SEED)
    now = utcnow()
    first = (faker.last_name_female(), faker.first_name_female())
    second = (faker.last_name_female(), faker.first_name_female())
    spread, new = _child(session, "school.dsl", *first, date(2012, 6, 17), {"upn": "A123456789012"})
    if new:
        _record(
            session,
            spread,
            [
                Entry("school.dsl", "school_absence_or_exclusion", 40, "Absent four Mondays running"),
                Entry(
                    "health.practitioner", "sexually_transmitted_infection", 25, "Attended the clinic alone"
                ),
                Entry(
                    "police.analyst",
                    "cars_with_unknown_adults",
                    9,
                    "Seen getting into a silver car near the retail park at 22:40",
                    vehicle_registration="KX19 TXA",
                    vehicle_description="Silver Toyota Prius",
                ),
                Entry(
                    "school.dsl",
                    "unexplained_money_or_gifts",
                    3,
                    "New phone and trainers",
                    "he's just a friend",
                ),
            ],
            now,
        )
    looked_after, new = _child(session, "mash.practitioner", *second, date(2010, 11, 2), {})
    if new:
        home = agencies.find_by_code(session, "DEMO-HOME-1")
        status.set_status(
            session,
            _who(session, "mash.manager"),
            looked_after.id,
            status.ChildStatus(looked_after=True, placement_agency_id=home.id if home else None),
            NO_CONTEXT,
        )
        _record(
            session,
            looked_after,
            [
                Entry(
                    "home.manager",
                    "going_missing",
                    6,
                    "Did not return to the home; found by police at 02:10",
                    "I was at a party, they gave me a lift",
                    shared_with_police=True,
                ),
                Entry("mash.practitioner", "general_welfare", 5, "Return interview offered"),
            ],
            now,
        )
    planted = care.load(session, spread, looked_after, now)
    return (
        "Demo children (sign in as mash.practitioner, school.dsl, police.analyst or home.manager, then\n"
        "open Children and search for them):\n"
        f"  - {first[1]} {first[0]}, born 17 June 2012: signs spread across school, health and police\n"
        f"  - {second[1]} {second[0]}, born 2 November 2010: looked after at Larkfield House, went missing\n"
        + planted
    )
