"""An applicant as an officer keys them in: what the applicant gives, how numbers are written, and the
slips of a finger (a letter of a name, a character of an identifier, a digit of a date of birth)."""

from __future__ import annotations

import calendar
import random
import re
from collections.abc import Callable
from datetime import date
from functools import cache

from openmash.demo.population.people import LETTERS, REFERENCE_DATE

# How often an applicant gives a licence number, an NI number, a postcode and their sex.
GIVES_DLN, GIVES_NI, GIVES_POSTCODE, GIVES_SEX = 0.32, 0.24, 0.7, 0.85


def typed_ni(rng: random.Random, number: str | None) -> str | None:
    """As people write it: sometimes in pairs, "AB 12 34 56 C"."""
    if number is None or rng.random() >= 0.3:
        return number
    return f"{number[:2]} {number[2:4]} {number[4:6]} {number[6:8]} {number[8:]}"


def typed_postcode(rng: random.Random, postcode: str | None) -> str | None:
    if postcode is None or rng.random() >= 0.15:
        return postcode
    return postcode.replace(" ", "").lower() if rng.random() < 0.5 else postcode.lower()


_QWERTY = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


@cache
def _neighbours() -> dict[str, str]:
    """Keys next to each letter, where a slipping finger lands."""
    near: dict[str, str] = {}
    for row_index, row in enumerate(_QWERTY):
        for i, key in enumerate(row):
            keys = row[max(i - 1, 0) : i] + row[i + 1 : i + 2]
            for other in (row_index - 1, row_index + 1):
                if 0 <= other < len(_QWERTY):
                    keys += _QWERTY[other][max(i - 1, 0) : i + 1]
            near[key] = keys
    return near


def _letter(rng: random.Random, near: str, upper: bool) -> str:
    keys = _neighbours().get(near.lower(), "") if rng.random() < 0.7 else ""
    letter = rng.choice(keys or "abcdefghijklmnopqrstuvwxyz")
    return letter.upper() if upper else letter


def _recase(letter: str, change: Callable[[str], str]) -> str:
    """The letter in the other case, unless more than its case changes (Turkish "ı" upper-cases to "I")."""
    changed = change(letter)
    return changed if len(changed) == len(letter) and changed.casefold() == letter.casefold() else letter


def typo(rng: random.Random, text: str, *, first_letter: bool) -> str:
    """One keying error, a letter substituted, dropped, added or swapped with the next: at the first letter,
    or anywhere else (the first letter kept)."""
    for _ in range(50):
        if first_letter:
            i = 0
        else:
            positions = [i for i, c in enumerate(text) if c.isalpha() and i > 0]
            if not positions:
                break
            i = rng.choice(positions)
        c = text[i]
        op = rng.randrange(4)
        if op == 0:
            result = text[:i] + _letter(rng, c, c.isupper()) + text[i + 1 :]
        elif op == 1:
            word = max((w for w in re.split(r"[ \-']", text) if c in w), key=len, default="")
            if len(word) < 3:
                continue
            result = text[:i] + text[i + 1 :]
        elif op == 2:
            j = i if first_letter else i + 1  # before the first letter, or after this one
            result = text[:j] + _letter(rng, c, first_letter and c.isupper()) + text[j:]
        else:
            if i + 1 >= len(text) or not text[i + 1].isalpha():
                continue
            result = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        if first_letter and text[:1].isupper():
            result = _recase(result[:1], str.upper) + _recase(result[1:2], str.lower) + result[2:]
        if result.casefold() == text.casefold():
            continue
        if (result[:1].casefold() == text[:1].casefold()) == first_letter:
            continue  # the first letter changed exactly when it should
        return result
    raise ValueError(f"no typo possible in {text!r}")


def mistype_identifier(rng: random.Random, number: str) -> str:
    """One character of a licence or NI number substituted (by one of the same kind), or two adjacent ones
    swapped."""
    while True:
        i = rng.randrange(len(number))
        if rng.random() < 0.3 and i + 1 < len(number) and number[i] != number[i + 1]:
            return number[:i] + number[i + 1] + number[i] + number[i + 2 :]
        pool = "0123456789" if number[i].isdigit() else LETTERS
        new = rng.choice(pool)
        if new != number[i]:
            return number[:i] + new + number[i + 1 :]


def _valid(year: int, month: int, day: int) -> date | None:
    if 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1] and year <= REFERENCE_DATE.year:
        return date(year, month, day)
    return None


def dob_day_off(rng: random.Random, born: date) -> date:
    days = [
        d for d in (born.day - 1, born.day + 1) if 1 <= d <= calendar.monthrange(born.year, born.month)[1]
    ]
    return born.replace(day=rng.choice(days))


def dob_digit(rng: random.Random, born: date) -> date | None:
    """One digit of the day or the month mistyped (not a swap of day and month, not a day either side)."""
    text = f"{born.day:02d}{born.month:02d}"
    for _ in range(40):
        i = rng.randrange(4)
        digit = rng.choice([d for d in "0123456789" if d != text[i]])
        typed = text[:i] + digit + text[i + 1 :]
        result = _valid(born.year, int(typed[2:]), int(typed[:2]))
        near = result is not None and result.month == born.month and abs(result.day - born.day) == 1
        if result and not near and result != _valid(born.year, born.day, born.month):
            return result
    return None


def dob_year(rng: random.Random, born: date) -> date | None:
    """The year mistyped: its last digit one out, its last two digits swapped, or its decade changed."""
    y = born.year
    options = [y - 1, y + 1, y - y % 100 + (y % 10) * 10 + y // 10 % 10, y + 10 * rng.choice((-1, 1))]
    rng.shuffle(options)
    for year in options:
        result = _valid(year, born.month, born.day) if year != y else None
        if result:
            return result
    return None
