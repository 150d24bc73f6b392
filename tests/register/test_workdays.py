"""Working days and the bank holiday table: the table is data, so it is checked against the rules that make
the regular England and Wales bank holidays, and must reach next year."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from openmash.register.workdays import (
    BANK_HOLIDAYS,
    COVERED_YEARS,
    add_working_days,
    is_working_day,
    uk_today,
    working_days_between,
)


def _easter(year: int) -> date:
    """Easter Sunday (the anonymous Gregorian algorithm), computed independently of the table."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=last.weekday())


def _regular_holidays(year: int) -> set[date]:
    """The eight regular holidays, with substitute days when one falls at a weekend."""
    new_year = date(year, 1, 1)
    days = {
        new_year if new_year.weekday() < 5 else _monday_on_or_after(new_year),
        _easter(year) - timedelta(days=2),
        _easter(year) + timedelta(days=1),
        _monday_on_or_after(date(year, 5, 1)),
        _last_monday(year, 5),
        _last_monday(year, 8),
    }
    christmas, boxing = date(year, 12, 25), date(year, 12, 26)
    if christmas.weekday() < 5 and boxing.weekday() < 5:
        days |= {christmas, boxing}
    elif christmas.weekday() == 4:  # Friday: Boxing Day moves to Monday
        days |= {christmas, date(year, 12, 28)}
    else:  # Saturday or Sunday: both move to the next Monday and Tuesday
        monday = _monday_on_or_after(christmas)
        days |= {monday, monday + timedelta(days=1)}
    return days


@pytest.mark.parametrize("year", sorted(COVERED_YEARS))
def test_the_table_holds_each_years_regular_bank_holidays(year: int) -> None:
    listed = {d for d in BANK_HOLIDAYS if d.year == year}
    assert _regular_holidays(year) <= listed
    assert all(d.weekday() < 5 for d in listed), "a bank holiday is a weekday (substitute days are listed)"


def test_the_table_reaches_next_year() -> None:
    """Fails when the table needs next year's dates (https://www.gov.uk/bank-holidays): add them."""
    assert uk_today().year + 1 in COVERED_YEARS, "add next year's bank holidays to register/workdays.py"
    assert set(range(2025, 2029)) <= COVERED_YEARS


def test_working_days_skip_weekends_and_bank_holidays() -> None:
    assert not is_working_day(date(2026, 4, 4))  # Saturday
    assert not is_working_day(date(2026, 4, 6))  # Easter Monday
    assert is_working_day(date(2026, 4, 7))
    # Thursday before Easter: Good Friday, the weekend and Easter Monday are skipped.
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    # Christmas 2026: Friday 25th, then the substitute Boxing Day on Monday 28th.
    assert add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 30)
    assert add_working_days(date(2026, 12, 23), 20) == date(2027, 1, 25)
    assert add_working_days(date(2026, 3, 10), 0) == date(2026, 3, 10)
    assert working_days_between(date(2026, 12, 23), date(2027, 1, 25)) == 20
    assert working_days_between(date(2027, 1, 25), date(2026, 12, 23)) == -20
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 3, 10), -1)
