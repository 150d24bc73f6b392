"""Reading and checking a licence records CSV file, the contract every licensing system sends
(`docs/formats/licences.md`).

Nothing here touches the database. The whole file is checked before anything is written, and every problem is
reported with its line and column, so that an officer can correct a file in one pass. Import applies the
register's rules; batch screening reads what an applicant wrote, typos included, and refuses only a row that
cannot be screened at all.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Literal, TextIO, TypeVar

from openmash.register import identifiers


class LicenceType(StrEnum):
    HACKNEY_CARRIAGE_DRIVER = "hackney_carriage_driver"
    PRIVATE_HIRE_DRIVER = "private_hire_driver"
    DUAL_DRIVER = "dual_driver"
    PRIVATE_HIRE_OPERATOR = "private_hire_operator"


class EventKind(StrEnum):
    APPLIED = "applied"
    GRANTED = "granted"
    RENEWED = "renewed"
    REFUSED = "refused"
    SUSPENDED = "suspended"
    SUSPENSION_LIFTED = "suspension_lifted"
    REVOKED = "revoked"
    SURRENDERED = "surrendered"
    EXPIRED = "expired"


class ReasonCategory(StrEnum):
    SEXUAL_OFFENCE_OR_SAFEGUARDING = "sexual_offence_or_safeguarding"
    VIOLENCE = "violence"
    DISHONESTY = "dishonesty"
    DRUGS = "drugs"
    DRIVING = "driving"
    OTHER = "other"


# The decisions the 2022 Act puts on the national database; only they carry a reason.
REASON_REQUIRED = frozenset({EventKind.REFUSED, EventKind.SUSPENDED, EventKind.REVOKED})
# Events that start a licence term, whose expiry date must therefore come after them.
STARTS_TERM = frozenset({EventKind.GRANTED, EventKind.RENEWED})

# In the order of the format; optional columns may follow. Columns may come in any order.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "authority_licence_ref",
    "licence_type",
    "event",
    "event_date",
    "reason_category",
    "surname",
    "forenames",
    "date_of_birth",
    "driving_licence_number",
    "ni_number",
    "postcode",
    "address",
    "vehicle_registration",
)
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "sex",
    "previous_names",
    "phone",
    "licence_expiry_date",
    "vehicle_make",
    "vehicle_model",
    "vehicle_colour",
    "authority_plate_number",
    "note",
)
# A screening file only needs the names columns; every other column may be left out.
SCREENING_REQUIRED_COLUMNS: tuple[str, ...] = ("surname", "forenames")
NAME_MAX_LENGTH = 100
MINIMUM_AGE = 18

Mode = Literal["import", "screening"]
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_E = TypeVar("_E", bound=StrEnum)


@dataclass(frozen=True)
class LicenceRow:
    """One decision event on one licence, normalised. ``line`` is the file line, the header being line 1.

    In import mode the required fields are always set; in screening mode any of them may be empty or None.
    """

    line: int
    authority_licence_ref: str
    licence_type: LicenceType | None
    event: EventKind | None
    event_date: date | None
    reason_category: ReasonCategory | None
    surname: str
    forenames: str
    date_of_birth: date | None
    driving_licence_number: str | None = None
    ni_number: str | None = None
    postcode: str | None = None
    address: str | None = None
    vehicle_registration: str | None = None
    sex: str | None = None
    previous_names: tuple[str, ...] = ()
    phone: str | None = None
    licence_expiry_date: date | None = None
    vehicle_make: str | None = None
    vehicle_model: str | None = None
    vehicle_colour: str | None = None
    authority_plate_number: str | None = None
    note: str | None = None


@dataclass
class Problem:
    """An error or warning at a place in the file; ``column`` is empty when the whole line is at fault."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return f"line {self.line}, column {self.column}: {self.message}"
        return f"line {self.line}: {self.message}"


@dataclass
class ReadResult:
    """The rows that passed every check, in file order, and every error and warning, in line order.

    ``rows`` is empty when the header is wrong: a misspelt column would otherwise be dropped without a word.
    """

    rows: list[LicenceRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def error_lines(self) -> set[int]:
        """The lines that are rejected, for a rejects file (``--skip-invalid``)."""
        return {problem.line for problem in self.errors}


def format_problems(problems: Sequence[Problem], limit: int | None = None) -> str:
    """One problem per line for the terminal, at most ``limit`` of them, then how many more there are."""
    shown = problems if limit is None else problems[:limit]
    lines = [str(problem) for problem in shown]
    if len(problems) > len(shown):
        lines.append(f"and {len(problems) - len(shown)} more")
    return "\n".join(lines)


_DLN_MESSAGE = "is not a DVLA driver number (16 characters) or a Northern Ireland licence number (8 digits)"
_NI_MESSAGE = "is not a National Insurance number (2 letters, 6 digits, A to D) with a prefix ever issued"
_REGISTRATION_MESSAGE = "is not a registration mark (2 to 8 letters and digits)"


class _RowReader:
    """Reads the fields of one row and collects its problems.

    A value that cannot be read is an error on import; on screening it is a warning and the value is ignored,
    since the query is what an applicant wrote and the rest of it can still be screened.
    """

    def __init__(self, line: int, values: dict[str, str], mode: Mode) -> None:
        self.line = line
        self.values = values
        self.screening = mode == "screening"
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, column: str, message: str) -> None:
        self.errors.append(Problem(self.line, column, message))

    def warn(self, column: str, message: str) -> None:
        self.warnings.append(Problem(self.line, column, message))

    def unreadable(self, column: str, message: str) -> None:
        if self.screening:
            self.warn(column, f"{message}; ignored for screening")
        else:
            self.error(column, message)

    def text(self, column: str, *, required: bool = False) -> str:
        value = self.values.get(column, "").strip()
        # A column missing from the header is reported once, on line 1, not on every row.
        if required and not value and not self.screening and column in self.values:
            self.error(column, "is required but empty")
        return value

    def optional(self, column: str) -> str | None:
        return self.text(column) or None

    def code(self, column: str, codes: type[_E], *, required: bool = False) -> _E | None:
        value = self.text(column, required=required)
        if not value:
            return None
        try:
            return codes(value)
        except ValueError:
            shown = value if len(value) <= 40 else value[:40] + "…"
            self.unreadable(column, f'"{shown}" is not a code of this column; use one of: {", ".join(codes)}')
            return None

    def iso_date(self, column: str, *, required: bool = False) -> date | None:
        value = self.text(column, required=required)
        if not value:
            return None
        if _ISO_DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.unreadable(column, "is not a real date in the form YYYY-MM-DD")
        return None

    def identifier(self, column: str, normalise: Callable[[str], str | None], message: str) -> str | None:
        value = self.text(column)
        if not value:
            return None
        normal = normalise(value)
        if normal is None:
            self.unreadable(column, message)
        return normal

    def name(self, column: str) -> str:
        value = self.text(column, required=True)
        if len(value) > NAME_MAX_LENGTH and not self.screening:
            self.error(column, f"must be {NAME_MAX_LENGTH} characters or fewer")
        return value


def _read_row(reader: _RowReader, today: date) -> LicenceRow:
    text = reader.optional
    row = LicenceRow(
        line=reader.line,
        authority_licence_ref=reader.text("authority_licence_ref", required=True),
        licence_type=reader.code("licence_type", LicenceType, required=True),
        event=reader.code("event", EventKind, required=True),
        event_date=reader.iso_date("event_date", required=True),
        reason_category=reader.code("reason_category", ReasonCategory),
        surname=reader.name("surname"),
        forenames=reader.name("forenames"),
        date_of_birth=reader.iso_date("date_of_birth", required=True),
        driving_licence_number=reader.identifier(
            "driving_licence_number", identifiers.normalise_driving_licence_number, _DLN_MESSAGE
        ),
        ni_number=reader.identifier("ni_number", identifiers.normalise_ni_number, _NI_MESSAGE),
        postcode=reader.identifier("postcode", identifiers.normalise_postcode, "is not a UK postcode"),
        address=text("address"),
        vehicle_registration=reader.identifier(
            "vehicle_registration", identifiers.normalise_registration, _REGISTRATION_MESSAGE
        ),
        sex=text("sex"),
        previous_names=tuple(
            filter(None, (name.strip() for name in reader.text("previous_names").split(";")))
        ),
        phone=text("phone"),
        licence_expiry_date=reader.iso_date("licence_expiry_date"),
        vehicle_make=text("vehicle_make"),
        vehicle_model=text("vehicle_model"),
        vehicle_colour=text("vehicle_colour"),
        authority_plate_number=text("authority_plate_number"),
        note=text("note"),
    )
    if not reader.screening:
        _check_rules(reader, row, today)
    if row.driving_licence_number:
        for warning in identifiers.dvla_number_mismatches(
            row.driving_licence_number, row.surname, row.forenames, row.date_of_birth, row.sex
        ):
            reader.warn("driving_licence_number", warning)
    if reader.screening and not (row.surname or row.forenames or row.driving_licence_number or row.ni_number):
        reader.error("", "cannot be screened: it has no name, driving licence number or NI number")
    return row


def _check_rules(reader: _RowReader, row: LicenceRow, today: date) -> None:
    """The register's business rules, which an import must meet and a screening query need not."""
    if row.event_date is not None and row.event_date > today:
        reader.error("event_date", f"is in the future (today is {today.isoformat()})")
    reason_given, codes = bool(reader.text("reason_category")), ", ".join(ReasonCategory)
    if row.event in REASON_REQUIRED and not reason_given:
        reader.error("reason_category", f"is required for {row.event}; use one of: {codes}")
    elif row.event is not None and row.event not in REASON_REQUIRED and reason_given:
        reader.error("reason_category", f"must be empty for {row.event} (only refused, suspended, revoked)")
    if row.date_of_birth is not None:
        if row.date_of_birth > today:
            reader.error("date_of_birth", "is in the future")
        elif row.event_date is not None and _age_on(row.date_of_birth, row.event_date) < MINIMUM_AGE:
            reader.error("date_of_birth", f"the holder must be at least {MINIMUM_AGE} on the event date")
    if (
        row.event in STARTS_TERM
        and row.event_date is not None
        and row.licence_expiry_date is not None
        and row.licence_expiry_date <= row.event_date
    ):
        reader.error("licence_expiry_date", f"must be after the event date for a {row.event} licence")


def _age_on(born: date, day: date) -> int:
    """Age in whole years; someone born on 29 February comes of age on 1 March in other years."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


_HOLDER_COLUMNS = ("surname", "forenames", "date_of_birth")
_Holders = dict[str, tuple[int, tuple[object, ...]]]  # licence ref: the first line naming its holder, and who


def _check_holder(reader: _RowReader, row: LicenceRow, holders: _Holders) -> None:
    """Every row of one licence must name its first row's holder: otherwise two people share one licence."""
    if not (row.authority_licence_ref and row.surname and row.forenames and row.date_of_birth):
        return
    holder = (_fold(row.surname), _fold(row.forenames), row.date_of_birth)
    first_line, first = holders.setdefault(row.authority_licence_ref, (row.line, holder))
    for column, mine, theirs in zip(_HOLDER_COLUMNS, holder, first, strict=True):
        if mine != theirs:
            reader.error(
                column,
                f"differs from line {first_line}: every row of licence {row.authority_licence_ref} "
                "must name the same holder",
            )


def _check_header(columns: list[str], mode: Mode, errors: list[Problem]) -> bool:
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    expected = f"the columns are {', '.join(REQUIRED_COLUMNS)}, then optionally {', '.join(OPTIONAL_COLUMNS)}"
    before = len(errors)
    seen: set[str] = set()
    for position, column in enumerate(columns, start=1):
        if not column:
            errors.append(Problem(1, "", f"the header's field {position} is empty; {expected}"))
        elif column not in known:
            errors.append(Problem(1, column, f"is not a column of the licence records format; {expected}"))
        elif column in seen:
            errors.append(Problem(1, column, "appears twice in the header"))
        seen.add(column)
    required = SCREENING_REQUIRED_COLUMNS if mode == "screening" else REQUIRED_COLUMNS
    for column in required:
        if column not in seen:
            errors.append(Problem(1, column, "is a required column but is missing from the header"))
    return len(errors) == before


def _records(stream: Iterable[str], errors: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    """The file's records with their line numbers (a record whose quoted field holds a line break is one line,
    as in a spreadsheet); a record that breaks RFC 4180 is reported and skipped."""
    reader = csv.reader(_without_bom(stream), strict=True)
    line = 0
    while True:
        line += 1
        try:
            yield line, next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(Problem(line, "", f"cannot be read as CSV: {exc}"))
        except UnicodeDecodeError:
            errors.append(Problem(line, "", 'the file is not UTF-8 text; save it as "CSV UTF-8"'))
            return


def _without_bom(lines: Iterable[str]) -> Iterator[str]:
    iterator = iter(lines)
    first = next(iterator, None)
    if first is not None:
        yield first.removeprefix("\ufeff")
        yield from iterator


def read_licence_csv(stream: TextIO | Iterable[str], *, today: date, mode: Mode = "import") -> ReadResult:
    """Check a whole licence records file and return its rows with every error and warning.

    Open files with ``newline=""`` and ``encoding="utf-8"`` so that line breaks in quoted fields survive.
    Event dates may not pass ``today``. In ``"screening"`` mode only the formats of the values given are
    checked, and a row with no name and no identifier is the only row refused.
    """
    if mode not in ("import", "screening"):
        raise ValueError(f"unknown mode {mode!r}")
    result = ReadResult()
    records = _records(stream, result.errors)
    header = next(records, None)
    if header is None or header[0] != 1:  # empty, or the header itself could not be read
        if not result.errors:
            result.errors.append(Problem(1, "", "the file is empty; its first line must be the header row"))
        return result
    columns = [name.strip() for name in header[1]]
    header_ok = _check_header(columns, mode, result.errors)
    holders: _Holders = {}
    for line, fields in records:
        if not any(value.strip() for value in fields):
            continue  # blank lines, and the empty rows spreadsheets leave at the end
        if len(fields) != len(columns):
            message = f"has {len(fields)} fields but the header has {len(columns)}"
            result.errors.append(Problem(line, "", message))
            continue
        reader = _RowReader(line, dict(zip(columns, fields, strict=True)), mode)
        row = _read_row(reader, today)
        if not reader.screening:
            _check_holder(reader, row, holders)
        result.errors.extend(reader.errors)
        result.warnings.extend(reader.warnings)
        if header_ok and not reader.errors:
            result.rows.append(row)
    return result
