"""Request and response bodies of the safeguarding hub's API (kept apart from the database models)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class IdentifiersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nhs_number: str = Field(default="", max_length=20, description="10 digits, spaces allowed")
    upn: str = Field(default="", max_length=20, description="Unique pupil number, 13 characters")
    police_id: str = Field(default="", max_length=40, description="Your force's own reference")
    social_care_id: str = Field(default="", max_length=40, description="Your council's own id")

    def as_dict(self) -> dict[str, str]:
        return self.model_dump()


class ChildSearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    surname: str = Field(max_length=100)
    forenames: str = Field(max_length=100)
    date_of_birth: date | None = None
    identifiers: IdentifiersIn = Field(default_factory=IdentifiersIn)


class ChildIn(ChildSearchIn):
    sex: str = Field(default="", max_length=10)
    ethnicity: str = Field(default="", max_length=100)
    religion: str = Field(default="", max_length=100)
    first_language: str = Field(default="", max_length=100)
    disability: str = Field(default="", max_length=300)
    learning_disability: bool = False
    none_of_these: bool = Field(
        default=False,
        description="You searched and checked the children proposed: none of them is this child. Needed "
        "whenever the search proposes any child (otherwise 409 likely_matches).",
    )


class BadgeOut(BaseModel):
    code: str
    label: str


class ComparisonOut(BaseModel):
    field: str
    level: str
    weight: float
    detail: str


class CandidateOut(BaseModel):
    child_id: uuid.UUID
    surname: str
    forenames: str
    date_of_birth: date | None
    badges: list[BadgeOut]
    band: str = Field(description="certain, probable or possible")
    score: float
    explanation: list[ComparisonOut]


class SearchOut(BaseModel):
    engine: str
    candidates: list[CandidateOut]


class ChildSummaryOut(BaseModel):
    id: uuid.UUID
    surname: str
    forenames: str
    date_of_birth: date | None
    badges: list[BadgeOut]


class IdentifierOut(BaseModel):
    kind: str
    value: str
    agency: str
    own: bool


class LeadProfessionalOut(BaseModel):
    name: str
    agency: str
    email: str


class ChildOut(ChildSummaryOut):
    sex: str | None
    ethnicity: str | None
    religion: str | None
    first_language: str | None
    disability: str | None
    learning_disability: bool
    looked_after: bool
    placement: str | None
    lead_professional: LeadProfessionalOut | None
    identifiers: list[IdentifierOut]
    scope: str = Field(description="whole, police or own_agency: which agencies' concerns you see")


class ConcernIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str = Field(max_length=60, description="A category code of the taxonomy")
    occurred_at: datetime = Field(description="When it happened, with its offset; may be in the past")
    summary: str = Field(max_length=20000)
    childs_words: str | None = Field(default=None, max_length=20000, description="Kept exactly as sent")
    vehicle_registration: str | None = Field(default=None, max_length=40)
    vehicle_description: str | None = Field(default=None, max_length=1000)
    shared_with_police: bool = False


class MentionsIn(BaseModel):
    """Who or what a concern mentions besides the child, each value as written (20 of each at most)."""

    model_config = ConfigDict(extra="forbid")
    adults: list[str] = Field(default_factory=list, max_length=20, description="Adults by name, as known")
    phones: list[str] = Field(default_factory=list, max_length=20, description="Phone numbers, any form")
    addresses: list[str] = Field(default_factory=list, max_length=20, description="Addresses or postcodes")


class CorrectionIn(ConcernIn):
    reason: str = Field(max_length=5000, description="Why the concern is corrected")
    mentions: MentionsIn | None = Field(
        default=None,
        description="What the correction mentions. Left out: the corrected entry's mentions are carried "
        "over (keeping who recorded each and when); given (even empty): the correction mentions exactly "
        "these (how a wrong one is taken out). Required (422 on `mentions` otherwise) when the correction "
        "lets more people see the concern: now shared with police, or out of a restricted category.",
    )


class ConcernOut(BaseModel):
    id: uuid.UUID
    child_id: uuid.UUID
    category: str
    occurred_at: datetime
    recorded_at: datetime
    corrects_id: uuid.UUID | None


class EntryOut(BaseModel):
    id: uuid.UUID
    kind: str = Field(description="concern, or another kind of entry (a missing episode, a request for help)")
    occurred_at: datetime
    recorded_at: datetime
    backdated: bool
    agency_name: str
    agency_type: str
    own_agency: bool
    recorded_by: str
    category: str
    category_label: str
    indicator_kind: str
    summary: str
    childs_words: str | None
    vehicle_registration: str | None
    vehicle_description: str | None
    shared_with_police: bool
    corrects_id: uuid.UUID | None
    correction_reason: str | None
    corrected_by_id: uuid.UUID | None


class ChronologyOut(BaseModel):
    child_id: uuid.UUID
    surname: str
    forenames: str
    date_of_birth: date | None
    badges: list[BadgeOut]
    scope: str
    entries: list[EntryOut]


class IndicatorOut(BaseModel):
    category: str
    label: str
    kind: str
    points: int
    current: bool
    latest: datetime
    concern_ids: list[str]


class ScreeningIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    judgement_band: str | None = Field(
        default=None,
        max_length=20,
        description="Raise the grade: mild, moderate or significant (never lower)",
    )
    judgement_reasons: str = Field(default="", max_length=5000)


class ScreeningOut(BaseModel):
    id: uuid.UUID
    screened_at: datetime
    screened_by: str
    score: int
    scored_band: str
    computed_band: str
    judgement_band: str | None
    judgement_reasons: str | None
    final_band: str
    indicators: list[IndicatorOut]
    overrides: list[str]
