"""Settings: the demo runs on defaults; production refuses to start with any setting that would be unsafe."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from openmash.config import DEMO_SECRET_KEY, Settings, UnsafeConfiguration

GOOD_SECRET = "synthetic-production-secret-" + "k" * 40
POSTGRES = "postgresql+psycopg://openmash@db.example.invalid:5432/openmash"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read OPENMASH_* variables: start every test from none, whatever the shell has set."""
    for name in list(os.environ):
        if name.upper().startswith("OPENMASH_"):
            monkeypatch.delenv(name)


def production(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "production",
        "secret_key": GOOD_SECRET,
        "database_url": POSTGRES,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def test_production_with_its_own_secret_and_postgresql_passes() -> None:
    settings = production()
    settings.check_safe_for_production()
    assert settings.is_production
    assert settings.secure_cookies


@pytest.mark.parametrize(
    ("overrides", "names"),
    [
        ({"secret_key": DEMO_SECRET_KEY}, "OPENMASH_SECRET_KEY"),
        ({"secret_key": "s" * 31}, "OPENMASH_SECRET_KEY"),
        ({"secret_key": ""}, "OPENMASH_SECRET_KEY"),
        ({"cookie_secure": False}, "OPENMASH_COOKIE_SECURE"),
        ({"argon2_time_cost": 2}, "OPENMASH_ARGON2_TIME_COST"),
        ({"argon2_memory_kib": 32768}, "OPENMASH_ARGON2_MEMORY_KIB"),
        ({"database_url": "sqlite:///openmash.db"}, "OPENMASH_DATABASE_URL"),
        ({"database_url": "sqlite+pysqlite:////var/lib/openmash.db"}, "OPENMASH_DATABASE_URL"),
    ],
    ids=[
        "demo-secret",
        "short-secret",
        "empty-secret",
        "insecure-cookies",
        "lowered-argon2-time",
        "lowered-argon2-memory",
        "sqlite",
        "sqlite-with-driver",
    ],
)
def test_production_refuses_an_unsafe_setting_and_names_it(overrides: dict[str, object], names: str) -> None:
    with pytest.raises(UnsafeConfiguration, match=names):
        production(**overrides).check_safe_for_production()


def test_production_on_the_defaults_is_refused() -> None:
    with pytest.raises(UnsafeConfiguration, match="OPENMASH_SECRET_KEY"):
        Settings(environment="production").check_safe_for_production()


@pytest.mark.parametrize("environment", ["demo", "test"])
def test_demo_and_test_allow_the_defaults(environment: str) -> None:
    settings = Settings(environment=environment)  # type: ignore[arg-type]
    settings.check_safe_for_production()
    assert settings.secret_key == DEMO_SECRET_KEY
    assert settings.database_url.startswith("sqlite")
    assert not settings.is_production


def test_the_default_environment_is_the_demo() -> None:
    settings = Settings()
    assert settings.environment == "demo"
    settings.check_safe_for_production()


def test_an_unknown_environment_name_is_rejected_not_treated_as_the_demo() -> None:
    with pytest.raises(ValidationError):
        Settings(environment="prod")  # type: ignore[arg-type]


def test_the_server_refuses_to_start_with_unsafe_production_settings(engine: Engine) -> None:
    from openmash.app import create_app

    with pytest.raises(UnsafeConfiguration, match="OPENMASH_SECRET_KEY"):
        create_app(Settings(environment="production"), engine)
    with pytest.raises(UnsafeConfiguration, match="OPENMASH_DATABASE_URL"):
        create_app(production(database_url="sqlite:///openmash.db"), engine)


def test_the_server_starts_with_safe_production_settings(engine: Engine) -> None:
    from openmash.app import create_app

    app = create_app(production(), engine)
    assert app.state.ctx.settings.is_production


def test_settings_are_read_from_openmash_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENMASH_ENVIRONMENT", "production")
    monkeypatch.setenv("OPENMASH_SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("OPENMASH_DATABASE_URL", POSTGRES)
    monkeypatch.setenv("OPENMASH_SESSION_IDLE_MINUTES", "20")
    monkeypatch.setenv("OPENMASH_LOCKOUT_THRESHOLD", "3")
    monkeypatch.setenv("OPENMASH_API_TOKEN_MAX_DAYS", "90")
    monkeypatch.setenv("SECRET_KEY", "not-ours-and-ignored")
    settings = Settings()
    assert settings.environment == "production"
    assert settings.secret_key == GOOD_SECRET
    assert settings.database_url == POSTGRES
    assert settings.session_idle_minutes == 20
    assert settings.lockout_threshold == 3
    assert settings.api_token_max_days == 90
    settings.check_safe_for_production()


def test_unsafe_values_from_the_environment_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENMASH_ENVIRONMENT", "production")
    monkeypatch.setenv("OPENMASH_SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("OPENMASH_DATABASE_URL", POSTGRES)
    monkeypatch.setenv("OPENMASH_COOKIE_SECURE", "false")
    with pytest.raises(UnsafeConfiguration, match="OPENMASH_COOKIE_SECURE"):
        Settings().check_safe_for_production()
    monkeypatch.setenv("OPENMASH_COOKIE_SECURE", "true")
    monkeypatch.setenv("OPENMASH_ARGON2_TIME_COST", "1")
    with pytest.raises(UnsafeConfiguration, match="OPENMASH_ARGON2"):
        Settings().check_safe_for_production()


def test_a_malformed_number_in_the_environment_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENMASH_SESSION_IDLE_MINUTES", "0")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.setenv("OPENMASH_SESSION_IDLE_MINUTES", "thirty")
    with pytest.raises(ValidationError):
        Settings()


def test_cookies_are_secure_in_production_and_not_in_the_demo_by_default() -> None:
    assert production().secure_cookies is True
    assert Settings(environment="demo").secure_cookies is False
    # An explicit choice wins: local plain-http use may turn it off, a demo behind HTTPS may turn it on.
    assert Settings(environment="demo", cookie_secure=True).secure_cookies is True
    assert production(cookie_secure=False).secure_cookies is False
