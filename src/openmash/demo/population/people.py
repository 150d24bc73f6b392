"""Registered people: their names, dates of birth, unique identifiers and addresses, drawn one random
stream per seed, and second records of some of them as another licensing authority holds them."""

from __future__ import annotations

import bisect
import gc
import itertools
import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from openmash.demo.population.communities import COMMUNITIES
from openmash.demo.population.names import NOT_CALLED, Names, Zipf, fold, name_tables
from openmash.demo.population.records import SyntheticPerson
from openmash.demo.population.variants import nicknames, spacing_variants, spelling_variants
from openmash.register.identifiers import make_driving_licence_number

REFERENCE_DATE = date(2026, 11, 1)  # "today" for ages, as in the demo register
ADULT_AGES = (18, 80)  # a driver register
CHILD_AGES = (10, 17)  # the safeguarding hub
DRIVER_FEMALE_SHARE = 0.05  # taxi and private-hire drivers are overwhelmingly men
CHILD_FEMALE_SHARE = 0.49
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
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_PHONES = tuple(f"07700 900{i:03d}" for i in range(1000))
_NI_PREFIXES = tuple(
    a + b
    for a in "ABCEGHJKLMNOPRSTWXYZ"
    for b in "ABCEGHJKLMNPRSTWXYZ"
    if a + b not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ", "OO", "CR", "FY", "MW", "NC"}
)
# Communities whose men often carry "Mohammed" before the name they are called by.
_MOHAMMED_FIRST = {"pakistani": ("Mohammed", "Muhammad"), "bangladeshi": ("Mohammed", "Md", "Mohammad")}
_DOUBLE_BARRELLED = {"white_british", "irish", "mixed_or_other", "black_caribbean", "other_white"}


def _age_weight(age: int, children: bool) -> float:
    """Few drivers under 25, fewer every year after 60."""
    if children:
        return 1.0
    return 0.6 if age < 25 else 1.0 if age <= 60 else 1.0 - 0.04 * (age - 60)


class Builder:
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
        tables = name_tables()
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

    def community(self) -> Names:
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

    def forenames(self, t: Names, female: bool, surname: str) -> str:
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
        if name in _MOHAMMED_FIRST and not female and r < 0.12 and not first.startswith(NOT_CALLED):
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
            tail = f"{digit}{LETTERS[int(rng.random() * 26)]}{LETTERS[int(rng.random() * 26)]}"
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

    def postcode(self, t: Names) -> str:
        rng = self.rng
        codes, cum = t.outward
        outward = codes[bisect.bisect_right(cum, rng.random() * cum[-1])]
        letters = _INWARD_LETTERS
        inward = f"{int(rng.random() * 10)}{letters[int(rng.random() * 20)]}{letters[int(rng.random() * 20)]}"
        return f"{outward} {inward}"

    def new_postcode(self, person: SyntheticPerson) -> str:
        """Where someone moved to: mostly nearby (the same outward code), else where their community lives."""
        while True:
            postcode = self.postcode(name_tables()[person.community])
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

    def alias(self, surnames: Zipf, surname: str, forenames: str) -> tuple[str, str]:
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
    builder = Builder(seed, children=children, female_share=female_share)
    prefix = "C" if children else "P"
    collecting = gc.isenabled()
    gc.disable()  # millions of small objects that live on: spare the collector walking them again and again
    try:
        return [builder.person(f"{prefix}{i:07d}") for i in range(1, n + 1)]
    finally:
        if collecting:
            gc.enable()


def name_tables_of(person: SyntheticPerson) -> Names:
    return name_tables()[person.community]


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
    builder = Builder(seed + 7, children=children)
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
            record = replace(record, postcode=builder.postcode(name_tables_of(p)), address=builder.address())
        if p.ni_number and rng.random() < 0.1:
            record = replace(record, ni_number=None)
        records.append(record)
    return records


def are_children(population: Sequence[SyntheticPerson]) -> bool:
    return bool(population) and population[0].person_id.startswith("C")
