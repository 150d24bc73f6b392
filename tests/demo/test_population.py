"""The synthetic population for the matching benchmark: reproducible, Zipf-distributed, and every applicant's
labels true to what was done to them, so that the benchmark's ground truth can be trusted.

Synthetic data only: names drawn from the generator's frequency lists, combined at random, fixed seeds.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
from rapidfuzz.distance import OSA

from openmash.demo.population import (
    COMMUNITIES,
    ERROR_KINDS,
    STRANGER_KINDS,
    SyntheticApplicant,
    SyntheticPerson,
    duplicates,
    fold,
    make_applicants,
    make_population,
    make_strangers,
    nicknames,
    spacing_variants,
    spelling_variants,
)
from openmash.register.identifiers import (
    dvla_number_mismatches,
    normalise_driving_licence_number,
    normalise_ni_number,
    normalise_postcode,
)

TODAY = date(2026, 11, 1)


@pytest.fixture(scope="module")
def population() -> list[SyntheticPerson]:
    return make_population(20_000, seed=11)


@pytest.fixture(scope="module")
def by_id(population: list[SyntheticPerson]) -> dict[str, SyntheticPerson]:
    return {p.person_id: p for p in population}


@pytest.fixture(scope="module")
def applicants(population: list[SyntheticPerson]) -> list[SyntheticApplicant]:
    return make_applicants(population, 10_000, seed=12)


def age(born: date) -> int:
    return TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))


def compact(text: str | None) -> str | None:
    return None if text is None else "".join(text.split()).upper()


def squashed(name: str) -> str:
    return re.sub(r"[\s\-'’]", "", name).casefold()


def test_the_same_seed_gives_the_same_people_and_applicants() -> None:
    first, again = make_population(2_000, seed=3), make_population(2_000, seed=3)
    assert first == again
    assert make_applicants(first, 500, seed=4) == make_applicants(again, 500, seed=4)


def test_another_seed_gives_other_people() -> None:
    one, other = make_population(500, seed=3), make_population(500, seed=4)
    pairs = zip(one, other, strict=True)
    assert sum(a.surname == b.surname and a.date_of_birth == b.date_of_birth for a, b in pairs) < 5


def test_a_smaller_population_is_the_start_of_a_larger_one() -> None:
    assert make_population(300, seed=5) == make_population(1_000, seed=5)[:300]


def test_zipf_makes_the_commonest_surname_far_more_frequent_than_the_fiftieth(
    population: list[SyntheticPerson],
) -> None:
    ranked = Counter(p.surname for p in population if p.community == "white_british").most_common()
    assert ranked[0][0] in ("Smith", "Jones", "Williams")
    assert ranked[0][1] > 5 * ranked[49][1]


def test_communities_come_in_their_configured_shares(population: list[SyntheticPerson]) -> None:
    counts = Counter(p.community for p in population)
    for community in COMMUNITIES:
        expected = community.share / 100 * len(population)
        assert abs(counts[community.name] - expected) < max(0.15 * expected, 4 * expected**0.5), community


def test_identifiers_are_valid_unique_and_fit_the_holder(population: list[SyntheticPerson]) -> None:
    """The DVLA writes a name in unaccented letters ("Łukasz" as LUKASZ), so the number is checked against
    the name without accents."""
    for p in population[:5_000]:
        dln = p.driving_licence_number
        assert dln is not None
        assert normalise_driving_licence_number(dln) == dln
        assert dvla_number_mismatches(dln, fold(p.surname), fold(p.forenames), p.date_of_birth, p.sex) == []
        assert p.ni_number is None or normalise_ni_number(p.ni_number) == p.ni_number
        assert normalise_postcode(p.postcode) == p.postcode
        assert 18 <= age(p.date_of_birth) <= 80
        assert p.names[0] == (p.surname, p.forenames)
    numbers = [p.driving_licence_number for p in population]
    ni_numbers = [p.ni_number for p in population if p.ni_number]
    assert len(set(numbers)) == len(numbers)
    assert len(set(ni_numbers)) == len(ni_numbers)
    assert 0.07 < 1 - len(ni_numbers) / len(population) < 0.13


def test_names_have_middle_names_double_barrels_and_previous_names(population: list[SyntheticPerson]) -> None:
    share = len(population) / 100
    assert 35 < sum(" " in p.forenames for p in population) / share < 45
    assert 1 < sum("-" in p.surname or " " in p.surname for p in population) / share < 3
    assert 3.5 < sum(len(p.names) > 1 for p in population) / share < 7
    assert any(p.forenames.startswith("Abdul ") for p in population)
    assert any(not (p.surname + p.forenames).isascii() for p in population)


def test_children_are_10_to_17_with_ids_of_their_own() -> None:
    children = make_population(2_000, seed=6, children=True)
    assert all(10 <= age(c.date_of_birth) <= 17 and c.person_id.startswith("C") for c in children)
    assert 0.4 < sum(c.sex == "F" for c in children) / len(children) < 0.6
    assert all(c.driving_licence_number is None for c in children if age(c.date_of_birth) < 17)


def check_part(kind: str | None, typed: str, true: str, *, forenames: bool) -> None:
    """``typed`` (a surname, or forenames) is ``true`` with exactly the error ``kind`` made."""
    if kind is None:
        assert typed == true
    elif kind.startswith("typo_"):
        assert OSA.distance(typed.casefold(), true.casefold()) == 1
        assert (typed[0].casefold() != true[0].casefold()) == kind.endswith("first_letter")
    elif kind.startswith("phonetic_"):
        changed = [(a, b) for a, b in zip(typed.split(), true.split(), strict=True) if a != b]
        assert len(changed) == 1
        assert changed[0][0] in spelling_variants(changed[0][1])
    elif kind.startswith("spacing_"):
        assert typed in spacing_variants(true, forenames=forenames)
        assert squashed(typed) == squashed(true)
    elif kind == "nickname":
        assert any(typed == nick + true[len(name) :] for name, short in nicknames(true) for nick in short)
    elif kind == "middle_name_dropped":
        assert typed == true.split()[0] != true
    elif kind == "middle_name_added":
        assert typed.startswith(true + " ")
        assert len(typed) > len(true) + 1
    else:
        assert kind == "initial_only"
        assert typed == true[0]


def check_name(errors: set[str], typed: tuple[str, str], person: SyntheticPerson) -> None:
    true = person.names[0]
    if "names_swapped" in errors:
        assert typed == (true[1], true[0])
    elif "accent_dropped" in errors:
        assert typed == (fold(true[0]), fold(true[1])) != true
    elif "accent_added" in errors:
        assert (fold(typed[0]), fold(typed[1])) == true != typed
    else:
        for i, part in enumerate(("surname", "forenames")):
            kinds = [e for e in errors if ERROR_KINDS[e][0] == {part}]
            assert len(kinds) <= 1
            check_part(kinds[0] if kinds else None, typed[i], true[i], forenames=part == "forenames")


def check_date(kind: str | None, typed: date | None, true: date) -> None:
    if kind is None:
        assert typed == true
    elif kind == "dob_missing":
        assert typed is None
    else:
        assert typed is not None
        assert typed != true
        if kind == "dob_day_month_swapped":
            assert typed == date(true.year, true.day, true.month)
        elif kind == "dob_day_off_by_one":
            assert (typed.year, typed.month) == (true.year, true.month)
            assert abs(typed.day - true.day) == 1
        elif kind == "dob_digit_mistyped":
            digits = zip(f"{typed:%d%m}", f"{true:%d%m}", strict=True)
            assert typed.year == true.year
            assert sum(a != b for a, b in digits) == 1
        elif kind == "dob_year_mistyped":
            assert (typed.month, typed.day) == (true.month, true.day)
            swapped = true.year - true.year % 100 + true.year % 10 * 10 + true.year // 10 % 10
            assert abs(typed.year - true.year) in (1, 10) or typed.year == swapped


def one_keying_error(typed: str | None, true: str | None) -> bool:
    typed, true = compact(typed), compact(true)
    return (
        typed is not None and true is not None and len(typed) == len(true) and OSA.distance(typed, true) == 1
    )


def test_every_error_label_matches_what_was_done_and_nothing_else_changed(
    applicants: list[SyntheticApplicant], by_id: dict[str, SyntheticPerson]
) -> None:
    for a in applicants:
        if a.true_person_id is None:
            continue
        p = by_id[a.true_person_id]
        errors = set(a.errors)
        assert len(errors) == len(a.errors) <= 2
        if "previous_name_used" in errors:
            assert len(a.names) == 1
            assert a.names[0] in p.names[1:]
        else:
            check_name(errors, a.names[0], p)
            assert set(a.names[1:]) <= set(p.names[1:])
        dob_errors = [e for e in errors if e.startswith("dob_")]
        check_date(dob_errors[0] if dob_errors else None, a.date_of_birth, p.date_of_birth)
        if "dln_mistyped" in errors:
            assert one_keying_error(a.driving_licence_number, p.driving_licence_number)
        elif "identifiers_missing" in errors:
            assert a.driving_licence_number is None
            assert a.ni_number is None
        else:
            assert a.driving_licence_number in (None, p.driving_licence_number)
        if "ni_mistyped" in errors:
            assert one_keying_error(a.ni_number, p.ni_number)
        elif a.ni_number is not None:
            assert compact(a.ni_number) == p.ni_number
        if "moved_address" in errors:
            assert a.postcode is not None
            assert normalise_postcode(a.postcode) not in (None, p.postcode)
        elif a.postcode is not None:
            assert normalise_postcode(a.postcode) == p.postcode
        assert a.sex in (None, p.sex)
        assert a.community == p.community
        assert a.stranger_kind is None


def test_every_kind_of_error_is_frequent_enough_to_measure(applicants: list[SyntheticApplicant]) -> None:
    counts = Counter(e for a in applicants for e in a.errors)
    assert set(counts) == set(ERROR_KINDS)
    assert min(counts.values()) >= 80, counts.most_common()
    registered = [a for a in applicants if a.true_person_id]
    assert 0.25 < sum(not a.errors for a in registered) / len(registered) < 0.35


def test_about_30_percent_give_a_correct_licence_number_and_20_percent_a_correct_ni_number(
    applicants: list[SyntheticApplicant], by_id: dict[str, SyntheticPerson]
) -> None:
    registered = [(a, by_id[a.true_person_id]) for a in applicants if a.true_person_id]
    dln = sum(a.driving_licence_number == p.driving_licence_number for a, p in registered) / len(registered)
    ni = sum(p.ni_number is not None and compact(a.ni_number) == p.ni_number for a, p in registered)
    assert 0.26 < dln < 0.34
    assert 0.17 < ni / len(registered) < 0.23


def test_a_fifth_of_applicants_are_strangers_of_every_kind_and_none_has_a_person(
    applicants: list[SyntheticApplicant],
) -> None:
    strangers = [a for a in applicants if a.stranger_kind is not None]
    assert len(strangers) == 2_000
    assert all(a.true_person_id is None and not a.errors for a in strangers)
    assert all((a.true_person_id is None) == (a.stranger_kind is not None) for a in applicants)
    assert set(Counter(a.stranger_kind for a in strangers)) == set(STRANGER_KINDS)


def test_strangers_look_like_registered_people_but_hold_none_of_their_identifiers(
    population: list[SyntheticPerson],
) -> None:
    by_name: dict[tuple[str, str], list[SyntheticPerson]] = {}
    for p in population:
        by_name.setdefault((p.surname, p.forenames), []).append(p)
    dlns = {p.driving_licence_number for p in population}
    nis = {p.ni_number for p in population if p.ni_number}
    for kind in STRANGER_KINDS:
        for s in make_strangers(population, 300, seed=13, kind=kind):
            assert s.true_person_id is None
            assert s.stranger_kind == kind
            assert s.driving_licence_number is None or s.driving_licence_number not in dlns
            assert s.ni_number is None or compact(s.ni_number) not in nis
            (surname, forenames), born = s.names[0], s.date_of_birth
            assert born is not None
            same_name = by_name.get((surname, forenames), [])
            born_that_day = [p for p in same_name if p.date_of_birth == born]
            if kind == "twin":
                assert born_that_day
                assert all(normalise_postcode(s.postcode or "") != p.postcode for p in born_that_day)
            elif kind == "namesake":
                assert same_name
                assert not born_that_day
            elif kind == "near_twin":
                assert not born_that_day
                assert any(p.date_of_birth == date(born.year, born.day, born.month) for p in same_name)
            elif kind == "relative":
                postcode = normalise_postcode(s.postcode or "")
                relatives = [p for p in population if p.surname == surname and p.postcode == postcode]
                assert relatives
                assert all(p.forenames.split()[0] != forenames.split()[0] for p in relatives)
            else:
                assert not born_that_day


def test_duplicates_are_the_same_people_as_another_authority_holds_them(
    population: list[SyntheticPerson], by_id: dict[str, SyntheticPerson]
) -> None:
    seconds = duplicates(population, share=0.02, seed=14)
    assert len({d.person_id for d in seconds}) == len(seconds) == 400
    for d in seconds:
        p = by_id[d.person_id]
        assert d.driving_licence_number == p.driving_licence_number
        assert d.ni_number in (None, p.ni_number)
        assert d.date_of_birth == p.date_of_birth
    assert sum(d != by_id[d.person_id] for d in seconds) > 150


def test_the_variant_tables_hold_the_variants_met_in_life() -> None:
    assert "Kahn" in spelling_variants("Khan")
    assert "Muhammad" in spelling_variants("Mohammed")
    assert "Kathryn" in spelling_variants("Catherine")
    assert "Phillips" in spelling_variants("Philips")
    assert ("William", ("Bill", "Will", "Billy", "Liam")) in nicknames("William Henry")
    assert ("Piotr", ("Peter",)) in nicknames("Piotr")
    assert "Abdulrahman" in spacing_variants("Abdul Rahman", forenames=True)
    assert spacing_variants("John Paul", forenames=True) == ()
    assert "Mc Donald" in spacing_variants("McDonald")
    assert "OBrien" in spacing_variants("O'Brien")
    assert fold("Łukasz Wiśniewski Yılmaz Hüseyin") == "Lukasz Wisniewski Yilmaz Huseyin"
