"""URLs of the clinician's notes pages (kept apart so the chart shell's urls.py stays short)."""

from django.urls import URLPattern, path

from commonground.clinician import notes_views as views

NOTE = "patients/<uuid:patient_id>/notes/<uuid:note_id>/"

urlpatterns: list[URLPattern] = [
    path("patients/<uuid:patient_id>/notes/", views.notes, name="notes"),
    path(NOTE + "edit/", views.edit_note, name="edit_note"),
    path(NOTE + "in-error/", views.note_in_error, name="note_in_error"),
    path(
        NOTE + "suggestions/<uuid:suggestion_id>/dismiss/",
        views.dismiss_suggestion,
        name="dismiss_note_suggestion",
    ),
]
