"""URLs of the patient's goals, plan, home practice and library pages."""

from django.urls import URLPattern, path

from commonground.portal import care_views as views

urlpatterns: list[URLPattern] = [
    path("goals/", views.my_goals, name="goals"),
    path("goals/steps/<uuid:milestone_id>/mark/", views.mark_step, name="mark_step"),
    path("goals/<uuid:goal_id>/agree/", views.agree_goal, name="agree_goal"),
    path("plan/", views.my_plan, name="plan"),
    path("plan/sessions/<uuid:session_id>/reflection/", views.reflect, name="reflect"),
    path("exercises/", views.exercises, name="exercises"),
    path("exercises/<slug:slug>/", views.exercise, name="exercise"),
]
