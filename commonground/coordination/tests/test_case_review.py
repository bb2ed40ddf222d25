"""Flagging a patient for case review: one open flag per patient, closed as reviewed or withdrawn."""

from __future__ import annotations

from typing import Any

import pytest

from commonground.coordination import selectors, services
from commonground.coordination.choices import FlagStatus, ReviewReason
from commonground.kit.errors import DomainError

pytestmark = pytest.mark.django_db


def test_one_open_flag_per_patient(patient_record: Any, coordinator: Any) -> None:
    services.flag_for_case_review(patient_record, by=coordinator, reason=ReviewReason.NOT_IMPROVING, note="12 weeks")
    with pytest.raises(DomainError, match="already on the case-review list"):
        services.flag_for_case_review(patient_record, by=coordinator, reason=ReviewReason.MANUAL)
    assert selectors.open_flags([patient_record.id]) == {patient_record.id: ReviewReason.NOT_IMPROVING}


def test_an_unknown_reason_is_refused(patient_record: Any, coordinator: Any) -> None:
    with pytest.raises(DomainError):
        services.flag_for_case_review(patient_record, by=coordinator, reason="because")


def test_a_closed_flag_leaves_the_list_and_a_new_one_can_be_raised(patient_record: Any, coordinator: Any) -> None:
    flag = services.flag_for_case_review(patient_record, by=coordinator, reason=ReviewReason.MANUAL)
    with pytest.raises(DomainError):
        services.close_flag(flag, expected_version=flag.version, status=FlagStatus.OPEN, reason="x")
    services.close_flag(flag, expected_version=flag.version, status=FlagStatus.REVIEWED, reason="Discussed at MDT")
    assert selectors.open_flag_of(patient_record.id) is None
    services.flag_for_case_review(patient_record, by=coordinator, reason=ReviewReason.DETERIORATED)
