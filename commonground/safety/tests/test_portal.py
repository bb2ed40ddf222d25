"""The patient's safety plan in the portal: one tap away on every page, the current version only, the crisis
numbers always, printable; nobody else's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import commonground
from commonground.portal.tests.test_questionnaires import _answer, _ask, _phq9, _start
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


# --- one tap away after a positive critical answer, and on a phone ----------------------------------------------


def _positive_item9(patient_record: Any, patient_user: Any, coordinator: Any) -> tuple[Any, Any]:
    client = signed_in(patient_user)
    response, _first = _start(client, _ask(patient_record, coordinator, "phq9"))
    _answer(client, response, _phq9(item9="2")[:9])
    return client, response


def _crisis_card(page: str) -> str:
    start = page.index('class="card crisis-now"')
    return page[start : page.index("</section>", start)]


def test_after_a_positive_item9_the_crisis_card_and_the_sent_page_open_the_patients_own_plan(
    patient_record: Any, patient_user: Any, coordinator: Any, therapist: Any
) -> None:
    services.save_safety_plan(patient_record, by=therapist, content=CONTENT, expected_version=0)
    client, response = _positive_item9(patient_record, patient_user, coordinator)
    question = client.get(reverse("portal:question", args=[response.id, 10])).content.decode()
    card = _crisis_card(question)
    assert "Thank you for telling us" in card and f'<a class="button" href="{ADDRESS}">Open my safety plan</a>' in card
    client.post(reverse("portal:question", args=[response.id, 10]), {"answer": "1"})
    sent = client.post(reverse("portal:send_answers", args=[response.id]), follow=True).content.decode()
    assert "Thank you for telling us" in sent
    assert f'<a class="button" href="{ADDRESS}">Open my safety plan</a>' in sent
    assert (
        f'<a class="button" href="{ADDRESS}">Open my safety plan</a>'
        in client.get("/portal/help-now/").content.decode()
    )


def test_without_a_plan_the_crisis_card_offers_no_plan_to_open(
    patient_record: Any, patient_user: Any, coordinator: Any
) -> None:
    client, response = _positive_item9(patient_record, patient_user, coordinator)
    card = _crisis_card(client.get(reverse("portal:question", args=[response.id, 10])).content.decode())
    assert "get help now" in card and "Open my safety plan" not in card


def _portal_pages() -> list[str]:
    """Every portal page a patient opens without an id (the questionnaire pages are checked above)."""
    portal = next(
        entry for entry in get_resolver().url_patterns if isinstance(entry, URLResolver) and entry.namespace == "portal"
    )
    names: list[str] = []

    def walk(patterns: list[Any]) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns)
            elif isinstance(entry, URLPattern) and entry.name and not entry.pattern.converters:
                names.append(entry.name)

    walk(portal.url_patterns)
    return [reverse(f"portal:{name}") for name in names]


def test_my_safety_plan_and_help_now_stay_on_screen_on_a_phone_on_every_portal_page(patient_user: Any) -> None:
    """On a phone the header's twelve links wrap and scroll away: the two ways to help are a bar fixed to the
    bottom of the screen (app.css), with room kept for it, on every page the portal layout draws."""
    client = signed_in(patient_user)
    checked = 0
    for page in _portal_pages():
        answer = client.get(page)
        if answer.status_code != 200 or "text/html" not in answer["Content-Type"]:
            continue  # a redirect, a download, or a page only posted to
        content = answer.content.decode()
        if '<nav aria-label="Main">' not in content:
            continue  # an htmx fragment, not a page
        checked += 1
        assert f'<li class="nav-safety nav-safety-plan"><a href="{ADDRESS}"' in content, page
        assert '<li class="nav-safety nav-help-now"><a href="/portal/help-now/"' in content, page
    assert checked >= 8
    css = (Path(commonground.__file__).parent / "static" / "css" / "app.css").read_text()
    phone = css[css.index("@media screen and (max-width: 40rem) {\n  body:has(.nav-safety)") :]
    phone = phone[: phone.index("\n}\n")]
    assert "position: fixed; bottom: 0;" in phone and ".nav .nav-safety {" in phone
    assert "body:has(.nav-safety) { padding-bottom:" in phone  # the end of the page is never under the bar
    assert "scroll-padding-bottom" in phone  # nor a field that gets focus
