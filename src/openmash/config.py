"""Settings read once from the environment (prefix ``OPENMASH_``).

Defaults suit the demo on a laptop; production refuses to start with any of them that would be unsafe.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_SECRET_KEY = "demo-secret-key-do-not-use-in-production-0000000000"


class UnsafeConfiguration(RuntimeError):
    """Raised when production settings would put the data at risk."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPENMASH_", extra="ignore")

    environment: Literal["demo", "test", "production"] = "demo"
    database_url: str = "sqlite:///openmash.db"
    secret_key: str = DEMO_SECRET_KEY
    # Sessions: idle timeout and an absolute limit, so an unattended screen does not stay signed in.
    session_idle_minutes: int = Field(default=30, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    # Lockout after repeated failures (passwords and two-factor codes count alike).
    lockout_threshold: int = Field(default=5, ge=1)
    lockout_minutes: int = Field(default=15, ge=1)
    # Cookies are Secure unless explicitly turned off for plain-http local use (the demo).
    cookie_secure: bool | None = None
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    api_token_max_days: int = Field(default=365, ge=1)
    # Working days a licensing authority has to answer another's request for details: the 2022 Act (s.3)
    # gives 20, so the default follows the statute; an administrator may shorten it by local agreement.
    details_request_working_days: int = Field(default=20, ge=1, le=60)
    # argon2 cost; tests lower it to keep the suite fast. Never lower it in production.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    assets_dir: str | None = None
    # Alerts by e-mail (openmash.alerts.senders): with no SMTP host, e-mails go to the outbox table (the demo,
    # tests). The password is read from the environment only (OPENMASH_SMTP_PASSWORD), never from a file.
    # An e-mail never carries personal details: only that an alert needs attention, and a link to it.
    public_base_url: str = "http://localhost:8000"
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_from: str = "openmash@localhost"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.is_production

    def check_safe_for_production(self) -> None:
        """Fail closed: production must have its own secret and secure cookies."""
        if not self.is_production:
            return
        if self.secret_key == DEMO_SECRET_KEY or len(self.secret_key) < 32:
            raise UnsafeConfiguration(
                "OPENMASH_SECRET_KEY must be set to a random value of at least 32 characters in production"
            )
        if not self.secure_cookies:
            raise UnsafeConfiguration("OPENMASH_COOKIE_SECURE cannot be false in production")
        if self.argon2_time_cost < 3 or self.argon2_memory_kib < 65536:
            raise UnsafeConfiguration(
                "OPENMASH_ARGON2_TIME_COST and OPENMASH_ARGON2_MEMORY_KIB must not be lowered in production"
            )
        if self.database_url.startswith("sqlite"):
            raise UnsafeConfiguration(
                "production needs PostgreSQL (OPENMASH_DATABASE_URL=postgresql+psycopg://...)"
            )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
