"""A synthetic national register for the demo: licensed drivers across 30 authorities, with realistic DVLA
numbers and plates, written through the real import service, and planted cases a user can find.

Everything is generated (Faker en_GB and name lists, fixed seed); the authorities are real public bodies.
Planted cases:
- Mohammed Khan, born 7 March 1984: licence revoked by Wolverhampton for a safeguarding reason, who also
  holds a licence in Birmingham. Screen "Muhammad Kahn", born 3 July 1984, to find both.
- The vehicle KX19 TXA, licensed to drivers in Buckinghamshire and in Wolverhampton.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openmash.audit.service import NO_CONTEXT, Actor
from openmash.identity import agencies
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType
from openmash.register import imports
from openmash.register.identifiers import make_driving_licence_number
from openmash.register.licence_csv import EventKind, LicenceRow, LicenceType, ReasonCategory
from openmash.register.models import Licence

PLANTED_CASES = """Planted cases in the demo register (sign in as licensing.officer@demo.openmash.invalid):
  - Screen an applicant "Muhammad Kahn", born 3 July 1984: he matches Mohammed Khan, whose licence
    Wolverhampton revoked for a safeguarding reason, and who holds a licence in Birmingham.
  - Look up the vehicle KX19 TXA: it is licensed to drivers in Buckinghamshire and Wolverhampton.
"""
SEED = 20170410  # the day the serious case review was reported
TODAY = date(2026, 11, 1)
PLANTED_VEHICLE = "KX19TXA"

# (GSS code, name, relative number of drivers). Wolverhampton licenses far more drivers than it houses.
AUTHORITIES: list[tuple[str, str, int]] = [
    ("E06000060", "Buckinghamshire Council", 6),
    ("E08000031", "City of Wolverhampton Council", 30),
    ("E06000042", "Milton Keynes City Council", 4),
    ("E06000038", "Reading Borough Council", 3),
    ("E06000039", "Slough Borough Council", 3),
    ("E06000040", "Royal Borough of Windsor and Maidenhead", 2),
    ("E06000041", "Wokingham Borough Council", 1),
    ("E06000037", "West Berkshire Council", 1),
    ("E06000036", "Bracknell Forest Council", 1),
    ("E06000032", "Luton Borough Council", 4),
    ("E06000055", "Bedford Borough Council", 2),
    ("E06000056", "Central Bedfordshire Council", 2),
    ("E07000177", "Cherwell District Council", 1),
    ("E07000178", "Oxford City Council", 3),
    ("E07000179", "South Oxfordshire District Council", 1),
    ("E07000180", "Vale of White Horse District Council", 1),
    ("E07000181", "West Oxfordshire District Council", 1),
    ("E08000025", "Birmingham City Council", 8),
    ("E08000026", "Coventry City Council", 3),
    ("E08000027", "Dudley Metropolitan Borough Council", 2),
    ("E08000028", "Sandwell Metropolitan Borough Council", 3),
    ("E08000029", "Solihull Metropolitan Borough Council", 1),
    ("E08000030", "Walsall Council", 2),
    ("E08000035", "Leeds City Council", 5),
    ("E08000036", "Wakefield Council", 2),
    ("E08000032", "City of Bradford Metropolitan District Council", 4),
    ("E08000033", "Calderdale Council", 1),
    ("E08000034", "Kirklees Council", 2),
    ("E08000018", "Rotherham Metropolitan Borough Council", 2),
    ("E12000007", "Transport for London", 12),
]

# Names from communities of England, beside Faker's, so the register looks like the trade it records.
SURNAMES = [
    "Khan",
    "Hussain",
    "Ahmed",
    "Ali",
    "Iqbal",
    "Mahmood",
    "Akhtar",
    "Rashid",
    "Shah",
    "Begum",
    "Patel",
    "Singh",
    "Kaur",
    "Sharma",
    "Kowalski",
    "Nowak",
    "Wiśniewski",
    "Yılmaz",
    "Demir",
    "Öztürk",
    "Mohamed",
    "Abdi",
    "Osman",
    "Okafor",
    "Adeyemi",
    "Mensah",
    "Nguyen",
    "Popescu",
    "Ionescu",
    "Rahman",
    "Uddin",
]
FORENAMES = [
    "Mohammed",
    "Muhammad",
    "Abdul",
    "Imran",
    "Tariq",
    "Asif",
    "Zahid",
    "Shahid",
    "Amjad",
    "Nadeem",
    "Rajesh",
    "Sanjay",
    "Gurpreet",
    "Harjit",
    "Piotr",
    "Tomasz",
    "Krzysztof",
    "Mehmet",
    "Hüseyin",
    "Ahmet",
    "Abdirahman",
    "Yusuf",
    "Chinedu",
    "Kwame",
    "Adrian",
    "Ion",
    "Abdur Rahman",
    "Bilal",
    "Kamran",
    "Faisal",
]
LETTERS = "ABCDEFGHJKLMNOPRSTUVWXYZ"


@dataclass
class Driver:
    surname: str
    forenames: str
    born: date
    female: bool
    dln: str
    ni: str | None
    postcode: str
    address: str


def _plate(rng: random.Random) -> str:
    age = rng.choice([15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74])
    return (
        rng.choice(LETTERS)
        + rng.choice(LETTERS)
        + f"{age:02d}"
        + "".join(rng.choice(LETTERS) for _ in range(3))
    )


def _ni(rng: random.Random) -> str:
    first = rng.choice("ABCEGHJKLMNOPRSTWXYZ")
    second = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    if first + second in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ", "OO", "CR", "FY", "MW", "NC"}:
        first, second = "A", "B"
    return f"{first}{second}{rng.randrange(10**6):06d}{rng.choice('ABCD')}"


def _driver(fake: Faker, rng: random.Random) -> Driver:
    female = rng.random() < 0.04
    if rng.random() < 0.45 and not female:
        surname, forenames = rng.choice(SURNAMES), rng.choice(FORENAMES)
    else:
        surname = fake.last_name()
        forenames = fake.first_name_female() if female else fake.first_name_male()
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 52))
    tail = f"{rng.randrange(10)}{rng.choice(LETTERS)}{rng.choice(LETTERS)}"
    return Driver(
        surname,
        forenames,
        born,
        female,
        make_driving_licence_number(surname, forenames, born, female=female, tail=tail),
        _ni(rng) if rng.random() < 0.8 else None,
        fake.postcode(),
        fake.street_address(),
    )


def _row(d: Driver, ref: str, kind: LicenceType, event: EventKind, day: date, **extra: object) -> LicenceRow:
    return LicenceRow(
        line=0,
        authority_licence_ref=ref,
        licence_type=kind,
        event=event,
        event_date=day,
        reason_category=extra.pop("reason", None),  # type: ignore[arg-type]
        surname=d.surname,
        forenames=d.forenames,
        date_of_birth=d.born,
        driving_licence_number=d.dln,
        ni_number=d.ni,
        postcode=d.postcode,
        address=d.address,
        sex="F" if d.female else "M",
        **extra,  # type: ignore[arg-type]
    )


def _history(d: Driver, ref: str, rng: random.Random, plate: str | None) -> list[LicenceRow]:
    """A licence's life: application, grant, renewals every three years, and sometimes an ending."""
    kind = rng.choices(list(LicenceType), weights=[9, 69, 20, 2])[0]
    start = TODAY - timedelta(days=rng.randrange(30, 365 * 9))
    rows = [_row(d, ref, kind, EventKind.APPLIED, start)]
    if rng.random() < 0.03:
        reason = rng.choice(list(ReasonCategory))
        return [*rows, _row(d, ref, kind, EventKind.REFUSED, start + timedelta(days=40), reason=reason)]
    day = start + timedelta(days=rng.randrange(20, 90))
    vehicle = {"vehicle_registration": plate, "authority_plate_number": f"{ref[-5:]}"} if plate else {}
    rows.append(_row(d, ref, kind, EventKind.GRANTED, day, **vehicle))
    while day + timedelta(days=3 * 365) < TODAY:
        day += timedelta(days=3 * 365)
        rows.append(_row(d, ref, kind, EventKind.RENEWED, day))
    ending = rng.random()
    later = min(TODAY, day + timedelta(days=rng.randrange(30, 900)))
    if ending < 0.01:
        rows.append(_row(d, ref, kind, EventKind.REVOKED, later, reason=rng.choice(list(ReasonCategory))))
    elif ending < 0.03:
        rows.append(_row(d, ref, kind, EventKind.SUSPENDED, later, reason=rng.choice(list(ReasonCategory))))
    elif ending < 0.06:
        rows.append(_row(d, ref, kind, EventKind.SURRENDERED, later))
    return rows


def generate(drivers: int) -> dict[str, list[LicenceRow]]:
    """Rows per authority code, the same for the same number every time."""
    files: dict[str, list[LicenceRow]] = {code: [] for code, _, _ in AUTHORITIES}
    for batch in generate_batches(drivers, batch=max(drivers, 1)):
        for code, rows in batch.items():
            files[code] += rows
    _plant(files)
    return files


def generate_batches(drivers: int, batch: int = 100_000) -> Iterator[dict[str, list[LicenceRow]]]:
    """The rows of `generate`, without the planted cases, ``batch`` drivers at a time: a register of millions
    (the benchmark's) need not be held in memory at once."""
    fake = Faker("en_GB")
    fake.seed_instance(SEED)
    rng = random.Random(SEED)  # noqa: S311 - reproducible synthetic data, not secrets
    codes = [a[0] for a in AUTHORITIES]
    weights = [a[2] for a in AUTHORITIES]
    for start in range(0, drivers, batch):
        files: dict[str, list[LicenceRow]] = {code: [] for code in codes}
        for n in range(start, min(start + batch, drivers)):
            d = _driver(fake, rng)
            plate = _plate(rng) if rng.random() < 0.7 else None
            held = rng.choices(codes, weights=weights, k=2 if rng.random() < 0.05 else 1)
            for code in dict.fromkeys(held):
                files[code] += _history(d, f"{code[-4:]}-{n:07d}", rng, plate)
        yield files


def _plant(files: dict[str, list[LicenceRow]]) -> None:
    khan = Driver(
        "Khan",
        "Mohammed",
        date(1984, 3, 7),
        False,
        make_driving_licence_number("Khan", "Mohammed", date(1984, 3, 7), female=False, tail="9KH"),
        "JH441207B",
        "WV10 0QP",
        "12 Demo Street, Wolverhampton",
    )
    files["E08000031"] += [
        _row(khan, "WV-PLANT-1", LicenceType.PRIVATE_HIRE_DRIVER, EventKind.GRANTED, date(2019, 6, 3)),
        _row(
            khan,
            "WV-PLANT-1",
            LicenceType.PRIVATE_HIRE_DRIVER,
            EventKind.REVOKED,
            date(2024, 9, 12),
            reason=ReasonCategory.SEXUAL_OFFENCE_OR_SAFEGUARDING,
            note="Demo: see the planted case in the README",
        ),
    ]
    files["E08000025"] += [
        _row(
            khan,
            "BM-PLANT-2",
            LicenceType.PRIVATE_HIRE_DRIVER,
            EventKind.GRANTED,
            date(2025, 2, 20),
            vehicle_registration=PLANTED_VEHICLE,
            authority_plate_number="BM-7781",
        ),
    ]
    other = Driver(
        "Pearce",
        "Gavin",
        date(1971, 10, 30),
        False,
        make_driving_licence_number("Pearce", "Gavin", date(1971, 10, 30), female=False, tail="2GP"),
        None,
        "HP20 1AA",
        "3 Demo Close, Aylesbury",
    )
    files["E06000060"] += [
        _row(
            other,
            "BK-PLANT-3",
            LicenceType.PRIVATE_HIRE_DRIVER,
            EventKind.GRANTED,
            date(2023, 4, 4),
            vehicle_registration=PLANTED_VEHICLE,
            authority_plate_number="BK-0042",
        ),
    ]
    files["E08000031"] += [
        _row(
            other,
            "WV-PLANT-4",
            LicenceType.PRIVATE_HIRE_DRIVER,
            EventKind.GRANTED,
            date(2024, 1, 8),
            vehicle_registration=PLANTED_VEHICLE,
            authority_plate_number="WV-5519",
        ),
    ]


def load(session: Session, actor: Actor, drivers: int, progress: Callable[[int], None] | None = None) -> int:
    """Create the authorities and import their files; does nothing if the register already holds licences."""
    if session.scalar(select(func.count()).select_from(Licence)):
        return 0
    by_code: dict[str, Agency] = {}
    for code, name, _ in AUTHORITIES:
        by_code[code] = agencies.find_by_code(session, code) or agencies.create_agency(
            session, actor, AgencyType.LICENSING_AUTHORITY.value, code, name
        )
    total = 0
    files = generate(drivers)
    gc.freeze()  # the rows live until the end: spare the garbage collector walking them again and again
    try:
        for code, rows in files.items():
            summary = imports.import_licences(
                session,
                by_code[code],
                rows,
                actor,
                context=NO_CONTEXT,
                file_name=f"demo-{code}.csv",
                progress=progress,
            )
            total += summary.rows
    finally:
        gc.unfreeze()
    return total
