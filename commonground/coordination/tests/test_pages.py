"""The coordination pages: My tasks, a patient's tasks, a new task (also from an alert), state buttons,
case-review meetings, the agenda, one patient's item, the rules; and who is refused (404)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commonground.careteam import services as team_services
from commonground.coordination import casereview, services
from commonground.coordination.choices import ReviewReason, TaskStatus
from commonground.coordination.models import AgendaItem, Meeting, Task
from commonground.coordination.tests.test_tasks import new_task
from commonground.kit import clock
from commonground.measures import services as measure_services
from commonground.safety import services as safety_services
from tests.personas import make_patient, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(clinic: Any, coordinator: Any) -> Meeting:
    return casereview.plan_meeting(
        organisation_id=clinic.id, title="Thursday review", starts_at=clock.now() + timedelta(days=2), by=coordinator
    )


# --- tasks ------------------------------------------------------------------------------------------------------


def test_my_tasks_lists_overdue_first(patient_record: Any, coordinator: Any) -> None:
    new_task(patient_record, coordinator, title="Later thing", due_at=clock.now() + timedelta(days=3))
    new_task(patient_record, coordinator, title="Late thing", due_at=clock.now() - timedelta(days=1))
    page = signed_in(coordinator).get(reverse("clinician:my_tasks"))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("Late thing") < html.index("Later thing")
    assert 'class="overdue' in html and "Overdue" in html
    badge = signed_in(coordinator).get(reverse("clinician:tasks_badge")).content.decode()
    assert "1 overdue" in badge


def test_team_tasks_and_filters(patient_record: Any, coordinator: Any, therapist: Any) -> None:
    new_task(patient_record, coordinator, title="For Bob", assignee=therapist, priority="urgent")
    client = signed_in(coordinator)
    assert "For Bob" not in client.get(reverse("clinician:my_tasks")).content.decode()
    assert "For Bob" in client.get(reverse("clinician:my_tasks") + "?show=team").content.decode()
    routine_only = client.get(reverse("clinician:my_tasks") + "?show=team&priority=routine").content.decode()
    assert "For Bob" not in routine_only


def test_state_buttons_move_the_task(patient_record: Any, coordinator: Any) -> None:
    task = new_task(patient_record, coordinator)
    client = signed_in(coordinator)
    url = reverse("clinician:move_task", args=[task.id])
    assert client.post(url, {"to": "in_progress", "version": 1}).status_code == 302
    client.post(url, {"to": "cancelled", "version": 2, "reason": ""})
    assert Task.objects.get().status == TaskStatus.IN_PROGRESS  # a cancellation needs a reason
    client.post(url, {"to": "done", "version": 1})  # stale: refused with a message
    assert Task.objects.get().status == TaskStatus.IN_PROGRESS
    client.post(url, {"to": "done", "version": 2, "next": "https://evil.example/"})
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.closed_by == coordinator


def test_a_task_is_not_found_for_anyone_who_may_not_see_the_patient(
    patient_record: Any, coordinator: Any, outsider: Any, foreign_clinician: Any, patient_user: Any
) -> None:
    task = new_task(patient_record, coordinator)
    url = reverse("clinician:move_task", args=[task.id])
    for person in (outsider, foreign_clinician, patient_user):
        assert signed_in(person).post(url, {"to": "done", "version": 1}).status_code == 404
        assert "Phone about" not in signed_in(person).get(reverse("clinician:my_tasks")).content.decode()
    assert Task.objects.get().status == TaskStatus.OPEN


def test_a_task_about_no_patient_is_for_its_people_only(clinic: Any, coordinator: Any, therapist: Any) -> None:
    task = services.create_task(organisation_id=clinic.id, title="Book room", due_at=clock.now(), assignee=coordinator)
    url = reverse("clinician:move_task", args=[task.id])
    assert signed_in(therapist).post(url, {"to": "done", "version": 1}).status_code == 404
    assert signed_in(coordinator).post(url, {"to": "done", "version": 1}).status_code == 302


def test_the_patients_tasks_tab_and_a_new_task(patient_record: Any, coordinator: Any, therapist: Any) -> None:
    client = signed_in(therapist)
    tab = client.get(reverse("clinician:patient_tasks", args=[patient_record.id]))
    assert tab.status_code == 200 and "New task" in tab.content.decode()
    url = reverse("clinician:new_task", args=[patient_record.id])
    assert client.get(url).status_code == 200
    day = (clock.now() + timedelta(days=2)).date().isoformat()
    answer = client.post(
        url,
        {
            "title": "Ask about sleep",
            "assignee": f"role:{coordinator.role}",
            "due_on": day,
            "due_time": "12:00",
            "priority": "routine",
        },
    )
    assert answer.status_code == 302
    task = Task.objects.get()
    assert (task.assignee_role, task.created_by, task.patient) == (coordinator.role, therapist, patient_record)
    assert client.post(url, {"title": "", "assignee": "role:nobody"}).status_code == 200  # errors shown


def test_a_task_from_an_alert_is_prefilled_and_linked(patient_record: Any, therapist: Any) -> None:
    alert = safety_services.raise_critical_item_alert(patient_record, summary="Item 9", response_id="r1")
    client = signed_in(therapist)
    url = reverse("clinician:new_task", args=[patient_record.id]) + f"?alert={alert.id}"
    html = client.get(url).content.decode()
    assert "Follow up the alert: Critical item answered" in html
    assert (
        'value="urgent" checked' in html
        or 'checked value="urgent"' in html
        or ('value="urgent"' in html and "checked" in html)
    )
    due = (clock.now() + timedelta(hours=24)).astimezone(
        patient_record.organisation.time_zone and __import__("zoneinfo").ZoneInfo(patient_record.organisation.time_zone)
    )
    assert due.date().isoformat() in html
    data = {
        "title": "Follow up",
        "assignee": f"person:{therapist.id}",
        "priority": "urgent",
        "due_on": due.date().isoformat(),
        "due_time": "17:00",
    }
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)  # twice: still one task for the alert, shown instead of a form
    assert again.status_code == 200 and "A task for this alert exists already" in again.content.decode()
    task = Task.objects.get()
    assert (task.source_type, task.source_id, task.priority) == ("alert", str(alert.id), "urgent")
    assert client.get(reverse("clinician:new_task", args=[patient_record.id]) + "?alert=nonsense").status_code == 404


def test_a_task_for_another_clinics_alert_is_not_found(
    patient_record: Any, foreign_patient: Any, therapist: Any
) -> None:
    alert = safety_services.raise_critical_item_alert(foreign_patient, summary="Item 9", response_id="r9")
    url = reverse("clinician:new_task", args=[patient_record.id]) + f"?alert={alert.id}"
    assert signed_in(therapist).get(url).status_code == 404


# --- case review ------------------------------------------------------------------------------------------------


def test_planning_a_meeting_and_preparing_its_agenda(clinic: Any, patient_record: Any, coordinator: Any) -> None:
    services.flag_for_case_review(patient_record, by=coordinator, reason=ReviewReason.MANUAL, note="Stuck")
    client = signed_in(coordinator)
    day = (clock.now() + timedelta(days=3)).date().isoformat()
    answer = client.post(reverse("clinician:meetings"), {"title": "MDT", "on": day, "at": "13:00"})
    meeting = Meeting.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("clinician:prepare_meeting", args=[meeting.id])
    page = client.get(answer["Location"])
    assert page.status_code == 200 and "Lovelace" in page.content.decode() and "Stuck" in page.content.decode()
    assert client.post(answer["Location"], {"patients": [str(patient_record.id)]}).status_code == 302
    item = AgendaItem.objects.get()
    assert item.reasons == ["manual"] and item.flag is not None
    listing = client.get(reverse("clinician:meetings")).content.decode()
    assert "MDT" in listing and "Lovelace" not in listing  # the list of meetings names no patient


def test_adding_a_patient_by_hand(meeting: Any, patient_record: Any, coordinator: Any) -> None:
    client = signed_in(coordinator)
    url = reverse("clinician:prepare_meeting", args=[meeting.id])
    assert client.post(url, {"extra": str(patient_record.id), "note": "Asked by the GP"}).status_code == 302
    item = AgendaItem.objects.get()
    assert (item.reasons, item.note) == (["manual"], "Asked by the GP")


def test_the_meeting_page_and_the_item_page(
    meeting: Any, patient_record: Any, coordinator: Any, therapist: Any
) -> None:
    services.flag_for_case_review(patient_record, by=coordinator, reason=ReviewReason.NOT_IMPROVING)
    item = casereview.add_to_agenda(meeting, patient_record, reasons=["not_improving"], by=coordinator)
    client = signed_in(therapist)
    page = client.get(reverse("clinician:meeting", args=[meeting.id]))
    assert page.status_code == 200 and "Lovelace" in page.content.decode()
    item_url = reverse("clinician:agenda_item", args=[patient_record.id, item.id])
    assert client.get(item_url).status_code == 200
    answer = client.post(item_url, {"discussion": "Try graded activity", "plan_change": "", "version": 1})
    assert answer.status_code == 302
    item.refresh_from_db()
    assert item.status == "discussed" and item.flag.status == "reviewed"
    stale = client.post(item_url, {"discussion": "Other", "plan_change": "", "version": 1})
    assert stale.status_code == 409
    day = (clock.now() + timedelta(days=7)).date().isoformat()
    decide = reverse("clinician:decide_task", args=[patient_record.id, item.id])
    data = {
        "title": "Refer to physio",
        "assignee": f"person:{therapist.id}",
        "due_on": day,
        "due_time": "17:00",
        "priority": "routine",
    }
    assert client.post(decide, data).status_code == 302
    assert Task.objects.get().agenda_item_id == item.id
    assert client.post(decide, {"title": ""}).status_code == 400


def test_attendance_and_held(meeting: Any, coordinator: Any, therapist: Any) -> None:
    client = signed_in(coordinator)
    client.post(reverse("clinician:meeting_attendance", args=[meeting.id]), {"attendees": [str(therapist.id)]})
    client.post(reverse("clinician:meeting_held", args=[meeting.id]), {"notes": "Good meeting", "version": 1})
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.notes == "Good meeting"
    assert list(meeting.attendees.values_list("staff_id", flat=True)) == [therapist.id]
    assert client.get(reverse("clinician:prepare_meeting", args=[meeting.id])).status_code == 302


def test_meetings_are_not_found_in_another_clinic_nor_by_patients(
    meeting: Any, foreign_clinician: Any, patient_user: Any, administrator: Any
) -> None:
    for person in (foreign_clinician, patient_user, administrator):
        client = signed_in(person)
        for name in ("meeting", "prepare_meeting"):
            assert client.get(reverse(f"clinician:{name}", args=[meeting.id])).status_code == 404
        assert client.post(reverse("clinician:meeting_held", args=[meeting.id]), {"version": 1}).status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == "planned"


def test_an_item_is_not_found_outside_the_care_team(
    meeting: Any, patient_record: Any, coordinator: Any, outsider: Any
) -> None:
    item = casereview.add_to_agenda(meeting, patient_record, reasons=["manual"], by=coordinator)
    client = signed_in(outsider)
    assert client.get(reverse("clinician:agenda_item", args=[patient_record.id, item.id])).status_code == 404
    assert "Lovelace" not in client.get(reverse("clinician:meeting", args=[meeting.id])).content.decode()


def test_the_meeting_page_reads_a_fixed_number_of_queries(
    clinic: Any, meeting: Any, patient_record: Any, coordinator: Any
) -> None:
    client = signed_in(coordinator)
    url = reverse("clinician:meeting", args=[meeting.id])
    casereview.add_to_agenda(meeting, patient_record, reasons=["manual"], by=coordinator)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for number in range(5):
        patient = make_patient(clinic, coordinator, given=f"P{number}", family=f"Q{number}")
        casereview.add_to_agenda(meeting, patient, reasons=["manual"], by=coordinator)
    client.get(url)
    with CaptureQueriesContext(connection) as six:
        client.get(url)
    assert len(six) == len(one)


def test_the_rules_page_is_for_staff(clinic: Any, therapist: Any, administrator: Any, patient_user: Any) -> None:
    url = reverse("clinician:escalation_rules")
    for person in (therapist, administrator):
        page = signed_in(person).get(url)
        assert page.status_code == 200 and "working hours" in page.content.decode()
    assert signed_in(patient_user).get(url).status_code == 404


def test_handing_a_task_on(patient_record: Any, coordinator: Any, therapist: Any, outsider: Any) -> None:
    task = new_task(patient_record, coordinator)
    url = reverse("clinician:hand_on_task", args=[task.id])
    assert signed_in(outsider).post(url, {"assignee": f"person:{outsider.id}", "version": 1}).status_code == 404
    page = signed_in(coordinator).get(reverse("clinician:my_tasks")).content.decode()
    assert "Hand on" in page
    assert signed_in(coordinator).post(url, {"assignee": f"person:{therapist.id}", "version": 1}).status_code == 302
    task.refresh_from_db()
    assert task.assignee == therapist
    signed_in(therapist).post(url, {"assignee": "role:psychologist", "version": 2})
    task.refresh_from_db()
    assert (task.assignee, task.assignee_role) == (None, "psychologist")


def test_a_task_about_no_patient_from_my_tasks(coordinator: Any, patient_user: Any) -> None:
    client = signed_in(coordinator)
    url = reverse("clinician:new_unlinked_task")
    assert client.get(url).status_code == 200
    day = (clock.now() + timedelta(days=1)).date().isoformat()
    data = {
        "title": "Book the room",
        "assignee": f"person:{coordinator.id}",
        "due_on": day,
        "due_time": "09:00",
        "priority": "routine",
    }
    assert client.post(url, data).status_code == 302
    assert Task.objects.get().patient is None
    assert signed_in(patient_user).get(url).status_code == 404


def test_my_tasks_reads_a_fixed_number_of_queries(clinic: Any, coordinator: Any) -> None:
    client = signed_in(coordinator)
    url = reverse("clinician:my_tasks") + "?show=team&closed=on"

    def some_tasks(count: int) -> None:
        for number in range(count):
            patient = make_patient(clinic, coordinator, given=f"T{number}", family=f"Task{number}")
            task = new_task(patient, coordinator, due_at=clock.now() + timedelta(days=number - 2))
            if number % 3 == 1:
                services.move_task(task, to=TaskStatus.IN_PROGRESS, by=coordinator, expected_version=1)
            elif number % 3 == 2:
                services.move_task(task, to=TaskStatus.DONE, by=coordinator, expected_version=1)

    some_tasks(3)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    some_tasks(6)
    client.get(url)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)


def test_taking_a_patient_off_the_agenda_from_the_meeting_page(
    meeting: Any, patient_record: Any, coordinator: Any, outsider: Any
) -> None:
    item = casereview.add_to_agenda(meeting, patient_record, reasons=["manual"], by=coordinator)
    url = reverse("clinician:take_off_agenda", args=[patient_record.id, item.id])
    assert (
        "Take off the agenda"
        in signed_in(coordinator).get(reverse("clinician:meeting", args=[meeting.id])).content.decode()
    )
    assert signed_in(outsider).post(url, {"version": 1}).status_code == 404
    assert signed_in(coordinator).post(url, {"version": 1}).status_code == 302
    item.refresh_from_db()
    assert item.status == "withdrawn"


# --- what the exploratory tester found --------------------------------------------------------------------------


def _task_data(assignee: str, day: Any, **changes: Any) -> dict[str, Any]:
    data = {"title": "Call", "assignee": assignee, "due_on": day, "due_time": "12:00", "priority": "routine"}
    data.update(changes)
    return data


def test_a_patients_task_offers_only_the_care_team_and_refuses_others(
    patient_record: Any, coordinator: Any, therapist: Any, outsider: Any
) -> None:
    client = signed_in(coordinator)
    url = reverse("clinician:new_task", args=[patient_record.id])
    html = client.get(url).content.decode()
    assert f'value="person:{therapist.id}"' in html and f'value="person:{outsider.id}"' not in html
    assert 'value="role:physiotherapist"' in html  # roles stay on offer
    day = (clock.now() + timedelta(days=1)).date().isoformat()
    refused = client.post(url, _task_data(f"person:{outsider.id}", day))
    assert refused.status_code == 200 and "Carol is not on this patient&#39;s care team" in refused.content.decode()
    assert not Task.objects.exists()
    unlinked = client.get(reverse("clinician:new_unlinked_task")).content.decode()
    assert f'value="person:{outsider.id}"' in unlinked  # a task about no patient: any care staff


def test_handing_on_offers_the_care_team_and_refuses_others_clearly(
    patient_record: Any, coordinator: Any, outsider: Any
) -> None:
    task = new_task(patient_record, coordinator)
    client = signed_in(coordinator)
    page = client.get(reverse("clinician:my_tasks")).content.decode()
    assert f'value="person:{outsider.id}"' not in page
    answer = client.post(
        reverse("clinician:hand_on_task", args=[task.id]), {"assignee": f"person:{outsider.id}", "version": 1}
    )
    assert answer.status_code == 302
    assert "Carol is not on this patient&#39;s care team" in client.get(answer["Location"]).content.decode()
    task.refresh_from_db()
    assert task.assignee == coordinator


def test_a_decision_defaults_to_the_user_never_to_the_first_name(
    meeting: Any, patient_record: Any, coordinator: Any, therapist: Any
) -> None:
    item = casereview.add_to_agenda(meeting, patient_record, reasons=["manual"], by=coordinator)
    html = (
        signed_in(therapist).get(reverse("clinician:agenda_item", args=[patient_record.id, item.id])).content.decode()
    )
    assert f'value="person:{therapist.id}" selected' in html
    assert f'value="person:{coordinator.id}" selected' not in html


def test_a_decision_defaults_to_a_new_team_member_and_refuses_no_one_chosen(
    meeting: Any, patient_record: Any, coordinator: Any, psychiatrist: Any
) -> None:
    item = casereview.add_to_agenda(meeting, patient_record, reasons=["manual"], by=coordinator)
    team_services.add_member(patient_record, staff=psychiatrist)
    html = signed_in(psychiatrist).get(reverse("clinician:agenda_item", args=[patient_record.id, item.id]))
    assert f'value="person:{psychiatrist.id}" selected' in html.content.decode()
    decide = reverse("clinician:decide_task", args=[patient_record.id, item.id])
    day = (clock.now() + timedelta(days=1)).date().isoformat()
    answer = signed_in(coordinator).post(decide, _task_data("", day))
    assert answer.status_code == 400 and not Task.objects.exists()  # no one chosen: the form asks


def test_a_task_from_an_alert_that_has_one_shows_it_and_no_form(
    patient_record: Any, coordinator: Any, therapist: Any
) -> None:
    alert = safety_services.raise_critical_item_alert(patient_record, summary="Item 9", response_id="r1")
    made = services.create_task(
        organisation_id=patient_record.organisation_id,
        title="Follow up a critical answer",
        due_at=clock.now() + timedelta(hours=24),
        patient=patient_record,
        assignee=therapist,
        source_type="alert",
        source_id=str(alert.id),
    )
    client = signed_in(coordinator)
    url = reverse("clinician:new_task", args=[patient_record.id]) + f"?alert={alert.id}"
    html = client.get(url).content.decode()
    assert "A task for this alert exists already" in html and "Follow up a critical answer" in html
    assert "Bob" in html and f"#task-{made.id}" in html
    assert 'name="title"' not in html and "Save the task" not in html  # no editable form
    assert reverse("clinician:move_task", args=[made.id]) in html  # its state changes are there
    assert reverse("clinician:hand_on_task", args=[made.id]) in html
    day = (clock.now() + timedelta(days=1)).date().isoformat()
    client.post(url, _task_data(f"person:{coordinator.id}", day, title="Something else"))
    assert Task.objects.get() == made


def test_a_new_task_due_in_the_past_is_refused(patient_record: Any, coordinator: Any) -> None:
    client = signed_in(coordinator)
    url = reverse("clinician:new_task", args=[patient_record.id])
    answer = client.post(url, _task_data(f"person:{coordinator.id}", "2020-01-01"))
    assert answer.status_code == 200 and "cannot be due in the past" in answer.content.decode()
    assert not Task.objects.exists()
    today = clock.local_date(clock.now(), str(patient_record.organisation.time_zone)).isoformat()
    assert client.post(url, _task_data(f"person:{coordinator.id}", today, due_time="23:59")).status_code == 302
    unlinked = client.post(reverse("clinician:new_unlinked_task"), _task_data(f"person:{coordinator.id}", "2020-01-01"))
    assert unlinked.status_code == 200 and "cannot be due in the past" in unlinked.content.decode()


def test_task_lists_and_the_agenda_show_the_record_number(
    clinic: Any, meeting: Any, patient_record: Any, coordinator: Any
) -> None:
    namesake = make_patient(clinic, coordinator, given="Ada", family="Lovelace")
    for patient in (patient_record, namesake):
        new_task(patient, coordinator)
        casereview.add_to_agenda(meeting, patient, reasons=["manual"], by=coordinator)
    client = signed_in(coordinator)
    for url in (reverse("clinician:my_tasks"), reverse("clinician:meeting", args=[meeting.id])):
        html = client.get(url).content.decode()
        assert patient_record.record_number in html and namesake.record_number in html


def test_the_rules_page_says_the_settings_in_plain_words(therapist: Any) -> None:
    html = signed_in(therapist).get(reverse("clinician:escalation_rules")).content.decode()
    assert "An urgent task due within 24 hours of the alert, for the responsible clinician." in html
    assert "Monday to Friday 08:00-17:00" in html
    for raw in ("due_within_hours", "responsible_clinician", "working_days", "[0, 1, 2, 3, 4]"):
        assert raw not in html


def _answer(patient: Any, by: Any, total: int, weeks_ago: int) -> None:
    answers = {str(item): 1 if item <= total else 0 for item in range(1, 16)}
    measure_services.enter_response(
        patient,
        instrument_id="phq15",
        answers=answers,
        entered_by=by,
        submission_key=uuid.uuid4(),
        completed_on=clock.now() - timedelta(weeks=weeks_ago, hours=1),
    )


def test_the_item_page_shows_the_trajectories_in_a_fixed_number_of_queries(
    meeting: Any, patient_record: Any, coordinator: Any
) -> None:
    item = casereview.add_to_agenda(meeting, patient_record, reasons=["manual"], by=coordinator)
    client = signed_in(coordinator)
    url = reverse("clinician:agenda_item", args=[patient_record.id, item.id])
    _answer(patient_record, coordinator, 14, 10)
    _answer(patient_record, coordinator, 12, 6)
    client.get(url)
    with CaptureQueriesContext(connection) as two:
        html = client.get(url).content.decode()
    assert "PHQ-15 over time" in html
    for total in (6, 3):
        _answer(patient_record, coordinator, total, 4 if total == 6 else 1)
    client.get(url)
    with CaptureQueriesContext(connection) as four:
        html = client.get(url).content.decode()
    assert len(four) == len(two)
    table = html[html.index("PHQ-15 over time") :]
    table = table[: table.index("</table>")]
    assert table.count("<tr>") == 5  # the header and four dates
    assert "reliable improvement" in table  # the change since the previous score, as the measures domain judges it
