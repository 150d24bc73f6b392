"""E-mail about alerts, through a pluggable sender: ``OutboxSender`` writes to the outbox table (the demo and
tests, the default when no SMTP host is set), ``SmtpSender`` sends through the SMTP server in the settings
(host, port, from; the password from the environment only).

An e-mail never carries personal details: not a child's name, not the rule, not an agency; only that an alert
needs attention and a link to it, behind sign-in. E-mail leaves our control, and a link reveals nothing to
whoever reads it without an account.

``deliver_pending`` is background work, idempotent: one e-mail per alert event (raised, updated) per person it
is addressed to, recorded in ``alert_deliveries`` (unique) before the e-mail goes, so a re-run sends nothing
twice, and a failed send rolls the record back to be retried on the next run.
"""

from __future__ import annotations

import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openmash.alerts.models import Alert, AlertDelivery, AlertEvent, AlertRecipient, EmailOutbox
from openmash.config import Settings
from openmash.identity.models import User
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import principal_for_user

SUBJECT = "openmash: an alert needs your attention"
NOTIFIED_EVENTS = ("raised", "updated")
LOOK_BACK = timedelta(days=7)


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


class Sender(Protocol):
    name: str

    def send(self, session: Session, email: Email) -> None: ...


class OutboxSender:
    """Writes each e-mail to the ``email_outbox`` table, in the caller's transaction."""

    name = "outbox"

    def send(self, session: Session, email: Email) -> None:
        session.add(EmailOutbox(to_address=email.to, subject=email.subject, body=email.body))
        session.flush()


class SmtpSender:
    """Sends through an SMTP server, with STARTTLS unless turned off."""

    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int,
        from_address: str,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        timeout: float = 30.0,
    ) -> None:
        self.host, self.port, self.from_address = host, port, from_address
        self.username, self._password = username, password
        self.starttls, self.timeout = starttls, timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpSender:
        if not settings.smtp_host:
            raise ValueError("OPENMASH_SMTP_HOST is not set")
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_from,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls,
        )

    def send(self, session: Session, email: Email) -> None:
        message = EmailMessage()
        message["From"] = self.from_address
        message["To"] = email.to
        message["Subject"] = email.subject
        message.set_content(email.body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username and self._password:
                smtp.login(self.username, self._password)
            smtp.send_message(message)


def sender_for(settings: Settings) -> Sender:
    """SMTP when a host is set, otherwise the outbox."""
    return SmtpSender.from_settings(settings) if settings.smtp_host else OutboxSender()


def message(to: str, alert_id: uuid.UUID, base_url: str, *, updated: bool = False) -> Email:
    """The only e-mail openmash sends about an alert: no personal details, only a link."""
    what = "An alert has new information and needs" if updated else "A new alert needs"
    link = f"{base_url.rstrip('/')}/alerts/{alert_id}"
    body = (
        f"{what} your attention in openmash.\n\n"
        f"Sign in to see it: {link}\n\n"
        "This e-mail holds no personal details. Do not reply to it.\n"
    )
    return Email(to=to, subject=SUBJECT, body=body)


def recipient_users(session: Session, alert_id: uuid.UUID) -> list[User]:
    """The people an alert is addressed to: the users of its MASHes who read alerts, and its named lead
    professionals (while they still may read alerts)."""
    recipients = list(session.scalars(select(AlertRecipient).where(AlertRecipient.alert_id == alert_id)))
    agencies = [r.agency_id for r in recipients if r.agency_id is not None]
    named = [r.user_id for r in recipients if r.user_id is not None]
    users = list(
        session.scalars(
            select(User)
            .where(User.active.is_(True), (User.agency_id.in_(agencies)) | (User.id.in_(named)))
            .order_by(User.email)
        )
    )
    found = []
    for user in users:
        principal = principal_for_user(user)
        if not principal.can(Permission.ALERTS_READ):
            continue
        mash = user.agency_id in agencies and principal.agency_type is AgencyType.CHILDRENS_SOCIAL_CARE
        if mash or user.id in named:
            found.append(user)
    return found


def deliver_pending(
    session: Session, sender: Sender, now: datetime, *, base_url: str, look_back: timedelta = LOOK_BACK
) -> int:
    """E-mail everyone an alert raised or updated in the last ``look_back`` is addressed to, once per event;
    returns how many e-mails were sent. Closed alerts are not e-mailed about."""
    sent = 0
    events = session.execute(
        select(AlertEvent, Alert)
        .join(Alert, AlertEvent.alert_id == Alert.id)
        .where(
            AlertEvent.kind.in_(NOTIFIED_EVENTS), AlertEvent.at >= now - look_back, Alert.status != "closed"
        )
        .order_by(AlertEvent.at, AlertEvent.id)
    ).all()
    for event, alert in events:
        done = set(session.scalars(select(AlertDelivery.user_id).where(AlertDelivery.event_id == event.id)))
        for user in recipient_users(session, alert.id):
            if user.id in done:
                continue
            try:
                with session.begin_nested():
                    session.add(
                        AlertDelivery(
                            event_id=event.id, user_id=user.id, sender=sender.name, delivered_at=now
                        )
                    )
                    session.flush()
            except IntegrityError:
                continue  # another run claimed it
            sender.send(session, message(user.email, alert.id, base_url, updated=event.kind == "updated"))
            sent += 1
    return sent
