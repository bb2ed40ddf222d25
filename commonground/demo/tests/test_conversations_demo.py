"""The demo clinic's messages: team threads for fifteen patients, the portal patients' conversations, unread
messages waiting for the `coordinator` and `patient` logins, and nothing written twice."""

from __future__ import annotations

import pytest

from commonground.accounts.models import User
from commonground.conversations import selectors
from commonground.conversations.choices import ThreadKind
from commonground.conversations.models import Message, Thread
from commonground.demo.conversations import seed_conversations
from commonground.demo.seed import DEMO_SLUG, SeedResult

pytestmark = pytest.mark.django_db


def test_the_demo_has_team_threads_and_portal_conversations(demo_clinic: SeedResult) -> None:
    team_patients = Thread.objects.filter(kind=ThreadKind.TEAM).values("patient_id").distinct().count()
    assert team_patients == 15
    talks = Thread.objects.filter(kind=ThreadKind.PATIENT)
    assert {thread.patient.user.username for thread in talks} == {"patient", "patient2"}
    assert Message.objects.filter(from_patient=True).count() >= 4


def test_the_demo_logins_find_unread_messages(demo_clinic: SeedResult) -> None:
    coordinator = User.objects.get(username="coordinator", organisation__slug=DEMO_SLUG)
    patient = User.objects.get(username="patient", organisation__slug=DEMO_SLUG)
    assert selectors.unread_for_staff(coordinator) >= 3
    assert selectors.unread_for_patient(patient) == 1
    rows = selectors.inbox(coordinator)
    assert rows[0].unread > 0 and rows[-1].unread == 0


def test_a_second_run_writes_nothing(demo_clinic: SeedResult) -> None:
    coordinator = User.objects.get(username="coordinator", organisation__slug=DEMO_SLUG)
    before = Message.objects.count()
    assert seed_conversations(coordinator.organisation, staff={}, today=None, seed="again") == 0  # type: ignore[arg-type]
    assert Message.objects.count() == before
