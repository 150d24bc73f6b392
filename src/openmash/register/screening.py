"""Screening an applicant against every authority's licences: candidates ranked by score, in bands, each with
the reasons it matched field by field, and a summary of its licences everywhere.

The matching engine (openmash.matching) finds the candidates through blocking keys that survive any single
error and scores them field by field with Fellegi–Sunter weights from its model file. A name and a date of
birth alone are never "certain": certainty needs an identifier that agrees, and none that disagrees.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from openmash.audit import service as audit
from openmash.audit.service import Actor, Context
from openmash.errors import PurposeRequired, ValidationFailed
from openmash.identity.models import Agency
from openmash.matching import engine
from openmash.matching.compare import FieldComparison
from openmash.matching.record import MatchRecord, known
from openmash.register.identifiers import (
    normalise_driving_licence_number,
    normalise_ni_number,
    normalise_postcode,
)
from openmash.register.matches import engine_name
from openmash.register.models import Licence, LicenceEvent, Person
from openmash.register.person_index import DOMAIN

CERTAIN, PROBABLE, POSSIBLE = "certain", "probable", "possible"
MAX_CANDIDATES = 50


@dataclass(frozen=True)
class Applicant:
    """What the applicant wrote: any mix of names (with aliases), date of birth and identifiers."""

    names: list[tuple[str, str]]  # (surname, forenames), the first being the name applied under
    date_of_birth: date | None = None
    driving_licence_number: str | None = None
    ni_number: str | None = None
    postcode: str | None = None

    def has_something(self) -> bool:
        return bool(self.names or self.driving_licence_number or self.ni_number)


@dataclass
class Candidate:
    """A person shown, loaded with their licences and decision events (names and addresses load only if read:
    the result does not show them)."""

    person: Person
    score: float
    band: str
    explanation: list[FieldComparison] = field(default_factory=list)

    def licences_summary(self, authorities: dict[uuid.UUID, Agency]) -> list[dict[str, Any]]:
        summary = []
        for licence in self.person.licences:
            latest_reason = next(
                (e.reason_category for e in reversed(licence.events) if e.reason_category), None
            )
            summary.append(
                {
                    "licence_id": str(licence.id),
                    "authority": authorities[licence.authority_id].code,
                    "authority_name": authorities[licence.authority_id].name,
                    "authority_licence_ref": licence.authority_licence_ref,
                    "licence_type": licence.licence_type,
                    "status": licence.status,
                    "status_since": licence.status_since.isoformat(),
                    "reason_category": latest_reason,
                }
            )
        return summary


def read_applicant(
    names: Sequence[tuple[str, str]],
    date_of_birth: date | None,
    driving_licence_number: str = "",
    ni_number: str = "",
    postcode: str = "",
) -> Applicant:
    """An applicant from what they wrote. Only the formats of the identifiers given are checked (a screening
    never rejects a typo in a name); at least a name or an identifier is needed."""
    errors: dict[str, str] = {}
    given = [(s.strip(), f.strip()) for s, f in names if s.strip() or f.strip()]
    found: dict[str, str | None] = {}
    for key, raw, check, example in (
        (
            "driving_licence_number",
            driving_licence_number,
            normalise_driving_licence_number,
            "a 16-character DVLA number",
        ),
        ("ni_number", ni_number, normalise_ni_number, "a National Insurance number like AB 12 34 56 C"),
        ("postcode", postcode, normalise_postcode, "a UK postcode like HP19 8FF"),
    ):
        found[key] = check(raw) if raw.strip() else None
        if raw.strip() and found[key] is None:
            errors[key] = f"Enter {example}"
    if not given and not found["driving_licence_number"] and not found["ni_number"]:
        errors["surname"] = "Enter at least a name or an identifier"
    if errors:
        raise ValidationFailed(errors)
    return Applicant(
        names=given,
        date_of_birth=date_of_birth,
        driving_licence_number=found["driving_licence_number"],
        ni_number=found["ni_number"],
        postcode=found["postcode"],
    )


def applicant_record(applicant: Applicant) -> MatchRecord:
    """What the engine compares of an applicant."""
    identifiers = {
        "driving_licence_number": applicant.driving_licence_number,
        "ni_number": applicant.ni_number,
    }
    return MatchRecord(
        record_id="applicant",
        names=tuple(applicant.names),
        date_of_birth=applicant.date_of_birth,
        identifiers=known(identifiers),
        postcodes=frozenset([applicant.postcode] if applicant.postcode else []),
    )


def screen(session: Session, applicant: Applicant) -> list[Candidate]:
    """Candidates best first (no audit: callers use ``screen_for``)."""
    return _screen(session, applicant)[0]


def _screen(session: Session, applicant: Applicant) -> tuple[list[Candidate], dict[uuid.UUID, Agency]]:
    """Candidates best first and the authorities licensing them."""
    found = engine.find(session, DOMAIN, applicant_record(applicant), limit=MAX_CANDIDATES)
    if not found:
        return [], {}
    people, authorities = _load_shown(session, [uuid.UUID(match.record_id) for match in found])
    candidates = [
        Candidate(
            person=people[uuid.UUID(match.record_id)],
            score=round(match.scored.weight, 2),
            band=match.scored.band or POSSIBLE,
            explanation=list(match.scored.explanation),
        )
        for match in found
        if uuid.UUID(match.record_id) in people
    ]
    return candidates, authorities


def _load_shown(
    session: Session, person_ids: list[uuid.UUID]
) -> tuple[dict[uuid.UUID, Person], dict[uuid.UUID, Agency]]:
    """Only the people shown, with their licences, decision events and licensing authorities, in one
    statement: a screening's time beyond the engine's was mostly round trips (one per table before).

    A person's licences and events are one chain of one-to-many joins, so the rows are the events, not a
    product of collections. Licences come in the order they were recorded, events by date as the
    relationship orders them."""
    rows = session.execute(
        select(Person, Agency)
        .outerjoin(Person.licences)
        .outerjoin(Licence.events)
        .outerjoin(Agency, Agency.id == Licence.authority_id)
        .where(Person.id.in_(person_ids))
        .order_by(Licence.created_at, Licence.id, LicenceEvent.event_date, LicenceEvent.recorded_at)
        .options(contains_eager(Person.licences).contains_eager(Licence.events))
    ).unique()
    people: dict[uuid.UUID, Person] = {}
    authorities: dict[uuid.UUID, Agency] = {}
    for person, authority in rows:
        people[person.id] = person
        if authority is not None:
            authorities[authority.id] = authority
    return people, authorities


def screen_for(
    session: Session, actor: Actor, applicant: Applicant, purpose: str | None, context: Context
) -> tuple[list[Candidate], dict[uuid.UUID, Agency]]:
    """A licensing officer's screening: needs a purpose; the search and every person shown are audited."""
    stated = (purpose or "").strip()
    if not stated:
        raise PurposeRequired("Give the purpose of this search, for example the application reference")
    if not applicant.has_something():
        raise ValidationFailed({"surname": "Enter at least a name or an identifier"})
    candidates, authorities = _screen(session, applicant)
    audit.record(
        session,
        "register.screen",
        actor,
        purpose=stated,
        context=context,
        details={"engine": engine_name(), "candidates": [str(c.person.id) for c in candidates]},
    )
    return candidates, authorities


def as_json(candidates: Sequence[Candidate], authorities: dict[uuid.UUID, Agency]) -> list[dict[str, Any]]:
    """The batch screening output's candidate list (docs/formats/licences.md)."""
    return [
        {
            "person_id": str(c.person.id),
            "score": c.score,
            "band": c.band,
            "explanation": [p.as_dict() for p in c.explanation],
            "licences": [
                {
                    k: v
                    for k, v in lic.items()
                    if k
                    in ("authority", "authority_licence_ref", "licence_type", "status", "reason_category")
                }
                for lic in c.licences_summary(authorities)
            ],
        }
        for c in candidates
    ]


def screen_batch(
    session: Session,
    actor: Actor,
    applicants: Sequence[tuple[int, Applicant]],
    purpose: str | None,
    context: Context,
    progress: Callable[[], None] | None = None,
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """Screen many applicants (an authority's yearly re-check); one audit record names every person shown."""
    stated = (purpose or "").strip()
    if not stated:
        raise PurposeRequired("Give the purpose of this screening")
    shown: set[str] = set()
    authorities = {a.id: a for a in session.scalars(select(Agency))}
    for key, applicant in applicants:
        candidates = screen(session, applicant)
        shown.update(str(c.person.id) for c in candidates)
        if progress is not None:
            progress()
        yield key, as_json(candidates, authorities)
    audit.record(
        session,
        "register.screen.batch",
        actor,
        purpose=stated,
        context=context,
        details={"engine": engine_name(), "applicants": len(applicants), "candidates": sorted(shown)},
    )
