"""Other forms of a name, from the generator's own lists (`data/spellings.csv`, `data/nicknames.csv`),
never the matching engine's: spellings that sound the same, nicknames, spacing and punctuation, and accents
typed back in."""

from __future__ import annotations

import itertools
import re
from functools import cache

from openmash.demo.population.names import data_rows, fold, name_tables


@cache
def spellings() -> dict[str, tuple[str, ...]]:
    groups: dict[str, tuple[str, ...]] = {}
    for row in data_rows("spellings.csv", header=False):
        for name in row:
            groups[name.casefold()] = tuple(n for n in row if n != name)
    return groups


@cache
def _nicknames() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for name, nickname in data_rows("nicknames.csv"):
        table.setdefault(name, []).append(nickname)
    return {name: tuple(n) for name, n in table.items()}


@cache
def _accented(community: str) -> dict[str, str]:
    """A community's accented names by their unaccented spelling ("Yilmaz": "Yılmaz"), for typing an accent
    back in where the register holds none."""
    t = name_tables()[community]
    names: set[str] = set()
    for z in (t.surname_m, t.surname_f, t.maiden, t.male, t.female):
        names.update(z.names)
        if z.tail is not None:
            names.update(z.tail.names)
    return {fold(w): w for n in names for w in n.split() if fold(w) != w}


def accented_words(text: str, community: str) -> str:
    accented = _accented(community)
    return " ".join(accented.get(w, w) for w in text.split())


_RULES = (
    ("ph", "f"), ("ck", "k"), ("ee", "i"), ("ei", "ie"), ("ie", "ei"), ("ll", "l"), ("tt", "t"), ("ss", "s"),
    ("nn", "n"), ("rr", "r"), ("mm", "m"), ("ff", "f"), ("dd", "d"),
)  # fmt: skip
_QK = re.compile(r"q(?!u)")  # Tariq, Iqbal: Tarik, Ikbal (not Siddique)


def spelling_variants(word: str) -> tuple[str, ...]:
    """Other spellings of a name that sound the same: the listed respellings and transliterations ("Khan":
    "Kahn") first, then sound-preserving rules (ph/f, double letters, ei/ie, q/k, Ca/Ka, final y/ie)."""
    variants = list(spellings().get(word.casefold(), ()))
    lower = word.lower()
    for old, new in _RULES:
        i = lower.find(old, 1)
        if i > 0:
            variants.append(word[:i] + new + word[i + len(old) :])
    if _QK.search(lower, 1):
        variants.append(word[:1] + _QK.sub("k", word[1:], count=1))
    if lower[:2] in ("ca", "co", "cr", "cl"):
        variants.append("K" + word[1:])
    if len(word) > 3 and lower.endswith("y") and lower[-2] not in "aeiouy":
        variants.append(word[:-1] + "ie")
    elif lower.endswith("ie"):
        variants.append(word[:-2] + "y")
    return tuple(dict.fromkeys(v for v in variants if v.casefold() != lower and len(v) > 1))


def nicknames(forenames: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(name, its nicknames) for the names ``forenames`` starts with ("Abdul Rahman Ali": "Abdul Rahman")."""
    table = _nicknames()
    return tuple(
        (name, table[name])
        for name in (forenames, *itertools.accumulate(forenames.split(), lambda a, b: f"{a} {b}"))
        if name in table and (forenames == name or forenames.startswith(name + " "))
    )


_COMPOUND_PREFIX = re.compile(r"^(Mac|Mc|Abdul|Abdur|Abdel|Abdi)([a-z]{5,}|[A-Z][a-z]+)$")
_JOINED_CHINESE = {"Xiaoming": "Xiao Ming", "Zhiwei": "Zhi Wei", "Xiaoyan": "Xiao Yan", "Jianguo": "Jian Guo"}


@cache
def _compound_forenames() -> frozenset[str]:
    """Forenames of two parts that are one name ("Abdul Rahman", "Kayleigh-Ann", "Ka Wai")."""
    return frozenset(
        n for t in name_tables().values() for z in (t.male, t.female) for n in z.names if " " in n or "-" in n
    )


def spacing_variants(name: str, *, forenames: bool = False) -> tuple[str, ...]:
    """The same name spaced, joined or punctuated otherwise ("Abdul Rahman": "Abdulrahman", "McDonald":
    "Mc Donald", "Smith-Jones": "Smith Jones", "O'Brien": "OBrien"). In forenames only names of two parts
    are joined: "John Paul" is two names, "Abdul Rahman" one."""
    if forenames:
        units = [c for c in sorted(_compound_forenames()) if re.search(rf"(^| ){re.escape(c)}( |$)", name)]
    else:
        units = [name]
    variants: list[str] = []
    for unit in units:
        for sep, other in ((" ", "-"), ("-", " ")):
            if sep in unit:
                first, _, rest = unit.partition(sep)
                joined = first + rest.replace(sep, "").lower()
                variants += [name.replace(unit, v, 1) for v in (unit.replace(sep, other), joined)]
    for word in name.split():
        if "'" in word:
            variants += [
                name.replace(word, word.replace("'", "")),
                name.replace(word, word.replace("'", "’")),
            ]
        match = _COMPOUND_PREFIX.match(word)
        if match:
            variants.append(name.replace(word, f"{match[1]} {match[2].capitalize()}"))
        if word in _JOINED_CHINESE:
            variants.append(name.replace(word, _JOINED_CHINESE[word]))
    return tuple(dict.fromkeys(v for v in variants if v != name))
