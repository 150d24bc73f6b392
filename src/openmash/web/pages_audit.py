"""Auditors: search the audit trail and export it as CSV, scoped to their agency unless national."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from openmash.audit import queries
from openmash.audit import service as audit
from openmash.errors import ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.http.downloads import csv_download
from openmash.identity import agencies
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.web.templating import render

router = APIRouter(prefix="/audit")
FILTER_FIELDS = ("date_from", "date_to", "action", "outcome", "actor", "object_id", "agency")
PAGE_SIZE = 50


def _date(value: str, field: str, errors: dict[str, str]) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors[field] = "Enter a real date in the format 2026-11-24"
        return None


def parse_filter(request: Request, principal: Principal, params: dict[str, str]) -> queries.AuditFilter:
    """Read the filter from the query string; agency auditors only ever see their own agency."""
    errors: dict[str, str] = {}
    date_from = _date(params.get("date_from", ""), "date_from", errors)
    date_to = _date(params.get("date_to", ""), "date_to", errors)
    if date_from and date_to and date_from > date_to:
        errors["date_to"] = "The end date must be the same as or after the start date"
    outcome = params.get("outcome", "")
    if outcome and outcome not in {o.value for o in audit.Outcome}:
        errors["outcome"] = "Select an outcome"
    agency_id: uuid.UUID | None = principal.agency_id
    if principal.is_national:
        code = params.get("agency", "").strip()
        agency_id = None
        if code:
            with app_context(request).transaction() as session:
                found = agencies.find_by_code(session, code)
            if found is None:
                errors["agency"] = "No agency has this code"
            else:
                agency_id = found.id
    if errors:
        raise ValidationFailed(errors)
    return queries.AuditFilter(
        agency_id=agency_id,
        date_from=date_from,
        date_to=date_to,
        action=params.get("action", "").strip()[:80] or None,
        outcome=outcome or None,
        actor=params.get("actor", "").strip()[:200] or None,
        object_id=params.get("object_id", "").strip()[:100] or None,
    )


def _filter_details(params: dict[str, str]) -> dict[str, Any]:
    return {k: params[k] for k in FILTER_FIELDS if params[k]}


def _params(request: Request) -> dict[str, str]:
    return {k: request.query_params.get(k, "")[:300] for k in (*FILTER_FIELDS, "purpose", "page")}


@router.get("")
def audit_page(
    request: Request, principal: Annotated[Principal, Depends(require(Permission.AUDIT_READ))]
) -> Response:
    ctx = app_context(request)
    params = _params(request)
    purpose = params["purpose"].strip()
    context: dict[str, Any] = {"values": params, "column": "full", "records": [], "searched": False}
    searching = any(params[k] for k in FILTER_FIELDS) or bool(purpose)
    if not searching:
        return render(request, "audit/list.html", context)
    page = int(params["page"]) if params["page"].isdigit() and 0 < int(params["page"]) < 100000 else 1
    try:
        f = parse_filter(request, principal, params)
        with ctx.transaction() as session:
            rows, total = queries.search_for(
                session,
                principal.actor,
                f,
                purpose,
                audit_context(request),
                limit=PAGE_SIZE,
                offset=(page - 1) * PAGE_SIZE,
                details=_filter_details(params) | {"page": page},
            )
            context["records"] = [
                {
                    "seq": r.seq,
                    "occurred_at": r.occurred_at,
                    "action": r.action,
                    "outcome": r.outcome,
                    "actor": r.actor_label,
                    "agency": r.agency_code,
                    "object": f"{r.object_type or ''} {r.object_id or ''}".strip(),
                    "purpose": r.purpose,
                    "request_id": r.request_id,
                }
                for r in rows
            ]
    except ValidationFailed as exc:
        context["errors"] = exc.fields
        return render(request, "audit/list.html", context, 400)
    query = urlencode({k: v for k, v in params.items() if k != "page" and v})
    context.update(searched=True, total=total, page=page, pages=max(1, -(-total // PAGE_SIZE)), query=query)
    return render(request, "audit/list.html", context)


@router.get("/export.csv")
def export(
    request: Request, principal: Annotated[Principal, Depends(require(Permission.AUDIT_EXPORT))]
) -> Response:
    ctx = app_context(request)
    params = _params(request)
    purpose = params["purpose"].strip()
    try:
        f = parse_filter(request, principal, params)
        with ctx.transaction() as session:
            queries.record_export(
                session, principal.actor, purpose, audit_context(request), _filter_details(params)
            )
    except ValidationFailed as exc:
        return render(
            request, "audit/list.html", {"values": params, "column": "full", "errors": exc.fields}, 400
        )

    return csv_download(ctx, "openmash-audit.csv", lambda session: queries.export_csv(session, f))
