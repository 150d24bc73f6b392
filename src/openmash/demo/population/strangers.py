"""Strangers: applicants who are not on the register, some of them easy to take for someone who is (a
twin with a registered person's name and date of birth, a namesake, a relative, a near twin)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

from openmash.demo.population.keying import (
    GIVES_DLN,
    GIVES_NI,
    GIVES_POSTCODE,
    GIVES_SEX,
    typed_ni,
    typed_postcode,
)
from openmash.demo.population.names import fold, name_tables
from openmash.demo.population.people import Builder, are_children, name_tables_of
from openmash.demo.population.records import StrangerKind, SyntheticApplicant, SyntheticPerson


def _plain(name: str) -> str:
    return (name if name.isascii() else fold(name)).casefold()


def _key(surname: str, forenames: str, born: date) -> int:
    """Who a name and date of birth would be taken for: surname, first forename and date of birth."""
    return hash((_plain(surname), _plain(forenames.split()[0]) if forenames else "", born.toordinal()))


class Strangers:
    """People who are not on the register, some of them easy to take for someone who is."""

    def __init__(self, population: Sequence[SyntheticPerson], seed: int) -> None:
        self.population = population
        self.rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
        self.builder = Builder(seed + 2, children=are_children(population))
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
            forenames = self.builder.forenames(name_tables_of(p), sex == "F", p.surname)
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
                builder.new_postcode(moved_from) if moved_from else builder.postcode(name_tables()[community])
            )
            postcode = postcode if rng.random() < GIVES_POSTCODE else None
        dln = None
        if not builder.children and rng.random() < GIVES_DLN:
            dln = builder.dln(surname, forenames, born, sex == "F")
        return SyntheticApplicant(
            ((surname, forenames),),
            born,
            dln,
            typed_ni(rng, builder.ni() if rng.random() < GIVES_NI else None),
            typed_postcode(rng, postcode),
            sex if rng.random() < GIVES_SEX else None,
            None,
            (),
            kind,
            community,
        )


def make_strangers(
    population: Sequence[SyntheticPerson], count: int, seed: int, kind: StrangerKind
) -> list[SyntheticApplicant]:
    """``count`` strangers of one kind: "new" (not like anyone registered), "twin" (a registered person's
    name and date of birth), "namesake" (the name, another date of birth), "relative" (the surname and
    postcode) or "near_twin" (the name, with the day and month of birth swapped)."""
    maker = Strangers(population, seed)
    return [maker.make(kind) for _ in range(count)]
