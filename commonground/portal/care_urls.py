"""URLs of the patient's goals, plan, home practice and library pages."""

from django.urls import URLPattern, path

from commonground.portal import care_views as views

urlpatterns: list[URLPattern] = [
    path("goals/", views.my_goals, name="goals"),
]
