"""A child's chronology (filtered, printable) and risk screening pages. What may be seen, when a purpose is
needed and what is audited are decided by safeguarding.visibility, .chronology and .risk; what each concern
shown mentions (adults, phones, addresses) by network.mentions."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from openmash.db.base import utcnow
from openmash.errors import PurposeRequired, ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.http.recorded import child_recorded
from openmash.identity.permissions import AGENCY_TYPE_LABELS, AgencyType, Permission
from openmash.identity.principal import Principal
from openmash.network import mentions
from openmash.network.mentions import MentionView
from openmash.safeguarding import child_record, chronology, risk
from openmash.safeguarding.chronology import Chronology, ChronologyFilter
from openmash.safeguarding.models import RiskScreening
from openmash.web.child_forms import SHORT, opened_or_asked, read_date, with_purpose
from openmash.web.templating import render

router = APIRouter(prefix="/children")
Reader = Annotated[Principal, Depends(require(Permission.CHRONOLOGY_READ))]
Screener = Annotated[Principal, Depends(require(Permission.RISK_SCREEN))]
CHILD_AGENCY_TYPES = (
    AgencyType.CHILDRENS_SOCIAL_CARE,
    AgencyType.POLICE_FORCE,
    AgencyType.SCHOOL,
    AgencyType.CHILDRENS_HOME,
    AgencyType.HEALTH,
    AgencyType.LICENSING_AUTHORITY,
)
DATE_PARTS = ("from-day", "from-month", "from-year", "to-day", "to-month", "to-year")


def _filters(request: Request) -> tuple[ChronologyFilter, dict[str, Any], dict[str, str]]:
    """The filters from the query string, the values to show again, and a message for each bad date."""
    query = request.query_params
    types = [t for t in query.getlist("agency_type")[:20] if t in AgencyType._value2member_map_]
    codes = [c[:60] for c in query.getlist("category")[:100]]
    values: dict[str, Any] = {k: query.get(k, "")[:10] for k in DATE_PARTS}
    values |= {"agency_type": types, "category": codes}
    errors: dict[str, str] = {}
    since, problem = read_date(values["from-day"], values["from-month"], values["from-year"], "The from date")
    if problem:
        errors["from-day"] = problem
    until, problem = read_date(values["to-day"], values["to-month"], values["to-year"], "The to date")
    if problem:
        errors["to-day"] = problem
    if since and until and since > until:
        errors["to-day"] = "The to date must be the same as or after the from date"
        until = None
    found = ChronologyFilter(agency_types=types, categories=codes, occurred_from=since, occurred_to=until)
    return found, values, errors


def _carry(values: dict[str, Any]) -> list[tuple[str, str]]:
    pairs = [(k, values[k]) for k in DATE_PARTS if values[k]]
    pairs += [("agency_type", t) for t in values["agency_type"]]
    pairs += [("category", c) for c in values["category"]]
    return pairs


def _open(
    request: Request,
    principal: Principal,
    child_id: uuid.UUID,
    action: str,
    purpose: str | None,
    purpose_choice: str,
    purpose_other: str,
) -> (
    tuple[Chronology, dict[str, Any], dict[str, str], list[Any], dict[uuid.UUID, list[MentionView]]]
    | Response
):
    filters, values, errors = _filters(request)

    def load(
        stated: str | None,
    ) -> tuple[Chronology, list[Any], dict[uuid.UUID, list[MentionView]], str | None]:
        with app_context(request).transaction() as session:
            found = chronology.chronology(
                session, principal, child_id, purpose=stated, context=audit_context(request), filters=filters
            )
            # Part of the concerns this audited view shows, for those the viewer may see.
            concern_ids = [e.id for e in found.entries if e.kind == "concern"]
            shown = mentions.mentions_shown(session, principal, found.scope, concern_ids)
            return found, child_record.recordable_categories(session, principal), shown, stated

    done = request.query_params.get("done", "")[:20]
    carry = _carry(values) + ([("done", done)] if done else [])
    opened = opened_or_asked(request, action, carry, purpose, purpose_choice, purpose_other, load)
    if isinstance(opened, Response):
        return opened
    found, categories, shown, stated = opened
    values["purpose"] = stated or ""
    return found, values, errors, categories, shown


@router.get("/{child_id}/chronology")
def chronology_page(
    request: Request,
    principal: Reader,
    child_id: uuid.UUID,
    purpose: Annotated[str | None, Query(max_length=SHORT)] = None,
    purpose_choice: Annotated[str, Query(max_length=40)] = "",
    purpose_other: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    action = f"/children/{child_id}/chronology"
    opened = _open(request, principal, child_id, action, purpose, purpose_choice, purpose_other)
    if isinstance(opened, Response):
        return opened
    found, values, errors, categories, shown = opened
    context = {
        "chronology": found,
        "mentions": shown,
        "c": found,
        "values": values,
        "errors": errors,
        "done": request.query_params.get("done"),
        "may_correct": principal.can(Permission.CONCERNS_RECORD),
        "agency_items": [
            {"value": str(t), "text": AGENCY_TYPE_LABELS[t], "checked": str(t) in values["agency_type"]}
            for t in CHILD_AGENCY_TYPES
        ],
        "category_items": [
            {"value": c.code, "text": c.label, "checked": c.code in values["category"]} for c in categories
        ],
        "print_link": with_purpose(f"{action}/print", values["purpose"], **dict(_grouped(values))),
        "child_link": with_purpose(f"/children/{child_id}", values["purpose"]),
        "column": "full",
    }
    return render(request, "children/chronology.html", context, 400 if errors else 200)


def _grouped(values: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(k, values[k]) for k in DATE_PARTS] + [
        ("agency_type", values["agency_type"]),
        ("category", values["category"]),
    ]


@router.get("/{child_id}/chronology/print")
def chronology_print(
    request: Request,
    principal: Reader,
    child_id: uuid.UUID,
    purpose: Annotated[str | None, Query(max_length=SHORT)] = None,
    purpose_choice: Annotated[str, Query(max_length=40)] = "",
    purpose_other: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    """A plain page of the same entries, for the browser's print (or save as PDF)."""
    action = f"/children/{child_id}/chronology/print"
    opened = _open(request, principal, child_id, action, purpose, purpose_choice, purpose_other)
    if isinstance(opened, Response):
        return opened
    found, values, errors, _, shown = opened
    context = {
        "chronology": found,
        "mentions": shown,
        "c": found,
        "values": values,
        "errors": errors,
        "printed_at": utcnow(),
        "back": with_purpose(f"/children/{child_id}/chronology", values["purpose"], **dict(_grouped(values))),
    }
    return render(request, "children/chronology_print.html", context, 400 if errors else 200)


# Risk screening.


def _risk_context(
    request: Request,
    principal: Principal,
    child_id: uuid.UUID,
    stated: str | None,
    screenings: list[RiskScreening],
    values: dict[str, str],
) -> dict[str, Any]:
    with app_context(request).transaction() as session:
        summary = child_record.child_summary(session, principal, child_id, audit_context(request))
    latest = screenings[0] if screenings else None
    floor = risk.rank(latest.computed_band) if latest else 0
    higher = [b for b in risk.BANDS if risk.rank(b) > floor]
    return {
        "c": summary,
        "latest": latest,
        "history": screenings,
        "labels": risk.BAND_LABELS,
        "may_screen": principal.can(Permission.RISK_SCREEN),
        "judgement_items": [
            {"value": "", "text": "No: use the computed grade", "checked": not values.get("judgement_band")},
            *[
                {"value": b, "text": risk.BAND_LABELS[b], "checked": values.get("judgement_band") == b}
                for b in higher
            ],
        ],
        "values": values,
        "purpose": stated or "",
        "child_link": with_purpose(f"/children/{child_id}", stated),
        "done": request.query_params.get("done"),
        "column": "full",
    }


@router.get("/{child_id}/risk")
def risk_page(
    request: Request,
    principal: Reader,
    child_id: uuid.UUID,
    purpose: Annotated[str | None, Query(max_length=SHORT)] = None,
    purpose_choice: Annotated[str, Query(max_length=40)] = "",
    purpose_other: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    def load(stated: str | None) -> tuple[list[RiskScreening], str | None]:
        with app_context(request).transaction() as session:
            found = risk.screening_history(
                session, principal, child_id, purpose=stated, context=audit_context(request)
            )
            return found, stated

    opened = opened_or_asked(
        request, f"/children/{child_id}/risk", [], purpose, purpose_choice, purpose_other, load
    )
    if isinstance(opened, Response):
        return opened
    screenings, stated = opened
    return render(
        request, "children/risk.html", _risk_context(request, principal, child_id, stated, screenings, {})
    )


@router.post("/{child_id}/risk")
def risk_screen(
    request: Request,
    principal: Screener,
    child_id: uuid.UUID,
    judgement_band: Annotated[str, Form(max_length=20)] = "",
    judgement_reasons: Annotated[str, Form(max_length=20000)] = "",
    purpose: Annotated[str, Form(max_length=SHORT)] = "",
) -> Response:
    stated = purpose.strip() or None
    try:
        with app_context(request).transaction() as session:
            risk.screen_child(
                session,
                principal,
                child_id,
                purpose=stated,
                context=audit_context(request),
                judgement_band=judgement_band or None,
                judgement_reasons=judgement_reasons,
            )
            child_recorded(session, child_id)
    except PurposeRequired:
        return RedirectResponse(f"/children/{child_id}/risk", status_code=303)
    except ValidationFailed as exc:
        with app_context(request).transaction() as session:
            screenings = risk.screening_history(
                session, principal, child_id, purpose=stated, context=audit_context(request)
            )
        values = {"judgement_band": judgement_band, "judgement_reasons": judgement_reasons}
        context = _risk_context(request, principal, child_id, stated, screenings, values)
        context["errors"] = exc.fields
        return render(request, "children/risk.html", context, 400)
    return RedirectResponse(
        with_purpose(f"/children/{child_id}/risk", stated, done="screened"), status_code=303
    )
