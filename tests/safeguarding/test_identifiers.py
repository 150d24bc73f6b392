"""Identifiers: an NHS number is accepted only with a check digit that agrees, and every identifier is found
however it was typed."""

from __future__ import annotations

import pytest

from openmash.safeguarding.identifiers import (
    IdentifierKind,
    nhs_check_digit,
    normalise_identifier,
    normalise_nhs_number,
    read_identifiers,
)


@pytest.mark.parametrize("typed", ["9434765919", "943 476 5919", "943-476-5919", " 943 476 5919 "])
def test_a_valid_nhs_number_is_found_however_it_is_spaced(typed: str) -> None:
    assert normalise_nhs_number(typed) == "9434765919"


@pytest.mark.parametrize(
    "typed",
    [
        "9434765918",  # wrong check digit
        "943476591",  # nine digits
        "94347659190",  # eleven digits
        "94347659I9",  # a letter
        "９４３４７６５９１９",  # digits of another script
        "",
    ],
)
def test_an_nhs_number_that_cannot_be_one_is_refused(typed: str) -> None:
    assert normalise_nhs_number(typed) is None


def test_a_number_whose_check_digit_would_be_ten_is_never_valid() -> None:
    # 1 0 0 0 0 0 0 0 1: 10*1 + 2*1 = 12, 12 % 11 = 1, 11 - 1 = 10.
    assert nhs_check_digit("100000001") is None
    assert all(normalise_nhs_number(f"100000001{d}") is None for d in "0123456789")


def test_a_check_digit_of_eleven_becomes_zero() -> None:
    # A weighted sum of 0 leaves remainder 0: 11 - 0 = 11, which is written 0.
    assert nhs_check_digit("000000000") == 0
    assert normalise_nhs_number("0000000000") == "0000000000"


def test_a_bad_nhs_number_gets_a_message_that_says_what_is_wanted() -> None:
    found, errors = read_identifiers({"nhs_number": "943 476 5918", "upn": ""})
    assert found == {}
    assert "check digit" in errors["nhs_number"]


def test_upns_and_local_ids_are_upper_cased_without_spaces() -> None:
    assert normalise_identifier(IdentifierKind.UPN, "a123 4567 8901 2") == "A123456789012"
    assert normalise_identifier(IdentifierKind.UPN, "A1234") is None
    assert normalise_identifier(IdentifierKind.POLICE_ID, " ab/12-3 ") == "AB/12-3"
    assert normalise_identifier(IdentifierKind.SOCIAL_CARE_ID, "id;drop") is None


def test_an_unknown_kind_of_identifier_is_refused() -> None:
    _, errors = read_identifiers({"passport": "123"})
    assert "passport" in errors
