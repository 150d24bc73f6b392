"""Alerts: rules as data, evaluated on each new record and on a schedule; in-app lists and e-mail through a
pluggable sender (docs/decisions/0007-gate-check-network-and-alerts.md).

What the shells call (one transaction per user action):
- after recording anything about a child: ``alerts.evaluate_child(session, child_id, now)``;
- after a gate check: ``alerts.evaluate_sighting(session, answer.sighting_id, now)``;
- from cron: ``alerts.run_scheduled(session, now)`` then
  ``alerts.deliver_pending(session, alerts.sender_for(settings), now, base_url=settings.public_base_url)``.
"""

from openmash.alerts.engine import evaluate_child, evaluate_sighting, evaluate_vehicle, run_scheduled
from openmash.alerts.inbox import (
    alert_detail,
    alerts_for,
    alerts_page,
    close_alert,
    count_new,
    mark_seen,
)
from openmash.alerts.rules import list_rules, seed_default_rules, update_rule
from openmash.alerts.senders import OutboxSender, SmtpSender, deliver_pending, sender_for

__all__ = [
    "OutboxSender",
    "SmtpSender",
    "alert_detail",
    "alerts_for",
    "alerts_page",
    "close_alert",
    "count_new",
    "deliver_pending",
    "evaluate_child",
    "evaluate_sighting",
    "evaluate_vehicle",
    "list_rules",
    "mark_seen",
    "run_scheduled",
    "seed_default_rules",
    "sender_for",
    "update_rule",
]
