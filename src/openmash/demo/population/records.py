"""What the generator makes: a person as their licensing authority holds them, and an applicant as an
officer typed them, with the truth about each (and the kinds of stranger)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

StrangerKind = Literal["new", "twin", "namesake", "relative", "near_twin"]
STRANGER_KINDS: tuple[StrangerKind, ...] = get_args(StrangerKind)


@dataclass(frozen=True, slots=True)
class SyntheticPerson:
    """One person as their licensing authority holds them; ``names`` has the main name first, then previous
    names and aliases."""

    person_id: str
    community: str
    sex: str  # "M" or "F"
    surname: str
    forenames: str
    names: tuple[tuple[str, str], ...]  # (surname, forenames)
    date_of_birth: date
    driving_licence_number: str | None
    ni_number: str | None
    postcode: str
    address: str
    phone: str | None


@dataclass(frozen=True, slots=True)
class SyntheticApplicant:
    """An applicant as an officer typed them, with the truth: who they are (None for a stranger), which
    errors were made, and what kind of stranger they are."""

    names: tuple[tuple[str, str], ...]  # (surname, forenames), the name applied under first
    date_of_birth: date | None
    driving_licence_number: str | None
    ni_number: str | None
    postcode: str | None
    sex: str | None
    true_person_id: str | None
    errors: tuple[str, ...]
    stranger_kind: StrangerKind | None
    community: str
