"""Import a synthetic register of N people, then screen 1,000 applicants against it, against a naive baseline
in the same run; on SQLite, and on PostgreSQL when a server answers. Results go to bench/results/register.md.

    python -m bench.register.bench_import_and_screen --people 200000
    python -m bench.register.bench_import_and_screen --people 1000000   # the issue's size: about 25 minutes

PostgreSQL: OPENMASH_BENCH_DATABASE_URL, else OPENMASH_TEST_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/test;
the run creates a database of its own on that server and drops it afterwards. The code is
src/openmash/demo/benchmark.py, shared with `openmash bench screen`.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from datetime import date
from pathlib import Path

from sqlalchemy.engine import make_url

from openmash.db.session import normalise_url
from openmash.demo import benchmark

RESULTS = Path(__file__).resolve().parent.parent / "results" / "register.md"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def _answers(url: str) -> bool:
    parsed = make_url(normalise_url(url))
    try:
        with socket.create_connection((parsed.host or "127.0.0.1", parsed.port or 5432), timeout=1):
            return True
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--people", type=int, default=200_000, help="people on the register (default 200,000)"
    )
    parser.add_argument("--applicants", type=int, default=1000, help="applicants screened (default 1,000)")
    parser.add_argument(
        "--baseline-applicants", type=int, default=1000, help="of those, how many the baseline screens too"
    )
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"results file (default {RESULTS})")
    args = parser.parse_args(argv)

    def echo(line: str) -> None:
        print(line, flush=True)

    postgres = (
        os.environ.get("OPENMASH_BENCH_DATABASE_URL")
        or os.environ.get("OPENMASH_TEST_DATABASE_URL")
        or DEFAULT_POSTGRES
    )
    reports = []
    if not args.no_sqlite:
        with benchmark.sqlite_database() as sessions:
            reports.append(
                benchmark.run(sessions, args.people, args.applicants, args.baseline_applicants, echo)
            )
        echo(reports[-1].describe())
    if not args.no_postgres:
        if _answers(postgres):
            with benchmark.postgres_database(postgres) as sessions:
                reports.append(
                    benchmark.run(sessions, args.people, args.applicants, args.baseline_applicants, echo)
                )
            echo(reports[-1].describe())
        else:
            server = make_url(normalise_url(postgres)).render_as_string()
            echo(f"PostgreSQL at {server} does not answer: skipped")
    if reports:
        benchmark.append_results(args.results, reports, date.today())
        echo(f"Results added to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
