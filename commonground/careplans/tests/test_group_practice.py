"""Home practice given to a whole group (`assign_group_practice`): no care plan needed, not refused after therapy
ended, and a member already practising the same library item is skipped (None), their practice left as it is."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from commonground.careplans import services
from commonground.careplans.models import HomePractice
from commonground.careplans.tests.conftest import today_for
from commonground.kit.errors import DomainError

pytestmark = pytest.mark.django_db


def test_no_care_plan_is_needed(patient_record: Any, therapist: Any) -> None:
    practice = services.assign_group_practice(
        patient_record, details={"library_item": "pacing", "how_often": "Every day"}, by=therapist
    )
    assert practice is not None
    assert (practice.title, practice.starts_on, practice.session_id) == (
        "Pacing: balancing activity and rest",
        today_for(patient_record),
        None,
    )


def test_given_after_therapy_ended(plan: Any, patient_record: Any, therapist: Any) -> None:
    today = today_for(patient_record)
    services.end_therapy(plan, expected_version=plan.version, ended_on=today, reason="Goals met", today=today)
    with pytest.raises(DomainError):
        services.assign_home_practice(patient_record, details={"title": "Walk"}, by=therapist)
    assert services.assign_group_practice(patient_record, details={"title": "Walk"}, by=therapist) is not None


def test_a_member_already_practising_it_is_skipped(patient_record: Any, therapist: Any) -> None:
    first = services.assign_group_practice(patient_record, details={"library_item": "pacing"}, by=therapist)
    assert services.assign_group_practice(patient_record, details={"library_item": "pacing"}, by=therapist) is None
    assert list(HomePractice.objects.filter(patient=patient_record)) == [first]
    # Their own title needs no library item: two different own practices are both given.
    assert services.assign_group_practice(patient_record, details={"title": "Walk"}, by=therapist) is not None


def test_an_unknown_library_item_is_refused_not_skipped(patient_record: Any, therapist: Any) -> None:
    with pytest.raises(DomainError) as refused:
        services.assign_group_practice(patient_record, details={"library_item": "nope"}, by=therapist)
    assert refused.value.field == "library_item"


def test_the_last_day_is_not_before_the_first(patient_record: Any, therapist: Any) -> None:
    yesterday = today_for(patient_record) - timedelta(days=1)
    with pytest.raises(DomainError):
        services.assign_group_practice(patient_record, details={"title": "Walk", "ends_on": yesterday}, by=therapist)
