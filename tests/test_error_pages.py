"""Error answers are pages a person can act on, never blank."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from tests.personas import signed_in

pytestmark = pytest.mark.django_db


def test_opening_a_form_only_address_answers_a_page_that_says_what_to_do(patient_record, coordinator):
    url = reverse("clinician:session_in_error", args=[patient_record.id, uuid.uuid4()])
    response = signed_in(coordinator).get(url)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    page = response.content.decode()
    assert "This page cannot be opened like that" in page and "Go back to the page" in page
    assert response["Content-Security-Policy"]  # the page goes through the same headers as every other


def test_the_api_keeps_its_own_answer_for_a_wrong_method(coordinator):
    response = signed_in(coordinator).delete("/api/me")
    assert response.status_code == 405
    assert "This page cannot be opened like that" not in response.content.decode()
