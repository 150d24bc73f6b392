"""Screening an applicant against every authority's licences: candidates ranked by score, in bands, each with
the reasons it matched field by field, and a summary of its licences everywhere.

This first engine finds candidates through indexed identifiers, the date of birth (as given, or with day and
month swapped) and the postcode, and scores them with fixed Fellegi–Sunter style weights. The matching issue
replaces it with blocking keys that survive any single error and weights estimated from data. A name and a
date of birth alone are never "certain": certainty needs an identifier that agrees, and none that disagrees.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import jellyfish
from rapidfuzz.distance import JaroWinkler, Levenshtein
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from openmash.audit import service as audit
from openmash.audit.service import Actor, Context
from openmash.errors import PurposeRequired, ValidationFailed
from openmash.identity.models import Agency
from openmash.register.identifiers import (
    normalise_driving_licence_number,
    normalise_ni_number,
    normalise_postcode,
)
from openmash.register.models import Licence, Person, PersonAddress, PersonName

ENGINE = "openmash-screening-0.1 (fixed weights)"
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
class Comparison:
    field: str
    level: str
    weight: float

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "level": self.level, "weight": round(self.weight, 2)}


@dataclass
class Candidate:
    person: Person
    score: float
    band: str
    explanation: list[Comparison] = field(default_factory=list)

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


def _fold(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").replace("'", "").split())


def _name_level(given: str, held: str, *, surname: bool) -> Comparison:
    a, b = _fold(given), _fold(held)
    label = "surname" if surname else "forenames"
    strong, medium, weak = (4.0, 3.0, 1.5) if surname else (3.0, 2.0, 1.0)
    if not a or not b:
        return Comparison(label, "missing", 0.0)
    if a == b or a.replace(" ", "") == b.replace(" ", ""):
        return Comparison(label, "exact", strong)
    first_a, first_b = a.split()[0], b.split()[0]
    if jellyfish.metaphone(first_a) == jellyfish.metaphone(first_b) or jellyfish.soundex(
        first_a
    ) == jellyfish.soundex(first_b):
        return Comparison(label, "phonetic", medium)
    similarity = JaroWinkler.similarity(a, b)
    if similarity >= 0.92:
        return Comparison(label, "jaro_winkler>=0.92", medium)
    if similarity >= 0.85:
        return Comparison(label, "jaro_winkler>=0.85", weak)
    if not surname and first_a[0] == first_b[0] and (len(first_a) == 1 or len(first_b) == 1):
        return Comparison(label, "initial", 0.5)
    return Comparison(label, "different", -2.0 if surname else -1.0)


@dataclass(frozen=True)
class _Held:
    """What the comparison reads of a person, from a loaded Person or straight from the columns."""

    id: uuid.UUID
    names: list[tuple[str, str]]  # (surname, forenames): the current name, then previous names and aliases
    date_of_birth: date
    driving_licence_number: str | None
    ni_number: str | None
    postcodes: set[str]

    @classmethod
    def of(cls, person: Person) -> _Held:
        return cls(
            person.id,
            [(person.surname, person.forenames)] + [(n.surname, n.forenames) for n in person.names],
            person.date_of_birth,
            person.driving_licence_number,
            person.ni_number,
            {a.postcode for a in person.addresses if a.postcode},
        )


def _best_name(applicant: Applicant, held: list[tuple[str, str]]) -> list[Comparison]:
    given = list(applicant.names)
    given += [(f, s) for s, f in applicant.names]  # forename and surname swapped
    best: list[Comparison] = []
    for g_surname, g_forenames in given:
        for h_surname, h_forenames in held:
            pair = [
                _name_level(g_surname, h_surname, surname=True),
                _name_level(g_forenames, h_forenames, surname=False),
            ]
            if not best or sum(c.weight for c in pair) > sum(c.weight for c in best):
                best = pair
    return best


def _dob_level(given: date | None, held: date) -> Comparison:
    if given is None:
        return Comparison("date_of_birth", "missing", 0.0)
    if given == held:
        return Comparison("date_of_birth", "exact", 5.0)
    if (given.day, given.month, given.year) == (held.month, held.day, held.year):
        return Comparison("date_of_birth", "day_and_month_swapped", 3.0)
    same = sum((given.year == held.year, given.month == held.month, given.day == held.day))
    if same == 2:
        return Comparison("date_of_birth", "one_part_differs", 1.5)
    return Comparison("date_of_birth", "different", -4.0)


def _identifier_level(
    name: str, given: str | None, held: str | None, agree: float, near: float
) -> Comparison:
    if not given or not held:
        return Comparison(name, "missing", 0.0)
    if given == held:
        return Comparison(name, "exact", agree)
    if len(given) == len(held) and Levenshtein.distance(given, held) == 1:
        return Comparison(name, "one_keying_error", near)
    return Comparison(name, "different", -6.0)


def score(applicant: Applicant, person: Person) -> Candidate | None:
    """Compare field by field; None when the person is not worth showing."""
    compared = _compare(applicant, _Held.of(person))
    if compared is None:
        return None
    total, band, parts = compared
    return Candidate(person=person, score=total, band=band, explanation=parts)


def _compare(applicant: Applicant, person: _Held) -> tuple[float, str, list[Comparison]] | None:
    parts = _best_name(applicant, person.names)
    parts.append(_dob_level(applicant.date_of_birth, person.date_of_birth))
    dln = _identifier_level(
        "driving_licence_number", applicant.driving_licence_number, person.driving_licence_number, 12.0, 8.0
    )
    ni = _identifier_level("ni_number", applicant.ni_number, person.ni_number, 10.0, 6.0)
    parts += [dln, ni]
    if applicant.postcode:
        postcodes = person.postcodes
        outward = applicant.postcode.split(" ")[0]
        if applicant.postcode in postcodes:
            parts.append(Comparison("postcode", "exact", 2.0))
        elif any(p.split(" ")[0] == outward for p in postcodes):
            parts.append(Comparison("postcode", "same_district", 0.5))
    total = sum(c.weight for c in parts)
    corroborated = any(c.level == "exact" for c in (dln, ni))
    contradicted = any(c.level == "different" for c in (dln, ni))
    names_fit = all(c.level != "different" for c in parts[:2])
    if corroborated and not contradicted and names_fit and total >= 18:
        band = CERTAIN
    elif total >= 8:
        band = PROBABLE
    elif total >= 3:
        band = POSSIBLE
    else:
        return None
    return round(total, 2), band, parts


def _candidate_ids(session: Session, applicant: Applicant) -> set[uuid.UUID]:
    conditions = []
    if applicant.driving_licence_number:
        conditions.append(Person.driving_licence_number == applicant.driving_licence_number)
    if applicant.ni_number:
        conditions.append(Person.ni_number == applicant.ni_number)
    dob = applicant.date_of_birth
    if dob is not None:
        conditions.append(Person.date_of_birth == dob)
        if dob.day <= 12 and dob.day != dob.month:  # swapped, it is still a real date
            conditions.append(Person.date_of_birth == date(dob.year, dob.day, dob.month))
    ids: set[uuid.UUID] = set()
    if conditions:
        ids |= set(session.scalars(select(Person.id).where(or_(*conditions)).limit(2000)))
    if applicant.postcode:
        ids |= set(
            session.scalars(
                select(PersonAddress.person_id).where(PersonAddress.postcode == applicant.postcode).limit(500)
            )
        )
    return ids


def _read_people(session: Session, ids: set[uuid.UUID]) -> list[_Held]:
    """The candidates as the comparison reads them: plain columns, no ORM objects (most are not shown)."""
    names: dict[uuid.UUID, list[tuple[str, str]]] = defaultdict(list)
    for person_id, surname, forenames in session.execute(
        select(PersonName.person_id, PersonName.surname, PersonName.forenames).where(
            PersonName.person_id.in_(ids)
        )
    ):
        names[person_id].append((surname, forenames))
    postcodes: dict[uuid.UUID, set[str]] = defaultdict(set)
    for person_id, postcode in session.execute(
        select(PersonAddress.person_id, PersonAddress.postcode).where(PersonAddress.person_id.in_(ids))
    ):
        if postcode:
            postcodes[person_id].add(postcode)
    p = Person
    columns = (p.id, p.surname, p.forenames, p.date_of_birth, p.driving_licence_number, p.ni_number)
    return [
        _Held(person_id, [(surname, forenames), *names[person_id]], born, dln, ni, postcodes[person_id])
        for person_id, surname, forenames, born, dln, ni in session.execute(
            select(*columns).where(p.id.in_(ids))
        )
    ]


def screen(session: Session, applicant: Applicant) -> list[Candidate]:
    """Candidates best first (no audit: callers use ``screen_for``)."""
    ids = _candidate_ids(session, applicant)
    if not ids:
        return []
    compared = [
        (held.id, found)
        for held in _read_people(session, ids)
        if (found := _compare(applicant, held)) is not None
    ]
    compared.sort(key=lambda c: (-c[1][0], str(c[0])))
    kept = compared[:MAX_CANDIDATES]
    if not kept:
        return []
    # Only the people shown are loaded as objects, with what the result shows of them.
    people = {
        person.id: person
        for person in session.scalars(
            select(Person)
            .where(Person.id.in_([person_id for person_id, _ in kept]))
            .options(
                selectinload(Person.names),
                selectinload(Person.addresses),
                selectinload(Person.licences).selectinload(Licence.events),
            )
        )
    }
    return [
        Candidate(person=people[person_id], score=total, band=band, explanation=parts)
        for person_id, (total, band, parts) in kept
    ]


def screen_for(
    session: Session, actor: Actor, applicant: Applicant, purpose: str | None, context: Context
) -> tuple[list[Candidate], dict[uuid.UUID, Agency]]:
    """A licensing officer's screening: needs a purpose; the search and every person shown are audited."""
    stated = (purpose or "").strip()
    if not stated:
        raise PurposeRequired("Give the purpose of this search, for example the application reference")
    if not applicant.has_something():
        raise ValidationFailed({"surname": "Enter at least a name or an identifier"})
    candidates = screen(session, applicant)
    audit.record(
        session,
        "register.screen",
        actor,
        purpose=stated,
        context=context,
        details={"engine": ENGINE, "candidates": [str(c.person.id) for c in candidates]},
    )
    authorities = {
        a.id: a
        for a in session.scalars(
            select(Agency).where(
                Agency.id.in_({lic.authority_id for c in candidates for lic in c.person.licences})
            )
        )
    }
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
        details={"engine": ENGINE, "applicants": len(applicants), "candidates": sorted(shown)},
    )
