"""Request and response bodies of the API (kept apart from the database models)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: dict[str, str] = Field(default_factory=dict)


class ErrorBody(BaseModel):
    error: ErrorDetail


class WhoAmI(BaseModel):
    kind: str
    name: str
    agency_code: str
    agency_name: str
    permissions: list[str]


class AgencyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    type: str
    code: str
    name: str
    active: bool


class AgencyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(
        min_length=1, max_length=40, description="One of the agency type codes, e.g. licensing_authority"
    )
    code: str = Field(
        min_length=1, max_length=40, description="GSS code for a licensing authority, e.g. E06000060"
    )
    name: str = Field(min_length=1, max_length=200)


class AuditRecordOut(BaseModel):
    seq: int
    occurred_at: datetime
    action: str
    outcome: str
    actor: str
    agency_code: str | None
    object_type: str | None
    object_id: str | None
    purpose: str | None
    request_id: str | None


class AuditPage(BaseModel):
    total: int
    records: list[AuditRecordOut]


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorBody, "description": "The request could not be read (for example malformed JSON)"},
    401: {"model": ErrorBody, "description": "No valid API token"},
    403: {"model": ErrorBody, "description": "The token lacks the permission"},
    413: {"model": ErrorBody, "description": "The request body is too large"},
    415: {"model": ErrorBody, "description": "The body is not JSON"},
    422: {"model": ErrorBody, "description": "Input broke a rule; fields says which"},
}
