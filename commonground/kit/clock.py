"""The clock, passed in: pure code takes `now` as an argument, services ask here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from zoneinfo import ZoneInfo, available_timezones

from django.utils import timezone

_PINNED: ContextVar[datetime | None] = ContextVar("pinned_now", default=None)


def now() -> datetime:
    pinned = _PINNED.get()
    return pinned if pinned is not None else timezone.now()


@contextmanager
def pinned(moment: datetime) -> Iterator[None]:
    """`now()` is `moment` inside the block: the demo clinic lives its history forward through the real
    services, so ladder steps and notes carry the day they happened. Never used by requests or jobs."""
    if moment.tzinfo is None:
        raise ValueError("a pinned moment needs a time zone")
    token = _PINNED.set(moment)
    try:
        yield
    finally:
        _PINNED.reset(token)


def local_date(moment: datetime, time_zone: str) -> date:
    """The calendar day `moment` falls on in `time_zone` ("today" for a patient is their local day)."""
    return moment.astimezone(ZoneInfo(time_zone)).date()


def is_valid_time_zone(name: str) -> bool:
    return name in _time_zones()


_TIME_ZONES: frozenset[str] | None = None


def _time_zones() -> frozenset[str]:
    global _TIME_ZONES
    if _TIME_ZONES is None:
        _TIME_ZONES = frozenset(available_timezones())
    return _TIME_ZONES


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(_time_zones()) if "/" in name and not name.startswith("Etc/")]
