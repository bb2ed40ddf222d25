"""URLs of the clinician's referrals pages (kept apart so the chart shell's urls.py stays short)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
