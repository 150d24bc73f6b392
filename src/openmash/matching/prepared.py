"""A record normalised once for comparing against many: each name string's normalised forms (cached, since
names repeat across a register), and the identifiers, postcodes and sex in the forms the levels compare.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Final

from openmash.matching.normalise import (
    joined_token,
    phonetic_codes,
    tokens,
    variant_groups,
)
from openmash.matching.record import MatchRecord

__all__ = ["NamePart", "Prepared", "name_part", "prepare", "prepared"]

# Surname words too common to show two surnames share a family name: "Al Hassan" and "Al Rashid" do not.
_PARTICLES: Final = frozenset(
    {"al", "el", "ul", "ud", "ur", "bin", "ibn", "bint", "ben", "abu", "de", "da", "di", "do", "dos", "du"}
    | {"del", "della", "der", "den", "van", "von", "la", "le", "st", "ap", "jr", "jnr", "sr", "snr"}
)


@dataclass(frozen=True, slots=True)
class NamePart:
    """A surname or a forenames string, normalised every way a comparison needs, once per distinct text.

    The same object serves either role, so names written swapped are compared without recomputing.
    """

    text: str
    joined: str
    first: str  # the first word (Mc as Mac): the first forename
    significant: frozenset[str]  # the words that can show a shared family name
    codes: frozenset[str]  # Double Metaphone codes of the whole name
    first_codes: frozenset[str]  # … of the first word and of the whole name
    groups: frozenset[str]  # variant groups of the whole name
    first_groups: frozenset[str]  # … of the first word and of the whole name


@lru_cache(maxsize=65536)
def name_part(text: str) -> NamePart:
    """The normalised forms of one name string (cached: names repeat across a register)."""
    words = [joined_token(t) for t in tokens(text)]
    whole = "".join(words)
    first = words[0] if words else ""
    codes = frozenset(c for c in phonetic_codes(whole) if c)
    groups = variant_groups(whole) if whole else frozenset()
    return NamePart(
        text=text.strip(),
        joined=whole,
        first=first,
        significant=frozenset(w for w in words if len(w) > 2 and w not in _PARTICLES)
        if len(words) > 1
        else frozenset(),
        codes=codes,
        first_codes=codes | frozenset(c for c in phonetic_codes(first) if c) if first != whole else codes,
        groups=groups,
        first_groups=groups | variant_groups(first) if first != whole else groups,
    )


@dataclass(frozen=True, slots=True)
class Prepared:
    """A record with its names and other fields normalised, to compare against many others cheaply."""

    record_id: str
    names: tuple[tuple[NamePart, NamePart], ...]  # (surname, forenames)
    date_of_birth: date | None
    identifiers: Mapping[str, str]
    postcodes: frozenset[str]
    districts: frozenset[str]
    sex: str | None


def _compact(value: str) -> str:
    return "".join(value.split()).upper()


def _district(postcode: str) -> str:
    return postcode[:-3] if len(postcode) >= 5 else postcode


def _sex(value: str | None) -> str | None:
    """ "M", "F" (also from "male", "Female" …) or None: any other value says nothing."""
    text = (value or "").strip().upper()[:1]
    return text if text in ("M", "F") else None


# The last records prepared, by id: a query scored against each of its candidates is normalised once. An
# entry holds its record, so an id cannot be reused while it is cached; the check ``is`` guards the rest.
_PREPARED: dict[int, tuple[MatchRecord, Prepared]] = {}
_PREPARED_MAX: Final = 512


def prepared(
    record_id: str,
    names: Iterable[Sequence[str]],
    date_of_birth: date | None,
    identifiers: Mapping[str, str],
    postcodes: Iterable[str],
    sex: str | None,
) -> Prepared:
    """A record's fields normalised for comparison, straight from their parts: the engine prepares the
    records it reads from the index without making a MatchRecord of each first."""
    compact = frozenset([code for code in map(_compact, postcodes) if code])
    return Prepared(
        record_id,
        tuple([(name_part(surname), name_part(forenames)) for surname, forenames in names]),
        date_of_birth,
        {kind: code for kind, value in identifiers.items() if (code := _compact(value))},
        compact,
        frozenset([_district(code) for code in compact]),
        _sex(sex) if sex else None,
    )


def prepare(record: MatchRecord | Prepared) -> Prepared:
    """Normalise a record once; ``compare`` and ``score`` accept either form."""
    if isinstance(record, Prepared):
        return record
    cached = _PREPARED.get(id(record))
    if cached is not None and cached[0] is record:
        return cached[1]
    made = prepared(
        record.record_id,
        record.names,
        record.date_of_birth,
        record.identifiers,
        record.postcodes,
        record.sex,
    )
    if len(_PREPARED) >= _PREPARED_MAX:
        _PREPARED.clear()
    _PREPARED[id(record)] = (record, made)
    return made
