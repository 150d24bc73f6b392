"""Two simple baselines on the same applicants: a brute-force RapidFuzz scan of the whole register held in
memory, and PostgreSQL's pg_trgm with a GIN trigram index. Neither has bands: they are judged on top-k recall
and latency.

Brute force: ``rapidfuzz.process.extract`` of "forenames surname" against every name the register holds
(main names and previous names), scorer ``fuzz.token_sort_ratio`` (word order free, so swapped names still
score), cut off at 60; then each hit's score plus 25 for the same date of birth, or 10 for a near one (day and
month swapped, or one of day, month or year different), and plus 100 for the same licence or NI number
(looked up in a dict, as an index would). Only the scan and the ranking are timed: the list is built once.

pg_trgm: one table of every name of every record with the date of birth and identifiers, a GIN trigram
index on the full name and B-tree indexes on the identifiers, in the engine's own PostgreSQL database. A
query takes the names whose similarity passes ``pg_trgm.similarity_threshold`` (``%``, the GIN index) and the
records holding the applicant's licence or NI number, and ranks them by similarity plus 0.5 for the same date
of birth, 0.2 for a near one, and 1 for an identifier: the same evidence the brute force uses.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz, process
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bench.matching.data import Workload, person_of, typed_identifiers
from bench.matching.metrics import Latency, Ranked
from openmash.demo.population import SyntheticApplicant
from openmash.matching.normalise import fold

Echo = Callable[[str], None]
TOP = 10
TRGM_THRESHOLD = 0.3  # pg_trgm's default


@dataclass
class BaselineRun:
    name: str
    database: str = ""
    latency: Latency = field(default_factory=Latency)
    ranked: list[Ranked] = field(default_factory=list)
    applicants: list[SyntheticApplicant] = field(default_factory=list)
    note: str = ""


def sample(workload: Workload, count: int, seed: int = 13) -> list[SyntheticApplicant]:
    """The same random sample of applicants for every baseline at a size."""
    rng = random.Random(seed)  # noqa: S311 - a benchmark sample
    return rng.sample(workload.applicants, min(count, len(workload.applicants)))


def _near(a: date, b: date) -> bool:
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return True
    return sum((a.day == b.day, a.month == b.month, a.year == b.year)) == 2


def _full(surname: str, forenames: str) -> str:
    return fold(f"{forenames} {surname}")


def brute_force(workload: Workload, applicants: Sequence[SyntheticApplicant], echo: Echo) -> BaselineRun:
    result = BaselineRun("brute-force RapidFuzz")
    names: list[str] = []
    owner: list[int] = []  # name -> record
    record_person: list[str] = []
    born: list[date] = []
    by_identifier: dict[str, list[int]] = {}
    for record_id, person in workload.register():
        r = len(record_person)
        record_person.append(person_of(record_id))
        born.append(person.date_of_birth)
        for surname, forenames in person.names:
            names.append(_full(surname, forenames))
            owner.append(r)
        for value in (person.driving_licence_number, person.ni_number):
            if value:
                by_identifier.setdefault(value, []).append(r)
    echo(f"  brute force: {len(names):,} names in memory; scanning for {len(applicants):,} applicants")
    for applicant in applicants:
        started = time.perf_counter()
        scores: dict[int, float] = {}
        for surname, forenames in applicant.names:
            for _, score, i in process.extract(
                _full(surname, forenames), names, scorer=fuzz.token_sort_ratio, score_cutoff=60, limit=None
            ):
                r = owner[i]
                scores[r] = max(scores.get(r, 0.0), score)
        for value in typed_identifiers(applicant).values():
            for r in by_identifier.get(value, ()):
                scores[r] = scores.get(r, 0.0) + 100
        if applicant.date_of_birth is not None:
            for r in scores:
                if born[r] == applicant.date_of_birth:
                    scores[r] += 25
                elif _near(born[r], applicant.date_of_birth):
                    scores[r] += 10
        best = sorted(scores, key=lambda r: -scores[r])[:TOP]
        result.latency.add((time.perf_counter() - started) * 1000)
        result.ranked.append(Ranked(tuple(record_person[r] for r in best), (None,) * len(best)))
        result.applicants.append(applicant)
    return result


_TRGM_QUERY = text(
    """
    WITH hits AS (
        SELECT record_id, date_of_birth, similarity(full_name, :name) AS s, 0.0 AS id_bonus
        FROM bench_trgm_names WHERE full_name % :name
        UNION ALL
        SELECT record_id, date_of_birth, 0.0, 1.0 FROM bench_trgm_names
        WHERE (CAST(:dln AS text) IS NOT NULL AND driving_licence_number = :dln)
           OR (CAST(:ni AS text) IS NOT NULL AND ni_number = :ni)
    )
    SELECT record_id,
           max(s) + max(id_bonus)
           + CASE WHEN CAST(:born AS date) IS NULL THEN 0
                  WHEN min(date_of_birth) = CAST(:born AS date) THEN 0.5
                  WHEN (extract(day FROM min(date_of_birth)) = extract(day FROM CAST(:born AS date)))::int
                     + (extract(month FROM min(date_of_birth))
                        = extract(month FROM CAST(:born AS date)))::int
                     + (extract(year FROM min(date_of_birth)) = extract(year FROM CAST(:born AS date)))::int
                     = 2
                  THEN 0.2
                  WHEN extract(year FROM min(date_of_birth)) = extract(year FROM CAST(:born AS date))
                   AND extract(day FROM min(date_of_birth)) = extract(month FROM CAST(:born AS date))
                   AND extract(month FROM min(date_of_birth)) = extract(day FROM CAST(:born AS date))
                  THEN 0.2 ELSE 0 END AS score
    FROM hits GROUP BY record_id ORDER BY score DESC, record_id LIMIT :top
    """
)


def build_trgm(sessions: sessionmaker[Session], workload: Workload, echo: Echo) -> float:
    """The trigram table and its indexes; returns the seconds it took."""
    started = time.perf_counter()
    with sessions() as session:
        session.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        session.execute(
            text(
                "CREATE TABLE bench_trgm_names (record_id text NOT NULL, full_name text NOT NULL, "
                "date_of_birth date, driving_licence_number text, ni_number text)"
            )
        )
        rows: list[dict[str, object]] = []
        for record_id, person in workload.register():
            for surname, forenames in person.names:
                rows.append(
                    {
                        "r": record_id,
                        "n": _full(surname, forenames),
                        "d": person.date_of_birth,
                        "l": person.driving_licence_number,
                        "i": person.ni_number,
                    }
                )
            if len(rows) >= 10_000:
                session.execute(text("INSERT INTO bench_trgm_names VALUES (:r, :n, :d, :l, :i)"), rows)
                rows = []
        if rows:
            session.execute(text("INSERT INTO bench_trgm_names VALUES (:r, :n, :d, :l, :i)"), rows)
        session.execute(
            text("CREATE INDEX bench_trgm_full_name ON bench_trgm_names USING gin (full_name gin_trgm_ops)")
        )
        session.execute(text("CREATE INDEX bench_trgm_dln ON bench_trgm_names (driving_licence_number)"))
        session.execute(text("CREATE INDEX bench_trgm_ni ON bench_trgm_names (ni_number)"))
        session.commit()
    engine = sessions.kw["bind"]
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE bench_trgm_names"))
    seconds = time.perf_counter() - started
    echo(f"  pg_trgm: table and GIN index built in {seconds:.0f} s")
    return seconds


def pg_trgm(
    sessions: sessionmaker[Session],
    workload: Workload,
    applicants: Sequence[SyntheticApplicant],
    echo: Echo,
    threshold: float = TRGM_THRESHOLD,
) -> BaselineRun:
    build_seconds = build_trgm(sessions, workload, echo)
    result = BaselineRun(f"pg_trgm (threshold {threshold})", "postgresql")
    result.note = f"table and GIN index built in {build_seconds:.0f} s"
    for applicant in applicants:
        identifiers = typed_identifiers(applicant)
        started = time.perf_counter()
        with sessions() as session:
            session.execute(text(f"SET pg_trgm.similarity_threshold = {float(threshold)}"))
            best: dict[str, float] = {}
            for surname, forenames in applicant.names:
                for record_id, score in session.execute(
                    _TRGM_QUERY,
                    {
                        "name": _full(surname, forenames),
                        "born": applicant.date_of_birth,
                        "dln": identifiers.get("driving_licence_number"),
                        "ni": identifiers.get("ni_number"),
                        "top": TOP,
                    },
                ):
                    best[record_id] = max(best.get(record_id, 0.0), float(score))
            session.commit()
        top = sorted(best, key=lambda r: (-best[r], r))[:TOP]
        result.latency.add((time.perf_counter() - started) * 1000)
        result.ranked.append(Ranked(tuple(person_of(r) for r in top), (None,) * len(top)))
        result.applicants.append(applicant)
    return result
