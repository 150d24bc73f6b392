"""Training: u from random pairs and m by EM recover the parameters that generated the data."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from types import MappingProxyType

import pytest

from openmash.matching.compare import FIELD_LEVELS
from openmash.matching.model import load_model, load_model_file
from openmash.matching.record import MatchRecord
from openmash.matching.train import (
    Vector,
    comparison_vector,
    count_vectors,
    estimate_m_em,
    estimate_u,
    train,
    trained_model,
    write_model,
)

FIELDS = ("surname", "forenames", "date_of_birth")
TRUE_M = {
    "surname": dict(zip(FIELD_LEVELS["surname"], (0.7, 0.05, 0.05, 0.08, 0.04, 0.03, 0.05), strict=True)),
    "forenames": dict(
        zip(FIELD_LEVELS["forenames"], (0.6, 0.1, 0.1, 0.05, 0.04, 0.03, 0.03, 0.05), strict=True)
    ),
    "date_of_birth": dict(zip(FIELD_LEVELS["date_of_birth"], (0.8, 0.05, 0.08, 0.04, 0.03), strict=True)),
}
TRUE_U = {
    "surname": dict(zip(FIELD_LEVELS["surname"], (0.01, 0.005, 0.005, 0.02, 0.01, 0.05, 0.9), strict=True)),
    "forenames": dict(
        zip(FIELD_LEVELS["forenames"], (0.02, 0.01, 0.01, 0.02, 0.01, 0.03, 0.05, 0.85), strict=True)
    ),
    "date_of_birth": dict(zip(FIELD_LEVELS["date_of_birth"], (0.001, 0.001, 0.01, 0.02, 0.968), strict=True)),
}


def sample(params: dict[str, dict[str, float]], n: int, rng: random.Random) -> Counter[Vector]:
    columns = [
        [
            (field, level)
            for level in rng.choices(list(params[field]), weights=list(params[field].values()), k=n)
        ]
        for field in FIELDS
    ]
    return Counter(zip(*columns, strict=True))


def test_em_recovers_m_and_the_prior_with_u_from_random_pairs() -> None:
    rng = random.Random(7)
    random_pairs = sample(TRUE_U, 100_000, rng)
    candidates = sample(TRUE_M, 20_000, rng) + sample(TRUE_U, 80_000, rng)

    u = estimate_u(random_pairs)
    for field in FIELDS:
        for level, value in TRUE_U[field].items():
            assert u[field][level] == pytest.approx(value, abs=0.005)

    result = estimate_m_em(candidates, u, iterations=200, tolerance=1e-7)
    assert result.converged
    assert result.prior == pytest.approx(0.2, abs=0.01)
    for field in FIELDS:
        for level, value in TRUE_M[field].items():
            assert result.m[field][level] == pytest.approx(value, abs=0.02), (field, level)


def test_estimate_u_keeps_unseen_levels_above_zero() -> None:
    vector: Vector = (("ni_number", "different"),)
    u = estimate_u(Counter({vector: 10_000}))
    assert 0.0 < u["ni_number"]["exact"] < 1e-4
    assert u["ni_number"]["different"] > 0.999


def test_em_needs_u_for_every_field() -> None:
    vector: Vector = (("date_of_birth", "exact"),)
    with pytest.raises(ValueError, match="no u for date_of_birth"):
        estimate_m_em(Counter({vector: 1}), {})


def person(record_id: str, surname: str, forenames: str, born: date, nhs: str | None = None) -> MatchRecord:
    return MatchRecord(
        record_id=record_id,
        names=((surname, forenames),),
        date_of_birth=born,
        identifiers=MappingProxyType({"nhs_number": nhs} if nhs else {}),
    )


def test_comparison_vectors_leave_out_missing_fields() -> None:
    a = person("a", "Khan", "Mohammed", date(1984, 7, 3), "4857773456")
    b = person("b", "Kahn", "Muhammad", date(1984, 3, 7))
    assert comparison_vector(a, b, load_model()) == (
        ("surname", "phonetic"),
        ("forenames", "variant"),
        ("date_of_birth", "day_month_swapped"),
    )
    assert count_vectors([(a, b), (b, a)]) == Counter({comparison_vector(a, b, load_model()): 2})


def test_training_on_records_writes_a_model_that_loads(tmp_path: Path) -> None:
    rng = random.Random(3)
    surnames = ["Khan", "Smith", "Jones", "Oyelaran", "Nowak", "Yilmaz", "Begum", "Patel", "Murphy", "Chen"]
    forenames = ["Mohammed", "John", "Amina", "Piotr", "Kayleigh", "Fatima", "Sean", "Wei", "Ade", "Anna"]
    people = [
        person(
            str(i),
            rng.choice(surnames),
            rng.choice(forenames),
            date(1960, 1, 1) + timedelta(days=rng.randrange(15_000)),
            f"{rng.randrange(10**9, 10**10)}",
        )
        for i in range(400)
    ]
    random_pairs = [(rng.choice(people), rng.choice(people)) for _ in range(2000)]
    copies = [
        (p, person(p.record_id + "x", p.names[0][0], p.names[0][1], p.date_of_birth or date(2000, 1, 1)))
        for p in people[:100]
    ]
    candidates = copies + random_pairs[:400]
    model = train(random_pairs, candidates, version="2.0.0-test")
    assert model.version == "2.0.0-test"
    assert "EM" in model.source
    assert model.fields["date_of_birth"]["exact"].m > 0.8
    assert model.fields["nhs_number"]["different"].u > 0.99
    assert 0.05 < model.prior < 0.5

    path = tmp_path / "person-test.json"
    write_model(path, model)
    assert load_model_file(path) == model


def test_trained_model_keeps_the_base_values_it_does_not_replace() -> None:
    base = load_model()
    new = trained_model(
        base, {"sex": {"exact": 0.9, "different": 0.1}}, {}, 0.01, version="9", source="test", name="person-x"
    )
    assert new.name == "person-x"
    assert new.prior == 0.01
    assert new.fields["sex"]["exact"].m == 0.9
    assert new.fields["sex"]["exact"].u == base.fields["sex"]["exact"].u
    assert new.fields["surname"] == base.fields["surname"]
    assert new.weight("sex", "exact") != base.weight("sex", "exact")
