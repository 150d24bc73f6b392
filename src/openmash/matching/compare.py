"""Field-by-field comparison of two records: each field gets a level, a weight and a sentence for a person.

The levels are fixed here; their weights come from a model (``model.py``) through a ``Weigher``, so the
same comparison serves scoring, explanation and training. Every level function is symmetric in its two
arguments, so that comparing a with b and b with a gives the same weights.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Final, NamedTuple

from rapidfuzz.distance import OSA, JaroWinkler

from openmash.matching.prepared import NamePart, Prepared, prepare
from openmash.matching.record import MatchRecord

__all__ = [
    "FIELD_LEVELS",
    "IDENTIFIER",
    "MISSING",
    "FieldComparison",
    "PartWeigher",
    "Weigher",
    "choose_names",
    "compare",
    "date_of_birth_agreement",
    "date_of_birth_level",
    "forenames_level",
    "identifier_agreement",
    "identifier_level",
    "is_identifier",
    "name_detail",
    "part_weigher",
    "postcode_agreement",
    "postcode_level",
    "sex_agreement",
    "sex_level",
    "surname_level",
]

# The levels of each field, best first. Identifier kinds share the levels of IDENTIFIER. "missing" (either
# side unknown) always weighs 0 and has no m or u.
IDENTIFIER: Final = "identifier"
FIELD_LEVELS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "surname": (
            "exact",
            "variant",
            "token_match",
            "phonetic",
            "jaro_winkler_92",
            "jaro_winkler_85",
            "different",
        ),
        "forenames": (
            "exact",
            "first_forename",
            "variant",
            "phonetic",
            "jaro_winkler_92",
            "jaro_winkler_85",
            "initial",
            "different",
        ),
        "date_of_birth": ("exact", "day_month_swapped", "one_digit", "one_part_differs", "different"),
        IDENTIFIER: ("exact", "keying_error", "different"),
        "postcode": ("exact", "same_district", "different"),
        "sex": ("exact", "different"),
    }
)
MISSING: Final = "missing"
# Ties between two readings of a pair's names go to the better levels (the order above), then to the rest.
_SURNAME_RANK: Final = {level: rank for rank, level in enumerate((*FIELD_LEVELS["surname"], MISSING))}
_FORENAMES_RANK: Final = {level: rank for rank, level in enumerate((*FIELD_LEVELS["forenames"], MISSING))}
_NOT_IDENTIFIERS: Final = frozenset(FIELD_LEVELS) - {IDENTIFIER}

# Weigher(field, level, agreed value or None) -> (weight, note). The value is the joined name on an exact
# name level, so a model can weigh a common name less; the note, if any, is added to the explanation.
Weigher = Callable[[str, str, str | None], tuple[float, str]]

_IDENTIFIER_LABELS: Final = {
    "ni_number": "National Insurance number",
    "nhs_number": "NHS number",
}


def is_identifier(field: str) -> bool:
    """Whether a comparison's field is an identifier kind (any field that is not a fixed one)."""
    return field not in _NOT_IDENTIFIERS


@dataclass(frozen=True, slots=True)
class FieldComparison:
    """One field's part of a score: what was compared, how it agreed, what it weighed, and why in words."""

    field: str
    level: str
    weight: float
    detail: str

    def as_dict(self) -> dict[str, str | float]:
        return {
            "field": self.field,
            "level": self.level,
            "weight": round(self.weight, 2),
            "detail": self.detail,
        }


def surname_level(a: NamePart, b: NamePart) -> str:
    """The surname level of two name parts (cheap: the sentence is written only for the pair chosen)."""
    if not a.joined or not b.joined:
        return MISSING
    if a.joined == b.joined:
        return "exact"
    if a.groups & b.groups:
        return "variant"
    if (a.significant or b.significant) and (a.significant or {a.joined}) & (b.significant or {b.joined}):
        return "token_match"
    if a.codes & b.codes:
        return "phonetic"
    similarity = JaroWinkler.similarity(a.joined, b.joined, score_cutoff=0.85)
    if similarity >= 0.92:
        return "jaro_winkler_92"
    if similarity:
        return "jaro_winkler_85"
    return "different"


def forenames_level(a: NamePart, b: NamePart) -> str:
    """The forenames level of two name parts. An initial is compared only as an initial."""
    if not a.joined or not b.joined:
        return MISSING
    if a.joined == b.joined:
        return "exact"
    if a.first == b.first:
        return "first_forename"
    if len(a.first) == 1 or len(b.first) == 1:
        return "initial" if a.first[0] == b.first[0] else "different"
    if a.first_groups & b.first_groups:
        return "variant"
    if a.first_codes & b.first_codes:
        return "phonetic"
    similarity = max(
        JaroWinkler.similarity(a.joined, b.joined, score_cutoff=0.85),
        JaroWinkler.similarity(a.first, b.first, score_cutoff=0.85),
    )
    if similarity >= 0.92:
        return "jaro_winkler_92"
    if similarity:
        return "jaro_winkler_85"
    return "different"


def name_detail(level: str, a: NamePart, b: NamePart) -> str:
    """Why two surnames or two forenames got their level, in words for the person reading the result."""
    pair = f"'{a.text}'" if a.text == b.text else f"'{a.text}' and '{b.text}'"
    if level == "exact":
        return f"{pair}: same name" if a.text == b.text else f"{pair}: same name, written differently"
    if level == "variant":
        return f"'{a.text}' ≈ '{b.text}' (same name, different spelling or short form)"
    if level == "token_match":
        shared = (a.significant or {a.joined}) & (b.significant or {b.joined})
        return f"{pair} share the name '{min(shared)}'"
    return {
        MISSING: "not given on both records",
        "phonetic": f"{pair} sound the same",
        "jaro_winkler_92": f"{pair} are spelt almost the same",
        "jaro_winkler_85": f"{pair} are spelt similarly",
        "first_forename": f"{pair}: same first forename, other forenames differ or missing",
        "initial": f"{pair}: an initial that fits",
    }.get(level, f"{pair} differ")


def _uk(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def date_of_birth_level(a: date | None, b: date | None) -> tuple[str, str]:
    """The date-of-birth level, and why: typing slips (one digit, day and month swapped) are near misses."""
    level = date_of_birth_agreement(a, b)
    return level, _date_detail(level, a, b)


def date_of_birth_agreement(a: date | None, b: date | None) -> str:
    """The date-of-birth level alone (see ``date_of_birth_level``)."""
    if a is None or b is None:
        return MISSING
    if a == b:
        return "exact"
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return "day_month_swapped"
    if abs(a.toordinal() - b.toordinal()) == 1:
        return "one_digit"
    # One part differing: a typing slip if it differs in one digit as written (dd/mm/yyyy).
    if a.month == b.month and a.year == b.year:
        return "one_digit" if _one_digit(f"{a.day:02d}", f"{b.day:02d}") else "one_part_differs"
    if a.day == b.day and a.year == b.year:
        return "one_digit" if _one_digit(f"{a.month:02d}", f"{b.month:02d}") else "one_part_differs"
    if a.day == b.day and a.month == b.month:
        return "one_digit" if _one_digit(f"{a.year:04d}", f"{b.year:04d}") else "one_part_differs"
    return "different"  # two parts differ, so at least two digits


def _one_digit(x: str, y: str) -> bool:
    return sum(p != q for p, q in zip(x, y, strict=True)) == 1


def _date_detail(level: str, a: date | None, b: date | None) -> str:
    if a is None or b is None:
        return "not given on both records"
    if level == "exact":
        return f"same date of birth ({_uk(a)})"
    if level == "day_month_swapped":
        return f"day and month swapped ({a.day:02d}/{a.month:02d} vs {b.day:02d}/{b.month:02d})"
    both = f"{_uk(a)} vs {_uk(b)}"
    if level == "one_digit":
        return f"one day apart ({both})" if abs((a - b).days) == 1 else f"one digit different ({both})"
    if level == "one_part_differs":
        (differs,) = [
            part
            for part, x, y in (("day", a.day, b.day), ("month", a.month, b.month), ("year", a.year, b.year))
            if x != y
        ]
        return f"{differs} differs ({both})"
    return f"different ({both})"


def identifier_level(kind: str, a: str | None, b: str | None) -> tuple[str, str]:
    """An identifier's level: the same, one keying error away (a slip, or one adjacent swap), or different."""
    label = _IDENTIFIER_LABELS.get(kind, kind.replace("_", " "))
    level = identifier_agreement(a, b)
    if level == MISSING:
        return MISSING, f"{label} not held on both records"
    if level == "exact":
        return "exact", f"same {label}"
    if level == "keying_error" and a and b:
        what = (
            "two adjacent characters swapped"
            if len(a) == len(b) and sorted(a) == sorted(b)
            else "one character different"
        )
        return "keying_error", f"{label}: {what} (a likely keying error)"
    return "different", f"different {label}s: counts against"


def identifier_agreement(a: str | None, b: str | None) -> str:
    """An identifier's level alone (see ``identifier_level``)."""
    if not a or not b:
        return MISSING
    if a == b:
        return "exact"
    return "keying_error" if OSA.distance(a, b, score_cutoff=1) <= 1 else "different"


def postcode_agreement(a: Prepared, b: Prepared) -> str:
    """The postcode level alone (see ``postcode_level``)."""
    if not a.postcodes or not b.postcodes:
        return MISSING
    if a.postcodes & b.postcodes:
        return "exact"
    return "same_district" if a.districts & b.districts else "different"


def sex_agreement(a: str | None, b: str | None) -> str:
    if not a or not b:
        return MISSING
    return "exact" if a == b else "different"


def _spaced(postcode: str) -> str:
    return f"{postcode[:-3]} {postcode[-3:]}" if len(postcode) >= 5 else postcode


def postcode_level(a: Prepared, b: Prepared) -> tuple[str, str]:
    """Postcodes, any of each record's: people move, so not sharing one is weak evidence."""
    level = postcode_agreement(a, b)
    if level == "exact":
        return level, f"shared postcode {_spaced(min(a.postcodes & b.postcodes))}"
    if level == "same_district":
        return level, f"same postcode district {min(a.districts & b.districts)}"
    if level == "different":
        return level, "no postcode or district in common"
    return level, "not given on both records"


def sex_level(a: str | None, b: str | None) -> tuple[str, str]:
    """Sex as recorded: agreeing adds little (half of everyone agrees), differing counts against."""
    level = sex_agreement(a, b)
    if level == "exact":
        return level, f"same ({a})"
    if level == "different":
        return level, f"different ({a} vs {b})"
    return level, "not given on both records"


class _Choice(NamedTuple):
    x_sur: NamePart
    y_sur: NamePart
    x_fore: NamePart
    y_fore: NamePart
    swapped: bool
    alias: bool


NamesChosen = tuple[str, float, str, str, float, str]  # surname level, weight, note; forenames the same
# PartWeigher(field, x, y) -> (level, weight, note) of surname or forenames x against y.
PartWeigher = Callable[[str, NamePart, NamePart], tuple[str, float, str]]


def part_weigher(weigh: Weigher) -> PartWeigher:
    """The level and weight of one name part against another, in the role of ``field``."""

    def weigh_part(field: str, x: NamePart, y: NamePart) -> tuple[str, float, str]:
        level = surname_level(x, y) if field == "surname" else forenames_level(x, y)
        weight, note = weigh(field, level, x.joined if level == "exact" else None)
        return level, weight, note

    return weigh_part


def choose_names(
    a: Prepared, b: Prepared, weigh_part: PartWeigher, swap_penalty: float
) -> tuple[_Choice | None, NamesChosen]:
    """The best agreement over every pair of the two records' names, each also tried with surname and
    forenames swapped on either side (less a small penalty). Trying both swaps, and breaking ties on the
    surname's weight and then the levels, keeps the choice symmetric."""
    best_key: tuple[float, float, int, int] = (float("-inf"), float("-inf"), -99, -99)
    best_levels: NamesChosen = (MISSING, 0.0, "", MISSING, 0.0, "")
    best: _Choice | None = None
    for i, (a_sur, a_fore) in enumerate(a.names):
        for j, (b_sur, b_fore) in enumerate(b.names):
            options = [(a_sur, a_fore, b_sur, b_fore, False)]
            if a_sur.joined != b_sur.joined or a_fore.joined != b_fore.joined:
                options += [(a_fore, a_sur, b_sur, b_fore, True), (a_sur, a_fore, b_fore, b_sur, True)]
            for x_sur, x_fore, y_sur, y_fore, swapped in options:
                s_level, s_weight, s_note = weigh_part("surname", x_sur, y_sur)
                f_level, f_weight, f_note = weigh_part("forenames", x_fore, y_fore)
                if swapped:
                    f_weight -= swap_penalty
                key = (s_weight + f_weight, s_weight, -_SURNAME_RANK[s_level], -_FORENAMES_RANK[f_level])
                if key > best_key:
                    best_key = key
                    best = _Choice(x_sur, y_sur, x_fore, y_fore, swapped, bool(i or j))
                    best_levels = (s_level, s_weight, s_note, f_level, f_weight, f_note)
    return best, best_levels


def _names(
    a: Prepared, b: Prepared, weigh: Weigher, swap_penalty: float, explain: bool = True
) -> list[FieldComparison]:
    best, (s_level, s_weight, s_note, f_level, f_weight, f_note) = choose_names(
        a, b, part_weigher(weigh), swap_penalty
    )
    if best is None:
        return [
            FieldComparison("surname", MISSING, 0.0, "not given on both records"),
            FieldComparison("forenames", MISSING, 0.0, "not given on both records"),
        ]
    if not explain:
        return [
            FieldComparison("surname", s_level, s_weight, ""),
            FieldComparison("forenames", f_level, f_weight, ""),
        ]
    x_sur, y_sur, x_fore, y_fore, swapped, alias = best
    suffix = (" (forenames and surname swapped)" if swapped else "") + (
        " (a previous name or alias)" if alias else ""
    )
    return [
        FieldComparison("surname", s_level, s_weight, name_detail(s_level, x_sur, y_sur) + s_note + suffix),
        FieldComparison(
            "forenames", f_level, f_weight, name_detail(f_level, x_fore, y_fore) + f_note + suffix
        ),
    ]


def compare(
    a: MatchRecord | Prepared,
    b: MatchRecord | Prepared,
    weigh: Weigher,
    *,
    swap_penalty: float = 0.0,
    explain: bool = True,
) -> list[FieldComparison]:
    """Every field's comparison: names, date of birth, each identifier kind either holds, postcode, sex.
    Without ``explain`` the names' sentences are left empty: the levels and weights are the same, and a
    screening writes the sentences only for the matches it shows."""
    pa, pb = prepare(a), prepare(b)
    found = _names(pa, pb, weigh, swap_penalty, explain)

    def add(field: str, level_detail: tuple[str, str]) -> None:
        level, detail = level_detail
        weight, note = (0.0, "") if level == MISSING else weigh(field, level, None)
        found.append(FieldComparison(field, level, weight, detail + note))

    born = date_of_birth_agreement(pa.date_of_birth, pb.date_of_birth)
    add(
        "date_of_birth",
        (born, _date_detail(born, pa.date_of_birth, pb.date_of_birth) if explain else ""),
    )
    for kind in sorted(pa.identifiers.keys() | pb.identifiers.keys()):
        add(kind, identifier_level(kind, pa.identifiers.get(kind), pb.identifiers.get(kind)))
    add("postcode", postcode_level(pa, pb))
    add("sex", sex_level(pa.sex, pb.sex))
    return found
