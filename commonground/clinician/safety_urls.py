"""URLs of the clinician's safety pages (kept apart so the chart shell's urls.py stays short)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
