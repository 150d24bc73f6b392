"""Reading a licence records file as a licensing officer relies on it: every problem found in one pass, with
its line (the header is line 1) and column; nothing importable from a file whose header is wrong; screening
that reads what an applicant wrote.

Synthetic people only (Faker en_GB, fixed seed, or made-up names); NI numbers use the AB prefix.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

import pytest
from faker import Faker

from openmash.register.licence_csv import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    EventKind,
    LicenceRow,
    LicenceType,
    Problem,
    ReadResult,
    ReasonCategory,
    format_problems,
    read_licence_csv,
)

TODAY = date(2025, 6, 30)


def record(**values: str) -> dict[str, str]:
    """A valid revocation of a synthetic driver's licence; each test changes what it is about."""
    row = dict.fromkeys(REQUIRED_COLUMNS, "")
    row.update(
        authority_licence_ref="060-0000123",
        licence_type="private_hire_driver",
        event="revoked",
        event_date="2024-05-01",
        reason_category="sexual_offence_or_safeguarding",
        surname="Morgan",
        forenames="Sarah Meredith",
        date_of_birth="1976-03-11",
        driving_licence_number="MORGA753116SM9IJ",
        ni_number="AB123456C",
        postcode="hp19 8ff",
        address="1 Example Street, Aylesbury",
        vehicle_registration="ab12 cde",
    )
    row.update(values)
    return row


def csv_text(rows: Sequence[dict[str, str]], columns: Sequence[str] | None = None) -> str:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(columns or rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def read(text: str, mode: str = "import") -> ReadResult:
    return read_licence_csv(io.StringIO(text, newline=""), today=TODAY, mode=mode)  # type: ignore[arg-type]


def places(problems: list[Problem]) -> list[tuple[int, str]]:
    return [(problem.line, problem.column) for problem in problems]


def test_a_valid_file_gives_typed_normalised_rows_numbered_from_line_2() -> None:
    fake = Faker("en_GB")
    fake.seed_instance(20250630)
    surname, forenames = fake.last_name(), f"{fake.first_name()} {fake.first_name()}"
    granted = record(
        authority_licence_ref="060-0000456",
        event="granted",
        event_date="2023-01-09",
        reason_category="",
        surname=f"  {surname} ",
        forenames=forenames,
        date_of_birth="1990-07-15",
        driving_licence_number="",
        ni_number="ab 12 34 56 d",
        postcode="",
        address="",
        vehicle_registration="",
        sex="M",
        previous_names=f"{fake.last_name()}; {fake.last_name()} ;",
        licence_expiry_date="2026-01-08",
        vehicle_colour="Silver",
    )
    extra = dict.fromkeys(OPTIONAL_COLUMNS, "")
    result = read(csv_text([{**record(), **extra}, granted]))

    assert result.valid, format_problems(result.errors)
    assert result.warnings == []
    first, second = result.rows
    assert first == LicenceRow(
        line=2,
        authority_licence_ref="060-0000123",
        licence_type=LicenceType.PRIVATE_HIRE_DRIVER,
        event=EventKind.REVOKED,
        event_date=date(2024, 5, 1),
        reason_category=ReasonCategory.SEXUAL_OFFENCE_OR_SAFEGUARDING,
        surname="Morgan",
        forenames="Sarah Meredith",
        date_of_birth=date(1976, 3, 11),
        driving_licence_number="MORGA753116SM9IJ",
        ni_number="AB123456C",
        postcode="HP19 8FF",
        address="1 Example Street, Aylesbury",
        vehicle_registration="AB12CDE",
    )
    assert second.line == 3
    assert second.surname == surname  # trimmed, otherwise as given
    assert second.reason_category is None
    assert second.ni_number == "AB123456D"
    assert len(second.previous_names) == 2
    assert all(name == name.strip() and name for name in second.previous_names)
    assert second.licence_expiry_date == date(2026, 1, 8)
    assert (second.sex, second.vehicle_colour, second.note) == ("M", "Silver", None)


def test_every_error_is_reported_with_its_line_and_column_counting_the_header_as_line_1() -> None:
    rows = [
        record(),
        record(event_date="2024-02-30", ni_number="QQ123456C"),
        record(licence_type="taxi", postcode="HP19"),
        record(),
        record(surname="   ", vehicle_registration="TOO LONG 123", driving_licence_number="MORGA713116SM9IJ"),
    ]
    result = read(csv_text(rows))

    assert places(result.errors) == [
        (3, "event_date"),
        (3, "ni_number"),
        (4, "licence_type"),
        (4, "postcode"),
        (6, "surname"),
        (6, "driving_licence_number"),
        (6, "vehicle_registration"),
    ]
    assert str(result.errors[0]) == "line 3, column event_date: is not a real date in the form YYYY-MM-DD"
    assert "use one of: hackney_carriage_driver, private_hire_driver" in str(result.errors[2])
    assert [row.line for row in result.rows] == [2, 5]
    assert not result.valid
    assert result.error_lines == {3, 4, 6}


def test_a_leading_byte_order_mark_is_accepted() -> None:
    text = "\ufeff" + csv_text([record()])
    assert read(text).valid
    assert read_licence_csv(text.splitlines(keepends=True), today=TODAY).rows[0].line == 2


def test_an_unknown_column_is_an_error_naming_the_expected_columns_and_nothing_is_importable() -> None:
    result = read(csv_text([{**record(), "vehicle_color": "Red"}]))

    assert places(result.errors) == [(1, "vehicle_color")]
    message = str(result.errors[0])
    assert message.startswith("line 1, column vehicle_color: is not a column")
    assert all(column in message for column in REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
    assert result.rows == []


def test_a_missing_required_column_is_reported_once_on_the_header() -> None:
    rows = [{k: v for k, v in record().items() if k != "ni_number"} for _ in range(3)]
    result = read(csv_text(rows))
    assert places(result.errors) == [(1, "ni_number")]
    assert result.rows == []


def test_a_row_with_the_wrong_number_of_fields_is_an_error_for_that_line() -> None:
    text = csv_text([record(), record()]) + "060-9,private_hire_driver,granted\r\n"
    result = read(text)
    assert format_problems(result.errors) == "line 4: has 3 fields but the header has 13"
    assert len(result.rows) == 2


def test_quoted_fields_may_hold_commas_and_line_breaks_and_count_as_one_line() -> None:
    rows = [record(address="Flat 2,\n1 Example Street"), record(event_date="2099-01-01")]
    result = read(csv_text(rows))
    assert result.rows[0].address == "Flat 2,\n1 Example Street"
    assert places(result.errors) == [(3, "event_date")]


def test_broken_quoting_is_reported_and_the_rest_of_the_file_still_checked() -> None:
    good = csv_text([record()])
    broken = good.splitlines()[1].replace("Morgan", '"Morgan"x', 1)
    text = good + broken + "\r\n" + good.splitlines()[1].replace("2024-05-01", "2099-05-01") + "\r\n"
    result = read(text)
    assert places(result.errors) == [(3, ""), (4, "event_date")]
    assert "cannot be read as CSV" in result.errors[0].message


def test_blank_lines_and_empty_spreadsheet_rows_are_ignored() -> None:
    text = csv_text([record()]) + "\r\n" + "," * 12 + "\r\n" + csv_text([record()]).splitlines()[1] + "\r\n"
    result = read(text)
    assert result.valid
    assert [row.line for row in result.rows] == [2, 5]


def test_an_empty_file_is_an_error_on_line_1() -> None:
    assert (
        format_problems(read("").errors) == "line 1: the file is empty; its first line must be the header row"
    )


def test_a_file_that_is_not_utf8_is_reported_not_raised() -> None:
    data = csv_text([record(surname="Mor\u00e9")]).encode("cp1252")
    result = read_licence_csv(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=""), today=TODAY)
    assert not result.valid
    assert "not UTF-8" in result.errors[-1].message


def test_an_event_date_after_today_is_refused_and_today_is_allowed() -> None:
    result = read(csv_text([record(event_date="2025-06-30"), record(event_date="2025-07-01")]))
    assert places(result.errors) == [(3, "event_date")]
    assert "in the future" in result.errors[0].message


@pytest.mark.parametrize("event", ["refused", "suspended", "revoked"])
def test_refusals_suspensions_and_revocations_need_a_reason(event: str) -> None:
    result = read(csv_text([record(event=event, reason_category="")]))
    assert places(result.errors) == [(2, "reason_category")]
    assert "sexual_offence_or_safeguarding, violence, dishonesty, drugs, driving, other" in str(
        result.errors[0]
    )


@pytest.mark.parametrize(
    "event", ["applied", "granted", "renewed", "suspension_lifted", "surrendered", "expired"]
)
def test_other_events_must_not_carry_a_reason(event: str) -> None:
    assert read(csv_text([record(event=event, reason_category="")])).valid
    result = read(csv_text([record(event=event, reason_category="violence")]))
    assert places(result.errors) == [(2, "reason_category")]


def test_the_holder_must_be_18_on_the_event_date() -> None:
    rows = [
        record(authority_licence_ref="060-1", date_of_birth="2006-05-01"),  # 18 that very day
        record(authority_licence_ref="060-2", date_of_birth="2006-05-02"),
        record(authority_licence_ref="060-3", date_of_birth="2030-01-01"),
    ]
    result = read(csv_text(rows))
    assert places(result.errors) == [(3, "date_of_birth"), (4, "date_of_birth")]


def test_names_are_1_to_100_characters_after_trimming_in_any_script() -> None:
    rows = [
        record(surname=" Παπαδοπούλου ", forenames="Ελένη", driving_licence_number=""),
        record(authority_licence_ref="060-2", surname="x" * 101),
        record(authority_licence_ref="060-3", forenames="  "),
    ]
    result = read(csv_text(rows))
    assert result.rows[0].surname == "Παπαδοπούλου"
    assert places(result.errors) == [(3, "surname"), (4, "forenames")]


def test_an_expiry_date_before_a_grant_is_refused() -> None:
    rows = [
        record(event="granted", reason_category="", licence_expiry_date="2027-04-30"),
        record(event="granted", reason_category="", licence_expiry_date="2024-04-30"),
    ]
    result = read(csv_text(rows, [*REQUIRED_COLUMNS, "licence_expiry_date"]))
    assert places(result.errors) == [(3, "licence_expiry_date")]


def test_rows_of_one_licence_must_name_the_same_holder() -> None:
    rows = [
        record(event="granted", event_date="2022-01-10", reason_category=""),
        record(surname=" MORGAN", forenames="sarah  meredith"),  # case and spacing do not matter
        record(event="suspended", date_of_birth="1976-03-12", driving_licence_number=""),
        record(authority_licence_ref="060-0000999", surname="Jones", driving_licence_number=""),
    ]
    result = read(csv_text(rows))
    assert places(result.errors) == [(4, "date_of_birth")]
    assert "differs from line 2: every row of licence 060-0000123 must name the same holder" in str(
        result.errors[0]
    )
    assert [row.line for row in result.rows] == [2, 3, 5]


def test_a_driving_licence_number_that_disagrees_is_a_warning_not_an_error() -> None:
    result = read(csv_text([record(surname="Morgan-Price", date_of_birth="1976-03-12")]))
    assert result.valid
    assert len(result.rows) == 1
    assert places(result.warnings) == [(2, "driving_licence_number")]
    assert "date of birth" in result.warnings[0].message


def test_screening_reads_what_an_applicant_wrote_typos_and_rule_breaks_included() -> None:
    rows = [
        record(
            event="applied", event_date="2026-01-01", date_of_birth="2010-01-01", driving_licence_number=""
        ),
        record(event="", licence_type="", authority_licence_ref="", event_date="", date_of_birth=""),
        record(event="applied", reason_category="violence", ni_number="QQ123456C", postcode="HP19"),
        record(event="revoked", reason_category=""),
    ]
    result = read(csv_text(rows), mode="screening")

    assert result.errors == []
    assert [row.line for row in result.rows] == [2, 3, 4, 5]
    assert result.rows[2].ni_number is None
    assert result.rows[2].postcode is None
    assert places(result.warnings) == [(4, "ni_number"), (4, "postcode")]
    assert all(warning.message.endswith("ignored for screening") for warning in result.warnings)


def test_screening_refuses_only_a_row_with_no_name_and_no_identifier() -> None:
    columns = ["surname", "forenames", "date_of_birth", "driving_licence_number", "ni_number"]
    rows = [
        {
            "surname": "",
            "forenames": "",
            "date_of_birth": "1980-01-01",
            "driving_licence_number": "",
            "ni_number": "",
        },
        {
            "surname": "",
            "forenames": "",
            "date_of_birth": "",
            "driving_licence_number": "",
            "ni_number": "AB123456C",
        },
        {
            "surname": "",
            "forenames": "",
            "date_of_birth": "",
            "driving_licence_number": "",
            "ni_number": "ZZ12",
        },
        {
            "surname": "Morgan",
            "forenames": "",
            "date_of_birth": "",
            "driving_licence_number": "",
            "ni_number": "",
        },
    ]
    result = read(csv_text(rows, columns), mode="screening")
    assert places(result.errors) == [(2, ""), (4, "")]
    assert [row.line for row in result.rows] == [3, 5]


def test_screening_still_needs_the_names_columns_and_known_column_names() -> None:
    result = read("ni_number,colour\r\nAB123456C,red\r\n", mode="screening")
    assert places(result.errors) == [(1, "colour"), (1, "surname"), (1, "forenames")]
    assert result.rows == []


def test_problems_are_listed_one_a_line_up_to_a_limit() -> None:
    problems = [Problem(line, "event_date", "is in the future") for line in range(2, 7)]
    assert format_problems(problems, limit=2) == (
        "line 2, column event_date: is in the future\nline 3, column event_date: is in the future\nand 3 more"
    )
    assert format_problems(problems).count("\n") == 4
    assert format_problems([]) == ""
