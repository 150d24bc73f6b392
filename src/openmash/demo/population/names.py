"""The name lists (`data/names.csv`) and their samplers: every community's surnames, maiden names and
forenames drawn by a Zipf-Mandelbrot law, with surnames beyond the lists composed or taken from fathers'
names; and names without accents, as most English systems store them."""

from __future__ import annotations

import bisect
import csv
import itertools
import math
import random
import unicodedata
from collections.abc import Callable, Sequence
from functools import cache
from importlib import resources
from typing import NamedTuple

from openmash.demo.population.communities import COMMUNITIES, REGIONS, SETTLEMENT, Community

# Names are drawn with P(rank r) proportional to (r + q) ** -ZIPF_S (Zipf-Mandelbrot). The offset q flattens
# the top as in life (Smith is 1.3% of people, the 50th surname about 0.2%); a bare 1/r over a list of a few
# hundred names would make one man in five a Smith and name + date of birth twins far too common.
ZIPF_S = 1.0
# How the names a man carries before the one he is called by begin (Mohammed, Abdul, Syed).
NOT_CALLED = ("Moh", "Muh", "Md", "Abd", "Syed", "Ghulam")
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ı": "i", "ø": "o", "Ø": "O", "đ": "d", "ß": "ss", "æ": "ae"})


def fold(text: str) -> str:
    """Without accents, as most English systems store a name ("Łukasz Wiśniewski" -> "Lukasz Wisniewski")."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def data_rows(file: str, *, header: bool = True) -> list[list[str]]:
    """A data file's rows, without its comments (and header)."""
    text = resources.files("openmash.demo").joinpath("data", file).read_text(encoding="utf-8")
    rows = list(csv.reader(line for line in text.splitlines() if line and not line.startswith("#")))
    return rows[1:] if header else rows


class Zipf:
    """Draws names from a frequency-ordered list, P(rank r) proportional to (r + q) ** -s. A community has
    more surnames than any list: ranks beyond the list ("the tail") are drawn from ``tail``."""

    __slots__ = ("cum", "names", "tail", "total")
    cum: list[float]
    total: float

    def __init__(
        self, names: Sequence[str], q: float, *, s: float = ZIPF_S, ranks: int = 0, tail: Zipf | None = None
    ) -> None:
        self.names = tuple(names)
        self.cum = list(itertools.accumulate((r + q) ** -s for r in range(1, len(self.names) + 1)))
        self.tail = tail if tail is not None and ranks > len(self.names) else None
        if self.tail is not None:
            self.cum.append(self.cum[-1] + _tail_mass(len(self.names), ranks, q, s))
        self.total = self.cum[-1]

    def draw(self, rng: random.Random) -> str:
        i = bisect.bisect_right(self.cum, rng.random() * self.total)
        if i < len(self.names):
            return self.names[i]
        assert self.tail is not None
        return self.tail.draw(rng)

    def share(self, rank: int) -> float:
        """The probability of the name at this rank (1 = the most common)."""
        return (self.cum[rank - 1] - (self.cum[rank - 2] if rank > 1 else 0.0)) / self.total

    def mapped(self, change: Callable[[str], str]) -> Zipf:
        """The same law over changed names (a surname's feminine form)."""
        other = object.__new__(Zipf)
        other.names = tuple(change(n) for n in self.names)
        other.cum, other.total = self.cum, self.total
        other.tail = self.tail.mapped(change) if self.tail is not None else None
        return other


def _tail_mass(listed: int, ranks: int, q: float, s: float) -> float:
    """The weight of ranks listed+1..ranks, by the integral of (x + q) ** -s."""
    a, b = listed + 0.5 + q, ranks + 0.5 + q
    if abs(s - 1) < 1e-9:
        return math.log(b / a)
    return (math.pow(a, 1 - s) - math.pow(b, 1 - s)) / (s - 1)


def _polish_feminine(surname: str) -> str:
    for ending, feminine in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
        if surname.endswith(ending):
            return surname[: -len(ending)] + feminine
    return surname


def _lithuanian_feminine(surname: str, *, married: bool) -> str:
    """Kazlauskas: Kazlauskienė (married), Kazlauskaitė (maiden)."""
    for ending, wife, daughter in (("as", "ienė", "aitė"), ("is", "ienė", "ytė"), ("ys", "ienė", "ytė")):
        if surname.endswith(ending):
            return surname[: -len(ending)] + (wife if married else daughter)
    if surname.endswith("us"):
        return surname[:-2] + ("uvienė" if married else "ūtė")
    if surname.endswith("a"):
        return surname[:-1] + ("ienė" if married else "aitė")
    return surname


class Names(NamedTuple):
    community: Community
    surname_m: Zipf
    surname_f: Zipf
    maiden: Zipf  # a woman's surname before marriage
    male: Zipf
    female: Zipf
    male_child: Zipf
    female_child: Zipf
    outward: tuple[tuple[str, ...], list[float]]


@cache
def name_tables() -> dict[str, Names]:
    """Every community's samplers, built once from `data/names.csv`."""
    lists: dict[tuple[str, str], list[str]] = {}
    order: dict[str, list[tuple[str, str]]] = {}
    for community, kind, name in data_rows("names.csv"):
        lists.setdefault((community, kind), []).append(name)
        if kind.startswith("surname"):
            order.setdefault(community, []).append((kind, name))
    codes = [(region, code) for region, text in REGIONS.items() for code in text.split()]
    tables: dict[str, Names] = {}
    for c in COMMUNITIES:
        source = c.names_from or c.name
        q = c.forename_q
        male, female = Zipf(lists[source, "male"], q), Zipf(lists[source, "female"], q)
        tail: Zipf | None = None
        if c.tail == "parts":
            parts = c.parts_from or source
            listed = {n for _, n in order[source]}
            combos = dict.fromkeys(
                a + b
                for a in lists[parts, "tail_start"]
                for b in lists[parts, "tail_end"]
                if a + b not in listed
            )
            tail = Zipf(list(combos), 0, s=0)
        elif c.tail == "male":
            # Surnames from a father's name: the name he was called by, not "Mohammed" or "Abdul".
            called = [n for n in male.names if " " not in n and not n.startswith(NOT_CALLED)]
            tail = Zipf(called, 0, s=0)
        by_sex = {
            sex: [n for kind, n in order[source] if kind in ("surname", f"surname_{sex}")] for sex in "mf"
        }
        surname_m = Zipf(by_sex["m"], c.surname_q, ranks=c.surname_ranks, tail=tail)
        surname_f = Zipf(by_sex["f"], c.surname_q, ranks=c.surname_ranks, tail=tail)
        maiden = surname_f
        if c.name == "polish":
            surname_f = maiden = surname_f.mapped(_polish_feminine)
        elif c.name == "lithuanian":
            maiden = surname_f.mapped(lambda n: _lithuanian_feminine(n, married=False))
            surname_f = surname_f.mapped(lambda n: _lithuanian_feminine(n, married=True))
        weights = SETTLEMENT[c.settlement]
        region_sizes = {r: len(t.split()) for r, t in REGIONS.items()}
        region_weight = dict(zip(REGIONS, weights, strict=True))
        tables[c.name] = Names(
            c,
            surname_m,
            surname_f,
            maiden,
            male,
            female,
            Zipf(lists[source, "male_child"], q) if (source, "male_child") in lists else male,
            Zipf(lists[source, "female_child"], q) if (source, "female_child") in lists else female,
            (
                tuple(code for _, code in codes),
                list(itertools.accumulate(region_weight[r] / region_sizes[r] for r, _ in codes)),
            ),
        )
    return tables
