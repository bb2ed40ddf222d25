"""URLs of the patient's safety pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
