"""URLs of the patient's safety pages."""

from django.urls import URLPattern, path

from commonground.portal import safety_views as views

urlpatterns: list[URLPattern] = [
    path("safety-plan/", views.my_safety_plan, name="safety_plan"),
]
