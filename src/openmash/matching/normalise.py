"""Names reduced to comparable forms: folded text, tokens, a joined form, phonetic codes and variant groups.

Everything here is deterministic and cached, because blocking keys are computed from it and stored: the
same name must give the same key on every machine and in every release that keeps this module's rules.
Changing a rule (or the variant table) changes stored keys, so it needs a re-index.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Final

from doublemetaphone import doublemetaphone as _doublemetaphone  # type: ignore[import-untyped]

__all__ = [
    "fold",
    "forename_key",
    "joined",
    "joined_token",
    "phonetic",
    "phonetic_codes",
    "tokens",
    "variant_groups",
    "variant_table",
]

# Letters that NFKD does not split into an ASCII letter and accents, plus basic Greek and Cyrillic.
# Applied to lower-cased text both before NFKD (so й is "y", not "i" + breve) and after it (so accented
# Greek vowels, split by NFKD, still find their base letter).
_LETTERS: Final[dict[str, str]] = {
    "ı": "i",
    "ł": "l",
    "ß": "ss",
    "ẞ": "ss",
    "æ": "ae",
    "ø": "o",
    "œ": "oe",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ħ": "h",
    "ŧ": "t",
    "ŀ": "l",
    "ĸ": "k",
    "ŋ": "ng",
    "ſ": "s",
    "ə": "e",
    "ɨ": "i",
    "ƒ": "f",
    # Cyrillic (Russian, Ukrainian, Bulgarian, Serbian; a simple passport-style scheme).
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "ґ": "g",
    "д": "d",
    "ђ": "dj",
    "е": "e",
    "ё": "e",
    "є": "ye",
    "ж": "zh",
    "з": "z",
    "ѕ": "dz",
    "и": "i",
    "і": "i",
    "ї": "yi",
    "й": "y",
    "ј": "j",
    "к": "k",
    "л": "l",
    "љ": "lj",
    "м": "m",
    "н": "n",
    "њ": "nj",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "ћ": "c",
    "у": "u",
    "ў": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "џ": "dz",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    # Greek (modern pronunciation, ELOT-like).
    "α": "a",
    "β": "v",
    "γ": "g",
    "δ": "d",
    "ε": "e",
    "ζ": "z",
    "η": "i",
    "θ": "th",
    "ι": "i",
    "κ": "k",
    "λ": "l",
    "μ": "m",
    "ν": "n",
    "ξ": "x",
    "ο": "o",
    "π": "p",
    "ρ": "r",
    "σ": "s",
    "ς": "s",
    "τ": "t",
    "υ": "y",
    "φ": "f",
    "χ": "ch",
    "ψ": "ps",
    "ω": "o",
}
_TRANSLATE: Final = str.maketrans(_LETTERS)
_GREEK_OU: Final = re.compile("ο[υύ]")  # Greek "ou" is one sound, written "ou" (Papadopoulou), not "oy".

# Apostrophes and similar marks join the letters around them: O'Brien is "obrien", not "o brien".
_APOSTROPHES: Final = str.maketrans(dict.fromkeys("'’‘`´ʼʻʹ′ʾʿ", None))
_NOT_ALNUM: Final = re.compile(r"[^a-z0-9]+")

# Titles that are never names: dropped wherever they stand.
_TITLES: Final = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "rev", "revd", "reverend"}
)
# Titles that are also surnames (Lord, Sir, Master …): dropped only in front of another word.
_LEADING_TITLES: Final = frozenset({"sir", "dame", "lord", "lady", "master"})


def transliterate(text: str) -> str:
    """Lower case, with accents dropped and other Latin letters, Greek and Cyrillic written in a-z (ł as l,
    ß as ss); punctuation and words are left as they are."""
    lowered = text.lower()
    if not lowered.isascii():
        lowered = _GREEK_OU.sub("ou", lowered).translate(_TRANSLATE)
        decomposed = unicodedata.normalize("NFKD", lowered)
        lowered = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_TRANSLATE)
    return lowered


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case ASCII with accents, other Latin letters, Greek and Cyrillic transliterated.

    Apostrophes vanish, other punctuation separates words, titles go. A text made only of titles keeps its
    last word, so that a surname "Lord" is still a surname.
    """
    lowered = transliterate(text)
    words = _NOT_ALNUM.sub(" ", lowered.translate(_APOSTROPHES)).split()
    kept = [w for w in words if w not in _TITLES]
    while len(kept) > 1 and kept[0] in _LEADING_TITLES:
        kept.pop(0)
    if not kept and words:
        kept = words[-1:]
    return " ".join(kept)


def tokens(text: str) -> list[str]:
    """The folded words of a name, in order."""
    folded = fold(text)
    return folded.split(" ") if folded else []


def joined_token(token: str) -> str:
    """One folded word with Mc written Mac, so McDonald and MacDonald agree."""
    return "mac" + token[2:] if token.startswith("mc") else token


@lru_cache(maxsize=65536)
def joined(text: str) -> str:
    """The folded name with no spaces and Mc/Mac unified: two names with the same joined form are "exact".

    "Mc Donald", "McDonald", "Mac Donald" and "MacDonald" are all "macdonald"; "Abdul Rahman" and
    "Abdulrahman" are both "abdulrahman".
    """
    return "".join(joined_token(t) for t in tokens(text))


@lru_cache(maxsize=65536)
def phonetic_codes(text: str) -> tuple[str, str]:
    """Double Metaphone primary and secondary codes of the joined name ("" for an empty name)."""
    value = joined(text)
    if not value:
        return ("", "")
    primary, secondary = _doublemetaphone(value)
    return (str(primary), str(secondary or primary))


def phonetic(text: str) -> str:
    """The Double Metaphone primary code of the joined name: a cheap, stable blocking key."""
    return phonetic_codes(text)[0]


@cache
def variant_table() -> MappingProxyType[str, tuple[str, ...]]:
    """Joined name → the canonical names of the variant groups holding it, in file order.

    Loaded once from ``data/name_variants.csv``: one group per line, canonical name first.
    """
    groups: dict[str, list[str]] = {}
    text = resources.files("openmash.matching").joinpath("data/name_variants.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    for row in csv.reader(lines):
        names = [joined(cell) for cell in row if cell.strip()]
        if not names or row[0].strip() == "canonical":
            continue
        canonical = names[0]
        for name in dict.fromkeys(names):
            holders = groups.setdefault(name, [])
            if canonical not in holders:
                holders.append(canonical)
    return MappingProxyType({name: tuple(holders) for name, holders in groups.items()})


@lru_cache(maxsize=65536)
def variant_groups(token: str) -> frozenset[str]:
    """Canonical names of every variant group a name belongs to: Joseph is in "joseph" and in "yusuf"."""
    return frozenset(variant_table().get(joined(token), ()))


@lru_cache(maxsize=65536)
def forename_key(token: str) -> str:
    """One blocking key for a forename: "g:" + its group, or "p:" + its phonetic code when in no group.

    A name that heads a group is keyed by that group; otherwise by the first group (in file order) that
    holds it. Mohammed, Muhammad, Mohd and Mehmet share "g:mohammed". An empty name gives "".
    """
    value = joined(token)
    if not value:
        return ""
    holders = variant_table().get(value)
    if holders:
        return "g:" + (value if value in holders else holders[0])
    return "p:" + phonetic(value)
