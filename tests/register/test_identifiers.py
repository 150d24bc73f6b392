"""Identifiers on licence records: one standard form however typed, and values that cannot exist refused.

Synthetic values only: names from Faker (en_GB, fixed seed) or made up; NI numbers use the AB prefix.
"""

from __future__ import annotations

import string
from datetime import date
from typing import Any

import pytest
from faker import Faker
from hypothesis import given
from hypothesis import strategies as st

from openmash.register.identifiers import (
    dvla_number_mismatches,
    normalise_driving_licence_number,
    normalise_ni_number,
    normalise_postcode,
    normalise_registration,
)


def dvla_number_for(surname: str, forenames: str, born: date, sex: str | None) -> str:
    """A GB driver number as the DVLA would build it (check characters made up), for a synthetic person."""
    letters = "".join(c for c in surname.upper() if c in string.ascii_uppercase)
    initials = "".join(name[0] for name in forenames.upper().split()[:2])
    month = born.month + (50 if sex in ("F", "female") else 0)
    return (
        f"{letters[:5]:9<5}{born.year // 10 % 10}{month:02d}{born.day:02d}{born.year % 10}{initials:9<2}9AB"
    )


@pytest.mark.parametrize(
    ("typed", "standard"),
    [
        ("hp198ff", "HP19 8FF"),
        ("  HP19   8FF ", "HP19 8FF"),
        ("ec1a1bb", "EC1A 1BB"),
        ("W1A 0AX", "W1A 0AX"),
        ("m1 1ae", "M1 1AE"),
        ("B338TH", "B33 8TH"),
        ("gir 0aa", "GIR 0AA"),
    ],
)
def test_postcode_is_stored_spaced_and_upper_case_however_typed(typed: str, standard: str) -> None:
    assert normalise_postcode(typed) == standard


@pytest.mark.parametrize(
    "text",
    [
        "",
        "HP19",
        "HP19 8F",
        "HP19 8CF",
        "QA1 1AA",
        "HP19-8FF",
        "12345",
        "HP19 8FF 1",
        "GIR 1AA",
        "ＨＰ19 8FF",
    ],
)
def test_text_that_cannot_be_a_postcode_is_refused(text: str) -> None:
    assert normalise_postcode(text) is None


def test_every_synthetic_en_gb_postcode_is_accepted_and_already_standard() -> None:
    fake = Faker("en_GB")
    fake.seed_instance(20250101)
    for _ in range(500):
        postcode = fake.postcode()
        assert normalise_postcode(postcode.lower().replace(" ", "")) == postcode


@pytest.mark.parametrize("typed", ["AB123456C", "ab 12 34 56 c", " AB 123456 C ", "aB12 3456c"])
def test_ni_number_ignores_spaces_and_case(typed: str) -> None:
    assert normalise_ni_number(typed) == "AB123456C"


@pytest.mark.parametrize(
    "prefix", ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ", "OO", "CR", "FY", "MW", "NC", "QQ", "DA", "FA", "IA"]
)
def test_ni_prefixes_never_issued_or_administrative_are_refused(prefix: str) -> None:
    assert normalise_ni_number(f"{prefix}123456C") is None


@pytest.mark.parametrize("second", list("DFIQUVO"))
def test_ni_second_letters_never_issued_are_refused(second: str) -> None:
    assert normalise_ni_number(f"A{second}123456C") is None


@pytest.mark.parametrize("text", ["AB123456E", "AB12345C", "AB1234567C", "AB123456", "A1123456C", ""])
def test_ni_number_needs_two_letters_six_digits_and_a_suffix_a_to_d(text: str) -> None:
    assert normalise_ni_number(text) is None


def test_placeholder_ni_numbers_from_other_systems_are_refused() -> None:
    fake = Faker("en_GB")
    fake.seed_instance(7)
    assert all(normalise_ni_number(fake.ssn()) is None for _ in range(50))


@pytest.mark.parametrize(
    ("typed", "standard"),
    [
        ("MORGA753116SM9IJ", "MORGA753116SM9IJ"),
        ("morga 753116 sm9ij", "MORGA753116SM9IJ"),
        ("LI999801205J9 9AB", "LI999801205J99AB"),
        ("12345678", "12345678"),
        ("1234 5678", "12345678"),
    ],
)
def test_driving_licence_numbers_gb_and_northern_ireland_ignore_spaces_and_case(
    typed: str, standard: str
) -> None:
    assert normalise_driving_licence_number(typed) == standard


@pytest.mark.parametrize(
    "text",
    [
        "MORGA713116SM9IJ",  # month 13
        "MORGA700116SM9IJ",  # month 00
        "MORGA763116SM9IJ",  # month 63 (13 + 50)
        "MORGA702306SM9IJ",  # 30 February
        "MORGA702297SM9IJ",  # 29 February in a year ending 77
        "MORGA704316SM9IJ",  # 31 April
        "MORGA703006SM9IJ",  # day 00
        "SM9TH753116SM9IJ",  # padding before letters
        "MORGA7531169S9IJ",  # initials "9S": padding comes after the letters
        "MORGA753116SM9I",  # 15 characters
        "1234567",
        "123456789",
    ],
)
def test_driving_licence_numbers_that_cannot_exist_are_refused(text: str) -> None:
    assert normalise_driving_licence_number(text) is None


def test_29_february_is_possible_in_a_leap_year_ending() -> None:
    assert normalise_driving_licence_number("MORGA702296SM9IJ") == "MORGA702296SM9IJ"


def sarah_morgan(
    number: str = "MORGA753116SM9IJ",
    surname: str = "Morgan",
    forenames: str = "Sarah Meredith",
    born: date | None = date(1976, 3, 11),
    sex: str | None = "F",
) -> list[str]:
    """The warnings for a synthetic holder whose number fits her, with one detail changed by each test."""
    return dvla_number_mismatches(number, surname, forenames, born, sex)


def test_a_number_that_fits_its_holder_gives_no_warning() -> None:
    assert sarah_morgan() == []


@pytest.mark.parametrize(
    ("change", "word"),
    [
        ({"surname": "Morgen"}, "surname"),
        ({"born": date(1976, 3, 12)}, "date of birth"),
        ({"born": date(1986, 3, 11)}, "date of birth"),
        ({"born": date(1976, 4, 11)}, "date of birth"),
        ({"sex": "M"}, "coded for a woman"),
        ({"forenames": "Meredith Sarah"}, "initials"),
        ({"forenames": "Sarah"}, "initials"),
    ],
)
def test_each_disagreement_gives_one_warning_naming_what_differs(change: dict[str, Any], word: str) -> None:
    warnings = sarah_morgan(**change)
    assert len(warnings) == 1
    assert word in warnings[0]


def test_a_woman_whose_number_is_coded_as_a_mans_is_warned() -> None:
    assert sarah_morgan("MORGA703116SM9IJ") == [
        "the driving licence number is coded for a man (month not increased by 50), but sex is F"
    ]


def test_details_not_given_are_not_compared() -> None:
    assert sarah_morgan(born=None, sex=None) == []
    assert sarah_morgan(surname="Μόργκαν", forenames="Σάρα", born=None, sex="X") == []


@pytest.mark.parametrize("surname", ["MacDonald", "McDonald", "Mcdonald", "M'Donald"])
def test_mac_mc_and_m_apostrophe_surnames_are_written_mc_as_the_dvla_does(surname: str) -> None:
    assert dvla_number_mismatches("MCDON812050JA9AB", surname, "Jo Anne", date(1980, 12, 5), "M") == []


def test_mac_names_spelt_in_full_are_accepted_too() -> None:
    assert dvla_number_mismatches("MACKI812050JA9AB", "Mackie", "Jo Anne", date(1980, 12, 5), None) == []


def test_short_surnames_accents_and_punctuation_follow_dvla_spelling() -> None:
    assert dvla_number_mismatches("LI999812050J99AB", "Li", "Jun", date(1980, 12, 5), "male") == []
    assert dvla_number_mismatches("OBRIE812050SE9AB", "Ó'Brien", "Séan Éamon", date(1980, 12, 5), "M") == []


def test_letters_that_accents_do_not_explain_are_transliterated_as_the_dvla_writes_them() -> None:
    """Ł is not an L with an accent to Unicode; the DVLA writes Łukasz Łęcki as LECKI ... L9."""
    assert dvla_number_mismatches("LECKI812050L99AB", "Łęcki", "Łukasz", date(1980, 12, 5), "M") == []
    assert dvla_number_mismatches("OBERG812050S99AB", "Øberg", "Søren", date(1980, 12, 5), "M") == []


def test_northern_ireland_and_unreadable_numbers_give_no_warnings() -> None:
    assert sarah_morgan("12345678", surname="Someone Else") == []
    assert sarah_morgan("not a number", surname="Someone Else") == []


names = st.text(alphabet=string.ascii_letters, min_size=1, max_size=12)


@given(
    surname=st.builds(lambda a, b: a + b, names, st.sampled_from(["", "-Jones", " Smith", "'s"])),
    forenames=st.lists(names, min_size=1, max_size=3).map(" ".join),
    born=st.dates(min_value=date(1920, 1, 1), max_value=date(2008, 12, 31)),
    sex=st.sampled_from(["F", "M", "female", None]),
)
def test_a_number_built_for_a_person_never_warns_about_that_person(
    surname: str, forenames: str, born: date, sex: str | None
) -> None:
    number = dvla_number_for(surname, forenames, born, sex)
    assert normalise_driving_licence_number(number) == number
    assert dvla_number_mismatches(number, surname, forenames, born, sex) == []


@pytest.mark.parametrize(
    ("typed", "stored"), [("ab12 cde", "AB12CDE"), (" 1 a ", "1A"), ("ABC 123D", "ABC123D"), ("h1 ", "H1")]
)
def test_registration_is_stored_upper_case_without_spaces(typed: str, stored: str) -> None:
    assert normalise_registration(typed) == stored


@pytest.mark.parametrize("text", ["", "A", "ABCDE12345", "AB-12", "AB12 CD!", "aß12", "ΑΒ12"])
def test_text_that_cannot_be_a_registration_mark_is_refused(text: str) -> None:
    assert normalise_registration(text) is None


marks = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=2, max_size=8)


@given(mark=marks, data=st.data())
def test_any_valid_mark_survives_arbitrary_spacing_and_case(mark: str, data: st.DataObject) -> None:
    typed = "".join(
        data.draw(st.sampled_from([char, char.lower()])) + data.draw(st.sampled_from(["", " ", "  ", "\t"]))
        for char in mark
    )
    assert normalise_registration(" " + typed) == mark


@given(st.text(max_size=12))
def test_normalising_a_registration_twice_changes_nothing(text: str) -> None:
    once = normalise_registration(text)
    assert once is None or normalise_registration(once) == once
