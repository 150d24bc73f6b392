"""The matching benchmark (issue 7): the engine on generated registers with ground truth, the full screening
through the service, FEBRL4, and baselines in the same process; results added to bench/results/matching.md.

    python -m bench.matching.bench_matching --people 200000 --febrl            # what `make bench` runs
    python -m bench.matching.bench_matching --people 1000000 --people 2000000 \\
        --databases sqlite --baselines none               # the issue's sizes, engine only

PostgreSQL: OPENMASH_BENCH_DATABASE_URL, else OPENMASH_TEST_DATABASE_URL, else
postgresql://postgres@127.0.0.1:5432/test; each run creates databases of its own there and drops them.
Needs the bench extra for Splink and FEBRL (`pip install -e '.[bench]' -c constraints.txt -c
constraints-bench.txt`). ``quick()`` runs everything small in seconds, for a smoke test.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bench.matching import baselines, engine_run, febrl, report, service, system
from bench.matching.data import Workload, carries_correct_identifier, make_workload
from bench.matching.metrics import Quality, quality
from bench.matching.report import Results, Row
from openmash.demo.population import SyntheticApplicant

RESULTS = Path(__file__).resolve().parent.parent / "results" / "matching.md"
BASELINES = ("brute", "trgm", "splink")
Echo = Callable[[str], None]


@dataclass
class Options:
    people: list[int] = field(default_factory=lambda: [200_000])
    applicants: int = 10_000  # registered applicants, typed with errors
    strangers: int = 10_000
    databases: tuple[str, ...] = ("sqlite", "postgresql")
    baselines: tuple[str, ...] = BASELINES
    baseline_sample: int = 2_000  # applicants the brute force and pg_trgm screen
    splink_sample: int = 200  # applicants Splink screens (a query takes a few hundred ms)
    baseline_max_people: int = 200_000  # no baseline above this size
    service_applicants: int = 2_000
    service_max_people: int = 200_000  # no service run above this size (writing the register tables)
    febrl: bool = False
    seed: int = 7


def _score(workload: Workload, applicants: Sequence[SyntheticApplicant], ranked: Sequence[object]) -> Quality:
    carries = [carries_correct_identifier(workload, a) for a in applicants]
    return quality(applicants, carries, ranked)  # type: ignore[arg-type]


def run_size(options: Options, people: int, results: Results, echo: Echo) -> None:
    echo(
        f"Generating {people:,} people, {options.applicants:,} applicants and {options.strangers:,} strangers"
    )
    workload = make_workload(people, options.applicants, options.strangers, options.seed)
    echo(
        f"  generated {workload.records:,} records and {len(workload.applicants):,} applicants "
        f"in {workload.generate_seconds:.0f} s"
    )
    with_baselines = people <= options.baseline_max_people
    chosen = baselines.sample(workload, options.baseline_sample)
    for database in options.databases:
        if database == "postgresql" and not system.answers(system.postgres_server()):
            results.notes.append(f"PostgreSQL does not answer at {system.postgres_server()}: skipped")
            continue
        with system.database(database) as sessions:
            run = engine_run.run(sessions, workload, echo)
            q = _score(workload, workload.applicants, run.ranked)
            results.engine_quality[(people, database)] = q
            results.rows.append(
                Row(
                    "openmash engine",
                    database,
                    people,
                    workload.records,
                    q,
                    run.latency,
                    build_seconds=run.build.seconds,
                    analyse_seconds=run.build.analyse_seconds,
                    peak_mb=run.build.peak_mb,
                    extra_mb=run.build.extra_mb,
                )
            )
            if run.build.settings:
                results.notes.append(f"PostgreSQL settings (defaults, untuned): {run.build.settings}")
            if database == "postgresql" and "trgm" in options.baselines and with_baselines:
                trgm = baselines.pg_trgm(sessions, workload, chosen, echo)
                results.rows.append(
                    Row(
                        trgm.name,
                        database,
                        people,
                        workload.records,
                        _score(workload, trgm.applicants, trgm.ranked),
                        trgm.latency,
                        banded=False,
                        note=trgm.note,
                    )
                )
        if people <= options.service_max_people and options.service_applicants:
            with system.database(database) as sessions:
                served = service.run(sessions, workload, options.service_applicants, echo)
            results.rows.append(
                Row(
                    "openmash service",
                    database,
                    people,
                    workload.records,
                    _score(workload, served.applicants, served.ranked),
                    served.latency,
                    note=f"register written in {served.write_seconds:.0f} s, person_index.rebuild "
                    f"{served.rebuild_seconds:.0f} s; {served.refused_fields} applicants had a field the "
                    "form refuses (left out)",
                )
            )
        elif options.service_applicants:
            results.notes.append(
                f"Service screening skipped at {people:,} on {database} (above --service-max-people "
                f"{options.service_max_people:,}: writing the register tables takes long)"
            )
        gc.collect()
    if with_baselines and "brute" in options.baselines:
        brute = baselines.brute_force(workload, chosen, echo)
        results.rows.append(
            Row(
                brute.name,
                "memory",
                people,
                workload.records,
                _score(workload, brute.applicants, brute.ranked),
                brute.latency,
                banded=False,
            )
        )
    if with_baselines and "splink" in options.baselines:
        from bench.matching import splink_baseline

        sample = chosen[: options.splink_sample]
        splunk = splink_baseline.splink(workload, sample, echo)
        results.rows.append(
            Row(
                splunk.name,
                "duckdb",
                people,
                workload.records,
                _score(workload, splunk.applicants, splunk.ranked),
                splunk.latency,
                banded=False,
                note=splunk.note,
            )
        )
    if not with_baselines and options.baselines:
        results.notes.append(
            f"Baselines skipped at {people:,} (above --baseline-max-people {options.baseline_max_people:,})"
        )


def engine_fingerprint() -> str:
    """The model measured and a digest of the engine's code, tables and model files, so that a result can be
    traced to the engine that gave it (the engine changes between runs)."""
    import hashlib

    import openmash.matching
    from openmash.matching.model import load_model

    root = Path(openmash.matching.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".json", ".csv")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return f"engine: model {load_model().label}, openmash/matching sha256 {digest.hexdigest()[:12]}"


def run(options: Options, echo: Echo = print) -> Results:
    results = Results()
    results.notes.append(engine_fingerprint())
    results.notes.append(
        f"{options.applicants:,} registered applicants and {options.strangers:,} strangers per size; "
        f"baselines on a sample of {options.baseline_sample:,} (Splink {options.splink_sample:,}); "
        f"service on {options.service_applicants:,}"
    )
    for people in options.people:
        run_size(options, people, results, echo)
        gc.collect()
    if options.febrl:
        results.febrl = febrl.run(echo, splink="splink" in options.baselines, ecm=True)
    return results


def quick(people: int = 2_000, echo: Echo = lambda _: None) -> Results:
    """Everything at a small size on SQLite, brute-force baseline only, no FEBRL: a few seconds."""
    options = Options(
        people=[people],
        applicants=300,
        strangers=100,
        databases=("sqlite",),
        baselines=("brute",),
        baseline_sample=100,
        service_applicants=100,
    )
    return run(options, echo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, action="append", help="register size; repeat for several")
    parser.add_argument("--applicants", type=int, default=10_000, help="registered applicants (10,000)")
    parser.add_argument("--strangers", type=int, default=10_000, help="strangers (10,000)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite,postgresql")
    parser.add_argument("--baselines", default=",".join(BASELINES), help="brute,trgm,splink or none")
    parser.add_argument("--baseline-sample", type=int, default=2_000)
    parser.add_argument("--splink-sample", type=int, default=200)
    parser.add_argument("--baseline-max-people", type=int, default=200_000)
    parser.add_argument("--service-applicants", type=int, default=2_000)
    parser.add_argument("--service-max-people", type=int, default=200_000)
    parser.add_argument("--febrl", action="store_true", help="also link FEBRL4 (needs the bench extra)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"results file ({RESULTS})")
    parser.add_argument("--no-results", action="store_true", help="print only, write no results file")
    args = parser.parse_args(argv)
    chosen = tuple(b for b in args.baselines.split(",") if b and b != "none")
    unknown = set(chosen) - set(BASELINES)
    if unknown:
        parser.error(f"unknown baselines: {', '.join(sorted(unknown))}")
    options = Options(
        people=args.people or [200_000],
        applicants=args.applicants,
        strangers=args.strangers,
        databases=tuple(d for d in args.databases.split(",") if d),
        baselines=chosen,
        baseline_sample=args.baseline_sample,
        splink_sample=args.splink_sample,
        baseline_max_people=args.baseline_max_people,
        service_applicants=args.service_applicants,
        service_max_people=args.service_max_people,
        febrl=args.febrl,
        seed=args.seed,
    )

    def echo(line: str) -> None:
        print(line, flush=True)

    results = run(options, echo)
    text = report.render(results, date.today(), options.people)
    print(text, flush=True)
    if not args.no_results:
        report.append(args.results, text)
        echo(f"Results added to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
