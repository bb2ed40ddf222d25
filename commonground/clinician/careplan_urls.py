"""URLs of the clinician's careplan pages (kept apart so the chart shell's urls.py stays short)."""

from django.urls import URLPattern, path

from commonground.clinician import careplan_views as views

urlpatterns: list[URLPattern] = [
    path("patients/<uuid:patient_id>/careplan/", views.care_plan, name="care_plan"),
]
