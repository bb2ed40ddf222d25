"""A goal for `patient_record`, set by the therapist, for the goals domain's tests."""

from __future__ import annotations

from typing import Any

import pytest

from commonground.goals.models import Goal
from commonground.goals.tests.support import make_goal


@pytest.fixture
def goal(patient_record: Any, therapist: Any) -> Goal:
    return make_goal(patient_record, therapist)
