"""What the matching engine knows of a person: names, date of birth, identifiers and postcodes, nothing more.

The register (drivers) and the hub (children) each turn their own records into these, so one engine, one
model file per domain, serves both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType


@dataclass(frozen=True)
class MatchRecord:
    """One side of a comparison: a registered person, or what an applicant or a practitioner wrote.

    ``names`` holds (surname, forenames) pairs as written, the main name first, then previous names and
    aliases. ``identifiers`` maps an identifier kind (for example ``driving_licence_number``, ``ni_number``,
    ``nhs_number``) to its normalised value; a kind absent is unknown, never "different".
    """

    record_id: str
    names: tuple[tuple[str, str], ...]
    date_of_birth: date | None = None
    identifiers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    postcodes: frozenset[str] = frozenset()
    sex: str | None = None  # "M", "F" or None when not known


def known(identifiers: Mapping[str, str | None]) -> Mapping[str, str]:
    """The identifiers a record holds, from a mapping that may name kinds it lacks (None or empty): an
    identifier not held is unknown, and must not reach the engine as a value to compare."""
    return MappingProxyType({kind: value for kind, value in identifiers.items() if value})
