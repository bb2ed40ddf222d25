"""URLs of the clinician's notes pages (kept apart so the chart shell's urls.py stays short)."""

from django.urls import URLPattern, path

from commonground.clinician import notes_views as views

urlpatterns: list[URLPattern] = [
    path("patients/<uuid:patient_id>/notes/", views.notes, name="notes"),
]
