"""The identifiers agencies hold for a child, checked and put in one standard form so that the same child is
found however an agency typed the value.

- NHS number: 10 digits, the last the modulus-11 check digit of the first nine (NHS Data Dictionary).
- Unique pupil number (UPN): 13 letters and digits, given to a pupil by their first school in England and
  kept for life. Only the form is checked: the check letter is left to the school's own system.
- Police and social-care ids: each force's or council's own, so they mean something only with the agency that
  holds them; any letters, digits, "/" and "-".
"""

from __future__ import annotations

import re
from enum import StrEnum


class IdentifierKind(StrEnum):
    NHS_NUMBER = "nhs_number"
    UPN = "upn"
    POLICE_ID = "police_id"
    SOCIAL_CARE_ID = "social_care_id"


IDENTIFIER_LABELS: dict[IdentifierKind, str] = {
    IdentifierKind.NHS_NUMBER: "NHS number",
    IdentifierKind.UPN: "unique pupil number",
    IdentifierKind.POLICE_ID: "police reference",
    IdentifierKind.SOCIAL_CARE_ID: "social care id",
}


def identifier_label(kind: IdentifierKind) -> str:
    """The label at the start of a line: the first letter raised, an acronym kept ("NHS number", never
    "Nhs number" as ``str.capitalize`` gives)."""
    label = IDENTIFIER_LABELS[kind]
    return label[:1].upper() + label[1:]


# One child holds one of each, whichever agency recorded it: the matching engine compares these, and a value
# already held for another child is refused.
NATIONAL_KINDS: frozenset[IdentifierKind] = frozenset({IdentifierKind.NHS_NUMBER, IdentifierKind.UPN})

_UPN = re.compile(r"[A-Z][0-9]{11}[0-9A-Z]")
_LOCAL_ID = re.compile(r"[A-Z0-9][A-Z0-9/\-]{0,39}")


def nhs_check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit of nine digits, or None when there is none (the number is never issued)."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def normalise_nhs_number(text: str) -> str | None:
    """Ten digits without spaces or dashes ("943 476 5919" becomes "9434765919"), or None if the text is not a
    valid NHS number (wrong length, a letter, or a check digit that does not agree)."""
    compact = "".join(ch for ch in text if not ch.isspace() and ch != "-")
    if len(compact) != 10 or not compact.isascii() or not compact.isdigit():
        return None
    if nhs_check_digit(compact[:9]) != int(compact[9]):
        return None
    return compact


def normalise_upn(text: str) -> str | None:
    compact = "".join(text.split()).upper()
    return compact if compact.isascii() and _UPN.fullmatch(compact) else None


def normalise_local_id(text: str) -> str | None:
    compact = "".join(text.split()).upper()
    return compact if compact.isascii() and _LOCAL_ID.fullmatch(compact) else None


_ID_TEXT = "letters, digits, / and -, up to 40 characters"
_PROBLEMS: dict[IdentifierKind, str] = {
    IdentifierKind.NHS_NUMBER: (
        "Enter a valid NHS number: 10 digits, like 943 476 5919, the last being the check digit of the others"
    ),
    IdentifierKind.UPN: (
        "Enter a unique pupil number of 13 characters: a letter, then 11 digits and a digit or letter"
    ),
    IdentifierKind.POLICE_ID: f"Enter the police reference in {_ID_TEXT}",
    IdentifierKind.SOCIAL_CARE_ID: f"Enter the social care id in {_ID_TEXT}",
}


def normalise_identifier(kind: IdentifierKind, text: str) -> str | None:
    if kind is IdentifierKind.NHS_NUMBER:
        return normalise_nhs_number(text)
    if kind is IdentifierKind.UPN:
        return normalise_upn(text)
    return normalise_local_id(text)


def read_identifiers(given: dict[str, str]) -> tuple[dict[IdentifierKind, str], dict[str, str]]:
    """The identifiers typed on a form (kind name to text; blanks ignored) in standard form, and a message
    for each that is wrong, keyed by the kind's name."""
    found: dict[IdentifierKind, str] = {}
    errors: dict[str, str] = {}
    for name, text in given.items():
        if not text or not text.strip():
            continue
        if name not in IdentifierKind._value2member_map_:
            errors[name] = "This kind of identifier is not recorded"
            continue
        kind = IdentifierKind(name)
        value = normalise_identifier(kind, text)
        if value is None:
            errors[name] = _PROBLEMS[kind]
        else:
            found[kind] = value
    return found, errors
