"""The case-review agenda's sources: the registry's "deteriorated", "not improving" and "critical item", an open
case-review flag, and the long-wait hook; patients already on the agenda and patients not visible are left out."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import RequestFactory

from commonground.access.routes import Audience, RouteRule
from commonground.clinician import coordination_display as display
from commonground.coordination import selectors, services
from commonground.coordination.choices import ReviewReason
from commonground.interop.fhir.tests.support import from_paper
from commonground.patients import services as patient_services
from tests.personas import make_patient

pytestmark = pytest.mark.django_db

PHQ9_LOW = [0, 1, 0, 1, 0, 1, 0, 1, 0]  # 4
PHQ9_HIGH = [3, 3, 2, 3, 2, 3, 2, 2, 0]  # 20


def request_of(user: Any) -> Any:
    request = RequestFactory().get("/clinician/case-review/")
    request.user = user
    request.access_rule = RouteRule(Audience.CLINICIAN)
    return request


def candidates(user: Any, already: set[Any] | None = None) -> dict[Any, tuple[str, ...]]:
    found, _others = display.agenda_candidates(request_of(user), today=date.today(), already=already or set())
    return {candidate.patient_id: candidate.reasons for candidate in found}


def test_a_reliable_deterioration_is_a_source(patient_record: Any, coordinator: Any) -> None:
    from_paper(patient_record, coordinator, "phq9", PHQ9_LOW, days_ago=60)
    from_paper(patient_record, coordinator, "phq9", PHQ9_HIGH, days_ago=1)
    assert "deteriorated" in candidates(coordinator)[patient_record.id]


def test_not_improving_after_the_weeks_set_is_a_source(patient_record: Any, coordinator: Any) -> None:
    patient_services.open_episode(patient_record, started_on=date.today() - timedelta(weeks=14))
    from_paper(patient_record, coordinator, "phq9", PHQ9_HIGH, days_ago=80)
    from_paper(patient_record, coordinator, "phq9", PHQ9_HIGH, days_ago=2)
    assert "not_improving" in candidates(coordinator)[patient_record.id]


def test_a_critical_item_is_a_source(patient_record: Any, coordinator: Any) -> None:
    from_paper(patient_record, coordinator, "phq9", [0, 0, 0, 0, 0, 0, 0, 0, 2])
    assert "critical_item" in candidates(coordinator)[patient_record.id]


def test_a_manual_flag_and_a_long_wait_are_sources(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, coordinator: Any
) -> None:
    waiting = make_patient(clinic, coordinator, given="Wanda", family="Waits")
    services.flag_for_case_review(patient_record, by=coordinator, reason=ReviewReason.MANUAL, note="Stuck")
    monkeypatch.setattr(selectors, "long_wait_source", lambda ids: {waiting.id: None} if waiting.id in ids else {})
    found = candidates(coordinator)
    assert found[patient_record.id] == ("manual",)
    assert found[waiting.id] == ("long_wait",)


def test_unflagged_patients_are_offered_for_adding_by_hand(patient_record: Any, coordinator: Any) -> None:
    found, others = display.agenda_candidates(request_of(coordinator), today=date.today(), already=set())
    assert found == [] and [value for value, _label in others] == [str(patient_record.id)]


def test_patients_on_the_agenda_or_not_visible_are_left_out(
    patient_record: Any, foreign_patient: Any, coordinator: Any, foreign_clinician: Any
) -> None:
    services.flag_for_case_review(patient_record, by=coordinator, reason=ReviewReason.MANUAL)
    services.flag_for_case_review(foreign_patient, by=foreign_clinician, reason=ReviewReason.MANUAL)
    assert set(candidates(coordinator)) == {patient_record.id}
    assert candidates(coordinator, already={patient_record.id}) == {}
