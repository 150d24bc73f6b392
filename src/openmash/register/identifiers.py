"""Normalising and checking the identifiers on licence records: postcodes, National Insurance numbers, driving
licence numbers and vehicle registration marks (rules in `docs/formats/licences.md`).

Each normaliser returns the identifier's one standard form, or None when the text cannot be that identifier,
so that the same person is found however an authority typed the value, and the caller decides whether a bad
value is an error (import) or something to ignore (screening). Spaces and case never matter. Only ASCII
letters and digits are accepted: ``str.upper`` turns some other letters into ASCII ones ("ß" becomes "SS").
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date

from openmash.matching.normalise import transliterate

# BS 7666 pattern, as used by GOV.UK: outward code (area, district, optional sub-district), then the inward
# code, whose letters are never C, I, K, M, O or V. GIR 0AA is the one historic exception.
_POSTCODE = re.compile(
    r"(?P<outward>[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY])"
    r"|GIR)(?P<inward>[0-9][ABD-HJLNP-UW-Z]{2})"
)

_NI_NUMBER = re.compile(r"[A-Z]{2}[0-9]{6}[A-D]")
_NI_NEVER_FIRST = frozenset("DFIQUV")
_NI_NEVER_SECOND = frozenset("DFIQUVO")
# Never issued (BG, GB, KN, NK, NT, TN, ZZ) or used only administratively (OO, CR, FY, MW, NC): a number with
# one of these prefixes cannot belong to a driver, so it is refused rather than matched.
_NI_REFUSED_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ", "OO", "CR", "FY", "MW", "NC"})

# DVLA (Great Britain) driver number: surname, decade, month (+50 for women), day, year, initials, a digit
# that tells apart people whose first 13 characters agree, and two computer check characters.
_DVLA_NUMBER = re.compile(
    r"(?P<surname>[A-Z9]{5})(?P<decade>[0-9])(?P<month>[0-9]{2})(?P<day>[0-9]{2})"
    r"(?P<year>[0-9])(?P<initials>[A-Z][A-Z9]|99)[0-9][A-Z0-9]{2}"
)
_DVLA_SURNAME = re.compile(r"[A-Z]+9*")  # letters, then padding
_NORTHERN_IRELAND_NUMBER = re.compile(r"[0-9]{8}")

_REGISTRATION = re.compile(r"[A-Z0-9]{2,8}")

_WOMEN = frozenset({"f", "female", "woman"})
_MEN = frozenset({"m", "male", "man"})


def _compact(text: str) -> str | None:
    """Upper-case with every space removed, or None if anything but ASCII letters and digits remains."""
    compact = "".join(text.split())
    if not compact.isascii() or not compact.isalnum():
        return None
    return compact.upper()


def normalise_postcode(text: str) -> str | None:
    """A UK postcode in its standard spaced upper-case form ("HP19 8FF"), so that it matches however typed.

    The pattern is checked, not whether Royal Mail has issued the postcode: an address may be new.
    """
    compact = _compact(text)
    if compact is None:
        return None
    match = _POSTCODE.fullmatch(compact)
    if match is None or (match["outward"] == "GIR" and match["inward"] != "0AA"):
        return None
    return f"{match['outward']} {match['inward']}"


def normalise_ni_number(text: str) -> str | None:
    """A National Insurance number upper-case without spaces ("AB123456C"), or None if it cannot be one.

    Prefixes that HMRC never issues are refused: the "QQ 12 34 56 C" of guidance and the "ZZ" numbers used as
    placeholders in other systems would otherwise link unrelated drivers together.
    """
    compact = _compact(text)
    if compact is None or not _NI_NUMBER.fullmatch(compact):
        return None
    prefix = compact[:2]
    if prefix[0] in _NI_NEVER_FIRST or prefix[1] in _NI_NEVER_SECOND or prefix in _NI_REFUSED_PREFIXES:
        return None
    return compact


def normalise_driving_licence_number(text: str) -> str | None:
    """A DVLA driver number (16 characters) or Northern Ireland licence number (8 digits), upper-case without
    spaces, or None if it cannot be one.

    The month must be 01–12 (51–62 for women) and the day one the month has, which catches most mistyped
    numbers; whether the number fits its holder is :func:`dvla_number_mismatches`' job.
    """
    compact = _compact(text)
    if compact is None:
        return None
    if _NORTHERN_IRELAND_NUMBER.fullmatch(compact):
        return compact
    match = _DVLA_NUMBER.fullmatch(compact)
    if match is None or not _DVLA_SURNAME.fullmatch(match["surname"]):
        return None
    coded_month = int(match["month"])
    if not (1 <= coded_month <= 12 or 51 <= coded_month <= 62):
        return None
    month = coded_month % 50
    # Only the last two digits of the year are known; a year of the 2000s has the same leap years.
    two_digit_year = int(match["decade"] + match["year"])
    if not 1 <= int(match["day"]) <= calendar.monthrange(2000 + two_digit_year, month)[1]:
        return None
    return compact


def _latin_letters(text: str) -> str:
    """The unaccented Latin letters of ``text``, upper-case: how the DVLA spells a name in a driver number
    (Łukasz as LUKAS, Øberg as OBERG: letters NFKD does not split are transliterated too). Letters of other
    scripts are left out: how the DVLA wrote a Greek or Cyrillic name in Latin letters cannot be known."""
    latin = "".join(char for char in text if char.isascii() or unicodedata.name(char, "").startswith("LATIN"))
    return "".join(char for char in transliterate(latin).upper() if "A" <= char <= "Z")


def _surname_codes(surname: str) -> set[str]:
    """The surname parts a DVLA number may have for this surname; empty when the name has no Latin letters.

    The DVLA writes Mac, Mc and M' as MC, but not for every "Mac..." name (Mackie, Macey), so both spellings
    are accepted.
    """
    letters = _latin_letters(surname)
    if not letters:
        return set()
    spellings = {letters}
    stripped = surname.strip().upper()
    if letters.startswith("MAC"):
        spellings.add("MC" + letters[3:])
    if stripped.startswith(("M'", "M’")):
        spellings.add("MC" + letters[1:])
    return {(spelling[:5]).ljust(5, "9") for spelling in spellings}


def _initials_code(forenames: str) -> str | None:
    """The two initials of a DVLA number, padded with 9; None when the forenames have no Latin letters."""
    initials = "".join(_latin_letters(name)[:1] for name in forenames.split())[:2]
    return initials.ljust(2, "9") if initials else None


def dvla_number_mismatches(
    number: str, surname: str, forenames: str, date_of_birth: date | None, sex: str | None
) -> list[str]:
    """Where a GB driver number disagrees with its holder's surname, date of birth, sex or initials.

    These are warnings, never errors: names change on marriage, data entry errs, and a mismatch is itself a
    signal worth showing to the officer. Northern Ireland and unreadable numbers give no warnings; a part is
    compared only when the holder's detail is known.
    """
    compact = normalise_driving_licence_number(number)
    if compact is None or _NORTHERN_IRELAND_NUMBER.fullmatch(compact):
        return []
    match = _DVLA_NUMBER.fullmatch(compact)
    assert match is not None
    warnings: list[str] = []
    codes = _surname_codes(surname)
    if codes and match["surname"] not in codes:
        warnings.append(
            f"the driving licence number starts {match['surname']}, but the surname gives {min(codes)}"
        )
    coded_month = int(match["month"])
    if date_of_birth is not None:
        coded = (int(match["decade"]), coded_month % 50, int(match["day"]), int(match["year"]))
        expected = (
            date_of_birth.year // 10 % 10,
            date_of_birth.month,
            date_of_birth.day,
            date_of_birth.year % 10,
        )
        if coded != expected:
            warnings.append(
                f"the driving licence number gives a date of birth of day {coded[2]}, month {coded[1]}, "
                f"year ending {coded[0]}{coded[3]}, which differs from the date of birth"
            )
    sex_code = (sex or "").strip().casefold()
    if sex_code in _WOMEN and coded_month < 50:
        warnings.append(
            "the driving licence number is coded for a man (month not increased by 50), but sex is F"
        )
    elif sex_code in _MEN and coded_month > 50:
        warnings.append(
            "the driving licence number is coded for a woman (month increased by 50), but sex is M"
        )
    initials = _initials_code(forenames)
    if initials is not None and match["initials"] != initials:
        warnings.append(
            f"the driving licence number has initials {match['initials']}, but the forenames give {initials}"
        )
    return warnings


def normalise_registration(text: str) -> str | None:
    """A vehicle registration mark upper-case without spaces ("AB12CDE"), or None if it cannot be one.

    Any 2 to 8 letters and digits are accepted: cherished and older marks ("1 A", "ABC 123D") are legal and
    follow no single pattern.
    """
    compact = _compact(text)
    if compact is None or not _REGISTRATION.fullmatch(compact):
        return None
    return compact


def make_driving_licence_number(
    surname: str, forenames: str, date_of_birth: date, *, female: bool, tail: str
) -> str:
    """The DVLA number a person with these details would hold; ``tail`` is the last three characters (a digit
    and two check characters), which the DVLA chooses. For synthetic data and tests: it agrees with
    :func:`dvla_number_mismatches` by construction."""
    letters = _latin_letters(surname) or "X"
    month = date_of_birth.month + (50 if female else 0)
    initials = _initials_code(forenames) or "99"
    return (
        f"{letters[:5].ljust(5, '9')}{date_of_birth.year // 10 % 10}{month:02d}{date_of_birth.day:02d}"
        f"{date_of_birth.year % 10}{initials}{tail}"
    )
