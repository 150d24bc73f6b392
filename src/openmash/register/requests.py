"""Requests for details (Taxis and Private Hire Vehicles (Safeguarding and Road Safety) Act 2022, s.3): an
authority screening an applicant asks the authority holding a licence for what lies behind it; the holding
authority answers in the app within a number of working days (``Settings.details_request_working_days``, 20 by
default as the Act gives), once. Requests remind when overdue; every step is audited and noticed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import SYSTEM, Actor, Context
from openmash.db.base import utcnow
from openmash.errors import Conflict, NotFoundError, PermissionDenied, ValidationFailed
from openmash.identity.models import Agency
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import Principal
from openmash.register import labels, notices
from openmash.register.models import DetailsRequest, Licence
from openmash.register.request_views import (
    ANSWERED,
    OPEN,
    WITHDRAWN,
    Inbox,
    RequestView,
    related,
    to_view,
)
from openmash.register.workdays import add_working_days, is_working_day, uk_today, working_days_between

REFERENCE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 10000
CLOSED_SHOWN = 100  # the inbox shows every open request and the latest closed ones


def ensure_licensing_officer(principal: Principal) -> None:
    if principal.agency_type is not AgencyType.LICENSING_AUTHORITY or not principal.can(
        Permission.REGISTER_RECORD
    ):
        raise PermissionDenied("Only licensing officers make and answer requests for details")


@dataclass(frozen=True)
class RequestTarget:
    licence: Licence
    holder: Agency


def licence_for_request(session: Session, principal: Principal, licence_id: uuid.UUID) -> RequestTarget:
    """The licence a request would be about, checked: it exists and another authority holds it."""
    ensure_licensing_officer(principal)
    licence = session.get(Licence, licence_id)
    if licence is None:
        raise NotFoundError("Licence not found")
    if licence.authority_id == principal.agency_id:
        message = "This licence is your own authority's: its details are already on the person's page"
        raise ValidationFailed({"licence_id": message}, message)
    holder = session.get(Agency, licence.authority_id)
    assert holder is not None
    return RequestTarget(licence=licence, holder=holder)


def request_details(
    session: Session,
    principal: Principal,
    licence_id: uuid.UUID,
    *,
    application_reference: str,
    question: str,
    working_days: int,
    context: Context,
    today: date | None = None,
) -> DetailsRequest:
    """Ask the authority holding the licence; it is due ``working_days`` working days from today."""
    target = licence_for_request(session, principal, licence_id)
    reference = " ".join((application_reference or "").split())
    question = (question or "").strip()
    errors: dict[str, str] = {}
    if not reference:
        errors["application_reference"] = "Enter the reference of the application you are deciding"
    elif len(reference) > REFERENCE_MAX_LENGTH:
        errors["application_reference"] = f"The reference must be {REFERENCE_MAX_LENGTH} characters or fewer"
    if not question:
        errors["question"] = "Say what you need to know"
    elif len(question) > TEXT_MAX_LENGTH:
        errors["question"] = f"The question must be {TEXT_MAX_LENGTH} characters or fewer"
    if (
        not errors
        and session.scalars(
            select(DetailsRequest.id).where(
                DetailsRequest.licence_id == licence_id,
                DetailsRequest.requesting_agency_id == principal.agency_id,
                DetailsRequest.application_reference == reference,
                DetailsRequest.status == OPEN,
            )
        ).first()
    ):
        errors["application_reference"] = (
            "Your authority already has an open request about this licence for this application"
        )
    if errors:
        raise ValidationFailed(errors)
    licence = target.licence
    due = add_working_days(today or uk_today(), working_days)
    request = DetailsRequest(
        id=uuid.uuid4(),
        person_id=licence.person_id,
        licence_id=licence.id,
        requesting_agency_id=principal.agency_id,
        holding_agency_id=licence.authority_id,
        requested_by_user_id=principal.id if principal.kind == "user" else None,
        requested_by=principal.label,
        application_reference=reference,
        question=question,
        status=OPEN,
        due_on=due,
    )
    session.add(request)
    session.flush()
    _tell(
        session,
        request,
        licence.authority_id,
        "details_request",
        f"{principal.agency_name} ({principal.agency_code}) asks for details about your licence "
        f"{licence.authority_licence_ref} ({labels.licence_type(licence.licence_type)}) for their "
        f"application {reference}. Answer by {due:%-d %B %Y}.",
    )
    audit.record(
        session,
        "register.request.create",
        principal.actor,
        object_type="details_request",
        object_id=request.id,
        purpose=reference,
        context=context,
        details={"licence_id": str(licence.id), "holding_agency": target.holder.code, "due_on": due},
    )
    return request


def _get(session: Session, request_id: uuid.UUID) -> DetailsRequest:
    found = session.get(DetailsRequest, request_id)
    if found is None:
        raise NotFoundError("Request not found")
    return found


def _ensure_party(principal: Principal, request: DetailsRequest) -> None:
    ensure_licensing_officer(principal)
    if principal.agency_id not in (request.requesting_agency_id, request.holding_agency_id):
        raise PermissionDenied("This request is between two other authorities")


def view_request(
    session: Session, principal: Principal, request_id: uuid.UUID, context: Context, today: date | None = None
) -> RequestView:
    """One request, for the authority that asked or the one asked (audited)."""
    request = _get(session, request_id)
    _ensure_party(principal, request)
    audit.record(
        session,
        "register.request.view",
        principal.actor,
        object_type="details_request",
        object_id=request.id,
        purpose=request.application_reference,
        context=context,
    )
    return to_view(request, principal, related(session, [request]), today or uk_today())


def inbox(session: Session, principal: Principal, today: date, context: Context = audit.NO_CONTEXT) -> Inbox:
    """Requests to and from the principal's authority: open ones first by due date, then the latest closed."""
    ensure_licensing_officer(principal)
    mine = or_(
        DetailsRequest.holding_agency_id == principal.agency_id,
        DetailsRequest.requesting_agency_id == principal.agency_id,
    )
    found = list(
        session.scalars(
            select(DetailsRequest).where(mine, DetailsRequest.status == OPEN).order_by(DetailsRequest.due_on)
        )
    )
    found += session.scalars(
        select(DetailsRequest)
        .where(mine, DetailsRequest.status != OPEN)
        .order_by(DetailsRequest.updated_at.desc())
        .limit(CLOSED_SHOWN)
    )
    loaded = related(session, found)
    views = [to_view(r, principal, loaded, today) for r in found]
    audit.record(
        session,
        "register.request.list",
        principal.actor,
        object_type="agency",
        object_id=principal.agency_id,
        context=context,
        details={"count": len(views)},
    )
    return Inbox(
        incoming=[v for v in views if v.direction == "incoming"],
        outgoing=[v for v in views if v.direction == "outgoing"],
    )


def answer_request(
    session: Session, principal: Principal, request_id: uuid.UUID, *, answer: str, context: Context
) -> DetailsRequest:
    """The holding authority answers, once; the asking authority is told."""
    request = _get(session, request_id)
    ensure_licensing_officer(principal)
    if principal.agency_id != request.holding_agency_id:
        raise PermissionDenied("Only the authority holding the licence answers this request")
    if request.status != OPEN:
        raise Conflict(f"This request has already been {request.status}")
    answer = (answer or "").strip()
    if not answer or len(answer) > TEXT_MAX_LENGTH:
        message = (
            f"The answer must be {TEXT_MAX_LENGTH} characters or fewer" if answer else "Enter your answer"
        )
        raise ValidationFailed({"answer": message})
    request.status = ANSWERED
    request.answer = answer
    request.answered_at = utcnow()
    request.answered_by = principal.label
    _tell(
        session,
        request,
        request.requesting_agency_id,
        "details_answered",
        f"{principal.agency_name} ({principal.agency_code}) answered your request for details for "
        f"application {request.application_reference}.",
    )
    audit.record(
        session,
        "register.request.answer",
        principal.actor,
        object_type="details_request",
        object_id=request.id,
        context=context,
        details={"late": request.due_on < uk_today()},
    )
    return request


def withdraw_request(
    session: Session, principal: Principal, request_id: uuid.UUID, *, context: Context
) -> DetailsRequest:
    """The asking authority no longer needs an answer (the application was withdrawn, say)."""
    request = _get(session, request_id)
    ensure_licensing_officer(principal)
    if principal.agency_id != request.requesting_agency_id:
        raise PermissionDenied("Only the authority that made this request can withdraw it")
    if request.status != OPEN:
        raise Conflict(f"This request has already been {request.status}")
    request.status = WITHDRAWN
    _tell(
        session,
        request,
        request.holding_agency_id,
        "details_withdrawn",
        f"{principal.agency_name} ({principal.agency_code}) withdrew its request for details for "
        f"application {request.application_reference}: no answer is needed.",
    )
    audit.record(
        session,
        "register.request.withdraw",
        principal.actor,
        object_type="details_request",
        object_id=request.id,
        context=context,
    )
    return request


def _tell(session: Session, request: DetailsRequest, agency_id: uuid.UUID, kind: str, summary: str) -> None:
    """A notice about this request, from the other authority in it."""
    other = (
        request.holding_agency_id
        if agency_id == request.requesting_agency_id
        else request.requesting_agency_id
    )
    notices.notify(
        session,
        agency_id,
        kind=kind,
        summary=summary,
        person_id=request.person_id,
        from_agency_id=other,
        details_request_id=request.id,
    )


def send_reminders(session: Session, today: date, actor: Actor = SYSTEM) -> int:
    """Remind the holding authority of each open request past its due date: one notice per request per
    working day, so running it again the same day adds nothing (and on weekends and bank holidays, when
    nobody would read it, it sends none). Returns how many notices it added. For a daily scheduled job."""
    if not is_working_day(today):
        return 0
    overdue = list(
        session.scalars(
            select(DetailsRequest)
            .where(
                DetailsRequest.status == OPEN,
                DetailsRequest.due_on < today,
                or_(DetailsRequest.last_reminded_on.is_(None), DetailsRequest.last_reminded_on < today),
            )
            .order_by(DetailsRequest.due_on, DetailsRequest.id)
            .with_for_update()
        )
    )
    agencies = related(session, overdue).agencies
    for request in overdue:
        asker = agencies[request.requesting_agency_id]
        late = working_days_between(request.due_on, today)
        _tell(
            session,
            request,
            request.holding_agency_id,
            "details_overdue",
            f"Overdue: {asker.name} ({asker.code}) asked for details for application "
            f"{request.application_reference}. The answer was due on {request.due_on:%-d %B %Y} "
            f"({late} working day{'s' if late != 1 else ''} ago).",
        )
        request.last_reminded_on = today
    if overdue:
        audit.record(
            session,
            "register.request.remind",
            actor,
            object_type="details_request",
            details={"date": today, "reminded": [str(r.id) for r in overdue]},
        )
    return len(overdue)
