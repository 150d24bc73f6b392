"""Training the matching model on a synthetic population (issue 7: weights "estimated from data").

The candidate pairs are what screening really scores: each generated applicant (a registered person typed
with errors, or a stranger) against every registered person sharing a blocking key with it, found in memory
with the engine's own keys. u comes from random pairs of registered people, m and the prior by EM with u
held; the ground truth is used only to report how close EM came, never to train.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from openmash.demo.population import (
    SyntheticApplicant,
    SyntheticPerson,
    duplicates,
    make_applicants,
    make_population,
)
from openmash.matching.keys import name_date_keys
from openmash.matching.model import Model, load_model
from openmash.matching.record import MatchRecord, known
from openmash.matching.train import Vector, comparison_vector, estimate_m_em, estimate_u, trained_model

DOMAIN = "training.person"


def person_record(person: SyntheticPerson, record_id: str) -> MatchRecord:
    identifiers = {"driving_licence_number": person.driving_licence_number, "ni_number": person.ni_number}
    return MatchRecord(
        record_id=record_id,
        names=person.names,
        date_of_birth=person.date_of_birth,
        identifiers=known(identifiers),
        postcodes=frozenset([person.postcode]),
        sex=person.sex,
    )


def applicant_record(applicant: SyntheticApplicant, record_id: str) -> MatchRecord:
    identifiers = {
        "driving_licence_number": applicant.driving_licence_number,
        "ni_number": applicant.ni_number,
    }
    return MatchRecord(
        record_id=record_id,
        names=applicant.names,
        date_of_birth=applicant.date_of_birth,
        identifiers=known(identifiers),
        postcodes=frozenset([applicant.postcode] if applicant.postcode else []),
        sex=applicant.sex,
    )


# Splink's way round EM's blind spot: pairs found through a rule agree on that rule's fields by construction,
# so each rule estimates m only for the fields outside it, and each field's m is the mean over the rules that
# estimate it. Rules name the blocking key kinds of openmash.matching.keys.
RULES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # rule: (key kinds, fields the rule fixes)
    "surname and date of birth": (frozenset({"sd"}), frozenset({"surname", "date_of_birth"})),
    "forename and date of birth": (frozenset({"fd"}), frozenset({"forenames", "date_of_birth"})),
    "names alone": (frozenset({"sf"}), frozenset({"surname", "forenames"})),
    "an identifier": (
        frozenset({"id:driving_licence_number", "id:ni_number"}),
        frozenset({"driving_licence_number", "ni_number"}),
    ),
}


@dataclass(frozen=True)
class Training:
    model: Model
    candidate_pairs: int
    true_share: float  # of candidate pairs, by the ground truth
    labelled_m: dict[str, dict[str, float]]  # m counted from the truth, to compare with EM's


def _keys(record: MatchRecord, kinds: frozenset[str], *, query: bool) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = {(f"id:{k}", v) for k, v in record.identifiers.items() if v}
    names = list(record.names) + ([(f, s) for s, f in record.names] if query else [])
    for surname, forenames in names:
        found |= name_date_keys(surname, forenames, record.date_of_birth)
    return {key for key in found if key[0] in kinds}


def train_on_population(
    people: int, applicants: int, seed: int, *, version: str, echo: Callable[[str], None] = print
) -> Training:
    base = load_model()
    population = make_population(people, seed)
    register = [person_record(p, p.person_id) for p in population]
    register += [
        person_record(p, f"{p.person_id}-2") for p in duplicates(population, share=0.02, seed=seed + 1)
    ]
    truth_of = {record.record_id: record.record_id.split("-")[0] for record in register}
    echo(f"{len(register):,} registered records")
    queries = [
        (applicant.true_person_id, applicant_record(applicant, f"A{number}"))
        for number, applicant in enumerate(make_applicants(population, applicants, seed + 2))
    ]
    rng = random.Random(seed + 3)  # noqa: S311 - sampling synthetic records, not secrets
    randoms: Counter[Vector] = Counter(
        comparison_vector(
            register[rng.randrange(len(register))], register[rng.randrange(len(register))], base
        )
        for _ in range(200_000)
    )
    u = estimate_u(randoms, base)
    estimates: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    matches: Counter[Vector] = Counter()
    total_pairs = 0
    for rule, (kinds, fixed) in RULES.items():
        blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
        for position, record in enumerate(register):
            for key in _keys(record, kinds, query=False):
                blocks[key].append(position)
        candidates: Counter[Vector] = Counter()
        for truth, query in queries:
            shared = {p for key in _keys(query, kinds, query=True) for p in blocks.get(key, ())}
            for position in shared:
                vector = comparison_vector(query, register[position], base)
                candidates[tuple((f, level) for f, level in vector if f not in fixed)] += 1
                if rule == "surname and date of birth" and truth == truth_of[register[position].record_id]:
                    matches[vector] += 1
        pairs = sum(candidates.values())
        total_pairs += pairs
        fitted = estimate_m_em(candidates, u, model=base, iterations=200, prior=0.5)
        echo(f"{rule}: {pairs:,} pairs, prior {fitted.prior:.3f}, {fitted.iterations} iterations")
        for field, levels in fitted.m.items():
            for level, share in levels.items():
                estimates[field][level].append(share)
    m = {
        field: {level: sum(ms) / len(ms) for level, ms in levels.items()}
        for field, levels in estimates.items()
    }
    source = (
        f"EM (u fixed from 200,000 random pairs, m per blocking rule as Splink trains) on {total_pairs:,} "
        f"candidate pairs of {len(queries):,} generated applicants against {len(register):,} generated "
        f"records (openmash.demo.train_model, seed {seed})"
    )
    model = trained_model(base, m, u, base.prior, version=version, source=source)
    return Training(model, total_pairs, sum(matches.values()) / max(total_pairs, 1), _level_shares(matches))


def _level_shares(vectors: Counter[Vector]) -> dict[str, dict[str, float]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for vector, count in vectors.items():
        for field, level in vector:
            counts[field][level] += count
    return {
        field: {level: n / sum(levels.values()) for level, n in levels.items()}
        for field, levels in counts.items()
    }
