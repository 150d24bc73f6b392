"""What a triage grade allows: Red, Amber and Green, each with a response timescale in working time,
configurable per authority (``TriageConfig``), and how a contact not yet graded is queued.

Why it is built this way (docs/decisions/0005-safeguarding-hub.md):
- Timescales in working time (``worktime``). Defaults: Red 4 working hours; Amber 1 working day and Green 3
  working days, our reading of the published "Amber 24, Green 72" (whole days written as hours: 24 working
  hours at 8 a day would be three working days, and Green nine, beyond the one working day guidance gives
  for a decision on a referral). An authority that means 24 working hours sets
  ``Timescale(24, Unit.WORKING_HOURS)``.
- A contact not yet graded is queued as if Red (``TriageConfig.ungraded_as``), so nothing waits unseen.
- Kept apart from the contacts and the queue (``triage``), which count every grade's time from when the
  contact was received: these numbers are what an authority changes, and all that a grade means.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from openmash.safeguarding.worktime import DEFAULT_WORKING_HOURS, Timescale, Unit, WorkingHours


class Grade(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


DEFAULT_TIMESCALES: Mapping[Grade, Timescale] = {
    Grade.RED: Timescale(4, Unit.WORKING_HOURS),
    Grade.AMBER: Timescale(1, Unit.WORKING_DAYS),
    Grade.GREEN: Timescale(3, Unit.WORKING_DAYS),
}


@dataclass(frozen=True)
class TriageConfig:
    timescales: Mapping[Grade, Timescale] = field(default_factory=lambda: dict(DEFAULT_TIMESCALES))
    hours: WorkingHours = DEFAULT_WORKING_HOURS
    ungraded_as: Grade = Grade.RED

    def __post_init__(self) -> None:
        if set(self.timescales) != set(Grade):
            raise ValueError("give a timescale for every grade")

    def due(self, grade: Grade, received_at: datetime) -> datetime:
        return self.timescales[grade].due(received_at, self.hours)


DEFAULT_CONFIG = TriageConfig()
