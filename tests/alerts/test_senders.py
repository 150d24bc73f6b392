"""Senders: SMTP from the settings (the password from the environment), the outbox otherwise; the e-mail
says only that an alert needs attention, with a link."""

from __future__ import annotations

import ssl
import uuid
from typing import Any

import pytest

from openmash.alerts import senders
from openmash.alerts.senders import OutboxSender, SmtpSender
from tests.conftest import make_settings


class FakeSmtp:
    sent: list[Any] = []
    calls: list[str] = []
    contexts: list[Any] = []

    def __init__(self, host: str, port: int, timeout: float) -> None:
        FakeSmtp.calls.append(f"connect {host}:{port}")

    def __enter__(self) -> FakeSmtp:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def starttls(self, context: Any = None) -> None:
        FakeSmtp.calls.append("starttls")
        FakeSmtp.contexts.append(context)

    def login(self, user: str, password: str) -> None:
        FakeSmtp.calls.append(f"login {user}:{password}")

    def send_message(self, message: Any) -> None:
        FakeSmtp.sent.append(message)


def test_without_an_smtp_host_e_mail_goes_to_the_outbox() -> None:
    assert isinstance(senders.sender_for(make_settings()), OutboxSender)


def test_smtp_is_configured_from_the_settings_with_the_password_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENMASH_SMTP_PASSWORD", "synthetic-smtp-secret")
    settings = make_settings(smtp_host="smtp.example.invalid", smtp_port=2525, smtp_username="mash-alerts")
    sender = senders.sender_for(settings)
    assert isinstance(sender, SmtpSender)
    monkeypatch.setattr(senders.smtplib, "SMTP", FakeSmtp)
    alert_id = uuid.uuid4()
    sender.send(None, senders.message("dsl@example.invalid", alert_id, "https://openmash.example.invalid"))  # type: ignore[arg-type]
    assert FakeSmtp.calls == [
        "connect smtp.example.invalid:2525",
        "starttls",
        "login mash-alerts:synthetic-smtp-secret",
    ]
    (sent,) = FakeSmtp.sent
    assert sent["To"] == "dsl@example.invalid"
    assert f"https://openmash.example.invalid/alerts/{alert_id}" in sent.get_content()
    assert "synthetic-smtp-secret" not in str(sent)


def test_starttls_verifies_the_servers_certificate_and_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(senders.smtplib, "SMTP", FakeSmtp)
    FakeSmtp.contexts.clear()
    sender = SmtpSender("smtp.example.invalid", 587, "alerts@example.invalid")
    sender.send(
        None, senders.message("dsl@example.invalid", uuid.uuid4(), "https://openmash.example.invalid")
    )  # type: ignore[arg-type]
    (context,) = FakeSmtp.contexts
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
