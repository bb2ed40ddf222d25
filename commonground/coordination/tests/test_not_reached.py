"""Case review never drops a patient silently: marking a meeting held with patients not discussed lists them
and asks to confirm; they are then carried over, offered first (with their reasons and notes) when the next
meeting is prepared, until they are on an agenda again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from commonground.coordination import casereview, selectors, services
from commonground.coordination.choices import ItemStatus, MeetingStatus, ReviewReason
from commonground.coordination.models import AgendaItem, Meeting
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.patients.models import Patient
from tests.personas import make_patient, signed_in

pytestmark = pytest.mark.django_db


def _meeting(clinic: Any, coordinator: Any, *, days: int) -> Meeting:
    return casereview.plan_meeting(
        organisation_id=clinic.id,
        title=f"Review in {days} days",
        starts_at=clock.now() + timedelta(days=days),
        by=coordinator,
    )


def _visible(coordinator: Any) -> Any:
    return Patient.objects.filter(organisation_id=coordinator.organisation_id).values("id")


def test_holding_a_meeting_with_patients_not_discussed_needs_confirmation(
    clinic: Any, patient_record: Any, coordinator: Any
) -> None:
    meeting = _meeting(clinic, coordinator, days=1)
    casereview.add_to_agenda(meeting, patient_record, reasons=["manual"], by=coordinator, note="Asked by the GP")
    with pytest.raises(DomainError, match="1 patient on the agenda was not discussed"):
        casereview.mark_held(meeting, notes="", expected_version=meeting.version)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    held = casereview.mark_held(meeting, notes="", expected_version=meeting.version, not_reached_confirmed=True)
    assert held.status == MeetingStatus.HELD
    assert AgendaItem.objects.get().status == ItemStatus.WAITING  # not reached, not dropped


def test_the_held_button_lists_the_patients_not_discussed_and_asks(
    clinic: Any, patient_record: Any, coordinator: Any
) -> None:
    meeting = _meeting(clinic, coordinator, days=1)
    casereview.add_to_agenda(meeting, patient_record, reasons=["critical_item"], by=coordinator)
    client = signed_in(coordinator)
    url = reverse("clinician:meeting_held", args=[meeting.id])
    page = client.post(url, {"notes": "Ran out of time", "version": meeting.version})
    html = page.content.decode()
    assert page.status_code == 200 and "1 patient on the agenda was not discussed" in html
    assert "Lovelace" in html and patient_record.record_number in html and "Critical item" in html
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED  # nothing held before the confirmation
    answer = client.post(url, {"notes": "Ran out of time", "version": meeting.version, "confirm": "1"})
    assert answer.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.notes) == (MeetingStatus.HELD, "Ran out of time")
    assert "Not reached" in client.get(reverse("clinician:meeting", args=[meeting.id])).content.decode()


def test_a_meeting_with_everyone_discussed_is_held_at_once(clinic: Any, patient_record: Any, coordinator: Any) -> None:
    meeting = _meeting(clinic, coordinator, days=1)
    item = casereview.add_to_agenda(meeting, patient_record, reasons=["manual"], by=coordinator)
    casereview.record_discussion(item, discussion="Fine", plan_change="", by=coordinator, expected_version=item.version)
    answer = signed_in(coordinator).post(
        reverse("clinician:meeting_held", args=[meeting.id]), {"notes": "", "version": meeting.version}
    )
    assert answer.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


def test_patients_not_reached_are_offered_first_in_the_next_preparation(
    clinic: Any, patient_record: Any, coordinator: Any
) -> None:
    """The tester's case: a patient added by hand (no flag) and not reached is not lost."""
    first = _meeting(clinic, coordinator, days=1)
    casereview.add_to_agenda(first, patient_record, reasons=["manual"], by=coordinator, note="Asked by the GP")
    other = make_patient(clinic, coordinator, given="Grace", family="Hopper")
    discussed = casereview.add_to_agenda(first, other, reasons=["manual"], by=coordinator)
    casereview.record_discussion(discussed, discussion="Ok", plan_change="", by=coordinator, expected_version=1)
    casereview.mark_held(first, notes="", expected_version=first.version, not_reached_confirmed=True)
    assert [item.patient_id for item in selectors.not_reached(clinic.id, _visible(coordinator))] == [patient_record.id]

    second = _meeting(clinic, coordinator, days=8)
    client = signed_in(coordinator)
    url = reverse("clinician:prepare_meeting", args=[second.id])
    html = client.get(url).content.decode()
    assert "Carried over:" in html and "Not reached at the meeting of" in html and "Asked by the GP" in html
    assert f'value="{patient_record.id}" id="c-{patient_record.id}" checked' in html  # ticked by default
    assert html.index("Lovelace") < html.index("Add a patient by hand")
    assert client.post(url, {"patients": [str(patient_record.id)]}).status_code == 302
    carried = AgendaItem.objects.get(meeting=second)
    assert carried.reasons == [ReviewReason.MANUAL]
    assert carried.note.startswith("Not reached at the meeting of") and carried.note.endswith("Asked by the GP")
    # On an agenda again: no longer carried.
    assert selectors.not_reached(clinic.id, _visible(coordinator)) == []


def test_a_patient_not_reached_is_carried_only_to_those_who_may_see_them(
    clinic: Any, patient_record: Any, coordinator: Any, outsider: Any
) -> None:
    first = _meeting(clinic, coordinator, days=1)
    casereview.add_to_agenda(first, patient_record, reasons=["manual"], by=coordinator)
    casereview.mark_held(first, notes="", expected_version=first.version, not_reached_confirmed=True)
    second = _meeting(clinic, coordinator, days=8)
    html = signed_in(outsider).get(reverse("clinician:prepare_meeting", args=[second.id])).content.decode()
    assert "Lovelace" not in html


def test_a_flagged_patient_not_reached_keeps_the_flag_and_comes_once(
    clinic: Any, patient_record: Any, coordinator: Any
) -> None:
    services.flag_for_case_review(patient_record, by=coordinator, reason=ReviewReason.MANUAL, note="Stuck")
    first = _meeting(clinic, coordinator, days=1)
    casereview.add_to_agenda(first, patient_record, reasons=["manual"], by=coordinator)
    casereview.mark_held(first, notes="", expected_version=first.version, not_reached_confirmed=True)
    second = _meeting(clinic, coordinator, days=8)
    html = signed_in(coordinator).get(reverse("clinician:prepare_meeting", args=[second.id])).content.decode()
    assert html.count(f'id="c-{patient_record.id}"') == 1
    assert selectors.open_flag_of(patient_record.id) is not None
