"""Keys that make two records' mentions of one thing meet: phone numbers in an E.164-like UK form, addresses
folded with their postcode in standard form, adults' names folded. Each returns None when the text cannot
be the thing (the caller says so to the user). Deterministic: stored keys depend on it.

Matching is exact on the key. A nickname or a misspelt name ("Daz", "Darren") does not link: proposing such
links (phonetic names, fuzzy addresses) is the matching engine's work and a later step.
"""

from __future__ import annotations

import re

from openmash.matching.normalise import fold, transliterate
from openmash.register.identifiers import normalise_postcode

_PHONE_PUNCTUATION = re.compile(r"[\s\-().\/]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
# Common abbreviations in UK addresses, so "12 High St" and "12 High Street" agree.
_ADDRESS_WORDS = {
    "st": "street",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "dr": "drive",
    "cl": "close",
    "ct": "court",
    "pl": "place",
    "sq": "square",
    "cres": "crescent",
    "gdns": "gardens",
    "tce": "terrace",
    "grn": "green",
    "pk": "park",
}


def normalise_phone(text: str) -> str | None:
    """A phone number as "+" and digits: UK numbers as +44 without the trunk 0 ("07700 900123",
    "+44 (0)7700 900123" and "0044 7700 900123" are all "+447700900123"); other international numbers as
    given. None if it cannot be a number."""
    compact = _PHONE_PUNCTUATION.sub("", text.strip())
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+"):
        digits = compact[1:]
        if not digits.isascii() or not digits.isdigit():
            return None
        if digits.startswith("440"):
            digits = "44" + digits[3:]
        if digits.startswith("44"):
            return "+" + digits if len(digits) - 2 in (9, 10) else None
        return "+" + digits if 7 <= len(digits) <= 15 else None
    if not compact.isascii() or not compact.isdigit():
        return None
    if compact.startswith("0") and len(compact) in (10, 11):
        return "+44" + compact[1:]
    return None


def _postcode_at_end(words: list[str]) -> tuple[list[str], str | None]:
    for size in (2, 1):
        if len(words) >= size:
            found = normalise_postcode("".join(words[-size:]))
            if found is not None:
                return words[:-size], found
    return words, None


def normalise_address(text: str) -> tuple[str, str | None] | None:
    """An address's key (lower-case words, abbreviations written out, the postcode in standard form at the
    end) and its postcode; None if nothing is left. A postcode alone is an address of just its postcode."""
    words = _NOT_ALNUM.sub(" ", transliterate(text)).split()
    words, postcode = _postcode_at_end(words)
    words = [_ADDRESS_WORDS.get(w, w) for w in words]
    if not words and postcode is None:
        return None
    key = " ".join([*words, postcode.lower()] if postcode else words)
    return key, postcode


def normalise_adult(text: str) -> str | None:
    """An adult's name folded (lower-case ASCII, titles and punctuation gone); None if nothing is left."""
    folded = fold(text)
    return folded or None
