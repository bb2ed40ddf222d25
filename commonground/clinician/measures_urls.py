"""URLs of the clinician's measures pages (kept apart so the chart shell's urls.py stays short)."""

from django.urls import URLPattern, path

from commonground.clinician import measures_views as views

urlpatterns: list[URLPattern] = [
    path("patients/<uuid:patient_id>/measures/", views.measures, name="measures"),
    path("patients/<uuid:patient_id>/measures/enter/<str:instrument_id>/", views.enter_response, name="enter_response"),
    path("patients/<uuid:patient_id>/responses/<uuid:response_id>/", views.response, name="response"),
    path(
        "patients/<uuid:patient_id>/responses/<uuid:response_id>/in-error/",
        views.response_in_error,
        name="response_in_error",
    ),
    path("patients/<uuid:patient_id>/case-review/", views.flag_for_case_review, name="flag_for_case_review"),
]
