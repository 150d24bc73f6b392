"""`openmash bench`: the register's benchmark (issue 3, "Speed"), the same code as `make bench`
(src/openmash/demo/benchmark.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from openmash.config import get_settings
from openmash.db.session import normalise_url
from openmash.demo import benchmark

bench_app = typer.Typer(
    help="Benchmarks on synthetic data (never the service's own database).", no_args_is_help=True
)


@bench_app.callback()
def bench() -> None:
    """Benchmarks on synthetic data, each in a database of its own (never the service's own)."""


@bench_app.command("screen")
def screen(
    people: Annotated[int, typer.Option(help="People on the synthetic register", min=1)] = 1_000_000,
    applicants: Annotated[int, typer.Option(help="Applicants screened", min=1)] = 1000,
    baseline_applicants: Annotated[
        int, typer.Option(help="Of those, how many the naive baseline screens too", min=0)
    ] = 1000,
    results: Annotated[
        Path | None, typer.Option(help="Add a row to this markdown results file (bench/results/register.md)")
    ] = None,
) -> None:
    """Build a register of PEOPLE synthetic drivers through the import, screen applicants made from it and
    print import rows/s and screening p50/p95 latency beside a naive baseline's. It runs on the kind of
    database OPENMASH_DATABASE_URL names, in a database of its own: a temporary SQLite file, or a new
    PostgreSQL database on that server (dropped afterwards). A million people take about 25 minutes."""
    settings = get_settings()
    if settings.is_production:
        typer.echo("Refusing to run the benchmark in production", err=True)
        raise typer.Exit(code=2)
    url = normalise_url(settings.database_url)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        database = benchmark.sqlite_database()
    elif backend == "postgresql":
        database = benchmark.postgres_database(url)
    else:
        typer.echo(f"The benchmark runs on SQLite or PostgreSQL, not {backend}", err=True)
        raise typer.Exit(code=2)
    with database as sessions:
        report = benchmark.run(sessions, people, applicants, baseline_applicants, typer.echo)
    typer.echo(report.describe())
    if results is not None:
        benchmark.append_results(results, [report], date.today())
        typer.echo(f"Results added to {results}")


@bench_app.command("train-model")
def train_model(
    output: Annotated[Path, typer.Option(help="Write the model file here")],
    people: Annotated[int, typer.Option(help="People on the synthetic register", min=1000)] = 200_000,
    applicants: Annotated[int, typer.Option(help="Generated applicants to train on", min=100)] = 20_000,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic population")] = 11,
    version: Annotated[str, typer.Option(help="The trained model's version")] = "1.1.0",
) -> None:
    """Estimate the matching model's weights from a synthetic population by EM (u from random pairs) and
    write the model file; prints EM's m beside the m the ground truth gives, level by level."""
    from openmash.demo.train_model import train_on_population
    from openmash.matching.train import write_model

    trained = train_on_population(people, applicants, seed, version=version, echo=typer.echo)
    typer.echo(f"share of candidate pairs that are true matches: {trained.true_share:.4f}")
    for field, levels in trained.model.fields.items():
        for level, params in levels.items():
            truth = trained.labelled_m.get(field, {}).get(level, 0.0)
            typer.echo(f"{field:24} {level:20} m {params.m:.4f} (truth {truth:.4f})  u {params.u:.6f}")
    write_model(output, trained.model)
    typer.echo(f"Model written to {output}")
