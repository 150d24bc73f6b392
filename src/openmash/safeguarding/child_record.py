"""A child's record as the pages and the API show it: who the child is, their badges, the identifiers the
viewer may see, placement and lead professional; and the small reads the forms need (the child a form is
about, the categories a viewer may record in, the concern being corrected, the choices for the status form).

Opening the record applies the purpose rule and audits the view (``visibility.open_child``); which
identifiers are shown is ``visibility.may_see_identifier``. Nothing here writes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.audit.service import Context
from openmash.errors import Conflict, NotFoundError, PermissionDenied
from openmash.identity.models import Agency, User
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import Principal
from openmash.identity.users import find_by_email
from openmash.safeguarding.identifiers import IdentifierKind, identifier_label
from openmash.safeguarding.models import Child, Concern, ConcernCategory
from openmash.safeguarding.status import Badge, badges
from openmash.safeguarding.visibility import (
    Scope,
    agency_shown,
    may_correct,
    may_see_category,
    may_see_identifier,
    open_child,
)

ANOTHER_AGENCY = "another agency"
# The placement is where a looked-after child lives: the MASH, the lead professional and the home see it.
PLACEMENT_WITHHELD = "Recorded (shown to the MASH and the lead professional)"


@dataclass(frozen=True)
class ChildSummary:
    """What a search result shows of a child: enough to tell who they are, and their badges."""

    id: uuid.UUID
    surname: str
    forenames: str
    date_of_birth: date | None
    badges: list[Badge]


@dataclass(frozen=True)
class IdentifierView:
    kind: str
    label: str
    value: str
    agency_name: str
    own: bool


@dataclass(frozen=True)
class Person:
    name: str
    agency_name: str
    email: str


@dataclass(frozen=True)
class ChildView:
    summary: ChildSummary
    sex: str | None
    ethnicity: str | None
    religion: str | None
    first_language: str | None
    disability: str | None
    learning_disability: bool
    looked_after: bool
    placement: str | None
    lead_professional: Person | None
    created_by_agency: str
    identifiers: list[IdentifierView]
    scope: Scope
    purpose: str | None


def summary_of(child: Child) -> ChildSummary:
    return ChildSummary(child.id, child.surname, child.forenames, child.date_of_birth, badges(child))


def child_summary(
    session: Session,
    principal: Principal,
    child_id: uuid.UUID,
    context: Context,
    *,
    purpose: str | None = None,
    action: str = "safeguarding.child.summary",
) -> ChildSummary:
    """The child a form is about, as the search shows them, for those who may search or record. The read is
    audited (``visibility.open_child``, summary only): any child's id opens this, so who saw whom is kept."""
    if not (principal.can(Permission.CHILDREN_SEARCH) or principal.can(Permission.CONCERNS_RECORD)):
        raise PermissionDenied("You do not have permission to record about children")
    opened = open_child(session, principal, child_id, purpose, context, action=action, summary_only=True)
    return summary_of(opened.child)


def view_child(
    session: Session, principal: Principal, child_id: uuid.UUID, purpose: str | None, context: Context
) -> ChildView:
    """Open a child's record (a purpose is needed outside one's own agency; always audited)."""
    opened = open_child(session, principal, child_id, purpose, context, action="safeguarding.child.view")
    child = opened.child
    names = {a.id: a.name for a in session.scalars(select(Agency))}
    identifiers = [
        IdentifierView(
            kind=held.kind,
            label=identifier_label(IdentifierKind(held.kind))
            if held.kind in IdentifierKind._value2member_map_
            else held.kind,
            value=held.value,
            agency_name=names.get(held.agency_id, "")
            if agency_shown(principal, opened.scope, held.agency_id)
            else ANOTHER_AGENCY,
            own=held.agency_id == principal.agency_id,
        )
        for held in child.identifiers
        if may_see_identifier(principal, opened.scope, held)
    ]
    lead = session.get(User, child.lead_professional_user_id) if child.lead_professional_user_id else None
    return ChildView(
        summary=summary_of(child),
        sex=child.sex,
        ethnicity=child.ethnicity,
        religion=child.religion,
        first_language=child.first_language,
        disability=child.disability,
        learning_disability=child.learning_disability,
        looked_after=child.looked_after,
        placement=(
            names.get(child.placement_agency_id)
            if agency_shown(principal, opened.scope, child.placement_agency_id)
            else PLACEMENT_WITHHELD
        )
        if child.placement_agency_id
        else None,
        lead_professional=Person(lead.full_name, lead.agency.name, lead.email) if lead else None,
        created_by_agency=names.get(child.created_by_agency_id, "")
        if agency_shown(principal, opened.scope, child.created_by_agency_id)
        else ANOTHER_AGENCY,
        identifiers=identifiers,
        scope=opened.scope,
        purpose=opened.purpose,
    )


def recordable_categories(session: Session, principal: Principal) -> list[ConcernCategory]:
    """The active categories this viewer may record in (restricted ones only for the roles they name)."""
    return [
        c
        for c in session.scalars(
            select(ConcernCategory)
            .where(ConcernCategory.active.is_(True))
            .order_by(ConcernCategory.sort_order, ConcernCategory.code)
        )
        if may_see_category(principal, c)
    ]


def concern_for_correction(session: Session, principal: Principal, concern_id: uuid.UUID) -> Concern:
    """The concern a correction form starts from: only the recording agency's, and only its latest version
    (``concerns.correct_concern`` applies the same rules when the correction is saved)."""
    if not principal.can(Permission.CONCERNS_RECORD):
        raise PermissionDenied("You do not have permission to record concerns about children")
    concern = session.get(Concern, concern_id)
    if concern is None:
        raise NotFoundError("Concern not found")
    if not may_correct(principal, concern):
        raise PermissionDenied("Only the agency that recorded a concern may correct it")
    if session.scalar(select(Concern.id).where(Concern.corrects_id == concern.id)) is not None:
        raise Conflict("This concern has already been corrected: correct the latest version")
    return concern


@dataclass(frozen=True)
class StatusChoices:
    """What the MASH's status form offers and shows."""

    child: ChildSummary
    looked_after: bool
    child_protection_plan: bool
    cse_risk: bool
    placement_agency_id: uuid.UUID | None
    lead_professional_email: str
    homes: list[tuple[uuid.UUID, str]]


def status_choices(
    session: Session,
    principal: Principal,
    child_id: uuid.UUID,
    context: Context,
    *,
    purpose: str | None = None,
) -> StatusChoices:
    """What the status form shows of the child (their flags, placement and lead professional): audited."""
    if not principal.can(Permission.CHILDREN_MANAGE):
        raise PermissionDenied("Only the MASH changes a child's status and flags")
    child = open_child(
        session,
        principal,
        child_id,
        purpose,
        context,
        action="safeguarding.child.status_form",
        summary_only=True,
    ).child
    lead = session.get(User, child.lead_professional_user_id) if child.lead_professional_user_id else None
    homes = session.scalars(
        select(Agency)
        .where(Agency.type == AgencyType.CHILDRENS_HOME.value, Agency.active.is_(True))
        .order_by(Agency.name)
    )
    return StatusChoices(
        child=summary_of(child),
        looked_after=child.looked_after,
        child_protection_plan=child.child_protection_plan,
        cse_risk=child.cse_risk,
        placement_agency_id=child.placement_agency_id,
        lead_professional_email=lead.email if lead else "",
        homes=[(home.id, home.name) for home in homes],
    )


def lead_professional_id(session: Session, principal: Principal, email: str) -> uuid.UUID | None:
    """The user named as lead professional by e-mail address (None if no active user has it)."""
    if not principal.can(Permission.CHILDREN_MANAGE):
        raise PermissionDenied("Only the MASH changes a child's status and flags")
    user = find_by_email(session, email)
    return user.id if user is not None and user.active else None
