"""The clinician's measures pages: the Measures tab (plan, schedule, trajectories, alerts, case review), one
response, paper entry, and the alerts page (issue 4 items 4-7)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from commonground.audit.models import AuditEvent
from commonground.careteam import services as team_services
from commonground.coordination.models import CaseReviewFlag
from commonground.kit import clock
from commonground.kit.models import RecordStatus
from commonground.measures import services as measure_services
from commonground.measures.models import MeasurementPlan, Response, ScheduledMeasure
from commonground.notifications.models import OutgoingEmail
from commonground.safety.models import Alert
from tests.personas import signed_in

pytestmark = pytest.mark.django_db

PHQ9_ITEMS = [str(n) for n in range(1, 11)]


@pytest.fixture(autouse=True)
def clinic_folder(tmp_path: Path, settings: Any) -> Path:
    """An empty folder for the clinic's own instruments, so a developer's var/instruments never leaks in."""
    settings.INSTRUMENTS_DIR = tmp_path / "clinic-instruments"
    return settings.INSTRUMENTS_DIR


@pytest.fixture
def team(patient_record, coordinator, therapist):
    """Alice coordinates, Bob is the responsible clinician; both get alert e-mails."""
    for person, address in ((coordinator, "alice@riverside.test"), (therapist, "bob@riverside.test")):
        person.email = address
        person.save()
    care_team = patient_record.care_team
    team_services.assign_roles(
        care_team,
        expected_version=care_team.version,
        coordinator=coordinator,
        responsible_clinician=therapist,
        reason="Bob leads the therapy",
    )
    return care_team


def phq9(*values: int | None) -> dict[str, Any]:
    """PHQ-9 answers: the nine scored items in order (None for unanswered), the 10th left out."""
    answers: dict[str, Any] = dict(zip(PHQ9_ITEMS, values, strict=False))
    answers.setdefault("10", None)
    return answers


def paper(patient, by, answers: dict[str, Any], *, days_ago: int, instrument: str = "phq9") -> Response:
    submitted = measure_services.enter_response(
        patient,
        instrument_id=instrument,
        answers=answers,
        entered_by=by,
        submission_key=uuid.uuid4(),
        completed_on=clock.now() - timedelta(days=days_ago),
    )
    return submitted.response


def url(name: str, *args: Any) -> str:
    return reverse(f"clinician:{name}", args=args)


def entry_post(answers: dict[str, Any], key: Any, **extra: Any) -> dict[str, Any]:
    data = {f"item_{item}": ("missing" if value is None else str(value)) for item, value in answers.items()}
    data.update(
        {"completed_on": clock.local_date(clock.now(), "Europe/Amsterdam").isoformat(), "mode": "paper"},
        submission_key=str(key),
    )
    data.update(extra)
    return data


def html(response) -> str:
    return response.content.decode()


def body_rows(content: str) -> list[str]:
    """The rows of the first table body in `content`."""
    body = content[content.index("<tbody>") : content.index("</tbody>")]
    return re.findall(r"<tr.*?</tr>", body, flags=re.S)


def checked_values(content: str, name: str) -> list[str]:
    tags = re.findall(r"<input[^>]*>", content)
    return [
        re.search(r'value="([^"]*)"', tag).group(1) for tag in tags if f'name="{name}"' in tag and " checked" in tag
    ]


# --- who may open the pages -----------------------------------------------------------------------------------


def test_every_measures_page_is_not_found_outside_the_care_team(
    patient_record, coordinator, outsider, foreign_clinician, patient_user
):
    response = paper(patient_record, coordinator, phq9(1, 1, 1, 1, 1, 1, 1, 1, 0), days_ago=3)
    alert_id = uuid.uuid4()
    pages = [
        ("get", url("measures", patient_record.id)),
        ("get", url("response", patient_record.id, response.id)),
        ("get", url("enter_response", patient_record.id, "phq9")),
        ("post", url("response_in_error", patient_record.id, response.id)),
        ("post", url("acknowledge_alert", patient_record.id, alert_id)),
        ("post", url("flag_for_case_review", patient_record.id)),
    ]
    for person in (outsider, foreign_clinician, patient_user):
        client = signed_in(person)
        for method, address in pages:
            data = {"version": "1", "reason": "manual", "note": "x"} if method == "post" else None
            answer = getattr(client, method)(address, data)
            assert answer.status_code == 404, f"{person.username} {method} {address}"
            if person != patient_user:  # the patient's own name is in their page header
                assert b"Lovelace" not in answer.content
    assert signed_in(patient_user).get(url("alerts")).status_code == 404
    assert not CaseReviewFlag.objects.exists()
    response.refresh_from_db()
    assert response.record_status == RecordStatus.ACTIVE


def test_a_response_of_another_patient_is_not_found_through_this_patients_chart(
    patient_record, other_patient_record, coordinator
):
    theirs = paper(other_patient_record, coordinator, phq9(0, 0, 0, 0, 0, 0, 0, 0, 0), days_ago=1)
    client = signed_in(coordinator)
    assert client.get(url("response", patient_record.id, theirs.id)).status_code == 404
    assert client.get(url("response", other_patient_record.id, theirs.id)).status_code == 200


# --- the measurement plan and the schedule ------------------------------------------------------------------


def plan_post(**extra: Any) -> dict[str, Any]:
    data = {
        "form": "plan",
        "instruments": ["phq15", "phq9"],
        "starts_on": clock.now().date().isoformat(),
        "interval_weeks": "4",
        "at_end_of_therapy": "on",
        "follow_up_months": "12",
    }
    data.update(extra)
    return data


def test_the_tab_offers_a_plan_with_the_clinics_defaults(patient_record, therapist):
    page = signed_in(therapist).get(url("measures", patient_record.id))
    assert page.status_code == 200
    content = html(page)
    assert sorted(checked_values(content, "instruments")) == ["gad7", "phq15", "phq9", "wsas"]
    assert re.search(r'name="interval_weeks" value="4"', content)
    assert "Agree the plan" in content
    assert b'href="/clinician/patients/' in page.content and b"Measures" in page.content


def test_a_plan_is_agreed_and_changed_with_a_reason(patient_record, therapist):
    client = signed_in(therapist)
    answer = client.post(url("measures", patient_record.id), plan_post())
    assert answer.status_code == 302
    plan = MeasurementPlan.objects.get(patient=patient_record)
    assert plan.instruments == ["phq15", "phq9"] and plan.follow_up_months == 12
    baseline = ScheduledMeasure.objects.filter(patient=patient_record, occasion="baseline")
    assert sorted(baseline.values_list("instrument", flat=True)) == ["phq15", "phq9"]
    shown = html(client.get(url("measures", patient_record.id)))
    assert "<dd>PHQ-15, PHQ-9</dd>" in shown and "every 4 weeks" in shown and "Change the plan" in shown

    no_reason = client.post(url("measures", patient_record.id), plan_post(interval_weeks="6", version=plan.version))
    assert no_reason.status_code == 200
    assert 'id="id_reason_error"' in html(no_reason)
    plan.refresh_from_db()
    assert plan.interval_weeks == 4 and plan.version == 1

    changed = client.post(
        url("measures", patient_record.id),
        plan_post(interval_weeks="6", version=plan.version, reason="Fortnightly sessions"),
    )
    assert changed.status_code == 302
    plan.refresh_from_db()
    assert plan.interval_weeks == 6 and plan.version == 2
    assert plan.history.first().history_change_reason == "Fortnightly sessions"


def test_a_stale_plan_edit_is_refused(patient_record, therapist, coordinator):
    client = signed_in(therapist)
    client.post(url("measures", patient_record.id), plan_post())
    plan = MeasurementPlan.objects.get(patient=patient_record)
    signed_in(coordinator).post(
        url("measures", patient_record.id), plan_post(interval_weeks="2", version=1, reason="Weekly review")
    )
    stale = client.post(
        url("measures", patient_record.id), plan_post(interval_weeks="8", version=1, reason="Later"), follow=True
    )
    assert "Someone else saved" in html(stale)
    assert 'name="version" value="2"' in html(stale) and "every 2 weeks" in html(stale)  # the plan as now saved
    plan.refresh_from_db()
    assert plan.interval_weeks == 2


def test_a_plan_without_questionnaires_is_refused(patient_record, therapist):
    answer = signed_in(therapist).post(url("measures", patient_record.id), plan_post(instruments=[]))
    assert answer.status_code == 200
    assert not MeasurementPlan.objects.exists()


def test_the_schedule_shows_due_states_and_a_questionnaire_can_be_asked_for_now(patient_record, therapist):
    client = signed_in(therapist)
    today = clock.local_date(clock.now(), "Europe/Amsterdam")
    asked = client.post(
        url("measures", patient_record.id), {"form": "request", "instrument": "care", "due_on": today.isoformat()}
    )
    assert asked.status_code == 302
    item = ScheduledMeasure.objects.get(patient=patient_record, instrument="care")
    assert item.occasion == "on_request" and item.requested_by == therapist
    page = client.get(url("measures", patient_record.id))
    (row,) = body_rows(html(page)[html(page).index('id="schedule"') :])
    assert "CARE" in row and "On request" in row and "state-due" in row
    assert f"?scheduled={item.id}" in row


# --- paper entry ----------------------------------------------------------------------------------------------


def test_the_paper_form_lists_every_item_and_carries_a_fresh_submission_key(patient_record, therapist):
    page = signed_in(therapist).get(url("enter_response", patient_record.id, "phq9"))
    assert page.status_code == 200
    content = html(page)
    for item in PHQ9_ITEMS:
        assert f'name="item_{item}"' in content
    assert "Thoughts that you would be better off dead" in content
    key = re.search(r'name="submission_key" value="([0-9a-f-]{36})"', content)
    again = html(signed_in(therapist).get(url("enter_response", patient_record.id, "phq9")))
    other = re.search(r'name="submission_key" value="([0-9a-f-]{36})"', again)
    assert key and other and key.group(1) != other.group(1)


def test_entering_the_same_paper_form_twice_stores_one_response(patient_record, therapist):
    client = signed_in(therapist)
    key = uuid.uuid4()
    data = entry_post(phq9(1, 2, 1, 2, 1, 0, 1, 0, 0), key)
    first = client.post(url("enter_response", patient_record.id, "phq9"), data)
    second = client.post(url("enter_response", patient_record.id, "phq9"), data)
    assert Response.objects.filter(patient=patient_record).count() == 1
    saved = Response.objects.get(patient=patient_record)
    assert first["Location"] == second["Location"] == url("response", patient_record.id, saved.id)
    assert saved.mode == "paper" and saved.entered_by == therapist and saved.total == 8
    assert saved.answers["10"] is None


def test_phq9_item9_on_paper_raises_one_urgent_alert_for_coordinator_and_responsible_clinician(
    patient_record, team, coordinator, therapist
):
    client = signed_in(therapist)
    answer = client.post(
        url("enter_response", patient_record.id, "phq9"),
        entry_post(phq9(2, 2, 1, 1, 1, 1, 1, 1, 2), uuid.uuid4()),
        follow=True,
    )
    assert answer.status_code == 200
    assert "an urgent alert was raised" in html(answer)
    alert = Alert.objects.get(patient=patient_record)
    assert alert.urgency == "urgent" and alert.kind == "critical_item" and alert.status == "open"
    assert {r.staff for r in alert.recipients.all()} == {coordinator, therapist}
    emails = list(OutgoingEmail.objects.all())
    assert sorted(e.to for e in emails) == ["alice@riverside.test", "bob@riverside.test"]
    total = str(Response.objects.get(patient=patient_record).total.normalize())
    for email in emails:
        text = (email.subject + email.body).lower()
        for secret in ("ada", "lovelace", "phq", "patient health", "thoughts", "self-harm", f" {total}"):
            assert secret not in text, secret
    # The response page puts the critical flag first.
    assert (
        b"critical-flag" in answer.content and b"Thoughts of death or self-harm: answered positively" in answer.content
    )


def test_an_unanswered_item9_also_raises_the_urgent_alert(patient_record, team, therapist):
    client = signed_in(therapist)
    client.post(
        url("enter_response", patient_record.id, "phq9"), entry_post(phq9(1, 1, 1, 1, 1, 1, 1, 1, None), uuid.uuid4())
    )
    assert Alert.objects.get(patient=patient_record).urgency == "urgent"


def test_a_paper_form_can_fulfil_a_scheduled_questionnaire(patient_record, therapist):
    today = clock.local_date(clock.now(), "Europe/Amsterdam")
    item = measure_services.request_measure(patient_record, instrument_id="phq9", by=therapist, due_on=today)
    client = signed_in(therapist)
    page = client.get(url("enter_response", patient_record.id, "phq9") + f"?scheduled={item.id}")
    assert re.search(rf'<option value="{item.id}" selected>', html(page))
    key = uuid.uuid4()
    client.post(
        url("enter_response", patient_record.id, "phq9"),
        entry_post(phq9(0, 0, 0, 0, 0, 0, 0, 0, 0), key, scheduled=str(item.id), mode="interview"),
    )
    item.refresh_from_db()
    saved = Response.objects.get(patient=patient_record)
    assert item.status == "completed" and saved.scheduled == item and saved.mode == "interview"
    again = client.post(
        url("enter_response", patient_record.id, "phq9"),
        entry_post(phq9(0, 0, 0, 0, 0, 0, 0, 0, 0), key, scheduled=str(item.id), mode="interview"),
    )
    assert again["Location"] == url("response", patient_record.id, saved.id)
    assert Response.objects.filter(patient=patient_record).count() == 1


def test_a_paper_form_fulfils_only_a_questionnaire_of_its_own_kind(patient_record, therapist):
    today = clock.local_date(clock.now(), "Europe/Amsterdam")
    gad7 = measure_services.request_measure(patient_record, instrument_id="gad7", by=therapist, due_on=today)
    early = measure_services.request_measure(
        patient_record, instrument_id="phq9", by=therapist, due_on=today + timedelta(days=3)
    )
    client = signed_in(therapist)
    forged = client.post(
        url("enter_response", patient_record.id, "phq9"),
        entry_post(phq9(0, 0, 0, 0, 0, 0, 0, 0, 0), uuid.uuid4(), scheduled=str(gad7.id)),
    )
    assert forged.status_code == 200 and 'id="id_scheduled_error"' in html(forged)
    assert not Response.objects.exists()
    client.post(
        url("enter_response", patient_record.id, "phq9"),
        entry_post(phq9(0, 0, 0, 0, 0, 0, 0, 0, 0), uuid.uuid4(), scheduled=str(early.id)),
    )
    gad7.refresh_from_db()
    early.refresh_from_db()
    assert gad7.status == "open" and early.status == "completed"


def test_a_paper_form_dated_in_the_future_is_refused_on_the_form(patient_record, therapist):
    future = (clock.now() + timedelta(days=3)).date().isoformat()
    answer = signed_in(therapist).post(
        url("enter_response", patient_record.id, "phq9"),
        entry_post(phq9(0, 0, 0, 0, 0, 0, 0, 0, 0), uuid.uuid4(), completed_on=future),
    )
    assert answer.status_code == 200
    assert 'id="id_completed_on_error"' in html(answer)
    assert not Response.objects.exists()


def test_an_unknown_questionnaire_or_a_battery_offers_the_ones_that_can_be_entered(patient_record, therapist):
    client = signed_in(therapist)
    unknown = client.get(url("enter_response", patient_record.id, "nonsense"))
    assert unknown.status_code == 200 and b"There is no such questionnaire" in unknown.content
    battery = client.get(url("enter_response", patient_record.id, "phq_sads"))
    assert battery.status_code == 200 and b"enter each one on its own" in battery.content
    assert url("enter_response", patient_record.id, "gad7").encode() in battery.content


# --- one response ------------------------------------------------------------------------------------------------


def test_the_response_page_lists_every_item_with_missing_answers_plainly(patient_record, therapist):
    saved = paper(patient_record, therapist, phq9(3, 3, 3, None, 3, 3, 3, 3, 0), days_ago=2)
    page = signed_in(therapist).get(url("response", patient_record.id, saved.id))
    assert page.status_code == 200
    content = html(page)
    rows = body_rows(content[content.index('class="answers"') :])
    assert [re.search(r'<th scope="row">(\w+)</th>', row).group(1) for row in rows] == PHQ9_ITEMS
    assert "answer-missing" in rows[3] and "answer-missing" in rows[9] and "not scored" in rows[9]
    assert content.count("answer-missing") == 2
    assert "Nearly every day" in content and "Not answered" in content
    assert "Prorated" in content  # 24 x 9/8 = 27
    assert "Paper form entered by Bob" in content
    assert "Major depressive syndrome" in content


def test_an_unscorable_response_says_why(patient_record, therapist):
    saved = paper(patient_record, therapist, phq9(1, None, None, None, 1, 1, 1, 1, 0), days_ago=2)
    page = signed_in(therapist).get(url("response", patient_record.id, saved.id))
    assert b"Not scorable" in page.content
    assert saved.unscorable_reason.encode() in page.content


def test_a_response_is_marked_entered_in_error_only_with_a_reason(patient_record, therapist):
    saved = paper(patient_record, therapist, phq9(0, 0, 0, 0, 0, 0, 0, 0, 0), days_ago=2)
    client = signed_in(therapist)
    refused = client.post(url("response_in_error", patient_record.id, saved.id), {"version": saved.version})
    assert refused.status_code == 302
    saved.refresh_from_db()
    assert saved.record_status == RecordStatus.ACTIVE
    stale = client.post(
        url("response_in_error", patient_record.id, saved.id), {"version": saved.version - 1, "reason": "Wrong form"}
    )
    assert stale.status_code == 302
    saved.refresh_from_db()
    assert saved.record_status == RecordStatus.ACTIVE
    done = client.post(
        url("response_in_error", patient_record.id, saved.id), {"version": saved.version, "reason": "Wrong patient"}
    )
    assert done["Location"] == url("measures", patient_record.id)
    saved.refresh_from_db()
    assert saved.record_status == RecordStatus.ENTERED_IN_ERROR
    assert client.get(url("response", patient_record.id, saved.id)).status_code == 404


# --- the trajectory --------------------------------------------------------------------------------------------


def test_the_trajectory_chart_has_band_stripes_markers_and_a_table_beside_it(patient_record, therapist):
    paper(patient_record, therapist, phq9(3, 3, 2, 2, 2, 2, 2, 2, 0), days_ago=70)  # 18: baseline
    paper(patient_record, therapist, phq9(2, 2, 2, 2, 2, 1, 1, 1, 0), days_ago=42)  # 13: -5, not reliable
    paper(patient_record, therapist, phq9(1, None, None, None, 1, 1, 1, 1, 0), days_ago=21)  # not scorable
    paper(patient_record, therapist, phq9(1, 1, 1, 1, 1, 0, 0, 0, 0), days_ago=7)  # 5: reliable improvement
    page = signed_in(therapist).get(url("measures", patient_record.id))
    assert page.status_code == 200
    content = page.content.decode()
    section = content[content.index('id="trajectory-phq9"') :]
    section = section[: section.index("</section>")]
    assert 'role="img"' in section and "<title" in section and "<desc" in section
    assert section.count('class="band band-shade-') == 5 + 5  # five stripes and five legend swatches
    assert section.count('data-band="') == 5
    assert section.count('class="point"') == 2 + 1  # baseline and 13, plus the legend's plain swatch
    assert section.count('data-marker="reliable_improvement"') == 1
    assert "Reliable improvement since baseline" in section
    rows = re.findall(r"<tr class=\"[^\"]*\">", section[section.index("<tbody>") :])
    assert len(rows) == 4
    assert "Not scorable" in section and "Baseline" in section
    minus = "\N{MINUS SIGN}"
    assert f"{minus}13" in section and f"{minus}72.2 %" in section and "Reliable improvement" in section
    assert "5.06" in section  # PHQ-9's reliable-change threshold, shown with its source
    assert "Löwe" in section  # the MCID's source
    assert "Assumed figures" in section
    table = body_rows(section)
    assert [re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)[1].split(" <")[0] for row in table] == [
        "18",
        "13",
        "Not scorable",
        "5",
    ]
    assert "<td>Yes</td>" in table[-1]


def test_percent_change_is_a_dash_when_the_baseline_is_zero(patient_record, therapist):
    paper(patient_record, therapist, phq9(0, 0, 0, 0, 0, 0, 0, 0, 0), days_ago=30)
    paper(patient_record, therapist, phq9(1, 1, 1, 0, 0, 0, 0, 0, 0), days_ago=2)
    content = html(signed_in(therapist).get(url("measures", patient_record.id)))
    rows = body_rows(content[content.index('id="trajectory-phq9"') :])
    cells = re.findall(r"<td[^>]*>(.*?)</td>", rows[1], flags=re.S)
    assert cells[3] == "+3" and cells[4] == "—"


# --- alerts and case review -------------------------------------------------------------------------------------


@pytest.fixture
def open_alert(patient_record, team, therapist) -> Alert:
    paper(patient_record, therapist, phq9(1, 1, 1, 1, 1, 1, 1, 1, 1), days_ago=1)
    return Alert.objects.get(patient=patient_record)


def test_the_tab_shows_the_patients_open_alerts_with_a_banner(patient_record, open_alert, therapist):
    page = signed_in(therapist).get(url("measures", patient_record.id))
    assert b"1 open alert for this patient" in page.content
    assert open_alert.summary.encode() in page.content
    assert url("acknowledge_alert", patient_record.id, open_alert.id).encode() in page.content


def test_an_alert_is_acknowledged_only_with_a_note_and_at_the_current_version(patient_record, open_alert, coordinator):
    client = signed_in(coordinator)
    address = url("acknowledge_alert", patient_record.id, open_alert.id)
    no_note = client.post(address, {"version": open_alert.version, "note": "  "}, follow=True)
    assert "Write what was done" in html(no_note)
    open_alert.refresh_from_db()
    assert open_alert.status == "open"
    stale = client.post(address, {"version": open_alert.version + 5, "note": "Called her"}, follow=True)
    assert "Someone else saved" in html(stale)
    open_alert.refresh_from_db()
    assert open_alert.status == "open"
    done = client.post(address, {"version": open_alert.version, "note": "Called her; safety plan reviewed"})
    assert done["Location"] == url("measures", patient_record.id) + "#alerts"
    open_alert.refresh_from_db()
    assert open_alert.status == "acknowledged" and open_alert.acknowledged_by == coordinator
    assert open_alert.acknowledgement_note == "Called her; safety plan reviewed"


def test_the_alerts_page_lists_open_alerts_of_visible_patients_urgent_first_and_audits_them(
    patient_record, other_patient_record, open_alert, coordinator, therapist, outsider, foreign_clinician
):
    paper(other_patient_record, coordinator, phq9(3, 3, 3, 3, 3, 3, 3, 3, 0), days_ago=60)
    paper(other_patient_record, coordinator, phq9(3, 3, 3, 3, 3, 3, 3, 3, 3), days_ago=30)  # urgent
    routine = Alert.objects.create(
        patient=other_patient_record,
        organisation=other_patient_record.organisation,
        kind="reliable_deterioration",
        urgency="routine",
        summary="PHQ-9: reliable deterioration since baseline",
        source_type="test",
        source_id="1",
        raised_at=clock.now() - timedelta(days=40),
    )
    page = signed_in(coordinator).get(url("alerts"))
    assert page.status_code == 200
    content = html(page)
    assert re.findall(r"badge badge-(alert|routine)", content) == ["alert", "alert", "routine"]
    assert content.index(routine.summary) > content.index("Lovelace")
    assert "Lovelace" in content and "Hopper" in content
    assert AuditEvent.objects.filter(patient_id=other_patient_record.id, action="list").exists()
    # Bob is on Ada's team only; Carol on none; Hal works at another clinic.
    bobs = html(signed_in(therapist).get(url("alerts")))
    assert "Lovelace" in bobs and "Hopper" not in bobs
    for stranger in (outsider, foreign_clinician):
        answer = html(signed_in(stranger).get(url("alerts")))
        assert "No open alerts" in answer and "Lovelace" not in answer and "Hopper" not in answer


def test_acknowledging_from_the_alerts_page_returns_there_but_never_to_another_site(
    patient_record, open_alert, coordinator
):
    client = signed_in(coordinator)
    address = url("acknowledge_alert", patient_record.id, open_alert.id)
    back = client.post(address, {"version": open_alert.version, "note": "Seen", "next": url("alerts")})
    assert back["Location"] == url("alerts")
    open_alert.refresh_from_db()
    for outside in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        answer = client.post(address, {"version": open_alert.version, "note": "Again", "next": outside})
        assert answer["Location"].startswith("/clinician/patients/")


def test_a_patient_is_flagged_for_case_review_once_and_the_registry_can_come_back(patient_record, therapist):
    client = signed_in(therapist)
    address = url("flag_for_case_review", patient_record.id)
    first = client.post(address, {"reason": "not_improving", "note": "No change after 12 weeks", "next": "/clinician/"})
    assert first["Location"] == "/clinician/"
    flag = CaseReviewFlag.objects.get(patient=patient_record)
    assert flag.reason == "not_improving" and flag.flagged_by == therapist and flag.note == "No change after 12 weeks"
    again = client.post(address, {"reason": "manual", "next": "https://evil.example/"}, follow=True)
    assert "already on the case-review list" in html(again)
    assert CaseReviewFlag.objects.filter(patient=patient_record).count() == 1
    page = client.get(url("measures", patient_record.id))
    assert b"Waiting for case review" in page.content and b"No change after 12 weeks" in page.content
    assert b"Flag for case review" not in page.content


def test_a_case_review_flag_needs_a_known_reason(patient_record, therapist):
    answer = signed_in(therapist).post(url("flag_for_case_review", patient_record.id), {"reason": "whim"})
    assert answer.status_code == 302
    assert not CaseReviewFlag.objects.exists()
