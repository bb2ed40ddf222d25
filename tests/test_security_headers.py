"""SEC-HDR-01, SEC-DATA-01, SEC-SES-04: headers on every response; cookies; no stack traces."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.personas import PASSWORD, signed_in

pytestmark = pytest.mark.django_db


def test_pages_send_a_csp_without_inline_script_and_forbid_framing(patient_record, coordinator):
    response = signed_in(coordinator).get(reverse("clinician:chart", args=[patient_record.id]))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_with_patient_data_are_never_cached(patient_record, coordinator, patient_user):
    assert (
        signed_in(coordinator).get(reverse("clinician:chart", args=[patient_record.id]))["Cache-Control"] == "no-store"
    )
    assert signed_in(patient_user).get(reverse("portal:today"))["Cache-Control"] == "no-store"
    assert Client().get("/api/openapi.json")["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script(patient_record, coordinator):
    html = signed_in(coordinator).get(reverse("clinician:chart", args=[patient_record.id])).content.decode()
    assert "<script>" not in html and " onclick=" not in html and "hx-on" not in html


def test_session_cookies_are_httponly_and_samesite(coordinator):
    response = Client().post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    cookie = response.cookies["cg_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_signing_out_clears_the_browsers_copy(coordinator):
    client = Client()
    client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    response = client.post(reverse("accounts:logout"))
    assert "cache" in response["Clear-Site-Data"] and "storage" in response["Clear-Site-Data"]


def test_cross_site_posts_are_refused(coordinator, patient_record):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post(
        reverse("clinician:consents", args=[patient_record.id]),
        {"form": "consent", "scope": "research", "text_version": "v1"},
    )
    assert response.status_code == 403
    assert not patient_record.consents.exists()


@override_settings(HTTPS=True)
def test_hsts_is_sent_behind_tls():
    from django.conf import settings

    assert settings.SECURE_HSTS_SECONDS == 0  # off over plain HTTP (the demo)
    with override_settings(SECURE_HSTS_SECONDS=31536000):
        response = Client().get("/health", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_unknown_pages_are_a_plain_404_page():
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    assert b"Traceback" not in response.content


def test_the_health_check_answers():
    assert Client().get("/health").json() == {"status": "ok"}
