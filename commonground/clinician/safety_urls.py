"""URLs of the clinician's safety pages (kept apart so the chart shell's urls.py stays short)."""

from django.urls import URLPattern, path

from commonground.clinician import safety_views as views

urlpatterns: list[URLPattern] = [
    path("alerts/", views.alerts, name="alerts"),
    path("patients/<uuid:patient_id>/alerts/new/", views.raise_concern, name="raise_concern"),
    path("patients/<uuid:patient_id>/alerts/<uuid:alert_id>/", views.alert, name="alert"),
    path(
        "patients/<uuid:patient_id>/alerts/<uuid:alert_id>/acknowledge/",
        views.acknowledge_alert,
        name="acknowledge_alert",
    ),
    path("patients/<uuid:patient_id>/alerts/<uuid:alert_id>/note/", views.add_alert_note, name="alert_note"),
    path("patients/<uuid:patient_id>/safety-plan/", views.safety_plan, name="safety_plan"),
    path("patients/<uuid:patient_id>/safety-plan/edit/", views.edit_safety_plan, name="edit_safety_plan"),
    path("patients/<uuid:patient_id>/safety-plan/history/", views.safety_plan_history, name="safety_plan_history"),
]
