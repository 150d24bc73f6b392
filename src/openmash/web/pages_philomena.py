"""A looked-after child's Philomena profile (the current version, its history, a new version) and what was
shared with police when the child went missing. The rules live in safeguarding.philomena: who keeps and reads
the profile, versions never overwritten, the snapshot for police made by the missing report."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import RedirectResponse, Response

from openmash.errors import ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.http.recorded import child_recorded
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.safeguarding import child_record, philomena
from openmash.safeguarding.models_care import PhilomenaProfile
from openmash.safeguarding.philomena import FIELDS, ProfileInput, ShareView
from openmash.web.care_forms import form_values
from openmash.web.child_forms import SHORT, opened_or_asked, with_purpose
from openmash.web.templating import render

router = APIRouter(prefix="/children")
Keeper = Annotated[Principal, Depends(require(Permission.PHILOMENA_KEEP))]
Reader = Annotated[Principal, Depends(require(Permission.CHRONOLOGY_READ))]

LABELS = {
    "description": "Description",
    "vulnerabilities": "Vulnerabilities",
    "associates": "Associates",
    "places": "Places they may go",
    "phone": "Phone",
    "social_media": "Social media",
    "transport": "Transport they use",
    "photo_reference": "Where the photograph is kept",
}
HINTS = {
    "description": "Height, build, hair, marks, how they speak: what helps police recognise them.",
    "associates": "Friends, adults and family they may go to, with addresses if known.",
    "places": "Addresses, shops, parks, towns they have gone to before.",
    "photo_reference": "Not the photograph itself: where the home keeps a recent one.",
}


def _history(
    request: Request, principal: Principal, child_id: uuid.UUID, purpose: str | None
) -> tuple[list[PhilomenaProfile], child_record.ChildSummary]:
    with app_context(request).transaction() as session:
        found = philomena.profile_history(
            session, principal, child_id, purpose=purpose, context=audit_context(request)
        )
        return found, child_record.child_summary(session, principal, child_id, audit_context(request))


def _context(
    summary: child_record.ChildSummary,
    history: list[PhilomenaProfile],
    values: dict[str, str],
    purpose: str | None,
) -> dict[str, Any]:
    return {
        "c": summary,
        "current": history[0] if history else None,
        "history": history,
        "values": values,
        "fields": [
            {"name": f, "label": LABELS[f], "hint": HINTS.get(f), "short": f in ("phone", "photo_reference")}
            for f in FIELDS
        ],
        "labels": LABELS,
        "purpose": purpose or "",
        "back": with_purpose(f"/children/{summary.id}", purpose),
    }


@router.get("/{child_id}/philomena")
def profile_page(
    request: Request,
    principal: Keeper,
    child_id: uuid.UUID,
    purpose: Annotated[str | None, Query(max_length=SHORT)] = None,
    purpose_choice: Annotated[str, Query(max_length=40)] = "",
    purpose_other: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    found = opened_or_asked(
        request,
        f"/children/{child_id}/philomena",
        [],
        purpose,
        purpose_choice,
        purpose_other,
        lambda stated: (*_history(request, principal, child_id, stated), stated),
    )
    if isinstance(found, Response):
        return found
    history, summary, stated = found
    current = history[0] if history else None
    values = {f: (getattr(current, f) or "") if current else "" for f in FIELDS}
    context = _context(summary, history, values, stated)
    context["done"] = request.query_params.get("done")
    return render(request, "care/philomena.html", context)


@router.post("/{child_id}/philomena")
async def profile_keep(request: Request, principal: Keeper, child_id: uuid.UUID) -> Response:
    values = form_values(await request.form(), (*FIELDS, "change_note", "purpose"))
    purpose = values["purpose"][:SHORT] or None
    try:
        data = ProfileInput(**{k: values[k] for k in (*FIELDS, "change_note")})
        with app_context(request).transaction() as session:
            philomena.keep_profile(session, principal, child_id, data, audit_context(request))
            child_recorded(session, child_id)
    except ValidationFailed as exc:
        history, summary = _history(request, principal, child_id, purpose)
        context = _context(summary, history, values, purpose)
        context["errors"] = exc.fields
        return render(request, "care/philomena.html", context, 400)
    target = with_purpose(f"/children/{child_id}/philomena", purpose, done="kept")
    return RedirectResponse(target, status_code=303)


@router.get("/{child_id}/police-shares")
def police_shares(
    request: Request,
    principal: Reader,
    child_id: uuid.UUID,
    purpose: Annotated[str | None, Query(max_length=SHORT)] = None,
    purpose_choice: Annotated[str, Query(max_length=40)] = "",
    purpose_other: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    def load(stated: str | None) -> tuple[list[ShareView], child_record.ChildSummary, str | None]:
        with app_context(request).transaction() as session:
            shares = philomena.police_shares(
                session, principal, child_id, purpose=stated, context=audit_context(request)
            )
            return (
                shares,
                child_record.child_summary(session, principal, child_id, audit_context(request)),
                stated,
            )

    found = opened_or_asked(
        request, f"/children/{child_id}/police-shares", [], purpose, purpose_choice, purpose_other, load
    )
    if isinstance(found, Response):
        return found
    shares, summary, stated = found
    context = {
        "c": summary,
        "shares": shares,
        "labels": LABELS,
        "back": with_purpose(f"/children/{child_id}", stated),
    }
    return render(request, "care/police_shares.html", context)
