"""Response bodies of the alerts API (kept apart from the database models and from alerts.inbox's views)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from openmash.api.children_schemas import BadgeOut


class AlertChildOut(BaseModel):
    child_id: uuid.UUID
    surname: str
    forenames: str
    date_of_birth: date | None
    badges: list[BadgeOut]


class AlertSummaryOut(BaseModel):
    id: uuid.UUID
    title: str = Field(description="What fired, without personal details")
    rule_code: str
    status: str = Field(description="new, seen or closed")
    raised_at: datetime
    last_fired_at: datetime
    children: list[AlertChildOut] = Field(description="The children you may see by name")
    other_children: int = Field(description="Children in the alert you may not see by name, counted")


class AlertPage(BaseModel):
    total: int = Field(description="Alerts in the statuses asked for, before limit and offset")
    alerts: list[AlertSummaryOut]


class AlertRecordOut(BaseModel):
    record_kind: str = Field(
        description="concern, concern_mention, missing_episode, missing_return, help_request, gate_sighting, "
        "court_date, support_item, driver_concern or licence_event"
    )
    record_id: uuid.UUID
    child_id: uuid.UUID | None = Field(
        description="Open the child's chronology (with your purpose) to read the record itself"
    )
    when: datetime | date | None
    agency: str
    description: str


class AlertEventOut(BaseModel):
    kind: str = Field(description="raised, updated, seen or closed")
    at: datetime
    by: str
    note: str | None


class AlertOut(BaseModel):
    alert: AlertSummaryOut
    rule_label: str
    subject: str = Field(description="What it is about, as far as you may know")
    drivers: list[str] = Field(description="Drivers behind a vehicle: only for those who read the network")
    records: list[AlertRecordOut] = Field(description="The records that fired it that you may see")
    withheld_records: int = Field(description="Records that fired it that you may not see, counted")
    history: list[AlertEventOut]
    details: dict[str, Any]
    may_change_status: bool = Field(description="Whether you may mark it seen (the MASH it is addressed to)")


class AlertStatusOut(BaseModel):
    id: uuid.UUID
    status: str
    status_at: datetime
    status_by: str | None
