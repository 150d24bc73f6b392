"""Blocking keys: the few indexed values a record is found by, chosen so that no single error loses it.

For each name a record holds, four keys pair a name part with a date part:

- surname sound + date of birth         survives any error in the forenames (typo, nickname, initial)
- forename group + date of birth        survives any error in the surname (typo, marriage, spacing)
- surname sound + forename group + year survives a wrong day or month, or the two swapped
- surname sound + forename group + day and month: survives a wrong year

plus surname sound + forename group alone (found only when a date of birth is missing), and each identifier
exactly: a mistyped identifier is a single error the name and date keys survive. A query adds the same keys
for its names swapped (forename written as surname) and for its date with day and month swapped, so one
indexed lookup finds every candidate. Blocks stay small at national scale because each key holds a name
and a date together; a common name ("Mohammed Khan") with a date of birth is a handful of people.

Keys are 64-bit hashes of (domain, kind, value): one integer column indexes every domain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date

from openmash.matching.normalise import forename_key, phonetic, tokens
from openmash.matching.record import MatchRecord


def hash_key(domain: str, kind: str, value: str) -> int:
    """A signed 64-bit integer (BIGINT on both databases)."""
    digest = hashlib.blake2b(f"{domain}\x1f{kind}\x1f{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _surname_sounds(surname: str) -> set[str]:
    sounds = {phonetic(surname)}
    parts = tokens(surname)
    if len(parts) > 1:  # Smith-Jones is also found as Smith and as Jones
        sounds |= {phonetic(part) for part in parts}
    return {s for s in sounds if s}


def _forename_group(forenames: str) -> str:
    parts = tokens(forenames)
    return forename_key(parts[0]) if parts else ""


def name_date_keys(
    surname: str, forenames: str, born: date | None, *, name_only: bool = True
) -> set[tuple[str, str]]:
    """The (kind, value) keys of one name with one date of birth (and of the name alone, unless not asked:
    a query with a date of birth never needs the large name-only blocks)."""
    keys: set[tuple[str, str]] = set()
    forename = _forename_group(forenames)
    for sound in _surname_sounds(surname):
        if forename and name_only:
            keys.add(("sf", f"{sound}|{forename}"))
        if born is not None:
            keys.add(("sd", f"{sound}|{born.isoformat()}"))
            if forename:
                keys.add(("sfy", f"{sound}|{forename}|{born.year}"))
                keys.add(("sfm", f"{sound}|{forename}|{born.month:02d}-{born.day:02d}"))
    if forename and born is not None:
        keys.add(("fd", f"{forename}|{born.isoformat()}"))
    return keys


def _identifier_keys(record: MatchRecord) -> set[tuple[str, str]]:
    return {(f"id:{kind}", value) for kind, value in record.identifiers.items() if value}


def record_keys(domain: str, record: MatchRecord) -> set[int]:
    """The keys a record is stored under."""
    keys = _identifier_keys(record)
    for surname, forenames in record.names:
        keys |= name_date_keys(surname, forenames, record.date_of_birth)
    return {hash_key(domain, kind, value) for kind, value in keys}


def swapped_day_and_month(born: date) -> date | None:
    """The date with day and month swapped, when that is another real date."""
    if born.day > 12 or born.day == born.month:
        return None
    return date(born.year, born.day, born.month)


def query_keys(domain: str, record: MatchRecord) -> set[int]:
    """The keys to look up for a query: its own, with names swapped and with day and month swapped."""
    dates: list[date | None] = [record.date_of_birth]
    if record.date_of_birth is not None and (swapped := swapped_day_and_month(record.date_of_birth)):
        dates.append(swapped)
    names: Iterable[tuple[str, str]] = list(record.names) + [(f, s) for s, f in record.names]
    keys = _identifier_keys(record)
    for surname, forenames in names:
        for born in dates:
            keys |= name_date_keys(surname, forenames, born, name_only=born is None)
    return {hash_key(domain, kind, value) for kind, value in keys}
