"""The register's commands: import and export an authority's records, and screen applicants."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.progress import Progress
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.cli_support import cli_actor, fail, sessions
from openmash.db.session import transaction
from openmash.errors import DomainError, ValidationFailed
from openmash.identity import agencies
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType
from openmash.register import exports, imports, person_index, screening
from openmash.register import requests as details_requests
from openmash.register.licence_csv import LicenceRow, Problem, format_problems, read_licence_csv
from openmash.register.models import Person
from openmash.register.workdays import uk_today

import_app = typer.Typer(
    help="Import an authority's records (docs/formats/licences.md).", no_args_is_help=True
)
export_app = typer.Typer(help="Export an authority's own records as CSV.", no_args_is_help=True)


def _licensing_authority(session: Session, code: str) -> Agency:
    found = agencies.find_by_code(session, code)
    if found is None or found.type != AgencyType.LICENSING_AUTHORITY.value:
        raise ValidationFailed({"authority": f"no licensing authority has code {code}"})
    return found


@import_app.command("licences")
def import_licences(
    file: Annotated[Path, typer.Argument(help="The licence records CSV", exists=True, dir_okay=False)],
    authority: Annotated[str, typer.Option(help="The licensing authority's GSS code, e.g. E06000060")],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Write the valid rows and put the others in a rejects file")
    ] = False,
    rejects: Annotated[
        Path | None, typer.Option(help="Where to write rejected lines (default FILE.rejects.csv)")
    ] = None,
) -> None:
    """Check the whole file, then write it in one transaction. With errors nothing is written (unless
    --skip-invalid). Importing the same file again changes nothing."""
    with file.open(encoding="utf-8", newline="") as stream:
        result = read_licence_csv(stream, today=date.today())
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if result.errors and not skip_invalid:
        typer.echo(format_problems(result.errors, limit=200), err=True)
        typer.echo(f"Nothing was imported: {len(result.errors)} errors in {file.name}", err=True)
        raise typer.Exit(code=1)
    if result.errors:
        target = rejects or file.with_name(file.name + ".rejects.csv")
        _write_rejects(file, result.error_lines, result.errors, target)
        typer.echo(f"{len(result.error_lines)} rejected lines written to {target}", err=True)
    try:
        with transaction(sessions()) as session, Progress(transient=True) as bar:
            task = bar.add_task(f"Importing {file.name}", total=len(result.rows))
            summary = imports.import_licences(
                session,
                _licensing_authority(session, authority),
                result.rows,
                cli_actor(),
                audit.NO_CONTEXT,
                file_name=file.name,
                progress=lambda n: bar.advance(task, n),
            )
    except imports.ImportRefused as exc:
        typer.echo(format_problems(exc.problems, limit=200), err=True)
        typer.echo("Nothing was imported", err=True)
        raise typer.Exit(code=1) from None
    except DomainError as exc:
        fail(exc)
    typer.echo(
        f"Imported {summary.rows} rows: {summary.events_added} decisions added, "
        f"{summary.events_already_recorded} already recorded, {summary.licences_created} new licences"
    )


def _write_rejects(source: Path, lines: set[int], problems: list[Problem], target: Path) -> None:
    """The rejected lines as they were, each with its reasons, so they can be corrected and sent again."""
    reasons: dict[int, list[str]] = {}
    for p in problems:
        reasons.setdefault(p.line, []).append(str(p))
    with (
        source.open(encoding="utf-8-sig", newline="") as stream,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        reader = csv.reader(stream)
        writer = csv.writer(out)
        header = next(reader, [])
        writer.writerow(["line", "reasons", *header])
        for number, record in enumerate(reader, start=2):
            if number in lines:
                writer.writerow([number, "; ".join(reasons.get(number, [])), *record])


@export_app.command("licences")
def export_licences(
    authority: Annotated[str, typer.Option(help="The licensing authority's GSS code")],
    output: Annotated[Path | None, typer.Option(help="File to write (default: standard output)")] = None,
) -> None:
    """Export the authority's records, one row per decision, in the import format."""
    try:
        with transaction(sessions()) as session:
            chunks = exports.export_licences(
                session, _licensing_authority(session, authority), cli_actor(), audit.NO_CONTEXT
            )
            if output is None:
                for chunk in chunks:
                    sys.stdout.write(chunk)
            else:
                with output.open("w", encoding="utf-8", newline="") as out:
                    for chunk in chunks:
                        out.write(chunk)
    except DomainError as exc:
        fail(exc)


def _applicant_from_row(row: LicenceRow) -> screening.Applicant:
    names = [(row.surname, row.forenames)]
    for previous in row.previous_names:
        parts = previous.split()
        if parts:
            names.append((parts[-1], " ".join(parts[:-1])))
    return screening.Applicant(
        names=[(s, f) for s, f in names if s or f],
        date_of_birth=row.date_of_birth,
        driving_licence_number=row.driving_licence_number,
        ni_number=row.ni_number,
        postcode=row.postcode,
    )


def screen(
    purpose: Annotated[
        str, typer.Option(help="Why you are screening (e.g. the application reference); recorded")
    ],
    batch: Annotated[
        Path | None,
        typer.Option(help="A licence records CSV: screen every row (one JSON line per row)", dir_okay=False),
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Where to write the JSON lines (default: standard output)")
    ] = None,
    surname: Annotated[str, typer.Option(help="One applicant's surname")] = "",
    forenames: Annotated[str, typer.Option(help="One applicant's forenames")] = "",
    dob: Annotated[str, typer.Option(help="Date of birth, YYYY-MM-DD")] = "",
    driving_licence_number: Annotated[str, typer.Option(help="DVLA driving licence number")] = "",
    ni_number: Annotated[str, typer.Option(help="National Insurance number")] = "",
    postcode: Annotated[str, typer.Option(help="Postcode")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Screen applicants against every authority's licences: one person (--surname ...) or a whole file
    (--batch FILE.csv), an authority's yearly re-check. Output as in docs/formats/licences.md."""
    if not purpose.strip():
        fail(ValidationFailed({"purpose": "give the purpose of this screening"}))
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        if batch is not None:
            _screen_batch(batch, purpose, out)
        else:
            _screen_one(
                purpose, surname, forenames, dob, driving_licence_number, ni_number, postcode, as_json, out
            )
    except DomainError as exc:
        fail(exc)
    finally:
        if output:
            out.close()


def _screen_one(
    purpose: str,
    surname: str,
    forenames: str,
    dob: str,
    dln: str,
    ni: str,
    postcode: str,
    as_json: bool,
    out: TextIO,
) -> None:
    try:
        born = date.fromisoformat(dob) if dob.strip() else None
    except ValueError:
        raise ValidationFailed({"dob": "enter the date of birth as YYYY-MM-DD"}) from None
    applicant = screening.read_applicant([(surname, forenames)], born, dln, ni, postcode)
    with transaction(sessions()) as session:
        found, authorities = screening.screen_for(session, cli_actor(), applicant, purpose, audit.NO_CONTEXT)
        candidates = screening.as_json(found, authorities)
    if as_json:
        out.write(json.dumps({"row": 1, "candidates": candidates}) + "\n")
        return
    if not candidates:
        out.write("No one on the register resembles this applicant.\n")
    for c in candidates:
        licences = ", ".join(
            f"{x['authority']} {x['authority_licence_ref']} {x['status']}" for x in c["licences"]
        )
        out.write(f"{c['band']:9} {c['score']:6.1f}  {c['person_id']}  {licences}\n")


def _screen_batch(batch: Path, purpose: str, out: TextIO) -> None:
    with batch.open(encoding="utf-8", newline="") as stream:
        result = read_licence_csv(stream, today=date.today(), mode="screening")
    header_problems = [p for p in result.errors if p.line == 1]
    if header_problems:
        raise ValidationFailed({"file": format_problems(header_problems)})
    by_line: dict[int, dict[str, object]] = {}
    for problem in result.errors:
        by_line.setdefault(problem.line, {"row": problem.line - 1, "error": str(problem)})
    with transaction(sessions()) as session, Progress(transient=True, console=None) as bar:
        task = bar.add_task(f"Screening {batch.name}", total=len(result.rows))
        applicants = [(row.line, _applicant_from_row(row)) for row in result.rows]
        for line, candidates in screening.screen_batch(
            session, cli_actor(), applicants, purpose, audit.NO_CONTEXT, progress=lambda: bar.advance(task)
        ):
            by_line[line] = {"row": line - 1, "candidates": candidates}
    for line in sorted(by_line):
        out.write(json.dumps(by_line[line]) + "\n")


requests_app = typer.Typer(help="Requests for details between licensing authorities.", no_args_is_help=True)


@requests_app.command("remind")
def remind(
    on: Annotated[str, typer.Option("--date", help="YYYY-MM-DD; default: today in England")] = "",
) -> None:
    """Remind holding authorities of overdue requests for details (run daily; running it twice sends nothing
    more)."""
    try:
        day = date.fromisoformat(on) if on else uk_today()
    except ValueError:
        fail(ValidationFailed({"date": "enter the date as YYYY-MM-DD"}))
    with transaction(sessions()) as session:
        sent = details_requests.send_reminders(session, day, actor=cli_actor())
    typer.echo(f"{sent} overdue request(s) reminded")


matching_app = typer.Typer(help="The matching index of the register's people.", no_args_is_help=True)


@matching_app.command("rebuild")
def rebuild_index() -> None:
    """Index every person afresh (the index is kept in step by every import; this is for doubt or repair)."""
    with transaction(sessions()) as session:
        total = session.scalar(select(func.count()).select_from(Person)) or 0
        with Progress(transient=True) as bar:
            task = bar.add_task("Indexing people", total=total)
            done = person_index.rebuild(session, progress=lambda n: bar.advance(task, n))
    typer.echo(f"{done} people indexed")


@matching_app.command("dedupe")
def dedupe_register(
    threshold: Annotated[
        float,
        typer.Option(min=0.0, max=1.0, help="Splink's match probability from which our model scores a pair"),
    ] = 0.9,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Propose at most this many pairs, the strongest first")
    ] = None,
) -> None:
    """Find people the register may hold twice (Splink on DuckDB, in memory) and propose each likely pair to
    the authority of the newer record's latest licence; a pair already proposed or decided is not proposed
    again (docs/operations/linkage.md)."""
    from openmash.register.dedupe import propose_duplicates  # Splink loads only for this command

    with transaction(sessions()) as session:
        proposed = propose_duplicates(session, threshold=threshold, limit=limit, actor=cli_actor())
    typer.echo(f"{proposed} likely pair(s) proposed")
