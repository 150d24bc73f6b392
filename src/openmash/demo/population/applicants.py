"""Applicants: registered people as an officer types them, with 0-2 labelled errors each, mixed with
strangers."""

from __future__ import annotations

import random
from collections.abc import Sequence

from openmash.demo.population.errors import ERROR_KINDS, Draft, applies, apply
from openmash.demo.population.keying import (
    GIVES_DLN,
    GIVES_NI,
    GIVES_POSTCODE,
    GIVES_SEX,
    typed_ni,
    typed_postcode,
)
from openmash.demo.population.people import Builder, are_children
from openmash.demo.population.records import STRANGER_KINDS, SyntheticApplicant, SyntheticPerson
from openmash.demo.population.strangers import Strangers

_STRANGER_MIX: tuple[float, ...] = (0.5, 0.15, 0.15, 0.1, 0.1)  # new, twin, namesake, relative, near twin
_ERRORS_PER_APPLICANT = (0.3, 0.5, 0.2)  # none, one, two


class _Registered:
    """Registered people as an officer types them, with 0-2 labelled errors each."""

    def __init__(self, population: Sequence[SyntheticPerson], seed: int) -> None:
        self.population = population
        self.rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
        self.builder = Builder(seed + 1, children=are_children(population))
        self.kinds = list(ERROR_KINDS)
        self.weights = [weight for _, weight in ERROR_KINDS.values()]

    def someone(self, kind: str) -> SyntheticPerson | None:
        """A registered person the error can happen to (an accent needs a name that has one)."""
        for _ in range(400):
            person = self.population[self.rng.randrange(len(self.population))]
            if applies(kind, person):
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
                if not fields & taken and applies(name, person)
            ]
            if others:
                kinds.append(rng.choices([n for n, _ in others], weights=[w for _, w in others])[0])
        declared = list(person.names[1:]) if rng.random() < 0.5 else []
        draft = Draft(
            person.surname,
            person.forenames,
            declared,
            person.date_of_birth,
            person.driving_licence_number if rng.random() < GIVES_DLN else None,
            person.ni_number if rng.random() < GIVES_NI else None,
            person.postcode if rng.random() < GIVES_POSTCODE else None,
            person.sex if rng.random() < GIVES_SEX else None,
        )
        for kind in kinds:
            if apply(kind, rng, person, draft, self.builder):
                draft.errors.append(kind)
        return SyntheticApplicant(
            ((draft.surname, draft.forenames), *draft.others),
            draft.born,
            draft.dln,
            typed_ni(rng, draft.ni),
            typed_postcode(rng, draft.postcode),
            draft.sex,
            person.person_id,
            tuple(draft.errors),
            None,
            person.community,
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
        maker = Strangers(population, seed)
        applicants += [maker.make(k) for k in rng.choices(STRANGER_KINDS, weights=_STRANGER_MIX, k=strangers)]
    rng.shuffle(applicants)
    return applicants
