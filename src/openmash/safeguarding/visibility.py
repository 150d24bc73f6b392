"""Need-to-know, in one place: which of a child's concerns a viewer may see, and when opening a child's record
needs a stated purpose. Every service that shows a child or their concerns asks this module.

Scopes (docs/decisions/0005-safeguarding-hub.md):
- WHOLE: the MASH (children's social care) and the child's lead professional see every agency's concerns.
- POLICE: a police force sees its own concerns and those another agency marked "shared with police".
- OWN_AGENCY: schools, children's homes and health see their own agency's concerns only (not other agencies',
  even those shared with police).
On top of the scope, a concern in a restricted category is shown only to holders of a role the category
names (police intelligence: police and the MASH), and never to anyone else, the lead professional included.
A corrected concern is shown only to a viewer who may see it under its own settings *and* under those of
every later entry of its correction chain (the most restrictive wins): withdrawing the sharing with police,
or moving the concern into a restricted category, hides the original too, and a correction that widens the
sharing does not show the uncorrected original to the audience it adds (``concern_clause``).
The hub's other records about a child (missing episodes, returns, return home interviews, what was shared
with police, requests for help, support items and court dates) follow the same agency rule
(``record_clause``, ``may_see_record``) and count in the purpose rule as concerns do.

Purpose: a view is "inside one's own agency" when the viewer's agency is connected to the child (created the
record, holds an identifier, recorded a concern, is the child's placement, or the viewer is the lead
professional) and everything shown was recorded by the viewer's own agency. Any other view needs a purpose,
and every view is audited with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, not_, or_, select, true
from sqlalchemy.orm import QueryableAttribute, Session, aliased

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.errors import NotFoundError, PermissionDenied, PurposeRequired
from openmash.identity.permissions import AgencyType, Permission
from openmash.identity.principal import Principal
from openmash.safeguarding.identifiers import NATIONAL_KINDS
from openmash.safeguarding.models import Child, ChildIdentifier, Concern, ConcernCategory
from openmash.safeguarding.models_care import (
    HelpRequest,
    MissingEpisode,
    MissingReturn,
    PhilomenaShare,
    ReturnInterview,
)
from openmash.safeguarding.models_gate import GateSighting
from openmash.safeguarding.models_support import CourtDate, SupportItem


class Scope(StrEnum):
    WHOLE = "whole"
    POLICE = "police"
    OWN_AGENCY = "own_agency"


def is_lead_professional(principal: Principal, child: Child) -> bool:
    return principal.kind == "user" and child.lead_professional_user_id == principal.id


def agency_scope(principal: Principal) -> Scope:
    """The scope the viewer's kind of agency gives, whatever the child: the MASH whole, police their own and
    what is shared with them, everyone else their own agency's (the network, which crosses children, uses
    this alone)."""
    if principal.agency_type is AgencyType.CHILDRENS_SOCIAL_CARE:
        return Scope.WHOLE
    if principal.agency_type is AgencyType.POLICE_FORCE:
        return Scope.POLICE
    return Scope.OWN_AGENCY


def scope_for(principal: Principal, child: Child) -> Scope:
    """The agency's scope, widened to the whole record for the child's lead professional."""
    return Scope.WHOLE if is_lead_professional(principal, child) else agency_scope(principal)


def may_see_roles(principal: Principal, restricted_roles: Collection[str]) -> bool:
    """Something restricted to roles (a category, a link read from a concern in one) only for those roles;
    an API token (no roles) never sees it."""
    return not restricted_roles or bool(set(restricted_roles) & {str(role) for role in principal.roles})


def may_see_category(principal: Principal, category: ConcernCategory) -> bool:
    """A restricted category only for the roles it names."""
    return may_see_roles(principal, category.restricted_roles)


def record_clause(
    principal: Principal, scope: Scope, agency_id: QueryableAttribute[uuid.UUID], shared: ColumnElement[bool]
) -> ColumnElement[bool]:
    """The agency part of the rule as SQL over any record about a child that names the agency that recorded
    it and whether it was shared with police (a concern, a missing episode, a request for help...)."""
    if scope is Scope.WHOLE:
        return true()
    own = agency_id == principal.agency_id
    if scope is Scope.POLICE:
        return or_(own, shared)
    return own


def may_see_record(
    principal: Principal,
    scope: Scope,
    agency_id: uuid.UUID,
    shared_with_police: bool,
    restricted_roles: Collection[str] = (),
) -> bool:
    """The same rule as ``record_clause``, for one record already loaded; ``restricted_roles`` when the
    record carries a restricted category (a network link read from a concern's current version)."""
    if not may_see_roles(principal, restricted_roles):
        return False
    if scope is Scope.WHOLE:
        return True
    return agency_id == principal.agency_id or (scope is Scope.POLICE and shared_with_police)


def may_see_support_item(
    principal: Principal, scope: Scope, item_agency_id: uuid.UUID, shared: bool, owner_user_id: uuid.UUID
) -> bool:
    """A support item: the agency rule, and always its named owner (who acts on it, perhaps for another
    agency than the one that recorded it: a health therapist owning an item the MASH added)."""
    owner = principal.kind == "user" and principal.id == owner_user_id
    return owner or may_see_record(principal, scope, item_agency_id, shared)


def hidden_categories(session: Session, principal: Principal) -> list[uuid.UUID]:
    """The categories the viewer's roles may not see (the taxonomy is a few dozen rows)."""
    return [c.id for c in session.scalars(select(ConcernCategory)) if not may_see_category(principal, c)]


def _own_settings(
    principal: Principal, scope: Scope, hidden: list[uuid.UUID], table: type[Concern], agency_rule: bool
) -> ColumnElement[bool]:
    """The rule over one entry's own settings (its agency, sharing and category), as SQL over ``table``."""
    parts: list[ColumnElement[bool]] = []
    if agency_rule:
        parts.append(record_clause(principal, scope, table.agency_id, table.shared_with_police.is_(True)))
    if hidden:
        parts.append(table.category_id.not_in(hidden))
    return and_(true(), *parts)


Children = Collection[uuid.UUID] | Select[Any]


def _hidden_by_later(
    principal: Principal, scope: Scope, hidden: list[uuid.UUID], agency_rule: bool, children: Children | None
) -> Select[tuple[uuid.UUID]]:
    """The ids of concerns a later entry of their correction chain hides from the viewer: walked up the
    chain (``corrects_id``) from each correction the viewer may not see under its own settings, of these
    children only (a correction stays on its child; ``None``: every child's). A chain is short and this starts
    only from the corrections the viewer may not see, so it is a few index lookups. ``UNION`` rather than
    ``UNION ALL``: a cycle in ``corrects_id`` (which the unique constraint and the append-only rows should
    make impossible) ends the walk instead of running for ever."""
    later = aliased(Concern)
    start = select(later.corrects_id.label("id")).where(
        later.corrects_id.is_not(None), not_(_own_settings(principal, scope, hidden, later, agency_rule))
    )
    if children is not None:
        start = start.where(later.child_id.in_(children))
    blocked = start.cte("hidden_by_later", recursive=True, nesting=True)
    earlier = aliased(Concern)
    blocked = blocked.union(
        select(earlier.corrects_id).where(earlier.id == blocked.c.id, earlier.corrects_id.is_not(None))
    )
    return select(blocked.c.id)


def concern_clause(
    session: Session,
    principal: Principal,
    scope: Scope,
    *,
    child_id: uuid.UUID | None = None,
    child_ids: Children | None = None,
    agency_rule: bool = True,
) -> ColumnElement[bool]:
    """The whole rule as SQL over ``Concern``: the agency rule and the category rule on the entry's own
    settings and on those of every later entry of its correction chain. ``child_id`` (one child) or
    ``child_ids`` (several, or a subquery giving them) narrows the chain walk to those children's concerns
    (a correction stays on its child), and the clause is then right only for their concerns; none: every
    child's. ``agency_rule=False`` gives the category part alone (what is not even counted)."""
    hidden = hidden_categories(session, principal)
    if not hidden and (scope is Scope.WHOLE or not agency_rule):
        return true()
    children: Children | None = [child_id] if child_id is not None else child_ids
    own = _own_settings(principal, scope, hidden, Concern, agency_rule)
    return and_(own, Concern.id.not_in(_hidden_by_later(principal, scope, hidden, agency_rule, children)))


def visible_concern_ids(
    session: Session,
    principal: Principal,
    scope: Scope,
    concern_ids: Collection[uuid.UUID],
    *,
    child_ids: Collection[uuid.UUID] | None = None,
) -> set[uuid.UUID]:
    """Which of these concerns (of one child, or all seen under one scope) the viewer may see: one query.
    The chain walk starts only from the corrections of the children these concerns are about: ``child_ids``
    when the caller knows them (all of the concerns' children), otherwise read from the concerns in the
    same query."""
    wanted = sorted(set(concern_ids), key=str)
    if not wanted:
        return set()
    children: Children = (
        sorted(set(child_ids), key=str)
        if child_ids is not None
        else select(Concern.child_id).where(Concern.id.in_(wanted))
    )
    clause = concern_clause(session, principal, scope, child_ids=children)
    return set(session.scalars(select(Concern.id).where(Concern.id.in_(wanted), clause)))


class Sight(StrEnum):
    """How a concern shows to a viewer: shown, withheld (another agency's: may be counted) or hidden (in a
    restricted category, now or later in its chain, the viewer's roles are not named in: not even counted)."""

    SHOWN = "shown"
    WITHHELD = "withheld"
    HIDDEN = "hidden"


def concern_sight(session: Session, principal: Principal, scope: Scope, concern: Concern) -> Sight:
    """``concern_clause`` for one concern already loaded, saying whether it is withheld or hidden."""
    categories = concern_clause(session, principal, scope, child_id=concern.child_id, agency_rule=False)
    whole = concern_clause(session, principal, scope, child_id=concern.child_id)
    row = session.execute(
        select(
            exists().where(Concern.id == concern.id, categories),
            exists().where(Concern.id == concern.id, whole),
        )
    ).one()
    if not row[0]:
        return Sight.HIDDEN
    return Sight.SHOWN if row[1] else Sight.WITHHELD


def may_see_concern(session: Session, principal: Principal, scope: Scope, concern: Concern) -> bool:
    """The same rule as ``concern_clause``, for one concern already loaded (lists use the clause, or
    ``visible_concern_ids``, rather than this one by one)."""
    return concern_sight(session, principal, scope, concern) is Sight.SHOWN


def may_correct(principal: Principal, concern: Concern) -> bool:
    """Only the agency that recorded a concern corrects it, and only a user whose roles may see its category
    (a correction is made to the latest entry, so its own settings are its chain's)."""
    return concern.agency_id == principal.agency_id and may_see_category(principal, concern.category)


def may_see_screenings(scope: Scope) -> bool:
    """Risk screenings weigh every agency's concerns: the whole-record viewers see them (ADR 0005)."""
    return scope is Scope.WHOLE


def _care_records() -> list[
    tuple[QueryableAttribute[uuid.UUID | None], QueryableAttribute[uuid.UUID], ColumnElement[bool]]
]:
    """The hub's other records about a child (child, recording agency, shared with police), which count in the
    purpose rule as concerns do. A Philomena share is police's by definition. A gate sighting naming the child
    is the checking agency's record (shared with police by default). What a concern mentions (adults, phones,
    addresses: ``network.models.ConcernMention``) is recorded by the concern's own agency on that concern, so
    the concern already counts for it here (and the network layer sits above this one)."""
    return [
        (GateSighting.child_id, GateSighting.agency_id, GateSighting.shared_with_police.is_(True)),
        (MissingEpisode.child_id, MissingEpisode.agency_id, MissingEpisode.shared_with_police.is_(True)),
        (MissingReturn.child_id, MissingReturn.agency_id, MissingReturn.shared_with_police.is_(True)),
        (ReturnInterview.child_id, ReturnInterview.agency_id, ReturnInterview.shared_with_police.is_(True)),
        (PhilomenaShare.child_id, PhilomenaShare.agency_id, true()),
        (HelpRequest.child_id, HelpRequest.agency_id, HelpRequest.shared_with_police.is_(True)),
        (SupportItem.child_id, SupportItem.agency_id, SupportItem.shared_with_police.is_(True)),
        (CourtDate.child_id, CourtDate.agency_id, CourtDate.shared_with_police.is_(True)),
    ]


def may_see_identifier(principal: Principal, scope: Scope, identifier: ChildIdentifier) -> bool:
    """National identifiers (NHS number, UPN) tell who the child is, so everyone who may open the record sees
    them; a police or social-care id only the agency holding it and whole-record viewers."""
    national = identifier.kind in {str(kind) for kind in NATIONAL_KINDS}
    return national or scope is Scope.WHOLE or identifier.agency_id == principal.agency_id


def agency_shown(principal: Principal, scope: Scope, agency_id: uuid.UUID | None) -> bool:
    """Whether the viewer may learn which other agency holds something about the child (an identifier, the
    placement, the record itself): a children's home's name is where a looked-after child lives, and
    "created by the police" says the police know the child. Whole-record viewers only, or one's own."""
    return scope is Scope.WHOLE or agency_id == principal.agency_id


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
    others = [exists().where(c == child.id, a == agency) for c, a, _ in _care_records()]
    return bool(session.scalar(select(or_(holds, recorded, *others))))


def knows_child(session: Session, principal: Principal, child: Child) -> bool:
    """Whether the viewer may act on the child by name without opening the record: whole-record viewers (the
    MASH, the lead professional) any child, others only a child their agency already knows. Gate checks,
    transport, support plans and the children an alert names to a lead professional."""
    return scope_for(principal, child) is Scope.WHOLE or connected(session, principal, child)


def others_entries_visible(session: Session, principal: Principal, scope: Scope, child: Child) -> bool:
    """Whether the view would show any concern (or other record) recorded by another agency."""
    if scope is Scope.OWN_AGENCY:
        return False
    clause = and_(
        Concern.child_id == child.id,
        Concern.agency_id != principal.agency_id,
        concern_clause(session, principal, scope, child_id=child.id),
    )
    if session.scalar(select(exists().where(clause))):
        return True
    for child_id, agency_id, shared in _care_records():
        clause = and_(
            child_id == child.id,
            agency_id != principal.agency_id,
            record_clause(principal, scope, agency_id, shared),
        )
        if session.scalar(select(exists().where(clause))):
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
    others_shown: bool = False,
    summary_only: bool = False,
) -> Opened:
    """Check the viewer may read children's records, apply the purpose rule and audit the view.

    ``summary_only``: the caller shows no more than a search does (name, date of birth, badges), on a form
    its own permission opens (recording a concern, an identifier, the status, transport): the caller checks
    that permission, no purpose is asked for, and the read is still audited, with the purpose if one was
    given, so that who looked at which child is always known."""
    if not summary_only and not principal.can(Permission.CHRONOLOGY_READ):
        raise PermissionDenied("You do not have permission to see children's records")
    child = get_child(session, child_id)
    scope = scope_for(principal, child)
    stated = (purpose or "").strip() or None
    known = connected(session, principal, child)
    # ``others_shown``: the caller will show something of another agency's that the rules above do not cover
    # (a Philomena profile kept by the child's previous home).
    outside = not known or others_shown or others_entries_visible(session, principal, scope, child)
    if summary_only:
        details = {"summary_only": True, **(details or {})}
    elif outside and stated is None:
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
