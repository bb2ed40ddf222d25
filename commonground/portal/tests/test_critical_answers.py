"""A critical answer is acted on when the clinic receives it, not only when the form is sent (review findings)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.measures import services as measures_services
from commonground.measures.models import Response
from commonground.portal.tests.test_questionnaires import _answer, _ask, _phq9, _question_url, _start
from commonground.safety.choices import AlertKind, Urgency
from commonground.safety.models import Alert
from tests.personas import signed_in

pytestmark = pytest.mark.django_db


def test_item9_answered_positively_raises_the_alert_before_sending_and_keeps_help_in_view(
    patient_record, patient_user, coordinator
):
    client = signed_in(patient_user)
    response, _first = _start(client, _ask(patient_record, coordinator, "phq9"))
    _answer(client, response, _phq9(item9="2")[:9])  # then the patient closes the phone
    alert = Alert.objects.get(patient=patient_record)
    assert alert.kind == AlertKind.CRITICAL_ITEM and alert.urgency == Urgency.URGENT and alert.is_open
    assert "not sent yet" in alert.summary
    assert "answered 2 (More than half the days)" in alert.summary  # the answer just given, not the one before
    page = client.get(_question_url(response, 10)).content.decode()
    assert "Thank you for telling us" in page and "get help now" in page
    client.post(_question_url(response, 10), {"answer": "1"})
    client.post(reverse("portal:send_answers", args=[response.id]))
    assert Alert.objects.filter(patient=patient_record).count() == 1  # sending raises no second alert


def test_item9_answered_zero_shows_no_crisis_card(patient_record, patient_user, coordinator):
    client = signed_in(patient_user)
    response, _first = _start(client, _ask(patient_record, coordinator, "phq9"))
    _answer(client, response, _phq9(item9="0")[:9])
    assert "Thank you for telling us" not in client.get(_question_url(response, 10)).content.decode()
    assert not Alert.objects.exists()


def test_a_skipped_item9_is_not_taken_as_an_answer_in_the_words_shown(patient_record, patient_user, coordinator):
    client = signed_in(patient_user)
    response, _first = _start(client, _ask(patient_record, coordinator, "phq9"))
    _answer(client, response, _phq9()[:8])
    client.post(_question_url(response, 9), {"skip": "1"})
    client.post(_question_url(response, 10), {"answer": "1"})
    sent = client.post(reverse("portal:send_answers", args=[response.id]), follow=True).content.decode()
    assert "one of the questions you left open" in sent and "act on these thoughts" not in sent
    assert Alert.objects.get(patient=patient_record).kind == AlertKind.CRITICAL_ITEM


def test_a_draft_cannot_be_sent_once_staff_have_entered_the_same_questionnaire(
    patient_record, patient_user, coordinator
):
    scheduled = _ask(patient_record, coordinator, "gad7")
    client = signed_in(patient_user)
    response, _first = _start(client, scheduled)
    _answer(client, response, ["1"] * 8)
    scheduled.refresh_from_db()
    measures_services.enter_response(
        patient_record,
        instrument_id="gad7",
        answers={str(n): 3 for n in range(1, 8)},
        entered_by=coordinator,
        submission_key=uuid.uuid4(),
        completed_on=clock.now() - timedelta(minutes=5),
        scheduled=scheduled,
    )
    with pytest.raises(DomainError, match="already recorded"):
        measures_services.submit_response(response.id, patient=patient_record)
    assert Response.objects.filter(patient=patient_record, status="completed").count() == 1


def test_paper_entry_for_a_questionnaire_completed_meanwhile_is_refused(patient_record, coordinator, therapist):
    scheduled = _ask(patient_record, coordinator, "gad7")
    stale = type(scheduled).objects.get(pk=scheduled.pk)  # the page was loaded while it was open
    common = {"instrument_id": "gad7", "answers": {str(n): 0 for n in range(1, 8)}, "completed_on": clock.now()}
    measures_services.enter_response(
        patient_record, entered_by=coordinator, submission_key=uuid.uuid4(), scheduled=scheduled, **common
    )
    with pytest.raises(DomainError, match="completed in the meantime"):
        measures_services.enter_response(
            patient_record, entered_by=therapist, submission_key=uuid.uuid4(), scheduled=stale, **common
        )
    assert Response.objects.filter(patient=patient_record).count() == 1


def test_a_clinician_form_opened_on_the_draft_cannot_mark_the_sent_response_in_error(
    patient_record, patient_user, coordinator
):
    client = signed_in(patient_user)
    response, _first = _start(client, _ask(patient_record, coordinator, "phq9"))
    seen_version = Response.objects.get(pk=response.pk).version
    _answer(client, response, _phq9(item9="1"))
    client.post(reverse("portal:send_answers", args=[response.id]))
    staff = signed_in(coordinator)
    staff.post(
        reverse("clinician:response_in_error", args=[patient_record.id, response.id]),
        {"version": seen_version, "reason": "Wrong patient"},
    )
    assert Response.objects.get(pk=response.pk).record_status == "active"
