"""The care team's safety pages: the alerts centre, one alert, acknowledging (also second), the safety-plan tab,
its editing with conflicts, its history; and who may not open them."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from commonground.audit.models import AuditEvent
from commonground.careteam.models import OnCallShift
from commonground.kit import clock
from commonground.safety import services
from commonground.safety.choices import StepKind
from commonground.safety.models import Alert, AlertStep, SafetyPlanVersion
from tests.personas import signed_in

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    return reverse(f"clinician:{name}", args=args)


def html(response: Any) -> str:
    return response.content.decode()


PLAN = {
    "version": "0",
    "warning_signs": "Lying awake after 3 am\nCancelling plans",
    "coping_strategies": "Walk round the block",
    "distractions": "The library café",
    "help_contacts_0_name": "My sister Lies",
    "help_contacts_0_phone": "555-0123",
    "professionals_0_name": "Crisis line",
    "professionals_0_phone": "555-0199",
    "safe_environment": "Tablets kept by the pharmacy",
    "reasons_for_living": "My dog, Bram",
    "change_note": "Made together in session",
}


# --- the alerts centre ---------------------------------------------------------------------------------------


def test_the_alerts_centre_groups_by_urgency_oldest_first_with_recipients_level_and_wait(
    patient_record: Any, other_patient_record: Any, urgent_alert: Any, coordinator: Any, therapist: Any, clinic: Any
) -> None:
    older = services.raise_critical_item_alert(other_patient_record, summary="Older urgent", response_id=uuid.uuid4())
    Alert.objects.filter(pk=older.pk).update(raised_at=clock.now() - timedelta(hours=30))
    services.raise_deterioration_alert(patient_record, summary="PHQ-15 reliably worse", response_id=uuid.uuid4())
    services.escalate_alert(urgent_alert, to_level=1, now=clock.now())
    OnCallShift.objects.create(
        organisation=clinic,
        staff=therapist,
        starts_at=clock.now() - timedelta(hours=1),
        ends_at=clock.now() + timedelta(hours=5),
    )
    page = signed_in(coordinator).get(url("alerts"))
    assert page.status_code == 200
    content = html(page)
    assert re.findall(r"badge badge-(alert|routine)", content) == ["alert", "alert", "routine"]
    assert (
        content.index("Older urgent") < content.index("PHQ-9 item 9 answered") < content.index("PHQ-15 reliably worse")
    )
    assert "30 h 0 min" in content and "Sent on to the responsible clinician" in content
    assert "Alice, Bob" in content  # who it was sent to
    assert "On call now:" in content and "Bob" in content
    assert url("chart", patient_record.id) in content and url("flag_for_case_review", patient_record.id) in content
    assert f"{url('new_task', patient_record.id)}?alert={urgent_alert.id}" in content
    assert AuditEvent.objects.filter(patient_id=other_patient_record.id, action="list").exists()


def test_acknowledged_alerts_show_who_when_and_what_was_done(urgent_alert: Any, coordinator: Any) -> None:
    services.acknowledge(urgent_alert, by=coordinator, note="Phoned her; safe tonight", expected_version=1)
    content = html(signed_in(coordinator).get(url("alerts")))
    assert "No open alerts" in content
    assert "Acknowledged in the last 7 days" in content and "Phoned her; safe tonight" in content and "Alice" in content


def test_staff_outside_the_care_team_see_none_of_it(urgent_alert: Any, outsider: Any, foreign_clinician: Any) -> None:
    for person in (outsider, foreign_clinician):
        content = html(signed_in(person).get(url("alerts")))
        assert "No open alerts" in content and "Lovelace" not in content


def test_the_on_call_clinician_an_alert_was_sent_on_to_sees_and_acknowledges_it(
    urgent_alert: Any, patient_record: Any, outsider: Any, clinic: Any
) -> None:
    now = clock.now()
    OnCallShift.objects.create(
        organisation=clinic, staff=outsider, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=8)
    )
    client = signed_in(outsider)
    assert client.get(url("alert", patient_record.id, urgent_alert.id)).status_code == 404
    services.escalate_alert(urgent_alert, to_level=2, now=now)
    assert "Lovelace" in html(client.get(url("alerts")))
    assert client.get(url("alert", patient_record.id, urgent_alert.id)).status_code == 200
    assert client.get(url("safety_plan", patient_record.id)).status_code == 200
    assert client.get(url("measures", patient_record.id)).status_code == 404  # the alert, not the whole chart
    client.post(url("acknowledge_alert", patient_record.id, urgent_alert.id), {"version": 1, "note": "Called her"})
    urgent_alert.refresh_from_db()
    assert urgent_alert.acknowledged_by == outsider


# --- acknowledging -------------------------------------------------------------------------------------------


def test_the_second_person_is_told_who_acknowledged_and_when_and_keeps_their_note(
    urgent_alert: Any, patient_record: Any, coordinator: Any, therapist: Any
) -> None:
    address = url("acknowledge_alert", patient_record.id, urgent_alert.id)
    signed_in(coordinator).post(address, {"version": 1, "note": "Phoned her: safe", "next": url("alerts")})
    bob = signed_in(therapist)
    late = bob.post(address, {"version": 1, "note": "Texted her, she answered", "next": url("alerts")})
    assert late.status_code == 302 and late["Location"] == url("alert", patient_record.id, urgent_alert.id)
    page = html(bob.get(late["Location"]))
    assert "Alice acknowledged this alert on" in page and "before you" in page
    assert "Phoned her: safe" in page  # what the colleague did
    assert ">Texted her, she answered</textarea>" in page  # the note, kept
    assert AlertStep.objects.filter(alert=urgent_alert, kind=StepKind.ACKNOWLEDGED).count() == 1
    added = bob.post(url("alert_note", patient_record.id, urgent_alert.id), {"note": "Texted her, she answered"})
    assert added.status_code == 302
    note = AlertStep.objects.get(alert=urgent_alert, kind=StepKind.NOTE)
    assert note.by == therapist and note.detail == "Texted her, she answered"
    assert "Texted her, she answered" in html(bob.get(url("alert", patient_record.id, urgent_alert.id)))


def test_an_alert_page_shows_its_steps(
    urgent_alert: Any, patient_record: Any, coordinator: Any, psychiatrist: Any
) -> None:
    services.escalate_alert(urgent_alert, to_level=2, now=clock.now())
    page = html(signed_in(coordinator).get(url("alert", patient_record.id, urgent_alert.id)))
    assert "Sent on to the on-call clinician" in page
    assert "Nobody was on call, so it went to the clinic&#39;s clinicians with emergency access" in page
    assert psychiatrist.display_name in page


def test_an_alert_of_another_patient_is_not_found_through_this_patients_address(
    urgent_alert: Any, other_patient_record: Any, coordinator: Any
) -> None:
    client = signed_in(coordinator)
    assert client.get(url("alert", other_patient_record.id, urgent_alert.id)).status_code == 404
    assert client.get(url("alert", other_patient_record.id, uuid.uuid4())).status_code == 404


# --- the safety plan -----------------------------------------------------------------------------------------


def test_a_plan_is_made_in_the_tab_and_each_save_is_a_new_version(
    patient_record: Any, therapist: Any, coordinator: Any
) -> None:
    client = signed_in(therapist)
    empty = html(client.get(url("safety_plan", patient_record.id)))
    assert "No safety plan yet" in empty and "Make a safety plan" in empty
    saved = client.post(url("edit_safety_plan", patient_record.id), PLAN)
    assert saved.status_code == 302 and saved["Location"] == url("safety_plan", patient_record.id)
    tab = html(client.get(url("safety_plan", patient_record.id)))
    assert "Version 1, saved by Bob" in tab and "Lying awake after 3 am" in tab and "555-0123" in tab
    edit = html(signed_in(coordinator).get(url("edit_safety_plan", patient_record.id)))
    assert "Lying awake after 3 am\nCancelling plans" in edit and 'name="version" value="1"' in edit
    signed_in(coordinator).post(
        url("edit_safety_plan", patient_record.id), {**PLAN, "version": "1", "coping_strategies": "Tea by the window"}
    )
    versions = list(SafetyPlanVersion.objects.filter(plan__patient=patient_record).order_by("number"))
    assert [(v.number, v.coping_strategies, v.saved_by) for v in versions] == [
        (1, ["Walk round the block"], therapist),
        (2, ["Tea by the window"], coordinator),
    ]
    history = html(client.get(url("safety_plan_history", patient_record.id) + "?version=1"))
    assert "Version 1 as saved on" in history and "Walk round the block" in history
    assert client.get(url("safety_plan_history", patient_record.id) + "?version=9").status_code == 404


def test_a_stale_edit_keeps_what_was_typed_beside_the_saved_version(
    patient_record: Any, therapist: Any, coordinator: Any
) -> None:
    signed_in(therapist).post(url("edit_safety_plan", patient_record.id), PLAN)
    signed_in(coordinator).post(
        url("edit_safety_plan", patient_record.id), {**PLAN, "version": "1", "distractions": "Allotment"}
    )
    stale = signed_in(therapist).post(
        url("edit_safety_plan", patient_record.id), {**PLAN, "version": "1", "distractions": "Swimming pool"}
    )
    assert stale.status_code == 409
    page = html(stale)
    assert "Saved meanwhile: version 2 by Alice" in page and "Allotment" in page
    assert "Swimming pool</textarea>" in page and 'name="version" value="2"' in page
    assert SafetyPlanVersion.objects.filter(plan__patient=patient_record).count() == 2


def test_two_people_making_the_first_plan_at_once_give_one_plan_and_a_conflict(
    patient_record: Any, therapist: Any, coordinator: Any
) -> None:
    signed_in(therapist).post(url("edit_safety_plan", patient_record.id), PLAN)
    second = signed_in(coordinator).post(url("edit_safety_plan", patient_record.id), PLAN)
    assert second.status_code == 409
    assert SafetyPlanVersion.objects.filter(plan__patient=patient_record).count() == 1


def test_an_empty_plan_is_not_saved(patient_record: Any, therapist: Any) -> None:
    answer = signed_in(therapist).post(url("edit_safety_plan", patient_record.id), {"version": "0"})
    assert answer.status_code == 200 and "Write at least one thing" in html(answer)
    bad = signed_in(therapist).post(
        url("edit_safety_plan", patient_record.id), {"version": "0", "help_contacts_0_phone": "555-0100"}
    )
    assert "Write a name beside each phone number" in html(bad)


def test_a_new_plan_starts_with_the_clinics_crisis_services(patient_record: Any, therapist: Any, clinic: Any) -> None:
    from commonground.safety.models import CrisisResource

    CrisisResource.objects.create(organisation=clinic, name="Night crisis line", phone="555-0111")
    page = html(signed_in(therapist).get(url("edit_safety_plan", patient_record.id)))
    assert 'value="Night crisis line"' in page and 'value="555-0111"' in page


# --- who may not -----------------------------------------------------------------------------------------------


def test_every_safety_page_is_not_found_outside_the_care_team(
    urgent_alert: Any, patient_record: Any, outsider: Any, foreign_clinician: Any, patient_user: Any, administrator: Any
) -> None:
    pages = [
        ("get", url("alert", patient_record.id, urgent_alert.id)),
        ("post", url("raise_concern", patient_record.id)),
        ("post", url("acknowledge_alert", patient_record.id, urgent_alert.id)),
        ("post", url("alert_note", patient_record.id, urgent_alert.id)),
        ("get", url("safety_plan", patient_record.id)),
        ("get", url("edit_safety_plan", patient_record.id)),
        ("post", url("edit_safety_plan", patient_record.id)),
        ("get", url("safety_plan_history", patient_record.id)),
    ]
    for person in (outsider, foreign_clinician, patient_user, administrator):
        client = signed_in(person)
        for method, address in pages:
            answer = getattr(client, method)(
                address, {**PLAN, "note": "x", "version": "1"} if method == "post" else None
            )
            assert answer.status_code == 404, f"{person.username} {method} {address}"
    assert signed_in(patient_user).get(url("alerts")).status_code == 404
    assert signed_in(administrator).get(url("alerts")).status_code == 404
    urgent_alert.refresh_from_db()
    assert urgent_alert.is_open and not SafetyPlanVersion.objects.exists()
    assert (
        not AlertStep.objects.filter(kind=StepKind.NOTE).exists() and not Alert.objects.filter(kind="concern").exists()
    )


# --- raising a concern ---------------------------------------------------------------------------------------


def test_a_team_member_raises_an_urgent_alert_that_is_followed_up_like_any_other(
    patient_record: Any, team: Any, therapist: Any, clinic: Any
) -> None:
    client = signed_in(therapist)
    assert 'action="' + url("raise_concern", patient_record.id) in html(
        client.get(url("safety_plan", patient_record.id))
    )
    empty = client.post(url("raise_concern", patient_record.id), {"urgency": "urgent", "summary": " "}, follow=True)
    assert "Write what happened" in html(empty) and not Alert.objects.exists()
    raised = client.post(
        url("raise_concern", patient_record.id), {"urgency": "urgent", "summary": "Phoned in distress; hung up"}
    )
    alert = Alert.objects.get(kind="concern")
    assert raised["Location"] == url("alert", patient_record.id, alert.id)
    assert alert.urgency == "urgent" and alert.is_open
    assert AlertStep.objects.get(alert=alert, kind=StepKind.RAISED).by == therapist
    assert {r.staff.username for r in alert.recipients.all()} == {"alice", "bob"}
    assert [a.id for a in services_open_urgent(clinic)] == [alert.id]


def services_open_urgent(clinic: Any) -> list[Any]:
    from commonground.safety import selectors

    return selectors.open_urgent_alerts(clinic.id)


def test_only_the_care_team_raises_alerts(urgent_alert: Any, patient_record: Any, outsider: Any, clinic: Any) -> None:
    now = clock.now()
    OnCallShift.objects.create(organisation=clinic, staff=outsider, starts_at=now, ends_at=now + timedelta(hours=8))
    services.escalate_alert(urgent_alert, to_level=2, now=now)
    client = signed_in(outsider)
    assert "Raise an alert" not in html(client.get(url("safety_plan", patient_record.id)))
    refused = client.post(url("raise_concern", patient_record.id), {"urgency": "urgent", "summary": "x"})
    assert refused.status_code == 404 and not Alert.objects.filter(kind="concern").exists()


# --- what the exploratory test found ---------------------------------------------------------------------------


def test_an_empty_acknowledgement_comes_back_beside_that_alerts_form_naming_the_patient_and_the_alert(
    urgent_alert: Any, patient_record: Any, coordinator: Any
) -> None:
    address = url("acknowledge_alert", patient_record.id, urgent_alert.id)
    answer = signed_in(coordinator).post(address, {"version": 1, "note": "   ", "next": url("alerts")})
    assert answer.status_code == 400  # the page itself, not a redirect with a message at the top
    content = html(answer)
    field = f"ack-{urgent_alert.id}"
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', content)
    assert error is not None
    assert patient_record.display_name in error.group(1) and f"record {patient_record.record_number}" in error.group(1)
    assert "urgent alert “Critical item answered”" in error.group(1)
    textarea = re.search(rf'<textarea id="{field}"[^>]*>', content)
    assert textarea is not None
    assert 'aria-invalid="true"' in textarea.group(0)
    assert f'aria-describedby="{field}-error"' in textarea.group(0) and "autofocus" in textarea.group(0)
    assert f'<input type="hidden" name="next" value="{url("alerts")}">' in content  # back where it came from
    assert content.index(f'id="{field}-error"') > content.index('id="ack-heading"')  # beside the form
    assert "<title>Error: " in content
    urgent_alert.refresh_from_db()
    assert urgent_alert.is_open


def test_acknowledging_again_in_another_window_says_you_did_it_not_a_colleague(
    urgent_alert: Any, patient_record: Any, coordinator: Any
) -> None:
    address = url("acknowledge_alert", patient_record.id, urgent_alert.id)
    first, second = signed_in(coordinator), signed_in(coordinator)  # two windows
    first.post(address, {"version": 1, "note": "Phoned her: safe"})
    late = second.post(address, {"version": 1, "note": "Phoned her again"})
    page = html(second.get(late["Location"]))
    assert "You acknowledged this alert already (in another window) at" in page
    assert "You acknowledged this alert already, in another window, so this note was not saved" in page
    assert "before you" not in page and "A colleague" not in page
    assert ">Phoned her again</textarea>" in page


def test_patients_sharing_a_name_are_told_apart_by_their_record_number(
    urgent_alert: Any, patient_record: Any, other_patient_record: Any, coordinator: Any
) -> None:
    type(patient_record).objects.filter(pk=other_patient_record.pk).update(
        given_name=patient_record.given_name, family_name=patient_record.family_name, preferred_name=""
    )
    other = services.raise_critical_item_alert(other_patient_record, summary="Also urgent", response_id=uuid.uuid4())
    services.acknowledge(other, by=coordinator, note="Called him", expected_version=1)
    services.raise_deterioration_alert(other_patient_record, summary="Worse", response_id=uuid.uuid4())
    client = signed_in(coordinator)
    name = patient_record.display_name
    centre = html(client.get(url("alerts")))
    for record in (patient_record, other_patient_record):
        beside = f'{name}</a>\n<span class="record-number nowrap">(record {record.record_number})</span>'
        assert beside in centre, record.record_number
    assert centre.count('<span class="record-number nowrap">') == 3  # two open, one acknowledged
    page = html(client.get(url("alert", patient_record.id, urgent_alert.id)))
    assert f"<title>Alert · {name} (record {patient_record.record_number})" in page
    assert f'{name}</a>\n<span class="record-number nowrap">(record {patient_record.record_number})</span></h1>' in page
