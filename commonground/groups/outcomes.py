"""Group outcomes, pure: attendance rates, completion and drop-out, which questionnaire counts as "before" and
"after" the programme, and reliable-change counts. No Django, no clock: the rows and moments are passed in.

Published rules (the facilitator's outcomes page says them in words):
- Attendance rate: sessions marked present / sessions marked (held sessions with a mark for the member).
  Per session: members present / members marked.
- Completed: attended (present) at least `sessions_to_complete` sessions; when the programme says 0, at least
  half of its sessions that were not cancelled, rounded up.
- Drop-out: members who had a place and left before the group finished / everyone who had a place.
- Before (pre): the last completed response from 28 days before the first session to 7 days after it.
- After (post): the first completed response from 7 days before the last session to 28 days after it.
- Reliable change (Jacobson & Truax, `measures.change`): from the instrument's own SD and reliability; a member
  counts as reliably improved, unchanged or deteriorated; members without both a before and an after are
  counted as missing, never guessed.
- Goal attainment: the member's GAS T-score on the last day that counts (28 days after the last session).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

from commonground.measures.change import (
    NO_RELIABLE_CHANGE,
    RELIABLE_DETERIORATION,
    RELIABLE_IMPROVEMENT,
    Change,
    change_between,
)
from commonground.measures.datatypes import Instrument

PRESENT: Final = "present"
PRE_BEFORE: Final = timedelta(days=28)
PRE_AFTER: Final = timedelta(days=7)
POST_BEFORE: Final = timedelta(days=7)
POST_AFTER: Final = timedelta(days=28)


@dataclass(frozen=True)
class Scored:
    """One completed, scorable response: when, and its total."""

    completed_at: datetime
    total: Decimal


def rate(present: int, marked: int) -> float | None:
    """present / marked, or None when nothing was marked (no rate rather than 0 %)."""
    return None if marked <= 0 else present / marked


def attendance_rate(marks: Iterable[str]) -> float | None:
    found = list(marks)
    return rate(sum(1 for mark in found if mark == PRESENT), len(found))


def sessions_needed(sessions_to_complete: int, sessions_planned: int) -> int:
    """The programme's number, or half the sessions not cancelled, rounded up (at least 1)."""
    if sessions_to_complete > 0:
        return sessions_to_complete
    return max(1, math.ceil(sessions_planned / 2))


def completed(present: int, needed: int) -> bool:
    return present >= needed


def dropout_rate(left_early: int, ever_placed: int) -> float | None:
    return rate(left_early, ever_placed)


def pre_response(responses: Sequence[Scored], first_session: datetime) -> Scored | None:
    """The last response from 28 days before the first session to 7 days after it."""
    inside = [r for r in responses if first_session - PRE_BEFORE <= r.completed_at <= first_session + PRE_AFTER]
    return max(inside, key=lambda r: r.completed_at) if inside else None


def post_response(responses: Sequence[Scored], last_session: datetime) -> Scored | None:
    """The first response from 7 days before the last session to 28 days after it."""
    inside = [r for r in responses if last_session - POST_BEFORE <= r.completed_at <= last_session + POST_AFTER]
    return min(inside, key=lambda r: r.completed_at) if inside else None


def pre_post(
    responses: Sequence[Scored], first_session: datetime, last_session: datetime
) -> tuple[Scored | None, Scored | None]:
    """Before and after; one response is never both (with sessions close together, it counts as before)."""
    pre = pre_response(responses, first_session)
    post = post_response([r for r in responses if pre is None or r.completed_at > pre.completed_at], last_session)
    return pre, post


def change_of(instrument: Instrument, pre: Scored | None, post: Scored | None, *, sex: str | None) -> Change | None:
    """Reliable change from before to after (Jacobson & Truax, measures.change), or None without both."""
    if pre is None or post is None:
        return None
    return change_between(instrument, pre.total, post.total, sex=sex)


@dataclass(frozen=True)
class ChangeCounts:
    improved: int = 0
    unchanged: int = 0
    deteriorated: int = 0
    not_judged: int = 0  # both scores there, but the instrument has no reliable-change figures
    missing: int = 0  # no before or no after

    @property
    def compared(self) -> int:
        return self.improved + self.unchanged + self.deteriorated + self.not_judged


def count_changes(changes: Iterable[Change | None]) -> ChangeCounts:
    improved = unchanged = deteriorated = not_judged = missing = 0
    for change in changes:
        if change is None:
            missing += 1
        elif change.classification == RELIABLE_IMPROVEMENT:
            improved += 1
        elif change.classification == RELIABLE_DETERIORATION:
            deteriorated += 1
        elif change.classification == NO_RELIABLE_CHANGE:
            unchanged += 1
        else:
            not_judged += 1
    return ChangeCounts(improved, unchanged, deteriorated, not_judged, missing)


def mean(values: Iterable[Decimal | float]) -> float | None:
    found = [float(value) for value in values]
    return sum(found) / len(found) if found else None
