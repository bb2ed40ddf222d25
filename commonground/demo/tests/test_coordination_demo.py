"""The demo clinic's coordination: tasks for the `coordinator` login (some overdue), a held meeting with
attendance, discussions and decisions, a planned one with its agenda, the default rules; nothing twice."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commonground.access import gateway
from commonground.accounts.models import User
from commonground.coordination import selectors
from commonground.coordination.choices import ItemStatus, MeetingStatus, RuleKind
from commonground.coordination.models import EscalationRule, Meeting, Task
from commonground.demo.coordination import seed_coordination
from commonground.demo.seed import DEMO_SLUG, SeedResult
from commonground.kit import clock
from tests.personas import signed_in

pytestmark = pytest.mark.django_db


def coordinator() -> User:
    return User.objects.get(username="coordinator", organisation__slug=DEMO_SLUG)


def test_the_coordinator_has_tasks_some_overdue(demo_clinic: SeedResult) -> None:
    user = coordinator()
    visible = gateway.visible_patients(user).values("id")
    assert selectors.my_tasks(user, visible).count() >= 6
    assert selectors.overdue_count(user, visible, now=clock.now()) >= 2
    assert Task.objects.filter(status="done").exists() and Task.objects.filter(status="cancelled").exists()
    assert Task.objects.filter(created_by__isnull=True).exists()  # made by the rules


def test_two_meetings_one_held_one_planned(demo_clinic: SeedResult) -> None:
    held = Meeting.objects.get(organisation__slug=DEMO_SLUG, status=MeetingStatus.HELD)
    planned = Meeting.objects.get(organisation__slug=DEMO_SLUG, status=MeetingStatus.PLANNED)
    assert held.attendees.count() == 5 and held.notes
    assert {item.status for item in held.items.all()} == {ItemStatus.DISCUSSED}
    assert all(item.discussion and item.tasks.exists() for item in held.items.all())
    assert planned.items.count() >= 2
    assert EscalationRule.objects.filter(organisation__slug=DEMO_SLUG).count() == len(RuleKind.values)


def test_the_demo_pages_open(demo_clinic: SeedResult) -> None:
    client = signed_in(coordinator())
    assert client.get(reverse("clinician:my_tasks")).status_code == 200
    for meeting in Meeting.objects.filter(organisation__slug=DEMO_SLUG):
        assert client.get(reverse("clinician:meeting", args=[meeting.id])).status_code == 200
        for item in meeting.items.all()[:3]:
            page = client.get(reverse("clinician:agenda_item", args=[item.patient_id, item.id]))
            assert page.status_code == 200
    planned = Meeting.objects.get(organisation__slug=DEMO_SLUG, status=MeetingStatus.PLANNED)
    assert client.get(reverse("clinician:prepare_meeting", args=[planned.id])).status_code == 200


def test_a_second_run_writes_nothing(demo_clinic: SeedResult) -> None:
    user = coordinator()
    before = Task.objects.count(), Meeting.objects.count()
    seed_coordination(user.organisation, staff={}, today=None, seed="again")  # type: ignore[arg-type]
    assert (Task.objects.count(), Meeting.objects.count()) == before
