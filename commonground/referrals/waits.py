"""Wait times, pure: whole calendar days in the clinic's time zone, the clock passed in.

The wait runs from the day the referral was sent to the day of the first contact. A referral sent on Monday
evening and seen on Tuesday morning waited one day; one seen the day it was sent waited none.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from commonground.referrals.choices import Service, Urgency

# How long a routine referral may wait for its first contact before the coordinator's list highlights it.
# From the usual waits in the region (docs/referrals.md); an urgent referral waits a week, a "soon" one half.
EXPECTED_DAYS: dict[str, int] = {
    Service.PHYSIOTHERAPY: 42,
    Service.PSYCHOLOGY: 84,
    Service.PSYCHIATRY: 21,
    Service.SOCIAL_WORK: 28,
    Service.COMMUNITY: 28,
    Service.PSYCHOSOMATIC_CARE: 28,
}
URGENT_DAYS = 7
DRAFT_DAYS = 7  # a draft older than this is highlighted: someone meant to send it


def local_day(moment: datetime, time_zone: str) -> date:
    if moment.tzinfo is None:
        raise ValueError("a moment needs a time zone")
    return moment.astimezone(ZoneInfo(time_zone)).date()


def days_between(start: datetime, end: datetime, time_zone: str) -> int:
    """Calendar days from `start` to `end` in `time_zone`; never negative."""
    return max(0, (local_day(end, time_zone) - local_day(start, time_zone)).days)


def wait_days(sent_at: datetime | None, first_contact_at: datetime | None, time_zone: str) -> int | None:
    """The wait from sending to first contact, in days; None until both happened."""
    if sent_at is None or first_contact_at is None:
        return None
    return days_between(sent_at, first_contact_at, time_zone)


def waiting_so_far(sent_at: datetime | None, now: datetime, time_zone: str) -> int | None:
    """Days since sending, for a referral still waiting for its first contact; None when not sent."""
    if sent_at is None:
        return None
    return days_between(sent_at, now, time_zone)


def expected_days(service: str, urgency: str) -> int:
    routine = EXPECTED_DAYS.get(service, 28)
    if urgency == Urgency.URGENT:
        return min(routine, URGENT_DAYS)
    if urgency == Urgency.SOON:
        return max(URGENT_DAYS, routine // 2)
    return routine


def is_overdue(days_waiting: int | None, service: str, urgency: str) -> bool:
    """Waiting longer than expected for this service and urgency."""
    return days_waiting is not None and days_waiting > expected_days(service, urgency)


def median_days(waits: Iterable[int]) -> float | None:
    """The median of the waits (the middle one, or the mean of the middle two); None for none."""
    values = list(waits)
    return float(statistics.median(values)) if values else None


def day_text(day: date) -> str:
    """A day as the pages show it (the templates' `day` filter): 07 Dec 2026, never 2026-12-07."""
    return day.strftime("%d %b %Y")


def days_text(days: float) -> str:
    """A number of days as people read it: whole days, or one decimal for a half (the median of an even
    number of waits): 19, 19.5; never 19.0."""
    return str(int(days)) if float(days).is_integer() else f"{days:.1f}"
