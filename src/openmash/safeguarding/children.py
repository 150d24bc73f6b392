"""Children: search before create, so that what every agency records about one child meets on one record.

Before a child is created the matching engine proposes the children already known (any agency's) who may be
the same; each shown is audited. Creating a child while any is proposed needs the recorder's explicit "none
of these is the child" (``none_of_these``), which is audited with the children dismissed. A national
identifier (NHS number, UPN) already held for another child is refused outright: that child is the one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from openmash.audit import service as audit
from openmash.audit.service import Context
from openmash.db.base import utcnow
from openmash.errors import Conflict, PermissionDenied, ValidationFailed
from openmash.identity.permissions import Permission
from openmash.identity.principal import Principal
from openmash.matching import engine
from openmash.matching.compare import FieldComparison
from openmash.matching.model import load_model
from openmash.matching.record import MatchRecord
from openmash.safeguarding import child_index
from openmash.safeguarding.identifiers import (
    IDENTIFIER_LABELS,
    NATIONAL_KINDS,
    IdentifierKind,
    read_identifiers,
)
from openmash.safeguarding.models import Child, ChildIdentifier
from openmash.safeguarding.status import Badge, badges
from openmash.safeguarding.visibility import get_child

MAX_CANDIDATES = 20
NAME_MAX_LENGTH = 100
# Searching before creating a child is done for one purpose, recorded with every search.
SEARCH_PURPOSE = "find the child before recording about them"


@dataclass(frozen=True)
class ChildDetails:
    """What a practitioner wrote about a child they are about to record about."""

    surname: str
    forenames: str
    date_of_birth: date | None
    sex: str | None = None
    ethnicity: str | None = None
    religion: str | None = None
    first_language: str | None = None
    disability: str | None = None
    learning_disability: bool = False
    identifiers: dict[IdentifierKind, str] = field(default_factory=dict)


def read_child_details(
    *,
    surname: str,
    forenames: str,
    date_of_birth: date | None,
    today: date,
    sex: str = "",
    ethnicity: str = "",
    religion: str = "",
    first_language: str = "",
    disability: str = "",
    learning_disability: bool = False,
    identifiers: dict[str, str] | None = None,
) -> ChildDetails:
    """A child's details from a form, each field checked; identifiers put in their standard form."""
    found, errors = read_identifiers(identifiers or {})
    for name, value in (("surname", surname), ("forenames", forenames)):
        if not value.strip():
            errors[name] = f"Enter the child's {'surname' if name == 'surname' else 'first names'}"
        elif len(value.strip()) > NAME_MAX_LENGTH:
            errors[name] = f"Names must be {NAME_MAX_LENGTH} characters or fewer"
    if date_of_birth is not None and date_of_birth > today:
        errors["date_of_birth"] = "The date of birth must be today or in the past"
    if errors:
        raise ValidationFailed(errors)

    def optional(text: str) -> str | None:
        return text.strip() or None

    return ChildDetails(
        surname=surname.strip(),
        forenames=forenames.strip(),
        date_of_birth=date_of_birth,
        sex=optional(sex),
        ethnicity=optional(ethnicity),
        religion=optional(religion),
        first_language=optional(first_language),
        disability=optional(disability),
        learning_disability=learning_disability,
        identifiers=found,
    )


@dataclass(frozen=True)
class Candidate:
    """A known child who may be the one being recorded: only what is needed to tell, and the reasons."""

    child_id: uuid.UUID
    surname: str
    forenames: str
    date_of_birth: date | None
    badges: list[Badge]
    band: str
    score: float
    explanation: list[FieldComparison]


def _query(details: ChildDetails) -> MatchRecord:
    return MatchRecord(
        record_id="query",
        names=((details.surname, details.forenames),),
        date_of_birth=details.date_of_birth,
        identifiers={str(k): v for k, v in details.identifiers.items() if k in NATIONAL_KINDS},
        sex=child_index.sex_code(details.sex),
    )


def _candidates(session: Session, details: ChildDetails) -> list[Candidate]:
    found = engine.find(session, child_index.DOMAIN, _query(details), limit=MAX_CANDIDATES)
    if not found:
        return []
    children = {
        c.id: c
        for c in session.scalars(select(Child).where(Child.id.in_([uuid.UUID(m.record_id) for m in found])))
    }
    return [
        Candidate(
            child_id=child.id,
            surname=child.surname,
            forenames=child.forenames,
            date_of_birth=child.date_of_birth,
            badges=badges(child),
            band=match.scored.band or "possible",
            score=round(match.scored.weight, 2),
            explanation=list(match.scored.explanation),
        )
        for match in found
        if (child := children.get(uuid.UUID(match.record_id))) is not None
    ]


def engine_name() -> str:
    return f"openmash-matching {load_model().version}"


def find_children(
    session: Session, principal: Principal, details: ChildDetails, context: Context
) -> list[Candidate]:
    """The known children who may be this one, best first; the search and every child shown are audited."""
    if not principal.can(Permission.CHILDREN_SEARCH):
        raise PermissionDenied("You do not have permission to search for children")
    candidates = _candidates(session, details)
    audit.record(
        session,
        "safeguarding.child.search",
        principal.actor,
        purpose=SEARCH_PURPOSE,
        context=context,
        details={"engine": engine_name(), "candidates": [str(c.child_id) for c in candidates]},
    )
    return candidates


class LikelyMatches(Conflict):
    """Known children may be this one: the recorder must pick one, or say that none of them is the child."""

    def __init__(self, candidates: list[Candidate]) -> None:
        super().__init__(
            "Children already known may be this child: choose one, or confirm that none of them is"
        )
        self.candidates = candidates


def _refuse_held_elsewhere(
    session: Session, identifiers: dict[IdentifierKind, str], child_id: uuid.UUID | None
) -> None:
    """A national identifier belongs to one child: refuse one already held for a different child."""
    for kind, value in identifiers.items():
        if kind not in NATIONAL_KINDS:
            continue
        holder = session.scalars(
            select(ChildIdentifier.child_id).where(
                ChildIdentifier.kind == str(kind), ChildIdentifier.value == value
            )
        ).first()
        if holder is not None and holder != child_id:
            raise Conflict(
                f"This {IDENTIFIER_LABELS[kind]} is already held for another child: "
                "find that child and record about them"
            )


def create_child(
    session: Session,
    principal: Principal,
    details: ChildDetails,
    *,
    none_of_these: bool,
    context: Context,
) -> Child:
    """Create a child after the search. If the engine proposes any known child, ``none_of_these`` must say
    that the recorder looked at them and none is this child; otherwise ``LikelyMatches`` lists them."""
    if not principal.can(Permission.CHILDREN_RECORD):
        raise PermissionDenied("You do not have permission to record children")
    _refuse_held_elsewhere(session, details.identifiers, None)
    candidates = _candidates(session, details)
    if candidates and not none_of_these:
        raise LikelyMatches(candidates)
    child = Child(
        id=uuid.uuid4(),
        surname=details.surname,
        forenames=details.forenames,
        date_of_birth=details.date_of_birth,
        sex=details.sex,
        ethnicity=details.ethnicity,
        religion=details.religion,
        first_language=details.first_language,
        disability=details.disability,
        learning_disability=details.learning_disability,
        created_by_agency_id=principal.agency_id,
        created_by=principal.label,
    )
    session.add(child)
    session.flush()
    for kind, value in details.identifiers.items():
        _hold(session, principal, child.id, kind, value)
    session.flush()
    child_index.reindex(session, [child.id])
    audit.record(
        session,
        "safeguarding.child.create",
        principal.actor,
        object_type="child",
        object_id=child.id,
        context=context,
        details={
            "engine": engine_name(),
            "none_of_these": [str(c.child_id) for c in candidates],
            "identifiers": sorted(str(k) for k in details.identifiers),
        },
    )
    return child


def _hold(
    session: Session, principal: Principal, child_id: uuid.UUID, kind: IdentifierKind, value: str
) -> ChildIdentifier:
    held = ChildIdentifier(
        child_id=child_id,
        kind=str(kind),
        value=value,
        agency_id=principal.agency_id,
        recorded_by=principal.label,
        created_at=utcnow(),
    )
    session.add(held)
    return held


def add_identifier(
    session: Session,
    principal: Principal,
    child_id: uuid.UUID,
    kind: str,
    text: str,
    context: Context,
) -> ChildIdentifier | None:
    """Record an identifier the caller's agency holds for a child (None if it already held that value)."""
    if not principal.can(Permission.CHILDREN_RECORD):
        raise PermissionDenied("You do not have permission to record children")
    child = get_child(session, child_id)
    found, errors = read_identifiers({kind: text})
    if not found and not errors:
        errors[kind] = "Enter the identifier"
    if errors:
        raise ValidationFailed(errors)
    ((identifier_kind, value),) = found.items()
    _refuse_held_elsewhere(session, found, child.id)
    already = session.scalars(
        select(ChildIdentifier).where(
            ChildIdentifier.kind == str(identifier_kind),
            ChildIdentifier.value == value,
            ChildIdentifier.agency_id == principal.agency_id,
        )
    ).first()
    if already is not None:
        if already.child_id != child.id:
            raise Conflict(f"Your agency holds this {IDENTIFIER_LABELS[identifier_kind]} for another child")
        return None
    held = _hold(session, principal, child.id, identifier_kind, value)
    session.flush()
    child_index.reindex(session, [child.id])
    audit.record(
        session,
        "safeguarding.child.identifier.add",
        principal.actor,
        object_type="child",
        object_id=child.id,
        context=context,
        details={"kind": str(identifier_kind)},
    )
    return held
