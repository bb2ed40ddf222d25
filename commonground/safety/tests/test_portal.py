"""The patient's safety plan in the portal: one tap away on every page, the current version only, the crisis
numbers always, printable; nobody else's."""

from __future__ import annotations

from typing import Any

import pytest

from commonground.safety import services
from commonground.safety.models import CrisisResource
from tests.personas import signed_in

pytestmark = pytest.mark.django_db

ADDRESS = "/portal/safety-plan/"
CONTENT = {
    "warning_signs": ["Lying awake after 3 am"],
    "coping_strategies": ["Walk round the block"],
    "distractions": [],
    "help_contacts": [{"name": "My sister Lies", "phone": "555-0123"}],
    "professionals": [],
    "safe_environment": [],
    "reasons_for_living": [],
}


def test_without_a_plan_the_patient_gets_kind_words_and_the_crisis_numbers(patient_user: Any, clinic: Any) -> None:
    CrisisResource.objects.create(organisation=clinic, name="Riverside crisis line", phone="555-0111")
    page = signed_in(patient_user).get(ADDRESS)
    assert page.status_code == 200
    content = page.content.decode()
    assert "You and your team have not made a safety plan yet" in content
    assert "Riverside crisis line" in content and "555-0111" in content


def test_the_patient_sees_only_the_current_version(patient_record: Any, patient_user: Any, therapist: Any) -> None:
    services.save_safety_plan(patient_record, by=therapist, content=CONTENT, expected_version=0)
    services.save_safety_plan(
        patient_record,
        by=therapist,
        content={**CONTENT, "coping_strategies": ["Tea by the window"]},
        expected_version=1,
    )
    content = signed_in(patient_user).get(ADDRESS).content.decode()
    assert "Tea by the window" in content and "Walk round the block" not in content
    assert "My sister Lies" in content and 'href="tel:5550123"' in content
    assert "data-print" in content and "css/safety.css" in content  # print button and print stylesheet
    assert "Emergency services" in content  # the general numbers when the clinic set none
    assert "In danger right now?" in content  # the first number at the top, the rest below


def test_the_link_is_on_every_portal_page_and_on_help_now(patient_user: Any) -> None:
    client = signed_in(patient_user)
    for page in ("/portal/", "/portal/help-now/", "/portal/consents/"):
        assert f'href="{ADDRESS}"' in client.get(page).content.decode(), page


def test_another_patient_sees_their_own_page_not_this_plan(
    patient_record: Any, other_patient_user: Any, therapist: Any
) -> None:
    services.save_safety_plan(patient_record, by=therapist, content=CONTENT, expected_version=0)
    content = signed_in(other_patient_user).get(ADDRESS).content.decode()
    assert "Lying awake" not in content and "have not made a safety plan yet" in content


def test_staff_get_not_found(therapist: Any, coordinator: Any, administrator: Any) -> None:
    for person in (therapist, coordinator, administrator):
        assert signed_in(person).get(ADDRESS).status_code == 404


def test_signed_out_is_sent_to_sign_in() -> None:
    from django.test import Client

    answer = Client().get(ADDRESS)
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/sign-in/")
