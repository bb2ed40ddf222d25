"""URLs of the clinician's registry pages (kept apart so the chart shell's urls.py stays short)."""

from django.urls import URLPattern, path

from commonground.clinician import registry_views

urlpatterns: list[URLPattern] = [
    path("registry/", registry_views.registry, name="registry"),
]
