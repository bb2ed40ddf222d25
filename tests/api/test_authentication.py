"""API authentication: bearer tokens (scope, expiry, revocation, deactivation) and sessions with CSRF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.middleware.csrf import CSRF_ALLOWED_CHARS
from django.test import Client
from django.utils.crypto import get_random_string

from commonground.accounts.models import ApiToken
from commonground.accounts.services import deactivate_account, revoke_api_token
from commonground.kit import clock
from commonground.patients.models import Patient
from tests.api.conftest import bearer_client, issue_token

pytestmark = pytest.mark.django_db

ME = "/api/me"
PATIENTS = "/api/patients"


def new_patient_body(**overrides):
    body = {"given_name": "Mira", "family_name": "Okafor", "date_of_birth": "1979-03-02"}
    body.update(overrides)
    return body


def test_a_valid_token_authenticates_its_account(therapist):
    response = bearer_client(issue_token(therapist, "read")).get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == therapist.username
    assert response.json()["role"] == "psychosomatic_therapist"


def test_a_token_records_when_it_was_last_used(therapist):
    secret = issue_token(therapist)
    bearer_client(secret).get(ME)
    token = ApiToken.objects.get(user=therapist)
    assert token.last_used_at is not None


def test_no_credentials_is_401():
    response = Client().get(ME)
    assert response.status_code == 401
    assert response.json() == {"detail": "Sign in or send a valid API token."}


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer not-a-token",
        "Bearer cg_",
        "Bearer cg_" + "x" * 43,
        "Bearer cg_\u00e9\u00e8",
        "Basic YWxpY2U6c2VjcmV0",
        "cg_abcdef",
        "Bearer " + "A" * 10_000,
    ],
)
def test_a_malformed_or_unknown_token_is_401(therapist, header):
    issue_token(therapist)
    response = Client(headers={"Authorization": header}).get(ME)
    assert response.status_code == 401


def test_a_token_with_a_trailing_character_is_401(therapist):
    secret = issue_token(therapist)
    assert bearer_client(secret + "x").get(ME).status_code == 401
    assert bearer_client(secret[:-1]).get(ME).status_code == 401


def test_an_expired_token_is_401(therapist):
    secret = issue_token(therapist, days=1)
    ApiToken.objects.filter(user=therapist).update(expires_at=clock.now() - timedelta(seconds=1))
    assert bearer_client(secret).get(ME).status_code == 401


def test_a_revoked_token_is_401(therapist):
    secret = issue_token(therapist)
    assert bearer_client(secret).get(ME).status_code == 200
    revoke_api_token(ApiToken.objects.get(user=therapist))
    assert bearer_client(secret).get(ME).status_code == 401


def test_a_token_of_a_deactivated_account_is_401(therapist):
    secret = issue_token(therapist)
    deactivate_account(therapist, reason="left the clinic")
    assert bearer_client(secret).get(ME).status_code == 401


def test_an_inactive_account_is_refused_even_if_its_token_was_not_revoked(therapist):
    secret = issue_token(therapist)
    type(therapist).objects.filter(pk=therapist.pk).update(is_active=False)
    assert ApiToken.objects.get(user=therapist).revoked_at is None
    assert bearer_client(secret).get(ME).status_code == 401


def test_a_bad_token_on_a_write_is_401_even_with_csrf_enforced(coordinator):
    """A wrong token must not fall through to the session check and come back as a CSRF 403."""
    client = Client(enforce_csrf_checks=True, headers={"Authorization": "Bearer cg_wrong"})
    response = client.post(PATIENTS, new_patient_body(), content_type="application/json")
    assert response.status_code == 401


def test_a_read_token_reads_but_cannot_write(patient_record, therapist):
    client = bearer_client(issue_token(therapist, "read"))
    assert client.get(PATIENTS).status_code == 200
    url = f"{PATIENTS}/{patient_record.id}"
    version = client.get(url).json()["version"]

    created = client.post(PATIENTS, new_patient_body(), content_type="application/json")
    changed = client.patch(
        url, {"version": version, "reason": "typo", "given_name": "Adah"}, content_type="application/json"
    )
    consent = client.post(f"{url}/consents", {"scope": "care", "text_version": "v1"}, content_type="application/json")

    assert (created.status_code, changed.status_code, consent.status_code) == (403, 403, 403)
    assert created.json() == {"detail": "This token may only read."}
    patient_record.refresh_from_db()
    assert patient_record.given_name == "Ada" and patient_record.version == version
    assert not patient_record.consents.exists()


def test_a_write_token_writes_without_csrf(therapist):
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {issue_token(therapist)}"})
    response = client.post(PATIENTS, new_patient_body(), content_type="application/json")
    assert response.status_code == 201


def test_a_signed_in_session_reads(patient_record, therapist):
    client = Client(enforce_csrf_checks=True)
    client.force_login(therapist)
    response = client.get(PATIENTS)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [str(patient_record.id)]


def test_a_session_write_without_the_csrf_token_is_refused(therapist):
    client = Client(enforce_csrf_checks=True)
    client.force_login(therapist)
    response = client.post(PATIENTS, new_patient_body(), content_type="application/json")
    assert response.status_code == 403
    assert not Patient.objects.filter(family_name="Okafor").exists()


def test_a_session_write_with_the_csrf_token_is_accepted(therapist):
    client = Client(enforce_csrf_checks=True)
    client.force_login(therapist)
    secret = get_random_string(32, allowed_chars=CSRF_ALLOWED_CHARS)
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    response = client.post(
        PATIENTS, new_patient_body(), content_type="application/json", headers={"X-CSRFToken": secret}
    )
    assert response.status_code == 201
    assert Patient.objects.filter(family_name="Okafor").exists()


def test_a_patient_account_sees_no_patients_and_cannot_register_one(patient_user):
    client = Client()
    client.force_login(patient_user)
    assert client.get(PATIENTS).json() == []
    response = client.post(PATIENTS, new_patient_body(), content_type="application/json")
    assert response.status_code == 403
