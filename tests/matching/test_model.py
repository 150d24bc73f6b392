"""Scores and bands: the weights add up, common names count less, and "certain" needs an identifier."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from types import MappingProxyType

import pytest

from openmash.matching.model import (
    FORMAT,
    Model,
    load_model,
    load_model_file,
    model_from_dict,
    probability,
    score,
)
from openmash.matching.record import MatchRecord

BORN = date(1984, 7, 3)
DLN = "KHAN9807034MA9AB"


def person(
    surname: str = "Khan",
    forenames: str = "Mohammed",
    born: date | None = BORN,
    record_id: str = "r",
    sex: str | None = "M",
    postcodes: frozenset[str] = frozenset(),
    **identifiers: str,
) -> MatchRecord:
    return MatchRecord(
        record_id=record_id,
        names=((surname, forenames),),
        date_of_birth=born,
        identifiers=MappingProxyType(identifiers),
        postcodes=postcodes,
        sex=sex,
    )


@pytest.fixture
def model() -> Model:
    return load_model()


def test_the_default_model_loads_and_names_itself(model: Model) -> None:
    assert model.name == "person-v1"
    assert model.version
    assert model.label == f"person-v1@{model.version}"
    assert "EM" in model.source  # says how its weights were estimated
    assert load_model() is model  # cached


def test_weights_are_log2_of_m_over_u(model: Model) -> None:
    params = model.fields["surname"]["exact"]
    assert model.weight("surname", "exact") == pytest.approx(math.log2(params.m / params.u))
    assert model.weight("surname", "missing") == 0.0
    assert model.weight("passport_number", "exact") == model.weight("identifier", "exact")


def test_the_score_is_the_prior_plus_every_field(model: Model) -> None:
    scored = score(person(), person("Kahn", "Muhammad"), model)
    assert scored.weight == pytest.approx(model.prior_weight + sum(c.weight for c in scored.explanation))
    assert scored.probability == pytest.approx(probability(scored.weight))
    assert scored.model == model.label
    assert scored.as_dict()["explanation"][0]["field"] == "surname"


def test_muhammad_kahn_is_a_probable_match_for_mohammed_khan(model: Model) -> None:
    assert score(person(), person("Kahn", "Muhammad"), model).band == "probable"


def test_name_and_date_of_birth_alone_are_never_certain(model: Model) -> None:
    scored = score(person(postcodes=frozenset({"WV1 1AA"})), person(postcodes=frozenset({"WV1 1AA"})), model)
    assert scored.weight >= model.thresholds.certain  # the weight alone would say certain
    assert scored.band == "probable"


def test_an_identifier_with_name_and_date_of_birth_is_certain(model: Model) -> None:
    scored = score(person(driving_licence_number=DLN), person(driving_licence_number=DLN), model)
    assert scored.band == "certain"


def test_an_identifier_with_a_variant_name_and_swapped_date_is_certain(model: Model) -> None:
    held = person("Kahn", "Muhammad", date(1984, 3, 7), driving_licence_number=DLN)
    assert score(person(driving_licence_number=DLN), held, model).band == "certain"


def test_a_contradicting_identifier_is_never_certain(model: Model) -> None:
    scored = score(
        person(driving_licence_number=DLN, ni_number="AB123456C"),
        person(driving_licence_number=DLN, ni_number="ZX987654A"),
        model,
    )
    assert scored.weight >= model.thresholds.certain
    assert scored.band == "probable"


def test_a_keying_error_alone_is_not_certain(model: Model) -> None:
    scored = score(
        person(driving_licence_number=DLN), person(driving_licence_number="KHAN9807043MA9AB"), model
    )
    assert scored.band == "probable"


def test_a_shared_identifier_with_wholly_different_names_is_not_certain(model: Model) -> None:
    scored = score(
        person(driving_licence_number=DLN), person("Jones", "Peter", driving_licence_number=DLN), model
    )
    assert scored.band != "certain"


def test_a_different_identifier_lowers_the_score(model: Model) -> None:
    plain = score(person(), person(), model).weight
    contradicted = score(person(ni_number="AB123456C"), person(ni_number="ZX987654A"), model).weight
    assert contradicted < plain - 3


def test_same_name_different_date_of_birth_is_not_shown(model: Model) -> None:
    assert score(person(), person(born=date(1991, 2, 17)), model).band is None


def test_different_people_are_not_shown(model: Model) -> None:
    assert score(person(), person("Jones", "Peter", date(1960, 12, 25), sex="F"), model).band is None


def test_a_common_surname_is_worth_less_than_a_rare_one(model: Model) -> None:
    shares = {("surname", "khan"): 0.012, ("surname", "oyelaran"): 0.000004}

    def frequency(field: str, value: str) -> float | None:
        return shares.get((field, value))

    khan = score(person("Khan", "Ade"), person("Khan", "Ade"), model, frequency)
    oyelaran = score(person("Oyelaran", "Ade"), person("Oyelaran", "Ade"), model, frequency)
    untold = score(person("Oyelaran", "Ade"), person("Oyelaran", "Ade"), model)
    assert khan.explanation[0].weight < untold.explanation[0].weight < oyelaran.explanation[0].weight
    assert khan.weight < oyelaran.weight
    floor = model.term_frequency.floor
    m = model.fields["surname"]["exact"].m
    assert oyelaran.explanation[0].weight == pytest.approx(math.log2(m / floor))
    assert khan.explanation[0].weight == pytest.approx(math.log2(m / 0.012))
    assert "1 in 83 records" in khan.explanation[0].detail


def test_term_frequencies_touch_only_exact_names(model: Model) -> None:
    def frequency(field: str, value: str) -> float | None:
        return 0.5

    near = score(person("Khan"), person("Kahn"), model, frequency)
    assert near.explanation[0].weight == model.weight("surname", "phonetic")
    unknown = score(person(), person(), model, lambda field, value: None)
    assert unknown.weight == score(person(), person(), model).weight


def test_scores_are_symmetric_with_term_frequencies(model: Model) -> None:
    def frequency(field: str, value: str) -> float | None:
        return 0.003 if field == "surname" else None

    a = person("Ali", "Hassan", driving_licence_number=DLN, postcodes=frozenset({"B1 1AA"}))
    b = person("Hassan", "Ali", date(1984, 3, 7), ni_number="AB123456C", postcodes=frozenset({"B1 2ZZ"}))
    assert score(a, b, model, frequency).weight == score(b, a, model, frequency).weight
    assert score(a, b, model).weight == score(b, a, model).weight


def test_probability_is_bounded() -> None:
    assert probability(0.0) == 0.5
    assert probability(5000.0) == 1.0
    assert 0.0 <= probability(-5000.0) < 1e-300


def test_a_model_file_round_trips(tmp_path: Path, model: Model) -> None:
    path = tmp_path / "copy.json"
    path.write_text(json.dumps(model.to_dict()), encoding="utf-8")
    again = load_model_file(path)
    assert again == model
    assert again.to_dict() == model.to_dict()
    assert again.weight("date_of_birth", "exact") == model.weight("date_of_birth", "exact")


def test_a_model_file_must_be_complete_and_of_the_right_format(model: Model) -> None:
    data = model.to_dict()
    with pytest.raises(ValueError, match="format"):
        model_from_dict({**data, "format": "something-else"})
    assert data["format"] == FORMAT
    broken = json.loads(json.dumps(data))
    del broken["fields"]["surname"]["phonetic"]
    with pytest.raises(ValueError, match="surname levels: phonetic"):
        model_from_dict(broken)
    broken = json.loads(json.dumps(data))
    broken["fields"]["passport_number"] = {"exact": {"m": 0.9, "u": 0.001}}
    with pytest.raises(ValueError, match="passport_number levels"):
        model_from_dict(broken)
    with pytest.raises(ValueError, match="prior"):
        model_from_dict({**data, "prior": 0})
    with pytest.raises(ValueError, match="thresholds"):
        model_from_dict({**data, "thresholds": {"certain": 5.0, "probable": 8.0, "possible": 0.0}})
    broken = json.loads(json.dumps(data))
    broken["fields"]["sex"]["exact"]["u"] = 0
    with pytest.raises(ValueError, match="m and u"):
        model_from_dict(broken)
