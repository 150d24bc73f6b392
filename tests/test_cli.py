"""The ``openmash`` command, driven as an operator would, against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import re
import shlex
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from openmash import cli_support as cli_module
from openmash.audit.models import AuditRecord
from openmash.audit.service import NO_CONTEXT
from openmash.cli import app
from openmash.config import get_settings
from openmash.db.session import make_session_factory, transaction
from openmash.demo import register, seed
from openmash.identity import tokens
from openmash.identity.models import Agency, ApiToken, User
from openmash.register.models import Licence, LicenceEvent

Run = Callable[..., Result]

PASSWORD = "synthetic-Passw0rd-for-tests"
BUCKS = "agencies create --type licensing_authority --code E06000060 --name Buckinghamshire"


def _runner(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    env = {
        "OPENMASH_DATABASE_URL": database_url,
        "OPENMASH_ENVIRONMENT": "test",
        "OPENMASH_ARGON2_TIME_COST": "1",
        "OPENMASH_ARGON2_MEMORY_KIB": "1024",
    }
    # The CLI makes an engine per command; keep hold of them so their connections are closed afterwards.
    engines: list[Engine] = []
    real_make_engine = cli_module.make_engine

    def tracking_make_engine(url: str) -> Engine:
        made = real_make_engine(url)
        engines.append(made)
        return made

    monkeypatch.setattr(cli_module, "make_engine", tracking_make_engine)
    runner = CliRunner()

    def invoke(command: str, *, input: str | None = None, **env_overrides: str) -> Result:
        get_settings.cache_clear()
        try:
            return runner.invoke(
                app, shlex.split(command), input=input, env={**env, **env_overrides}, prog_name="openmash"
            )
        finally:
            get_settings.cache_clear()

    yield invoke
    for made in engines:
        made.dispose()


@pytest.fixture
def run(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    """``run("agencies list")`` runs ``openmash agencies list`` against the test database.

    Settings are cached by ``get_settings``: the cache is cleared around each run so that each reads its env.
    """
    yield from _runner(engine.url.render_as_string(hide_password=False), monkeypatch)


@pytest.fixture
def run_on_new_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    """The same, against a SQLite file that does not exist yet (no schema)."""
    yield from _runner(f"sqlite:///{tmp_path / 'new.db'}", monkeypatch)


def ok(result: Result) -> str:
    assert result.exit_code == 0, f"exit {result.exit_code}: {result.output!r} {result.exception!r}"
    return result.output


def failed(result: Result) -> str:
    assert result.exit_code != 0, f"expected failure, got success: {result.output!r}"
    # A refusal is a message and an exit status, not a crash with a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.output


def count(engine: Engine, model: Any) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def tamper(engine: Engine, sql: str) -> None:
    """What an attacker with direct database access could do: bypass the append-only triggers."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            conn.execute(text("DROP TRIGGER audit_records_no_update"))
            conn.execute(text("DROP TRIGGER audit_records_no_delete"))
        conn.execute(text(sql))


# --- help -------------------------------------------------------------------------------------------------


def test_help_lists_every_command_with_what_it_does(run_on_new_database: Run) -> None:
    output = ok(run_on_new_database("--help"))
    explanations = {
        "serve": "Serve the web app",
        "db": "The database schema",
        "agencies": "Agencies",
        "users": "User accounts",
        "tokens": "API tokens",
        "audit": "The hash-chained audit trail",
        "demo": "Synthetic demo data",
    }
    for command, explanation in explanations.items():
        # The command and its explanation on one line of the list (whatever border the terminal draws).
        assert re.search(rf"^\W*{command}\s+{re.escape(explanation)}", output, re.MULTILINE), command


# --- agencies ---------------------------------------------------------------------------------------------


def test_creating_a_licensing_authority(run: Run, engine: Engine) -> None:
    output = ok(run(BUCKS))
    assert "E06000060" in output
    with Session(engine) as session:
        agency = session.scalars(select(Agency).where(Agency.code == "E06000060")).one()
        assert agency.type == "licensing_authority"
        assert agency.name == "Buckinghamshire"
        assert agency.active
    assert "E06000060" in ok(run("agencies list"))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("--type licensing_authority --code X12345678", "ONS (GSS) code"),
        ("--type licensing_authority --code E0600006", "ONS (GSS) code"),
        ("--type parish_council --code E06000060", "Invalid value for '--type'"),
        ("--type police_force --code 'bad code!'", "Code must be"),
    ],
    ids=["not-a-gss-code", "gss-code-too-short", "unknown-type", "bad-own-code"],
)
def test_an_invalid_agency_is_refused_and_nothing_is_written(
    run: Run, engine: Engine, options: str, message: str
) -> None:
    output = failed(run(f"agencies create {options} --name Nowhere"))
    assert message in " ".join(re.sub(r"[│╭╮╰╯─]", " ", output).split())
    assert count(engine, Agency) == 0
    assert count(engine, AuditRecord) == 0


def test_a_duplicate_agency_code_is_refused(run: Run, engine: Engine) -> None:
    ok(run(BUCKS))
    output = failed(run("agencies create --type licensing_authority --code e06000060 --name Again"))
    assert "already exists" in output
    assert count(engine, Agency) == 1
    assert count(engine, AuditRecord) == 1


# --- users ------------------------------------------------------------------------------------------------


def _create_user(
    run: Run, *, role: str = "licensing_officer", email: str = "officer@example.invalid"
) -> Result:
    return run(
        f"users create --agency E06000060 --email {email} --name 'Sam Synthetic' --role {role} "
        f"--password {PASSWORD}"
    )


def test_creating_a_user_stores_an_argon2_hash_never_the_password(run: Run, engine: Engine) -> None:
    ok(run(BUCKS))
    output = ok(_create_user(run, email="Officer@Example.invalid"))
    assert "officer@example.invalid" in output
    assert PASSWORD not in output
    with Session(engine) as session:
        user = session.scalars(select(User).where(User.email == "officer@example.invalid")).one()
        assert user.agency.code == "E06000060"
        assert user.full_name == "Sam Synthetic"
        assert user.role_names == {"licensing_officer"}
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        assert PasswordHasher().verify(user.password_hash, PASSWORD)
        assert user.totp_secret is None  # they set up two-factor when they first sign in
        records = session.scalars(select(AuditRecord).order_by(AuditRecord.seq)).all()
    assert [r.action for r in records] == ["agency.create", "user.create"]
    assert all(PASSWORD not in (r.details or "") for r in records)


def test_a_role_the_agency_type_may_not_hold_is_refused(run: Run, engine: Engine) -> None:
    ok(run(BUCKS))
    output = failed(_create_user(run, role="police_analyst"))
    assert "police_analyst" in output
    assert count(engine, User) == 0
    assert count(engine, AuditRecord) == 1


def test_a_user_for_an_unknown_agency_or_with_a_weak_password_is_refused(run: Run, engine: Engine) -> None:
    assert "no agency has code E06000060" in failed(_create_user(run))
    ok(run(BUCKS))
    weak = run(
        "users create --agency E06000060 --email weak@example.invalid --name 'Sam Synthetic' "
        "--role licensing_officer --password short"
    )
    assert "Password must be 12 characters or more" in failed(weak)
    assert count(engine, User) == 0


def test_the_password_is_asked_for_when_not_given(run: Run, engine: Engine) -> None:
    ok(run(BUCKS))
    command = (
        "users create --agency E06000060 --email asked@example.invalid --name 'Sam Synthetic' "
        "--role licensing_officer"
    )
    mismatch = run(command, input=f"{PASSWORD}\nsomething-else-entirely\n")
    assert mismatch.exit_code != 0
    assert count(engine, User) == 0
    output = ok(run(command, input=f"{PASSWORD}\n{PASSWORD}\n"))
    assert PASSWORD not in output
    with Session(engine) as session:
        user = session.scalars(select(User).where(User.email == "asked@example.invalid")).one()
        assert PasswordHasher().verify(user.password_hash, PASSWORD)


def test_a_duplicate_email_is_refused(run: Run, engine: Engine) -> None:
    ok(run(BUCKS))
    ok(_create_user(run))
    assert "already exists" in failed(_create_user(run, email="OFFICER@example.invalid"))
    assert count(engine, User) == 1


# --- tokens -----------------------------------------------------------------------------------------------


def test_a_token_is_printed_once_and_only_its_hash_is_stored(run: Run, engine: Engine) -> None:
    ok(run(BUCKS))
    output = ok(
        run(
            "tokens create --agency E06000060 --name 'Case system' "
            "--permission identity:agencies:read --days 30"
        )
    )
    plaintext = output.strip().splitlines()[-1].strip()
    assert plaintext.startswith("omt_")
    secret = plaintext.split("_", 2)[2]

    with transaction(make_session_factory(engine)) as session:
        token = tokens.authenticate(session, plaintext)
        assert token is not None
        assert token.agency.code == "E06000060"
        assert token.permission_names == {"identity:agencies:read"}
        expected_expiry = datetime.now(UTC) + timedelta(days=30)
        assert abs(token.expires_at - expected_expiry) < timedelta(minutes=5)
        assert tokens.authenticate(session, plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")) is None

    with engine.connect() as conn:
        stored = conn.execute(text("SELECT * FROM api_tokens")).mappings().all()
        audit_details = conn.execute(text("SELECT details FROM audit_records")).scalars().all()
    assert len(stored) == 1
    assert stored[0]["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    for value in stored[0].values():
        assert secret not in str(value)
    assert all(secret not in d for d in audit_details)


def test_a_token_with_a_permission_the_agency_may_not_grant_is_refused(run: Run, engine: Engine) -> None:
    ok(run(BUCKS))
    output = failed(
        run("tokens create --agency E06000060 --name 'Case system' --permission safeguarding:children:search")
    )
    assert "cannot be given" in output
    assert "omt_" not in output
    too_long = run(
        "tokens create --agency E06000060 --name 'Case system' --permission identity:agencies:read --days 366"
    )
    assert "days" in failed(too_long)
    assert count(engine, ApiToken) == 0


# --- audit ------------------------------------------------------------------------------------------------


def _three_records(run: Run) -> None:
    ok(run(BUCKS))
    ok(_create_user(run, email="one@example.invalid"))
    ok(_create_user(run, email="two@example.invalid"))


def test_audit_verify_reports_an_intact_trail(run: Run) -> None:
    _three_records(run)
    result = run("audit verify")
    output = ok(result)
    assert "intact" in output
    assert "3 records" in output


def test_audit_verify_names_the_first_altered_record(run: Run, engine: Engine) -> None:
    _three_records(run)
    tamper(engine, "UPDATE audit_records SET details = '{}' WHERE seq = 2")
    result = run("audit verify")
    output = failed(result)
    assert result.exit_code == 1
    assert "BROKEN at record 2" in output
    assert "intact" not in output


def test_audit_verify_notices_the_newest_record_deleted(run: Run, engine: Engine) -> None:
    _three_records(run)
    tamper(engine, "DELETE FROM audit_records WHERE seq = 3")
    output = failed(run("audit verify"))
    assert "BROKEN at record 3" in output


# --- db ---------------------------------------------------------------------------------------------------


def test_db_upgrade_is_safe_to_run_twice(run: Run, engine: Engine) -> None:
    ok(run(BUCKS))
    with engine.connect() as conn:
        before = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert "up to date" in ok(run("db upgrade"))
    assert "up to date" in ok(run("db upgrade"))
    with engine.connect() as conn:
        after = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert after == before
    assert len(after) == 1
    assert count(engine, Agency) == 1  # existing data untouched
    assert "intact" in ok(run("audit verify"))


def test_db_upgrade_creates_the_schema_in_a_new_database(run_on_new_database: Run) -> None:
    assert "up to date" in ok(run_on_new_database("db upgrade"))
    ok(run_on_new_database(BUCKS))
    assert "Buckinghamshire" in ok(run_on_new_database("agencies list"))
    assert "intact: 1 records" in ok(run_on_new_database("audit verify"))


# --- demo -------------------------------------------------------------------------------------------------


def test_demo_load_creates_the_demo_once_and_prints_how_to_sign_in(run: Run, engine: Engine) -> None:
    first = ok(run("demo load --drivers 300"))
    counts = (count(engine, Agency), count(engine, User), count(engine, Licence), count(engine, LicenceEvent))
    demo_agencies = {code for _, code, _ in seed.AGENCIES} | {code for code, _, _ in register.AUTHORITIES}
    assert counts[:2] == (len(demo_agencies), len(seed.USERS))
    assert counts[2] > 300  # every driver holds a licence; some hold two, and the planted cases are there
    records = count(engine, AuditRecord)

    second = ok(run("demo load --drivers 300"))
    assert (
        count(engine, Agency),
        count(engine, User),
        count(engine, Licence),
        count(engine, LicenceEvent),
    ) == counts
    assert count(engine, AuditRecord) == records
    assert "Muhammad Kahn" in first

    for output in (first, second):
        assert seed.DEMO_PASSWORD in output
        assert "/sign-in" in output
        for local, _role, _code in seed.USERS:
            assert seed.demo_email(local) in output
    assert "intact" in ok(run("audit verify"))


def test_demo_code_prints_the_users_current_two_factor_code(run: Run, engine: Engine) -> None:
    ok(run("demo load --drivers 0"))
    email = seed.demo_email("licensing.officer")
    code = ok(run(f"demo code {email}")).strip()
    assert re.fullmatch(r"\d{6}", code)
    with Session(engine) as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        assert user.totp_secret
        assert user.totp_enrolled_at is not None
    assert pyotp.TOTP(user.totp_secret).verify(code, valid_window=1)


def test_demo_code_for_someone_not_a_demo_user_is_refused(run: Run) -> None:
    ok(run(BUCKS))
    ok(_create_user(run, email="real@example.invalid"))
    for email in ("nobody@demo.openmash.invalid", "real@example.invalid"):
        output = failed(run(f"demo code {email}"))
        assert "No demo user" in output
        assert not re.search(r"^\d{6}$", output, re.MULTILINE)


def test_demo_load_and_code_refuse_in_production(run: Run, engine: Engine) -> None:
    output = failed(run("demo load", OPENMASH_ENVIRONMENT="production"))
    assert "production" in output
    assert seed.DEMO_PASSWORD not in output
    assert count(engine, Agency) == 0
    assert count(engine, User) == 0

    output = failed(run(f"demo code {seed.demo_email('admin')}", OPENMASH_ENVIRONMENT="production"))
    assert "Not available in production" in output


# --- serve ------------------------------------------------------------------------------------------------


def test_serve_refuses_to_start_in_production_with_unsafe_settings(
    run_on_new_database: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    started: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append(a))
    result = run_on_new_database("serve", OPENMASH_ENVIRONMENT="production")
    assert result.exit_code == 2
    assert "refusing to start" in result.output
    assert "OPENMASH_SECRET_KEY" in result.output
    assert started == []


def test_the_hubs_scheduled_work_escalates_alerts_and_e_mails_once(
    run: Run, engine: Engine, settings: Any
) -> None:
    """``openmash hub run`` (cron): a request for help left unacknowledged is escalated, the MASH is alerted
    and e-mailed through the outbox; running it again does nothing more."""
    from openmash.alerts.models import AlertDelivery
    from openmash.safeguarding import help_requests
    from openmash.safeguarding.help_requests import HelpInput
    from openmash.safeguarding.models_care import HelpRequestStep
    from tests.support.safeguarding import make_cast, make_child, who

    sessions = make_session_factory(engine)
    cast = make_cast(sessions, settings)
    with transaction(sessions) as session:
        school = who(session, cast.school)
        help_requests.record_request(
            session,
            school,
            make_child(session, school).id,
            HelpInput(
                asked_at=datetime.now(UTC) - timedelta(days=10),
                told_to="Her form tutor",
                childs_words="I want it to stop",
                mash_agency_id=cast.mash.agency_id,
            ),
            NO_CONTEXT,
        )
    first = run("hub run")
    assert first.exit_code == 0, first.output
    # Ten days on, both the acknowledgement and the answer are late: each escalated once.
    assert re.match(
        r"2 request\(s\) for help escalated, [1-9]\d* alert\(s\) raised or updated, [1-9]", first.output
    )
    again = run("hub run")
    assert again.exit_code == 0, again.output
    assert again.output.startswith("0 request(s) for help escalated, 0 alert(s) raised or updated, 0 e-mail")
    with transaction(sessions) as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(HelpRequestStep)
                .where(HelpRequestStep.kind.like("escalated%"))
            )
            == 2
        )
        assert (session.scalar(select(func.count()).select_from(AlertDelivery)) or 0) >= 1
