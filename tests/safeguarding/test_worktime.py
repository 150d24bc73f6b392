"""Working time for response times: 09:00 to 17:00 in England, Monday to Friday, not on bank holidays, by
default; the clocks changing, evenings and configured hours handled."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from openmash.register.workdays import UK
from openmash.safeguarding.worktime import Timescale, Unit, WorkingHours

HOURS = WorkingHours()


def test_working_time_starts_at_the_next_working_morning_outside_hours() -> None:
    friday_evening = datetime(2026, 3, 6, 18, tzinfo=UTC)
    assert HOURS.working_moment(friday_evening) == datetime(2026, 3, 9, 9, tzinfo=UTC)


def test_four_working_hours_from_friday_afternoon_end_on_monday_morning() -> None:
    assert Timescale(4, Unit.WORKING_HOURS).due(datetime(2026, 3, 6, 15, tzinfo=UTC)) == datetime(
        2026, 3, 9, 11, tzinfo=UTC
    )


def test_working_hours_follow_the_clocks_in_england() -> None:
    # 09:00 BST on Monday 30 March 2026 is 08:00 UTC.
    assert HOURS.working_moment(datetime(2026, 3, 29, 12, tzinfo=UTC)) == datetime(2026, 3, 30, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    "start",
    [
        datetime(2026, 10, 23, 12, 0, tzinfo=UK),  # the clocks go back on Sunday 25 October
        datetime(2026, 3, 27, 12, 0, tzinfo=UK),  # the clocks go forward on Sunday 29 March
    ],
)
def test_plain_hours_are_real_elapsed_time_across_a_change_of_the_clocks(start: datetime) -> None:
    due = Timescale(72, Unit.HOURS).due(start)
    assert due.tzinfo == UTC
    assert due - start == timedelta(hours=72)
    assert due.timestamp() - start.timestamp() == 72 * 3600


def test_a_long_timescale_runs_over_many_days() -> None:
    # 24 working hours = three full working days from Monday 09:00.
    assert Timescale(24, Unit.WORKING_HOURS).due(datetime(2026, 3, 9, 9, tzinfo=UTC)) == datetime(
        2026, 3, 11, 17, tzinfo=UTC
    )


def test_hours_and_days_are_configurable() -> None:
    saturdays_too = WorkingHours(
        starts=time(8), ends=time(20), weekdays=frozenset(range(6)), holidays=frozenset()
    )
    assert saturdays_too.add_hours(datetime(2026, 3, 6, 19, tzinfo=UTC), 2) == datetime(
        2026, 3, 7, 9, tzinfo=UTC
    )
    assert saturdays_too.is_working_day(date(2026, 12, 25))
    with pytest.raises(ValueError, match="end after it starts"):
        WorkingHours(starts=time(17), ends=time(9))
    with pytest.raises(ValueError, match="more than nothing"):
        Timescale(0, Unit.HOURS)


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        Timescale(1, Unit.HOURS).due(datetime(2026, 3, 6, 15))


def test_labels_say_the_unit() -> None:
    assert [Timescale(1, Unit.WORKING_DAYS).label, Timescale(72, Unit.HOURS).label] == [
        "1 working day",
        "72 hours",
    ]
