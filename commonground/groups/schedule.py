"""Session times of a cohort and the week a check-in belongs to. Pure: the time zone and days are passed in."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A check-in prompt goes out from this day of the week (Monday is day 1) to partners who have not checked in.
PROMPT_FROM_DAY = 5


def week_of(day: date) -> date:
    """The Monday of the week `day` falls in: a check-in belongs to that week."""
    return day - timedelta(days=day.weekday())


def local_start(day: date, at: time, time_zone: str) -> datetime:
    """The moment (in UTC) a session starts on `day` at `at`, clock time in the clinic's time zone.

    A clock time that does not exist on a daylight-saving change is moved on as the zone's rules say (fold 0)."""
    local = datetime.combine(day, at.replace(tzinfo=None), tzinfo=ZoneInfo(time_zone))
    return local.astimezone(UTC)


def session_starts(starts_on: date, at: time, time_zone: str, *, count: int, days_between: int) -> list[datetime]:
    """`count` session starts, the first on `starts_on`, then every `days_between` days, at the same clock time
    in the clinic's time zone (so a weekly group keeps its hour across a daylight-saving change)."""
    return [local_start(starts_on + timedelta(days=days_between * index), at, time_zone) for index in range(count)]


def local_day(moment: datetime, time_zone: str) -> date:
    return moment.astimezone(ZoneInfo(time_zone)).date()


def prompt_due(today: date) -> bool:
    """From the week's 5th day (Friday) on, a partner who has not checked in this week gets a gentle prompt."""
    return today.isoweekday() >= PROMPT_FROM_DAY
