"""A clinic's working hours, and time counted in them. Pure: no database, no clock (the times are passed in).

`WorkingHours(days, start, end, time_zone)`: the weekdays the clinic works (0 = Monday), and the local hours
of each working day (start inclusive, end exclusive). The default is Monday to Friday, 08:00-17:00.

- `working_time_between(begin, end, hours)`: how much working time passed from `begin` to `end`.
- `add_working_time(begin, duration, hours)`: the moment `duration` of working time after `begin`: an alert
  raised on Friday at 16:00 with 4 working hours to go is due on Monday at 11:00; one raised on Saturday is due
  on Monday at 12:00; one raised at 20:00 is due at 12:00 the next working day.

Local days are built in the clinic's time zone and the arithmetic is done in UTC, so a day on which the clocks
change has the working hours it really has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_DAYS = (0, 1, 2, 3, 4)
DEFAULT_START = "08:00"
DEFAULT_END = "17:00"
MAX_DAYS = 400  # a search never runs further than this (a year and a bit of closed days)


@dataclass(frozen=True)
class WorkingHours:
    days: frozenset[int]
    start: time
    end: time
    time_zone: str = "UTC"

    @classmethod
    def of(cls, parameters: dict[str, Any], time_zone: str) -> WorkingHours:
        """From a rule's parameters (`working_days`, `day_starts`, `day_ends`), with the defaults."""
        return cls(
            days=frozenset(int(day) for day in parameters.get("working_days", DEFAULT_DAYS)),
            start=time.fromisoformat(str(parameters.get("day_starts", DEFAULT_START))),
            end=time.fromisoformat(str(parameters.get("day_ends", DEFAULT_END))),
            time_zone=time_zone,
        )

    def __post_init__(self) -> None:
        if not self.days or not self.days <= set(range(7)):
            raise ValueError("working days are weekdays 0 (Monday) to 6 (Sunday), at least one")
        if self.start >= self.end:
            raise ValueError("the working day ends after it starts")

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's working hours in UTC, or None on a day the clinic does not work."""
        if day.weekday() not in self.days:
            return None
        zone = ZoneInfo(self.time_zone)
        opens = datetime.combine(day, self.start, tzinfo=zone).astimezone(UTC)
        closes = datetime.combine(day, self.end, tzinfo=zone).astimezone(UTC)
        return opens, closes


def _local_day(moment: datetime, hours: WorkingHours) -> date:
    if moment.tzinfo is None:
        raise ValueError("times must be aware")
    return moment.astimezone(ZoneInfo(hours.time_zone)).date()


def working_time_between(begin: datetime, end: datetime, hours: WorkingHours) -> timedelta:
    if end <= begin:
        return timedelta(0)
    total = timedelta(0)
    day, last = _local_day(begin, hours), _local_day(end, hours)
    while day <= last:
        window = hours.window(day)
        if window is not None:
            opens, closes = max(window[0], begin), min(window[1], end)
            if closes > opens:
                total += closes - opens
        day += timedelta(days=1)
    return total


def add_working_time(begin: datetime, duration: timedelta, hours: WorkingHours) -> datetime:
    remaining = duration
    day = _local_day(begin, hours)
    for _ in range(MAX_DAYS):
        window = hours.window(day)
        if window is not None:
            opens = max(window[0], begin.astimezone(UTC))
            if window[1] > opens:
                available = window[1] - opens
                if remaining <= available:
                    return opens + remaining
                remaining -= available
        day += timedelta(days=1)
    raise ValueError("no working time within a year")
