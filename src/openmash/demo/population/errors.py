"""The labelled kinds of error an officer makes typing a registered person: what each changes, how often
it happens, whom it can happen to, and how it is made."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from openmash.demo.population.keying import dob_day_off, dob_digit, dob_year, mistype_identifier, typo
from openmash.demo.population.names import fold
from openmash.demo.population.people import Builder, name_tables_of
from openmash.demo.population.records import SyntheticPerson
from openmash.demo.population.variants import (
    accented_words,
    nicknames,
    spacing_variants,
    spelling_variants,
    spellings,
)


@dataclass(slots=True)
class Draft:
    """An applicant being typed."""

    surname: str
    forenames: str
    others: list[tuple[str, str]]
    born: date | None
    dln: str | None
    ni: str | None
    postcode: str | None
    sex: str | None
    errors: list[str] = field(default_factory=list)


# Each kind of error: what it changes (two errors on one applicant never change the same thing) and how often
# it happens (relative weights, so that every kind is frequent enough to be measured at 10,000 applicants).
ERROR_KINDS: dict[str, tuple[frozenset[str], float]] = {
    name: (frozenset(fields.split()), weight)
    for name, fields, weight in (
        ("typo_surname_first_letter", "surname", 3),
        ("typo_surname", "surname", 8),
        ("typo_forenames_first_letter", "forenames", 3),
        ("typo_forenames", "forenames", 7),
        ("phonetic_surname", "surname", 5),
        ("phonetic_forenames", "forenames", 5),
        ("spacing_surname", "surname", 2.5),
        ("spacing_forenames", "forenames", 2),
        ("nickname", "forenames", 5),
        ("names_swapped", "surname forenames", 3),
        ("middle_name_dropped", "forenames", 6),
        ("middle_name_added", "forenames", 3),
        ("initial_only", "forenames", 2),
        ("previous_name_used", "surname forenames others", 3),
        ("accent_dropped", "surname forenames", 2),
        ("accent_added", "surname forenames", 2),
        ("dob_day_month_swapped", "dob", 5),
        ("dob_day_off_by_one", "dob", 4),
        ("dob_digit_mistyped", "dob", 4),
        ("dob_year_mistyped", "dob", 4),
        ("dob_missing", "dob", 2),
        ("dln_mistyped", "dln", 4),
        ("ni_mistyped", "ni", 3),
        ("identifiers_missing", "dln ni", 3),
        ("moved_address", "postcode", 5),
    )
}


def _words_with(text: str, variants: Callable[[str], Sequence[str]]) -> list[tuple[str, Sequence[str]]]:
    return [(w, v) for w in text.split() if (v := variants(w))]


def _respell(rng: random.Random, text: str) -> str:
    """One word spelt otherwise: mostly as listed (Khan: Kahn), sometimes by a rule (Mitchell: Mitchel)."""
    word, variants = rng.choice(_words_with(text, spelling_variants))
    listed = [v for v in spellings().get(word.casefold(), ()) if v in variants]
    words = text.split()
    words[words.index(word)] = rng.choice(listed if listed and rng.random() < 0.8 else variants)
    return " ".join(words)


def applies(kind: str, p: SyntheticPerson) -> bool:
    """Whether the error can happen to this person (only a name with an accent can lose it)."""
    born = p.date_of_birth
    match kind:
        case "phonetic_surname":
            return bool(_words_with(p.surname, spelling_variants))
        case "phonetic_forenames":
            return bool(_words_with(p.forenames, spelling_variants))
        case "spacing_surname":
            return bool(spacing_variants(p.surname))
        case "spacing_forenames":
            return bool(spacing_variants(p.forenames, forenames=True))
        case "nickname":
            return bool(nicknames(p.forenames))
        case "names_swapped":
            return p.surname != p.forenames
        case "middle_name_dropped":
            return " " in p.forenames
        case "middle_name_added":
            return " " not in p.forenames
        case "previous_name_used":
            return len(p.names) > 1
        case "accent_dropped":
            return not f"{p.surname}{p.forenames}".isascii()
        case "accent_added":
            name = f"{p.surname} {p.forenames}"
            return name.isascii() and not accented_words(name, p.community).isascii()
        case "dob_day_month_swapped":
            return born.day <= 12 and born.day != born.month
        case "dln_mistyped":
            return p.driving_licence_number is not None
        case "ni_mistyped":
            return p.ni_number is not None
        case "identifiers_missing":
            return bool(p.driving_licence_number or p.ni_number)
    return True


def apply(kind: str, rng: random.Random, p: SyntheticPerson, d: Draft, builder: Builder) -> bool:
    """Make the error on the draft; False when it could not be made."""
    born = p.date_of_birth
    match kind:
        case "typo_surname_first_letter" | "typo_surname":
            d.surname = typo(rng, d.surname, first_letter=kind.endswith("letter"))
        case "typo_forenames_first_letter" | "typo_forenames":
            d.forenames = typo(rng, d.forenames, first_letter=kind.endswith("letter"))
        case "phonetic_surname":
            d.surname = _respell(rng, d.surname)
        case "phonetic_forenames":
            d.forenames = _respell(rng, d.forenames)
        case "spacing_surname":
            d.surname = rng.choice(spacing_variants(d.surname))
        case "spacing_forenames":
            d.forenames = rng.choice(spacing_variants(d.forenames, forenames=True))
        case "nickname":
            name, short = rng.choice(nicknames(d.forenames))
            d.forenames = rng.choice(short) + d.forenames[len(name) :]
        case "names_swapped":
            d.surname, d.forenames = d.forenames, d.surname
        case "middle_name_dropped":
            d.forenames = d.forenames.split()[0]
        case "middle_name_added":
            t = name_tables_of(p)
            middle = (t.female if p.sex == "F" else t.male).draw(rng)
            if middle in d.forenames:
                return False
            d.forenames = f"{d.forenames} {middle}"
        case "initial_only":
            d.forenames = d.forenames[0]
        case "previous_name_used":
            (d.surname, d.forenames), d.others = rng.choice(p.names[1:]), []
        case "accent_dropped":
            d.surname, d.forenames = fold(d.surname), fold(d.forenames)
        case "accent_added":
            d.surname = accented_words(d.surname, p.community)
            d.forenames = accented_words(d.forenames, p.community)
        case "dob_day_month_swapped":
            d.born = date(born.year, born.day, born.month)
        case "dob_day_off_by_one":
            d.born = dob_day_off(rng, born)
        case "dob_digit_mistyped" | "dob_year_mistyped":
            typed = (dob_digit if kind == "dob_digit_mistyped" else dob_year)(rng, born)
            if typed is None:  # 29 February: no year of those tried has one
                return False
            d.born = typed
        case "dob_missing":
            d.born = None
        case "dln_mistyped":
            d.dln = mistype_identifier(rng, p.driving_licence_number or "")
        case "ni_mistyped":
            d.ni = mistype_identifier(rng, p.ni_number or "")
        case "identifiers_missing":
            d.dln = d.ni = None
        case "moved_address":
            d.postcode = builder.new_postcode(p)
        case _:
            raise ValueError(f"unknown kind of error {kind!r}")
    return True
