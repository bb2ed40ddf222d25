"""The messages pages: the chart's Messages tab, a team thread, the inbox, the nav counts and the portal page, with
who may not get in (404, like anything that does not exist)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.urls import reverse

from commonground.audit.models import AuditEvent
from commonground.careteam import services as team_services
from commonground.conversations import selectors, services
from commonground.conversations.models import Message, MessagingSettings, Thread
from tests.personas import signed_in

pytestmark = pytest.mark.django_db


def sid() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def talk(patient_record: Any, patient_user: Any, therapist: Any, coordinator: Any) -> dict[str, Any]:
    """A patient's message, the team's answer, and a team thread about the patient."""
    asked = services.write_to_team(patient_record, text="Can we move Thursday?", by=patient_user, submission_id=sid())
    answered = services.write_to_patient(patient_record, text="Yes, Friday at 10?", by=therapist, submission_id=sid())
    thread = services.start_team_thread(
        patient_record, subject="Sleep medication", text="TEAM-ONLY: ask the GP", by=therapist, submission_id=sid()
    )
    return {"asked": asked, "answered": answered, "thread": thread}


# --- the chart tab ------------------------------------------------------------------------------------------


def test_the_tab_shows_both_conversations_and_marks_what_it_shows_read(patient_record, coordinator, talk):
    assert selectors.unread_for_staff(coordinator) == 3
    page = signed_in(coordinator).get(reverse("clinician:messages", args=[patient_record.id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Can we move Thursday?" in html and "Yes, Friday at 10?" in html
    assert "Sleep medication" in html  # the thread is listed; its messages are read on its own page
    assert "TEAM-ONLY" not in html
    assert selectors.unread_for_staff(coordinator) == 1
    assert AuditEvent.objects.filter(patient_id=patient_record.id, object_type="messages", action="read").exists()


def test_a_reply_to_the_patient_is_sent_and_an_empty_one_refused(patient_record, therapist):
    client = signed_in(therapist)
    url = reverse("clinician:reply_to_patient", args=[patient_record.id])
    refused = client.post(url, {"text": "  ", "submission_id": str(sid())})
    assert refused.status_code == 200
    assert "Write a message before sending it." in refused.content.decode()
    assert not Message.objects.exists()
    sent = client.post(url, {"text": "See you Friday", "submission_id": str(sid())})
    assert sent.status_code == 302 and sent["Location"].endswith("#patient-conversation")
    assert Message.objects.get().text == "See you Friday"


def test_a_team_thread_is_started_replied_to_and_read_on_its_page(patient_record, therapist, coordinator):
    started = signed_in(therapist).post(
        reverse("clinician:new_message_thread", args=[patient_record.id]),
        {"subject": "Pain flare", "text": "Worse since Monday", "submission_id": str(sid())},
    )
    thread = Thread.objects.get()
    assert started.status_code == 302 and str(thread.id) in started["Location"]
    url = reverse("clinician:message_thread", args=[patient_record.id, thread.id])
    client = signed_in(coordinator)
    assert selectors.unread_for_staff(coordinator) == 1
    page = client.get(url)
    assert "Worse since Monday" in page.content.decode() and "The patient does not see it" in page.content.decode()
    assert selectors.unread_for_staff(coordinator) == 0
    replied = client.post(url, {"text": "I will call her", "submission_id": str(sid())})
    assert replied.status_code == 302
    assert thread.messages.count() == 2
    empty = client.post(url, {"text": "", "submission_id": str(sid())})
    assert empty.status_code == 200 and "Write a message before sending it." in empty.content.decode()


def test_the_author_marks_a_message_entered_in_error_and_the_patient_sees_only_that_it_was_withdrawn(
    patient_record, patient_user, therapist, coordinator
):
    message = services.write_to_patient(patient_record, text="Your results: fine", by=therapist, submission_id=sid())
    url = reverse("clinician:message_in_error", args=[patient_record.id, message.id])
    signed_in(coordinator).post(url, {"version": "1", "reason": "Not mine to mark"})
    message.refresh_from_db()
    assert not message.is_entered_in_error
    signed_in(therapist).post(url, {"version": "1", "reason": "Meant for another patient"})
    message.refresh_from_db()
    assert message.is_entered_in_error and message.in_error_reason == "Meant for another patient"
    portal = signed_in(patient_user).get(reverse("portal:messages")).content.decode()
    assert "Your results: fine" not in portal and "took this message back" in portal
    assert "Meant for another patient" not in portal


# --- the inbox and the nav counts -----------------------------------------------------------------------------


def test_the_inbox_lists_conversations_of_my_patients_unread_first(
    patient_record, other_patient_record, coordinator, talk
):
    newer = services.start_team_thread(
        other_patient_record, subject="Housing letter", text="?", by=coordinator, submission_id=sid()
    )
    services.mark_read(selectors.messages_of(selectors.patient_conversation(patient_record)), coordinator)
    page = signed_in(coordinator).get(reverse("clinician:messages_inbox")).content.decode()
    assert page.index("Sleep medication") < page.index("With the patient")  # unread first
    assert "Housing letter" in page  # the coordinator's own thread: nothing unread, still listed
    assert str(newer.id) in page
    audited = AuditEvent.objects.filter(object_type="messages", action="list").values_list("patient_id", flat=True)
    assert {patient_record.id, other_patient_record.id} <= set(audited)
    only_unread = signed_in(coordinator).get(reverse("clinician:messages_inbox"), {"unread": "on"}).content.decode()
    assert "Housing letter" not in only_unread and "Sleep medication" in only_unread


def test_the_nav_counts_say_how_many_are_unread(patient_record, coordinator, patient_user, talk):
    staff_badge = signed_in(coordinator).get(reverse("clinician:messages_badge")).content.decode()
    assert "3 unread" in staff_badge
    patient_badge = signed_in(patient_user).get(reverse("portal:messages_badge")).content.decode()
    assert "1 new" in patient_badge
    signed_in(patient_user).get(reverse("portal:messages"))
    assert "new" not in signed_in(patient_user).get(reverse("portal:messages_badge")).content.decode()
    layout = signed_in(coordinator).get(reverse("clinician:caseload")).content.decode()
    assert reverse("clinician:messages_badge") in layout and reverse("clinician:messages_inbox") in layout


# --- the portal -----------------------------------------------------------------------------------------------


def test_the_patient_sees_their_conversation_the_promise_and_the_way_to_help_now(
    patient_record, patient_user, clinic, talk
):
    MessagingSettings.objects.create(organisation=clinic, response_working_days=3)
    page = signed_in(patient_user).get(reverse("portal:messages"))
    html = page.content.decode()
    assert "Can we move Thursday?" in html and "Yes, Friday at 10?" in html
    assert "TEAM-ONLY" not in html and "Sleep medication" not in html
    assert "within 3 working days" in html
    assert "not for emergencies" in html and reverse("portal:help_now") in html


def test_the_patient_sends_a_message_and_an_empty_one_is_refused_kindly(patient_record, patient_user):
    client = signed_in(patient_user)
    refused = client.post(reverse("portal:messages"), {"text": "", "submission_id": str(sid())})
    assert refused.status_code == 200 and "Please write your message before sending it." in refused.content.decode()
    assert not Message.objects.exists()
    sent = client.post(reverse("portal:messages"), {"text": "Thank you", "submission_id": str(sid())}, follow=True)
    assert "Your message is sent to your care team. They will answer within 2 working days." in sent.content.decode()
    assert Message.objects.get().from_patient


# --- who may not get in ---------------------------------------------------------------------------------------


def test_staff_outside_the_team_or_clinic_get_404_and_see_nothing(patient_record, outsider, foreign_clinician, talk):
    thread, message = talk["thread"], talk["asked"]
    urls = [
        reverse("clinician:messages", args=[patient_record.id]),
        reverse("clinician:message_thread", args=[patient_record.id, thread.id]),
    ]
    posts = [
        (reverse("clinician:reply_to_patient", args=[patient_record.id]), {"text": "x", "submission_id": str(sid())}),
        (reverse("clinician:new_message_thread", args=[patient_record.id]), {"subject": "x", "text": "x"}),
        (reverse("clinician:message_thread", args=[patient_record.id, thread.id]), {"text": "x"}),
        (reverse("clinician:message_in_error", args=[patient_record.id, message.id]), {"version": "1", "reason": "x"}),
    ]
    for person in (outsider, foreign_clinician):
        client = signed_in(person)
        for url in urls:
            assert client.get(url).status_code == 404
        for url, data in posts:
            assert client.post(url, data).status_code == 404
        inbox = client.get(reverse("clinician:messages_inbox")).content.decode()
        assert "Lovelace" not in inbox and "Sleep medication" not in inbox
        assert "unread" not in client.get(reverse("clinician:messages_badge")).content.decode()
    assert Message.objects.count() == 3


def test_a_thread_of_another_patient_is_not_found_under_this_patients_address(
    patient_record, other_patient_record, therapist, talk
):
    team_services.add_member(other_patient_record, staff=therapist)
    url = reverse("clinician:message_thread", args=[other_patient_record.id, talk["thread"].id])
    assert signed_in(therapist).get(url).status_code == 404
    in_error = reverse("clinician:message_in_error", args=[other_patient_record.id, talk["answered"].id])
    assert signed_in(therapist).post(in_error, {"version": "1", "reason": "x"}).status_code == 404


def test_another_patient_sees_only_their_own_conversation(patient_record, other_patient_user, talk):
    page = signed_in(other_patient_user).get(reverse("portal:messages")).content.decode()
    assert "Can we move Thursday?" not in page and "Yes, Friday" not in page
    assert "new" not in signed_in(other_patient_user).get(reverse("portal:messages_badge")).content.decode()


def test_patients_and_non_clinical_staff_cannot_open_the_teams_pages(patient_record, patient_user, administrator, talk):
    for person in (patient_user, administrator):
        client = signed_in(person)
        assert client.get(reverse("clinician:messages_inbox")).status_code == 404
        assert client.get(reverse("clinician:messages_badge")).status_code == 404
        assert client.get(reverse("clinician:messages", args=[patient_record.id])).status_code == 404
    assert signed_in(administrator).get(reverse("portal:messages")).status_code == 404


def test_signed_out_people_are_sent_to_sign_in(patient_record):
    from django.test import Client

    for url in (reverse("portal:messages"), reverse("clinician:messages_inbox")):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]


# --- the pages do not grow with the conversation ---------------------------------------------------------------


def _queries(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # the first request of a session writes to it; and the second shows no new messages
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _more(patient: Any, patient_user: Any, therapist: Any, coordinator: Any, count: int) -> None:
    for number in range(count):
        services.write_to_team(patient, text=f"Question {number}", by=patient_user, submission_id=sid())
        services.write_to_patient(patient, text=f"Answer {number}", by=therapist, submission_id=sid())
        thread = services.start_team_thread(
            patient, subject=f"Topic {number}", text="?", by=therapist, submission_id=sid()
        )
        services.reply_in_team_thread(thread, text="!", by=coordinator, submission_id=sid())


def test_the_pages_read_a_fixed_number_of_queries_however_long_the_conversation(
    patient_record, patient_user, therapist, coordinator, other_patient_record
):
    team_services.add_member(other_patient_record, staff=therapist)
    staff, patient = signed_in(therapist), signed_in(patient_user)
    tab = reverse("clinician:messages", args=[patient_record.id])
    _more(patient_record, patient_user, therapist, coordinator, 1)
    thread = Thread.objects.filter(kind="team").first()
    assert thread is not None
    urls = [tab, reverse("clinician:message_thread", args=[patient_record.id, thread.id])]
    few = [_queries(staff, url) for url in (*urls, reverse("clinician:messages_inbox"))]
    few_portal = _queries(patient, reverse("portal:messages"))
    _more(patient_record, patient_user, therapist, coordinator, 4)
    services.start_team_thread(other_patient_record, subject="Housing", text="?", by=coordinator, submission_id=sid())
    for number in range(3):
        services.reply_in_team_thread(thread, text=f"More {number}", by=coordinator, submission_id=sid())
    many = [_queries(staff, url) for url in (*urls, reverse("clinician:messages_inbox"))]
    assert few == many
    assert few_portal == _queries(patient, reverse("portal:messages"))
