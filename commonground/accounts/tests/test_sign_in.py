"""Signing in and out: lockout, session ids, idle and absolute timeouts, deactivation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse

from commonground.accounts import services
from commonground.accounts.models import UserSession
from commonground.kit import clock
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db
SIGN_IN = "/accounts/sign-in/"


def sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post(SIGN_IN, {"username": username, "password": password})


def test_signing_in_lands_on_the_start_page_with_a_new_session_id(coordinator):
    client = Client()
    client.get(SIGN_IN)
    before = client.cookies.get("cg_session")
    response = sign_in(client, "alice")
    assert response.status_code == 302 and response["Location"] == "/"
    after = client.cookies["cg_session"].value
    assert before is None or before.value != after
    assert UserSession.objects.filter(user=coordinator, session_key=after).exists()


def test_usernames_are_not_case_sensitive(coordinator):
    assert sign_in(Client(), "ALICE").status_code == 302


def test_unknown_user_and_wrong_password_get_the_same_answer(coordinator):
    unknown = sign_in(Client(), "nobody", "whatever-password")
    wrong = sign_in(Client(), "alice", "whatever-password")
    assert unknown.status_code == wrong.status_code == 400
    assert b"do not match an active account" in unknown.content
    assert b"do not match an active account" in wrong.content
    assert b'value="alice"' in wrong.content  # what the user typed is kept


def test_five_failures_lock_the_account_even_with_the_right_password(coordinator):
    client = Client()
    for _ in range(5):
        sign_in(client, "alice", "wrong-password-here")
    locked = sign_in(client, "alice")
    assert locked.status_code == 429
    assert b"locked" in locked.content
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_lockout_threshold_is_configurable(coordinator):
    client = Client()
    for _ in range(3):
        sign_in(client, "alice", "wrong-password-here")
    assert sign_in(client, "alice").status_code == 429


def test_the_lock_lifts_after_the_cool_off(coordinator):
    from axes.models import AccessAttempt

    client = Client()
    for _ in range(5):
        sign_in(client, "alice", "wrong-password-here")
    AccessAttempt.objects.update(attempt_time=clock.now() - timedelta(minutes=16))
    assert sign_in(client, "alice").status_code == 302


def test_signing_out_ends_the_session_on_the_server(coordinator):
    client = Client()
    sign_in(client, "alice")
    key = client.cookies["cg_session"].value
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies["cg_session"] = key
    assert replay.get(reverse("clinician:caseload")).status_code == 302  # to sign-in


def test_signing_out_needs_post(coordinator):
    client = Client()
    sign_in(client, "alice")
    assert client.get(reverse("accounts:logout")).status_code == 405


def _age_session(client: Client, *, idle: float = 0, since_login: float = 0) -> None:
    session = client.session
    now = clock.now().timestamp()
    session[services.SESSION_LAST_ACTIVE_AT] = now - idle
    session[services.SESSION_LOGIN_AT] = now - since_login
    session.save()


def test_fifteen_idle_minutes_end_the_session(coordinator):
    client = Client()
    sign_in(client, "alice")
    _age_session(client, idle=14 * 60)
    assert client.get(reverse("clinician:caseload")).status_code == 200
    _age_session(client, idle=16 * 60)
    response = client.get(reverse("clinician:caseload"))
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_background_polling_does_not_keep_a_session_alive(coordinator):
    client = Client()
    sign_in(client, "alice")
    _age_session(client, idle=10 * 60)
    for _ in range(3):
        assert client.get(reverse("clinician:caseload"), headers={"X-Background-Poll": "1"}).status_code == 200
    _age_session_keep_activity = client.session[services.SESSION_LAST_ACTIVE_AT]
    assert clock.now().timestamp() - _age_session_keep_activity >= 10 * 60 - 1
    _age_session(client, idle=16 * 60)
    assert client.get(reverse("clinician:caseload"), headers={"X-Background-Poll": "1"}).status_code == 302


def test_activity_keeps_the_session_but_not_past_its_absolute_lifetime(coordinator):
    client = Client()
    sign_in(client, "alice")
    _age_session(client, idle=60, since_login=11 * 3600)
    assert client.get(reverse("clinician:caseload")).status_code == 200
    _age_session(client, idle=60, since_login=12 * 3600 + 60)
    assert client.get(reverse("clinician:caseload")).status_code == 302


def test_an_expired_api_or_htmx_session_answers_401(coordinator):
    client = Client()
    sign_in(client, "alice")
    _age_session(client, idle=16 * 60)
    assert client.get(reverse("clinician:caseload"), headers={"HX-Request": "true"}).status_code == 401


def test_deactivating_an_account_ends_its_sessions_at_once(coordinator):
    client = Client()
    sign_in(client, "alice")
    assert client.get(reverse("clinician:caseload")).status_code == 200
    services.deactivate_account(coordinator, reason="Left the clinic")
    assert client.get(reverse("clinician:caseload")).status_code == 302
    assert not UserSession.objects.filter(user=coordinator).exists()
    assert sign_in(Client(), "alice").status_code == 400


def test_open_redirects_after_sign_in_are_refused(coordinator):
    response = Client().post(SIGN_IN + "?next=https://evil.example/", {"username": "alice", "password": PASSWORD})
    assert response["Location"] == "/"
    response = Client().post(SIGN_IN + "?next=/clinician/", {"username": "alice", "password": PASSWORD})
    assert response["Location"] == "/clinician/"


def test_deactivating_in_the_admin_site_also_ends_sessions_and_tokens(coordinator, administrator):
    from commonground.accounts.models import ApiToken
    from commonground.audit.models import AuditEvent

    client = Client()
    sign_in(client, "alice")
    token, _secret = services.create_api_token(coordinator, name="x", scope="read", days=5, created_by=administrator)
    admin = Client()
    admin.force_login(administrator)
    url = reverse("admin:accounts_user_change", args=[coordinator.id])
    page = admin.get(url)
    assert page.status_code == 200
    form = {
        "username": "alice",
        "display_name": "Alice",
        "email": "",
        "organisation": str(coordinator.organisation_id),
        "kind": "staff",
        "role": "care_coordinator",
    }  # is_active unticked
    response = admin.post(url, form)
    assert response.status_code == 302, response.content[:2000]
    assert client.get(reverse("clinician:caseload")).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert AuditEvent.objects.filter(
        action="role_change", object_id=str(coordinator.id), detail__contains="is_active"
    ).exists()


def test_a_role_change_is_a_security_event(coordinator, administrator):
    from commonground.audit.models import AuditEvent

    services.change_role(coordinator, role="psychologist", changed_by=administrator)
    event = AuditEvent.objects.get(action="role_change", object_id=str(coordinator.id))
    assert "care_coordinator -> psychologist" in event.detail


def test_the_admin_site_is_for_administrators_only(coordinator, administrator):
    assert signed_in_client(coordinator).get("/admin/accounts/user/").status_code in (302, 403)
    assert signed_in_client(administrator).get("/admin/accounts/user/").status_code == 200
    assert Client().get("/admin/").status_code == 302


def signed_in_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_forged_session_cookie_is_no_session_not_an_error(coordinator):
    client = Client()
    for forged in ('"abcdefgh\\000ij"', "x" * 500, "../../etc", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"):
        client.cookies["cg_session"] = forged
        response = client.get(reverse("clinician:caseload"))
        assert response.status_code == 302, forged
        assert client.get("/api/me").status_code == 401


def test_the_admin_sign_in_form_is_never_used(administrator):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")


def test_a_session_made_another_way_still_times_out(coordinator):
    client = Client()
    client.force_login(coordinator)  # no sign-in clock yet
    assert client.get(reverse("clinician:caseload")).status_code == 200
    _age_session(client, idle=16 * 60)
    assert client.get(reverse("clinician:caseload")).status_code == 302


def test_tokens_act_only_as_their_maker(coordinator, administrator):
    admin = Client()
    admin.force_login(administrator)
    admin.post(reverse("accounts:api_tokens"), {"name": "mine", "scope": "write", "days": "5"})
    from commonground.accounts.models import ApiToken

    assert set(ApiToken.objects.values_list("user__username", flat=True)) == {"erin"}
    mine = Client()
    mine.force_login(coordinator)
    page = mine.get(reverse("accounts:api_tokens"))
    assert page.status_code == 200 and b"erin" not in page.content.lower()


def test_the_admin_site_stays_inside_the_administrators_clinic(administrator, foreign_clinician, patient_user):
    admin = Client()
    admin.force_login(administrator)
    listing = admin.get("/admin/accounts/user/").content.decode()
    # Each row links to its user; names are not searched for in the page, whose hashed static file names can
    # hold any three letters of a-f.
    assert f"/admin/accounts/user/{administrator.id}/change/" in listing  # the listing does list users
    assert f"/admin/accounts/user/{foreign_clinician.id}/change/" not in listing
    assert f"/admin/accounts/user/{patient_user.id}/change/" not in listing
    assert admin.get(f"/admin/accounts/user/{foreign_clinician.id}/change/").status_code == 302  # not found here
    assert admin.get(f"/admin/accounts/organisation/{foreign_clinician.organisation_id}/change/").status_code == 302


def test_an_administrator_changing_a_password_is_audited(administrator, coordinator):
    from commonground.audit.models import AuditEvent

    admin = Client()
    admin.force_login(administrator)
    url = f"/admin/accounts/user/{coordinator.id}/password/"
    response = admin.post(url, {"password1": "another long passphrase", "password2": "another long passphrase"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        action="password_changed", object_id=str(coordinator.id), actor_id=administrator.id
    ).exists()


def test_a_form_sent_after_the_session_ended_returns_to_its_page_and_says_nothing_was_saved(
    coordinator, patient_record
):
    from django.contrib.messages import get_messages

    client = Client()
    sign_in(client, "alice")
    page = reverse("clinician:notes", args=[patient_record.id])
    _age_session(client, idle=16 * 60)
    response = client.post(
        page, {"kind": "other", "text": "Phoned back."}, headers={"Referer": f"http://testserver{page}"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={page}"
    assert "was not saved" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    # Signed out by another way (cookie gone): the same, and a foreign Referer is never followed.
    anonymous = Client()
    response = anonymous.post(
        reverse("clinician:record_session", args=[patient_record.id]), headers={"Referer": "https://evil.example/x"}
    )
    assert response["Location"] == f"{reverse('accounts:login')}?next=/"


def test_a_page_asked_for_after_the_session_ended_comes_back_after_signing_in(coordinator):
    client = Client()
    sign_in(client, "alice")
    _age_session(client, idle=16 * 60)
    response = client.get(reverse("clinician:caseload"))
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse('clinician:caseload')}"


def test_messages_stay_on_the_server_never_in_a_cookie(coordinator, patient_record):
    client = Client()
    sign_in(client, "alice")
    response = client.post(
        reverse("clinician:notes", args=[patient_record.id]),
        {"kind": "other", "text": "Phoned back.", "language": "en"},
    )
    assert response.status_code == 302
    assert "messages" not in response.cookies
    assert "The note is saved." in client.get(response["Location"]).content.decode()


def test_a_form_on_a_page_shown_at_a_post_only_address_never_returns_there(coordinator, patient_record):
    client = Client()
    sign_in(client, "alice")
    form_page = reverse("clinician:add_value", args=[patient_record.id])  # the tab, shown again with errors
    assert client.get(form_page).status_code == 405
    _age_session(client, idle=16 * 60)
    response = client.post(form_page, {}, headers={"Referer": f"http://testserver{form_page}"})
    assert response["Location"] == f"{reverse('accounts:login')}?next=/"
