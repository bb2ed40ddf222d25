"""URLs of the clinician's goals pages (kept apart so the chart shell's urls.py stays short)."""

from django.urls import URLPattern, path

from commonground.clinician import goals_views as views

GOALS = "patients/<uuid:patient_id>/goals/"
GOAL = GOALS + "<uuid:goal_id>/"
RUNG = "patients/<uuid:patient_id>/rungs/<uuid:milestone_id>/"

urlpatterns: list[URLPattern] = [
    path(GOALS, views.goals, name="goals"),
    path(GOALS + "values/add/", views.add_value, name="add_value"),
    path(GOALS + "values/<uuid:value_id>/edit/", views.edit_value, name="edit_value"),
    path(GOALS + "values/<uuid:value_id>/in-error/", views.value_in_error, name="value_in_error"),
    path(GOALS + "new/", views.new_goal, name="new_goal"),
    path(GOAL + "edit/", views.edit_goal, name="edit_goal"),
    path(GOAL + "in-error/", views.goal_in_error, name="goal_in_error"),
    path(GOAL + "rungs/add/", views.add_rung, name="add_rung"),
    path(GOAL + "step-back/", views.step_back, name="goal_step_back"),
    path(GOAL + "review/", views.review_goal, name="review_goal"),
    path(GOAL + "reviews/<uuid:review_id>/in-error/", views.review_in_error, name="review_in_error"),
    path(RUNG + "mark/", views.mark_rung, name="mark_rung"),
    path(RUNG + "move/", views.move_rung, name="move_rung"),
    path(RUNG + "edit/", views.edit_rung, name="edit_rung"),
    path(RUNG + "split/", views.split_rung, name="split_rung"),
    path(RUNG + "remove/", views.remove_rung, name="remove_rung"),
]
