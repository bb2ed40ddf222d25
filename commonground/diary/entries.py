"""A diary entry's values, checked against the set-up version it is made with, and read back as the diary's
variables (pure: no database; messages are translated with Django's gettext)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from commonground.diary.choices import ACTIVITY_MINUTES
from commonground.diary.definitions import (
    ACTIVITY_LOAD,
    PRACTICE_DONE,
    REST_BREAKS,
    SLEEP_HOURS,
    SLEEP_QUALITY,
    TRIGGER_PREFIX,
    Definition,
)

MAX_REST_BREAKS = 30
MAX_SLEEP_HOURS = Decimal(14)
SMALL_WIN_MAX = 500
NOTE_MAX = 2000


class InvalidEntry(ValueError):
    def __init__(self, reason: str, *, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


@dataclass(frozen=True)
class Activity:
    key: str
    planned: bool = False
    done: bool = False
    minutes: int | None = None
    effort: int | None = None  # 0-10, how hard it felt

    @property
    def load(self) -> float:
        """Minutes × effort ÷ 10: an hour at effort 5 is 30, the same hour at effort 10 is 60."""
        if not self.done or self.minutes is None or self.effort is None:
            return 0.0
        return self.minutes * self.effort / 10

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "planned": self.planned,
            "done": self.done,
            "minutes": self.minutes,
            "effort": self.effort,
        }


@dataclass(frozen=True)
class EntryValues:
    ratings: Mapping[str, int] = field(default_factory=dict)
    sleep_hours: Decimal | None = None
    sleep_quality: int | None = None
    activities: tuple[Activity, ...] = ()
    rest_breaks: int | None = None
    practice: tuple[str, ...] = ()
    triggers: tuple[str, ...] = ()
    warning_signs: tuple[str, ...] = ()
    small_win: str = ""
    note: str = ""

    @property
    def is_empty(self) -> bool:
        recorded = (self.ratings, self.activities, self.practice, self.triggers, self.warning_signs)
        numbers = (self.sleep_hours, self.sleep_quality, self.rest_breaks)
        return not any(recorded) and all(n is None for n in numbers) and not (self.small_win or self.note)


def check(values: EntryValues, definition: Definition, practice_keys: Iterable[str], *, check_in: bool) -> EntryValues:
    """The values, if they fit the set-up; raises InvalidEntry naming the first problem."""
    _check_ratings(values.ratings, definition)
    if check_in and _more_than_ratings(values):
        raise InvalidEntry(_("An extra check-in records ratings and a note only."))
    if check_in and not values.ratings:
        raise InvalidEntry(_("Choose at least one rating for your check-in."))
    _check_sleep(values, definition)
    _check_activities(values.activities, definition)
    if values.rest_breaks is not None and not 0 <= values.rest_breaks <= MAX_REST_BREAKS:
        raise InvalidEntry(
            _("Rest breaks: a number from 0 to %(most)d.") % {"most": MAX_REST_BREAKS}, field="rest_breaks"
        )
    _check_keys(values.practice, set(practice_keys), "practice", _("That practice is not on your list."))
    _check_keys(values.triggers, {item.key for item in definition.triggers}, "triggers", _("Unknown trigger."))
    known_signs = {item.key for item in definition.warning_signs}
    _check_keys(values.warning_signs, known_signs, "warning_signs", _("Unknown warning sign."))
    if len(values.small_win) > SMALL_WIN_MAX:
        raise InvalidEntry(
            _("Please keep your small win to %(most)d characters.") % {"most": SMALL_WIN_MAX}, field="small_win"
        )
    if len(values.note) > NOTE_MAX:
        raise InvalidEntry(_("Please keep your note to %(most)d characters.") % {"most": NOTE_MAX}, field="note")
    if values.is_empty:
        raise InvalidEntry(_("Fill in at least one thing: any rating, your sleep or what you did."))
    return values


def _more_than_ratings(values: EntryValues) -> bool:
    numbers = (values.sleep_hours, values.sleep_quality, values.rest_breaks)
    lists = (values.activities, values.practice, values.triggers, values.warning_signs)
    return any(n is not None for n in numbers) or any(lists) or bool(values.small_win)


def _check_ratings(ratings: Mapping[str, int], definition: Definition) -> None:
    known = set(definition.rating_keys)
    for key, value in ratings.items():
        if key not in known:
            raise InvalidEntry(_("That rating is not part of your diary."), field="ratings")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            raise InvalidEntry(
                _("%(rating)s: choose a number from 0 to 10.") % {"rating": definition.rating_label(key)}, field=key
            )


def _check_sleep(values: EntryValues, definition: Definition) -> None:
    if not definition.track_sleep and (values.sleep_hours is not None or values.sleep_quality is not None):
        raise InvalidEntry(_("Sleep is not part of your diary."), field="sleep_hours")
    hours = values.sleep_hours
    if hours is not None and not (0 <= hours <= MAX_SLEEP_HOURS and (hours * 2) == int(hours * 2)):
        raise InvalidEntry(_("Hours of sleep: from 0 to 14, in half hours."), field="sleep_hours")
    quality = values.sleep_quality
    if quality is not None and not 0 <= quality <= 10:
        raise InvalidEntry(_("Sleep quality: choose a number from 0 to 10."), field="sleep_quality")


def _check_activities(activities: tuple[Activity, ...], definition: Definition) -> None:
    known = {item.key for item in definition.activities}
    seen: set[str] = set()
    for activity in activities:
        label = definition.activity_label(activity.key)
        if activity.key not in known or activity.key in seen:
            raise InvalidEntry(_("That activity is not on your list."), field="activities")
        seen.add(activity.key)
        if activity.effort is not None and not 0 <= activity.effort <= 10:
            raise InvalidEntry(
                _("%(activity)s: effort is a number from 0 to 10.") % {"activity": label},
                field=f"effort-{activity.key}",
            )
        if activity.minutes is not None and activity.minutes not in ACTIVITY_MINUTES:
            raise InvalidEntry(
                _("%(activity)s: choose how long it took from the list.") % {"activity": label},
                field=f"minutes-{activity.key}",
            )
        if not activity.done and (activity.minutes is not None or activity.effort is not None):
            # A time or an effort without the tick would count as no activity at all, and hide a busy day.
            raise InvalidEntry(
                _("%(activity)s: you said how long or how hard; tick Done if you did it, or clear them.")
                % {"activity": label},
                field=f"minutes-{activity.key}",  # shown beside the activity, where the tick is
            )
        if activity.done and (activity.minutes is None or activity.effort is None):
            raise InvalidEntry(
                _("%(activity)s: say roughly how long it took and how hard it felt.") % {"activity": label},
                field=f"minutes-{activity.key}",
            )


def _check_keys(keys: tuple[str, ...], known: set[str], field: str, message: str) -> None:
    if any(key not in known for key in keys) or len(set(keys)) != len(keys):
        raise InvalidEntry(message, field=field)


def activity_load(activities: Iterable[Activity]) -> float:
    return float(sum(activity.load for activity in activities))


def variables_of(values: EntryValues, definition: Definition) -> dict[str, float | None]:
    """The entry as the diary's variables (the keys of `definition.variables()`); None where not recorded."""
    found: dict[str, float | None] = {key: _number(values.ratings.get(key)) for key in definition.rating_keys}
    if definition.track_sleep:
        found[SLEEP_HOURS] = _number(values.sleep_hours)
        found[SLEEP_QUALITY] = _number(values.sleep_quality)
    if definition.activities:
        answered = [activity for activity in values.activities if activity.done or activity.planned]
        found[ACTIVITY_LOAD] = activity_load(values.activities) if answered else None
        found[REST_BREAKS] = _number(values.rest_breaks)
    found[PRACTICE_DONE] = float(len(values.practice))
    noticed = set(values.triggers)
    for item in definition.triggers:
        found[TRIGGER_PREFIX + item.key] = 1.0 if item.key in noticed else 0.0
    return found


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def from_json(
    *,
    ratings: Mapping[str, Any],
    sleep_hours: Any,
    sleep_quality: Any,
    activities: Iterable[Mapping[str, Any]],
    rest_breaks: Any,
    practice: Iterable[str],
    triggers: Iterable[str],
    warning_signs: Iterable[str],
    small_win: str,
    note: str,
) -> EntryValues:
    """Values as stored on an entry row."""
    return EntryValues(
        ratings={str(key): int(value) for key, value in ratings.items()},
        sleep_hours=None if sleep_hours is None else Decimal(sleep_hours),
        sleep_quality=sleep_quality,
        activities=tuple(Activity(**dict(item)) for item in activities),
        rest_breaks=rest_breaks,
        practice=tuple(practice),
        triggers=tuple(triggers),
        warning_signs=tuple(warning_signs),
        small_win=small_win,
        note=note,
    )
