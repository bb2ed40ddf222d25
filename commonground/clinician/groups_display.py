"""What the staff's group pages show: the outcome charts' geometry and the rows of the tables beside them.

The charts are inline SVG drawn by the templates from the plain geometry computed here (decision 0011: no
script, no style attributes; colours from CSS classes with presentation attributes as the fallback):

- `attendance_chart(bars)`: one stacked bar per session, present at the bottom, then absent with notice, then
  absent, each a share of the members expected that day; the three parts differ by fill and by pattern class,
  and the table beside the chart carries the numbers.
- `pre_post_chart(...)`: one line per member from their score before the programme to their score after, on the
  questionnaire's own scale; a reliable improvement or deterioration has its own marker shape at the "after"
  end (the measures charts' diamond and triangle), so colour is never the only cue.

The geometry functions are pure (no Django, no database); the rest turns the groups selectors' results into
rows with the words and numbers already formatted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final
from uuid import UUID
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonground.measures.charts import (
    DETERIORATION,
    IMPROVEMENT,
    PLAIN,
    Area,
    Tick,
    ValueScale,
    format_value,
    marker_shape,
    value_ticks,
)

Number = Decimal | int | float

WIDTH: Final = 640
HEIGHT: Final = 240
MARGIN_LEFT: Final = 44
MARGIN_RIGHT: Final = 16
MARGIN_TOP: Final = 12
MARGIN_BOTTOM: Final = 36
BAR_SHARE: Final = 0.6  # of each session's slot; the rest is the gap between bars

PARTS: Final = ("present", "absent_with_notice", "absent")


def _area(width: int, height: int) -> Area:
    return Area(MARGIN_LEFT, MARGIN_TOP, width - MARGIN_LEFT - MARGIN_RIGHT, height - MARGIN_TOP - MARGIN_BOTTOM)


def _r(value: float) -> float:
    return round(value, 2)


# --- attendance per session ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionBar:
    """One session's attendance: counts per mark, and whether it was held (a session not held has no bar)."""

    label: str  # "1", "2", ...
    present: int
    absent_with_notice: int
    absent: int
    held: bool = True

    @property
    def expected(self) -> int:
        return self.present + self.absent_with_notice + self.absent


@dataclass(frozen=True)
class BarPart:
    kind: str  # one of PARTS
    x: float
    y: float
    width: float
    height: float
    count: int


@dataclass(frozen=True)
class PlottedBar:
    label: str
    label_x: float
    parts: tuple[BarPart, ...]
    held: bool
    title: str  # e.g. "Session 3: 6 present, 1 absent with notice, 1 absent"


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    area: Area
    bars: tuple[PlottedBar, ...]
    y_ticks: tuple[Tick, ...]  # percentages


def attendance_chart(bars: Sequence[SessionBar], *, width: int = WIDTH, height: int = HEIGHT) -> BarChart:
    """Stacked bars of the share of members present / absent with notice / absent, 0-100 % on the y axis."""
    area = _area(width, height)
    y = ValueScale(0.0, 100.0, area)
    slot = area.width / max(len(bars), 1)
    plotted: list[PlottedBar] = []
    for index, bar in enumerate(bars):
        left = area.left + index * slot + slot * (1 - BAR_SHARE) / 2
        plotted.append(_bar(bar, left=left, width=slot * BAR_SHARE, y=y, label_x=area.left + (index + 0.5) * slot))
    ticks = tuple(Tick(y(value), f"{value} %") for value in (0, 25, 50, 75, 100))
    return BarChart(width=width, height=height, area=area, bars=tuple(plotted), y_ticks=ticks)


def _bar(bar: SessionBar, *, left: float, width: float, y: ValueScale, label_x: float) -> PlottedBar:
    parts: list[BarPart] = []
    counts = {"present": bar.present, "absent_with_notice": bar.absent_with_notice, "absent": bar.absent}
    total = bar.expected
    below = 0.0
    if bar.held and total:
        for kind in PARTS:
            count = counts[kind]
            if not count:
                continue
            share = count / total * 100
            top, bottom = y(below + share), y(below)
            parts.append(BarPart(kind, _r(left), top, _r(width), _r(bottom - top), count))
            below += share
    title = f"{bar.present} / {bar.absent_with_notice} / {bar.absent}"
    return PlottedBar(label=bar.label, label_x=_r(label_x), parts=tuple(parts), held=bar.held, title=title)


def percent(part: int, whole: int) -> str:
    """A share as people read it: "75 %", "—" of nothing."""
    if not whole:
        return "—"
    return f"{round(part / whole * 100)} %"


# --- before and after ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrePost:
    """One member's score before and after on one questionnaire, with the reliable-change marker."""

    key: str
    before: Number
    after: Number
    marker: str = PLAIN  # measures.charts PLAIN / IMPROVEMENT / DETERIORATION


@dataclass(frozen=True)
class PlottedPair:
    key: str
    x1: float
    y1: float
    x2: float
    y2: float
    marker: str
    shape: str  # the marker's path at the "after" end; "" for a plain circle
    before_label: str
    after_label: str


@dataclass(frozen=True)
class PrePostChart:
    width: int
    height: int
    area: Area
    before_x: float
    after_x: float
    pairs: tuple[PlottedPair, ...]
    y_ticks: tuple[Tick, ...]
    markers_used: tuple[str, ...]


def pre_post_chart(
    *, minimum: Number, maximum: Number, pairs: Sequence[PrePost], width: int = 360, height: int = HEIGHT
) -> PrePostChart:
    """A slope chart: "before" on the left, "after" on the right, the questionnaire's scale upwards."""
    if float(maximum) <= float(minimum):
        raise ValueError(f"the maximum ({maximum}) must be above the minimum ({minimum})")
    area = _area(width, height)
    y = ValueScale(float(minimum), float(maximum), area)
    before_x, after_x = _r(area.left + area.width * 0.2), _r(area.left + area.width * 0.8)
    plotted = []
    for pair in pairs:
        if pair.marker not in (PLAIN, IMPROVEMENT, DETERIORATION):
            raise ValueError(f"unknown marker {pair.marker!r}")
        y1, y2 = y(pair.before), y(pair.after)
        plotted.append(
            PlottedPair(
                key=pair.key,
                x1=before_x,
                y1=y1,
                x2=after_x,
                y2=y2,
                marker=pair.marker,
                shape=marker_shape(pair.marker, after_x, y2),
                before_label=format_value(pair.before),
                after_label=format_value(pair.after),
            )
        )
    used = tuple(marker for marker in (PLAIN, IMPROVEMENT, DETERIORATION) if any(p.marker == marker for p in plotted))
    return PrePostChart(
        width=width,
        height=height,
        area=area,
        before_x=before_x,
        after_x=after_x,
        pairs=tuple(plotted),
        y_ticks=tuple(value_ticks(y)),
        markers_used=used,
    )


# --- the pages' rows, from the groups selectors -------------------------------------------------------------------
# (Below here the module reads through the groups, measures and notes selectors; the geometry above stays pure.)

NONE = "—"


def _selectors() -> Any:
    from commonground.groups import selectors

    return selectors


@dataclass(frozen=True)
class ScheduleRow:
    session: Any
    attendance: str  # "6 of 8", or "" before it is held


@dataclass(frozen=True)
class CohortOverview:
    facilitators: list[Any]
    sessions: list[ScheduleRow]
    waiting: int


def cohort_overview(cohort: Any) -> CohortOverview:
    selectors = _selectors()
    grid = selectors.attendance_grid(cohort)
    rows = []
    for rate in grid.per_session:
        text = _("%(present)d of %(marked)d") % {"present": rate.present, "marked": rate.marked} if rate.marked else ""
        rows.append(ScheduleRow(rate.session, text))
    return CohortOverview(
        facilitators=selectors.facilitators_of(cohort),
        sessions=rows,
        waiting=len(selectors.waiting_list(cohort)),
    )


@dataclass(frozen=True)
class MemberRow:
    enrolment: Any
    shown_name: str


def member_rows(enrolments: Sequence[Any]) -> list[MemberRow]:
    selectors = _selectors()
    return [MemberRow(e, selectors.name_of(e)) for e in enrolments]


def marks_of(session: Any) -> dict[str, str]:
    return {str(key): value for key, value in _selectors().attendance_of(session).items()}


def as_uuid_keys(marks: dict[str, str]) -> dict[UUID, str]:
    return {UUID(key): value for key, value in marks.items()}


def practice_of(session: Any) -> list[Any]:
    return list(_selectors().practice_of(session))


def local_moment(on: date, at: time, time_zone: str) -> datetime:
    from commonground.groups.schedule import local_start

    return local_start(on, at, time_zone)


def local_parts(moment: datetime, time_zone: str) -> tuple[date, time]:
    local = moment.astimezone(ZoneInfo(time_zone))
    return local.date(), local.time().replace(second=0, microsecond=0)


@dataclass(frozen=True)
class ShownFinding:
    phrase: str
    category_label: str
    why: str
    suggestion: str


def findings(found: Sequence[Any]) -> list[ShownFinding]:
    from commonground.notes.choices import LanguageCategory

    labels = dict(LanguageCategory.choices)
    return [ShownFinding(f.phrase, str(labels.get(f.category, f.category)), f.why, f.suggestion) for f in found]


@dataclass(frozen=True)
class PostRow:
    post: Any
    author: str
    library_title: str


def board_rows(cohort: Any, library_titles: dict[str, str]) -> list[PostRow]:
    posts = _selectors().board(cohort, for_facilitator=True)
    return [PostRow(p, getattr(p, "shown_author", ""), library_titles.get(p.library_item, "")) for p in posts]


@dataclass(frozen=True)
class ConcernRow:
    concern: Any
    raised_by: str


def concern_rows(cohort: Any) -> list[ConcernRow]:
    return [ConcernRow(c, c.raised_by.patient.display_name) for c in _selectors().concerns(cohort)]


def cohort_label(cohort: Any) -> str:
    return _("%(name)s (%(programme)s), from %(day)s, %(taken)d of %(capacity)d places taken") % {
        "name": cohort.name,
        "programme": cohort.programme.name,
        "day": cohort.starts_on.strftime("%d %b %Y"),
        "taken": cohort.places_taken,
        "capacity": cohort.capacity,
    }


@dataclass(frozen=True)
class EnrolmentRow:
    enrolment: Any
    attendance_text: str


def attendance_text(present: int, marked: int) -> str:
    if not marked:
        return _("No attendance recorded yet")
    return _("%(present)d of %(marked)d sessions (%(percent)s)") % {
        "present": present,
        "marked": marked,
        "percent": percent(present, marked),
    }


def patient_enrolments(patient: Any) -> list[EnrolmentRow]:
    selectors = _selectors()
    rows = []
    for enrolment in selectors.enrolments_of_patient(patient):
        if enrolment.enrolled_at is None:
            rows.append(EnrolmentRow(enrolment, NONE))
            continue
        outcome = selectors.member_outcome(enrolment)
        rows.append(EnrolmentRow(enrolment, attendance_text(outcome.present, outcome.marked)))
    return rows


# --- outcomes -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceRow:
    number: int
    day: date
    status: str
    marked: int
    present: str  # counts as text: "—" for a session with no attendance recorded
    absent_with_notice: str
    absent: str
    rate: str


@dataclass(frozen=True)
class PrePostRow:
    name: str
    before: str
    after: str
    change: str
    classification: str


@dataclass(frozen=True)
class InstrumentShown:
    anchor: str
    name: str
    title: str
    counts_text: str
    description: str
    chart: PrePostChart | None
    rows: list[PrePostRow]


@dataclass(frozen=True)
class OutcomesShown:
    summary: list[tuple[str, str]]
    attendance_chart: BarChart
    attendance_rows: list[AttendanceRow]
    attendance_description: str
    instruments: list[InstrumentShown]
    gas_rows: list[tuple[str, str]]
    listed: list[Any]  # the patients named with their scores, for the audit trail
    unlisted: int  # members counted in the totals but not named: the person does not share their care
    final: bool = True  # False while the group is planned or running: every figure is "so far"


def _rate(value: float | None) -> str:
    return NONE if value is None else f"{round(value * 100)} %"


def _score(scored: Any) -> str:
    return format_value(scored.total) if scored is not None else NONE


def _signed(value: Decimal) -> str:
    if value == 0:
        return "0"
    return ("+" if value > 0 else "\N{MINUS SIGN}") + format_value(abs(value))


def _classification(change: Any) -> str:
    from commonground.clinician.measures_display import classification_label

    if change is None:
        return NONE
    if change.classification is None:
        return _("Not judged (no reliable-change figures)")
    return classification_label(change.classification)


def _marker(change: Any) -> str:
    from commonground.measures.change import RELIABLE_DETERIORATION, RELIABLE_IMPROVEMENT

    if change is None:
        return PLAIN
    return {RELIABLE_IMPROVEMENT: IMPROVEMENT, RELIABLE_DETERIORATION: DETERIORATION}.get(
        change.classification or "", PLAIN
    )


def _pre_post_row(name: str, item: Any) -> PrePostRow:
    change = item.change
    return PrePostRow(
        name=name,
        before=_score(item.pre),
        after=_score(item.post),
        change=_signed(change.difference) if change is not None else NONE,
        classification=_classification(change) if change is not None else _("Before or after missing"),
    )


def _attendance(cohort: Any, time_zone: str) -> tuple[list[SessionBar], list[AttendanceRow]]:
    from commonground.groups.choices import Attendance, SessionStatus

    grid = _selectors().attendance_grid(cohort)
    bars, rows = [], []
    for index, session in enumerate(grid.sessions):
        marks = [row.marks[index] for row in grid.rows if row.marks[index]]
        present = marks.count(Attendance.PRESENT)
        notice = marks.count(Attendance.ABSENT_WITH_NOTICE)
        absent = marks.count(Attendance.ABSENT)
        held = session.status == SessionStatus.HELD and bool(marks)
        bars.append(SessionBar(str(session.number), present, notice, absent, held=held))
        day = session.starts_at.astimezone(ZoneInfo(time_zone)).date()

        def shown(count: int, recorded: bool = bool(marks)) -> str:
            return str(count) if recorded else NONE

        rows.append(
            AttendanceRow(
                number=session.number,
                day=day,
                status=session.get_status_display(),
                marked=len(marks),
                present=shown(present),
                absent_with_notice=shown(notice),
                absent=shown(absent),
                rate=percent(present, len(marks)),
            )
        )
    return bars, rows


def _instrument_shown(outcome: Any, members: Sequence[Any]) -> InstrumentShown:
    """One questionnaire's before/after: the counts over every member, the rows and the chart over `members`
    (those whose care the person shares, as the gateway says)."""
    from commonground.measures.selectors import instrument_or_none

    instrument = instrument_or_none(outcome.instrument_id)
    column = []
    for member in members:
        item = next((c for c in member.changes if c.instrument_id == outcome.instrument_id), None)
        if item is not None:
            column.append((member.enrolment.patient.display_name, item))
    rows = [_pre_post_row(name, item) for name, item in column]
    pairs = [
        PrePost(str(index), item.pre.total, item.post.total, _marker(item.change))
        for index, (_name, item) in enumerate(column)
        if item.pre is not None and item.post is not None
    ]
    chart = None
    if instrument is not None and instrument.scoring is not None and pairs:
        chart = pre_post_chart(minimum=instrument.scoring.minimum, maximum=instrument.scoring.maximum, pairs=pairs)
    counts = outcome.counts
    counts_text = _(
        "Reliable improvement: %(improved)d · no reliable change: %(unchanged)d · reliable deterioration: "
        "%(deteriorated)d · not judged: %(not_judged)d · before or after missing: %(missing)d."
    ) % {
        "improved": counts.improved,
        "unchanged": counts.unchanged,
        "deteriorated": counts.deteriorated,
        "not_judged": counts.not_judged,
        "missing": counts.missing,
    }
    if outcome.pre_mean is not None and outcome.post_mean is not None:
        description = _("%(count)d members with a score before and after; mean %(pre)s before, %(post)s after.") % {
            "count": len(pairs),
            "pre": f"{outcome.pre_mean:.1f}",
            "post": f"{outcome.post_mean:.1f}",
        }
    else:
        description = _("No member has a score both before and after yet.")
    return InstrumentShown(
        anchor=f"prepost-{outcome.instrument_id}",
        name=outcome.short_name,
        title=instrument.title if instrument is not None else "",
        counts_text=counts_text,
        description=description,
        chart=chart,
        rows=rows,
    )


def cohort_outcomes(cohort: Any, time_zone: str, *, visible: set[UUID]) -> OutcomesShown:
    """The outcomes page: totals over everyone who had a place; each member's own scores only for the
    patients in `visible` (the gateway's visible patients for the person, through the care team or as the
    group's facilitator)."""
    found = _selectors().cohort_outcomes(cohort)
    named = [m for m in found.members if m.enrolment.patient_id in visible]
    bars, rows = _attendance(cohort, time_zone)
    held = [row for row in rows if row.marked]
    final = cohort.status == "finished"
    if final:
        summary = [
            (_("Members who had a place"), str(found.ever_placed)),
            (_("Attendance over the sessions held"), _rate(found.attendance_rate)),
            (_("Left early (drop-out)"), f"{found.left_early} ({_rate(found.dropout_rate)})"),
            (
                _("Completed (attended at least %(num)d sessions)") % {"num": found.sessions_needed},
                f"{found.completed} ({_rate(found.completion_rate)})",
            ),
        ]
    else:
        # While the group runs nobody has completed yet, and goal attainment is measured at the end.
        summary = [
            (_("Members who had a place so far"), str(found.ever_placed)),
            (
                ngettext(
                    "Attendance so far (%(num)d session held)", "Attendance so far (%(num)d sessions held)", len(held)
                )
                % {"num": len(held)},
                _rate(found.attendance_rate),
            ),
            (_("Left early so far"), f"{found.left_early} ({_rate(found.dropout_rate)})"),
            (
                _("Completion (at least %(num)d sessions attended)") % {"num": found.sessions_needed},
                _("Known when the group finishes"),
            ),
        ]
    if final and found.gas_members:
        summary.append(
            (
                _("Goal attainment at the end (mean T-score)"),
                _("%(t)s over %(num)d members") % {"t": f"{found.gas_mean_t:.1f}", "num": found.gas_members},
            )
        )
    description = (
        _("Share of members present, absent with notice and absent at each of the %(num)d sessions held.")
        % {"num": len(held)}
        if held
        else _("No attendance recorded yet.")
    )
    return OutcomesShown(
        summary=summary,
        attendance_chart=attendance_chart(bars),
        attendance_rows=rows if held else [],
        attendance_description=description,
        instruments=[_instrument_shown(outcome, named) for outcome in found.instruments],
        gas_rows=[(m.enrolment.patient.display_name, f"{m.gas_t:.1f}") for m in named if m.gas_t is not None]
        if final
        else [],
        listed=[m.enrolment.patient for m in named],
        unlisted=len(found.members) - len(named),
        final=final,
    )


# --- one member ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberAttendanceRow:
    number: int
    title: str
    day: date
    mark: str


@dataclass(frozen=True)
class MemberShown:
    shown_name: str
    attendance_text: str
    attendance: list[MemberAttendanceRow]
    pre_post: list[PrePostRow]
    trajectories: list[Any]


def member_page(cohort: Any, enrolment: Any, patient: Any, *, time_zone: str) -> MemberShown:
    """What the member page shows; `patient` was opened through the gateway by the view."""
    from commonground.clinician.groups_forms import MARKS
    from commonground.clinician.measures_display import instrument_trajectory
    from commonground.measures import selectors as measures_selectors

    selectors = _selectors()
    grid = selectors.attendance_grid(cohort)
    labels = dict(MARKS)
    own = next((row for row in grid.rows if row.enrolment.id == enrolment.id), None)
    attendance = [
        MemberAttendanceRow(
            s.number,
            s.title,
            s.starts_at.astimezone(ZoneInfo(time_zone)).date(),
            str(labels.get(own.marks[index], NONE)) if own and own.marks[index] else NONE,
        )
        for index, s in enumerate(grid.sessions)
    ]
    outcome = selectors.member_outcome(enrolment) if enrolment.enrolled_at is not None else None
    programme_ids = set(cohort.programme.instruments)
    return MemberShown(
        shown_name=selectors.name_of(enrolment),
        attendance_text=attendance_text(outcome.present, outcome.marked) if outcome else NONE,
        attendance=attendance,
        pre_post=[_pre_post_row(item.short_name, item) for item in outcome.changes] if outcome else [],
        trajectories=[
            shown
            for trajectory in measures_selectors.trajectories(patient)
            if trajectory.instrument.id in programme_ids
            if (shown := instrument_trajectory(trajectory, time_zone)) is not None
        ],
    )


# --- finishing or cancelling; partners' weeks ---------------------------------------------------------------------


@dataclass(frozen=True)
class EndingFacts:
    enrolled: list[str]  # the names of the members still enrolled
    waiting: int
    scheduled: list[Any]  # sessions still scheduled


def ending_facts(cohort: Any, time_zone: str) -> EndingFacts:
    """What finishing or cancelling the group changes, for the page that asks to confirm."""
    from commonground.groups.choices import EnrolmentStatus, SessionStatus

    selectors = _selectors()
    return EndingFacts(
        enrolled=[e.patient.display_name for e in selectors.roster(cohort) if e.status == EnrolmentStatus.ENROLLED],
        waiting=len(selectors.waiting_list(cohort)),
        scheduled=[s for s in selectors.sessions_of(cohort) if s.status == SessionStatus.SCHEDULED],
    )


def every_week(counts: Sequence[Any], *, first: date, last: date) -> list[Any]:
    """The weeks from `first` to `last` (Mondays), newest first, with 0 for a week with no check-ins."""
    from commonground.groups.schedule import week_of
    from commonground.groups.selectors import WeekCount

    known = {w.week_of: w.check_ins for w in counts}
    weeks, day = [], week_of(last)
    start = min([week_of(first), *known]) if known else week_of(first)
    while day >= start:
        weeks.append(WeekCount(day, known.get(day, 0)))
        day -= timedelta(days=7)
    return weeks
