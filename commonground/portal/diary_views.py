"""The patient's diary pages: the diary home (today, the last days, charts, small wins, pacing), the day's entry,
an extra check-in, "what goes with my better days", what the team sees and reminders, and the export.

Each view opens the patient's own record through the gateway (the audit event), calls the diary domain and
renders. Words are kind: a gap is never counted against anyone, a busy day is information, never a fault.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from commonground.access import gateway
from commonground.access.relationships import SELF
from commonground.access.routes import Audience, route
from commonground.audit.choices import Action
from commonground.careplans import selectors as plan_selectors
from commonground.diary import charts, csvfile, pacing, patterns, selectors, services
from commonground.diary.definitions import Definition, Item, from_json, higher_is_better
from commonground.diary.models import DiaryEntry, DiarySetUp
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.http import post_only, service_is_the_transaction
from commonground.patients.models import Patient
from commonground.portal.diary_forms import EntryForm, ReminderForm, SharingForm, initial_from

PERIODS = {"week": 7, "month": 30}
EPISODE_DAYS = 28  # a boom-bust is mentioned to the patient for four weeks
PHONE_CHART_WIDTH, PHONE_CHART_HEIGHT = 360, 200  # drawn at about a phone's width: labels stay readable


def _own(request: HttpRequest, *, action: str = Action.READ, object_type: str = "diary") -> Patient:
    return gateway.own_patient_record(request.user, action=action, object_type=object_type)


def _diary(patient: Patient) -> tuple[DiarySetUp, Definition]:
    set_up = selectors.set_up_of(patient)
    definition = selectors.definition_of(set_up)
    if set_up is None or definition is None:
        raise Http404()
    return set_up, definition


def _not_set_up(request: HttpRequest, patient: Patient) -> HttpResponse:
    return render(request, "portal/diary/not_set_up.html", {"patient": patient, "section": "diary"})


# --- the diary home ------------------------------------------------------------------------------------------


@route(Audience.PATIENT, relationships=(SELF,))
def my_diary(request: HttpRequest) -> HttpResponse:
    patient = _own(request)
    set_up = selectors.set_up_of(patient)
    definition = selectors.definition_of(set_up)
    if set_up is None or definition is None:
        return _not_set_up(request, patient)
    today = services.patient_today(patient)
    period = request.GET.get("period", "week")
    days_shown = PERIODS.get(period, 7)
    first = today - timedelta(days=days_shown - 1)
    table = selectors.diary_table(patient)  # the whole diary, read once: charts show a window, pacing all of it
    filled = selectors.days_with_entries(patient, since=min(set_up.started_on, first), until=today)
    pacing_view = selectors.pacing_picture(patient, definition, today=today, whole=table)
    shown = [(item.key, item.label, higher_is_better(item.key)) for item in _chart_variables(definition)]
    return render(
        request,
        "portal/diary/home.html",
        {
            "patient": patient,
            "section": "diary",
            "today": today,
            "definition": definition,
            "recent_days": _recent_days(patient, today),
            "check_ins": [entry for entry in selectors.entries_of(patient, since=today) if not entry.is_daily],
            "labels": {item.key: item.label for item in definition.variables()},
            "streak": selectors.streak(filled, today),
            "this_week": selectors.completion(filled, since=today - timedelta(days=6), until=today)[0],
            "period": period if period in PERIODS else "week",
            "charts": charts.variable_charts(
                table.rows, shown, first=first, last=today, width=PHONE_CHART_WIDTH, height=PHONE_CHART_HEIGHT
            ),
            "table_days": [(day, table.rows.get(day, {})) for day in _days(first, today)],
            "table_columns": [Item(key, label) for key, label, _better in shown],
            "pacing": pacing_view,
            "episode": _latest_episode(pacing_view, today),
            "wins": selectors.small_wins(patient, limit=10),
            "warning_signs": definition.warning_signs,
        },
    )


def _latest_episode(view: selectors.PacingPicture | None, today: date) -> pacing.Episode | None:
    """Only the most recent boom-bust of the last four weeks: help for planning, never a tally."""
    recent = [e for e in (view.episodes if view else []) if e.flare_on >= today - timedelta(days=EPISODE_DAYS)]
    return recent[-1] if recent else None


def _chart_variables(definition: Definition) -> list[Item]:
    chosen = [*definition.outcomes, *[key for key in definition.rating_keys if key not in definition.outcomes]]
    labels = {item.key: item.label for item in definition.variables()}
    return [Item(key, labels[key]) for key in chosen if key in labels]


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _recent_days(patient: Patient, today: date) -> list[tuple[date, DiaryEntry | None]]:
    """Today and the last three days, each with its entry if there is one (the ones without can be filled in)."""
    entries = {
        entry.day: entry
        for entry in selectors.entries_of(patient, since=today - timedelta(days=services.LATE_DAYS), until=today)
        if entry.is_daily
    }
    return [(day, entries.get(day)) for day in reversed(_days(today - timedelta(days=services.LATE_DAYS), today))]


# --- the day's entry ------------------------------------------------------------------------------------------


def _practice_items(patient: Patient, definition: Definition, on: date, kept: list[str]) -> list[Item]:
    """The care plan's practice that ran that day (also if ended since), the patient's own, and any practice the
    entry already holds (so changing an entry never drops a tick)."""
    plan = [
        Item(services.PLAN_PRACTICE_PREFIX + str(practice_id), title)
        for practice_id, title in plan_selectors.practice_titles(patient, on=on)
    ]
    items = {item.key: item for item in [*plan, *definition.own_practice]}
    for key in kept:
        items.setdefault(key, Item(key, _("Practice no longer on your list")))
    return list(items.values())


@service_is_the_transaction
@route(Audience.PATIENT, relationships=(SELF,))
def day_entry(request: HttpRequest, day: str) -> HttpResponse:
    """Today's entry, or one of the last three days'; the entry already there is changed, never doubled."""
    writing = request.method == "POST"
    patient = _own(request, action=Action.UPDATE if writing else Action.READ, object_type="diary_entry")
    set_up, current = _diary(patient)
    on = _day_in_window(patient, day)
    entry = selectors.daily_entry_on(patient, on)
    definition = _definition_of(entry) if entry else current
    kept = entry.practice if entry else []
    form_args: dict[str, Any] = {"definition": definition, "practice": _practice_items(patient, definition, on, kept)}
    page = EntryPage(patient, on, entry, set_up)
    if not writing:
        initial = initial_from(selectors.values_of(entry)) if entry else {}
        if entry:
            initial["expected_version"] = entry.version
        return _entry_page(request, page, EntryForm(initial=initial, **form_args))
    form = EntryForm(request.POST, **form_args)
    if not form.is_valid():
        return _entry_page(request, page, form, status=400)
    key = form.cleaned_data["submission_key"]
    if entry is not None and key is not None and entry.submission_key == key:
        return _saved(request, entry, changed=False)  # the same form sent twice (a double tap): saved once
    if entry is not None and form.cleaned_data["expected_version"] is None:
        return _made_elsewhere(request, page, form, entry)
    return _save_entry(request, page, form)


@dataclass(frozen=True)
class EntryPage:
    patient: Patient
    on: date
    entry: DiaryEntry | None
    set_up: DiarySetUp

    @property
    def shared(self) -> frozenset[str]:
        return frozenset(self.set_up.shared_parts)


def _save_entry(request: HttpRequest, page: EntryPage, form: EntryForm) -> HttpResponse:
    try:
        if page.entry is None:
            saved = services.record_entry(
                page.patient,
                day=page.on,
                values=form.values(),
                submission_key=form.cleaned_data["submission_key"],
                set_up=page.set_up,
                practice=[item.key for item in form.practice_items],
            )
        else:
            expected = form.cleaned_data["expected_version"]
            saved = services.edit_entry(page.entry, values=form.values(), expected_version=expected)
    except StaleEdit as stale:
        return _made_elsewhere(request, page, form, stale.current)
    except DomainError as error:
        if error.field == "day" or "already an entry" in error.message:
            fresh = selectors.daily_entry_on(page.patient, page.on)
            if fresh is not None:
                return _made_elsewhere(request, page, form, fresh)
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _entry_page(request, page, form, status=400)
    return _saved(request, saved, changed=page.entry is not None)


def _made_elsewhere(request: HttpRequest, page: EntryPage, form: EntryForm, saved: DiaryEntry) -> HttpResponse:
    """The day's entry was saved (or changed) in another window meanwhile: nothing typed here is lost. The form
    comes back with these answers, now set to replace the saved entry if sent again."""
    data = request.POST.copy()
    data["expected_version"] = str(saved.version)
    form = EntryForm(data, definition=form.definition, practice=form.practice_items)
    form.is_valid()
    form.add_error(
        None,
        _(
            "This day's entry was saved in another window or on another device just now. Your answers here are "
            "not saved yet: save them to replace it, or go back to my diary to keep the saved one."
        ),
    )
    return _entry_page(request, replace(page, entry=saved), form, status=409)


def _saved(request: HttpRequest, entry: DiaryEntry, *, changed: bool) -> HttpResponse:
    messages.success(request, _saved_message(entry, changed))
    return redirect(reverse("portal:diary") + "#today")


def _definition_of(entry: DiaryEntry) -> Definition:
    return from_json(entry.made_with.definition)


def _saved_message(entry: DiaryEntry, changed: bool) -> str:
    if changed:
        return _("Your changes are saved.")
    if entry.late:
        return _("Thank you. Your entry for %(day)s is saved.") % {"day": date_format(entry.day, "l j F")}
    return _("Thank you. Today's entry is saved.")


def _entry_page(request: HttpRequest, page: EntryPage, form: EntryForm, *, status: int = 200) -> HttpResponse:
    today = services.patient_today(page.patient)
    context = {
        "patient": page.patient,
        "section": "diary",
        "form": form,
        "on": page.on,
        "today": today,
        "entry": page.entry,
        "late": page.on < today,
        "shared": page.shared,
    }
    return render(request, "portal/diary/entry.html", context, status=status)


def _day_in_window(patient: Patient, text: str) -> date:
    """The day in the address, if it is today or one of the last three days in the patient's time zone, written
    the one way (YYYY-MM-DD); any other day is not a page (404)."""
    on = _parse_day(text)
    today = services.patient_today(patient)
    if on.isoformat() != text or not today - timedelta(days=services.LATE_DAYS) <= on <= today:
        raise Http404()
    return on


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Http404() from None


@route(Audience.PATIENT, relationships=(SELF,))
def check_in(request: HttpRequest) -> HttpResponse:
    """An extra check-in now: ratings and a note. A day's check-ins are averaged with its entry."""
    writing = request.method == "POST"
    patient = _own(request, action=Action.UPDATE if writing else Action.READ, object_type="diary_entry")
    set_up, definition = _diary(patient)
    form = EntryForm(request.POST if writing else None, definition=definition, check_in=True)
    if writing and form.is_valid():
        try:
            services.record_check_in(patient, values=form.values(), submission_key=form.cleaned_data["submission_key"])
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Thank you. Your check-in is saved."))
            return redirect("portal:diary")
    return render(
        request,
        "portal/diary/check_in.html",
        {"patient": patient, "section": "diary", "form": form, "shared": frozenset(set_up.shared_parts)},
        status=400 if writing else 200,
    )


@route(Audience.PATIENT, relationships=(SELF,))
@post_only
def remove_entry(request: HttpRequest, entry_id: str) -> HttpResponse:
    patient = _own(request, action=Action.ENTERED_IN_ERROR, object_type="diary_entry")
    entry = selectors.entry_of(patient, entry_id)
    if entry is None:
        raise Http404()
    try:
        services.remove_entry(entry, expected_version=int(request.POST.get("expected_version") or 0))
    except (DomainError, ValueError):
        messages.error(request, _("This entry was changed in the meantime, so it was not removed. Please look again."))
    else:
        messages.success(request, _("The entry is removed."))
    return redirect("portal:diary")


# --- what goes with my better days ------------------------------------------------------------------------


@route(Audience.PATIENT, relationships=(SELF,))
def my_patterns(request: HttpRequest) -> HttpResponse:
    patient = _own(request, object_type="diary_patterns")
    _set_up, definition = _diary(patient)
    table = selectors.diary_table(patient)
    found = selectors.personal_patterns(table, definition, words=translation)
    days = len([row for row in table.rows.values() if any(value is not None for value in row.values())])
    return render(
        request,
        "portal/diary/patterns.html",
        {
            "patient": patient,
            "section": "diary",
            "patterns": found,
            "days": days,
            "min_days": patterns.DEFAULT_MIN_DAYS,
            "outcomes": get_text_list([table_label(table, key) for key in definition.outcomes], _("and")),
        },
    )


def table_label(table: selectors.DiaryTable, key: str) -> str:
    return next((item.label for item in table.columns if item.key == key), key)


# --- what my team sees, reminders, export ----------------------------------------------------------------------


@route(Audience.PATIENT, relationships=(SELF,))
def diary_settings(request: HttpRequest) -> HttpResponse:
    patient = _own(request)
    set_up, _definition = _diary(patient)
    return _settings_page(request, patient, set_up)


def _settings_page(
    request: HttpRequest,
    patient: Patient,
    set_up: DiarySetUp,
    *,
    sharing: SharingForm | None = None,
    reminder: ReminderForm | None = None,
    status: int = 200,
) -> HttpResponse:
    sharing = sharing or SharingForm(initial={"parts": set_up.shared_parts, "expected_version": set_up.version})
    reminder = reminder or ReminderForm(
        initial={
            "remind": set_up.reminder_at is not None,
            "at": set_up.reminder_at,
            "quiet_from": set_up.quiet_from,
            "quiet_until": set_up.quiet_until,
            "expected_version": set_up.version,
        }
    )
    context = {"patient": patient, "section": "diary", "sharing": sharing, "reminder": reminder, "set_up": set_up}
    return render(request, "portal/diary/settings.html", context, status=status)


@route(Audience.PATIENT, relationships=(SELF,))
@post_only
def save_sharing(request: HttpRequest) -> HttpResponse:
    patient = _own(request, action=Action.UPDATE, object_type="diary_sharing")
    set_up, _definition = _diary(patient)
    form = SharingForm(request.POST)
    if form.is_valid():
        try:
            services.set_sharing(
                patient, parts=form.cleaned_data["parts"], expected_version=form.cleaned_data["expected_version"]
            )
        except StaleEdit:
            return _changed_elsewhere(request)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Saved. Your care team now sees only what you ticked."))
            return redirect("portal:diary_settings")
    return _settings_page(request, patient, set_up, sharing=form, status=400)


@route(Audience.PATIENT, relationships=(SELF,))
@post_only
def save_reminder(request: HttpRequest) -> HttpResponse:
    patient = _own(request, action=Action.UPDATE, object_type="diary_reminder")
    set_up, _definition = _diary(patient)
    form = ReminderForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.set_reminder(
                patient,
                at=data["at"] if data["remind"] else None,
                quiet_from=data["quiet_from"],
                quiet_until=data["quiet_until"],
                expected_version=data["expected_version"],
            )
        except StaleEdit:
            return _changed_elsewhere(request)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Saved. Your reminder settings are changed."))
            return redirect("portal:diary_settings")
    return _settings_page(request, patient, set_up, reminder=form, status=400)


def _changed_elsewhere(request: HttpRequest) -> HttpResponse:
    """Settings saved meanwhile in another window: show them as they are now, fresh, and say so kindly."""
    messages.info(
        request,
        _("Your settings were changed in another window just now. Here they are as saved: make your change again."),
    )
    return redirect("portal:diary_settings")


@route(Audience.PATIENT, relationships=(SELF,))
def export_diary(request: HttpRequest) -> HttpResponse:
    """My whole diary as a tidy CSV: a `date` column and one column per variable, an empty cell where missing."""
    patient = _own(request, action=Action.EXPORT)
    _diary(patient)
    table = selectors.diary_table(patient)
    text = csvfile.write_csv(table.rows, [item.key for item in table.columns])
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-diary.csv"'
    return response
