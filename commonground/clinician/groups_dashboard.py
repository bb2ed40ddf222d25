"""The groups start page as a dashboard: today's and this week's sessions, and per group planned or running its
next session, open concerns, partners' check-ins this week and attendance so far, with a small attendance chart
(inline SVG, decision 0011) beside its data table.

`rate_chart` is pure geometry; `dashboard` reads through the groups selectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from commonground.clinician.groups_display import percent

BAR_HEIGHT: Final = 22
GAP: Final = 10
LABEL_WIDTH: Final = 150
CHART_WIDTH: Final = 420
TOP: Final = 20


@dataclass(frozen=True)
class RateBar:
    label: str
    y: float
    width: float
    text: str  # "75 %"
    text_x: float


@dataclass(frozen=True)
class RateChart:
    width: int
    height: int
    left: int
    right: int
    bars: tuple[RateBar, ...]
    ticks: tuple[tuple[float, str], ...]  # x, label


def rate_chart(items: Sequence[tuple[str, int, int]], *, width: int = CHART_WIDTH) -> RateChart:
    """Horizontal bars: each group's share of members present over the sessions held (present, marked)."""
    left, right = LABEL_WIDTH, width - 40
    span = right - left
    bars = []
    for index, (label, present, marked) in enumerate(items):
        share = present / marked if marked else 0.0
        bar_width = round(span * share, 2)
        bars.append(
            RateBar(
                label=label if len(label) <= 22 else label[:21] + "…",
                y=TOP + index * (BAR_HEIGHT + GAP),
                width=bar_width,
                text=percent(present, marked),
                text_x=round(left + bar_width + 4, 2),
            )
        )
    height = TOP + len(items) * (BAR_HEIGHT + GAP) + 8
    ticks = tuple((round(left + span * value / 100, 2), f"{value} %") for value in (0, 50, 100))
    return RateChart(width=width, height=height, left=left, right=right, bars=tuple(bars), ticks=ticks)


@dataclass(frozen=True)
class SessionItem:
    cohort: Any
    session: Any


@dataclass(frozen=True)
class CohortCard:
    cohort: Any
    next_session: Any
    open_concerns: int
    check_ins_this_week: int
    present: int
    marked: int

    @property
    def attendance(self) -> str:
        return percent(self.present, self.marked)


@dataclass(frozen=True)
class Dashboard:
    today: list[SessionItem]
    this_week: list[SessionItem]
    current: list[CohortCard]
    past: list[Any]
    chart: RateChart | None
    running: list[CohortCard]  # the chart's rows, in its order


def _sort_key(card: CohortCard) -> tuple[int, Any]:
    when = card.next_session.starts_at if card.next_session else None
    if when is not None:
        return (0, when)
    return (1, card.cohort.starts_on)


def dashboard(cohorts: Sequence[Any], *, today: date, time_zone: str) -> Dashboard:
    from commonground.groups import selectors
    from commonground.groups.choices import CohortStatus, SessionStatus
    from commonground.groups.schedule import week_of
    from commonground.kit import clock

    week = week_of(today)
    week_end = week + timedelta(days=6)
    current_cohorts = [c for c in cohorts if c.status in (CohortStatus.PLANNED, CohortStatus.RUNNING)]
    todays, this_week, cards = [], [], []
    for cohort in current_cohorts:
        for session in selectors.sessions_of(cohort):
            if session.status == SessionStatus.CANCELLED:
                continue
            day = clock.local_date(session.starts_at, time_zone)
            if day == today:
                todays.append(SessionItem(cohort, session))
            elif today < day <= week_end:
                this_week.append(SessionItem(cohort, session))
        grid = selectors.attendance_grid(cohort)
        check_ins = sum(
            w.check_ins for a in selectors.pairings_for_facilitator(cohort) for w in a.weeks if w.week_of == week
        )
        cards.append(
            CohortCard(
                cohort=cohort,
                next_session=selectors.next_session(cohort),
                open_concerns=len(selectors.concerns(cohort, open_only=True)),
                check_ins_this_week=check_ins,
                present=sum(r.present for r in grid.per_session),
                marked=sum(r.marked for r in grid.per_session),
            )
        )
    cards.sort(key=_sort_key)
    running = [card for card in cards if card.cohort.status == CohortStatus.RUNNING]
    chart = rate_chart([(c.cohort.name, c.present, c.marked) for c in running]) if running else None

    def by_start(item: SessionItem) -> datetime:
        starts_at: datetime = item.session.starts_at
        return starts_at

    return Dashboard(
        today=sorted(todays, key=by_start),
        this_week=sorted(this_week, key=by_start),
        current=cards,
        past=[c for c in cohorts if c not in current_cohorts],
        chart=chart,
        running=running,
    )
