"""What the clinician's measures pages show, composed from the measures, safety and coordination selectors.

Plain dataclasses with the words and numbers already formatted, so the templates stay simple. The chart's
geometry is the pure `commonground.measures.charts`; this module only feeds it a trajectory's scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.utils.translation import gettext as _

from commonground.coordination import selectors as coordination_selectors
from commonground.coordination.choices import ReviewReason
from commonground.kit import clock
from commonground.measures import selectors
from commonground.measures.change import (
    NO_RELIABLE_CHANGE,
    RELIABLE_DETERIORATION,
    RELIABLE_IMPROVEMENT,
    Change,
    reliable_change_threshold,
)
from commonground.measures.charts import (
    DETERIORATION,
    IMPROVEMENT,
    PLAIN,
    Chart,
    Measurement,
    band_spans,
    format_value,
    trajectory_chart,
)
from commonground.measures.choices import DueState, EntryMode, Occasion
from commonground.measures.datatypes import Instrument, Item
from commonground.measures.models import Response
from commonground.measures.scoring import NOT_APPLICABLE, InvalidResponse, Score, score
from commonground.measures.selectors import DueItem, Trajectory, TrajectoryPoint
from commonground.safety import selectors as safety_selectors

NONE = "—"
MINUS = "\N{MINUS SIGN}"  # a typographic minus reads better in a table than a hyphen


def classification_label(classification: str | None) -> str:
    labels = {
        RELIABLE_IMPROVEMENT: _("Reliable improvement"),
        NO_RELIABLE_CHANGE: _("No reliable change"),
        RELIABLE_DETERIORATION: _("Reliable deterioration"),
    }
    return labels.get(classification or "", NONE)


def due_item_label(item: DueItem) -> str:
    return _("%(name)s, %(occasion)s, due %(day)s") % {
        "name": item.title,
        "occasion": Occasion(item.occasion).label if item.occasion in Occasion.values else item.occasion,
        "day": item.due_on.strftime("%d %b %Y"),
    }


# --- the Measures tab ---------------------------------------------------------------------------------------


def measures_tab(patient: Any, *, plan: Any, settings: Any, today: date, time_zone: str) -> dict[str, Any]:
    """Everything the Measures tab shows; `settings` are the clinic's registry settings."""
    patient_alerts = list(safety_selectors.alerts_of(patient.id)[:30])
    return {
        "plan_titles": _titles(plan.instruments) if plan is not None else [],
        "schedule": selectors.schedule_of(patient, today=today, overdue_after_days=settings.overdue_after_days),
        "due_labels": dict(DueState.choices),
        "occasion_labels": dict(Occasion.choices),
        "open_alerts": [alert for alert in patient_alerts if alert.is_open],
        "past_alerts": [alert for alert in patient_alerts if not alert.is_open][:10],
        "flag": coordination_selectors.open_flag_of(patient.id),
        "reason_labels": dict(ReviewReason.choices),
        "trajectories": [
            shown
            for trajectory in selectors.trajectories(patient)
            if (shown := instrument_trajectory(trajectory, time_zone)) is not None
        ],
    }


def _titles(instrument_ids: list[str]) -> list[str]:
    found = [selectors.instrument_or_none(instrument_id) for instrument_id in instrument_ids]
    return [f.short_name if f else instrument_id for f, instrument_id in zip(found, instrument_ids, strict=True)]


@dataclass(frozen=True)
class ResultRow:
    response_id: UUID
    day: date
    scorable: bool
    score: str
    band: str
    unscorable_reason: str
    is_baseline: bool
    change: str
    percent: str
    rci: str
    classification: str
    classification_id: str
    important_change: str
    mode: str
    critical: bool


@dataclass(frozen=True)
class InstrumentTrajectory:
    instrument: Instrument
    chart: Chart
    rows: list[ResultRow]
    description: str
    threshold: str  # the smallest reliable change in points, formatted; "" without reliable-change figures
    anchor: str


def instrument_trajectory(trajectory: Trajectory, time_zone: str) -> InstrumentTrajectory | None:
    instrument = trajectory.instrument
    if instrument.scoring is None:  # a battery has no scores of its own (its parts do)
        return None
    critical = _critical_flags(instrument)
    rows = [_row(point, instrument, time_zone, critical) for point in trajectory.points]
    measurements = [
        Measurement(day=row.day, value=point.total, marker=_marker(point.since_baseline), key=str(point.response_id))
        for point, row in zip(trajectory.points, rows, strict=True)
        if point.scorable and point.total is not None
    ]
    chart = trajectory_chart(
        minimum=instrument.scoring.minimum,
        maximum=instrument.scoring.maximum,
        bands=band_spans(instrument),
        measurements=measurements,
    )
    figures = instrument.reliable_change
    threshold = (
        format_value(Decimal(str(round(reliable_change_threshold(figures.sd, figures.reliability), 2))))
        if figures is not None
        else ""
    )
    return InstrumentTrajectory(
        instrument=instrument,
        chart=chart,
        rows=rows,
        description=_description(instrument, rows),
        threshold=threshold,
        anchor=f"trajectory-{instrument.id}",
    )


def _marker(change: Change | None) -> str:
    if change is None:
        return PLAIN
    return {RELIABLE_IMPROVEMENT: IMPROVEMENT, RELIABLE_DETERIORATION: DETERIORATION}.get(
        change.classification or "", PLAIN
    )


def _row(point: TrajectoryPoint, instrument: Instrument, time_zone: str, critical: set[str]) -> ResultRow:
    change = point.since_baseline
    return ResultRow(
        response_id=point.response_id,
        day=clock.local_date(point.completed_at, time_zone),
        scorable=point.scorable,
        score=format_value(point.total) if point.scorable and point.total is not None else _("Not scorable"),
        band=point.band_label or NONE,
        unscorable_reason=point.unscorable_reason,
        is_baseline=point.scorable and change is None,
        change=_signed(change.difference) if change else NONE,
        percent=_percent(change.percent_change) if change else NONE,
        rci=_signed_float(change.rci) if change and change.rci is not None else NONE,
        classification=classification_label(change.classification) if change else NONE,
        classification_id=(change.classification or "") if change else "",
        important_change=_important_change(change),
        mode=_mode_label(point.mode),
        critical=bool(critical & set(point.flags)),
    )


def _description(instrument: Instrument, rows: list[ResultRow]) -> str:
    scored = [row for row in rows if row.scorable]
    if not scored:
        return _("No %(name)s response could be scored yet.") % {"name": instrument.short_name}
    first, latest = scored[0], scored[-1]
    text = _(
        "%(count)d scores from %(first)s to %(last)s, on a scale from %(low)s to %(high)s. "
        "First %(first_score)s, latest %(latest_score)s (%(band)s)."
    ) % {
        "count": len(scored),
        "first": first.day.strftime("%d %b %Y"),
        "last": latest.day.strftime("%d %b %Y"),
        "low": format_value(instrument.scoring.minimum) if instrument.scoring else "",
        "high": format_value(instrument.scoring.maximum) if instrument.scoring else "",
        "first_score": first.score,
        "latest_score": latest.score,
        "band": latest.band,
    }
    if latest.classification_id:
        text += " " + _("Since baseline: %(class)s.") % {"class": latest.classification}
    return text


def _important_change(change: Change | None) -> str:
    if change is None:
        return NONE
    if change.mcid_reached is not None:
        return _("Yes") if change.mcid_reached else _("No")
    if change.relative_improvement_reached is not None:
        return _("30 % or more: yes") if change.relative_improvement_reached else _("30 % or more: no")
    return NONE


def _signed(value: Decimal) -> str:
    if value == 0:
        return "0"
    return ("+" if value > 0 else MINUS) + format_value(abs(value))


def _signed_float(value: float) -> str:
    return ("+" if value > 0 else MINUS if value < 0 else "") + f"{abs(value):.2f}"


def _percent(value: Decimal | None) -> str:
    if value is None:
        return NONE
    return _signed(value.quantize(Decimal("0.1"))) + " %"


def _mode_label(mode: str) -> str:
    short: dict[str, str] = {
        EntryMode.PORTAL.value: _("Portal"),
        EntryMode.PAPER.value: _("Paper"),
        EntryMode.INTERVIEW.value: _("Interview"),
    }
    return short.get(mode, mode)


def _critical_flags(instrument: Instrument) -> set[str]:
    found = {critical.flag for critical in instrument.critical_items}
    return found | {critical.unanswered_flag for critical in instrument.critical_items if critical.unanswered_flag}


# --- one response -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerRow:
    number: str
    text: str
    answer: str
    value: str
    state: str  # "answered", "missing", "not_applicable", "taken_not_applicable"
    scored: bool
    critical: bool


@dataclass(frozen=True)
class FlagView:
    label: str
    critical: bool
    action: str


@dataclass(frozen=True)
class ResponseDetail:
    instrument: Instrument
    answers: list[AnswerRow]
    flags: list[FlagView]
    score: str
    exact: str  # total_unrounded when it differs from the total shown
    band: str
    prorated_note: str
    entered: str
    answered: int


def response_detail(response: Response, instrument: Instrument) -> ResponseDetail:
    rescored = _rescore(response, instrument)
    taken_not_applicable = set(rescored.not_applicable_items) if rescored else set()
    critical_items = {critical.item for critical in instrument.critical_items}
    answers = [
        _answer_row(item, response.answers.get(item.id), item.id in taken_not_applicable, item.id in critical_items)
        for item in instrument.items
    ]
    labels = {band.id: band.label for band in instrument.bands}
    exact = ""
    if response.total is not None and response.total_unrounded not in (None, response.total):
        exact = format_value(response.total_unrounded)
    return ResponseDetail(
        instrument=instrument,
        answers=answers,
        flags=flag_views(instrument, response.flags),
        score=format_value(response.total) if response.scorable and response.total is not None else "",
        exact=exact,
        band=str(labels.get(response.band, "")),
        prorated_note=_prorated_note(rescored, instrument) if response.scorable else "",
        entered=entered_how(response),
        answered=sum(1 for row in answers if row.state == "answered"),
    )


def _rescore(response: Response, instrument: Instrument) -> Score | None:
    """The engine's account of the stored answers (what was prorated, what was taken as not applicable)."""
    if not response.is_completed:
        return None
    answers = [response.answers.get(item.id) for item in instrument.scored_items]
    try:
        return score(instrument, answers, sex=response.sex_used or None)
    except InvalidResponse:
        return None


def _answer_row(item: Item, value: Any, taken_not_applicable: bool, critical: bool) -> AnswerRow:
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            label = item.option(value).label
        except KeyError:
            label = _("not an answer this question allows")
        answer, shown, state = label, str(value), "answered"
    elif value == NOT_APPLICABLE:
        answer, shown, state = str(item.not_applicable_label or _("Does not apply")), "", "not_applicable"
    elif taken_not_applicable:
        answer, shown, state = _("Not answered: taken as not applicable (recorded sex)"), "", "taken_not_applicable"
    else:
        answer, shown, state = _("Not answered"), "", "missing"
    return AnswerRow(
        number=item.number,
        text=item.display_text,
        answer=answer,
        value=shown,
        state=state,
        scored=item.scored,
        critical=critical,
    )


def flag_views(instrument: Instrument, flags: list[str]) -> list[FlagView]:
    known: dict[str, FlagView] = {}
    for critical in instrument.critical_items:
        known[critical.flag] = FlagView(
            _("%(label)s: answered positively") % {"label": critical.label}, True, critical.action
        )
        if critical.unanswered_flag:
            known[critical.unanswered_flag] = FlagView(
                _("%(label)s: left unanswered") % {"label": critical.label}, True, critical.action
            )
    for flag in instrument.flags:
        known[flag.id] = FlagView(flag.label, False, "")
    views = [known.get(flag, FlagView(flag, False, "")) for flag in flags]
    return sorted(views, key=lambda view: not view.critical)


def _prorated_note(rescored: Score | None, instrument: Instrument) -> str:
    if rescored is None or not rescored.prorated:
        return ""
    return _(
        "Prorated: %(gaps)d of %(items)d scored questions were not answered or do not apply, so the total is "
        "the answered questions' sum scaled to the whole questionnaire (%(rule)s)"
    ) % {
        "gaps": len(instrument.scored_items) - rescored.answered - _excluded(rescored, instrument),
        "items": len(instrument.scored_items),
        "rule": instrument.scoring.description if instrument.scoring else "",
    }


def _excluded(rescored: Score, instrument: Instrument) -> int:
    """Not-applicable items that leave the count altogether (PHQ-15 item 4) are not gaps."""
    if instrument.scoring is None or instrument.scoring.not_applicable != "excluded":
        return 0
    return len(rescored.not_applicable_items)


def entered_how(response: Response) -> str:
    who = response.entered_by.display_name if response.entered_by_id else ""
    if response.mode == EntryMode.PAPER:
        return _("Paper form entered by %(name)s") % {"name": who}
    if response.mode == EntryMode.INTERVIEW:
        return _("Asked by staff (phone or in person) and entered by %(name)s") % {"name": who}
    return _("Completed by the patient in the portal")
