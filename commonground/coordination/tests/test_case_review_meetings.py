"""Case-review meetings: the agenda from flagged patients and by hand, the discussion closes the flag as
reviewed, decisions become tasks linked to the item, attendance from the clinic's staff, and the meeting held."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from commonground.coordination import casereview, selectors, services
from commonground.coordination.choices import FlagStatus, ItemStatus, MeetingStatus, ReviewReason
from commonground.coordination.models import AgendaItem, CaseReviewFlag
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(clinic: Any, coordinator: Any) -> Any:
    return casereview.plan_meeting(
        organisation_id=clinic.id, title="Case review", starts_at=clock.now() + timedelta(days=2), by=coordinator
    )


def test_a_flagged_patient_on_the_agenda_links_the_flag(meeting: Any, patient_record: Any, coordinator: Any) -> None:
    flag = services.flag_for_case_review(patient_record, by=coordinator, reason=ReviewReason.MANUAL, note="Stuck")
    item = casereview.add_to_agenda(meeting, patient_record, reasons=[ReviewReason.MANUAL], by=coordinator)
    assert (item.flag, item.note, item.reasons, item.position) == (flag, "Stuck", ["manual"], 1)


def test_adding_again_merges_the_reasons(meeting: Any, patient_record: Any, coordinator: Any) -> None:
    casereview.add_to_agenda(meeting, patient_record, reasons=["not_improving"], by=coordinator)
    item = casereview.add_to_agenda(meeting, patient_record, reasons=["deteriorated", "bogus"], by=coordinator)
    assert item.reasons == ["not_improving", "deteriorated"]
    assert AgendaItem.objects.count() == 1


def test_discussing_closes_the_flag_as_reviewed(meeting: Any, patient_record: Any, coordinator: Any) -> None:
    services.flag_for_case_review(patient_record, by=coordinator, reason=ReviewReason.NOT_IMPROVING)
    item = casereview.add_to_agenda(meeting, patient_record, reasons=["not_improving"], by=coordinator)
    with pytest.raises(DomainError):
        casereview.record_discussion(item, discussion=" ", plan_change="", by=coordinator, expected_version=1)
    item = casereview.record_discussion(
        item, discussion="Pacing too ambitious", plan_change="Halve the walking", by=coordinator, expected_version=1
    )
    assert (item.status, item.discussed_by) == (ItemStatus.DISCUSSED, coordinator)
    assert CaseReviewFlag.objects.get().status == FlagStatus.REVIEWED
    assert selectors.open_flag_of(patient_record.id) is None
    with pytest.raises(StaleEdit):
        casereview.record_discussion(item, discussion="Again", plan_change="", by=coordinator, expected_version=1)


def test_a_decision_becomes_a_task_linked_to_the_item(
    meeting: Any, patient_record: Any, coordinator: Any, therapist: Any
) -> None:
    item = casereview.add_to_agenda(meeting, patient_record, reasons=["manual"], by=coordinator)
    task = casereview.decide_task(
        item, title="Refer to psychiatry", due_at=clock.now() + timedelta(days=7), by=coordinator, assignee=therapist
    )
    assert (task.agenda_item, task.patient, task.created_by) == (item, patient_record, coordinator)
    assert selectors.tasks_of_items([item.id]) == {item.id: [task]}


def test_attendance_is_chosen_from_the_clinics_care_staff(
    meeting: Any, coordinator: Any, therapist: Any, foreign_clinician: Any, administrator: Any
) -> None:
    casereview.set_attendance(meeting, staff_ids=[coordinator.id, therapist.id])
    assert selectors.attendees_of(meeting) == sorted([coordinator, therapist], key=lambda p: p.display_name)
    casereview.set_attendance(meeting, staff_ids=[therapist.id])
    assert selectors.attendees_of(meeting) == [therapist]
    for wrong in (foreign_clinician, administrator):
        with pytest.raises(DomainError):
            casereview.set_attendance(meeting, staff_ids=[wrong.id])


def test_a_held_meeting_takes_no_new_patients(meeting: Any, patient_record: Any, coordinator: Any) -> None:
    held = casereview.mark_held(meeting, notes="All discussed", expected_version=meeting.version)
    assert held.status == MeetingStatus.HELD and held.held_at is not None
    with pytest.raises(DomainError):
        casereview.add_to_agenda(held, patient_record, reasons=["manual"], by=coordinator)
    with pytest.raises(DomainError):
        casereview.mark_held(held, notes="", expected_version=held.version)


def test_the_agenda_shows_only_patients_the_reader_may_see(
    meeting: Any, patient_record: Any, other_patient_record: Any, coordinator: Any, therapist: Any
) -> None:
    from commonground.access import gateway

    casereview.add_to_agenda(meeting, patient_record, reasons=["manual"], by=coordinator)
    casereview.add_to_agenda(meeting, other_patient_record, reasons=["manual"], by=coordinator)
    visible = gateway.visible_patients(therapist).values("id")
    assert [item.patient for item in selectors.agenda_of(meeting, visible)] == [patient_record]
    assert selectors.hidden_items(meeting, visible) == 1
    assert selectors.agenda_counts([meeting.id]) == {meeting.id: (2, 0)}


def test_a_referral_waiting_longer_than_expected_is_a_long_wait(patient_record: Any, coordinator: Any) -> None:
    from datetime import timedelta

    from commonground.kit import clock
    from commonground.referrals import services as referral_services

    assert selectors.long_wait_source([patient_record.id]) == {}
    details = {"service": "physiotherapy", "counterpart": "Physio practice", "reason": "Graded activity"}
    with clock.pinned(clock.now() - timedelta(days=50)):
        referral = referral_services.create_outgoing(patient_record, details=details, by=coordinator, send_now=True)
    assert selectors.long_wait_source([patient_record.id]) == {patient_record.id: referral.sent_at}


def test_a_rule_can_flag_without_a_person(patient_record: Any) -> None:
    flag = services.flag_for_case_review(patient_record, by=None, reason=ReviewReason.DETERIORATED)
    assert flag.flagged_by is None


def test_taking_a_patient_off_the_agenda_keeps_their_flag(meeting: Any, patient_record: Any, coordinator: Any) -> None:
    from commonground.access import gateway

    services.flag_for_case_review(patient_record, by=coordinator, reason=ReviewReason.NOT_IMPROVING)
    item = casereview.add_to_agenda(meeting, patient_record, reasons=["not_improving"], by=coordinator)
    item = casereview.take_off_agenda(item, expected_version=item.version)
    visible = gateway.visible_patients(coordinator).values("id")
    assert selectors.agenda_of(meeting, visible) == [] and selectors.agenda_counts([meeting.id]) == {}
    assert selectors.open_flag_of(patient_record.id) is not None
    with pytest.raises(DomainError):
        casereview.take_off_agenda(item, expected_version=item.version)
    back = casereview.add_to_agenda(meeting, patient_record, reasons=["manual"], by=coordinator)
    assert (back.id, back.status, back.reasons) == (item.id, ItemStatus.WAITING, ["manual"])
