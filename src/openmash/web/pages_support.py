"""A child's support after court: the support plan (items, owners, status and history), the court dates,
adding an item or a court date, changing an item's status with reasons, asking for and recording a MASH
manager's review. The rules (who keeps the plan, the review window after a verdict) live in
safeguarding.support; what a viewer sees in safeguarding.support_plan over visibility."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from openmash.errors import Conflict, NotFoundError, PurposeRequired, ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.http.recorded import child_recorded
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.safeguarding import court_dates, support, support_plan
from openmash.safeguarding.court_dates import CourtDateInput
from openmash.safeguarding.models_support import SupportItem
from openmash.safeguarding.support import ItemInput
from openmash.web.care_forms import field_errors, form_values, read_uuid, yes_no
from openmash.web.child_forms import SHORT, opened_or_asked, read_date, with_purpose
from openmash.web.templating import render

router = APIRouter()
Reader = Annotated[Principal, Depends(require(Permission.CHRONOLOGY_READ))]
Keeper = Annotated[Principal, Depends(require(Permission.SUPPORT_KEEP))]
Reviewer = Annotated[Principal, Depends(require(Permission.SUPPORT_REVIEW))]

ITEM_FIELDS = (
    "kind",
    "description",
    "owner_user_id",
    "started_on-day",
    "started_on-month",
    "started_on-year",
)
COURT_FIELDS = (
    "court_kind",
    "held_on-day",
    "held_on-month",
    "held_on-year",
    "court",
    "outcome",
    "court_police",
)
STEP_FIELDS = ("status", "reasons", "decision")


def _context(
    request: Request,
    session: Session,
    principal: Principal,
    plan: support_plan.Plan,
    values: dict[str, str],
) -> dict[str, Any]:
    owners = support_plan.owner_choices(session, principal, plan.child.id)
    chosen = values.get("owner_user_id") or str(principal.id)
    return {
        "plan": plan,
        "c": plan.child,
        "purpose": plan.purpose or "",
        "child_link": with_purpose(f"/children/{plan.child.id}", plan.purpose),
        "kinds": [
            {"value": str(k), "text": label, "selected": values.get("kind") == k}
            for k, label in support.KIND_LABELS.items()
        ],
        "status_items": {
            str(now): [{"value": str(s), "text": str(s).capitalize()} for s in support.Status if s != now]
            for now in support.Status
        },
        "owner_items": [{"value": str(i), "text": n, "selected": chosen == str(i)} for i, n in owners],
        "court_kinds": [
            {"value": str(k), "text": str(k).capitalize(), "checked": values.get("court_kind") == k}
            for k in court_dates.CourtKind
        ],
        "police_items": yes_no({"court_police": values.get("court_police", "yes")}, "court_police"),
        "may_keep": principal.can(Permission.SUPPORT_KEEP),
        "may_review": principal.can(Permission.SUPPORT_REVIEW),
        "values": values,
        "errors": {},
        "problem": None,
        "done": request.query_params.get("done"),
        "column": "full",
    }


@router.get("/children/{child_id}/support")
def support_page(
    request: Request,
    principal: Reader,
    child_id: uuid.UUID,
    purpose: Annotated[str | None, Query(max_length=SHORT)] = None,
    purpose_choice: Annotated[str, Query(max_length=40)] = "",
    purpose_other: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    def load(stated: str | None) -> dict[str, Any]:
        with app_context(request).transaction() as session:
            plan = support_plan.support_plan(session, principal, child_id, stated, audit_context(request))
            return _context(request, session, principal, plan, {})

    opened = opened_or_asked(
        request, f"/children/{child_id}/support", [], purpose, purpose_choice, purpose_other, load
    )
    if isinstance(opened, Response):
        return opened
    return render(request, "care/support.html", opened)


def _again(
    request: Request,
    principal: Principal,
    child_id: uuid.UUID,
    purpose: str,
    values: dict[str, str],
    errors: dict[str, str],
    problem: str | None = None,
) -> Response:
    """The page again, with the form's values and the problems (400)."""
    try:
        with app_context(request).transaction() as session:
            plan = support_plan.support_plan(
                session, principal, child_id, purpose or None, audit_context(request)
            )
            context = _context(request, session, principal, plan, values)
    except PurposeRequired:
        return RedirectResponse(f"/children/{child_id}/support", status_code=303)
    context["errors"] = errors
    context["problem"] = problem
    return render(request, "care/support.html", context, 400)


def _done(child_id: uuid.UUID, purpose: str, done: str) -> Response:
    return RedirectResponse(
        with_purpose(f"/children/{child_id}/support", purpose or None, done=done), status_code=303
    )


@router.post("/children/{child_id}/support/items")
async def add_item(request: Request, principal: Keeper, child_id: uuid.UUID) -> Response:
    form = await request.form()
    values = form_values(form, ITEM_FIELDS)
    purpose = str(form.get("purpose", ""))[:SHORT]
    started, problem = read_date(
        values["started_on-day"], values["started_on-month"], values["started_on-year"], "The start date"
    )
    own = {"started_on-day": problem or "Enter the date the support started"} if started is None else {}
    try:
        if started is None:
            raise ValidationFailed(own)
        data = ItemInput(values["kind"], values["description"], read_uuid(values["owner_user_id"]), started)
        with app_context(request).transaction() as session:
            support.add_item(session, principal, child_id, data, audit_context(request))
            child_recorded(session, child_id)
    except ValidationFailed as exc:
        return _again(request, principal, child_id, purpose, values, field_errors(own, exc.fields))
    return _done(child_id, purpose, "item")


@router.post("/children/{child_id}/support/court-dates")
async def add_court_date(request: Request, principal: Keeper, child_id: uuid.UUID) -> Response:
    form = await request.form()
    values = form_values(form, COURT_FIELDS)
    purpose = str(form.get("purpose", ""))[:SHORT]
    held, problem = read_date(
        values["held_on-day"], values["held_on-month"], values["held_on-year"], "The date"
    )
    own = (
        {"held_on-day": problem or "Enter the date of the hearing, trial or verdict"} if held is None else {}
    )
    try:
        if held is None:
            raise ValidationFailed(own)
        data = CourtDateInput(
            values["court_kind"], held, values["court"], values["outcome"], values["court_police"] != "no"
        )
        with app_context(request).transaction() as session:
            court_dates.record_court_date(session, principal, child_id, data, audit_context(request))
            child_recorded(session, child_id)
    except ValidationFailed as exc:
        errors = field_errors(own, exc.fields, {"kind": "court_kind", "held_on": "held_on-day"})
        return _again(request, principal, child_id, purpose, values, errors)
    return _done(child_id, purpose, "court_date")


def _item_child(request: Request, item_id: uuid.UUID) -> uuid.UUID | None:
    with app_context(request).transaction() as session:
        item = session.get(SupportItem, item_id)
        return item.child_id if item is not None else None


async def _step(request: Request, principal: Principal, item_id: uuid.UUID, step: str) -> Response:
    form = await request.form()
    values = form_values(form, STEP_FIELDS)
    purpose = str(form.get("purpose", ""))[:SHORT]
    child_id = _item_child(request, item_id)
    if child_id is None:
        raise NotFoundError("Support item not found")
    try:
        with app_context(request).transaction() as session:
            context = audit_context(request)
            if step == "status":
                support.change_status(
                    session, principal, item_id, values["status"], values["reasons"], context
                )
            elif step == "request":
                support.request_closure(session, principal, item_id, values["reasons"], context)
            else:
                close = values["decision"] == "close"
                if values["decision"] not in ("close", "keep"):
                    raise ValidationFailed({"decision": "Select whether to close the support or keep it"})
                support.review_closure(session, principal, item_id, close, values["reasons"], context)
            child_recorded(session, child_id)
    except ValidationFailed as exc:
        errors = {f"{k}-{item_id}": v for k, v in exc.fields.items()}
        return _again(request, principal, child_id, purpose, {}, errors)
    except Conflict as exc:
        return _again(request, principal, child_id, purpose, {}, {}, str(exc))
    return _done(child_id, purpose, step)


@router.post("/support/items/{item_id}/status")
async def change_status(request: Request, principal: Keeper, item_id: uuid.UUID) -> Response:
    return await _step(request, principal, item_id, "status")


@router.post("/support/items/{item_id}/request-review")
async def request_review(request: Request, principal: Keeper, item_id: uuid.UUID) -> Response:
    return await _step(request, principal, item_id, "request")


@router.post("/support/items/{item_id}/review")
async def review(request: Request, principal: Reviewer, item_id: uuid.UUID) -> Response:
    return await _step(request, principal, item_id, "review")
