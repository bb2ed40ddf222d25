"""What the clinician's Goals tab shows, composed from the goals selectors.

Plain dataclasses with the words already chosen, so the templates stay simple. Each small form on the page
has a key (`value-new`, `goal-<id>-add`, `rung-<id>-split`, ...) used as its `auto_id` prefix; a view that
got bad input passes the bound form under its key, and the page shows it with its errors, opened.
The T-score chart's geometry is the pure `commonground.measures.charts`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django import forms as django_forms
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonground.clinician import goals_forms as forms
from commonground.clinician.notes_forms import default_note_language, note_languages
from commonground.goals import selectors
from commonground.goals.choices import GAS_LEVELS, GasLevel, LadderEventKind, LifeArea, RungState
from commonground.goals.models import GasReview, Goal, LadderEvent, Milestone, Value
from commonground.goals.selectors import GasPoint, Ladder
from commonground.jinja import day
from commonground.measures.charts import Chart, Measurement, ValueScale, trajectory_chart
from commonground.notes import language_check
from commonground.notes import selectors as note_selectors
from commonground.notes.choices import LanguageCategory

EXPECTED_T = 50  # the T-score of every goal at its expected level
STATE_ICONS = {RungState.DONE: "done", RungState.PARTLY: "partly", RungState.NOT_YET: "not_yet"}
MINUS = "\N{MINUS SIGN}"

Bound = dict[str, django_forms.Form]
ConflictRow = tuple[str, str, str]  # (what, as saved by someone else, as typed here)


@dataclass(frozen=True)
class Conflict:
    """A stale edit: what someone else saved meanwhile beside what this user typed (nothing typed is lost)."""

    message: str
    rows: list[ConflictRow]
    only_differences: bool = False


Conflicts = dict[str, Conflict]


def key(kind: str, found: Any = None) -> str:
    """A form's key on the page, e.g. key("rung-split", rung) -> "rung-<id>-split"."""
    if found is None:
        return kind
    head, _sep, tail = kind.partition("-")
    return f"{head}-{found.id}-{tail}"


def auto_id(form_key: str) -> str:
    return f"{form_key}_%s"


def signed_level(level: int) -> str:
    return f"+{level}" if level > 0 else (f"{MINUS}{-level}" if level < 0 else "0")


def format_t(value: float) -> str:
    return f"{value:.1f}"


def short(text: str, length: int = 40) -> str:
    """A title cut to a few words, for screen-reader labels that must tell one goal's buttons from another's."""
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def in_error_form(record: Any, form_key: str, bound: Bound) -> django_forms.Form:
    return bound.get(form_key) or forms.InErrorForm(initial={"version": record.version}, auto_id=auto_id(form_key))


# --- advice on wording --------------------------------------------------------------------------------------


def wording_advice(text: str, organisation_id: Any) -> str:
    """What the note-language check finds in a step back's reason or a review's note, as advice ("" if nothing).

    It never blocks: the text is saved already; the advice is added to the confirmation."""
    if not text.strip():
        return ""
    language = default_note_language(note_languages())  # the page's language, when it has a lexicon
    findings = language_check.check(text, note_selectors.rules_for(organisation_id, language))
    if not findings:
        return ""
    parts = [
        _("“%(phrase)s” — %(category)s: %(why)s Consider: %(suggestion)s")
        % {
            "phrase": finding.phrase,
            "category": _category_label(finding.category),
            "why": finding.why,
            "suggestion": finding.suggestion,
        }
        for finding in findings
    ]
    return _("The wording check suggests: %(advice)s") % {"advice": " ".join(parts)}


def with_advice(message: str, text: str, organisation_id: Any) -> str:
    advice = wording_advice(text, organisation_id)
    return f"{message} {advice}" if advice else message


def _category_label(category: str) -> str:
    return str(LanguageCategory(category).label) if category in LanguageCategory.values else category


# --- stale edits: both versions -----------------------------------------------------------------------------


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, date):
        return day(value)
    return str(value)


def value_conflict(message: str, saved: Value, typed: dict[str, Any]) -> Conflict:
    areas = dict(LifeArea.choices)
    return Conflict(
        message,
        [
            (str(_("Life area")), str(areas.get(saved.life_area, "")), str(areas.get(str(typed.get("life_area")), ""))),
            (str(_("What matters")), saved.words, str(typed.get("words", ""))),
        ],
    )


def rung_conflict(message: str, saved: Milestone, typed: dict[str, Any]) -> Conflict:
    return Conflict(
        message,
        [
            (str(_("The step")), saved.action, str(typed.get("action", ""))),
            (str(_("Aim to do it by")), _shown(saved.target_date), _shown(typed.get("target_date"))),
        ],
    )


def goal_conflict(message: str, form: django_forms.Form, saved: Goal, typed: dict[str, Any]) -> Conflict:
    """The goal's details that differ between the saved version and what was typed (the form's own labels)."""
    rows = []
    for name, field_ in form.fields.items():
        if name in ("version", "reason"):
            continue
        saved_value = saved.value_id if name == "value" else getattr(saved, name, None)
        shown = (_choice_words(field_, saved_value), _choice_words(field_, typed.get(name)))
        if shown[0] != shown[1]:
            rows.append((str(field_.label), *shown))
    return Conflict(message, rows, only_differences=True)


def _choice_words(field_: django_forms.Field, value: Any) -> str:
    """A value as the form offers it: a choice's label, several choices' labels, a date, yes or no."""
    choices = getattr(field_, "choices", None)
    if choices is None:
        return _shown(value)
    labels = {str(key): str(label) for key, label in choices}
    if isinstance(value, list | tuple):
        return ", ".join(labels.get(str(item), str(item)) for item in value)
    return "" if value in (None, "") else labels.get(str(value), str(value))


# --- confirmations where the user is ------------------------------------------------------------------------


def notices_by_anchor(found: Any, anchors: set[str]) -> tuple[dict[str, list[Any]], list[Any]]:
    """Split flash messages: those tagged with an anchor shown on this page go beside it (a goal's card, the
    values); the rest stay at the top of the page."""
    near: dict[str, list[Any]] = defaultdict(list)
    rest = []
    for message in found:
        if message.extra_tags in anchors:
            near[message.extra_tags].append(message)
        else:
            rest.append(message)
    return dict(near), rest


# --- values -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueRow:
    value: Any
    edit_form: django_forms.Form
    editing: bool
    error_form: django_forms.Form
    marking_error: bool
    conflict: Conflict | None = None


@dataclass(frozen=True)
class LifeAreaGroup:
    area: str
    label: str
    values: list[ValueRow]


def value_groups(values: list[Any], bound: Bound, conflicts: Conflicts | None = None) -> list[LifeAreaGroup]:
    """The patient's values by life area, in the order of the life areas."""
    conflicts = conflicts or {}
    by_area: dict[str, list[ValueRow]] = defaultdict(list)
    for found in values:
        form_key, error_key = key("value-edit", found), key("value-error", found)
        edit_form = bound.get(form_key) or forms.ValueEditForm(
            initial={"life_area": found.life_area, "words": found.words, "version": found.version},
            auto_id=auto_id(form_key),
        )
        row = ValueRow(
            value=found,
            edit_form=edit_form,
            editing=form_key in bound,
            error_form=in_error_form(found, error_key, bound),
            marking_error=error_key in bound,
            conflict=conflicts.get(form_key),
        )
        by_area[found.life_area].append(row)
    return [LifeAreaGroup(area, str(label), by_area[area]) for area, label in LifeArea.choices if area in by_area]


# --- the ladder ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RungRow:
    rung: Milestone
    number: int
    count: int
    icon: str
    state_label: str
    is_next: bool
    mark_to: list[tuple[str, str]]  # the states it can be marked with now: (value, label)
    edit_form: django_forms.Form
    split_form: django_forms.Form
    remove_form: django_forms.Form
    open_form: str  # which of its forms came back with errors ("" when none)
    label: str  # for screen readers: which step of which goal ("step 2 of “Walk the dog…”")
    conflict: Conflict | None = None  # a stale rewording: both versions


def rung_rows(found: Ladder, bound: Bound, conflicts: Conflicts | None = None) -> list[RungRow]:
    count = len(found.rungs)
    next_id = found.next_rung.id if found.next_rung is not None else None
    title = short(found.goal.title)
    return [
        _rung_row(rung, number, count, rung.id == next_id, bound, title, conflicts or {})
        for number, rung in enumerate(found.rungs, 1)
    ]


def _rung_row(
    rung: Milestone, number: int, count: int, is_next: bool, bound: Bound, title: str, conflicts: Conflicts
) -> RungRow:
    keys = {name: key(f"rung-{name}", rung) for name in ("edit", "split", "remove")}
    edit_initial = {"version": rung.version, "action": rung.action, "target_date": rung.target_date}
    return RungRow(
        rung=rung,
        number=number,
        count=count,
        icon=STATE_ICONS.get(RungState(rung.state), "not_yet"),
        state_label=str(RungState(rung.state).label),
        is_next=is_next,
        mark_to=[(value, str(label)) for value, label in RungState.choices if value != rung.state],
        edit_form=bound.get(keys["edit"]) or forms.EditRungForm(initial=edit_initial, auto_id=auto_id(keys["edit"])),
        split_form=bound.get(keys["split"]) or forms.SplitRungForm(auto_id=auto_id(keys["split"])),
        remove_form=bound.get(keys["remove"]) or forms.RemoveRungForm(auto_id=auto_id(keys["remove"])),
        open_form=next((name for name, form_key in keys.items() if form_key in bound), ""),
        label=_("step %(number)d of “%(goal)s”") % {"number": number, "goal": title},
        conflict=conflicts.get(keys["edit"]),
    )


@dataclass(frozen=True)
class EventLine:
    at: datetime
    by: str
    text: str
    reason: str
    kind: str


def event_lines(events: list[LadderEvent]) -> list[EventLine]:
    """The ladder's history in plain words, newest first."""
    return [_event_line(event) for event in reversed(events)]


def _event_line(event: LadderEvent) -> EventLine:
    step = event.milestone.action if event.milestone is not None else ""
    return EventLine(
        at=event.at,
        by=str(getattr(event.by, "display_name", "") or event.by),
        text=event_text(event.kind, step, event.detail or {}),
        reason=event.reason,
        kind=event.kind,
    )


def event_text(kind: str, step: str, detail: dict[str, Any]) -> str:
    """One ladder event as a sentence: what happened to which step."""
    if kind == LadderEventKind.MARKED:
        return _("“%(step)s” marked %(to)s (it was %(from)s).") % {
            "step": step,
            "to": _state_words(detail.get("to")),
            "from": _state_words(detail.get("from")),
        }
    if kind == LadderEventKind.MOVED and "to_position" in detail:
        return _("“%(step)s” moved from step %(from)s to step %(to)s.") % {
            "step": step,
            "from": detail.get("from_position", "?"),
            "to": detail["to_position"],
        }
    if kind == LadderEventKind.ADDED and "position" in detail:
        return _("“%(step)s” added as step %(number)s.") % {"step": step, "number": detail["position"]}
    if kind == LadderEventKind.EDITED and isinstance(detail.get("from"), dict):
        return _("Step reworded from “%(before)s” to “%(after)s”.") % {
            "before": detail["from"].get("action", ""),
            "after": (detail.get("to") or {}).get("action", step),
        }
    if kind == LadderEventKind.REMOVED:
        return _("“%(step)s” taken off the ladder.") % {"step": step}
    if kind == LadderEventKind.SPLIT and isinstance(detail.get("into"), list):
        count = len(detail["into"])
        return _("“%(step)s” split into %(count)d smaller steps.") % {"step": step, "count": count}
    if kind == LadderEventKind.STEPPED_BACK:
        return _("A step back: “%(step)s” is open again.") % {"step": step} if step else _("A step back.")
    label = str(LadderEventKind(kind).label) if kind in LadderEventKind.values else kind
    return f"{label}: “{step}”." if step else f"{label}."


def _state_words(state: Any) -> str:
    return str(RungState(state).label).lower() if state in RungState.values else "—"


# --- goal attainment scaling --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelRow:
    level: int
    label: str
    words: str
    is_baseline: bool
    is_latest: bool


@dataclass(frozen=True)
class ReviewRow:
    review: GasReview
    on: date
    level: str
    words: str
    note: str
    by: str
    error_form: django_forms.Form
    marking_error: bool


def level_rows(goal: Goal, latest: int | None) -> list[LevelRow]:
    return [
        LevelRow(
            level, str(GasLevel(level).label), goal.level_words(level), level == goal.baseline_level, level == latest
        )
        for level in GAS_LEVELS
    ]


def review_rows(goal: Goal, reviews: list[GasReview], bound: Bound | None = None) -> list[ReviewRow]:
    bound = bound or {}
    return [_review_row(goal, review, key("review-error", review), bound) for review in reviews]


def _review_row(goal: Goal, review: GasReview, error_key: str, bound: Bound) -> ReviewRow:
    return ReviewRow(
        review=review,
        on=review.reviewed_on,
        level=str(GasLevel(review.level).label),
        words=goal.level_words(review.level),
        note=review.note,
        by=str(getattr(review.reviewed_by, "display_name", "")),
        error_form=in_error_form(review, error_key, bound),
        marking_error=error_key in bound,
    )


def replaces_today(rows: list[ReviewRow], today: date) -> str:
    """The warning on the review form when the goal has a review today: a second one replaces it."""
    found = next((row for row in reversed(rows) if row.on == today), None)
    if found is None:
        return ""
    return _("This replaces today's review by %(name)s: level %(level)s (“%(words)s”).") % {
        "name": found.by,
        "level": found.level,
        "words": found.words,
    }


def level_words(goal: Goal) -> dict[str, str]:
    """The patient's words for each level, by the level as a review form's radio button carries it ("-1")."""
    return {str(level): goal.level_words(level) for level in GAS_LEVELS}


@dataclass(frozen=True)
class TrendRow:
    on: date
    t_score: str
    goals: int


@dataclass(frozen=True)
class Trend:
    rows: list[TrendRow]
    chart: Chart | None
    expected_y: float
    description: str
    weighted: bool
    rho: str


def gas_trend(points: list[GasPoint], settings: Any) -> Trend:
    """The T-score across goals at each review date: a chart with a line at 50, and its data table."""
    rows = [TrendRow(point.on, format_t(point.t_score), point.goals) for point in points]
    chart, expected_y = None, 0.0
    if points:
        low = min(20, math.floor(min(p.t_score for p in points) / 10) * 10)
        high = max(80, math.ceil(max(p.t_score for p in points) / 10) * 10)
        measurements = [Measurement(day=p.on, value=round(p.t_score, 1)) for p in points]
        chart = trajectory_chart(minimum=low, maximum=high, bands=(), measurements=measurements)
        expected_y = ValueScale(float(low), float(high), chart.area)(EXPECTED_T)
    return Trend(
        rows=rows,
        chart=chart,
        expected_y=expected_y,
        description=_trend_description(rows),
        weighted=bool(settings.weighted),
        rho=f"{float(settings.rho):g}",
    )


def _trend_description(rows: list[TrendRow]) -> str:
    if not rows:
        return _("No goal the patient has agreed to yet.")
    first, latest = rows[0], rows[-1]
    return ngettext(
        "%(count)d point from %(first)s to %(last)s. T-score first %(first_t)s, latest %(latest_t)s; "
        "50 is the expected outcome.",
        "%(count)d points (goals starting, reviews, goals set aside) from %(first)s to %(last)s. "
        "T-score first %(first_t)s, latest %(latest_t)s; 50 is the expected outcome.",
        len(rows),
    ) % {
        "count": len(rows),
        "first": day(first.on),
        "last": day(latest.on),
        "first_t": first.t_score,
        "latest_t": latest.t_score,
    }


# --- a goal's card ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalCard:
    goal: Goal
    anchor: str
    supporters: list[str]
    weight: int  # the goal's weight in the T-score, under the clinic's settings
    rungs: list[RungRow]
    done: int
    next_rung: Milestone | None
    events: list[EventLine]
    levels: list[LevelRow]
    reviews: list[ReviewRow]
    level_words: dict[str, str]
    add_form: django_forms.Form
    step_back_form: django_forms.Form
    review_form: django_forms.Form
    error_form: django_forms.Form
    replaces_today: str  # "" unless the goal has a review today, which a new review would replace
    label: str  # the goal's title, short, for screen-reader labels
    open_forms: set[str] = field(default_factory=set)

    @property
    def proposed(self) -> bool:
        """Set by the team, not yet agreed by the patient."""
        return not self.goal.agreed_by_patient


def goal_card(
    found: Ladder,
    reviews: list[GasReview],
    supporters: dict[str, str],
    *,
    settings: Any,
    today: date,
    bound: Bound,
    conflicts: Conflicts | None = None,
) -> GoalCard:
    goal = found.goal
    keys = {name: key(f"goal-{name}", goal) for name in ("add", "stepback", "review", "error")}
    latest = reviews[-1].level if reviews else None
    rows = review_rows(goal, reviews, bound)
    return GoalCard(
        goal=goal,
        anchor=f"goal-{goal.id}",
        supporters=[supporters[str(i)] for i in goal.supporter_ids or [] if str(i) in supporters],
        weight=selectors.goal_weight(goal, settings),
        rungs=rung_rows(found, bound, conflicts),
        done=found.done,
        next_rung=found.next_rung,
        events=event_lines(found.events),
        levels=level_rows(goal, latest),
        reviews=rows,
        level_words=level_words(goal),
        add_form=bound.get(keys["add"]) or forms.AddRungForm(rungs=len(found.rungs), auto_id=auto_id(keys["add"])),
        step_back_form=bound.get(keys["stepback"])
        or forms.StepBackForm(rungs=found.rungs, auto_id=auto_id(keys["stepback"])),
        # No level is chosen beforehand: a hurried save must not record an old level again.
        review_form=bound.get(keys["review"])
        or forms.ReviewForm(initial={"reviewed_on": today}, auto_id=auto_id(keys["review"])),
        error_form=in_error_form(goal, keys["error"], bound),
        replaces_today=replaces_today(rows, today),
        label=short(goal.title),
        open_forms={name for name, form_key in keys.items() if form_key in bound},
    )


# --- the whole tab ------------------------------------------------------------------------------------------


def goals_tab(
    patient: Any, *, today: date, bound: Bound | None = None, conflicts: Conflicts | None = None
) -> dict[str, Any]:
    """Everything the Goals tab shows. `bound` holds forms that came back with errors (or, after a stale edit,
    ready again at the saved version), by key; `conflicts` both versions of a stale edit, by the same key."""
    bound = bound or {}
    ladders = selectors.ladders(patient)
    goals = [found.goal for found in ladders]
    prefetch_related_objects(goals, "agreed_by")  # who agreed, for every goal in one query
    reviews = selectors.reviews_of(goals)
    supporters = {str(s.id): f"{s.name} ({s.relationship})" for s in selectors.supporters_for_goals(patient)}
    settings = selectors.gas_settings(patient.organisation_id)
    return {
        "value_groups": value_groups(list(selectors.values_of(patient)), bound, conflicts),
        "value_form": bound.get("value-new") or forms.ValueForm(auto_id=auto_id("value-new")),
        "value_form_open": "value-new" in bound,
        "goal_cards": [
            goal_card(
                found,
                reviews.get(found.goal.id, []),
                supporters,
                settings=settings,
                today=today,
                bound=bound,
                conflicts=conflicts,
            )
            for found in ladders
        ],
        "trend": gas_trend(selectors.gas_trend(patient), settings),
        "state_icons": STATE_ICONS,
    }
