"""Keys that make mentions of one phone, address or adult meet however they were typed."""

from __future__ import annotations

import pytest

from openmash.network.normalise import normalise_address, normalise_adult, normalise_phone


@pytest.mark.parametrize(
    "typed",
    [
        "07700 900123",
        "07700-900-123",
        "+44 7700 900123",
        "+44 (0)7700 900123",
        "0044 7700 900123",
        "(07700) 900123",
    ],
)
def test_uk_phone_numbers_in_any_form_are_one_number(typed: str) -> None:
    assert normalise_phone(typed) == "+447700900123"


@pytest.mark.parametrize("typed", ["", "call me", "12345", "+44 77", "0770090012345678", "+1 800 ABC"])
def test_what_cannot_be_a_phone_number_is_refused(typed: str) -> None:
    assert normalise_phone(typed) is None


def test_an_international_number_is_kept_as_given() -> None:
    assert normalise_phone("+33 6 12 34 56 78") == "+33612345678"


def test_addresses_agree_across_abbreviations_spacing_and_postcode_form() -> None:
    one = normalise_address("12 High St, Aylesbury HP19 8FF")
    two = normalise_address("12 high street aylesbury hp198ff")
    assert one == two == ("12 high street aylesbury hp19 8ff", "HP19 8FF")


def test_a_postcode_alone_is_an_address_of_its_postcode() -> None:
    assert normalise_address("hp19 8ff") == ("hp19 8ff", "HP19 8FF")
    assert normalise_address(" , ") is None


def test_adults_names_are_folded() -> None:
    assert normalise_adult("Mr  Józef O'Neill") == normalise_adult("jozef oneill") == "jozef oneill"
    assert normalise_adult("  ") is None
