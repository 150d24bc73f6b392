"""Field comparisons: every level of every field, on the kinds of differences real records have."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

import pytest

from openmash.matching.compare import (
    FieldComparison,
    compare,
    date_of_birth_level,
    forenames_level,
    identifier_level,
    is_identifier,
    surname_level,
)
from openmash.matching.model import load_model
from openmash.matching.prepared import name_part, prepare
from openmash.matching.record import MatchRecord


def record(
    surname: str = "Khan",
    forenames: str = "Mohammed",
    born: date | None = None,
    identifiers: Mapping[str, str] | None = None,
    postcodes: tuple[str, ...] = (),
    sex: str | None = None,
    *,
    also: tuple[tuple[str, str], ...] = (),
    record_id: str = "r",
) -> MatchRecord:
    return MatchRecord(
        record_id=record_id,
        names=((surname, forenames), *also),
        date_of_birth=born,
        identifiers=MappingProxyType(dict(identifiers or {})),
        postcodes=frozenset(postcodes),
        sex=sex,
    )


def fields(a: MatchRecord, b: MatchRecord) -> dict[str, FieldComparison]:
    return {c.field: c for c in compare(a, b, load_model().weigher(), swap_penalty=load_model().swap_penalty)}


@pytest.mark.parametrize(
    ("one", "other", "level"),
    [
        ("Khan", "KHAN", "exact"),
        ("McDonald", "Mac Donald", "exact"),
        ("Yılmaz", "Yilmaz", "exact"),
        ("O'Brien", "OBrien", "exact"),
        ("Hussain", "Hussein", "variant"),
        ("Chaudhry", "Chowdhury", "variant"),
        ("Smith-Jones", "Smith", "token_match"),
        ("Begum", "Akhtar Begum", "token_match"),
        ("Khan", "Kahn", "phonetic"),
        ("Smith", "Smyth", "phonetic"),
        ("Kowalski", "Kowalsky", "phonetic"),
        ("Oyelaran", "Oyelaram", "jaro_winkler_92"),
        ("Thompson", "Thomason", "jaro_winkler_92"),
        ("Robertson", "Robinson", "jaro_winkler_85"),
        ("Khan", "Jones", "different"),
        ("", "Jones", "missing"),
    ],
)
def test_surname_levels(one: str, other: str, level: str) -> None:
    assert surname_level(name_part(one), name_part(other)) == level
    assert surname_level(name_part(other), name_part(one)) == level


def test_particles_do_not_make_a_shared_surname() -> None:
    assert surname_level(name_part("Al Hassan"), name_part("Al Rashid")) == "different"
    assert surname_level(name_part("Van Dyke"), name_part("Van Rensburg")) == "different"


@pytest.mark.parametrize(
    ("one", "other", "level"),
    [
        ("Abdul Rahman", "Abdulrahman", "exact"),
        ("Mary-Ann", "Mary Ann", "exact"),
        ("Kayleigh-Ann", "Kayleigh", "first_forename"),
        ("Mohammed Ali", "Mohammed Tariq", "first_forename"),
        ("Mohammed", "Muhammad", "variant"),
        ("Mohd", "Mohammed", "variant"),
        ("Piotr", "Peter", "variant"),
        ("William", "Bill", "variant"),
        ("Hüseyin", "Hussein", "variant"),
        ("Abdul Rahman", "Abdurrahman", "variant"),
        ("Jaxon", "Jackson", "phonetic"),
        ("Kehinde", "Kehinda", "phonetic"),
        ("Chidinma", "Chidimma", "jaro_winkler_92"),
        ("Bartek", "Bartus", "jaro_winkler_85"),
        ("J", "John", "initial"),
        ("J. M.", "John Michael", "initial"),
        ("J", "Mark", "different"),
        ("John", "Ahmed", "different"),
        ("John", "", "missing"),
    ],
)
def test_forenames_levels(one: str, other: str, level: str) -> None:
    assert forenames_level(name_part(one), name_part(other)) == level
    assert forenames_level(name_part(other), name_part(one)) == level


def test_mohammed_khan_and_muhammad_kahn_are_a_variant_and_a_sound() -> None:
    found = fields(record("Khan", "Mohammed"), record("Kahn", "Muhammad"))
    assert (found["surname"].level, found["forenames"].level) == ("phonetic", "variant")
    assert (
        found["forenames"].detail == "'Mohammed' ≈ 'Muhammad' (same name, different spelling or short form)"
    )
    assert found["surname"].detail == "'Khan' and 'Kahn' sound the same"
    assert found["surname"].weight > 0
    assert found["forenames"].weight > 0


def test_kayleigh_ann_smith_and_kayleigh_smyth() -> None:
    found = fields(record("Smith", "Kayleigh-Ann"), record("Smyth", "Kayleigh"))
    assert (found["surname"].level, found["forenames"].level) == ("phonetic", "first_forename")


def test_huseyin_yilmaz_is_huseyin_yilmaz() -> None:
    found = fields(record("Yılmaz", "Hüseyin"), record("YILMAZ", "Huseyin"))
    assert (found["surname"].level, found["forenames"].level) == ("exact", "exact")
    assert "written differently" in found["surname"].detail


def test_names_written_swapped_are_found_and_marked() -> None:
    straight = fields(record("Hassan", "Ali"), record("Hassan", "Ali"))
    swapped = fields(record("Hassan", "Ali"), record("Ali", "Hassan"))
    assert (swapped["surname"].level, swapped["forenames"].level) == ("exact", "exact")
    assert "swapped" in swapped["surname"].detail
    assert "swapped" in swapped["forenames"].detail
    total = swapped["surname"].weight + swapped["forenames"].weight
    assert total == straight["surname"].weight + straight["forenames"].weight - load_model().swap_penalty


def test_the_best_of_all_names_is_used_and_an_alias_is_marked() -> None:
    married = record("Smith", "Jane", also=(("Jones", "Jane"),))
    found = fields(married, record("Jones", "Jane"))
    assert (found["surname"].level, found["forenames"].level) == ("exact", "exact")
    assert "previous name or alias" in found["surname"].detail


@pytest.mark.parametrize(
    ("one", "other", "level", "detail"),
    [
        (date(1984, 7, 3), date(1984, 7, 3), "exact", "same date of birth (03/07/1984)"),
        (date(1984, 7, 3), date(1984, 3, 7), "day_month_swapped", "day and month swapped (03/07 vs 07/03)"),
        (date(1984, 7, 3), date(1994, 7, 3), "one_digit", "one digit different (03/07/1984 vs 03/07/1994)"),
        (date(1984, 7, 3), date(1984, 7, 8), "one_digit", "one digit different (03/07/1984 vs 08/07/1984)"),
        (date(1984, 1, 31), date(1984, 2, 1), "one_digit", "one day apart (31/01/1984 vs 01/02/1984)"),
        (date(1984, 7, 3), date(1979, 7, 3), "one_part_differs", "year differs (03/07/1984 vs 03/07/1979)"),
        (date(1984, 7, 3), date(1984, 11, 3), "one_part_differs", "month differs (03/07/1984 vs 03/11/1984)"),
        (date(1984, 7, 3), date(1984, 7, 25), "one_part_differs", "day differs (03/07/1984 vs 25/07/1984)"),
        (date(1984, 7, 3), date(1991, 2, 17), "different", "different (03/07/1984 vs 17/02/1991)"),
        (date(1984, 7, 3), None, "missing", "not given on both records"),
    ],
)
def test_date_of_birth_levels(one: date, other: date | None, level: str, detail: str) -> None:
    assert date_of_birth_level(one, other) == (level, detail)
    assert date_of_birth_level(other, one)[0] == level


@pytest.mark.parametrize(
    ("one", "other", "level"),
    [
        ("KHAN9807034MA9AB", "KHAN9807034MA9AB", "exact"),
        ("KHAN9807034MA9AB", "KHAN9807034MA9AC", "keying_error"),
        ("KHAN9807034MA9AB", "KHAN9870034MA9AB", "keying_error"),
        ("KHAN9807034MA9AB", "KHAN9807034MA9A", "keying_error"),
        ("KHAN9807034MA9AB", "JONES807034MA9XY", "different"),
        ("KHAN9807034MA9AB", None, "missing"),
    ],
)
def test_identifier_levels(one: str, other: str | None, level: str) -> None:
    assert identifier_level("driving_licence_number", one, other)[0] == level
    assert identifier_level("driving_licence_number", other, one)[0] == level


def test_identifier_details_say_what_happened() -> None:
    assert identifier_level("driving_licence_number", "AB12", "AB12")[1] == "same driving licence number"
    assert "two adjacent characters swapped" in identifier_level("ni_number", "AB123456C", "AB124356C")[1]
    assert "one character different" in identifier_level("ni_number", "AB123456C", "AB123457C")[1]
    assert "counts against" in identifier_level("ni_number", "AB123456C", "ZX987654A")[1]


def test_a_different_identifier_counts_against_and_an_unknown_one_is_neutral() -> None:
    born = date(1984, 7, 3)
    found = fields(
        record(born=born, identifiers={"ni_number": "AB123456C", "nhs_number": "4857773456"}),
        record(born=born, identifiers={"ni_number": "zx 98 76 54 a"}),
    )
    assert found["ni_number"].level == "different"
    assert found["ni_number"].weight < -3
    assert found["nhs_number"].level == "missing"
    assert found["nhs_number"].weight == 0.0
    assert is_identifier("ni_number")
    assert not is_identifier("date_of_birth")


def test_a_keying_error_in_a_licence_number_still_counts_for() -> None:
    found = fields(
        record(identifiers={"driving_licence_number": "KHAN9807034MA9AB"}),
        record(identifiers={"driving_licence_number": "KHAN9807043MA9AB"}),
    )
    assert found["driving_licence_number"].level == "keying_error"
    assert found["driving_licence_number"].weight > 0


@pytest.mark.parametrize(
    ("one", "other", "level"),
    [
        (("WV1 1AA", "B1 1BB"), ("b11bb",), "exact"),
        (("WV1 1AA",), ("WV1 4XY",), "same_district"),
        (("WV1 1AA",), ("LS6 2AB",), "different"),
        (("WV1 1AA",), (), "missing"),
    ],
)
def test_postcode_levels(one: tuple[str, ...], other: tuple[str, ...], level: str) -> None:
    assert fields(record(postcodes=one), record(postcodes=other))["postcode"].level == level


def test_moving_house_weighs_little() -> None:
    found = fields(record(postcodes=("WV1 1AA",)), record(postcodes=("LS6 2AB",)))
    assert -2.0 < found["postcode"].weight < 0.0


@pytest.mark.parametrize(
    ("one", "other", "level"),
    [("M", "M", "exact"), ("F", "female", "exact"), ("M", "F", "different"), ("M", None, "missing")],
)
def test_sex_levels(one: str, other: str | None, level: str) -> None:
    assert fields(record(sex=one), record(sex=other))["sex"].level == level


def test_every_field_is_explained_in_order() -> None:
    found = compare(
        record(
            born=date(1984, 7, 3), identifiers={"ni_number": "AB123456C"}, postcodes=("WV1 1AA",), sex="M"
        ),
        record(born=date(1984, 7, 3), identifiers={"driving_licence_number": "X"}, sex="M"),
        load_model().weigher(),
    )
    assert [c.field for c in found] == [
        "surname",
        "forenames",
        "date_of_birth",
        "driving_licence_number",
        "ni_number",
        "postcode",
        "sex",
    ]
    assert all(c.weight == 0.0 for c in found if c.level == "missing")


def test_as_dict_rounds_the_weight() -> None:
    comparison = FieldComparison("surname", "exact", 8.4321, "'Khan': same name")
    assert comparison.as_dict() == {
        "field": "surname",
        "level": "exact",
        "weight": 8.43,
        "detail": "'Khan': same name",
    }


def test_prepare_normalises_once_and_accepts_either_form() -> None:
    raw = record("Mc Donald", "Seán", postcodes=("wv1 1aa",), identifiers={"ni_number": "ab 12 34 56 c"})
    prepared = prepare(raw)
    assert prepare(prepared) is prepared
    assert prepare(raw) is prepared
    assert prepared.names[0][0].joined == "macdonald"
    assert prepared.postcodes == {"WV11AA"}
    assert prepared.districts == {"WV1"}
    assert prepared.identifiers == {"ni_number": "AB123456C"}
    weigh = load_model().weigher()
    assert compare(prepared, raw, weigh) == compare(raw, raw, weigh)
