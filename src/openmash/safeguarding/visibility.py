"""Need-to-know, in one place: which of a child's concerns a viewer may see, and when opening a child's record
needs a stated purpose. Every service that shows a child or their concerns asks this module.

Scopes (docs/decisions/0005-safeguarding-hub.md):
- WHOLE: the MASH (children's social care) and the child's lead professional see every agency's concerns.
- POLICE: a police force sees its own concerns and those another agency marked "shared with police".
- OWN_AGENCY: schools, children's homes and health see their own agency's concerns only (not other agencies',
  even those shared with police).
On top of the scope, a concern in a restricted category is shown only to holders of a role the category
names (police intelligence: police and the MASH), and never to anyone else, the lead professional included.

Purpose: a view is "inside one's own agency" when the viewer's agency is connected to the child (created the
record, holds an identifier, recorded a concern, is the child's placement, or the viewer is the lead
professional) and everything shown was recorded by the viewer's own agency. Any other view needs a purpose,
and every view is audited with it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, exists, or_, select, true
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.errors import NotFoundError, PermissionDenied, PurposeRequired
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import Principal
from openmash.safeguarding.models import Child, ChildIdentifier, Concern, ConcernCategory


class Scope(StrEnum):
    WHOLE = "whole"
    POLICE = "police"
    OWN_AGENCY = "own_agency"


def is_lead_professional(principal: Principal, child: Child) -> bool:
    return principal.kind == "user" and child.lead_professional_user_id == principal.id


def scope_for(principal: Principal, child: Child) -> Scope:
    if principal.agency_type is AgencyType.CHILDRENS_SOCIAL_CARE or is_lead_professional(principal, child):
        return Scope.WHOLE
    if principal.agency_type is AgencyType.POLICE_FORCE:
        return Scope.POLICE
    return Scope.OWN_AGENCY


def may_see_category(principal: Principal, category: ConcernCategory) -> bool:
    """A restricted category only for the roles it names; an API token (no roles) never sees one."""
    restricted = category.restricted_roles
    return not restricted or bool(restricted & {str(role) for role in principal.roles})


def concern_clause(principal: Principal, scope: Scope) -> ColumnElement[bool]:
    """The agency part of the rule as SQL over ``Concern`` (the category part is ``may_see_category``)."""
    if scope is Scope.WHOLE:
        return true()
    own = Concern.agency_id == principal.agency_id
    if scope is Scope.POLICE:
        return or_(own, Concern.shared_with_police.is_(True))
    return own


def may_see_concern(principal: Principal, scope: Scope, concern: Concern) -> bool:
    """The same rule as ``concern_clause`` and ``may_see_category``, for one concern already loaded."""
    if not may_see_category(principal, concern.category):
        return False
    if scope is Scope.WHOLE:
        return True
    own = concern.agency_id == principal.agency_id
    return own or (scope is Scope.POLICE and concern.shared_with_police)


def connected(session: Session, principal: Principal, child: Child) -> bool:
    """Whether the viewer's agency already knows the child through its own work."""
    if is_lead_professional(principal, child) or principal.agency_id in (
        child.created_by_agency_id,
        child.placement_agency_id,
    ):
        return True
    agency = principal.agency_id
    holds = exists().where(ChildIdentifier.child_id == child.id, ChildIdentifier.agency_id == agency)
    recorded = exists().where(Concern.child_id == child.id, Concern.agency_id == agency)
    return bool(session.scalar(select(or_(holds, recorded))))


def others_entries_visible(session: Session, principal: Principal, scope: Scope, child: Child) -> bool:
    """Whether the view would show any concern recorded by another agency."""
    if scope is Scope.OWN_AGENCY:
        return False
    clause = and_(
        Concern.child_id == child.id,
        Concern.agency_id != principal.agency_id,
        concern_clause(principal, scope),
    )
    for category in session.scalars(
        select(ConcernCategory).where(exists().where(clause, Concern.category_id == ConcernCategory.id))
    ):
        if may_see_category(principal, category):
            return True
    return False


@dataclass(frozen=True)
class Opened:
    """A child's record opened by a viewer: the scope that decides what they see, and the purpose given."""

    child: Child
    scope: Scope
    connected: bool
    purpose: str | None


def get_child(session: Session, child_id: uuid.UUID) -> Child:
    child = session.get(Child, child_id)
    if child is None:
        raise NotFoundError("Child not found")
    return child


def open_child(
    session: Session,
    principal: Principal,
    child_id: uuid.UUID,
    purpose: str | None,
    context: Context,
    *,
    action: str,
    details: dict[str, object] | None = None,
) -> Opened:
    """Check the viewer may read children's records, apply the purpose rule and audit the view."""
    if not principal.can(Permission.CHRONOLOGY_READ):
        raise PermissionDenied("You do not have permission to see children's records")
    child = get_child(session, child_id)
    scope = scope_for(principal, child)
    stated = (purpose or "").strip() or None
    known = connected(session, principal, child)
    outside = not known or others_entries_visible(session, principal, scope, child)
    if outside and stated is None:
        raise PurposeRequired(
            "Give the purpose for opening this child's record: it holds what another agency recorded, "
            "or your agency has not recorded about this child"
        )
    audit.record(
        session,
        action,
        principal.actor,
        object_type="child",
        object_id=child.id,
        purpose=stated,
        context=context,
        details={"scope": str(scope), "connected": known, "outside_own_agency": outside, **(details or {})},
    )
    return Opened(child=child, scope=scope, connected=known, purpose=stated)
