"""A Fellegi–Sunter match model, loaded from a versioned JSON file, and the score of a pair of records.

Each field level has m (the chance of that level when the two records are the same person) and u (… when
they are not); its weight is log2(m/u) bits. A score adds the log2 prior odds and every field's weight, so
it reads as evidence, and turns into a probability and a band. The model is data, not code: retraining
(``train.py``) writes a new file and a new version, and every score names the version that made it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from openmash.matching.compare import (
    FIELD_LEVELS,
    IDENTIFIER,
    FieldComparison,
    Weigher,
    compare,
    is_identifier,
)
from openmash.matching.prepared import Prepared
from openmash.matching.record import MatchRecord

__all__ = [
    "FORMAT",
    "Frequency",
    "LevelParams",
    "Model",
    "Scored",
    "TermFrequency",
    "Thresholds",
    "load_model",
    "load_model_file",
    "model_from_dict",
    "score",
]

FORMAT: Final = "openmash-match-model/1"
BANDS: Final = ("certain", "probable", "possible")

# Frequency(field, value) -> the share of records holding that value, or None when not known. field is
# "surname" or "forenames", value the joined form (normalise.joined) of the whole surname or forenames.
Frequency = Callable[[str, str], float | None]


@dataclass(frozen=True, slots=True)
class LevelParams:
    """m = P(level | same person), u = P(level | different people)."""

    m: float
    u: float

    @property
    def weight(self) -> float:
        return math.log2(self.m / self.u)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Match weights (bits, prior included) from which a pair is shown in each band."""

    certain: float
    probable: float
    possible: float


@dataclass(frozen=True, slots=True)
class TermFrequency:
    """Which levels take the agreed value's frequency instead of u, and the smallest frequency used (so one
    unusual name cannot outweigh everything else)."""

    levels: Mapping[str, frozenset[str]]
    floor: float


@dataclass(frozen=True)
class Model:
    """A versioned set of m and u per field level, the prior, the bands' thresholds and term frequencies.

    ``fields`` holds ``identifier`` (the levels of any identifier kind) and may hold a kind by name
    (``driving_licence_number``) to weigh that kind differently.
    """

    name: str
    version: str
    source: str
    prior: float
    fields: Mapping[str, Mapping[str, LevelParams]]
    thresholds: Thresholds
    term_frequency: TermFrequency
    swap_penalty: float = 1.0
    _weights: Mapping[str, Mapping[str, float]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0.0 < self.prior < 1.0:
            raise ValueError(f"prior must be between 0 and 1, not {self.prior}")
        if not self.thresholds.certain >= self.thresholds.probable >= self.thresholds.possible:
            raise ValueError("thresholds must be certain >= probable >= possible")
        for name in FIELD_LEVELS.keys() | self.fields.keys():
            lacking = set(FIELD_LEVELS.get(name, FIELD_LEVELS[IDENTIFIER])) - set(self.fields.get(name, {}))
            if lacking:
                raise ValueError(f"model {self.name} lacks {name} levels: {', '.join(sorted(lacking))}")
        for name, params_of in self.fields.items():
            for level, params in params_of.items():
                if not (0.0 < params.m <= 1.0 and 0.0 < params.u <= 1.0):
                    raise ValueError(f"{name}.{level}: m and u must be in (0, 1]")
        # No partial agreement counts for more than full agreement: EM can give a rare level (a forename
        # written as an initial, almost never seen among strangers) more weight than the exact name, and a
        # record would then match an alias of itself better than itself.
        weights = {
            name: {
                level: min(p.weight, levels["exact"].weight) if "exact" in levels else p.weight
                for level, p in levels.items()
            }
            for name, levels in self.fields.items()
        }
        object.__setattr__(self, "_weights", weights)

    @property
    def label(self) -> str:
        """The name and version, recorded with every result."""
        return f"{self.name}@{self.version}"

    @property
    def prior_weight(self) -> float:
        """log2 of the prior odds that a candidate pair is the same person."""
        return math.log2(self.prior / (1.0 - self.prior))

    def params(self, field_name: str) -> Mapping[str, LevelParams]:
        """m and u of a field's levels; an identifier kind without its own entry takes "identifier"'s."""
        return self.fields.get(field_name) or self.fields[IDENTIFIER]

    def weight(self, field_name: str, level: str) -> float:
        """log2(m/u) of a level; 0 for "missing"."""
        if level == "missing":
            return 0.0
        return (self._weights.get(field_name) or self._weights[IDENTIFIER])[level]

    def weigher(self, frequency: Frequency | None = None) -> Weigher:
        """The weights ``compare`` asks for, with the term-frequency adjustment when frequencies are given."""
        tf_levels = self.term_frequency.levels
        floor = self.term_frequency.floor
        weights = self._weights
        default = weights[IDENTIFIER]

        def plain(field_name: str, level: str, value: str | None) -> tuple[float, str]:
            if level == "missing":
                return 0.0, ""
            return (weights.get(field_name) or default)[level], ""

        if frequency is None:
            return plain

        def weigh(field_name: str, level: str, value: str | None) -> tuple[float, str]:
            if value is None or level not in tf_levels.get(field_name, ()):
                return plain(field_name, level, value)
            share = frequency(field_name, value)
            if share is None:
                return plain(field_name, level, value)
            adjusted = math.log2(self.fields[field_name][level].m / max(share, floor))
            return adjusted, f" (a name held by about 1 in {max(1, round(1 / share)):,} records)"

        return weigh

    def band(self, weight: float, explanation: list[FieldComparison]) -> str | None:
        """The band of a score. "certain" needs an identifier held by both and the same, none contradicting,
        and names not wholly different: a name and a date of birth alone are never certain."""
        levels = {c.field: c.level for c in explanation}
        identifiers = [c.level for c in explanation if is_identifier(c.field)]
        return self.band_of(
            weight,
            identifier_exact="exact" in identifiers,
            identifier_different="different" in identifiers,
            names_different=levels.get("surname") == "different" and levels.get("forenames") == "different",
        )

    def band_of(
        self, weight: float, *, identifier_exact: bool, identifier_different: bool, names_different: bool
    ) -> str | None:
        """``band`` from the facts it needs, for a first pass that writes no explanation."""
        if (
            weight >= self.thresholds.certain
            and identifier_exact
            and not identifier_different
            and not names_different
        ):
            return "certain"
        if weight >= self.thresholds.probable:
            return "probable"
        if weight >= self.thresholds.possible:
            return "possible"
        return None

    def to_dict(self) -> dict[str, Any]:
        """The model file's content (see ``model_from_dict``)."""
        return {
            "format": FORMAT,
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "prior": self.prior,
            "swap_penalty": self.swap_penalty,
            "thresholds": {
                "certain": self.thresholds.certain,
                "probable": self.thresholds.probable,
                "possible": self.thresholds.possible,
            },
            "term_frequency": {
                "floor": self.term_frequency.floor,
                "levels": {f: sorted(levels) for f, levels in sorted(self.term_frequency.levels.items())},
            },
            "fields": {
                name: {level: {"m": p.m, "u": p.u} for level, p in levels.items()}
                for name, levels in self.fields.items()
            },
        }


def model_from_dict(data: Mapping[str, Any]) -> Model:
    """A model from a model file's content; refuses a file of another format."""
    if data.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} model file (format {data.get('format')!r})")
    thresholds = data["thresholds"]
    tf = data.get("term_frequency", {})
    return Model(
        name=str(data["name"]),
        version=str(data["version"]),
        source=str(data.get("source", "")),
        prior=float(data["prior"]),
        swap_penalty=float(data.get("swap_penalty", 1.0)),
        thresholds=Thresholds(
            certain=float(thresholds["certain"]),
            probable=float(thresholds["probable"]),
            possible=float(thresholds["possible"]),
        ),
        term_frequency=TermFrequency(
            levels=MappingProxyType({f: frozenset(levels) for f, levels in tf.get("levels", {}).items()}),
            floor=float(tf.get("floor", 1e-6)),
        ),
        fields=MappingProxyType(
            {
                name: MappingProxyType(
                    {level: LevelParams(float(p["m"]), float(p["u"])) for level, p in levels.items()}
                )
                for name, levels in data["fields"].items()
            }
        ),
    )


def load_model_file(path: Path) -> Model:
    return model_from_dict(json.loads(path.read_text(encoding="utf-8")))


@cache
def load_model(name: str = "person-v1") -> Model:
    """A model shipped with openmash (``model_files/<name>.json``), loaded once."""
    text = (
        resources.files("openmash.matching").joinpath(f"model_files/{name}.json").read_text(encoding="utf-8")
    )
    return model_from_dict(json.loads(text))


@dataclass(frozen=True, slots=True)
class Scored:
    """A pair's score: total match weight (bits, prior included), probability, band, and the explanation."""

    weight: float
    probability: float
    band: str | None
    explanation: list[FieldComparison]
    model: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "weight": round(self.weight, 2),
            "probability": self.probability,
            "band": self.band,
            "model": self.model,
            "explanation": [c.as_dict() for c in self.explanation],
        }


def probability(weight: float) -> float:
    """The probability of a match weight in bits (log2 odds)."""
    return 1.0 / (1.0 + math.pow(2.0, -max(-1000.0, min(1000.0, weight))))


def score(
    query: MatchRecord | Prepared,
    held: MatchRecord | Prepared,
    model: Model,
    frequency: Frequency | None = None,
    *,
    explain: bool = True,
) -> Scored:
    """Score a pair, symmetric in its two records: score(a, b) and score(b, a) weigh the same. Without
    ``explain`` the weight and band are the same but some sentences are left empty (see ``compare``)."""
    explanation = compare(
        query, held, model.weigher(frequency), swap_penalty=model.swap_penalty, explain=explain
    )
    weight = model.prior_weight
    for comparison in explanation:
        weight += comparison.weight
    return Scored(weight, probability(weight), model.band(weight, explanation), explanation, model.label)
