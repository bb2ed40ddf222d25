"""The care team's Diary tab: the co-created set-up, a trajectory of chosen variables over weeks with therapy
sessions and questionnaires marked, a weekly summary, the completion rate, pacing (graded-activity steps and
boom-bust episodes) and the export.

The team sees only the parts of the diary the patient shares (`diary.selectors.team_parts`); the patient's
private notes never reach these pages unless shared. Every view opens the patient through the gateway
(audited).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from commonground.access import gateway
from commonground.access.routes import Audience, route
from commonground.audit.choices import Action
from commonground.careplans import selectors as plan_selectors
from commonground.clinician.diary_forms import PacingStepForm, SetUpForm, ShowForm, initial_from
from commonground.clinician.views import _chart
from commonground.diary import charts, csvfile, pacing, patterns, selectors, services
from commonground.diary.choices import STRUCTURED_PARTS, Part
from commonground.diary.definitions import Definition, InvalidSetUp, Item, build, higher_is_better
from commonground.diary.services import STARTING
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.http import post_only
from commonground.measures import selectors as measure_selectors
from commonground.patients.models import Patient

DEFAULT_WEEKS = 12


@route(Audience.CLINICIAN)
def diary(request: HttpRequest, patient_id: str) -> HttpResponse:
    """GET: the tab. POST: the same tab with the variables and weeks chosen (kept out of the address)."""
    patient = gateway.open_patient(request, patient_id, object_type="diary")
    return _tab(request, patient, choice=request.POST if request.method == "POST" else None)


def _tab(
    request: HttpRequest,
    patient: Patient,
    *,
    choice: Any = None,
    set_up_form: SetUpForm | None = None,
    step_form: PacingStepForm | None = None,
    status: int = 200,
) -> HttpResponse:
    set_up = selectors.set_up_of(patient)
    definition = selectors.definition_of(set_up)
    parts = selectors.team_parts(set_up)
    today = services.patient_today(patient)
    context: dict[str, Any] = {"set_up": set_up, "definition": definition, "parts": parts, "today": today}
    if set_up is not None and definition is not None:
        context.update(_trajectory(patient, set_up, definition, parts, today, choice))
        context["versions"] = list(selectors.versions_of(set_up))
    context["set_up_form"] = set_up_form or _set_up_form(set_up, definition)
    context["step_form"] = step_form or PacingStepForm(initial={"starts_on": today})
    context["steps"] = selectors.pacing_steps(patient)
    context["part_labels"] = dict(Part.choices)
    context["rules"] = {
        "fdr": patterns.DEFAULT_FDR,
        "min_days": patterns.DEFAULT_MIN_DAYS,
        "boom": pacing.BOOM_FACTOR,
        "flare": pacing.FLARE_RISE,
        "window": pacing.FLARE_WINDOW,
    }
    response = _chart(request, patient, "diary", "clinician/diary/tab.html", **context)
    response.status_code = status
    return response


def _set_up_form(set_up: Any, definition: Definition | None) -> SetUpForm:
    if definition is None:
        initial = {"track_sleep": True, "symptoms": [], "scales": ["energy", "mood"], "expected_version": STARTING}
        return SetUpForm(initial=initial)
    return SetUpForm(initial=initial_from(definition, set_up.current.number), current=definition)


def _trajectory(
    patient: Patient, set_up: Any, definition: Definition, parts: frozenset[str], today: date, choice: Any
) -> dict[str, Any]:
    table = selectors.diary_table(patient, parts=parts, since=today - timedelta(days=7 * 52 + 6))
    # The whole diary, read once: pacing and patterns are the patient's own, whatever the page shows.
    whole = selectors.diary_table(patient)
    variables = [(item.key, item.label) for item in table.columns]
    show_form = ShowForm(
        choice, variables=variables, initial={"weeks": DEFAULT_WEEKS, "show": _default_show(definition, table)}
    )
    chosen, weeks = _default_show(definition, table), DEFAULT_WEEKS
    if choice is not None and show_form.is_valid():
        chosen, weeks = show_form.cleaned_data["show"] or chosen, show_form.cleaned_data["weeks"]
    first = today - timedelta(days=7 * weeks - 1)
    labels = dict(variables)
    shown = [(key, labels[key], higher_is_better(key)) for key in chosen if key in labels]
    marks = _marks(patient, first, today)
    filled = {day for day, row in table.rows.items() if row}
    # Which days were filled in is itself something the patient shares: only with a structured part.
    shares_days = bool(parts & STRUCTURED_PARTS)
    daily_days = selectors.days_with_entries(patient, since=first, until=today) if shares_days else set()
    late_days = selectors.days_filled_in_late(patient, since=first, until=today) if shares_days else set()
    started = max(first, min([set_up.started_on, *daily_days]))
    done, total = selectors.completion(daily_days, since=started, until=today)
    return {
        "show_form": show_form,
        "weeks": weeks,
        "charts": charts.variable_charts(table.rows, shown, first=first, last=today, marks=marks),
        "marks": marks,
        "shown_columns": [Item(key, label) for key, label, _better in shown],
        "table_days": [(day, table.rows[day]) for day in sorted(table.rows, reverse=True) if day >= first],
        "late_days": late_days,
        "weekly": selectors.weekly_summary(
            table.rows, [key for key, _label, _better in shown], first=first, last=today, filled=daily_days
        ),
        "completion": (done, total) if shares_days else None,
        "has_entries": bool(filled),
        "episodes": _episodes(patient, definition, parts, today, whole),
        "written": selectors.written(patient, parts=parts, since=today - timedelta(days=27), until=today),
        "patterns": _team_patterns(whole, definition, table),
        "patterns_see_everything": parts >= STRUCTURED_PARTS,  # else some patterns may involve what is not shared
    }


def _team_patterns(whole: selectors.DiaryTable, definition: Definition, shared: selectors.DiaryTable) -> list[Any]:
    """The patient's own findings (the same family and q-values as their page), only those about shared parts."""
    shown = {item.key for item in shared.columns}
    return selectors.personal_patterns(whole, definition, words=translation, shown=shown)


def _default_show(definition: Definition, table: selectors.DiaryTable) -> list[str]:
    present = {item.key for item in table.columns}
    wanted = [*definition.outcomes, *definition.rating_keys[:3], "activity_load"]
    return [key for key in dict.fromkeys(wanted) if key in present][:5]


def _marks(patient: Patient, first: date, last: date) -> list[charts.Mark]:
    """Therapy sessions and completed questionnaires in the period, as marks on every chart."""
    found = [
        charts.Mark(session.held_on, "session", _("Therapy session"))
        for session in plan_selectors.sessions_of(patient)
        if first <= session.held_on <= last
    ]
    for response in measure_selectors.completed_responses(patient.id):
        day = clock.local_date(response.completed_at, patient.time_zone) if response.completed_at else None
        if day is not None and first <= day <= last:
            instrument = measure_selectors.instrument_or_none(response.instrument)
            name = instrument.short_name if instrument else response.instrument
            found.append(charts.Mark(day, "questionnaire", _("Questionnaire: %(name)s") % {"name": name}))
    return sorted(found, key=lambda mark: mark.day)


def _episodes(
    patient: Patient, definition: Definition, parts: frozenset[str], today: date, whole: selectors.DiaryTable
) -> list[pacing.Episode]:
    """The last eight boom-bust episodes, from the whole diary, when activities and ratings are shared."""
    picture = selectors.pacing_picture(patient, definition, today=today, parts=parts, whole=whole)
    return picture.episodes[-8:] if picture else []


# --- writes -----------------------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
@post_only
def save_set_up(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Start the diary or save its changed set-up as a new version (entries keep the version they were made with)."""
    patient = gateway.open_patient(request, patient_id, action=Action.UPDATE, object_type="diary_set_up")
    current = selectors.definition_of(selectors.set_up_of(patient))
    form = SetUpForm(request.POST, current=current)
    if not form.is_valid():
        return _tab(request, patient, set_up_form=form, status=400)
    try:
        definition = build(**form.build_arguments())
        services.set_up_diary(
            patient,
            definition=definition,
            by=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["expected_version"] or STARTING,
        )
    except InvalidSetUp as error:
        form.add_error(error.field if error.field in form.fields else None, error.reason)
        return _tab(request, patient, set_up_form=form, status=400)
    except StaleEdit:
        form.add_error(
            None, _("A colleague changed the set-up after you opened it. Nothing was saved; please look again.")
        )
        return _tab(request, patient, set_up_form=form, status=409)
    except DomainError as error:
        form.add_error(None, error.message)
        return _tab(request, patient, set_up_form=form, status=400)
    messages.success(request, _("The diary's set-up is saved."))
    return redirect(reverse("clinician:diary", args=[patient.id]) + "#set-up")


@route(Audience.CLINICIAN)
@post_only
def add_pacing_step(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, action=Action.UPDATE, object_type="pacing_step")
    form = PacingStepForm(request.POST)
    if form.is_valid():
        try:
            services.add_pacing_step(patient, **form.cleaned_data, by=request.user)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The graded-activity step is saved."))
            return redirect(reverse("clinician:diary", args=[patient.id]) + "#pacing")
    return _tab(request, patient, step_form=form, status=400)


@route(Audience.CLINICIAN)
@post_only
def pacing_step_in_error(request: HttpRequest, patient_id: str, step_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, action=Action.ENTERED_IN_ERROR, object_type="pacing_step")
    step = selectors.pacing_step_of(patient, step_id)
    if step is None:
        raise Http404()
    try:
        version = int(request.POST.get("expected_version") or 0)
        services.step_in_error(step, expected_version=version, reason=request.POST.get("reason", ""))
    except (DomainError, ValueError) as error:
        messages.error(request, getattr(error, "message", _("The step was changed meanwhile; please look again.")))
    else:
        messages.success(request, _("The step is marked as entered in error and no longer counts in the plan."))
    return redirect(reverse("clinician:diary", args=[patient.id]) + "#pacing")


@route(Audience.CLINICIAN)
def export_diary(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The shared parts of the diary as a tidy CSV (`date` and one column per variable; empty when missing)."""
    patient = gateway.open_patient(
        request, patient_id, action=Action.EXPORT, object_type="diary", allow_break_glass=False
    )
    table = selectors.diary_table(patient, parts=selectors.team_parts(selectors.set_up_of(patient)))
    text = csvfile.write_csv(table.rows, [item.key for item in table.columns])
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="diary-export.csv"'
    return response
