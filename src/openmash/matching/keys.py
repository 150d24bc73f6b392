"""Blocking keys: the few indexed values a record is found by, chosen so that no single error loses it, and
few pairs of errors.

Each key pairs a name part with date parts. For each name a record holds, with S the surname's sound and F the
first forename's group (nicknames and spellings share one):

- S or F, each with two of the three parts of the date of birth (year and month, year and day, month and
  day), and with the year and the day and month in either order: a record is found with any error in one
  name and any one part of the date wrong, or day and month swapped;
- S and F with the year: both day and month wrong;
- the date of birth with the first letter of the surname, and with that of the forename (one kind, so that
  names written the other way round still meet): both names mistyped;
- S and F alone, looked up only when a query has no date of birth, and each with the postcode;

and each identifier exactly (a mistyped identifier is an error the name keys survive). A query adds the same
keys for its names swapped (forename written as surname). Blocks
stay small at national scale because each key holds a name and most of a date: "Khan" with a year and month
of birth is a few dozen people among two million.

Keys are 64-bit hashes of (domain, kind, value): one integer column indexes every domain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from openmash.matching.normalise import forename_key, joined, phonetic, tokens
from openmash.matching.record import MatchRecord


def hash_key(domain: str, kind: str, value: str) -> int:
    """A signed 64-bit integer (BIGINT on both databases)."""
    digest = _blake2b(f"{domain}\x1f{kind}\x1f{value}".encode(), digest_size=8).digest()
    return _from_bytes(digest, "big", signed=True)


_blake2b = hashlib.blake2b
_from_bytes = int.from_bytes


@lru_cache(maxsize=65536)
def _surname_sounds(surname: str) -> tuple[str, ...]:
    sounds = {phonetic(surname)}
    parts = tokens(surname)
    if len(parts) > 1:  # Smith-Jones is also found as Smith and as Jones
        sounds |= {phonetic(part) for part in parts}
    return tuple(sorted(s for s in sounds if s))


@lru_cache(maxsize=65536)
def _forename_group(forenames: str) -> str:
    parts = tokens(forenames)
    return forename_key(parts[0]) if parts else ""


@lru_cache(maxsize=65536)
def _initials(surname: str, forenames: str) -> tuple[str, ...]:
    """The first letter of the surname and of the forenames (a name with both gives two)."""
    found: list[str] = []
    if surname_letters := joined(surname):
        found.append(surname_letters[0])
    if forename_parts := tokens(forenames):
        found.append(forename_parts[0][0])
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=65536)
def _date_parts(born: date) -> tuple[tuple[str, str], ...]:
    """(kind suffix, value) for the date parts a name is keyed with; names repeat, dates repeat more."""
    year, month, day = f"{born.year}", f"{born.month:02d}", f"{born.day:02d}"
    low, high = sorted((month, day))
    # yu: the year with day and month in either order, so that a record and its swapped twin share keys
    # without a query's expansion (an import's proposals join stored keys only).
    return (
        ("ym", f"{year}-{month}"),
        ("yd", f"{year}-{day}"),
        ("md", f"{month}-{day}"),
        ("yu", f"{year}-{low}{high}"),
    )


def name_date_keys(
    surname: str, forenames: str, born: date | None, *, name_only: bool = True
) -> set[tuple[str, str]]:
    """The (kind, value) keys of one name with one date of birth (and of the name alone, unless not asked:
    a query with a date of birth never needs the large name-only blocks)."""
    keys: set[tuple[str, str]] = set()
    forename = _forename_group(forenames)
    sounds = _surname_sounds(surname)
    if born is not None:
        parts = _date_parts(born)
        for sound in sounds:
            keys.update((f"s{part}", f"{sound}|{value}") for part, value in parts)
        if forename:
            keys.update((f"f{part}", f"{forename}|{value}") for part, value in parts)
            year = born.year
            keys.update(("sfy", f"{sound}|{forename}|{year}") for sound in sounds)
        iso = born.isoformat()
        keys.update(("di", f"{iso}|{initial}") for initial in _initials(surname, forenames))
    if forename and name_only:
        keys.update(("sf", f"{sound}|{forename}") for sound in sounds)
    return keys


def _identifier_keys(record: MatchRecord) -> set[tuple[str, str]]:
    return {(f"id:{kind}", value) for kind, value in record.identifiers.items() if value}


def _postcode_keys(record: MatchRecord, names: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """A postcode with the surname's sound, and with the forename's group: found without a date of birth
    and with one name wrong, where the applicant has not moved."""
    keys: set[tuple[str, str]] = set()
    for postcode in record.postcodes:
        compact = postcode.replace(" ", "").upper()
        for surname, forenames in names:
            keys.update(("ps", f"{compact}|{sound}") for sound in _surname_sounds(surname))
            if forename := _forename_group(forenames):
                keys.add(("pf", f"{compact}|{forename}"))
    return keys


def record_keys(domain: str, record: MatchRecord) -> set[int]:
    """The keys a record is stored under."""
    keys = _identifier_keys(record) | _postcode_keys(record, record.names)
    for surname, forenames in record.names:
        keys |= name_date_keys(surname, forenames, record.date_of_birth)
    return {hash_key(domain, kind, value) for kind, value in keys}


def swapped_day_and_month(born: date) -> date | None:
    """The date with day and month swapped, when that is another real date."""
    if born.day > 12 or born.day == born.month:
        return None
    return date(born.year, born.day, born.month)


def query_keys(domain: str, record: MatchRecord) -> set[int]:
    """The keys to look up for a query: its own, and with its names swapped (forename written as surname).
    A date with day and month swapped needs no lookup of its own: the keys with day and month in either
    order meet it."""
    names = list(record.names) + [(f, s) for s, f in record.names]
    keys = _identifier_keys(record) | _postcode_keys(record, names)
    born = record.date_of_birth
    for surname, forenames in names:
        keys |= name_date_keys(surname, forenames, born, name_only=born is None)
    return {hash_key(domain, kind, value) for kind, value in keys}


def terms_of(record: MatchRecord) -> list[tuple[str, str]]:
    """The values counted for term frequencies: the main name's surname and forenames, joined."""
    if not record.names:
        return []
    surname, forenames = record.names[0]
    return [
        (field, value)
        for field, value in (("surname", joined(surname)), ("forenames", joined(forenames)))
        if value
    ]
