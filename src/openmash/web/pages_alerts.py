"""Alerts addressed to the user (their MASH's, and those naming them as a child's lead professional): the
list with counts by status, one alert with the rule, the children and the exact records that fired it, and
marking it seen or closing it with a note. What each viewer may see inside an alert, and the audit of every
list and alert opened, are decided by alerts.inbox."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from openmash import alerts
from openmash.alerts.engine import CLOSED, NEW, SEEN, STATUSES
from openmash.errors import ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.network.service import parse_entity
from openmash.register.workdays import UK
from openmash.web.child_forms import LONG, with_purpose
from openmash.web.templating import render

router = APIRouter(prefix="/alerts")
Reader = Annotated[Principal, Depends(require(Permission.ALERTS_READ))]

STATUS_LABELS = {NEW: "New", SEEN: "Seen", CLOSED: "Closed"}
STATUS_TAGS = {NEW: "govuk-tag--red", SEEN: "govuk-tag--yellow", CLOSED: "govuk-tag--grey"}
RECORD_LABELS = {
    "concern": "Concern",
    "concern_mention": "Mentioned in a concern",
    "missing_episode": "Missing report",
    "missing_return": "Return from missing",
    "help_request": "Request for help",
    "gate_sighting": "Gate check",
    "driver_concern": "Register: driver concern",
    "licence_event": "Register: licence decision",
}


def chronology_link(child_id: uuid.UUID, title: str) -> str:
    """The child's chronology, carrying the purpose the alert gives for opening it (audited there)."""
    return with_purpose(f"/children/{child_id}/chronology", f"Act on the alert: {title}"[:300])


@router.get("")
def alert_list(
    request: Request,
    principal: Reader,
    status: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    shown = status if status in STATUSES else ""
    with app_context(request).transaction() as session:
        found = alerts.alerts_for(session, principal, statuses=STATUSES)
    counts = {s: sum(1 for a in found if a.status == s) for s in STATUSES}
    wanted = (shown,) if shown else (NEW, SEEN)
    context = {
        "alerts": [a for a in found if a.status in wanted],
        "counts": counts,
        "status": shown,
        "labels": STATUS_LABELS,
        "tags": STATUS_TAGS,
        "column": "full",
    }
    return render(request, "hub/alerts.html", context)


def _moment(when: datetime | date | None) -> datetime:
    """A record's time for ordering: a day (a register record's) counts from its start, in England."""
    if when is None:
        return datetime.min.replace(tzinfo=UTC)
    if isinstance(when, datetime):
        return when
    return datetime.combine(when, time(0, 0), tzinfo=UK)


def _detail_context(request: Request, principal: Principal, alert_id: uuid.UUID) -> dict[str, Any]:
    with app_context(request).transaction() as session:
        detail = alerts.alert_detail(session, principal, alert_id, audit_context(request))
    network = principal.can(Permission.NETWORK_READ)
    entity = detail.details.get("entity") or (
        f"vehicle:{detail.details['registration']}" if "registration" in detail.details else None
    )
    network_link = None
    if network and isinstance(entity, str):
        try:
            ref = parse_entity(entity)
        except ValidationFailed:
            ref = None  # a reference no longer valid: the child's network below instead
        if ref is not None and ref.kind == "vehicle":
            network_link = f"/network/vehicles/{ref.key}"
    if network and network_link is None and detail.summary.children:
        network_link = f"/network/children/{detail.summary.children[0].child_id}"
    names = {c.child_id: f"{c.forenames} {c.surname}" for c in detail.summary.children}
    records = sorted(detail.records, key=lambda r: _moment(r.when))
    return {
        "a": detail,
        "records": records,
        # Two register records may be one person not yet confirmed as such: name them once here (the
        # network page shows each record with its date of birth and licences).
        "drivers": list(dict.fromkeys(detail.drivers)),
        "s": detail.summary,
        "names": names,
        "record_labels": RECORD_LABELS,
        "labels": STATUS_LABELS,
        "tags": STATUS_TAGS,
        "chronology": lambda child_id: chronology_link(child_id, detail.summary.title),
        "network_link": network_link,
        "values": {},
        "column": "full",
    }


@router.get("/{alert_id}")
def alert_page(request: Request, principal: Reader, alert_id: uuid.UUID) -> Response:
    context = _detail_context(request, principal, alert_id)
    context["done"] = request.query_params.get("done", "")[:20]
    return render(request, "hub/alert.html", context)


@router.post("/{alert_id}/seen")
def alert_seen(request: Request, principal: Reader, alert_id: uuid.UUID) -> Response:
    with app_context(request).transaction() as session:
        alerts.mark_seen(session, principal, alert_id, audit_context(request))
    return RedirectResponse(f"/alerts/{alert_id}?done=seen", status_code=303)


@router.post("/{alert_id}/close")
def alert_close(
    request: Request,
    principal: Reader,
    alert_id: uuid.UUID,
    note: Annotated[str, Form(max_length=LONG)] = "",
) -> Response:
    try:
        with app_context(request).transaction() as session:
            alerts.close_alert(session, principal, alert_id, note, audit_context(request))
    except ValidationFailed as exc:
        context = _detail_context(request, principal, alert_id)
        context["values"] = {"note": note}
        context["errors"] = exc.fields
        return render(request, "hub/alert.html", context, 400)
    return RedirectResponse(f"/alerts/{alert_id}?done=closed", status_code=303)
