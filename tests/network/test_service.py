"""Entity references as users and alerts give them: every kind validated and its key normalised as the links
store it, and a clear error (never a server error) for anything else."""

from __future__ import annotations

import uuid

import pytest

from openmash.errors import ValidationFailed
from openmash.network.links import EntityRef, Kind
from openmash.network.service import parse_entity

PERSON = uuid.UUID("6f1c2b1e-35a4-4a57-9f39-2f0f6d1d7a10")


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("vehicle: ab12 cde", EntityRef(Kind.VEHICLE, "AB12CDE")),
        (f"driver:{str(PERSON).upper()}", EntityRef(Kind.DRIVER, str(PERSON))),
        ("phone:07700 900123", EntityRef(Kind.PHONE, "+447700900123")),
        ("phone:+44 (0)7700 900123", EntityRef(Kind.PHONE, "+447700900123")),
        ("adult:Darren  SMITH", EntityRef(Kind.ADULT, "darren smith")),
        ("address:12 High St, Leeds LS1 4AP", EntityRef(Kind.ADDRESS, "12 high street leeds ls1 4ap")),
        ("postcode:ls14ap", EntityRef(Kind.POSTCODE, "LS1 4AP")),
    ],
)
def test_every_kind_of_reference_is_normalised_as_the_links_store_it(ref: str, expected: EntityRef) -> None:
    found = parse_entity(ref)
    assert found == expected
    assert parse_entity(found.ref) == found  # a stored key reads back as itself


@pytest.mark.parametrize(
    "ref",
    [
        "driver:abc",
        "driver:",
        "phone:not a number",
        "phone:123",
        "adult:  !! ",
        "address: ,, ",
        "postcode:nowhere",
        "vehicle:!!",
        "lorry:AB12CDE",
        "AB12CDE",
    ],
)
def test_a_reference_that_cannot_be_one_is_refused_with_a_clear_error(ref: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_entity(ref)
    assert refused.value.fields["entity"]
