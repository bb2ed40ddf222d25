"""URLs of the patient's conversations pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
