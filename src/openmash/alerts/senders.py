"""E-mail about alerts, through a pluggable sender: ``OutboxSender`` writes to the outbox table (the demo and
tests, the default when no SMTP host is set), ``SmtpSender`` sends through the SMTP server in the settings
(host, port, from; the password from the environment only).

An e-mail never carries personal details: not a child's name, not the rule, not an agency; only that an alert
needs attention and a link to it, behind sign-in. E-mail leaves our control, and a link reveals nothing to
whoever reads it without an account.

``deliver_pending`` is background work: one e-mail per alert event (raised, updated) per person it is
addressed to (a MASH's users; a named lead professional only while ``access.lead_may_read`` holds, and for an
update only when a record it added is one they may see), with one
``alert_deliveries`` row each (unique). An e-mail is marked sent only once the sender accepted it; a failure
is recorded on its row (attempts, the kind of error: no address, no content) and the run goes on with the
others; a failed e-mail is retried by the next runs, up to ``MAX_ATTEMPTS``. Delivery is **at least once**,
not exactly once: through SMTP, an e-mail accepted by the server whose transaction then fails to commit (a
crash, a database error), or sent by two runs at the same moment, is sent again. The outbox writes in the
caller's transaction, so it is exactly once. The e-mail says nothing but "an alert needs attention", so a
repeat costs a duplicate, not a disclosure.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openmash.alerts.access import Shown, addressed_mash, lead_may_read, record_as_seen
from openmash.alerts.models import (
    Alert,
    AlertDelivery,
    AlertEvent,
    AlertRecipient,
    AlertRecord,
    EmailOutbox,
)
from openmash.config import Settings
from openmash.identity.models import User
from openmash.identity.permissions import Permission
from openmash.identity.principal import principal_for_user

SUBJECT = "openmash: an alert needs your attention"
NOTIFIED_EVENTS = ("raised", "updated")
LOOK_BACK = timedelta(days=7)
MAX_ATTEMPTS = 5
SENT, FAILED = "sent", "failed"


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
                # Verify the server's certificate and name (smtplib's default context does not).
                smtp.starttls(context=ssl.create_default_context())
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


def recipient_users(session: Session, alert: Alert) -> list[User]:
    """The people an alert is addressed to now: the users of its MASHes who read alerts, and its named lead
    professionals while they still read it (lead of one of its children, and ``access.lead_may_read``)."""
    recipients = list(session.scalars(select(AlertRecipient).where(AlertRecipient.alert_id == alert.id)))
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
        if addressed_mash(session, principal, alert.id) or (
            user.id in named and lead_may_read(session, principal, alert)
        ):
            found.append(user)
    return found


def _news_for(session: Session, user: User, alert: Alert, event: AlertEvent) -> bool:
    """Whether the event tells this person something: for a lead professional, an update whose new records
    they may not see (police intelligence, another child's) is not e-mailed (it would tell them it exists)."""
    principal = principal_for_user(user)
    if event.kind != "updated" or addressed_mash(session, principal, alert.id):
        return True
    added = session.scalars(
        select(AlertRecord).where(AlertRecord.alert_id == alert.id, AlertRecord.added_at == event.at)
    )
    return any(record_as_seen(session, principal, r, {}, False)[0] is Shown.SHOWN for r in added)


def _error(exc: BaseException) -> str:
    """What went wrong, without personal data: the exception's kind and an SMTP code, never its text (an SMTP
    refusal names the addresses)."""
    code = getattr(exc, "smtp_code", None)
    return f"{type(exc).__name__}{f' {code}' if isinstance(code, int) else ''}"[:200]


def _deliver_one(
    session: Session, sender: Sender, email: Email, event_id: uuid.UUID, user_id: uuid.UUID, now: datetime
) -> bool:
    """Send one e-mail unless already sent (or given up on), and record the outcome; True when sent."""
    row = session.scalar(
        select(AlertDelivery).where(AlertDelivery.event_id == event_id, AlertDelivery.user_id == user_id)
    )
    if row is not None and (row.status == SENT or row.attempts >= MAX_ATTEMPTS):
        return False
    error: str | None = None
    try:
        with session.begin_nested():
            sender.send(session, email)
    except Exception as exc:  # one bad address or a server hiccup must not stop the others
        error = _error(exc)
    status = SENT if error is None else FAILED
    if row is None:
        try:
            with session.begin_nested():
                row = AlertDelivery(
                    event_id=event_id, user_id=user_id, sender=sender.name, status=status, attempts=1
                )
                session.add(row)
                session.flush()
        except IntegrityError:
            return error is None  # another run recorded it at the same moment (at least once)
    else:
        row.status, row.attempts, row.sender = status, row.attempts + 1, sender.name
    row.last_error = error
    row.delivered_at = now if error is None else None
    session.flush()
    return error is None


def deliver_pending(
    session: Session, sender: Sender, now: datetime, *, base_url: str, look_back: timedelta = LOOK_BACK
) -> int:
    """E-mail everyone an alert raised or updated in the last ``look_back`` is addressed to, once per event
    (at least once: see the module), each e-mail on its own; returns how many were sent. Closed alerts are
    not e-mailed about."""
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
        done = set(
            session.scalars(
                select(AlertDelivery.user_id).where(
                    AlertDelivery.event_id == event.id,
                    (AlertDelivery.status == SENT) | (AlertDelivery.attempts >= MAX_ATTEMPTS),
                )
            )
        )
        for user in recipient_users(session, alert):
            if user.id in done or not _news_for(session, user, alert, event):
                continue
            email = message(user.email, alert.id, base_url, updated=event.kind == "updated")
            sent += _deliver_one(session, sender, email, event.id, user.id, now)
    return sent
