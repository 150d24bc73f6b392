"""What the benchmark measures of a ranked answer list: pairwise precision, recall and F1 per band, top-k
recall, certainty of the positives, false matches per kind of stranger, misses per kind of error, latency.

Pairs: each applicant with each distinct person among its results at or above a band. A pair is true when the
person is the applicant's (a duplicate record of that person counts as the person); a stranger's every pair is
false. Recall divides by the registered applicants (each has exactly one true person).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from openmash.demo.population import STRANGER_KINDS, SyntheticApplicant

CERTAIN, PROBABLE = "certain", "probable"
AT_LEAST = {CERTAIN: frozenset({CERTAIN}), PROBABLE: frozenset({CERTAIN, PROBABLE})}


@dataclass(frozen=True)
class Ranked:
    """One applicant's results, best first: the person of each record returned, and its band (None for a
    baseline, which has no bands)."""

    people: tuple[str, ...]
    bands: tuple[str | None, ...]

    def within(self, band: str) -> set[str]:
        wanted = AT_LEAST[band]
        return {person for person, b in zip(self.people, self.bands, strict=True) if b in wanted}

    def in_top(self, k: int, person: str) -> bool:
        return person in self.people[:k]


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Quality:
    registered: int = 0
    strangers: int = 0
    probable: PRF = field(default_factory=PRF)
    certain: PRF = field(default_factory=PRF)
    top: Counter[int] = field(default_factory=Counter)  # k -> registered applicants found in the top k
    positives_certain: int = 0
    with_identifier: int = 0  # registered applicants who gave their own licence or NI number
    with_identifier_certain: int = 0
    wrong_certain: int = 0  # registered applicants shown someone else as certain
    # stranger kind -> [strangers, with a false certain, with a false probable-or-better]
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    # error kind ("none" for none) -> [applicants, not in the top 5, not probable-or-better, not certain]
    by_error: dict[str, list[int]] = field(default_factory=dict)

    def top_recall(self, k: int) -> float:
        return self.top[k] / self.registered if self.registered else 0.0

    @property
    def share_certain(self) -> float:
        return self.positives_certain / self.registered if self.registered else 0.0

    @property
    def share_identifier_certain(self) -> float:
        return self.with_identifier_certain / self.with_identifier if self.with_identifier else 0.0

    def false_certain(self) -> int:
        return sum(counts[1] for counts in self.by_kind.values())

    def false_probable(self) -> int:
        return sum(counts[2] for counts in self.by_kind.values())


TOP_KS = (1, 5, 10)


def quality(
    applicants: Sequence[SyntheticApplicant], carries_identifier: Sequence[bool], ranked: Sequence[Ranked]
) -> Quality:
    """Score the ranked answers for these applicants (the three sequences in the same order)."""
    q = Quality(by_kind={kind: [0, 0, 0] for kind in STRANGER_KINDS})
    for applicant, carries, answer in zip(applicants, carries_identifier, ranked, strict=True):
        certain, probable = answer.within(CERTAIN), answer.within(PROBABLE)
        truth = applicant.true_person_id
        if truth is None:
            q.strangers += 1
            kind = q.by_kind.setdefault(applicant.stranger_kind or "unknown", [0, 0, 0])
            kind[0] += 1
            kind[1] += bool(certain)
            kind[2] += bool(probable)
            q.certain.fp += len(certain)
            q.probable.fp += len(probable)
            continue
        q.registered += 1
        for prf, found in ((q.certain, certain), (q.probable, probable)):
            hit = truth in found
            prf.tp += hit
            prf.fn += not hit
            prf.fp += len(found) - hit
        for k in TOP_KS:
            q.top[k] += answer.in_top(k, truth)
        is_certain = truth in certain
        q.positives_certain += is_certain
        q.wrong_certain += bool(certain - {truth})
        if carries:
            q.with_identifier += 1
            q.with_identifier_certain += is_certain
        for error in applicant.errors or ("none",):
            counts = q.by_error.setdefault(error, [0, 0, 0, 0])
            counts[0] += 1
            counts[1] += not answer.in_top(5, truth)
            counts[2] += truth not in probable
            counts[3] += not is_certain
    return q


def percentile(values: Sequence[float], p: int) -> float:
    """The p-th percentile (1-99) of the values, 0 when there are none."""
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


@dataclass
class Latency:
    values_ms: list[float] = field(default_factory=list)

    def add(self, ms: float) -> None:
        self.values_ms.append(ms)

    def p(self, p: int) -> float:
        return percentile(self.values_ms, p)

    def __len__(self) -> int:
        return len(self.values_ms)
