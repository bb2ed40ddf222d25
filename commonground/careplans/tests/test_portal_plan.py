"""The care plan as the patient sees it in the portal, after the review fixes: kind words past the planned number
of sessions, a plain message for a reflection that is too long, a reflection that can be removed, nothing
"coming up" once therapy ended, and sessions or practice entered in error gone.

(Kept with the care-plan domain's tests because they follow its services; the portal's own page tests are in
portal/tests.)"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from commonground.careplans import services
from commonground.careplans.models import CarePlan, TherapySession
from commonground.careplans.tests.conftest import make_plan, session_details, today_for
from tests.personas import signed_in

pytestmark = pytest.mark.django_db


def text_of(response: Any) -> str:
    """The page's words without tags, as a person reads them."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def hold(patient: Any, by: Any, days_ago: int) -> TherapySession:
    details = session_details(patient, held_on=today_for(patient) - timedelta(days=days_ago))
    return services.record_session(patient, details=details, by=by)


def plan_page(user: Any) -> str:
    return text_of(signed_in(user).get(reverse("portal:plan")))


@pytest.mark.parametrize(
    ("low", "high", "within", "past"),
    [
        (1, 2, "Session 2 of about 1 to 2", "Session 3 (1 to 2 were planned)"),
        (2, 2, "Session 2 of about 2", "Session 3 (about 2 were planned)"),
    ],
)
def test_sessions_past_the_plan_are_counted_kindly(
    patient_record: Any, patient_user: Any, therapist: Any, low: int, high: int, within: str, past: str
) -> None:
    make_plan(patient_record, therapist, sessions_min=low, sessions_max=high)
    for days_ago in (9, 6, 3):
        hold(patient_record, therapist, days_ago)
    page = plan_page(patient_user)
    assert within in page and past in page
    assert "Session 3 of about" not in page


def test_a_too_long_reflection_gets_plain_words(patient_record: Any, patient_user: Any, therapist: Any) -> None:
    make_plan(patient_record, therapist)
    session = hold(patient_record, therapist, 2)
    response = signed_in(patient_user).post(reverse("portal:reflect", args=[session.id]), {"text": "x" * 4001})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please keep it under 4,000 characters." in page
    assert "Ensure this value" not in page
    session.refresh_from_db()
    assert session.reflection == ""


def test_a_reflection_can_be_removed(patient_record: Any, patient_user: Any, therapist: Any) -> None:
    make_plan(patient_record, therapist)
    session = hold(patient_record, therapist, 2)
    client = signed_in(patient_user)
    assert "You can change it at any time." in plan_page(patient_user)
    client.post(reverse("portal:reflect", args=[session.id]), {"text": "The breathing helped."})
    response = client.post(reverse("portal:reflect", args=[session.id]), {"text": "   "})
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.reflection, session.reflection_at) == ("", None)
    assert "Your reflection is removed." in text_of(client.get(response["Location"]))


def test_once_therapy_ended_nothing_is_coming_up_and_no_review_is_promised(
    patient_record: Any, patient_user: Any, therapist: Any
) -> None:
    today = today_for(patient_record)
    plan: CarePlan = make_plan(patient_record, therapist, review_on=today + timedelta(days=20))
    services.add_element(plan, expected_version=1, details={"kind": "activation"}, reason="Later on")
    before = plan_page(patient_user)
    assert "Coming up" in before and "look at the plan together again" in before
    plan.refresh_from_db()
    services.end_therapy(plan, expected_version=plan.version, ended_on=today, reason="Moved away", today=today)
    after = plan_page(patient_user)
    assert "Coming up" not in after and "look at the plan together again" not in after
    assert "Your therapy ended on" in after


def test_a_session_entered_in_error_is_gone_and_the_others_are_renumbered(
    patient_record: Any, patient_user: Any, therapist: Any
) -> None:
    make_plan(patient_record, therapist)
    first = hold(patient_record, therapist, 9)
    hold(patient_record, therapist, 6)
    services.mark_session_in_error(first, expected_version=1, reason="Did not take place")
    page = plan_page(patient_user)
    assert "Session 1 of about 6 to 12" in page and "Session 2" not in page
    assert "You have had 1 session so far." in page
