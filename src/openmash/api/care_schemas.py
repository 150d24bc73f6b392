"""Request and response bodies of the API for missing episodes, Philomena profiles, MASH triage and requests
for help (kept apart from the database models)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from openmash.api.children_schemas import BadgeOut


class MissingReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    missing_since: datetime = Field(description="When the child was last seen, with its offset")
    last_seen_where: str = Field(max_length=300)
    circumstances: str = Field(max_length=5000)
    clothing: str | None = Field(default=None, max_length=5000)
    police_reference: str | None = Field(default=None, max_length=40)
    shared_with_police: bool = Field(
        default=True,
        description="Shared with police by default; for a looked-after child the Philomena profile goes too",
    )
    mash_agency_id: uuid.UUID | None = Field(
        default=None, description="The MASH arranging the return home interview (a MASH's own by default)"
    )


class EpisodeOut(BaseModel):
    id: uuid.UUID
    child_id: uuid.UUID
    missing_since: datetime
    last_seen_where: str
    shared_with_police: bool
    mash_agency_id: uuid.UUID
    reported_at: datetime


class ReturnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    returned_at: datetime
    how: str = Field(max_length=20, description="found, or returned (came back of their own accord)")
    found_where: str = Field(max_length=300)
    found_with: str | None = Field(default=None, max_length=5000)
    transport: str | None = Field(default=None, max_length=300)
    vehicle_registration: str | None = Field(default=None, max_length=40)
    vehicle_description: str | None = Field(default=None, max_length=300)


class ReturnOut(BaseModel):
    episode_id: uuid.UUID
    returned_at: datetime
    how: str
    vehicle_registration: str | None
    interview_due_at: datetime = Field(description="72 hours after the return")


class InterviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: str = Field(max_length=20, description="offered, declined or completed")
    interviewer: str = Field(max_length=200)
    held_at: datetime
    childs_account: str | None = Field(
        default=None, max_length=10000, description="Needed when completed; kept exactly as sent"
    )
    summary: str | None = Field(default=None, max_length=5000)
    shared_with_police: bool = False


class InterviewOut(BaseModel):
    id: uuid.UUID
    episode_id: uuid.UUID
    outcome: str
    held_at: datetime
    status: str = Field(description="The interview's status after this step: due, overdue, completed, ...")


class DueInterviewOut(BaseModel):
    episode_id: uuid.UUID
    child_id: uuid.UUID
    surname: str
    forenames: str
    badges: list[BadgeOut]
    returned_at: datetime
    due_at: datetime
    overdue: bool
    offered_at: datetime | None


class ProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str = Field(max_length=5000)
    vulnerabilities: str | None = Field(default=None, max_length=5000)
    associates: str | None = Field(default=None, max_length=5000)
    places: str | None = Field(default=None, max_length=5000)
    phone: str | None = Field(default=None, max_length=100)
    social_media: str | None = Field(default=None, max_length=5000)
    transport: str | None = Field(default=None, max_length=5000)
    photo_reference: str | None = Field(default=None, max_length=300)
    change_note: str | None = Field(default=None, max_length=500)


class ProfileOut(BaseModel):
    id: uuid.UUID
    version: int
    recorded_at: datetime
    recorded_by: str
    change_note: str | None
    description: str
    vulnerabilities: str | None
    associates: str | None
    places: str | None
    phone: str | None
    social_media: str | None
    transport: str | None
    photo_reference: str | None


class ShareOut(BaseModel):
    id: uuid.UUID
    episode_id: uuid.UUID
    shared_at: datetime
    shared_by: str
    profile_version: int | None = Field(description="None: no Philomena profile was kept")
    snapshot: dict[str, Any] = Field(description="The child, the profile as it stood, the day's details")


class ReferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mash_agency_id: uuid.UUID = Field(description="The MASH the concern is sent to")


class ContactOut(BaseModel):
    id: uuid.UUID
    child_id: uuid.UUID
    mash_agency_id: uuid.UUID
    source: str
    received_at: datetime


class QueueItemOut(BaseModel):
    contact_id: uuid.UUID
    child_id: uuid.UUID
    surname: str
    forenames: str
    badges: list[BadgeOut]
    source: str
    received_at: datetime
    from_agency: str
    category: str | None
    summary: str | None
    grade: str | None = Field(description="red, amber, green; None: not yet graded (queued as red)")
    grades_given: int
    due_at: datetime
    overdue: bool


class HelpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    asked_at: datetime = Field(description="When the child asked (the times to act count from it)")
    told_to: str = Field(max_length=200)
    childs_words: str = Field(max_length=10000, description="Kept exactly as sent")
    mash_agency_id: uuid.UUID | None = Field(default=None, description="A MASH's own by default")
    summary: str | None = Field(default=None, max_length=5000)
    shared_with_police: bool = False


class HelpRecordedOut(BaseModel):
    id: uuid.UUID
    child_id: uuid.UUID
    asked_at: datetime
    acknowledge_due_at: datetime
    answer_due_at: datetime


class HelpRequestOut(BaseModel):
    id: uuid.UUID
    child_id: uuid.UUID
    surname: str
    forenames: str
    badges: list[BadgeOut]
    recorded_by_agency: str
    asked_at: datetime
    told_to: str
    childs_words: str
    acknowledged_by: str | None
    answered_by: str | None
    acknowledge_due_at: datetime
    answer_due_at: datetime
    escalated: bool
    next_due_at: datetime | None = Field(description="None once answered: awaiting the child's view")
    overdue: bool
