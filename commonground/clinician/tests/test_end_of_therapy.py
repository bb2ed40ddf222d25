"""Ending the care episode asks for the end-of-therapy questionnaires at once (issue 4, item 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from commonground.kit import clock
from commonground.measures import services as measures_services
from commonground.measures.choices import Occasion
from commonground.measures.models import ScheduledMeasure
from commonground.patients import services as patient_services
from tests.personas import signed_in

pytestmark = pytest.mark.django_db


def test_ending_the_episode_schedules_the_end_of_therapy_questionnaires(patient_record, coordinator, outsider):
    today = clock.local_date(clock.now(), coordinator.organisation.time_zone)
    episode = patient_services.open_episode(patient_record, started_on=today - timedelta(weeks=9))
    details = {"instruments": ["phq15", "phq9"], "starts_on": today - timedelta(weeks=9), "interval_weeks": 4}
    measures_services.create_plan(patient_record, by=coordinator, details=details, today=today)
    url = reverse("clinician:end_episode", args=[patient_record.id, episode.id])
    form = {"ended_on": today.isoformat(), "end_reason": "Therapy completed", "version": episode.version}
    assert signed_in(outsider).post(url, form).status_code == 404
    assert signed_in(coordinator).post(url, form).status_code == 302
    ending = ScheduledMeasure.objects.filter(patient=patient_record, occasion=Occasion.END_OF_THERAPY)
    assert sorted(ending.values_list("instrument", flat=True)) == ["phq15", "phq9"]
    assert set(ending.values_list("due_on", flat=True)) == {today}
