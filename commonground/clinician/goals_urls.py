"""URLs of the clinician's goals pages (kept apart so the chart shell's urls.py stays short)."""

from django.urls import URLPattern, path

from commonground.clinician import goals_views as views

urlpatterns: list[URLPattern] = [
    path("patients/<uuid:patient_id>/goals/", views.goals, name="goals"),
]
