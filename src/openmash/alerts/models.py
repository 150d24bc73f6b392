"""Tables of the alerts: the rules (data an administrator keeps), the alerts raised, the children and the
exact records behind each, who they are addressed to, their history, and the e-mails sent about them.

An alert's current status is a column (new, seen, closed) so lists are one read; every change of it is also
a row in ``alert_events`` with who and when (append-only, migration 0008), and is audited. The records and
children behind an alert only accumulate (append-only too): an alert still open when new facts arrive gains
them, and goes back to "new".
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openmash.db.base import Entity


class AlertRule(Entity):
    """One rule: its kind (what it checks), its parameters (thresholds, windows) and whether it is on."""

    __tablename__ = "alert_rules"

    code: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(300))
    enabled: Mapped[bool] = mapped_column(default=True)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)


class Alert(Entity):
    """An alert: which rule fired, about what (``subject_key``: a child, a vehicle, an entity, a request),
    its status, and a title that holds no personal details."""

    __tablename__ = "alerts"
    __table_args__ = (
        # One open alert per rule and subject: ``open_key`` is the subject while the alert is not closed,
        # and NULL (never equal to another) once closed.
        UniqueConstraint("rule_code", "open_key"),
        Index("ix_alerts_rule_subject", "rule_code", "subject_key"),
    )

    rule_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alert_rules.id"))
    rule_code: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(40))
    subject_key: Mapped[str] = mapped_column(String(200))
    open_key: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10))  # new, seen, closed
    status_at: Mapped[datetime]
    status_by: Mapped[str | None] = mapped_column(String(300))
    raised_at: Mapped[datetime]
    last_fired_at: Mapped[datetime]


class AlertChild(Entity):
    __tablename__ = "alert_children"
    __table_args__ = (UniqueConstraint("alert_id", "child_id"),)

    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alerts.id"))
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"), index=True)


class AlertRecord(Entity):
    """One record that fired an alert: its kind (concern, gate_sighting, driver_concern...) and id."""

    __tablename__ = "alert_records"
    __table_args__ = (UniqueConstraint("alert_id", "record_kind", "record_id"),)

    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alerts.id"))
    record_kind: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[uuid.UUID]
    child_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("children.id"))
    added_at: Mapped[datetime]


class AlertRecipient(Entity):
    """Who an alert is addressed to: a MASH (all its users who read alerts) or a named lead professional."""

    __tablename__ = "alert_recipients"

    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alerts.id"), index=True)
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)


class AlertEvent(Entity):
    """The history of an alert: raised, updated (new facts), seen, closed, reopened; with who and when."""

    __tablename__ = "alert_events"
    __table_args__ = (Index("ix_alert_events_alert_at", "alert_id", "at"),)

    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alerts.id"))
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]
    by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    by: Mapped[str] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)


class AlertDelivery(Entity):
    """The e-mail to one person about one alert event: sent (once the sender accepted it) or failed (retried
    by the next run, up to a limit), with the attempts and the last error (its kind only, no address)."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alert_events.id"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    sender: Mapped[str] = mapped_column(String(20))  # outbox, smtp
    status: Mapped[str] = mapped_column(String(10), default="sent")  # sent, failed
    attempts: Mapped[int] = mapped_column(default=1)
    last_error: Mapped[str | None] = mapped_column(String(200))
    delivered_at: Mapped[datetime | None]  # when sent


class EmailOutbox(Entity):
    """An e-mail written to the outbox instead of sent (the demo and tests). Never holds personal details."""

    __tablename__ = "email_outbox"

    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
