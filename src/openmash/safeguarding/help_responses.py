"""A named person's response to a child's request for help: acknowledge it, answer it (what was done or
offered), and close it only with the child's own view of the outcome, kept exactly as typed.

Why it is built this way (``help_requests`` records, escalates and lists the requests):
- A request is acted on by a named user (never an API token) of the agency that recorded it or of the MASH
  it names: the child asked a person, and a person answers.
- Each step is a row that happens once per request (unique), audited; answering acknowledges too if nobody
  had, so an answered request never shows as awaiting acknowledgement.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.db.base import utcnow
from openmash.errors import Conflict, NotFoundError, PermissionDenied
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.safeguarding.checks import Form
from openmash.safeguarding.help_requests import Step, steps_of
from openmash.safeguarding.models_care import HelpRequest, HelpRequestStep


def _acting(session: Session, principal: Principal, request_id: uuid.UUID) -> HelpRequest:
    """A request the caller, a named user of its recording agency or its MASH, may act on."""
    if not principal.can(Permission.HELP_ANSWER):
        raise PermissionDenied("You do not have permission to answer requests for help")
    if principal.kind != "user":
        raise PermissionDenied("A named person acknowledges and answers a request for help")
    request = session.get(HelpRequest, request_id)
    if request is None or principal.agency_id not in (request.agency_id, request.mash_agency_id):
        raise NotFoundError("Request for help not found")
    return request


def _step(
    session: Session,
    principal: Principal,
    request: HelpRequest,
    kind: Step,
    context: Context,
    now: datetime,
    *,
    text: str | None = None,
    childs_view: str | None = None,
) -> HelpRequestStep:
    step = HelpRequestStep(
        id=uuid.uuid4(),
        request_id=request.id,
        kind=str(kind),
        acted_at=now,
        by_user_id=principal.id,
        by=principal.label,
        agency_id=principal.agency_id,
        text=text,
        childs_view=childs_view,
    )
    session.add(step)
    session.flush()
    audit.record(
        session,
        f"safeguarding.help.{kind}",
        principal.actor,
        object_type="help_request",
        object_id=request.id,
        context=context,
        details={"child_id": str(request.child_id)},
    )
    return step


def acknowledge(
    session: Session,
    principal: Principal,
    request_id: uuid.UUID,
    context: Context,
    *,
    note: str | None = None,
    now: datetime | None = None,
) -> HelpRequestStep:
    """The named person takes the request on (once)."""
    request = _acting(session, principal, request_id)
    steps = steps_of(session, request.id)
    if Step.CLOSED in steps:
        raise Conflict("This request for help is closed")
    if Step.ACKNOWLEDGED in steps:
        raise Conflict("This request for help is already acknowledged")
    form = Form()
    text = form.text("note", note)
    form.check()
    return _step(session, principal, request, Step.ACKNOWLEDGED, context, now or utcnow(), text=text)


def answer(
    session: Session,
    principal: Principal,
    request_id: uuid.UUID,
    answer_text: str,
    context: Context,
    *,
    now: datetime | None = None,
) -> HelpRequestStep:
    """Answer the request: what was done or offered (acknowledging it too, if nobody had)."""
    request = _acting(session, principal, request_id)
    steps = steps_of(session, request.id)
    if Step.CLOSED in steps:
        raise Conflict("This request for help is closed")
    if Step.ANSWERED in steps:
        raise Conflict("This request for help is already answered")
    form = Form()
    text = form.text("answer", answer_text, required="Say how the request was answered")
    form.check()
    now = now or utcnow()
    if Step.ACKNOWLEDGED not in steps:
        _step(session, principal, request, Step.ACKNOWLEDGED, context, now)
    return _step(session, principal, request, Step.ANSWERED, context, now, text=text)


def close(
    session: Session,
    principal: Principal,
    request_id: uuid.UUID,
    childs_view: str,
    context: Context,
    *,
    note: str | None = None,
    now: datetime | None = None,
) -> HelpRequestStep:
    """Close an answered request with the child's own view of the outcome, kept exactly as typed."""
    request = _acting(session, principal, request_id)
    steps = steps_of(session, request.id)
    if Step.CLOSED in steps:
        raise Conflict("This request for help is already closed")
    if Step.ANSWERED not in steps:
        raise Conflict("Answer the request before closing it")
    form = Form()
    view = form.words(
        "childs_view", childs_view, required="Record the child's view of the outcome, in their words"
    )
    text = form.text("note", note)
    form.check()
    return _step(
        session, principal, request, Step.CLOSED, context, now or utcnow(), text=text, childs_view=view
    )
