"""The benchmark's workload: a synthetic register with ground truth (``openmash.demo.population``), its
duplicate records, and applicants (registered people as typed, with labelled errors, and strangers of every
kind), turned into what the engine, the service and the baselines take.

Record ids: a person's first record has the person's id ("P0001234"); a duplicate record (the same person as
another authority holds them) has "P0001234-2". ``person_of`` gives the truth either way, so a duplicate
found in place of the first record counts as the truth.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeVar

from openmash.demo.population import (
    SyntheticApplicant,
    SyntheticPerson,
    duplicates,
    make_applicants,
    make_population,
)
from openmash.demo.train_model import person_record
from openmash.errors import ValidationFailed
from openmash.matching.record import MatchRecord
from openmash.register import screening
from openmash.register.identifiers import (
    normalise_driving_licence_number,
    normalise_ni_number,
    normalise_postcode,
)

T = TypeVar("T")
DUPLICATE_SHARE = 0.02
DUPLICATE_SUFFIX = "-2"


@dataclass
class Workload:
    """Everything one register size needs, made once and shared by every database and baseline."""

    people: int
    seed: int
    population: list[SyntheticPerson]
    duplicates: list[SyntheticPerson]
    applicants: list[SyntheticApplicant]
    queries: list[MatchRecord]  # one per applicant, as the engine is asked
    generate_seconds: float

    @property
    def records(self) -> int:
        return len(self.population) + len(self.duplicates)

    def register(self) -> Iterator[tuple[str, SyntheticPerson]]:
        """Every record of the register with its record id: people, then the duplicate records."""
        for person in self.population:
            yield person.person_id, person
        for person in self.duplicates:
            yield person.person_id + DUPLICATE_SUFFIX, person

    def person(self, person_id: str) -> SyntheticPerson:
        return self.population[int(person_id[1:]) - 1]


def person_of(record_id: str) -> str:
    """The true person of a record id (a duplicate record is its person)."""
    return record_id.removesuffix(DUPLICATE_SUFFIX)


def make_workload(people: int, applicants: int, strangers: int, seed: int = 7) -> Workload:
    """The register, its ~2% duplicate records, and ``applicants`` registered applicants plus ``strangers``
    strangers (the generator's mix of kinds: half new people, the rest twins, namesakes, relatives and near
    twins), in random order."""
    started = time.perf_counter()
    population = make_population(people, seed)
    assert all(p.person_id == f"P{i:07d}" for i, p in enumerate(population[:3], start=1))
    extra = duplicates(population, DUPLICATE_SHARE, seed + 1)
    total = applicants + strangers
    chosen = make_applicants(population, total, seed + 2, stranger_share=strangers / total if total else 0)
    queries = [query_record(applicant, f"applicant-{i}") for i, applicant in enumerate(chosen)]
    gc.collect()
    return Workload(people, seed, population, extra, chosen, queries, time.perf_counter() - started)


def register_batches(workload: Workload, size: int = 10_000) -> Iterator[list[MatchRecord]]:
    batch: list[MatchRecord] = []
    for record_id, person in workload.register():
        batch.append(person_record(person, record_id))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _compact(value: str) -> str:
    return "".join(value.split()).upper()


def typed_identifiers(applicant: SyntheticApplicant) -> dict[str, str]:
    """The applicant's identifiers in their standard form; a mistyped one the normaliser refuses is kept
    compacted (the engine still weighs a keying error), where the service's form would refuse it."""
    found: dict[str, str] = {}
    if applicant.driving_licence_number:
        raw = applicant.driving_licence_number
        found["driving_licence_number"] = normalise_driving_licence_number(raw) or _compact(raw)
    if applicant.ni_number:
        found["ni_number"] = normalise_ni_number(applicant.ni_number) or _compact(applicant.ni_number)
    return found


def query_record(applicant: SyntheticApplicant, record_id: str) -> MatchRecord:
    """What the engine is asked for an applicant: names, date of birth, identifiers, postcode and sex."""
    postcode = applicant.postcode and (normalise_postcode(applicant.postcode) or _compact(applicant.postcode))
    return MatchRecord(
        record_id=record_id,
        names=tuple(applicant.names),
        date_of_birth=applicant.date_of_birth,
        identifiers=MappingProxyType(typed_identifiers(applicant)),
        postcodes=frozenset([postcode] if postcode else []),
        sex=applicant.sex,
    )


def carries_correct_identifier(workload: Workload, applicant: SyntheticApplicant) -> bool:
    """A registered applicant who gave their own driving licence or NI number, as the register holds it."""
    if applicant.true_person_id is None:
        return False
    person = workload.person(applicant.true_person_id)
    given = typed_identifiers(applicant)
    return bool(
        (
            person.driving_licence_number
            and given.get("driving_licence_number") == person.driving_licence_number
        )
        or (person.ni_number and given.get("ni_number") == person.ni_number)
    )


def service_applicant(applicant: SyntheticApplicant) -> tuple[screening.Applicant, bool]:
    """The applicant through the screening form (``read_applicant``). A field the form refuses (a mistyped
    licence number that cannot be one) is left out, as the officer would have to; the flag says so."""
    fields = {
        "driving_licence_number": applicant.driving_licence_number or "",
        "ni_number": applicant.ni_number or "",
        "postcode": applicant.postcode or "",
    }
    dropped = False
    for _ in range(4):
        try:
            return (
                screening.read_applicant(list(applicant.names), applicant.date_of_birth, **fields),
                dropped,
            )
        except ValidationFailed as refused:
            bad = [key for key in refused.fields if fields.get(key)]
            if not bad:
                raise
            for key in bad:
                fields[key] = ""
            dropped = True
    raise AssertionError("unreachable")


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
