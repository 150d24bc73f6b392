"""A synthetic population of England with ground truth, for benchmarking person matching (issue 7).

Names come from the communities of England in their rough shares, each list in frequency order and drawn
with a Zipf law, so that two different people with the same name and date of birth ("Mohammed Khan" and
"John Smith" born the same day) occur at two million people about as often as they do in life. Applicants are
registered people as an officer would type them, with labelled errors, or labelled strangers (new people,
twins with a registered person's name and date of birth, namesakes, relatives, near twins).

This module must not import ``openmash.matching``: its spelling variants and nicknames are its own lists
(`data/`), so the benchmark does not test the engine's tables against themselves. Everything is synthetic:
names are drawn from frequency lists and combined at random, with fixed seeds; phone numbers are in Ofcom's
range for drama (07700 900000-900999), so they repeat and are no identifier.
"""

from __future__ import annotations

import bisect
import calendar
import csv
import gc
import itertools
import math
import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from importlib import resources
from typing import Literal, NamedTuple, get_args

from openmash.register.identifiers import make_driving_licence_number

REFERENCE_DATE = date(2026, 11, 1)  # "today" for ages, as in the demo register
ADULT_AGES = (18, 80)  # a driver register
CHILD_AGES = (10, 17)  # the safeguarding hub
DRIVER_FEMALE_SHARE = 0.05  # taxi and private-hire drivers are overwhelmingly men
CHILD_FEMALE_SHARE = 0.49
# Names are drawn with P(rank r) proportional to (r + q) ** -ZIPF_S (Zipf-Mandelbrot). The offset q flattens
# the top as in life (Smith is 1.3% of people, the 50th surname about 0.2%); a bare 1/r over a list of a few
# hundred names would make one man in five a Smith and name + date of birth twins far too common.
ZIPF_S = 1.0

StrangerKind = Literal["new", "twin", "namesake", "relative", "near_twin"]
STRANGER_KINDS: tuple[StrangerKind, ...] = get_args(StrangerKind)
_STRANGER_MIX: tuple[float, ...] = (0.5, 0.15, 0.15, 0.1, 0.1)  # new, twin, namesake, relative, near twin


class Community(NamedTuple):
    """A community of England: its share of people, the shape of its name lists and where it lives."""

    name: str
    share: float  # percent of people
    surname_q: float  # Zipf-Mandelbrot offset: P(rank r) is proportional to (r + q) ** -ZIPF_S
    surname_ranks: int  # distinct surnames in the community; those beyond the list come from the tail
    forename_q: float
    settlement: str  # key of _SETTLEMENT
    names_from: str = ""  # another community's lists (people of mixed or other heritage: English names)
    tail: str = ""  # "parts": composed from tail_start + tail_end; "male": male forenames (patronymics)
    parts_from: str = ""


# Shares: the 2021 census for England, as in issue 7. Other white (continental European) is what remains of
# "other white" after the Eastern Europeans; people of mixed or other heritage mostly have English names.
COMMUNITIES: tuple[Community, ...] = (
    Community("white_british", 74.0, 6, 300_000, 10, "england", tail="parts"),
    Community("irish", 1.0, 4, 20_000, 5, "irish", tail="parts", parts_from="white_british"),
    Community("polish", 1.5, 8, 20_000, 4, "eastern_european", tail="parts"),
    Community("romanian", 1.0, 5, 5_000, 4, "eastern_european", tail="parts"),
    Community("lithuanian", 0.5, 6, 5_000, 4, "eastern_european", tail="parts"),
    Community("pakistani", 3.0, 2, 500, 3, "pakistani", tail="male"),
    Community("indian_sikh", 1.0, 0.5, 0, 3, "indian"),
    Community("indian_gujarati", 1.2, 0.3, 0, 3, "indian"),
    Community("indian_hindu", 0.8, 2, 0, 3, "indian"),
    Community("bangladeshi", 1.0, 1, 400, 2, "bangladeshi", tail="male"),
    Community("nigerian", 1.2, 6, 5_000, 4, "black", tail="parts"),
    Community("ghanaian", 0.5, 3, 0, 3, "black"),
    Community("somali", 0.8, 2, 300, 2, "black", tail="male"),
    Community("black_caribbean", 1.0, 4, 20_000, 5, "black", tail="parts", parts_from="white_british"),
    Community("chinese", 0.8, 2, 0, 4, "cities"),
    Community("arab", 0.5, 3, 300, 2, "cities", tail="male"),
    Community("turkish_kurdish", 0.5, 4, 3_000, 3, "cities", tail="parts"),
    Community("other_white", 3.5, 6, 0, 6, "cities"),
    Community("mixed_or_other", 6.2, 6, 300_000, 10, "england", "white_british", "parts", "white_british"),
)

# Real outward codes, by region.
_REGIONS: dict[str, str] = {
    "london": "E1 E2 E3 E6 E7 E13 E14 E17 N1 N7 N15 N17 NW1 NW10 SE1 SE5 SE15 SE18 SW2 SW9 SW11 SW16 W2 W3 "
    "W12 UB1 UB3 HA0 HA9 IG1 IG3 CR0 CR7 EN1 RM1 TW3 BR1 DA1 KT1 SM1",
    "south_east": "SL1 SL2 HP11 HP13 HP19 MK1 MK9 RG1 RG30 OX1 OX4 GU1 BN1 BN2 ME1 CT1 PO1 SO14 SO15 RH10 "
    "TN1",
    "north_west": "M8 M13 M14 M16 M19 M20 M40 OL1 OL8 OL9 BL1 BL3 BB1 BB2 BB9 PR1 L1 L8 L15 WA1 WN1 SK1 CH1 "
    "CA1 LA1",
    "east": "LU1 LU2 LU3 LU4 CB1 NR1 NR2 IP1 CO1 CM1 SS1 PE1 PE21 SG1 AL1 WD17",
    "west_midlands": "B6 B8 B9 B10 B11 B12 B19 B20 B21 B23 B29 B44 B66 B70 B71 WV1 WV2 WV10 WS1 WS2 CV1 CV2 "
    "CV6 DY1 DY4 ST1 TF1 WR1 HR1",
    "south_west": "BS1 BS2 BS5 BS16 EX1 EX4 PL1 PL4 TA1 BA1 GL1 SN1 BH1 TR1",
    "yorkshire": "BD1 BD3 BD5 BD7 BD8 BD9 HD1 HD2 HX1 LS4 LS6 LS8 LS9 LS11 S1 S2 S4 S63 S65 WF1 WF13 HU1 HU5 "
    "YO1 DN1",
    "east_midlands": "LE1 LE2 LE4 LE5 NG1 NG3 NG7 DE1 DE23 NN1 NN5 LN1",
    "north_east": "NE1 NE4 NE6 SR1 TS1 TS5 DH1 DL1",
}
# Where each community lives: weights in the order of _REGIONS (from the census, rounded).
_SETTLEMENT: dict[str, tuple[float, ...]] = {
    "england": (15.5, 16.4, 13.1, 11.2, 10.5, 10.1, 9.7, 8.6, 4.7),
    "irish": (25, 14, 15, 8, 12, 8, 7, 7, 4),
    "eastern_european": (25, 14, 9, 16, 10, 6, 8, 11, 1),
    "pakistani": (18, 8, 21, 6, 21, 1.5, 20, 3.5, 1),
    "bangladeshi": (45, 7, 11, 8, 12, 2, 5, 4, 3),
    "indian": (35, 12, 6, 7, 17, 2, 4, 16, 1),
    "black": (55, 8, 8, 9, 10, 4, 3, 3, 1),
    "cities": (40, 15, 9, 9, 7, 7, 5, 5, 3),
}
_STREETS = (
    "Church", "Station", "Victoria", "Park", "Queen's", "King's", "Mill", "High", "School", "Manor",
    "Grange", "Albert", "Alexandra", "Windsor", "York", "Springfield", "Oakfield", "Highfield", "Meadow",
    "Orchard", "Chestnut", "Beech", "Elm", "Willow", "Ash", "Cedar", "Holly", "Rose", "Hawthorn",
    "Westfield", "Cromwell", "Nelson", "Wellington", "Stanley", "Clarence", "Milton", "Brook", "Hill",
    "Green", "New", "North", "South", "West", "East", "Lime", "Poplar", "Sycamore", "Birch", "Hazel",
    "Laurel", "Heather", "Bank", "Mount", "Chapel", "Cross", "Water", "Bridge", "Forest", "Valley",
)  # fmt: skip
_STREET_TYPES = (
    "Road", "Street", "Lane", "Avenue", "Close", "Drive", "Way", "Gardens", "Crescent", "Grove", "Place",
    "Terrace", "Court", "Walk",
)  # fmt: skip
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_PHONES = tuple(f"07700 900{i:03d}" for i in range(1000))
_NI_PREFIXES = tuple(
    a + b
    for a in "ABCEGHJKLMNOPRSTWXYZ"
    for b in "ABCEGHJKLMNPRSTWXYZ"
    if a + b not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ", "OO", "CR", "FY", "MW", "NC"}
)
# Communities whose men often carry "Mohammed" before the name they are called by.
_MOHAMMED_FIRST = {"pakistani": ("Mohammed", "Muhammad"), "bangladeshi": ("Mohammed", "Md", "Mohammad")}
_NOT_CALLED = ("Moh", "Muh", "Md", "Abd", "Syed", "Ghulam")
_DOUBLE_BARRELLED = {"white_british", "irish", "mixed_or_other", "black_caribbean", "other_white"}
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ı": "i", "ø": "o", "Ø": "O", "đ": "d", "ß": "ss", "æ": "ae"})


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


def fold(text: str) -> str:
    """Without accents, as most English systems store a name ("Łukasz Wiśniewski" -> "Lukasz Wisniewski")."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# ---------------------------------------------------------------------------------------------- the data


def _rows(file: str, *, header: bool = True) -> list[list[str]]:
    """A data file's rows, without its comments (and header)."""
    text = resources.files("openmash.demo").joinpath("data", file).read_text(encoding="utf-8")
    rows = list(csv.reader(line for line in text.splitlines() if line and not line.startswith("#")))
    return rows[1:] if header else rows


class _Zipf:
    """Draws names from a frequency-ordered list, P(rank r) proportional to (r + q) ** -s. A community has
    more surnames than any list: ranks beyond the list ("the tail") are drawn from ``tail``."""

    __slots__ = ("cum", "names", "tail", "total")
    cum: list[float]
    total: float

    def __init__(
        self, names: Sequence[str], q: float, *, s: float = ZIPF_S, ranks: int = 0, tail: _Zipf | None = None
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

    def mapped(self, change: Callable[[str], str]) -> _Zipf:
        """The same law over changed names (a surname's feminine form)."""
        other = object.__new__(_Zipf)
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


class _Names(NamedTuple):
    community: Community
    surname_m: _Zipf
    surname_f: _Zipf
    maiden: _Zipf  # a woman's surname before marriage
    male: _Zipf
    female: _Zipf
    male_child: _Zipf
    female_child: _Zipf
    outward: tuple[tuple[str, ...], list[float]]


@cache
def _tables() -> dict[str, _Names]:
    """Every community's samplers, built once from `data/names.csv`."""
    lists: dict[tuple[str, str], list[str]] = {}
    order: dict[str, list[tuple[str, str]]] = {}
    for community, kind, name in _rows("names.csv"):
        lists.setdefault((community, kind), []).append(name)
        if kind.startswith("surname"):
            order.setdefault(community, []).append((kind, name))
    codes = [(region, code) for region, text in _REGIONS.items() for code in text.split()]
    tables: dict[str, _Names] = {}
    for c in COMMUNITIES:
        source = c.names_from or c.name
        q = c.forename_q
        male, female = _Zipf(lists[source, "male"], q), _Zipf(lists[source, "female"], q)
        tail: _Zipf | None = None
        if c.tail == "parts":
            parts = c.parts_from or source
            listed = {n for _, n in order[source]}
            combos = dict.fromkeys(
                a + b
                for a in lists[parts, "tail_start"]
                for b in lists[parts, "tail_end"]
                if a + b not in listed
            )
            tail = _Zipf(list(combos), 0, s=0)
        elif c.tail == "male":
            # Surnames from a father's name: the name he was called by, not "Mohammed" or "Abdul".
            called = [n for n in male.names if " " not in n and not n.startswith(_NOT_CALLED)]
            tail = _Zipf(called, 0, s=0)
        by_sex = {
            sex: [n for kind, n in order[source] if kind in ("surname", f"surname_{sex}")] for sex in "mf"
        }
        surname_m = _Zipf(by_sex["m"], c.surname_q, ranks=c.surname_ranks, tail=tail)
        surname_f = _Zipf(by_sex["f"], c.surname_q, ranks=c.surname_ranks, tail=tail)
        maiden = surname_f
        if c.name == "polish":
            surname_f = maiden = surname_f.mapped(_polish_feminine)
        elif c.name == "lithuanian":
            maiden = surname_f.mapped(lambda n: _lithuanian_feminine(n, married=False))
            surname_f = surname_f.mapped(lambda n: _lithuanian_feminine(n, married=True))
        weights = _SETTLEMENT[c.settlement]
        region_sizes = {r: len(t.split()) for r, t in _REGIONS.items()}
        region_weight = dict(zip(_REGIONS, weights, strict=True))
        tables[c.name] = _Names(
            c,
            surname_m,
            surname_f,
            maiden,
            male,
            female,
            _Zipf(lists[source, "male_child"], q) if (source, "male_child") in lists else male,
            _Zipf(lists[source, "female_child"], q) if (source, "female_child") in lists else female,
            (
                tuple(code for _, code in codes),
                list(itertools.accumulate(region_weight[r] / region_sizes[r] for r, _ in codes)),
            ),
        )
    return tables


@cache
def _spellings() -> dict[str, tuple[str, ...]]:
    groups: dict[str, tuple[str, ...]] = {}
    for row in _rows("spellings.csv", header=False):
        for name in row:
            groups[name.casefold()] = tuple(n for n in row if n != name)
    return groups


@cache
def _nicknames() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for name, nickname in _rows("nicknames.csv"):
        table.setdefault(name, []).append(nickname)
    return {name: tuple(n) for name, n in table.items()}


@cache
def _accented(community: str) -> dict[str, str]:
    """A community's accented names by their unaccented spelling ("Yilmaz": "Yılmaz"), for typing an accent
    back in where the register holds none."""
    t = _tables()[community]
    names: set[str] = set()
    for z in (t.surname_m, t.surname_f, t.maiden, t.male, t.female):
        names.update(z.names)
        if z.tail is not None:
            names.update(z.tail.names)
    return {fold(w): w for n in names for w in n.split() if fold(w) != w}


_RULES = (
    ("ph", "f"), ("ck", "k"), ("ee", "i"), ("ei", "ie"), ("ie", "ei"), ("ll", "l"), ("tt", "t"), ("ss", "s"),
    ("nn", "n"), ("rr", "r"), ("mm", "m"), ("ff", "f"), ("dd", "d"),
)  # fmt: skip
_QK = re.compile(r"q(?!u)")  # Tariq, Iqbal: Tarik, Ikbal (not Siddique)


def spelling_variants(word: str) -> tuple[str, ...]:
    """Other spellings of a name that sound the same: the listed respellings and transliterations ("Khan":
    "Kahn") first, then sound-preserving rules (ph/f, double letters, ei/ie, q/k, Ca/Ka, final y/ie)."""
    variants = list(_spellings().get(word.casefold(), ()))
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
        n for t in _tables().values() for z in (t.male, t.female) for n in z.names if " " in n or "-" in n
    )


def spacing_variants(name: str, *, forenames: bool = False) -> tuple[str, ...]:
    """The same name spaced, joined or punctuated otherwise ("Abdul Rahman": "Abdulrahman", "McDonald":
    "Mc Donald", "Smith-Jones": "Smith Jones", "O'Brien": "OBrien"). In forenames only names of two parts
    are joined: "John Paul" is two names, "Abdul Rahman" one."""
    if forenames:
        units = [c for c in _compound_forenames() if re.search(rf"(^| ){re.escape(c)}( |$)", name)]
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


# ---------------------------------------------------------------------------------------------- people


def _age_weight(age: int, children: bool) -> float:
    """Few drivers under 25, fewer every year after 60."""
    if children:
        return 1.0
    return 0.6 if age < 25 else 1.0 if age <= 60 else 1.0 - 0.04 * (age - 60)


class _Builder:
    """Makes people, one random stream per seed; shared by the population, its duplicates and strangers so
    that all agree on names, places and unique identifiers."""

    def __init__(self, seed: int, *, children: bool, female_share: float | None = None) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
        self.children = children
        self.female_share = (
            female_share
            if female_share is not None
            else (CHILD_FEMALE_SHARE if children else DRIVER_FEMALE_SHARE)
        )
        tables = _tables()
        self.communities = [tables[c.name] for c in COMMUNITIES]
        self.community_cum = list(itertools.accumulate(c.share for c in COMMUNITIES))
        lo, hi = CHILD_AGES if children else ADULT_AGES
        self.ages = list(range(lo, hi + 1))
        self.age_cum = list(itertools.accumulate(_age_weight(a, children) for a in self.ages))
        self.windows = [
            (REFERENCE_DATE.replace(year=REFERENCE_DATE.year - a - 1).toordinal() + 1,
             REFERENCE_DATE.replace(year=REFERENCE_DATE.year - a).toordinal())
            for a in self.ages
        ]  # fmt: skip
        self.dates: dict[int, date] = {}
        self.dlns: set[str] = set()  # issued: DVLA and HMRC numbers are unique
        self.nis: set[str] = set()

    def community(self) -> _Names:
        return self.communities[bisect.bisect_right(self.community_cum, self.rng.random() * 100.0)]

    def birth(self) -> tuple[date, int]:
        """A date of birth and the age it gives on the reference date."""
        rng = self.rng
        i = bisect.bisect_right(self.age_cum, rng.random() * self.age_cum[-1])
        lo, hi = self.windows[i]
        ordinal = lo + int(rng.random() * (hi - lo + 1))
        born = self.dates.get(ordinal)
        if born is None:
            born = self.dates[ordinal] = date.fromordinal(ordinal)  # one object a day, shared
        return born, self.ages[i]

    def forenames(self, t: _Names, female: bool, surname: str) -> str:
        rng = self.rng
        z = (
            (t.female_child if female else t.male_child)
            if self.children
            else (t.female if female else t.male)
        )
        first = z.draw(rng)
        r = rng.random()
        name = t.community.name
        if name == "indian_sikh" and surname not in ("Singh", "Kaur") and r < 0.5:
            return f"{first} {'Kaur' if female else 'Singh'}"  # Harjit Singh Sandhu
        if name in _MOHAMMED_FIRST and not female and r < 0.12 and not first.startswith(_NOT_CALLED):
            return f"{rng.choice(_MOHAMMED_FIRST[name])} {first}"  # Mohammed Imran, called Imran
        if r < 0.4:
            middle = (t.male if name == "somali" else z).draw(rng)  # a Somali's second name is the father's
            if middle != first:
                first = f"{first} {middle}"
            if r < 0.03:
                third = z.draw(rng)
                if third not in first:
                    first = f"{first} {third}"
        return first

    def dln(self, surname: str, forenames: str, born: date, female: bool) -> str:
        """The DVLA number for these details, unique: the 14th character tells apart people whose first 13
        agree, and the last two are the DVLA's check characters."""
        rng = self.rng
        digit = 9
        while True:
            tail = f"{digit}{_LETTERS[int(rng.random() * 26)]}{_LETTERS[int(rng.random() * 26)]}"
            number = make_driving_licence_number(
                fold(surname), fold(forenames), born, female=female, tail=tail
            )
            if number not in self.dlns:
                self.dlns.add(number)
                return number
            digit = digit - 1 if digit else 9

    def ni(self) -> str:
        rng = self.rng
        while True:
            digits = int(rng.random() * 1_000_000)
            prefix = _NI_PREFIXES[int(rng.random() * len(_NI_PREFIXES))]
            number = f"{prefix}{digits:06d}{'ABCD'[digits % 4]}"  # the letter follows: one number, one letter
            if number not in self.nis:
                self.nis.add(number)
                return number

    def postcode(self, t: _Names) -> str:
        rng = self.rng
        codes, cum = t.outward
        outward = codes[bisect.bisect_right(cum, rng.random() * cum[-1])]
        letters = _INWARD_LETTERS
        inward = f"{int(rng.random() * 10)}{letters[int(rng.random() * 20)]}{letters[int(rng.random() * 20)]}"
        return f"{outward} {inward}"

    def new_postcode(self, person: SyntheticPerson) -> str:
        """Where someone moved to: mostly nearby (the same outward code), else where their community lives."""
        while True:
            postcode = self.postcode(_tables()[person.community])
            if self.rng.random() < 0.6:
                postcode = person.postcode.split()[0] + " " + postcode.split()[1]
            if postcode != person.postcode:
                return postcode

    def address(self) -> str:
        rng = self.rng
        street = f"{_STREETS[int(rng.random() * len(_STREETS))]} {_STREET_TYPES[int(rng.random() * 14)]}"
        number = int(rng.random() ** 2 * 150) + 1
        if rng.random() < 0.1:
            return f"Flat {int(rng.random() * 12) + 1}, {number} {street}"
        return f"{number} {street}"

    def alias(self, surnames: _Zipf, surname: str, forenames: str) -> tuple[str, str]:
        """A man's other name: a surname changed by deed poll, a name he is known by, another spelling."""
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            known = nicknames(forenames)
            if known:
                name, short = rng.choice(known)
                return surname, rng.choice(short) + forenames[len(name) :]
        if r < 0.6:
            variants = spelling_variants(surname)
            if variants:
                return rng.choice(variants), forenames
        return surnames.draw(rng), forenames

    def person(self, person_id: str) -> SyntheticPerson:
        rng = self.rng
        t = self.community()
        female = rng.random() < self.female_share
        born, age = self.birth()
        surnames = t.surname_f if female else t.surname_m
        surname = surnames.draw(rng)
        if t.community.name in _DOUBLE_BARRELLED and rng.random() < 0.025:
            other = surnames.draw(rng)
            if other != surname:
                surname = f"{surname}{'-' if rng.random() < 0.8 else ' '}{other}"
        forenames = self.forenames(t, female, surname)
        names: tuple[tuple[str, str], ...] = ((surname, forenames),)
        r = rng.random()
        if female and not self.children and age >= 20 and r < 0.45:
            maiden = t.maiden.draw(rng)
            if maiden != surname:
                names = ((surname, forenames), (maiden, forenames))
        elif (r < 0.035 and not female) or (self.children and r < 0.03):
            alias = self.alias(surnames, surname, forenames)
            if alias != (surname, forenames):
                names = ((surname, forenames), alias)
        if not (surname + forenames).isascii() and rng.random() < 0.4:
            names = tuple((fold(s), fold(f)) for s, f in names)  # the authority's system drops accents
            surname, forenames = names[0]
        dln = None
        if not self.children or (age >= 17 and rng.random() < 0.3):  # a provisional licence at 17
            dln = self.dln(surname, forenames, born, female)
        ni = self.ni() if (not self.children or age >= 16) and rng.random() < 0.9 else None
        return SyntheticPerson(
            person_id,
            t.community.name,
            "F" if female else "M",
            surname,
            forenames,
            names,
            born,
            dln,
            ni,
            self.postcode(t),
            self.address(),
            _PHONES[int(rng.random() * 1000)] if not self.children or rng.random() < 0.6 else None,
        )


def make_population(
    n: int, seed: int, *, children: bool = False, female_share: float | None = None
) -> list[SyntheticPerson]:
    """``n`` people, the same for the same seed (and the first ``k`` of them the same whatever ``n``).
    Adults 18-80 for the driver register (about 5% women), or children 10-17 for the hub (ids "C...")."""
    builder = _Builder(seed, children=children, female_share=female_share)
    prefix = "C" if children else "P"
    collecting = gc.isenabled()
    gc.disable()  # millions of small objects that live on: spare the collector walking them again and again
    try:
        return [builder.person(f"{prefix}{i:07d}") for i in range(1, n + 1)]
    finally:
        if collecting:
            gc.enable()


def _tables_of(person: SyntheticPerson) -> _Names:
    return _tables()[person.community]


def _name_variant(rng: random.Random, surname: str, forenames: str) -> tuple[str, str]:
    """The same name as another authority might hold it: accents, spacing, spelling or the middle name."""
    options: list[tuple[str, str]] = []
    if not (surname + forenames).isascii():
        options.append((fold(surname), fold(forenames)))
    options += [(v, forenames) for v in spacing_variants(surname)]
    options += [(v, forenames) for v in spelling_variants(surname)[:2]]
    if " " in forenames:
        options.append((surname, forenames.split()[0]))
    return rng.choice(options) if options else (surname, forenames)


def duplicates(
    population: Sequence[SyntheticPerson], share: float = 0.02, seed: int = 0
) -> list[SyntheticPerson]:
    """Second records of ``share`` of the people, as another licensing authority holds them: the same person
    id and identifiers (the NI number sometimes not recorded), and sometimes another spelling of the name
    or a newer address."""
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
    children = bool(population) and population[0].person_id.startswith("C")
    builder = _Builder(seed + 7, children=children)
    records = []
    for i in rng.sample(range(len(population)), round(share * len(population))):
        p = population[i]
        record = p
        if rng.random() < 0.3:
            surname, forenames = _name_variant(rng, p.surname, p.forenames)
            record = replace(
                record, surname=surname, forenames=forenames, names=((surname, forenames), *p.names[1:])
            )
        if rng.random() < 0.3:
            record = replace(record, postcode=builder.postcode(_tables_of(p)), address=builder.address())
        if p.ni_number and rng.random() < 0.1:
            record = replace(record, ni_number=None)
        records.append(record)
    return records


# ---------------------------------------------------------------------------------------------- applicants


@dataclass(slots=True)
class _Draft:
    """An applicant being typed."""

    surname: str
    forenames: str
    others: list[tuple[str, str]]
    born: date | None
    dln: str | None
    ni: str | None
    postcode: str | None
    sex: str | None
    errors: list[str] = field(default_factory=list)


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


def _mistype_identifier(rng: random.Random, number: str) -> str:
    """One character of a licence or NI number substituted (by one of the same kind), or two adjacent ones
    swapped."""
    while True:
        i = rng.randrange(len(number))
        if rng.random() < 0.3 and i + 1 < len(number) and number[i] != number[i + 1]:
            return number[:i] + number[i + 1] + number[i] + number[i + 2 :]
        pool = "0123456789" if number[i].isdigit() else _LETTERS
        new = rng.choice(pool)
        if new != number[i]:
            return number[:i] + new + number[i + 1 :]


def _valid(year: int, month: int, day: int) -> date | None:
    if 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1] and year <= REFERENCE_DATE.year:
        return date(year, month, day)
    return None


def _dob_day_off(rng: random.Random, born: date) -> date:
    days = [
        d for d in (born.day - 1, born.day + 1) if 1 <= d <= calendar.monthrange(born.year, born.month)[1]
    ]
    return born.replace(day=rng.choice(days))


def _dob_digit(rng: random.Random, born: date) -> date | None:
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


def _dob_year(rng: random.Random, born: date) -> date | None:
    """The year mistyped: its last digit one out, its last two digits swapped, or its decade changed."""
    y = born.year
    options = [y - 1, y + 1, y - y % 100 + (y % 10) * 10 + y // 10 % 10, y + 10 * rng.choice((-1, 1))]
    rng.shuffle(options)
    for year in options:
        result = _valid(year, born.month, born.day) if year != y else None
        if result:
            return result
    return None


# Each kind of error: what it changes (two errors on one applicant never change the same thing) and how often
# it happens (relative weights, so that every kind is frequent enough to be measured at 10,000 applicants).
ERROR_KINDS: dict[str, tuple[frozenset[str], float]] = {
    name: (frozenset(fields.split()), weight)
    for name, fields, weight in (
        ("typo_surname_first_letter", "surname", 3),
        ("typo_surname", "surname", 8),
        ("typo_forenames_first_letter", "forenames", 3),
        ("typo_forenames", "forenames", 7),
        ("phonetic_surname", "surname", 5),
        ("phonetic_forenames", "forenames", 5),
        ("spacing_surname", "surname", 2.5),
        ("spacing_forenames", "forenames", 2),
        ("nickname", "forenames", 5),
        ("names_swapped", "surname forenames", 3),
        ("middle_name_dropped", "forenames", 6),
        ("middle_name_added", "forenames", 3),
        ("initial_only", "forenames", 2),
        ("previous_name_used", "surname forenames others", 3),
        ("accent_dropped", "surname forenames", 2),
        ("accent_added", "surname forenames", 2),
        ("dob_day_month_swapped", "dob", 5),
        ("dob_day_off_by_one", "dob", 4),
        ("dob_digit_mistyped", "dob", 4),
        ("dob_year_mistyped", "dob", 4),
        ("dob_missing", "dob", 2),
        ("dln_mistyped", "dln", 4),
        ("ni_mistyped", "ni", 3),
        ("identifiers_missing", "dln ni", 3),
        ("moved_address", "postcode", 5),
    )
}


def _words_with(text: str, variants: Callable[[str], Sequence[str]]) -> list[tuple[str, Sequence[str]]]:
    return [(w, v) for w in text.split() if (v := variants(w))]


def _respell(rng: random.Random, text: str) -> str:
    """One word spelt otherwise: mostly as listed (Khan: Kahn), sometimes by a rule (Mitchell: Mitchel)."""
    word, variants = rng.choice(_words_with(text, spelling_variants))
    listed = [v for v in _spellings().get(word.casefold(), ()) if v in variants]
    words = text.split()
    words[words.index(word)] = rng.choice(listed if listed and rng.random() < 0.8 else variants)
    return " ".join(words)


def _accented_words(text: str, community: str) -> str:
    accented = _accented(community)
    return " ".join(accented.get(w, w) for w in text.split())


def _applies(kind: str, p: SyntheticPerson) -> bool:
    """Whether the error can happen to this person (only a name with an accent can lose it)."""
    born = p.date_of_birth
    match kind:
        case "phonetic_surname":
            return bool(_words_with(p.surname, spelling_variants))
        case "phonetic_forenames":
            return bool(_words_with(p.forenames, spelling_variants))
        case "spacing_surname":
            return bool(spacing_variants(p.surname))
        case "spacing_forenames":
            return bool(spacing_variants(p.forenames, forenames=True))
        case "nickname":
            return bool(nicknames(p.forenames))
        case "names_swapped":
            return p.surname != p.forenames
        case "middle_name_dropped":
            return " " in p.forenames
        case "middle_name_added":
            return " " not in p.forenames
        case "previous_name_used":
            return len(p.names) > 1
        case "accent_dropped":
            return not f"{p.surname}{p.forenames}".isascii()
        case "accent_added":
            name = f"{p.surname} {p.forenames}"
            return name.isascii() and not _accented_words(name, p.community).isascii()
        case "dob_day_month_swapped":
            return born.day <= 12 and born.day != born.month
        case "dln_mistyped":
            return p.driving_licence_number is not None
        case "ni_mistyped":
            return p.ni_number is not None
        case "identifiers_missing":
            return bool(p.driving_licence_number or p.ni_number)
    return True


def _apply(kind: str, rng: random.Random, p: SyntheticPerson, d: _Draft, builder: _Builder) -> bool:
    """Make the error on the draft; False when it could not be made."""
    born = p.date_of_birth
    match kind:
        case "typo_surname_first_letter" | "typo_surname":
            d.surname = typo(rng, d.surname, first_letter=kind.endswith("letter"))
        case "typo_forenames_first_letter" | "typo_forenames":
            d.forenames = typo(rng, d.forenames, first_letter=kind.endswith("letter"))
        case "phonetic_surname":
            d.surname = _respell(rng, d.surname)
        case "phonetic_forenames":
            d.forenames = _respell(rng, d.forenames)
        case "spacing_surname":
            d.surname = rng.choice(spacing_variants(d.surname))
        case "spacing_forenames":
            d.forenames = rng.choice(spacing_variants(d.forenames, forenames=True))
        case "nickname":
            name, short = rng.choice(nicknames(d.forenames))
            d.forenames = rng.choice(short) + d.forenames[len(name) :]
        case "names_swapped":
            d.surname, d.forenames = d.forenames, d.surname
        case "middle_name_dropped":
            d.forenames = d.forenames.split()[0]
        case "middle_name_added":
            t = _tables_of(p)
            middle = (t.female if p.sex == "F" else t.male).draw(rng)
            if middle in d.forenames:
                return False
            d.forenames = f"{d.forenames} {middle}"
        case "initial_only":
            d.forenames = d.forenames[0]
        case "previous_name_used":
            (d.surname, d.forenames), d.others = rng.choice(p.names[1:]), []
        case "accent_dropped":
            d.surname, d.forenames = fold(d.surname), fold(d.forenames)
        case "accent_added":
            d.surname = _accented_words(d.surname, p.community)
            d.forenames = _accented_words(d.forenames, p.community)
        case "dob_day_month_swapped":
            d.born = date(born.year, born.day, born.month)
        case "dob_day_off_by_one":
            d.born = _dob_day_off(rng, born)
        case "dob_digit_mistyped" | "dob_year_mistyped":
            typed = (_dob_digit if kind == "dob_digit_mistyped" else _dob_year)(rng, born)
            if typed is None:  # 29 February: no year of those tried has one
                return False
            d.born = typed
        case "dob_missing":
            d.born = None
        case "dln_mistyped":
            d.dln = _mistype_identifier(rng, p.driving_licence_number or "")
        case "ni_mistyped":
            d.ni = _mistype_identifier(rng, p.ni_number or "")
        case "identifiers_missing":
            d.dln = d.ni = None
        case "moved_address":
            d.postcode = builder.new_postcode(p)
        case _:
            raise ValueError(f"unknown kind of error {kind!r}")
    return True


_ERRORS_PER_APPLICANT = (0.3, 0.5, 0.2)  # none, one, two
_GIVES_DLN, _GIVES_NI, _GIVES_POSTCODE, _GIVES_SEX = 0.32, 0.24, 0.7, 0.85


def _typed_ni(rng: random.Random, number: str | None) -> str | None:
    """As people write it: sometimes in pairs, "AB 12 34 56 C"."""
    if number is None or rng.random() >= 0.3:
        return number
    return f"{number[:2]} {number[2:4]} {number[4:6]} {number[6:8]} {number[8:]}"


def _typed_postcode(rng: random.Random, postcode: str | None) -> str | None:
    if postcode is None or rng.random() >= 0.15:
        return postcode
    return postcode.replace(" ", "").lower() if rng.random() < 0.5 else postcode.lower()


def _plain(name: str) -> str:
    return (name if name.isascii() else fold(name)).casefold()


def _key(surname: str, forenames: str, born: date) -> int:
    """Who a name and date of birth would be taken for: surname, first forename and date of birth."""
    return hash((_plain(surname), _plain(forenames.split()[0]) if forenames else "", born.toordinal()))


class _Registered:
    """Registered people as an officer types them, with 0-2 labelled errors each."""

    def __init__(self, population: Sequence[SyntheticPerson], seed: int) -> None:
        self.population = population
        self.rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
        self.builder = _Builder(seed + 1, children=_children(population))
        self.kinds = list(ERROR_KINDS)
        self.weights = [weight for _, weight in ERROR_KINDS.values()]

    def someone(self, kind: str) -> SyntheticPerson | None:
        """A registered person the error can happen to (an accent needs a name that has one)."""
        for _ in range(400):
            person = self.population[self.rng.randrange(len(self.population))]
            if _applies(kind, person):
                return person
        return None

    def applicant(self) -> SyntheticApplicant:
        rng = self.rng
        errors = rng.choices(range(3), weights=_ERRORS_PER_APPLICANT)[0]
        person, kinds = None, []
        for _ in range(10 if errors else 0):
            kind = rng.choices(self.kinds, weights=self.weights)[0]
            person = self.someone(kind)
            if person is not None:
                kinds.append(kind)
                break
        person = person or self.population[rng.randrange(len(self.population))]
        if errors == 2 and kinds:
            taken = ERROR_KINDS[kinds[0]][0]
            others = [
                (name, weight)
                for name, (fields, weight) in ERROR_KINDS.items()
                if not fields & taken and _applies(name, person)
            ]
            if others:
                kinds.append(rng.choices([n for n, _ in others], weights=[w for _, w in others])[0])
        declared = list(person.names[1:]) if rng.random() < 0.5 else []
        draft = _Draft(
            person.surname,
            person.forenames,
            declared,
            person.date_of_birth,
            person.driving_licence_number if rng.random() < _GIVES_DLN else None,
            person.ni_number if rng.random() < _GIVES_NI else None,
            person.postcode if rng.random() < _GIVES_POSTCODE else None,
            person.sex if rng.random() < _GIVES_SEX else None,
        )
        for kind in kinds:
            if _apply(kind, rng, person, draft, self.builder):
                draft.errors.append(kind)
        return SyntheticApplicant(
            ((draft.surname, draft.forenames), *draft.others),
            draft.born,
            draft.dln,
            _typed_ni(rng, draft.ni),
            _typed_postcode(rng, draft.postcode),
            draft.sex,
            person.person_id,
            tuple(draft.errors),
            None,
            person.community,
        )


def _children(population: Sequence[SyntheticPerson]) -> bool:
    return bool(population) and population[0].person_id.startswith("C")


class _Strangers:
    """People who are not on the register, some of them easy to take for someone who is."""

    def __init__(self, population: Sequence[SyntheticPerson], seed: int) -> None:
        self.population = population
        self.rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
        self.builder = _Builder(seed + 2, children=_children(population))
        self.keys: set[int] = set()
        for p in population:  # identifiers the register holds are never given to a stranger
            if p.driving_licence_number:
                self.builder.dlns.add(p.driving_licence_number)
            if p.ni_number:
                self.builder.nis.add(p.ni_number)
            for surname, forenames in p.names:
                self.keys.add(_key(surname, forenames, p.date_of_birth))

    def registered(self) -> SyntheticPerson:
        return self.population[self.rng.randrange(len(self.population))]

    def born_apart(self, surname: str, forenames: str, apart_from: date) -> date:
        """A date of birth at least two years from ``apart_from`` that no registered person with this name
        has: a namesake's, not a registered person's mistyped."""
        while True:
            born, _ = self.builder.birth()
            if abs(born.year - apart_from.year) >= 2 and _key(surname, forenames, born) not in self.keys:
                return born

    def make(self, kind: StrangerKind) -> SyntheticApplicant:
        if kind == "new":
            while True:
                new = self.builder.person("")
                if not any(_key(s, f, new.date_of_birth) in self.keys for s, f in new.names):
                    born, sex = new.date_of_birth, new.sex
                    return self.typed(kind, new.surname, new.forenames, born, sex, new.community)
        p = self.registered()
        if kind == "twin":
            return self.typed(kind, p.surname, p.forenames, p.date_of_birth, p.sex, p.community, moved_from=p)
        if kind == "namesake":
            born = self.born_apart(p.surname, p.forenames, p.date_of_birth)
            return self.typed(kind, p.surname, p.forenames, born, p.sex, p.community, moved_from=p)
        if kind == "near_twin":
            while True:
                born = p.date_of_birth
                if born.day <= 12 and born.day != born.month:
                    swapped = date(born.year, born.day, born.month)
                    if _key(p.surname, p.forenames, swapped) not in self.keys:  # nobody registered has it
                        return self.typed(
                            kind, p.surname, p.forenames, swapped, p.sex, p.community, moved_from=p
                        )
                p = self.registered()
        # A relative: the same surname and address, other forenames and date of birth.
        sex = "F" if self.rng.random() < self.builder.female_share else "M"
        while True:
            forenames = self.builder.forenames(_tables_of(p), sex == "F", p.surname)
            if forenames.split()[0] != p.forenames.split()[0]:
                break
        born = self.born_apart(p.surname, forenames, p.date_of_birth)
        return self.typed(kind, p.surname, forenames, born, sex, p.community, postcode=p.postcode)

    def typed(
        self,
        kind: StrangerKind,
        surname: str,
        forenames: str,
        born: date,
        sex: str,
        community: str,
        *,
        moved_from: SyntheticPerson | None = None,
        postcode: str | None = None,
    ) -> SyntheticApplicant:
        """The stranger's own identifiers (never a registered person's) and address, as typed."""
        rng, builder = self.rng, self.builder
        if postcode is None:
            postcode = (
                builder.new_postcode(moved_from) if moved_from else builder.postcode(_tables()[community])
            )
            postcode = postcode if rng.random() < _GIVES_POSTCODE else None
        dln = None
        if not builder.children and rng.random() < _GIVES_DLN:
            dln = builder.dln(surname, forenames, born, sex == "F")
        return SyntheticApplicant(
            ((surname, forenames),),
            born,
            dln,
            _typed_ni(rng, builder.ni() if rng.random() < _GIVES_NI else None),
            _typed_postcode(rng, postcode),
            sex if rng.random() < _GIVES_SEX else None,
            None,
            (),
            kind,
            community,
        )


def make_applicants(
    population: Sequence[SyntheticPerson], count: int, seed: int, *, stranger_share: float = 0.2
) -> list[SyntheticApplicant]:
    """``count`` applicants in random order: registered people as typed (errors labelled), and
    ``stranger_share`` of strangers of every kind (half of them new people, the rest look-alikes)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
    strangers = round(count * stranger_share)
    registered = _Registered(population, seed)
    applicants = [registered.applicant() for _ in range(count - strangers)]
    if strangers:
        maker = _Strangers(population, seed)
        applicants += [maker.make(k) for k in rng.choices(STRANGER_KINDS, weights=_STRANGER_MIX, k=strangers)]
    rng.shuffle(applicants)
    return applicants


def make_strangers(
    population: Sequence[SyntheticPerson], count: int, seed: int, kind: StrangerKind
) -> list[SyntheticApplicant]:
    """``count`` strangers of one kind: "new" (not like anyone registered), "twin" (a registered person's
    name and date of birth), "namesake" (the name, another date of birth), "relative" (the surname and
    postcode) or "near_twin" (the name, with the day and month of birth swapped)."""
    maker = _Strangers(population, seed)
    return [maker.make(kind) for _ in range(count)]
