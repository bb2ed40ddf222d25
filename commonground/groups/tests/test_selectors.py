"""The groups selectors: who sees a cohort, what members see of each other, the facilitator relationship."""

from __future__ import annotations

from typing import Any

import pytest

from commonground.groups import selectors, services
from commonground.groups.models import Cohort

pytestmark = pytest.mark.django_db


def test_facilitators_and_coordinators_see_the_cohort_and_no_one_else(
    cohort: Cohort,
    facilitator: Any,
    coordinator: Any,
    therapist: Any,
    outsider: Any,
    foreign_clinician: Any,
    patient_user: Any,
) -> None:
    assert selectors.cohort_for_staff(facilitator, cohort.id) == cohort
    assert selectors.cohort_for_staff(coordinator, cohort.id) == cohort
    for person in (therapist, outsider, foreign_clinician, patient_user):
        assert selectors.cohort_for_staff(person, cohort.id) is None
        assert selectors.cohorts_for_staff(person) == []
    assert selectors.cohort_for_staff(facilitator, "not-a-uuid") is None


def test_members_see_each_other_by_first_name_only(cohort: Cohort, ada: Any, grace: Any) -> None:
    seen = selectors.fellow_members(cohort)
    assert [(m.enrolment_id, m.shown_name) for m in seen] == [(ada.id, "Ada"), (grace.id, "Grace")]


def test_the_facilitator_relationship_follows_membership(
    cohort: Cohort, ada: Any, facilitator: Any, therapist: Any, patient_record: Any
) -> None:
    assert selectors.is_facilitator_of_patient(facilitator, patient_record.id)
    assert not selectors.is_facilitator_of_patient(therapist, patient_record.id)
    assert patient_record.id in set(selectors.patients_of_facilitator(facilitator).values_list("patient_id", flat=True))
    services.withdraw(ada, reason="", by=facilitator)
    assert not selectors.is_facilitator_of_patient(facilitator, patient_record.id)
