"""The ``openmash`` command: serve the app, migrate the database, manage agencies, users and tokens,
verify the audit trail. Every command uses OPENMASH_DATABASE_URL."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.progress import Progress

from openmash import cli_bench, cli_register
from openmash.audit import service as audit
from openmash.cli_support import cli_actor, fail, sessions
from openmash.config import UnsafeConfiguration, get_settings
from openmash.db import migrate
from openmash.db.session import make_engine, transaction
from openmash.errors import DomainError, ValidationFailed
from openmash.identity import agencies, tokens, users
from openmash.identity.permissions import AgencyType, Permission, Role
from openmash.register import person_index

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
agencies_app = typer.Typer(
    help="Agencies: licensing authorities, police forces, MASHs, schools, homes, health.",
    no_args_is_help=True,
)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for agencies' own systems.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)
demo_app = typer.Typer(help="Synthetic demo data (never real people).", no_args_is_help=True)
hub_app = typer.Typer(help="The safeguarding hub's scheduled work.", no_args_is_help=True)
import_app = typer.Typer(
    help="Import an authority's records (docs/formats/licences.md).", no_args_is_help=True
)
export_app = typer.Typer(help="Export an authority's own records as CSV.", no_args_is_help=True)
for sub, name in (
    (db_app, "db"),
    (agencies_app, "agencies"),
    (users_app, "users"),
    (tokens_app, "tokens"),
    (audit_app, "audit"),
    (demo_app, "demo"),
    (hub_app, "hub"),
    (cli_register.import_app, "import"),
    (cli_register.export_app, "export"),
    (cli_register.requests_app, "requests"),
    (cli_register.matching_app, "matching"),
    (cli_bench.bench_app, "bench"),
):
    app.add_typer(sub, name=name)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
) -> None:
    """Serve the web app and API (refuses to start in production with unsafe settings)."""
    import uvicorn

    from openmash.app import create_app

    try:
        application = create_app()
    except UnsafeConfiguration as exc:
        typer.echo(f"Error: refusing to start: {exc}", err=True)
        raise typer.Exit(code=2) from None
    uvicorn.run(application, host=host, port=port, proxy_headers=True, forwarded_allow_ips="127.0.0.1")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration not yet applied (safe to run again)."""
    engine = make_engine(get_settings().database_url)
    migrate.upgrade(engine)
    with transaction(sessions()) as session:
        if person_index.missing_from_index(session):
            done = person_index.rebuild(session)
            typer.echo(f"Indexed {done} people for matching")
    typer.echo(f"Database is up to date ({engine.url.render_as_string(hide_password=True)})")


@agencies_app.command("create")
def agencies_create(
    type: Annotated[AgencyType, typer.Option("--type", help="Kind of agency")],
    code: Annotated[
        str, typer.Option(help="GSS code for a licensing authority (e.g. E06000060), else your own code")
    ],
    name: Annotated[str, typer.Option(help="The agency's name")],
) -> None:
    """Add an agency."""
    try:
        with transaction(sessions()) as session:
            agency = agencies.create_agency(session, cli_actor(), type.value, code, name)
            typer.echo(f"Created {agency.type} {agency.code}: {agency.name} ({agency.id})")
    except DomainError as exc:
        fail(exc)


@agencies_app.command("list")
def agencies_list() -> None:
    """List agencies."""
    with transaction(sessions()) as session:
        for a in agencies.list_agencies(session):
            typer.echo(f"{a.code}\t{a.type}\t{a.name}")


@users_app.command("create")
def users_create(
    agency: Annotated[str, typer.Option(help="The agency's code")],
    email: Annotated[str, typer.Option(help="Sign-in email address")],
    name: Annotated[str, typer.Option(help="Full name")],
    role: Annotated[list[Role], typer.Option(help="A role (repeat for several)")],
    password: Annotated[
        str | None,
        typer.Option(help="Initial password; asked for if not given", envvar="OPENMASH_NEW_USER_PASSWORD"),
    ] = None,
) -> None:
    """Add a user to an agency. They set up two-factor authentication when they first sign in."""
    secret = password or typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with transaction(sessions()) as session:
            found = agencies.find_by_code(session, agency)
            if found is None:
                raise ValidationFailed({"agency": f"no agency has code {agency}"})
            user = users.create_user(
                session,
                get_settings(),
                cli_actor(),
                agency_id=found.id,
                email=email,
                full_name=name,
                password=secret,
                roles=[r.value for r in role],
            )
            typer.echo(
                f"Created user {user.email} in {found.code} with roles {', '.join(sorted(user.role_names))}"
            )
    except DomainError as exc:
        fail(exc)


@tokens_app.command("create")
def tokens_create(
    agency: Annotated[str, typer.Option(help="The agency's code")],
    name: Annotated[str, typer.Option(help="Which system will use the token")],
    permission: Annotated[list[Permission], typer.Option(help="A permission (repeat for several)")],
    days: Annotated[int, typer.Option(help="Days until it expires")] = 90,
) -> None:
    """Create an API token and print it once. Only its hash is stored."""
    try:
        with transaction(sessions()) as session:
            found = agencies.find_by_code(session, agency)
            if found is None:
                raise ValidationFailed({"agency": f"no agency has code {agency}"})
            created = tokens.create_token(
                session,
                get_settings(),
                cli_actor(),
                agency_id=found.id,
                name=name,
                permissions=[p.value for p in permission],
                days=days,
                context=audit.NO_CONTEXT,
            )
            typer.echo(
                f"Token for {found.code} ({created.token.permissions}), expires "
                f"{created.token.expires_at:%Y-%m-%d}. Copy it now, it is not shown again:"
            )
            typer.echo(created.plaintext)
    except DomainError as exc:
        fail(exc)


@audit_app.command("verify")
def audit_verify() -> None:
    """Check every link of the audit chain. Exit 0 when intact; otherwise name the first broken record."""
    with transaction(sessions()) as session:
        result = audit.verify(session)
    if result.intact:
        typer.echo(f"Audit trail intact: {result.checked} records verified; head hash {result.head_hash}")
        return
    typer.echo(
        f"Audit trail BROKEN at record {result.first_broken_seq}: {result.problem} "
        f"({result.checked} records verified before it)",
        err=True,
    )
    raise typer.Exit(code=1)


@hub_app.command("run")
def hub_run() -> None:
    """The hub's scheduled work, for cron every few minutes (running it again changes nothing): escalate
    requests for help not acknowledged or answered in time, raise the scheduled alerts (overdue return
    interviews and requests for help, gaps in support after court), and e-mail each alert's recipients."""
    from openmash import alerts
    from openmash.db.base import utcnow
    from openmash.safeguarding import help_requests

    settings = get_settings()
    now = utcnow()
    with transaction(sessions()) as session:
        escalated = help_requests.escalate_overdue(session, now)
        raised = alerts.run_scheduled(session, now)
    with transaction(sessions()) as session:
        sent = alerts.deliver_pending(
            session, alerts.sender_for(settings), now, base_url=settings.public_base_url
        )
    typer.echo(
        f"{len(escalated)} request(s) for help escalated, {len(raised)} alert(s) raised or updated, "
        f"{sent} e-mail(s) sent"
    )


@demo_app.command("load")
def demo_load(
    drivers: Annotated[int, typer.Option(help="Synthetic drivers in the national register", min=0)] = 50_000,
) -> None:
    """Create the demo agencies, users and a synthetic national register of licensed drivers (running it
    again changes nothing) and print how to sign in."""
    from openmash.demo import children, planted, register, seed

    settings = get_settings()
    if settings.is_production:
        typer.echo("Refusing to load demo data in production", err=True)
        raise typer.Exit(code=2)
    with transaction(sessions()) as session:
        logins = seed.load(session, settings)
    with transaction(sessions()) as session:
        hub = children.load(session)
    with transaction(sessions()) as session, Progress(transient=True) as bar:
        task = bar.add_task(f"Loading a register of {drivers:,} synthetic drivers", total=None)
        rows = register.load(session, cli_actor(), drivers, progress=lambda n: bar.advance(task, n))
    if rows:
        typer.echo(f"Loaded {rows:,} licence decisions for {drivers:,} synthetic drivers.")
    with transaction(sessions()) as session:
        planted_note = planted.load(session)
    typer.echo(seed.describe(logins))
    typer.echo(register.PLANTED_CASES)
    typer.echo(hub)
    typer.echo(planted_note)


@demo_app.command("code")
def demo_code(email: Annotated[str, typer.Argument(help="A demo user's email address")]) -> None:
    """Print a demo user's current two-factor code (demo only: stands in for the authenticator app)."""
    from openmash.demo import seed

    settings = get_settings()
    if settings.is_production:
        typer.echo("Not available in production", err=True)
        raise typer.Exit(code=2)
    with transaction(sessions()) as session:
        code = seed.current_code(session, email)
    if code is None:
        typer.echo("No demo user with two-factor set up has that email address", err=True)
        raise typer.Exit(code=2)
    typer.echo(code)


app.command("screen")(cli_register.screen)


def main() -> None:  # pragma: no cover - entry point
    app(prog_name="openmash", args=sys.argv[1:])
