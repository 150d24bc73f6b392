"""The planted cases of issue 8 that the alerts and the network show, written through the real services as
the demo users (``demo.seed``) over the demo register (``demo.register``), then evaluated by the alert rules
so the alerts exist as soon as the demo is loaded:

- **signs spread thinly**: a child about whom the school, a health service and police each recorded one
  low-level concern within a month. No agency saw more than its own fragment; the "repeated low-level
  concerns from different agencies" alert puts the three together for the MASH.
- **three children, one car**: the demo register's planted vehicle (KX19 TXA) picked up three children: a
  school saw one child collected in it, police saw another get into it, and the children's home checked it
  at its gate when it came for a third (carers use another firm, so the home was told it was not the
  transport they arranged). Police hold a safeguarding concern in the register about one of
  the car's licensed drivers. The MASH gets the network alert naming the three children, the vehicle and its
  drivers, and the gate alert for a car tied to a flagged driver; the home was told only that the car is
  licensed and that carers did not arrange it.
- **support lapsing after court** (``demo.support``): a verdict ten weeks ago, the only support item paused
  by its owner, who was refused closing it inside the 12 weeks and asked for a MASH manager's review
  (pending); the "gap in support" alert fires.

Synthetic people only (Faker en_GB, fixed seed). Loading again changes nothing: each child is found by name
and date of birth before being made, the driver concern is looked for before being recorded, and the alert
engine never raises the same facts twice. Must run after ``seed.load`` and ``register.load``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from faker import Faker
from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash import alerts
from openmash.audit.service import NO_CONTEXT
from openmash.db.base import utcnow
from openmash.demo.register import PLANTED_VEHICLE
from openmash.demo.seed import demo_email
from openmash.demo.support import plant_lapsing
from openmash.identity import agencies, users
from openmash.identity.principal import Principal, principal_for_user
from openmash.register import concerns as driver_concerns
from openmash.register import vehicle_drivers
from openmash.register.models import DriverConcern, Person
from openmash.register.workdays import UK
from openmash.safeguarding import categories, children, concerns, gate, transport
from openmash.safeguarding.concerns import ConcernInput
from openmash.safeguarding.gate import GateCheckInput
from openmash.safeguarding.models import Child
from openmash.safeguarding.transport import TransportInput

SEED = 20261201
MASH = "BUCKS-MASH"
ARRANGED_OPERATOR = "Vale Private Hire (demo)"
PLANTED_DRIVER_SURNAME = "Khan"  # demo.register's planted driver, licensed with the planted vehicle
DRIVER_CONCERN = (
    "Demo: seen several times with girls of school age in the car late at night near the retail park; "
    "intelligence shared by police"
)


@dataclass(frozen=True)
class Planted:
    """What was planted: the children of each case, the vehicle and the driver (for the test and the note)."""

    spread: Child
    linked: tuple[Child, Child, Child]
    vehicle: str
    driver: Person | None
    lapsing: Child


def _who(session: Session, local: str) -> Principal:
    user = users.find_by_email(session, demo_email(local))
    assert user is not None, f"demo user {local} missing: load the demo users first"
    return principal_for_user(user)


def _child(session: Session, by: str, surname: str, forenames: str, born: date) -> tuple[Child, bool]:
    """The child, found by name and date of birth, or made by this demo user (confirming none proposed is
    them, as a practitioner would after checking)."""
    found = session.scalars(
        select(Child).where(
            Child.surname == surname, Child.forenames == forenames, Child.date_of_birth == born
        )
    ).first()
    if found is not None:
        return found, False
    details = children.read_child_details(
        surname=surname, forenames=forenames, date_of_birth=born, today=utcnow().date(), identifiers={}
    )
    made = children.create_child(session, _who(session, by), details, none_of_these=True, context=NO_CONTEXT)
    return made, True


def _concern(
    session: Session,
    by: str,
    child: Child,
    category: str,
    occurred_at: datetime,
    summary: str,
    now: datetime,
    **extra: object,
) -> None:
    data = ConcernInput(category_code=category, occurred_at=occurred_at, summary=summary, **extra)  # type: ignore[arg-type]
    concerns.record_concern(session, _who(session, by), child.id, data, NO_CONTEXT, now=now)


def _spread(session: Session, names: tuple[str, str], now: datetime) -> Child:
    """Three low-level concerns from three agencies within 30 days."""
    child, new = _child(session, "school.dsl", *names, date(2012, 2, 9))
    if new:
        _concern(
            session,
            "school.dsl",
            child,
            "school_absence_or_exclusion",
            now - timedelta(days=21, hours=5),
            "Demo: missed three afternoons this fortnight; says she was at a friend's",
            now,
        )
        _concern(
            session,
            "health.practitioner",
            child,
            "drugs_or_alcohol",
            now - timedelta(days=13, hours=2),
            "Demo: brought to the walk-in centre drunk at 23:00 by an older girl, who left before we asked",
            now,
        )
        _concern(
            session,
            "police.analyst",
            child,
            "staying_out_late",
            now - timedelta(days=4, hours=6),
            "Demo: found by a patrol in the town centre at 01:30 and taken home",
            now,
            childs_words="I was just with my mates, nobody's done anything",
        )
    return child


def _flag_driver(session: Session, now: datetime) -> Person | None:
    """Police's safeguarding concern in the register about the planted vehicle's driver (once)."""
    licensing = vehicle_drivers.licensing_of(session, PLANTED_VEHICLE, now.astimezone(UK).date())
    people = [session.get(Person, pid) for pid in licensing.person_ids]
    driver = next((p for p in people if p is not None and p.surname == PLANTED_DRIVER_SURNAME), None)
    if driver is None:
        return None
    held = session.scalar(
        select(DriverConcern.id).where(
            DriverConcern.person_id == driver.id, DriverConcern.summary == DRIVER_CONCERN
        )
    )
    if held is None:
        driver_concerns.record_concern(
            session,
            _who(session, "police.analyst"),
            driver.id,
            kind="intelligence",
            safeguarding=True,
            occurred_on=(now - timedelta(days=30)).astimezone(UK).date(),
            summary=DRIVER_CONCERN,
            context=NO_CONTEXT,
            today=now.astimezone(UK).date(),
        )
    return driver


def _linked(session: Session, names: list[tuple[str, str]], now: datetime) -> tuple[Child, Child, Child]:
    """Three children picked up by the planted vehicle: a school's concern, police's concern, and the home's
    gate check naming the third child."""
    mark = f"{PLANTED_VEHICLE[:4]} {PLANTED_VEHICLE[4:]}"
    first, new = _child(session, "school.dsl", *names[0], date(2011, 9, 23))
    if new:
        _concern(
            session,
            "school.dsl",
            first,
            "picked_up_by_taxi_or_car",
            now - timedelta(days=18, hours=1),
            "Demo: collected at the school gate by a silver private hire car; carers did not book it",
            now,
            vehicle_registration=mark,
            vehicle_description="Silver Toyota Prius, private hire plate",
            shared_with_police=True,
        )
    second, new = _child(session, "police.analyst", *names[1], date(2010, 12, 4))
    if new:
        _concern(
            session,
            "police.analyst",
            second,
            "cars_with_unknown_adults",
            now - timedelta(days=11, hours=4),
            "Demo: seen getting into a silver Prius outside the bus station at 21:50, a man in his forties",
            now,
            vehicle_registration=mark,
            vehicle_description="Silver Toyota Prius",
        )
    third, new = _child(session, "home.manager", *names[2], date(2011, 3, 30))
    if new:
        home = agencies.find_by_code(session, MASH)
        checked_at = now - timedelta(days=2, hours=3)
        # Carers use one taxi firm for her: the car at the gate is not theirs.
        transport.record_arrangement(
            session,
            _who(session, "home.manager"),
            third.id,
            TransportInput(
                valid_from=now - timedelta(days=60),
                operator_name=ARRANGED_OPERATOR,
                note="Demo: school runs, booked by the home",
            ),
            NO_CONTEXT,
            now=now - timedelta(days=60),
        )
        answer = gate.check_vehicle(
            session,
            _who(session, "home.manager"),
            GateCheckInput(
                registration=mark,
                child_id=third.id,
                mash_agency_id=home.id if home else None,
                vehicle_description="Silver Prius waiting at the gate at 16:10",
            ),
            NO_CONTEXT,
            now=checked_at,
        )
        alerts.evaluate_sighting(session, answer.sighting_id, checked_at)
    return first, second, third


def plant(session: Session, now: datetime | None = None) -> Planted:
    """Plant both cases (once) and evaluate the alert rules on them."""
    now = now or utcnow()
    categories.seed_default_categories(session)
    alerts.seed_default_rules(session)
    faker = Faker("en_GB")
    faker.seed_instance(SEED)
    names = [(faker.last_name(), faker.first_name_female()) for _ in range(5)]
    driver = _flag_driver(session, now)
    spread = _spread(session, names[0], now)
    linked = _linked(session, names[1:4], now)
    lapsing = plant_lapsing(
        session, _who, *_child(session, "mash.practitioner", *names[4], date(2010, 7, 3)), now
    )
    for child in (spread, *linked, lapsing):
        alerts.evaluate_child(session, child.id, now)
    alerts.run_scheduled(session, now)
    return Planted(spread=spread, linked=linked, vehicle=PLANTED_VEHICLE, driver=driver, lapsing=lapsing)


def _name(child: Child) -> str:
    return f"{child.forenames} {child.surname}"


def load(session: Session) -> str:
    """Plant the cases (once) and say what to look at."""
    found = plant(session)
    driver = (
        f"{found.driver.forenames} {found.driver.surname}"
        if found.driver
        else "none (load the demo register first)"
    )
    first, second, third = found.linked
    return (
        "Planted cases for alerts and the network (mash.practitioner: Alerts, /alerts):\n"
        f"  - {_name(found.spread)}: low-level concerns in a month from the school, health and police;\n"
        '    alert "Repeated low-level concerns from different agencies" lists the three fragments\n'
        f"  - {_name(first)}, {_name(second)} and {_name(third)}: picked up by {found.vehicle}, whose driver "
        f"{driver}\n"
        "    has a safeguarding concern in the register; the home checked the car at its gate (sign in as\n"
        "    home.manager: a gate check says only 'licensed; not what carers arranged'). The alerts name\n"
        f"    the children and the vehicle; /network/vehicles/{found.vehicle} shows the drivers behind it\n"
        f"  - {_name(found.lapsing)}: a verdict ten weeks ago and her ISVA, the only support, paused by its\n"
        "    owner, who was refused closing it inside the 12 weeks; a MASH manager's review is pending\n"
        f'    (sign in as mash.manager: /children/{found.lapsing.id}/support); the alert "A child has no\n'
        '    support open in the weeks after a verdict" names the verdict and the paused item\n'
    )
