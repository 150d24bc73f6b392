"""Response times counted in working time, for MASH triage and requests for help.

Working time is, by default, 09:00 to 17:00 in England (Europe/London, so it follows the clocks), Monday to
Friday, not on a bank holiday in England and Wales (``register.workdays.BANK_HOLIDAYS``, kept there as data).
All of it is configurable (``WorkingHours``), because a MASH with an out-of-hours team works other hours.

A timescale is an amount and a unit (``Timescale``):
- working hours: the clock runs only in working time. Four working hours from Friday 15:00 end on Monday at
  11:00 (Tuesday if Monday is a bank holiday).
- working days: the same time of day on the Nth working day after. Something received outside working time
  counts from the start of the next working day, so one working day from Friday 18:00 is Tuesday 09:00.
- hours: the plain clock, nights and weekends included (the 72 hours for a return home interview).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from openmash.register.workdays import BANK_HOLIDAYS, UK


@dataclass(frozen=True)
class WorkingHours:
    starts: time = time(9)
    ends: time = time(17)
    weekdays: frozenset[int] = frozenset(range(5))  # Monday is 0
    holidays: frozenset[date] = BANK_HOLIDAYS

    def __post_init__(self) -> None:
        if not self.starts < self.ends:
            raise ValueError("the working day must end after it starts")
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ValueError("give at least one working weekday, 0 (Monday) to 6")

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def _at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=UK)

    def working_moment(self, moment: datetime) -> datetime:
        """``moment`` in England if it is in working time, else the start of the next working time."""
        local = moment.astimezone(UK)
        day = local.date()
        if self.is_working_day(day):
            if local.time() < self.starts:
                return self._at(day, self.starts)
            if local.time() < self.ends:
                return local
        return self._at(self.next_working_day(day), self.starts)

    def add_hours(self, start: datetime, hours: float) -> datetime:
        """The moment ``hours`` of working time after ``start``."""
        moment = self.working_moment(start)
        remaining = timedelta(hours=hours)
        while True:
            # Wall-clock arithmetic in one zone: working time never spans a change of the clocks at night.
            left_today = self._at(moment.date(), self.ends) - moment
            if remaining <= left_today:
                return moment + remaining
            remaining -= left_today
            moment = self._at(self.next_working_day(moment.date()), self.starts)

    def add_days(self, start: datetime, days: int) -> datetime:
        """The same time of day ``days`` working days after ``start`` (counted from working time)."""
        moment = self.working_moment(start)
        day = moment.date()
        for _ in range(days):
            day = self.next_working_day(day)
        return self._at(day, moment.time())


DEFAULT_WORKING_HOURS = WorkingHours()


class Unit(StrEnum):
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"
    HOURS = "hours"


_UNIT_WORDS = {
    Unit.WORKING_HOURS: ("working hour", "working hours"),
    Unit.WORKING_DAYS: ("working day", "working days"),
    Unit.HOURS: ("hour", "hours"),
}


@dataclass(frozen=True)
class Timescale:
    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise ValueError("a timescale must be more than nothing")

    @property
    def label(self) -> str:
        one, many = _UNIT_WORDS[self.unit]
        return f"{self.amount} {one if self.amount == 1 else many}"

    def due(self, start: datetime, hours: WorkingHours = DEFAULT_WORKING_HOURS) -> datetime:
        """When something started at ``start`` is due, in UTC (as stored)."""
        if start.tzinfo is None:
            raise ValueError("give the start with its time zone")
        if self.unit is Unit.HOURS:
            # Real elapsed time: added in UTC, so 72 hours is 72 hours across a change of the clocks (added to
            # a UK-aware time, Python's wall-clock arithmetic would give 71 or 73).
            found = start.astimezone(UTC) + timedelta(hours=self.amount)
        elif self.unit is Unit.WORKING_HOURS:
            found = hours.add_hours(start, self.amount)
        else:
            found = hours.add_days(start, self.amount)
        return found.astimezone(UTC)
