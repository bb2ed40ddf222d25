"""URLs of the clinician's careplan pages (kept apart so the chart shell's urls.py stays short)."""

from django.urls import URLPattern, path

from commonground.clinician import careplan_views as views

PLAN = "patients/<uuid:patient_id>/careplan/"

urlpatterns: list[URLPattern] = [
    path(PLAN, views.care_plan, name="care_plan"),
    path(PLAN + "edit/", views.edit_care_plan, name="edit_care_plan"),
    path(PLAN + "elements/new/", views.add_plan_element, name="add_plan_element"),
    path(PLAN + "elements/<uuid:element_id>/", views.edit_plan_element, name="edit_plan_element"),
    path(PLAN + "sessions/new/", views.record_session, name="record_session"),
    path(PLAN + "sessions/<uuid:session_id>/", views.therapy_session, name="therapy_session"),
    path(PLAN + "sessions/<uuid:session_id>/correct/", views.correct_session, name="correct_session"),
    path(PLAN + "sessions/<uuid:session_id>/in-error/", views.session_in_error, name="session_in_error"),
    path(PLAN + "practice/new/", views.assign_home_practice, name="assign_home_practice"),
    path(PLAN + "practice/<uuid:practice_id>/change/", views.change_home_practice, name="change_home_practice"),
    path(PLAN + "practice/<uuid:practice_id>/end/", views.end_home_practice, name="end_home_practice"),
    path(PLAN + "practice/<uuid:practice_id>/in-error/", views.practice_in_error, name="practice_in_error"),
    path(PLAN + "end/", views.end_therapy, name="end_therapy"),
    path(PLAN + "resume/", views.resume_therapy, name="resume_therapy"),
]
