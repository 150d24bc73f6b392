"""Request and response bodies of the API for support after court (kept apart from the database models)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class SupportItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(max_length=20, description="therapy, advocate, isva or other")
    description: str = Field(max_length=300)
    owner_user_id: uuid.UUID = Field(description="The named person who owns this support (any active user)")
    started_on: date
    shared_with_police: bool = False


class CourtDateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(max_length=20, description="hearing, trial or verdict")
    held_on: date = Field(description="A verdict's date must be today or in the past")
    court: str | None = Field(default=None, max_length=300)
    outcome: str | None = Field(default=None, max_length=5000)
    shared_with_police: bool = True


class SupportEventOut(BaseModel):
    kind: str = Field(description="status, closure_requested or review")
    status: str | None = Field(description="open, paused or closed; for a review: closed or kept_open")
    reasons: str | None
    acted_at: datetime
    by: str


class SupportItemOut(BaseModel):
    id: uuid.UUID
    kind: str
    description: str
    owner: str
    owner_user_id: uuid.UUID
    started_on: date
    status: str = "open"
    review_pending: bool = False
    history: list[SupportEventOut] = []


class CourtDateOut(BaseModel):
    id: uuid.UUID
    kind: str
    held_on: date
    court: str | None
    outcome: str | None
    recorded_by: str


class SupportPlanOut(BaseModel):
    child_id: uuid.UUID
    items: list[SupportItemOut]
    court_dates: list[CourtDateOut]
    verdict_on: date | None = Field(description="The verdict whose review window holds today, if any")
    review_until: date | None = Field(
        description="Closing an item needs a MASH manager's review before this day"
    )
    gap: bool = Field(description="A verdict in the window and no support item open")
