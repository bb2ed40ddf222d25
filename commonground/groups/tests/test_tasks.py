"""The weekly check-in prompt: from Friday, daytime in the member's zone, once a week, content-free."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from commonground.groups import services, tasks
from commonground.groups.choices import CheckInFeeling
from commonground.groups.models import CheckInPrompt
from commonground.kit import clock
from commonground.notifications.transports import MemoryTransport

pytestmark = pytest.mark.django_db

FRIDAY_NOON = datetime(2026, 3, 13, 11, 0, tzinfo=UTC)  # 12:00 in Amsterdam
THURSDAY_NOON = datetime(2026, 3, 12, 11, 0, tzinfo=UTC)
FRIDAY_NIGHT = datetime(2026, 3, 13, 22, 0, tzinfo=UTC)


@pytest.fixture
def partners(cohort: Any, ada: Any, grace: Any, facilitator: Any) -> Any:
    services.start_cohort(cohort, by=facilitator)
    pairing = services.ask_to_pair(ada, grace)
    return services.agree_to_pairing(pairing, grace)


def _sent(django_capture_on_commit_callbacks: Any, moment: datetime) -> int:
    with django_capture_on_commit_callbacks(execute=True), clock.pinned(moment):
        return tasks.send_check_in_prompts()


def test_a_partner_who_has_not_checked_in_gets_one_prompt_from_friday(
    partners: Any, ada: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assert _sent(django_capture_on_commit_callbacks, THURSDAY_NOON) == 0
    with clock.pinned(FRIDAY_NOON):
        services.check_in(partners, ada, feeling=CheckInFeeling.WELL, message="Walked every day")
    assert _sent(django_capture_on_commit_callbacks, FRIDAY_NOON) == 1  # Grace only: Ada checked in
    assert [m.to for m in MemoryTransport.outbox] == ["grace@home.test"]
    body = MemoryTransport.outbox[0].body
    for secret in ("Ada", "Grace", "Walked", "Spring group"):
        assert secret not in body
    assert "/portal/groups/" in body


def test_running_twice_sends_once_and_never_at_night(partners: Any, django_capture_on_commit_callbacks: Any) -> None:
    assert _sent(django_capture_on_commit_callbacks, FRIDAY_NIGHT) == 0
    assert _sent(django_capture_on_commit_callbacks, FRIDAY_NOON) == 2
    assert _sent(django_capture_on_commit_callbacks, FRIDAY_NOON) == 0
    assert CheckInPrompt.objects.count() == 2
    assert len(MemoryTransport.outbox) == 2


def test_no_prompt_for_an_ended_pairing(
    partners: Any, ada: Any, facilitator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    services.end_pairing(partners, enrolment=ada, by=ada.patient.user)
    assert _sent(django_capture_on_commit_callbacks, FRIDAY_NOON) == 0
