"""What an authority sees of a request for details: in its inbox, on the request's page, and on the person's
page (the service that changes requests is ``register.requests``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from openmash.identity.models import Agency
from openmash.identity.principal import Principal
from openmash.register.models import DetailsRequest, Licence, Person
from openmash.register.workdays import working_days_between

OPEN, ANSWERED, WITHDRAWN = "open", "answered", "withdrawn"


@dataclass(frozen=True)
class RequestView:
    id: uuid.UUID
    direction: str  # "incoming" (we hold the licence) or "outgoing" (we asked)
    status: str
    due_on: date
    overdue: bool
    working_days_left: int
    created_at: datetime
    requesting_agency: str
    holding_agency: str
    requested_by: str
    application_reference: str
    question: str
    answer: str | None
    answered_at: datetime | None
    answered_by: str | None
    licence_ref: str
    licence_type: str
    licence_status: str
    person_id: uuid.UUID
    person_name: str
    date_of_birth: date

    @property
    def can_answer(self) -> bool:
        return self.direction == "incoming" and self.status == OPEN

    @property
    def can_withdraw(self) -> bool:
        return self.direction == "outgoing" and self.status == OPEN


@dataclass(frozen=True)
class Related:
    """The agencies and licences (with their holders) a list of requests refers to, loaded in two reads."""

    agencies: dict[uuid.UUID, Agency]
    licences: dict[uuid.UUID, Licence]


def related(session: Session, requests: list[DetailsRequest]) -> Related:
    agency_ids = {r.requesting_agency_id for r in requests} | {r.holding_agency_id for r in requests}
    licence_ids = {r.licence_id for r in requests}
    if not requests:
        return Related({}, {})
    return Related(
        agencies={a.id: a for a in session.scalars(select(Agency).where(Agency.id.in_(agency_ids)))},
        licences={
            lic.id: lic
            for lic in session.scalars(
                select(Licence).where(Licence.id.in_(licence_ids)).options(selectinload(Licence.person))
            )
        },
    )


def to_view(request: DetailsRequest, principal: Principal, related: Related, today: date) -> RequestView:
    licence = related.licences[request.licence_id]
    person: Person = licence.person
    asker = related.agencies[request.requesting_agency_id]
    holder = related.agencies[request.holding_agency_id]
    return RequestView(
        id=request.id,
        direction="incoming" if request.holding_agency_id == principal.agency_id else "outgoing",
        status=request.status,
        due_on=request.due_on,
        overdue=request.status == OPEN and request.due_on < today,
        working_days_left=working_days_between(today, request.due_on),
        created_at=request.created_at,
        requesting_agency=f"{asker.name} ({asker.code})",
        holding_agency=f"{holder.name} ({holder.code})",
        requested_by=request.requested_by,
        application_reference=request.application_reference,
        question=request.question,
        answer=request.answer,
        answered_at=request.answered_at,
        answered_by=request.answered_by,
        licence_ref=licence.authority_licence_ref,
        licence_type=licence.licence_type,
        licence_status=licence.status,
        person_id=person.id,
        person_name=f"{person.forenames} {person.surname}",
        date_of_birth=person.date_of_birth,
    )


@dataclass(frozen=True)
class Inbox:
    incoming: list[RequestView]
    outgoing: list[RequestView]

    @property
    def overdue_incoming(self) -> int:
        return sum(1 for r in self.incoming if r.overdue)
