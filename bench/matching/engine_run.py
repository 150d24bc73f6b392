"""The engine alone: build its index from the register's records, then screen every applicant with
``engine.find``, one transaction per query as a service would."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from bench.matching import system
from bench.matching.data import Workload, person_of, register_batches
from bench.matching.metrics import Latency, Ranked
from openmash.db.session import transaction
from openmash.matching import engine, index
from openmash.matching.model import load_model
from openmash.matching.record import MatchRecord
from openmash.register.person_index import DOMAIN

Echo = Callable[[str], None]
BATCH = 10_000
WARM_UP = 200  # queries run first and not counted: imports, statement caches, the model file


@dataclass
class Build:
    records: int = 0
    seconds: float = 0.0  # index_records and the commits, batch by batch (records made outside the clock)
    analyse_seconds: float = 0.0
    resident_before_mb: float = 0.0  # the process before the build: the generated register lives in it
    peak_mb: float = 0.0  # the process's peak resident memory during the build
    peak_exact: bool = True  # False when the peak could not be reset (then it is since the process started)
    settings: str = ""

    @property
    def extra_mb(self) -> float:
        """What the build added at its peak to what the process already held."""
        return max(self.peak_mb - self.resident_before_mb, 0.0)


@dataclass
class EngineRun:
    database: str
    build: Build
    latency: Latency = field(default_factory=Latency)
    ranked: list[Ranked] = field(default_factory=list)


def build_index(sessions: sessionmaker[Session], workload: Workload, echo: Echo) -> Build:
    """``index.build`` over the register in batches of 10,000 records, one transaction, as
    ``openmash matching rebuild`` writes it."""
    result = Build()
    gc.collect()
    result.resident_before_mb = system.resident_mb()
    result.peak_exact = system.reset_peak()
    gc.freeze()  # the register generated in memory lives on: spare the collector walking it

    def progress(done: int) -> None:
        result.records += done
        if result.records % 200_000 < done:
            echo(f"    indexed {result.records:,} records in {time.perf_counter() - started:.0f} s")

    started = time.perf_counter()
    try:
        with transaction(sessions) as session:
            index.build(session, DOMAIN, register_batches(workload, BATCH), progress)
    finally:
        gc.unfreeze()
    result.seconds = time.perf_counter() - started
    result.peak_mb = system.peak_mb()
    started = time.perf_counter()
    system.vacuum_analyse(sessions)
    result.analyse_seconds = time.perf_counter() - started
    result.settings = system.server_settings(sessions)
    return result


def ranked(matches: list[engine.Match]) -> Ranked:
    return Ranked(tuple(person_of(m.record_id) for m in matches), tuple(m.scored.band for m in matches))


def screen(
    sessions: sessionmaker[Session], queries: list[MatchRecord], echo: Echo
) -> tuple[Latency, list[Ranked]]:
    """Each query in a transaction of its own; the time is the whole transaction (begin, find, commit)."""
    model = load_model()
    for query in queries[:WARM_UP]:
        with transaction(sessions) as session:
            engine.find(session, DOMAIN, query, model=model)
    latency = Latency()
    answers: list[Ranked] = []
    for i, query in enumerate(queries, start=1):
        started = time.perf_counter()
        with transaction(sessions) as session:
            found = engine.find(session, DOMAIN, query, model=model)
        latency.add((time.perf_counter() - started) * 1000)
        answers.append(ranked(found))
        if i % 5000 == 0:
            echo(f"    screened {i:,} of {len(queries):,} (p95 so far {latency.p(95):.1f} ms)")
    return latency, answers


def run(sessions: sessionmaker[Session], workload: Workload, echo: Echo) -> EngineRun:
    name = sessions.kw["bind"].dialect.name
    echo(f"  {name}: building the engine's index of {workload.records:,} records")
    built = build_index(sessions, workload, echo)
    echo(
        f"  {name}: index built in {built.seconds:.1f} s (+{built.analyse_seconds:.1f} s analyse), "
        f"peak {built.peak_mb:,.0f} MB resident ({built.extra_mb:,.0f} MB over the generated register)"
    )
    echo(f"  {name}: screening {len(workload.queries):,} applicants with engine.find")
    latency, answers = screen(sessions, workload.queries, echo)
    return EngineRun(name, built, latency, answers)
