"""Messages: written whole or not at all, audited, immutable, counted unread per reader until read, and the team's
threads never reach the patient or staff outside the team. E-mail notices carry no words and no names."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.http import Http404

from commonground.access import gateway
from commonground.audit.choices import Action
from commonground.audit.models import AuditEvent
from commonground.conversations import selectors, services
from commonground.conversations.choices import ThreadKind
from commonground.conversations.models import MESSAGE_LIMIT, Message, MessagingSettings, ReadReceipt, Thread
from commonground.kit.errors import DomainError, StaleEdit
from commonground.notifications.transports import MemoryTransport

pytestmark = pytest.mark.django_db


def sid() -> uuid.UUID:
    return uuid.uuid4()


# --- refusals: nothing half saved ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t", None])
def test_an_empty_message_is_refused_with_a_clear_message_and_nothing_saved(
    patient_record, patient_user, therapist, text
):
    with pytest.raises(DomainError) as refused:
        services.write_to_team(patient_record, text=text, by=patient_user, submission_id=sid())
    assert refused.value.field == "text"
    assert "write your message" in refused.value.message
    with pytest.raises(DomainError):
        services.write_to_patient(patient_record, text=text, by=therapist, submission_id=sid())
    with pytest.raises(DomainError):
        services.start_team_thread(patient_record, subject="Sleep", text=text, by=therapist, submission_id=sid())
    assert not Thread.objects.exists() and not Message.objects.exists()


def test_a_thread_needs_a_subject(patient_record, therapist):
    with pytest.raises(DomainError) as refused:
        services.start_team_thread(patient_record, subject="  ", text="Hello", by=therapist, submission_id=sid())
    assert refused.value.field == "subject"
    assert not Thread.objects.exists()


def test_a_message_over_the_limit_is_refused(patient_record, therapist):
    with pytest.raises(DomainError) as refused:
        services.write_to_patient(patient_record, text="x" * (MESSAGE_LIMIT + 1), by=therapist, submission_id=sid())
    assert str(MESSAGE_LIMIT) in refused.value.message
    assert not Message.objects.exists()
    services.write_to_patient(patient_record, text="x" * MESSAGE_LIMIT, by=therapist, submission_id=sid())


def test_a_patient_sending_very_many_messages_is_asked_to_wait_and_pointed_to_help_now(patient_record, patient_user):
    for _number in range(services.PATIENT_MESSAGES_PER_HOUR):
        services.write_to_team(patient_record, text="Are you there?", by=patient_user, submission_id=sid())
    with pytest.raises(DomainError) as refused:
        services.write_to_team(patient_record, text="Are you there?", by=patient_user, submission_id=sid())
    assert "Need help now?" in refused.value.message
    assert Message.objects.count() == services.PATIENT_MESSAGES_PER_HOUR


def test_only_the_patient_writes_as_the_patient_and_only_their_clinic_writes_to_them(
    patient_record, other_patient_user, foreign_clinician, patient_user
):
    with pytest.raises(DomainError):
        services.write_to_team(patient_record, text="Hello", by=other_patient_user, submission_id=sid())
    with pytest.raises(DomainError):
        services.write_to_patient(patient_record, text="Hello", by=foreign_clinician, submission_id=sid())
    with pytest.raises(DomainError):
        services.write_to_patient(patient_record, text="Hello", by=patient_user, submission_id=sid())
    assert not Message.objects.exists()


def test_a_patient_cannot_write_in_a_team_thread(patient_record, patient_user, therapist):
    thread = services.start_team_thread(
        patient_record, subject="Sleep", text="Team only", by=therapist, submission_id=sid()
    )
    with pytest.raises(DomainError):
        services.reply_in_team_thread(thread, text="Hello", by=patient_user, submission_id=sid())
    assert thread.messages.count() == 1


def test_a_form_sent_twice_saves_one_message(patient_record, patient_user):
    submission = sid()
    first = services.write_to_team(patient_record, text="Hello", by=patient_user, submission_id=submission)
    again = services.write_to_team(patient_record, text="Hello", by=patient_user, submission_id=submission)
    assert first.id == again.id and Message.objects.count() == 1


# --- audit and immutability -----------------------------------------------------------------------------------


def test_each_write_is_audited_in_the_patients_record(patient_record, therapist, patient_user):
    thread = services.start_team_thread(
        patient_record, subject="Sleep", text="Any news?", by=therapist, submission_id=sid()
    )
    reply = services.reply_in_team_thread(thread, text="Better since Monday", by=therapist, submission_id=sid())
    to_patient = services.write_to_patient(patient_record, text="How are you?", by=therapist, submission_id=sid())
    to_team = services.write_to_team(patient_record, text="Fine, thanks", by=patient_user, submission_id=sid())
    created = set(
        AuditEvent.objects.filter(
            patient_id=patient_record.id, action=Action.CREATE, object_type="message"
        ).values_list("object_id", flat=True)
    )
    ids = {str(m.id) for m in (reply, to_patient, to_team)} | {str(thread.messages.first().id)}
    assert ids <= created


def test_a_message_is_marked_entered_in_error_only_by_its_author_with_a_reason(patient_record, therapist, coordinator):
    message = services.write_to_patient(
        patient_record, text="Meant for someone else", by=therapist, submission_id=sid()
    )
    with pytest.raises(DomainError):
        services.mark_in_error(message, by=coordinator, reason="wrong patient", expected_version=message.version)
    with pytest.raises(DomainError) as refused:
        services.mark_in_error(message, by=therapist, reason=" ", expected_version=message.version)
    assert refused.value.field == "reason"
    marked = services.mark_in_error(message, by=therapist, reason="Wrong patient", expected_version=1)
    assert marked.is_entered_in_error and marked.in_error_reason == "Wrong patient"
    assert marked.text == "Meant for someone else"  # kept, never deleted
    assert Message.history.filter(id=message.id).count() == 2
    assert AuditEvent.objects.filter(action=Action.ENTERED_IN_ERROR, object_id=str(message.id)).exists()
    with pytest.raises(DomainError):
        services.mark_in_error(marked, by=therapist, reason="again", expected_version=marked.version)


def test_a_stale_in_error_mark_is_refused(patient_record, therapist):
    message = services.write_to_patient(patient_record, text="Hello", by=therapist, submission_id=sid())
    stale = Message.objects.get(pk=message.pk)
    services.mark_in_error(message, by=therapist, reason="Wrong patient", expected_version=1)
    stale.record_status = "active"
    with pytest.raises(StaleEdit):
        services.mark_in_error(stale, by=therapist, reason="Wrong patient", expected_version=1)


# --- unread counts --------------------------------------------------------------------------------------------


def test_unread_counts_go_down_when_read(patient_record, patient_user, therapist, coordinator):
    services.write_to_team(patient_record, text="I slept badly", by=patient_user, submission_id=sid())
    thread = services.start_team_thread(
        patient_record, subject="Sleep", text="Shall we talk?", by=therapist, submission_id=sid()
    )
    assert selectors.unread_for_staff(coordinator) == 2
    assert selectors.unread_for_staff(therapist) == 1  # not their own message
    shown = selectors.messages_of(thread)
    assert services.mark_read(shown, coordinator) == 1
    assert services.mark_read(shown, coordinator) == 1 and ReadReceipt.objects.filter(reader=coordinator).count() == 1
    assert selectors.unread_for_staff(coordinator) == 1
    services.mark_read(selectors.messages_of(selectors.patient_conversation(patient_record)), coordinator)
    assert selectors.unread_for_staff(coordinator) == 0
    assert selectors.unread_for_staff(therapist) == 1  # read receipts are per reader


def test_the_patient_counts_only_the_teams_messages_to_them(patient_record, patient_user, therapist):
    services.start_team_thread(patient_record, subject="Sleep", text="Between us", by=therapist, submission_id=sid())
    services.write_to_team(patient_record, text="A question", by=patient_user, submission_id=sid())
    assert selectors.unread_for_patient(patient_user) == 0
    services.write_to_patient(patient_record, text="An answer", by=therapist, submission_id=sid())
    assert selectors.unread_for_patient(patient_user) == 1
    services.mark_read(selectors.messages_of(selectors.patient_conversation(patient_record)), patient_user)
    assert selectors.unread_for_patient(patient_user) == 0


def test_a_message_entered_in_error_is_not_counted_unread(patient_record, patient_user, therapist):
    message = services.write_to_patient(patient_record, text="Wrong", by=therapist, submission_id=sid())
    services.mark_in_error(message, by=therapist, reason="Wrong patient", expected_version=1)
    assert selectors.unread_for_patient(patient_user) == 0


# --- who sees what --------------------------------------------------------------------------------------------


def test_the_team_thread_is_invisible_to_the_patient_and_to_staff_outside_the_team(
    patient_record, patient_user, therapist, outsider, foreign_clinician
):
    services.start_team_thread(
        patient_record, subject="Medication", text="Team only", by=therapist, submission_id=sid()
    )
    assert selectors.patient_conversation(patient_record) is None  # the patient's page reads only this
    assert selectors.unread_for_patient(patient_user) == 0
    for person in (outsider, foreign_clinician):
        assert selectors.unread_for_staff(person) == 0
        assert selectors.inbox(person) == []
        with pytest.raises(Http404):
            gateway.open_patient(person, patient_record.id, object_type="messages")


def test_the_inbox_lists_unread_conversations_first(
    patient_record, other_patient_record, coordinator, therapist, patient_user
):
    from commonground.careteam import services as team_services

    team_services.add_member(other_patient_record, staff=therapist)
    services.start_team_thread(
        other_patient_record, subject="Older, unread", text="?", by=therapist, submission_id=sid()
    )
    services.write_to_team(patient_record, text="Newer", by=patient_user, submission_id=sid())
    services.mark_read(selectors.messages_of(selectors.patient_conversation(patient_record)), coordinator)
    rows = selectors.inbox(coordinator)
    assert [(row.subject, row.unread) for row in rows] == [("Older, unread", 1), ("", 0)]
    assert [row.kind for row in selectors.inbox(coordinator, unread_only=True)] == [ThreadKind.TEAM]
    assert rows[1].patient_name == "Lovelace, Ada"


def test_the_clinic_sets_the_expected_response_time(clinic):
    assert selectors.response_working_days(clinic.id) == 2
    MessagingSettings.objects.create(organisation=clinic, response_working_days=3)
    assert selectors.response_working_days(clinic.id) == 3


# --- e-mail notices -------------------------------------------------------------------------------------------


def test_a_patients_message_tells_the_coordinator_and_responsible_clinician_without_content(
    addressed, patient_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.write_to_team(
            addressed, text="My back pain is worse since Tuesday", by=patient_user, submission_id=sid()
        )
    assert sorted(m.to for m in MemoryTransport.outbox) == ["alice@clinic.example", "bob@clinic.example"]
    for message in MemoryTransport.outbox:
        _says_nothing(message, addressed)
        assert "/clinician/messages/" in message.body


def test_a_teams_reply_tells_the_patient_without_content(addressed, therapist, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.write_to_patient(addressed, text="Your back pain plan: rest", by=therapist, submission_id=sid())
    assert [m.to for m in MemoryTransport.outbox] == ["ada@home.example"]
    _says_nothing(MemoryTransport.outbox[0], addressed)
    assert "Bob" not in MemoryTransport.outbox[0].body
    assert "/portal/messages/" in MemoryTransport.outbox[0].body


def test_one_notice_until_the_person_has_read_it(
    addressed, therapist, patient_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.write_to_patient(addressed, text="One", by=therapist, submission_id=sid())
        services.write_to_patient(addressed, text="Two", by=therapist, submission_id=sid())
    assert len(MemoryTransport.outbox) == 1
    services.mark_read(selectors.messages_of(selectors.patient_conversation(addressed)), patient_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.write_to_patient(addressed, text="Three", by=therapist, submission_id=sid())
    assert len(MemoryTransport.outbox) == 2


def test_team_threads_send_no_email_and_nothing_goes_out_before_commit(
    addressed, therapist, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        thread = services.start_team_thread(addressed, subject="Sleep", text="Hm", by=therapist, submission_id=sid())
        services.reply_in_team_thread(thread, text="Yes", by=coordinator, submission_id=sid())
    assert MemoryTransport.outbox == []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.write_to_patient(addressed, text="Hello", by=therapist, submission_id=sid())
    assert MemoryTransport.outbox == [] and len(callbacks) == 1


def test_a_patient_without_an_address_or_account_is_not_emailed(
    patient_record, therapist, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.write_to_patient(patient_record, text="Hello", by=therapist, submission_id=sid())
    assert MemoryTransport.outbox == []


def _says_nothing(message: Any, patient: Any) -> None:
    text = f"{message.subject}\n{message.body}"
    for secret in ("back pain", "rest", patient.given_name, patient.family_name, patient.record_number):
        assert secret.lower() not in text.lower(), secret
