"""Estimating a model's m and u from data, as Splink does, and writing it as a new versioned model file.

u (the chance of each level between different people) comes from random pairs of records, which are almost
all different people. m (… between the same person) and the prior come from candidate pairs (those sharing
a blocking key) by expectation-maximisation with u held fixed. Both work over comparison vectors, the
tuple of each field's level, counted: a million pairs make a few thousand distinct vectors, so each EM
iteration costs little whatever the number of pairs.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

from openmash.matching.compare import FIELD_LEVELS, IDENTIFIER, MISSING, compare
from openmash.matching.model import LevelParams, Model, load_model
from openmash.matching.prepared import Prepared
from openmash.matching.record import MatchRecord

__all__ = [
    "EMResult",
    "Vector",
    "comparison_vector",
    "count_vectors",
    "estimate_m_em",
    "estimate_u",
    "train",
    "trained_model",
    "write_model",
]

# One pair's comparison: (field, level) for every field known on both sides, in the order compared.
Vector = tuple[tuple[str, str], ...]
Pair = tuple[MatchRecord | Prepared, MatchRecord | Prepared]
Probabilities = dict[str, dict[str, float]]


def comparison_vector(a: MatchRecord | Prepared, b: MatchRecord | Prepared, model: Model) -> Vector:
    """The levels of a pair, leaving out fields missing on either side (they say nothing either way).

    The model only decides which of the records' names are compared (the best agreeing pair)."""
    found = compare(a, b, model.weigher(), swap_penalty=model.swap_penalty)
    return tuple((c.field, c.level) for c in found if c.level != MISSING)


def count_vectors(pairs: Iterable[Pair], model: Model | None = None) -> Counter[Vector]:
    """How many pairs gave each comparison vector."""
    model = model or load_model()
    return Counter(comparison_vector(a, b, model) for a, b in pairs)


def _counted(source: Iterable[Pair] | Mapping[Vector, int], model: Model | None) -> Mapping[Vector, int]:
    return source if isinstance(source, Mapping) else count_vectors(source, model)


def _levels(field: str) -> tuple[str, ...]:
    return FIELD_LEVELS.get(field, FIELD_LEVELS[IDENTIFIER])


def estimate_u(
    random_pairs: Iterable[Pair] | Mapping[Vector, int],
    model: Model | None = None,
    *,
    pseudo_count: float = 0.5,
) -> Probabilities:
    """u per field per level: the share of random pairs at each level, among those where the field is known.

    A pseudo-count keeps a level never seen (identifiers that agree at random) above 0.
    """
    counts: dict[str, Counter[str]] = {}
    for vector, n in _counted(random_pairs, model).items():
        for field, level in vector:
            counts.setdefault(field, Counter())[level] += n
    return {field: _shares(levels, _levels(field), pseudo_count) for field, levels in counts.items()}


def _shares(counts: Mapping[str, float], levels: tuple[str, ...], pseudo_count: float) -> dict[str, float]:
    total = sum(counts.values()) + pseudo_count * len(levels)
    return {level: (counts.get(level, 0.0) + pseudo_count) / total for level in levels}


@dataclass(frozen=True)
class EMResult:
    """m per field per level and the prior estimated by EM, and whether the estimates settled."""

    m: Probabilities
    prior: float
    iterations: int
    converged: bool


def estimate_m_em(
    candidate_pairs: Iterable[Pair] | Mapping[Vector, int],
    u: Mapping[str, Mapping[str, float]],
    *,
    model: Model | None = None,
    iterations: int = 50,
    prior: float | None = None,
    m_start: Mapping[str, Mapping[str, float]] | None = None,
    tolerance: float = 1e-6,
    pseudo_count: float = 1e-3,
) -> EMResult:
    """Expectation-maximisation of m and the prior over candidate pairs, with u held fixed.

    E: each vector's probability of being a match under the current m and prior. M: m is the
    match-weighted share of each level, the prior the mean probability. Starts from the model's m.
    """
    base = model or load_model()
    counted = _counted(candidate_pairs, base)
    fields = sorted({field for vector in counted for field, _ in vector})
    m: Probabilities = {}
    for field in fields:
        start = m_start.get(field) if m_start else None
        m[field] = {
            level: (start[level] if start and level in start else base.params(field)[level].m)
            for level in _levels(field)
        }
    missing_u = [field for field in fields if field not in u]
    if missing_u:
        raise ValueError(f"no u for {', '.join(missing_u)}")
    lam = base.prior if prior is None else prior
    total = sum(counted.values())
    vectors = list(counted.items())
    done = 0
    converged = False
    for _ in range(iterations):
        done += 1
        odds = math.log2(lam / (1.0 - lam))
        matched: dict[str, dict[str, float]] = {field: dict.fromkeys(_levels(field), 0.0) for field in fields}
        expected = 0.0
        for vector, n in vectors:
            weight = odds + sum(math.log2(m[f][level] / u[f][level]) for f, level in vector)
            p = n / (1.0 + math.pow(2.0, -max(-1000.0, min(1000.0, weight))))
            expected += p
            for f, level in vector:
                matched[f][level] += p
        new_m = {field: _shares(matched[field], _levels(field), pseudo_count) for field in fields}
        new_lam = min(max(expected / total, 1e-9), 1.0 - 1e-9)
        change = max(
            [abs(new_lam - lam)]
            + [abs(new_m[f][level] - m[f][level]) for f in fields for level in _levels(f)]
        )
        m, lam = new_m, new_lam
        if change < tolerance:
            converged = True
            break
    return EMResult(m=m, prior=lam, iterations=done, converged=converged)


def trained_model(
    base: Model,
    m: Mapping[str, Mapping[str, float]],
    u: Mapping[str, Mapping[str, float]],
    prior: float,
    *,
    version: str,
    source: str,
    name: str | None = None,
) -> Model:
    """The base model with new m, u and prior; fields or levels not estimated keep the base's values."""
    fields: dict[str, Mapping[str, LevelParams]] = {}
    for field in sorted(base.fields.keys() | m.keys() | u.keys()):
        known = base.params(field)
        fields[field] = MappingProxyType(
            {
                level: LevelParams(
                    m=m.get(field, {}).get(level, known[level].m),
                    u=u.get(field, {}).get(level, known[level].u),
                )
                for level in _levels(field)
            }
        )
    return replace(
        base,
        name=name or base.name,
        version=version,
        source=source,
        prior=prior,
        fields=MappingProxyType(fields),
    )


def train(
    random_pairs: Iterable[Pair] | Mapping[Vector, int],
    candidate_pairs: Iterable[Pair] | Mapping[Vector, int],
    *,
    version: str,
    base: Model | None = None,
    iterations: int = 50,
    source: str = "",
) -> Model:
    """u from random pairs, then m and the prior by EM over candidate pairs: a new version of the model."""
    base = base or load_model()
    u = estimate_u(random_pairs, base)
    result = estimate_m_em(candidate_pairs, u, model=base, iterations=iterations)
    note = source or (
        f"trained by openmash.matching.train: u from random pairs, m and prior by EM "
        f"({result.iterations} iterations, {'converged' if result.converged else 'not converged'})"
    )
    return trained_model(base, result.m, u, result.prior, version=version, source=note)


def write_model(path: Path, model: Model) -> None:
    """Write a model file (the format ``load_model_file`` reads)."""
    path.write_text(json.dumps(model.to_dict(), indent=2) + "\n", encoding="utf-8")
