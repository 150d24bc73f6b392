"""Batch linkage with Splink on DuckDB: people held twice are found under name variants, a swapped day and
month, keying errors and swapped names; twins are never certain; the same records and seed give the same
pairs; two agencies' lists are linked; the settings are a plain dict that names Spark's functions for Spark;
no DuckDB extension is ever downloaded."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from types import MappingProxyType

import pytest
from splink import SettingsCreator

from openmash.demo.population import SyntheticPerson, duplicates, make_population
from openmash.matching import batch
from openmash.matching.record import MatchRecord


def _record(person: SyntheticPerson, record_id: str, *, identifiers: bool = True) -> MatchRecord:
    held = {"driving_licence_number": person.driving_licence_number, "ni_number": person.ni_number}
    return MatchRecord(
        record_id,
        person.names,
        person.date_of_birth,
        MappingProxyType({k: v for k, v in held.items() if v and identifiers}),
        frozenset({person.postcode}),
        person.sex,
    )


def _planted(
    left: str,
    right: str,
    a: tuple[str, str],
    b: tuple[str, str],
    born: tuple[date, date],
    **ids: tuple[str, str],
) -> tuple[MatchRecord, MatchRecord]:
    """Two records of one person (or of twins), with each identifier kind as each record holds it."""
    return (
        MatchRecord(left, (a,), born[0], {kind: pair[0] for kind, pair in ids.items() if pair[0]}),
        MatchRecord(right, (b,), born[1], {kind: pair[1] for kind, pair in ids.items() if pair[1]}),
    )


PLANTED = {
    "variant": _planted(
        "khan-1", "khan-2", ("Khan", "Mohammed"), ("Kahn", "Muhammad"), (date(1984, 7, 3),) * 2,
        ni_number=("AB123456C", "AB123456C"),
    ),
    "swapped": _planted(
        "oyelaran-1", "oyelaran-2", ("Oyelaran", "Adebayo"), ("Oyelaran", "Adebayo"),
        (date(1975, 2, 4), date(1975, 4, 2)),
        driving_licence_number=("OYELA702045AB9CD", "OYELA702045AB9CD"),
    ),
    "keying": _planted(
        "wisniewski-1", "wisniewski-2", ("Wiśniewski", "Łukasz"), ("Wisniewski", "Lukasz"),
        (date(1990, 5, 17),) * 2,
        driving_licence_number=("WISNI905170L99XY", "WISNI905170L99YX"),
    ),
    "names_swapped": _planted(
        "rushdale-1", "rushdale-2", ("Rushdale", "Jeffrey"), ("Jeffrey", "Rushdale"),
        (date(1974, 9, 16),) * 2,
        ni_number=("JK654321A", "JK654321A"),
    ),
}  # fmt: skip
TWINS = _planted(
    "twin-1", "twin-2", ("Hussain", "Imran"), ("Hussain", "Imran"), (date(1988, 9, 21),) * 2,
    driving_licence_number=("HUSSA809218I99AB", "HUSSA809218I99CD"), ni_number=("NP112233A", "NP445566B"),
)  # fmt: skip


def _pairs(found: Sequence[batch.LinkedPair]) -> dict[frozenset[str], batch.LinkedPair]:
    return {frozenset((p.left_id, p.right_id)): p for p in found}


@pytest.fixture(scope="module")
def population() -> list[SyntheticPerson]:
    return make_population(150, seed=21)


@pytest.fixture(scope="module")
def register(population: list[SyntheticPerson]) -> list[MatchRecord]:
    """A register of 150 people, 6 of them held a second time by another authority, and the planted cases."""
    records = [_record(p, p.person_id) for p in population]
    records += [_record(p, p.person_id + "-again") for p in duplicates(population, share=0.04, seed=5)]
    return records + [r for pair in (*PLANTED.values(), TWINS) for r in pair]


@pytest.fixture(scope="module")
def found(register: list[MatchRecord]) -> list[batch.LinkedPair]:
    return batch.dedupe(register)


def test_people_held_twice_are_found_under_variants_swapped_dates_keying_errors_and_swapped_names(
    register: list[MatchRecord], found: list[batch.LinkedPair]
) -> None:
    pairs = _pairs(found)
    again = {
        frozenset((r.record_id.removesuffix("-again"), r.record_id))
        for r in register
        if "-again" in r.record_id
    }
    assert len(again) == 6
    assert again <= pairs.keys()
    variant, swapped, keying, names_swapped = (
        pairs[frozenset(x.record_id for x in p)] for p in PLANTED.values()
    )
    assert (variant.levels["surname"], variant.levels["forenames"], variant.band) == (
        "phonetic",
        "variant",
        "certain",
    )
    assert (swapped.levels["date_of_birth"], swapped.band) == ("day_month_swapped", "certain")
    assert keying.levels["driving_licence_number"] == "keying_error"
    assert keying.band == "probable"  # an identifier one slip apart is never enough for "certain"
    assert "keying error" in " ".join(c.detail for c in keying.scored.explanation)
    assert names_swapped.levels["surname"] == "swapped_with_forenames"
    assert all(p.match_probability >= batch.DEFAULT_THRESHOLD for p in found)
    assert found == sorted(found, key=lambda p: -p.scored.weight)


def test_twins_and_strangers_are_never_certain(found: list[batch.LinkedPair]) -> None:
    planted = {frozenset(r.record_id for r in pair) for pair in PLANTED.values()}
    certain = {key for key, p in _pairs(found).items() if p.band == "certain"}
    assert frozenset(r.record_id for r in TWINS) not in certain
    assert all(key in planted or any(x.endswith("-again") for x in key) for key in certain)


def test_the_same_records_and_seed_give_the_same_pairs(
    register: list[MatchRecord], found: list[batch.LinkedPair]
) -> None:
    again = batch.dedupe(list(reversed(register)), seed=batch.DEFAULT_SEED, backend=batch.duckdb_api())
    assert [(p.left_id, p.right_id, p.match_probability, dict(p.levels), p.scored.weight) for p in again] == [
        (p.left_id, p.right_id, p.match_probability, dict(p.levels), p.scored.weight) for p in found
    ]


def test_two_agencies_lists_are_linked_child_to_child() -> None:
    children = make_population(60, seed=4, children=True)
    seen_again = duplicates(children, share=0.1, seed=6)
    left = [_record(c, "school:" + c.person_id) for c in children]
    right = [_record(c, "police:" + c.person_id, identifiers=False) for c in seen_again]
    right += [_record(c, "police:new" + c.person_id) for c in make_population(10, seed=77, children=True)]
    found = batch.link(left, right)
    assert {(p.left_id, p.right_id) for p in found} == {
        ("school:" + c.person_id, "police:" + c.person_id) for c in seen_again
    }


def test_nothing_to_pair_gives_no_pairs() -> None:
    one = PLANTED["variant"][0]
    assert batch.dedupe([]) == batch.dedupe([one]) == batch.link([one], []) == []


def test_the_settings_are_a_plain_dict_the_same_on_spark_but_for_its_function_names() -> None:
    duckdb = batch.splink_settings(["driving_licence_number", "ni_number"])
    spark = batch.splink_settings(["driving_licence_number", "ni_number"], dialect="spark")
    as_spark = json.dumps(duckdb).replace("jaro_winkler_similarity", "jaro_winkler")
    assert as_spark.replace("list_has_any", "arrays_overlap") == json.dumps(spark)
    settings = SettingsCreator.from_path_or_dict(spark).get_settings("spark")  # Splink reads it for Spark
    assert [c.output_column_name for c in settings.comparisons] == [
        "surname", "forenames", "date_of_birth", "driving_licence_number", "ni_number", "postcode", "sex",
    ]  # fmt: skip
    rules = duckdb["blocking_rules_to_generate_predictions"]
    assert "l.surname_dm1 = r.surname_dm1 AND l.birth_year_month = r.birth_year_month" in rules
    assert "l.id_ni_number = r.id_ni_number" in rules


def test_duckdb_never_downloads_an_extension() -> None:
    connection = batch.duckdb_api().duckdb_con
    for setting in ("autoinstall_known_extensions", "autoload_known_extensions"):
        assert connection.execute(f"SELECT current_setting('{setting}')").fetchone() == (False,)
