"""Working days in England and Wales, for statutory time limits such as the 20 working days in which a
licensing authority must answer a request for details (Taxis and Private Hire Vehicles (Safeguarding and Road
Safety) Act 2022, s.3).

A working day is Monday to Friday, not a bank holiday in England and Wales. The bank holidays are data, not a
rule: the government announces them (https://www.gov.uk/bank-holidays), and adds one-off ones (a coronation, a
jubilee) at short notice. Add each new year's dates, and any one-off day, to ``BANK_HOLIDAYS`` below; a test
fails when the table no longer reaches the year after the current one. Outside the years listed only weekends
are skipped.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")

# Bank holidays in England and Wales, as announced. Substitute days (a Monday or Tuesday when the holiday
# falls at a weekend) are listed as the day off, not the calendar date.
BANK_HOLIDAYS: frozenset[date] = frozenset(
    {
        # 2025
        date(2025, 1, 1),  # New Year's Day
        date(2025, 4, 18),  # Good Friday
        date(2025, 4, 21),  # Easter Monday
        date(2025, 5, 5),  # Early May bank holiday
        date(2025, 5, 26),  # Spring bank holiday
        date(2025, 8, 25),  # Summer bank holiday
        date(2025, 12, 25),  # Christmas Day
        date(2025, 12, 26),  # Boxing Day
        # 2026
        date(2026, 1, 1),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 5, 4),
        date(2026, 5, 25),
        date(2026, 8, 31),
        date(2026, 12, 25),
        date(2026, 12, 28),  # Boxing Day (substitute day)
        # 2027
        date(2027, 1, 1),
        date(2027, 3, 26),
        date(2027, 3, 29),
        date(2027, 5, 3),
        date(2027, 5, 31),
        date(2027, 8, 30),
        date(2027, 12, 27),  # Christmas Day (substitute day)
        date(2027, 12, 28),  # Boxing Day (substitute day)
        # 2028
        date(2028, 1, 3),  # New Year's Day (substitute day)
        date(2028, 4, 14),
        date(2028, 4, 17),
        date(2028, 5, 1),
        date(2028, 5, 29),
        date(2028, 8, 28),
        date(2028, 12, 25),
        date(2028, 12, 26),
    }
)
COVERED_YEARS: frozenset[int] = frozenset(d.year for d in BANK_HOLIDAYS)


def uk_today() -> date:
    """Today's date in England and Wales (a UTC date is yesterday's for an hour each summer night)."""
    return datetime.now(UK).date()


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself never counts, as with "within 20
    working days of receiving the request")."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is before it)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n)))
