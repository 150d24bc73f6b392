"""API v1 for support after court: a child's support plan and court dates, adding an item or a court date.
Thin over safeguarding.support and .support_plan, which apply need-to-know and audit.

Changing an item's status, asking for a review and a MASH manager's review are a named person's steps (who,
when and why): they have no route here, as a token is not a person. The purpose of access is the ``purpose``
query parameter, as in the rest of the API.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from openmash.api.care import RESPONSES, Purpose
from openmash.api.support_schemas import (
    CourtDateIn,
    CourtDateOut,
    SupportEventOut,
    SupportItemIn,
    SupportItemOut,
    SupportPlanOut,
)
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.http.recorded import child_recorded
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.safeguarding import court_dates, support, support_plan
from openmash.safeguarding.court_dates import CourtDateInput
from openmash.safeguarding.support import ItemInput

router = APIRouter(prefix="/children", tags=["safeguarding"])
Keeper = Annotated[Principal, Depends(require(Permission.SUPPORT_KEEP))]
Reader = Annotated[Principal, Depends(require(Permission.CHRONOLOGY_READ))]


@router.get(
    "/{child_id}/support",
    response_model=SupportPlanOut,
    responses=RESPONSES,
    summary="A child's support plan (items, owners, status and history) and court dates",
)
def read_plan(
    request: Request, child_id: uuid.UUID, principal: Reader, purpose: Purpose = ""
) -> SupportPlanOut:
    with app_context(request).transaction() as session:
        plan = support_plan.support_plan(session, principal, child_id, purpose, audit_context(request))
    return SupportPlanOut(
        child_id=plan.child.id,
        items=[
            SupportItemOut(
                id=i.id,
                kind=i.kind,
                description=i.description,
                owner=i.owner,
                owner_user_id=i.owner_user_id,
                started_on=i.started_on,
                status=i.status,
                review_pending=i.review_pending,
                history=[SupportEventOut.model_validate(e, from_attributes=True) for e in i.history],
            )
            for i in plan.items
        ],
        court_dates=[CourtDateOut.model_validate(d, from_attributes=True) for d in plan.court_dates],
        verdict_on=plan.verdict_on,
        review_until=plan.review_until,
        gap=plan.gap,
    )


@router.post(
    "/{child_id}/support-items",
    response_model=SupportItemOut,
    status_code=201,
    responses=RESPONSES,
    summary="Add an item to a child's support plan, open, with its named owner",
)
def add_item(request: Request, child_id: uuid.UUID, body: SupportItemIn, principal: Keeper) -> SupportItemOut:
    data = ItemInput(**body.model_dump())
    with app_context(request).transaction() as session:
        item = support.add_item(session, principal, child_id, data, audit_context(request))
        child_recorded(session, child_id)
        return SupportItemOut.model_validate(item, from_attributes=True)


@router.post(
    "/{child_id}/court-dates",
    response_model=CourtDateOut,
    status_code=201,
    responses=RESPONSES,
    summary="Record a hearing, trial or verdict against a child",
)
def add_court_date(
    request: Request, child_id: uuid.UUID, body: CourtDateIn, principal: Keeper
) -> CourtDateOut:
    data = CourtDateInput(**body.model_dump())
    with app_context(request).transaction() as session:
        found = court_dates.record_court_date(session, principal, child_id, data, audit_context(request))
        child_recorded(session, child_id)
        return CourtDateOut.model_validate(found, from_attributes=True)
