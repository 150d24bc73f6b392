"""The register's benchmark (issue 3, "Speed"): build a synthetic register of N people with the demo generator
(several licence events each) through the real import, then screen applicants made from it, and in the same
run time a naive baseline on the same applicants.

Applicants: four in five are registered people as an officer might type them (exact, a typo in the surname
or the forenames, day and month of birth swapped, a day of birth one out; sometimes with the driving licence
number, NI number or postcode); one in five are strangers. No nicknames: name variants are the matching
issue's job. The baseline compares each applicant's name with every person on the register with RapidFuzz
(in C, over a list held in memory, so only the comparing is timed) and adds the date of birth.

Each run uses a database of its own (a fresh SQLite file, or a new PostgreSQL database dropped afterwards),
never the one the service uses.
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import string
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from faker import Faker
from rapidfuzz import fuzz, process
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.service import NO_CONTEXT, SYSTEM
from openmash.db import migrate
from openmash.db.session import make_engine, make_session_factory, normalise_url, transaction
from openmash.demo.register import AUTHORITIES, generate_batches
from openmash.identity import agencies
from openmash.identity.permissions import AgencyType
from openmash.register import imports, screening
from openmash.register.licence_csv import LicenceRow
from openmash.register.models import Person
from openmash.register.screening import Applicant

SEED = 25
BATCH = 100_000  # people generated and imported at a time (one file per authority per batch)
SAMPLE_PER_BATCH = 400  # registered people kept per batch to make applicants from
Echo = Callable[[str], None]
Identity = tuple[str, str, date]  # surname, forenames, date of birth: one driver however many records


@dataclass
class Report:
    backend: str
    people: int
    rows: int = 0
    import_seconds: float = 0.0
    generate_seconds: float = 0.0
    screen_ms: list[float] = field(default_factory=list)
    baseline_ms: list[float] = field(default_factory=list)
    found: int = 0  # registered applicants whose person was among the candidates
    baseline_found: int = 0
    registered: int = 0
    baseline_registered: int = 0
    strangers_flagged: int = 0  # strangers given a probable or certain candidate
    strangers: int = 0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.import_seconds if self.import_seconds else 0.0

    def describe(self) -> str:
        s50, s95 = percentiles(self.screen_ms)
        b50, b95 = percentiles(self.baseline_ms)
        return (
            f"{self.backend}: {self.people:,} people, {self.rows:,} rows imported "
            f"in {self.import_seconds:.1f} s "
            f"= {self.rows_per_second:,.0f} rows/s (generating them took {self.generate_seconds:.1f} s)\n"
            f"  screening {len(self.screen_ms)} applicants: p50 {s50:.1f} ms, p95 {s95:.1f} ms; "
            f"found {self.found}/{self.registered} registered; "
            f"{self.strangers_flagged}/{self.strangers} strangers given a probable or certain candidate\n"
            f"  naive baseline ({len(self.baseline_ms)} applicants): p50 {b50:.1f} ms, p95 {b95:.1f} ms; "
            f"found {self.baseline_found}/{self.baseline_registered}; "
            f"baseline p95 / screening p95 = {ratio(b95, s95)}"
        )


def percentiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return (values[0], values[0]) if values else (0.0, 0.0)
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94]


def ratio(baseline: float, engine: float) -> str:
    """How many times the baseline's time the engine's is (above 1: the engine is faster)."""
    if not engine:
        return "n/a"
    value = baseline / engine
    return f"{value:.0f}×" if value >= 10 else f"{value:.1f}×" if value >= 1 else f"{value:.2f}×"


def build(sessions: sessionmaker[Session], people: int, echo: Echo) -> tuple[Report, list[LicenceRow]]:
    """Import a register of ``people`` drivers; returns the timings and a sample of the rows imported."""
    report = Report(backend=sessions.kw["bind"].dialect.name, people=people)
    rng = random.Random(SEED)  # noqa: S311 - reproducible synthetic data, not secrets
    with transaction(sessions) as session:
        by_code = {
            code: agencies.create_agency(session, SYSTEM, AgencyType.LICENSING_AUTHORITY.value, code, name).id
            for code, name, _ in AUTHORITIES
        }
    sample: list[LicenceRow] = []
    batches = generate_batches(people, BATCH)
    done = 0
    while True:
        started = time.perf_counter()
        files = next(batches, None)
        report.generate_seconds += time.perf_counter() - started
        if files is None:
            break
        gc.freeze()  # the batch's rows live through its imports: spare the collector walking them
        started = time.perf_counter()
        for code, rows in files.items():
            with transaction(sessions) as session:
                authority = agencies.get_agency(session, by_code[code])
                imports.import_licences(session, authority, rows, SYSTEM, NO_CONTEXT, file_name=f"{code}.csv")
            report.rows += len(rows)
        report.import_seconds += time.perf_counter() - started
        gc.unfreeze()
        everyone = [row for rows in files.values() for row in rows]
        sample += rng.sample(everyone, min(SAMPLE_PER_BATCH, len(everyone)))
        done = min(done + BATCH, people)
        rate = f"{report.rows_per_second:,.0f} rows/s"
        echo(f"  {report.backend}: {done:,} of {people:,} people imported ({rate})")
    return report, sample


def _typo(rng: random.Random, word: str) -> str:
    """One keying error: a letter changed, dropped, doubled or two letters swapped."""
    if len(word) < 3:
        return word + rng.choice(string.ascii_lowercase)
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def _variant_dob(rng: random.Random, born: date) -> date:
    if rng.random() < 0.5 and born.day <= 12 and born.day != born.month:
        return date(born.year, born.day, born.month)  # day and month swapped
    return born + timedelta(days=rng.choice((-1, 1)))


def make_applicants(sample: list[LicenceRow], count: int) -> list[tuple[Applicant, Identity | None]]:
    """``count`` applicants, each with the identity of the registered driver it stands for (None for a
    stranger)."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible synthetic data, not secrets
    fake = Faker("en_GB")
    fake.seed_instance(SEED)
    applicants: list[tuple[Applicant, Identity | None]] = []
    for _ in range(count):
        if rng.random() < 0.2 or not sample:
            born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 52))
            names = [(fake.last_name(), fake.first_name_male())]
            applicants.append((Applicant(names=names, date_of_birth=born), None))
            continue
        row = rng.choice(sample)
        assert row.date_of_birth is not None
        surname, forenames, born = row.surname, row.forenames, row.date_of_birth
        change = rng.randrange(5)
        if change == 1:
            surname = _typo(rng, surname)
        elif change == 2:
            forenames = _typo(rng, forenames)
        elif change >= 3:
            born = _variant_dob(rng, born)
        applicant = Applicant(
            names=[(surname, forenames)],
            date_of_birth=born,
            driving_licence_number=row.driving_licence_number if rng.random() < 0.3 else None,
            ni_number=row.ni_number if rng.random() < 0.2 else None,
            postcode=row.postcode if rng.random() < 0.3 else None,
        )
        applicants.append((applicant, (row.surname, row.forenames, row.date_of_birth)))
    return applicants


def time_screening(
    sessions: sessionmaker[Session], applicants: list[tuple[Applicant, Identity | None]], report: Report
) -> None:
    """``screening.screen`` for each applicant in a session of its own, as a page or the API would."""
    for applicant, identity in applicants:
        with transaction(sessions) as session:
            started = time.perf_counter()
            candidates = screening.screen(session, applicant)
            report.screen_ms.append((time.perf_counter() - started) * 1000)
            held = {(c.person.surname, c.person.forenames, c.person.date_of_birth) for c in candidates}
        if identity is None:
            report.strangers += 1
            report.strangers_flagged += any(c.band != screening.POSSIBLE for c in candidates)
        else:
            report.registered += 1
            report.found += identity in held


def time_baseline(
    sessions: sessionmaker[Session], applicants: list[tuple[Applicant, Identity | None]], report: Report
) -> None:
    """Brute force: every person's name against the applicant's with RapidFuzz, then the date of birth."""
    with transaction(sessions) as session:
        everyone = session.execute(select(Person.surname, Person.forenames, Person.date_of_birth)).all()
    names = [f"{forenames} {surname}".lower() for surname, forenames, _ in everyone]
    for applicant, identity in applicants:
        started = time.perf_counter()
        surname, forenames = applicant.names[0]
        scores = process.extract(
            f"{forenames} {surname}".lower(), names, scorer=fuzz.ratio, score_cutoff=80, limit=None
        )
        ranked = sorted(
            ((score + (20 if everyone[i][2] == applicant.date_of_birth else 0), i) for _, score, i in scores),
            reverse=True,
        )[: screening.MAX_CANDIDATES]
        report.baseline_ms.append((time.perf_counter() - started) * 1000)
        if identity is not None:
            report.baseline_registered += 1
            report.baseline_found += any(tuple(everyone[i]) == identity for _, i in ranked)


def run(
    sessions: sessionmaker[Session], people: int, applicants: int, baseline_applicants: int, echo: Echo
) -> Report:
    report, sample = build(sessions, people, echo)
    chosen = make_applicants(sample, applicants)
    echo(f"  {report.backend}: screening {len(chosen)} applicants")
    time_screening(sessions, chosen, report)
    echo(f"  {report.backend}: naive baseline on {min(baseline_applicants, len(chosen))} of them")
    time_baseline(sessions, chosen[:baseline_applicants], report)
    return report


@contextmanager
def sqlite_database(directory: Path | None = None) -> Iterator[sessionmaker[Session]]:
    """A migrated SQLite file of its own, deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="openmash-bench-", dir=directory) as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'register.db'}")
        try:
            migrate.upgrade(engine)
            yield make_session_factory(engine)
        finally:
            engine.dispose()


@contextmanager
def postgres_database(server_url: str) -> Iterator[sessionmaker[Session]]:
    """A migrated PostgreSQL database of its own on that server, dropped afterwards."""
    server_url = normalise_url(server_url)
    name = f"openmash_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(server_url).set(database=name).render_as_string(hide_password=False))
    try:
        migrate.upgrade(engine)
        yield make_session_factory(engine)
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def results_row(report: Report, day: date) -> str:
    s50, s95 = percentiles(report.screen_ms)
    b50, b95 = percentiles(report.baseline_ms)
    return (
        f"| {day.isoformat()} | {os.cpu_count()} | {report.backend} | {report.people:,} | {report.rows:,} "
        f"| {report.rows_per_second:,.0f} | {s50:.1f} | {s95:.1f} | {b50:.1f} | {b95:.1f} "
        f"| {ratio(b95, s95)} "
        f"| {report.found}/{report.registered} | {report.baseline_found}/{report.baseline_registered} "
        f"| {report.strangers_flagged}/{report.strangers} |"
    )


RESULTS_HEADER = (
    "| date | cores | database | people | rows | import rows/s | screen p50 ms | screen p95 ms "
    "| baseline p50 ms | baseline p95 ms | baseline p95 ÷ screen p95 | found | baseline found "
    "| strangers flagged |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
)


def append_results(path: Path, reports: list[Report], day: date) -> None:
    """Add one table row per run to the results file (written with its header the first time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text("# Register benchmark\n\n" + RESULTS_HEADER, encoding="utf-8")
    with path.open("a", encoding="utf-8") as out:
        for report in reports:
            out.write(results_row(report, day) + "\n")
