"""URLs of the care team's Diary tab."""

from django.urls import URLPattern, path

from commonground.clinician import diary_views as views

DIARY = "patients/<uuid:patient_id>/diary/"

urlpatterns: list[URLPattern] = [
    path(DIARY, views.diary, name="diary"),
    path(DIARY + "set-up/", views.save_set_up, name="diary_set_up"),
    path(DIARY + "pacing/", views.add_pacing_step, name="diary_pacing_step"),
    path(DIARY + "pacing/<uuid:step_id>/in-error/", views.pacing_step_in_error, name="diary_pacing_step_in_error"),
    path(DIARY + "export.csv", views.export_diary, name="diary_export"),
]
