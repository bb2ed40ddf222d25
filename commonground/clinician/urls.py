from django.urls import path

from commonground.clinician import (
    careplan_urls,
    conversations_urls,
    coordination_urls,
    diary_urls,
    goals_urls,
    groups_urls,
    measures_urls,
    notes_urls,
    referrals_urls,
    registry_urls,
    safety_urls,
    views,
)

app_name = "clinician"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("patients/new/", views.register_patient, name="register"),
    path("patients/<uuid:patient_id>/", views.chart, name="chart"),
    path("patients/<uuid:patient_id>/edit/", views.edit_patient, name="edit"),
    path("patients/<uuid:patient_id>/team/", views.care_team, name="care_team"),
    path("patients/<uuid:patient_id>/team/<uuid:member_id>/end/", views.end_membership, name="end_membership"),
    path("patients/<uuid:patient_id>/consents/", views.consents, name="consents"),
    path(
        "patients/<uuid:patient_id>/consents/<uuid:consent_id>/withdraw/",
        views.withdraw_consent,
        name="withdraw_consent",
    ),
    path("patients/<uuid:patient_id>/in-error/<str:kind>/<uuid:record_id>/", views.mark_in_error, name="mark_in_error"),
    path("patients/<uuid:patient_id>/episodes/start/", views.start_episode, name="start_episode"),
    path("patients/<uuid:patient_id>/episodes/<uuid:episode_id>/end/", views.end_episode, name="end_episode"),
    path("patients/<uuid:patient_id>/history/", views.history, name="history"),
    path("patients/<uuid:patient_id>/invite/", views.invite, name="invite"),
]
urlpatterns += measures_urls.urlpatterns + registry_urls.urlpatterns
urlpatterns += goals_urls.urlpatterns + careplan_urls.urlpatterns + notes_urls.urlpatterns
urlpatterns += diary_urls.urlpatterns
urlpatterns += coordination_urls.urlpatterns + referrals_urls.urlpatterns
urlpatterns += conversations_urls.urlpatterns + safety_urls.urlpatterns
urlpatterns += groups_urls.urlpatterns
