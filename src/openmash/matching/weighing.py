"""The first pass of a screening: the weight and band of each candidate for one query, with no explanation.

A screening weighs up to a hundred candidates and shows a few; writing every field's comparison for each
cost most of its time. ``Weighing`` gives the same weight and band as ``model.score`` (a property test holds
it to that) from the levels alone, and weighs each distinct surname and forenames among a query's candidates
once: the candidates of a query share a few spellings (their blocking keys hold a name).
"""

from __future__ import annotations

from openmash.matching.compare import (
    MISSING,
    choose_names,
    date_of_birth_agreement,
    identifier_agreement,
    part_weigher,
    postcode_agreement,
    sex_agreement,
)
from openmash.matching.model import Frequency, Model
from openmash.matching.prepared import NamePart, Prepared, prepare
from openmash.matching.record import MatchRecord


class Weighing:
    """One query weighed against many candidates: ``weigh(held)`` is ``(weight, band)`` as ``score`` gives."""

    def __init__(self, query: MatchRecord | Prepared, model: Model, frequency: Frequency | None = None):
        self._query = prepare(query)
        self._model = model
        self._weigh = model.weigher(frequency)
        self._weigh_part = part_weigher(self._weigh)
        self._prior = model.prior_weight
        self._parts: dict[tuple[str, str, str], tuple[str, float, str]] = {}

    def _part(self, field: str, x: NamePart, y: NamePart) -> tuple[str, float, str]:
        """A name part's level and weight, once per distinct pair of texts (they decide it)."""
        key = (field, x.text, y.text)
        found = self._parts.get(key)
        if found is None:
            found = self._parts[key] = self._weigh_part(field, x, y)
        return found

    def weigh(self, held: Prepared) -> tuple[float, str | None]:
        query, weigh = self._query, self._weigh
        _, (s_level, surname, _, f_level, forenames, _) = choose_names(
            query, held, self._part, self._model.swap_penalty
        )
        # Added in the order ``score`` adds them, so that the sums are equal to the last bit.
        weight = self._prior + surname + forenames
        level = date_of_birth_agreement(query.date_of_birth, held.date_of_birth)
        if level != MISSING:
            weight += weigh("date_of_birth", level, None)[0]
        exact = different = False
        for kind in sorted(query.identifiers.keys() | held.identifiers.keys()):
            level = identifier_agreement(query.identifiers.get(kind), held.identifiers.get(kind))
            if level != MISSING:
                weight += weigh(kind, level, None)[0]
                exact = exact or level == "exact"
                different = different or level == "different"
        level = postcode_agreement(query, held)
        if level != MISSING:
            weight += weigh("postcode", level, None)[0]
        level = sex_agreement(query.sex, held.sex)
        if level != MISSING:
            weight += weigh("sex", level, None)[0]
        band = self._model.band_of(
            weight,
            identifier_exact=exact,
            identifier_different=different,
            names_different=s_level == "different" and f_level == "different",
        )
        return weight, band
