"""API v1 for alerts: a MASH's case system lists the alerts addressed to its MASH, reads one with the records
that fired it, and marks one seen. Thin over alerts.inbox, which decides who reads which alert, what of it
each reader sees, and audits every list and alert read (with its fixed purpose, "act on alerts addressed to
me", as on the web: an alert addressed to the reader is their own work, so no purpose is asked).

As on the web inbox: an alert that is not the caller's is 404, not 403 (whether it exists is not told);
only the MASH an alert is addressed to marks it seen. Closing an alert says what was done about it, a
person's account: there is no route for it here (docs/decisions/0009).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from openmash import alerts
from openmash.alerts.engine import NEW, SEEN, STATUSES
from openmash.alerts.inbox import AlertSummary
from openmash.api.alerts_schemas import (
    AlertChildOut,
    AlertEventOut,
    AlertOut,
    AlertPage,
    AlertRecordOut,
    AlertStatusOut,
    AlertSummaryOut,
)
from openmash.api.children_schemas import BadgeOut
from openmash.api.schemas import ErrorBody
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal

router = APIRouter(prefix="/alerts", tags=["alerts"])
Reader = Annotated[Principal, Depends(require(Permission.ALERTS_READ))]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such alert, or not addressed to you"}
}


def _summary(found: AlertSummary) -> AlertSummaryOut:
    return AlertSummaryOut(
        id=found.id,
        title=found.title,
        rule_code=found.rule_code,
        status=found.status,
        raised_at=found.raised_at,
        last_fired_at=found.last_fired_at,
        children=[
            AlertChildOut(
                child_id=c.child_id,
                surname=c.surname,
                forenames=c.forenames,
                date_of_birth=c.date_of_birth,
                badges=[BadgeOut(code=b.code, label=b.label) for b in c.badges],
            )
            for c in found.children
        ],
        other_children=found.other_children,
    )


@router.get(
    "", response_model=AlertPage, summary="Alerts addressed to your MASH, new first, then latest fired"
)
def list_alerts(
    request: Request,
    principal: Reader,
    status: Annotated[
        list[Literal["new", "seen", "closed"]] | None,
        Query(description="new, seen or closed; repeat for several (new and seen when none is given)"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AlertPage:
    wanted = tuple(s for s in STATUSES if s in status) if status else (NEW, SEEN)
    with app_context(request).transaction() as session:
        page = alerts.alerts_page(session, principal, statuses=wanted, limit=limit, offset=offset)
    return AlertPage(total=page.total, alerts=[_summary(a) for a in page.alerts])


@router.get(
    "/{alert_id}",
    response_model=AlertOut,
    responses=NOT_FOUND,
    summary="One alert with the records that fired it, as far as you may see them",
)
def read_alert(request: Request, principal: Reader, alert_id: uuid.UUID) -> AlertOut:
    with app_context(request).transaction() as session:
        detail = alerts.alert_detail(session, principal, alert_id, audit_context(request))
    return AlertOut(
        alert=_summary(detail.summary),
        rule_label=detail.rule_label,
        subject=detail.subject,
        drivers=detail.drivers,
        records=[
            AlertRecordOut(
                record_kind=r.record_kind,
                record_id=r.record_id,
                child_id=r.child_id,
                when=r.when,
                agency=r.agency_name,
                description=r.description,
            )
            for r in detail.records
        ],
        withheld_records=detail.withheld_records,
        history=[AlertEventOut(kind=e.kind, at=e.at, by=e.by, note=e.note) for e in detail.history],
        details=detail.details,
        may_change_status=detail.may_change_status,
    )


@router.post(
    "/{alert_id}/seen",
    response_model=AlertStatusOut,
    responses=NOT_FOUND,
    summary="Mark a new alert seen (the MASH it is addressed to); nothing changes if it is not new",
)
def mark_seen(request: Request, principal: Reader, alert_id: uuid.UUID) -> AlertStatusOut:
    with app_context(request).transaction() as session:
        alert = alerts.mark_seen(session, principal, alert_id, audit_context(request))
        return AlertStatusOut(
            id=alert.id, status=alert.status, status_at=alert.status_at, status_by=alert.status_by
        )
