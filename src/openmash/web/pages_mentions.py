"""Who or what a concern mentions (adults by name, phone numbers, addresses): the list on the concern, for
whoever may see the concern, and a form to add to it, for the agency that recorded it. The rules, the purpose
of access and the audit are network.mentions'; adding runs the alert rules in the same transaction, as every
write about a child does."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from openmash.errors import NotFoundError, PurposeRequired, ValidationFailed
from openmash.http.auth import require
from openmash.http.context import app_context, audit_context
from openmash.http.recorded import child_recorded
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.network import mentions
from openmash.network.mentions import ConcernMentions, MentionsInput
from openmash.safeguarding import child_record
from openmash.safeguarding.child_record import ChildSummary
from openmash.safeguarding.models import Concern
from openmash.web.child_forms import LONG, SHORT, opened_or_asked, with_purpose
from openmash.web.templating import render

router = APIRouter(prefix="/children")
Reader = Annotated[Principal, Depends(require(Permission.CHRONOLOGY_READ))]
Recorder = Annotated[Principal, Depends(require(Permission.CONCERNS_RECORD))]
FIELDS = ("adults", "phones", "addresses")


def lines(text: str) -> list[str]:
    """One value a line, blank lines left out (the service trims and checks each)."""
    return [line for line in text.splitlines() if line.strip()]


def field_errors(failed: ValidationFailed) -> dict[str, str]:
    """The service's problems ("phones-1") against the form's boxes, saying which line."""
    found: dict[str, str] = {}
    for key, message in failed.fields.items():
        name, _, index = key.partition("-")
        text = f"Line {int(index) + 1}: {message}" if index.isdigit() else message
        found.setdefault(name, text)
    return found


def _load(
    request: Request, principal: Principal, child_id: uuid.UUID, concern_id: uuid.UUID, stated: str | None
) -> tuple[ConcernMentions, ChildSummary]:
    with app_context(request).transaction() as session:
        view = mentions.concern_mentions(
            session, principal, concern_id, purpose=stated, context=audit_context(request)
        )
        if view.child_id != child_id:
            raise NotFoundError("Concern not found")
        summary = child_record.child_summary(
            session, principal, child_id, audit_context(request), purpose=stated
        )
    return view, summary


def _page(
    request: Request,
    view: ConcernMentions,
    summary: ChildSummary,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    base = f"/children/{view.child_id}/concerns/{view.concern_id}/mentions"
    context: dict[str, Any] = {
        "c": summary,
        "m": view,
        "values": {**values, "purpose": view.purpose or ""},
        "errors": errors,
        "action": base,
        "back": with_purpose(f"/children/{view.child_id}/chronology", view.purpose)
        + f"#entry-{view.concern_id}",
        "done": request.query_params.get("done", "")[:20],
    }
    return render(request, "children/mentions.html", context, status)


@router.get("/{child_id}/concerns/{concern_id}/mentions")
def mentions_page(
    request: Request,
    principal: Reader,
    child_id: uuid.UUID,
    concern_id: uuid.UUID,
    purpose: Annotated[str | None, Query(max_length=SHORT)] = None,
    purpose_choice: Annotated[str, Query(max_length=40)] = "",
    purpose_other: Annotated[str, Query(max_length=SHORT)] = "",
) -> Response:
    action = f"/children/{child_id}/concerns/{concern_id}/mentions"
    opened = opened_or_asked(
        request,
        action,
        [],
        purpose,
        purpose_choice,
        purpose_other,
        lambda stated: _load(request, principal, child_id, concern_id, stated),
    )
    if isinstance(opened, Response):
        return opened
    view, summary = opened
    return _page(request, view, summary, {}, {})


@router.post("/{child_id}/concerns/{concern_id}/mentions")
def mentions_add(
    request: Request,
    principal: Recorder,
    child_id: uuid.UUID,
    concern_id: uuid.UUID,
    adults: Annotated[str, Form(max_length=LONG)] = "",
    phones: Annotated[str, Form(max_length=LONG)] = "",
    addresses: Annotated[str, Form(max_length=LONG)] = "",
    purpose: Annotated[str, Form(max_length=SHORT)] = "",
) -> Response:
    stated = purpose.strip() or None
    values = {"adults": adults, "phones": phones, "addresses": addresses}
    data = MentionsInput(adults=lines(adults), phones=lines(phones), addresses=lines(addresses))
    try:
        with app_context(request).transaction() as session:
            concern = session.get(Concern, concern_id)
            if concern is None or concern.child_id != child_id:
                raise NotFoundError("Concern not found")
            made = mentions.record_mentions(session, principal, concern_id, data, audit_context(request))
            if made:
                child_recorded(session, child_id, made[0].recorded_at)
    except ValidationFailed as exc:
        try:
            view, summary = _load(request, principal, child_id, concern_id, stated)
        except PurposeRequired:
            return RedirectResponse(f"/children/{child_id}/concerns/{concern_id}/mentions", status_code=303)
        return _page(request, view, summary, values, field_errors(exc), 400)
    target = with_purpose(
        f"/children/{child_id}/concerns/{concern_id}/mentions", stated, done="added" if made else "none"
    )
    return RedirectResponse(target, status_code=303)
