"""One-time links: invitations (link or printed code) and password resets. SEC-AUTH-06."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from commonground.accounts import services
from commonground.accounts.choices import LinkPurpose
from commonground.accounts.models import OneTimeLink, User
from commonground.notifications.transports import MemoryTransport
from commonground.patients import services as patient_services

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "river stones and quiet tea"


@pytest.fixture(autouse=True)
def empty_outbox():
    MemoryTransport.outbox.clear()
    yield
    MemoryTransport.outbox.clear()


def _reset_link(django_capture_on_commit_callbacks, identifier: str) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(reverse("accounts:password_reset"), {"identifier": identifier})
    assert response.status_code == 200
    assert b"If an account matches" in response.content
    if not MemoryTransport.outbox:
        return ""
    body = MemoryTransport.outbox[-1].body
    return next(line for line in body.splitlines() if "/accounts/reset/" in line).strip()


def test_a_reset_link_works_once(coordinator, django_capture_on_commit_callbacks):
    coordinator.email = "alice@clinic.example"
    coordinator.save()
    url = _reset_link(django_capture_on_commit_callbacks, "alice")
    path = url.split("127.0.0.1:8000")[-1]
    response = Client().post(path, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 302
    assert Client().post(reverse("accounts:login"), {"username": "alice", "password": NEW_PASSWORD}).status_code == 302
    assert Client().get(path).status_code == 404  # used


def test_reset_does_not_reveal_whether_an_account_exists(coordinator, django_capture_on_commit_callbacks):
    assert _reset_link(django_capture_on_commit_callbacks, "nobody-here") == ""
    assert MemoryTransport.outbox == []


def test_reset_e_mails_carry_no_clinical_content(coordinator, patient_record, django_capture_on_commit_callbacks):
    coordinator.email = "alice@clinic.example"
    coordinator.save()
    _reset_link(django_capture_on_commit_callbacks, "alice@clinic.example")
    message = MemoryTransport.outbox[-1]
    assert patient_record.family_name not in message.body
    assert message.to == "alice@clinic.example"


def test_an_expired_reset_link_is_refused(coordinator):
    coordinator.email = "alice@clinic.example"
    coordinator.save()
    assert services.send_password_reset("alice")
    link = OneTimeLink.objects.get(purpose=LinkPurpose.PASSWORD_RESET)
    OneTimeLink.objects.filter(pk=link.pk).update(expires_at=link.created_at - timedelta(seconds=1))
    link.refresh_from_db()
    assert not link.is_usable(link.created_at)


def test_an_invitation_token_cannot_reset_a_password(patient_record, coordinator):
    issued = patient_services.invite_to_portal(patient_record, invited_by=coordinator)
    assert services.find_usable_link(purpose=LinkPurpose.PASSWORD_RESET, token=issued.token) is None
    assert Client().get(reverse("accounts:password_reset_confirm", args=[issued.token])).status_code == 404


def test_a_patient_without_e_mail_joins_with_the_printed_code(patient_record, coordinator):
    issued = patient_services.invite_to_portal(patient_record, invited_by=coordinator)
    client = Client()
    response = client.post(reverse("accounts:join"), {"code": issued.code.lower().replace("-", " ")})
    assert response.status_code == 302
    response = client.post(
        reverse("accounts:join_finish"), {"username": "ada.l", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert Client().post(reverse("accounts:login"), {"username": "ada.l", "password": NEW_PASSWORD}).status_code == 302
    patient_record.refresh_from_db()
    assert patient_record.user.username == "ada.l"
    # single use
    again = Client().post(reverse("accounts:join"), {"code": issued.code})
    assert b"not valid or has expired" in again.content


def test_a_patient_with_e_mail_gets_a_link_and_no_clinical_content(
    patient_record, coordinator, django_capture_on_commit_callbacks
):
    patient_record.email = "ada@example.org"
    patient_record.save()
    with django_capture_on_commit_callbacks(execute=True):
        issued = patient_services.invite_to_portal(patient_record, invited_by=coordinator)
    message = MemoryTransport.outbox[-1]
    assert issued.token in message.body
    assert patient_record.family_name not in message.body and "Lovelace" not in message.subject


def test_a_new_invitation_replaces_the_old_one(patient_record, coordinator):
    first = patient_services.invite_to_portal(patient_record, invited_by=coordinator)
    second = patient_services.invite_to_portal(patient_record, invited_by=coordinator)
    assert services.find_usable_link(purpose=LinkPurpose.INVITATION, code=first.code) is None
    assert services.find_usable_link(purpose=LinkPurpose.INVITATION, code=second.code) is not None


def test_weak_passwords_are_refused_and_nothing_is_used_up(patient_record, coordinator):
    issued = patient_services.invite_to_portal(patient_record, invited_by=coordinator)
    client = Client()
    client.get(reverse("accounts:join_link", args=[issued.token]))
    response = client.post(
        reverse("accounts:join_finish"), {"username": "ada.l", "password": "password", "password_again": "password"}
    )
    assert response.status_code == 200
    assert b"too short" in response.content or b"too common" in response.content
    link = OneTimeLink.objects.get(pk=issued.link.pk)
    assert link.used_at is None
    assert User.objects.get(pk=patient_record.user_id).has_usable_password() is False


def test_a_taken_username_is_refused_kindly(patient_record, coordinator):
    issued = patient_services.invite_to_portal(patient_record, invited_by=coordinator)
    client = Client()
    client.get(reverse("accounts:join_link", args=[issued.token]))
    response = client.post(
        reverse("accounts:join_finish"), {"username": "alice", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    )
    assert b"taken" in response.content
    assert OneTimeLink.objects.get(pk=issued.link.pk).used_at is None


def test_links_and_codes_are_stored_only_as_hashes(patient_record, coordinator):
    issued = patient_services.invite_to_portal(patient_record, invited_by=coordinator)
    link = OneTimeLink.objects.get(pk=issued.link.pk)
    assert issued.token not in (link.token_hash, link.code_hash)
    assert issued.code not in (link.token_hash, link.code_hash)


def test_a_flood_of_reset_requests_sends_one_e_mail(coordinator):
    coordinator.email = "alice@clinic.example"
    coordinator.save()
    assert services.send_password_reset("alice")
    assert not services.send_password_reset("alice")
    assert not services.send_password_reset("alice@clinic.example")
    assert OneTimeLink.objects.filter(purpose=LinkPurpose.PASSWORD_RESET).count() == 1


def test_the_reset_request_itself_does_no_account_look_up(coordinator):
    """The answer's work is the same for every identifier: the look-up happens in the job."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as known:
        services.request_password_reset("alice")
    with CaptureQueriesContext(connection) as unknown:
        services.request_password_reset("nobody-at-all")
    assert len(known) == len(unknown)
    assert not any("accounts_user" in query["sql"] for query in [*known.captured_queries, *unknown.captured_queries])


def test_a_patient_without_e_mail_gets_a_printed_reset_code_from_the_team(patient_record, patient_user, coordinator):
    issued = patient_services.invite_to_portal(patient_record, invited_by=coordinator)
    assert issued.link.purpose == LinkPurpose.PASSWORD_RESET and issued.code
    client = Client()
    assert client.post(reverse("accounts:join"), {"code": issued.code}).status_code == 302
    response = client.post(reverse("accounts:reset_finish"), {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 302
    assert Client().post(reverse("accounts:login"), {"username": "ada", "password": NEW_PASSWORD}).status_code == 302
    assert client.post(reverse("accounts:join"), {"code": issued.code}).status_code == 200  # used
