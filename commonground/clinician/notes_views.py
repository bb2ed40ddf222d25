"""The care team's notes pages (chart tab): the notes, writing and editing one, marking one entered in error,
and the note-language check's suggestions with a Dismiss button each. Only a note's author changes it or
dismisses its suggestions (the notes service decides; the pages offer it to the author only). A changed note
shows who changed it and its earlier wordings.

The wording check advises and never blocks: saving always saves, and the suggestions are shown afterwards.
Each view parses input, opens the patient through the access gateway, calls one service or selector, renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonground.access import gateway
from commonground.access.routes import Audience, route
from commonground.clinician import notes_forms as forms
from commonground.clinician.measures_views import _next_or
from commonground.clinician.views import _apply_error, _chart
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.http import post_only
from commonground.notes import selectors, services
from commonground.notes.models import Note
from commonground.notes.selectors import ShownSuggestion

NOTES_PER_PAGE = 20


@dataclass(frozen=True)
class Segment:
    text: str
    marked: bool


@dataclass(frozen=True)
class NoteShown:
    """A note as the pages show it: its text in segments (the phrases of open suggestions marked) and those
    suggestions."""

    note: Note
    segments: list[Segment]
    suggestions: list[ShownSuggestion]


def marked_segments(text: str, suggestions: list[ShownSuggestion]) -> list[Segment]:
    """The text cut into plain and marked parts, one mark per suggested phrase (overlapping phrases merge).

    A suggestion is placed at its `start`; one without (the contract's default) is found in the text, searching
    on from where the one before it was found, as the suggestions come in text order.
    """
    spans: list[tuple[int, int]] = []
    cursor = 0
    for suggestion in suggestions:
        start = suggestion.start
        if start is None or text[start : start + len(suggestion.phrase)] != suggestion.phrase:
            start = text.find(suggestion.phrase, cursor) if suggestion.phrase else -1
        if start < 0:
            continue
        spans.append((start, start + len(suggestion.phrase)))
        cursor = start
    return _segments(text, _merged(sorted(spans)))


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _segments(text: str, spans: list[tuple[int, int]]) -> list[Segment]:
    segments: list[Segment] = []
    position = 0
    for start, end in spans:
        if start > position:
            segments.append(Segment(text[position:start], marked=False))
        segments.append(Segment(text[start:end], marked=True))
        position = end
    if position < len(text):
        segments.append(Segment(text[position:], marked=False))
    return segments


def note_shown(note: Note, found: list[ShownSuggestion] | None = None) -> NoteShown:
    """The note with its open suggestions marked (`found`, when the caller has read them for many notes)."""
    found = selectors.open_suggestions(note) if found is None else found
    return NoteShown(note=note, segments=marked_segments(note.text, found), suggestions=found)


@dataclass(frozen=True)
class NoteVersion:
    """One saved wording of a note, from its record history."""

    version: int
    text: str
    by: str  # who saved it ("" when the history does not say)
    at: datetime
    reason: str


@dataclass(frozen=True)
class NoteVersions:
    """A changed note's history as the pages show it: who changed it last and when, the earlier wordings."""

    changed_by: str
    changed_at: datetime
    earlier: list[NoteVersion]  # newest first


def note_versions(notes: list[Note]) -> dict[UUID, NoteVersions]:
    """The history of each changed note (version > 1), read for all of them in one query."""
    changed = {note.id: note for note in notes if note.version > 1}
    if not changed:
        return {}
    rows = (
        Note.history.filter(id__in=list(changed)).select_related("history_user").order_by("-version", "-history_date")
    )
    saved: dict[UUID, dict[int, NoteVersion]] = {note_id: {} for note_id in changed}
    for row in rows:
        by = row.history_user.display_name if row.history_user is not None else ""
        reason = row.history_change_reason or ""
        saved[row.id].setdefault(row.version, NoteVersion(row.version, row.text, by, row.history_date, reason))
    found: dict[UUID, NoteVersions] = {}
    for note_id, note in changed.items():
        versions = saved[note_id]
        latest = versions.get(note.version)
        earlier = [versions[number] for number in sorted(versions, reverse=True) if number < note.version]
        found[note_id] = NoteVersions(
            changed_by=latest.by if latest is not None else "",
            changed_at=latest.at if latest is not None else note.updated_at,
            earlier=earlier,
        )
    return found


def saved_message(request: HttpRequest, note: Note, saved: str) -> None:
    """Tell the clinician the note is saved and, if the wording check has suggestions, that they are shown."""
    count = len(selectors.open_suggestions(note))
    if count:
        advice = ngettext(
            "The wording check has %(num)d suggestion on it, shown with the note. It only advises.",
            "The wording check has %(num)d suggestions on it, shown with the note. They only advise.",
            count,
        ) % {"num": count}
        messages.info(request, f"{saved} {advice}")
    else:
        messages.success(request, saved)


# --- the Notes tab ------------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def notes(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="notes")
    form = forms.NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        note = _write(request, patient, form)
        if note is not None:
            return redirect(reverse("clinician:notes", args=[patient.id]) + f"#note-{note.id}")
    chosen = forms.KindFilterForm(request.GET or None, auto_id="filter_%s")
    kind = chosen.cleaned_data["kind"] if chosen.is_valid() else ""
    page = _page(request, selectors.notes_of(patient, kind=kind or None))
    listed = list(page.object_list)
    suggestions = selectors.open_suggestions_of(listed)  # in the order of `listed`
    return _chart(
        request,
        patient,
        "notes",
        "clinician/notes/tab.html",
        form=form,
        filter_form=chosen,
        kind=kind,
        page=page,
        shown=[note_shown(note, found) for note, found in zip(listed, suggestions.values(), strict=True)],
        versions=note_versions(listed),
        in_error_forms={note.id: _in_error_form(note) for note in listed},
        here=request.get_full_path(),
    )


def _write(request: HttpRequest, patient: Any, form: forms.NoteForm) -> Note | None:
    try:
        data = form.cleaned_data
        note = services.write_note(
            patient, kind=data["kind"], text=data["text"], by=request.user, language=data["language"]
        )
    except DomainError as error:
        _apply_error(form, error)
        return None
    saved_message(request, note, _("The note is saved."))
    return note


def _in_error_form(note: Note) -> forms.NoteInErrorForm:
    """One per note on the page, each with its own ids."""
    return forms.NoteInErrorForm(initial={"version": note.version}, auto_id=f"in_error_{note.id}_%s")


def _page(request: HttpRequest, found: Any) -> Page[Note]:
    return Paginator(found, NOTES_PER_PAGE).get_page(request.GET.get("page"))


# --- one note -----------------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def edit_note(request: HttpRequest, patient_id: str, note_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="note", object_id=str(note_id))
    note = _note_or_404(patient, note_id)
    back = _next_or(request, reverse("clinician:notes", args=[patient.id]) + f"#note-{note.id}")
    initial = {"text": note.text, "version": note.version, "next": back}
    form = forms.NoteEditForm(request.POST or None, initial=initial)
    conflict, typed, conflict_message = None, "", ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            note = services.edit_note(
                note, expected_version=data["version"], text=data["text"], reason=data["reason"], by=request.user
            )
        except StaleEdit as error:
            # Show both: the note as saved meanwhile, and what was typed; the form starts again from the saved one.
            conflict, typed, conflict_message = error.current, data["text"], error.message
            form = forms.NoteEditForm(initial={"text": conflict.text, "version": conflict.version, "next": back})
        except DomainError as error:
            _apply_error(form, error)
        else:
            saved_message(request, note, _("The note is changed."))
            return redirect(back)
    return _chart(
        request,
        patient,
        "notes",
        "clinician/notes/edit.html",
        note=note,
        shown=note_shown(note),
        versions=note_versions([note]).get(note.id),
        is_author=note.author_id == request.user.pk,
        form=form,
        conflict=conflict,
        typed=typed,
        conflict_message=conflict_message,
        back=back,
    )


@route(Audience.CLINICIAN)
@post_only
def note_in_error(request: HttpRequest, patient_id: str, note_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="note", object_id=str(note_id))
    note = _note_or_404(patient, note_id)
    form = forms.NoteInErrorForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Please say why this note was entered in error."))
        services.mark_note_in_error(
            note, expected_version=form.cleaned_data["version"], reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The note is marked as entered in error. It stays in the record history."))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(reverse("clinician:notes", args=[patient.id]) + f"#note-{note.id}")
    return redirect("clinician:notes", patient_id=patient.id)


@route(Audience.CLINICIAN)
@post_only
def dismiss_suggestion(request: HttpRequest, patient_id: str, note_id: str, suggestion_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="note", object_id=str(note_id))
    note = _note_or_404(patient, note_id)
    suggestion = selectors.suggestion_of(note, suggestion_id)
    if suggestion is None:
        raise Http404()
    try:
        services.dismiss_suggestion(suggestion, by=request.user)
        messages.success(request, _("The suggestion is dismissed."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(_next_or(request, reverse("clinician:notes", args=[patient.id]) + f"#note-{note.id}"))


def _note_or_404(patient: Any, note_id: str) -> Note:
    note = selectors.note_of(patient, note_id)
    if note is None:
        raise Http404()
    return note
