"""What the exploratory test found: the portal's messages page and the confirmation after sending always show
where to get help now (whatever the patient wrote, with no reading of their words); a patient's conversation
"awaits a reply" until the team answers, apart from who has read it; and the inbox names a patient with their
record number."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from commonground.conversations import selectors, services
from commonground.conversations.selectors import InboxOrder
from commonground.kit import clock
from commonground.safety.models import Alert, CrisisResource
from tests.personas import signed_in

pytestmark = pytest.mark.django_db

RISKY = "I feel very low today and I don't know if I can keep going"


def sid() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def crisis_line(clinic: Any, patient_record: Any) -> CrisisResource:
    return CrisisResource.objects.create(
        organisation=clinic,
        name="Riverside night line",
        phone="555-0142",
        description="Open day and night, for anyone who is struggling",
        language=patient_record.preferred_language or "en",
    )


def _shows_help_now(html: str) -> bool:
    return all(
        part in html
        for part in (
            "If you need help now",
            "Riverside night line",
            'href="tel:5550142"',
            "Open day and night, for anyone who is struggling",
            reverse("portal:safety_plan"),
            reverse("portal:help_now"),
        )
    )


# --- 1. where to get help now ----------------------------------------------------------------------------------


def test_the_messages_page_always_shows_the_clinics_crisis_lines_and_the_safety_plan(
    patient_record, patient_user, crisis_line
):
    html = signed_in(patient_user).get(reverse("portal:messages")).content.decode()
    assert _shows_help_now(html)
    assert html.index("If you need help now") < html.index("Write to your team")  # before the form, not after


@pytest.mark.parametrize("text", [RISKY, "Can we move Thursday's appointment to Friday?"])
def test_the_confirmation_after_sending_shows_where_to_get_help_now_whatever_was_written(
    patient_record, patient_user, crisis_line, text
):
    sent = signed_in(patient_user).post(
        reverse("portal:messages"), {"text": text, "submission_id": str(sid())}, follow=True
    )
    html = sent.content.decode()
    assert "Your message is sent to your care team. They will answer within 2 working days." in html
    assert "If you need help before then, please do not wait for their answer" in html
    assert _shows_help_now(html)
    assert html.index("Your message is sent") < html.index("Riverside night line")  # the help follows at once
    assert not Alert.objects.exists()  # nothing reads the words to guess at risk (decision 0018)


def test_without_crisis_lines_of_its_own_the_clinic_shows_the_emergency_numbers(patient_record, patient_user):
    html = signed_in(patient_user).get(reverse("portal:messages")).content.decode()
    assert "Emergency services" in html and "112 / 911 / 999" in html
    assert reverse("portal:safety_plan") in html


# --- 2. awaiting a reply -----------------------------------------------------------------------------------------


def test_a_conversation_awaits_a_reply_until_the_team_answers_however_many_have_read_it(
    patient_record, patient_user, therapist, coordinator
):
    asked = services.write_to_team(patient_record, text=RISKY, by=patient_user, submission_id=sid())
    conversation = selectors.patient_conversation(patient_record)
    assert selectors.awaiting_reply_since(conversation) == asked.sent_at
    services.mark_read(selectors.messages_of(conversation), coordinator)
    assert selectors.unread_for_staff(coordinator) == 0
    assert selectors.awaiting_reply_since(conversation) == asked.sent_at  # read is not answered
    answer = services.write_to_patient(patient_record, text="I will call you now.", by=therapist, submission_id=sid())
    assert selectors.awaiting_reply_since(conversation) is None
    services.mark_in_error(answer, by=therapist, reason="Meant for another patient", expected_version=1)
    assert selectors.awaiting_reply_since(conversation) == asked.sent_at  # a withdrawn answer is no answer


def test_awaiting_counts_from_the_first_message_after_the_teams_last_answer(
    patient_record, patient_user, therapist, coordinator
):
    start = clock.now()
    with clock.pinned(start):
        services.write_to_team(patient_record, text="First", by=patient_user, submission_id=sid())
    with clock.pinned(start + timedelta(minutes=5)):
        services.write_to_patient(patient_record, text="Answer", by=therapist, submission_id=sid())
    later = start + timedelta(minutes=10)
    with clock.pinned(later):
        services.write_to_team(patient_record, text="Second", by=patient_user, submission_id=sid())
    with clock.pinned(later + timedelta(minutes=1)):
        services.write_to_team(patient_record, text="Third", by=patient_user, submission_id=sid())
    assert selectors.awaiting_reply_since(selectors.patient_conversation(patient_record)) == later
    team = services.start_team_thread(patient_record, subject="Plan", text="?", by=coordinator, submission_id=sid())
    assert selectors.awaiting_reply_since(team) is None  # team threads never await the patient's answer


def test_the_inbox_shows_lists_first_and_filters_conversations_awaiting_a_reply(
    patient_record, other_patient_record, patient_user, coordinator, therapist
):
    from commonground.careteam import services as team_services

    team_services.add_member(other_patient_record, staff=therapist)
    services.write_to_team(patient_record, text=RISKY, by=patient_user, submission_id=sid())
    services.mark_read(selectors.messages_of(selectors.patient_conversation(patient_record)), coordinator)
    services.start_team_thread(other_patient_record, subject="Housing", text="?", by=therapist, submission_id=sid())

    news = selectors.inbox(coordinator)
    assert [(row.subject, row.unread, row.awaiting_since is not None) for row in news] == [
        ("Housing", 1, False),
        ("", 0, True),
    ]
    first = selectors.inbox(coordinator, order=InboxOrder.AWAITING)
    assert [row.subject for row in first] == ["", "Housing"]
    assert [row.kind for row in selectors.inbox(coordinator, awaiting_only=True)] == ["patient"]

    client = signed_in(coordinator)
    page = client.get(reverse("clinician:messages_inbox")).content.decode()
    assert "Awaiting a reply</strong>" in page
    only = client.get(reverse("clinician:messages_inbox"), {"awaiting": "on"}).content.decode()
    assert "Awaiting a reply</strong>" in only and "Housing" not in only
    ordered = client.get(reverse("clinician:messages_inbox"), {"order": "awaiting"}).content.decode()
    assert ordered.index("Awaiting a reply</strong>") < ordered.index("Housing")
    services.write_to_patient(patient_record, text="Calling you now", by=therapist, submission_id=sid())
    none = client.get(reverse("clinician:messages_inbox"), {"awaiting": "on"}).content.decode()
    assert "No patient is awaiting a reply." in none


def test_the_chart_tab_says_the_patient_awaits_a_reply_after_it_is_read_until_answered(
    patient_record, patient_user, coordinator, therapist
):
    services.write_to_team(patient_record, text=RISKY, by=patient_user, submission_id=sid())
    client = signed_in(coordinator)
    url = reverse("clinician:messages", args=[patient_record.id])
    assert "Awaiting a reply." in client.get(url).content.decode()
    assert "Awaiting a reply." in client.get(url).content.decode()  # read now, still awaiting
    services.write_to_patient(patient_record, text="Calling you now", by=therapist, submission_id=sid())
    assert "Awaiting a reply." not in client.get(url).content.decode()


# --- 3. a name with its record number ----------------------------------------------------------------------------


def test_the_inbox_names_each_patient_with_their_record_number(
    patient_record, other_patient_record, patient_user, coordinator, therapist
):
    from commonground.careteam import services as team_services
    from commonground.kit.versioning import save_edit

    team_services.add_member(other_patient_record, staff=therapist)
    twin = save_edit(
        other_patient_record,
        expected_version=other_patient_record.version,
        reason="Test: two patients share a name",
        changes={
            "given_name": patient_record.given_name,
            "preferred_name": patient_record.preferred_name,
            "family_name": patient_record.family_name,
        },
    )
    services.write_to_team(patient_record, text="Hello", by=patient_user, submission_id=sid())
    services.start_team_thread(twin, subject="Housing", text="?", by=therapist, submission_id=sid())
    rows = selectors.inbox(coordinator)
    assert len({row.patient_name for row in rows}) == 1  # the same name...
    assert len({row.patient_label for row in rows}) == 2  # ...told apart by the record number
    page = signed_in(coordinator).get(reverse("clinician:messages_inbox")).content.decode()
    for patient in (patient_record, twin):
        name = f"{patient.family_name}, {patient.preferred_name or patient.given_name}"
        assert f'{name} <span class="record-number">({patient.record_number})</span>' in page
        assert f"{name} ({patient.record_number})</span></a>" in page  # in the link, for screen readers
