"""The unanswered-message rule: a patient's message the team has not answered within the clinic's promised
working days gives the care coordinator one task to reply, once, audited, never with the message's words;
a reply from the team ends the wait; another clinic's patients and promise are their own."""

from __future__ import annotations

import importlib
import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from commonground.accounts.choices import Role
from commonground.audit.models import AuditEvent
from commonground.careteam import selectors as team_selectors
from commonground.careteam import services as team_services
from commonground.conversations import services as conversation_services
from commonground.conversations.models import MessagingSettings
from commonground.coordination import engine, rules
from commonground.coordination import services as coordination_services
from commonground.coordination.choices import RuleKind, TaskPriority, TaskStatus
from commonground.coordination.models import EscalationRule, RuleFiring, Task
from commonground.coordination.tests.test_rules import AMSTERDAM, MONDAY_NINE, at, only
from tests.personas import make_patient_user, signed_in

pytestmark = pytest.mark.django_db

WEDNESDAY_NINE = datetime(2026, 12, 9, 9, 0, tzinfo=AMSTERDAM)  # Monday 09:00 + 2 working days (2 x 9 hours)
WORDS = "I have not slept since my last visit and the pain is worse"


def from_patient(monkeypatch: pytest.MonkeyPatch, patient: Any, user: Any, when: datetime, text: str = WORDS) -> Any:
    at(monkeypatch, when)
    return conversation_services.write_to_team(patient, text=text, by=user, submission_id=uuid.uuid4())


def from_team(monkeypatch: pytest.MonkeyPatch, patient: Any, staff: Any, when: datetime) -> Any:
    at(monkeypatch, when)
    return conversation_services.write_to_patient(
        patient, text="Thank you, let us talk", by=staff, submission_id=uuid.uuid4()
    )


def run(monkeypatch: pytest.MonkeyPatch, when: datetime) -> int:
    at(monkeypatch, when)
    return engine.run_all().fired


# --- the rule and its parameters --------------------------------------------------------------------------------


def test_every_clinic_has_the_rule_enabled_at_its_defaults(clinic: Any, other_clinic: Any) -> None:
    for organisation in (clinic, other_clinic):
        rule = EscalationRule.objects.get(organisation=organisation, kind=RuleKind.UNANSWERED_MESSAGE)
        assert rule.enabled and rule.description
        assert rule.parameters == rules.defaults(RuleKind.UNANSWERED_MESSAGE)
        assert rule.parameters["grace_hours"] == 0


def test_its_parameters_are_checked_like_the_others() -> None:
    kind = RuleKind.UNANSWERED_MESSAGE
    assert rules.check_parameters(kind, {})["grace_hours"] == 0
    assert rules.check_parameters(kind, {"grace_hours": 4, "working_days": [0, 1, 2]})["grace_hours"] == 4
    wrong: list[dict[str, Any]] = [
        {"grace_hours": -1},
        {"grace_hours": "2"},
        {"grace_hours": True},
        {"grace_hours": 1.5},
        {"days": 2},  # the promise is the clinic's messaging setting, not the rule's
        {"working_days": [7]},
        {"working_days": []},
        {"day_starts": "18:00"},
        {"day_ends": "late"},
    ]
    for parameters in wrong:
        with pytest.raises(ValidationError):
            rules.check_parameters(kind, parameters)


def test_the_rules_page_lists_it(clinic: Any, therapist: Any) -> None:
    page = signed_in(therapist).get(reverse("clinician:escalation_rules"))
    assert page.status_code == 200
    assert "Patient&#39;s message not answered in time → task" in page.content.decode()
    assert "Late after the promised working days, working hours Monday to Friday 08:00-17:00." in page.content.decode()
    assert "grace_hours" not in page.content.decode()


# --- firing -----------------------------------------------------------------------------------------------------


def test_a_message_not_answered_in_the_promised_working_days_makes_one_task_for_the_coordinator(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, patient_user: Any, coordinator: Any
) -> None:
    only(clinic, RuleKind.UNANSWERED_MESSAGE)
    message = from_patient(monkeypatch, patient_record, patient_user, MONDAY_NINE)
    assert run(monkeypatch, MONDAY_NINE + timedelta(days=1, hours=8)) == 0  # Tuesday 17:00: 17 working hours
    assert run(monkeypatch, WEDNESDAY_NINE) == 0  # exactly the promised time: still within it
    assert run(monkeypatch, WEDNESDAY_NINE + timedelta(minutes=1)) == 1
    assert run(monkeypatch, WEDNESDAY_NINE + timedelta(minutes=2)) == 0
    assert run(monkeypatch, WEDNESDAY_NINE + timedelta(days=7)) == 0
    task = Task.objects.get()
    assert task.title == "Reply to a message from the patient"
    assert WORDS not in task.title and "slept" not in task.details and "pain" not in task.details
    assert reverse("clinician:messages", args=[patient_record.id]) in task.details
    assert "2 working days" in task.details
    assert (task.source_type, task.source_id) == ("message", str(message.id))
    assert task.patient_id == patient_record.id and task.organisation_id == clinic.id
    assert task.assignee == coordinator and task.created_by is None
    assert task.due_at == WEDNESDAY_NINE  # when the answer was promised
    assert task.priority == TaskPriority.ROUTINE
    firing = RuleFiring.objects.get()
    assert firing.source_key == f"message:{message.id}"
    assert firing.task == task and firing.patient_id == patient_record.id and firing.rule.organisation_id == clinic.id
    assert WORDS not in firing.outcome
    events = AuditEvent.objects.filter(patient_id=patient_record.id, object_type="rule_firing")
    assert [event.object_id for event in events] == [str(firing.id)]


def test_the_promise_is_counted_in_working_hours_with_the_clinics_setting_and_the_grace(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, patient_user: Any
) -> None:
    only(clinic, RuleKind.UNANSWERED_MESSAGE)
    MessagingSettings.objects.create(organisation=clinic, response_working_days=1)
    EscalationRule.objects.filter(organisation=clinic, kind=RuleKind.UNANSWERED_MESSAGE).update(
        parameters={"grace_hours": 2}
    )
    friday_four = datetime(2026, 12, 11, 16, 0, tzinfo=AMSTERDAM)
    from_patient(monkeypatch, patient_record, patient_user, friday_four)
    # 9 + 2 working hours: Friday 16-17, Monday 08-17, Tuesday 08-09.
    tuesday_nine = datetime(2026, 12, 15, 9, 0, tzinfo=AMSTERDAM)
    assert run(monkeypatch, datetime(2026, 12, 14, 20, 0, tzinfo=AMSTERDAM)) == 0  # Monday evening
    assert run(monkeypatch, tuesday_nine) == 0
    assert run(monkeypatch, tuesday_nine + timedelta(minutes=1)) == 1
    task = Task.objects.get()
    assert task.due_at == tuesday_nine
    assert "1 working day " in task.details


def test_a_reply_from_the_team_after_the_message_ends_the_wait(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, patient_user: Any, therapist: Any
) -> None:
    only(clinic, RuleKind.UNANSWERED_MESSAGE)
    from_patient(monkeypatch, patient_record, patient_user, MONDAY_NINE)
    from_team(monkeypatch, patient_record, therapist, MONDAY_NINE + timedelta(days=1))
    assert run(monkeypatch, WEDNESDAY_NINE + timedelta(days=2)) == 0
    assert not Task.objects.exists() and not RuleFiring.objects.exists()


def test_a_reply_after_the_task_was_made_makes_no_second_and_the_next_message_starts_a_new_wait(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, patient_user: Any, therapist: Any
) -> None:
    only(clinic, RuleKind.UNANSWERED_MESSAGE)
    first = from_patient(monkeypatch, patient_record, patient_user, MONDAY_NINE)
    assert run(monkeypatch, WEDNESDAY_NINE + timedelta(hours=1)) == 1
    from_team(monkeypatch, patient_record, therapist, WEDNESDAY_NINE + timedelta(hours=2))
    second = from_patient(monkeypatch, patient_record, patient_user, WEDNESDAY_NINE + timedelta(hours=3))
    assert run(monkeypatch, WEDNESDAY_NINE + timedelta(days=1)) == 0  # Thursday: the second is not late yet
    assert run(monkeypatch, WEDNESDAY_NINE + timedelta(days=2, hours=4)) == 1  # Friday 13:00
    assert sorted(Task.objects.values_list("source_id", flat=True)) == sorted([str(first.id), str(second.id)])


def late_message_with_its_task(monkeypatch: pytest.MonkeyPatch, clinic: Any, patient: Any, user: Any) -> Any:
    """Monday's message, still unanswered on Wednesday: the rule has made its task. Returns the message."""
    only(clinic, RuleKind.UNANSWERED_MESSAGE)
    message = from_patient(monkeypatch, patient, user, MONDAY_NINE)
    assert run(monkeypatch, WEDNESDAY_NINE + timedelta(hours=1)) == 1
    return message


def test_the_reply_closes_the_task_at_the_next_run(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, patient_user: Any, therapist: Any
) -> None:
    late_message_with_its_task(monkeypatch, clinic, patient_record, patient_user)
    task = Task.objects.get()
    coordination_services.move_task(task, to=TaskStatus.IN_PROGRESS, by=therapist, expected_version=task.version)
    at(monkeypatch, WEDNESDAY_NINE + timedelta(hours=2))
    assert engine.run_all().closed == 0  # not answered yet: it stays with the coordinator
    from_team(monkeypatch, patient_record, therapist, WEDNESDAY_NINE + timedelta(hours=3))
    at(monkeypatch, WEDNESDAY_NINE + timedelta(hours=4))
    assert engine.run_all().closed == 1
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.closed_at == WEDNESDAY_NINE + timedelta(hours=4)
    assert task.history.latest("history_date").history_change_reason == "Task done"
    assert engine.run_all().closed == 0


def test_a_task_changed_meanwhile_is_left_as_it_is_and_the_run_goes_on(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, patient_user: Any, therapist: Any
) -> None:
    late_message_with_its_task(monkeypatch, clinic, patient_record, patient_user)
    from_team(monkeypatch, patient_record, therapist, WEDNESDAY_NINE + timedelta(hours=2))
    task = Task.objects.get()

    def changed_meanwhile(*args: Any, **kwargs: Any) -> Any:
        Task.objects.filter(pk=task.pk).update(version=task.version + 1)  # someone else saved it just now
        return moved(*args, **kwargs)

    moved = coordination_services.move_task
    monkeypatch.setattr(coordination_services, "move_task", changed_meanwhile)
    at(monkeypatch, WEDNESDAY_NINE + timedelta(hours=3))
    assert engine.run_all().closed == 0  # no error out of the run
    assert Task.objects.get().status == TaskStatus.OPEN


def test_a_task_whose_message_was_withdrawn_stays_for_a_person_to_close(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, patient_user: Any, therapist: Any
) -> None:
    message = late_message_with_its_task(monkeypatch, clinic, patient_record, patient_user)
    type(message).objects.filter(pk=message.pk).update(record_status="entered_in_error")  # put right by the clinic
    at(monkeypatch, WEDNESDAY_NINE + timedelta(hours=2))
    assert engine.run_all().closed == 0
    assert Task.objects.get().status == TaskStatus.OPEN


def test_a_team_message_before_the_patients_does_not_answer_it(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, patient_user: Any, therapist: Any
) -> None:
    only(clinic, RuleKind.UNANSWERED_MESSAGE)
    from_team(monkeypatch, patient_record, therapist, MONDAY_NINE - timedelta(hours=1))
    from_patient(monkeypatch, patient_record, patient_user, MONDAY_NINE)
    assert run(monkeypatch, WEDNESDAY_NINE + timedelta(minutes=1)) == 1


def test_a_reply_entered_in_error_answers_nothing(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, patient_user: Any, therapist: Any
) -> None:
    only(clinic, RuleKind.UNANSWERED_MESSAGE)
    from_patient(monkeypatch, patient_record, patient_user, MONDAY_NINE)
    reply = from_team(monkeypatch, patient_record, therapist, MONDAY_NINE + timedelta(hours=1))
    conversation_services.mark_in_error(reply, by=therapist, reason="Wrong patient", expected_version=reply.version)
    assert run(monkeypatch, WEDNESDAY_NINE + timedelta(minutes=1)) == 1


def test_several_messages_in_a_row_make_one_task_for_the_oldest(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, patient_user: Any
) -> None:
    only(clinic, RuleKind.UNANSWERED_MESSAGE)
    first = from_patient(monkeypatch, patient_record, patient_user, MONDAY_NINE)
    from_patient(monkeypatch, patient_record, patient_user, MONDAY_NINE + timedelta(minutes=5), "And another thing")
    from_patient(monkeypatch, patient_record, patient_user, MONDAY_NINE + timedelta(hours=6), "Are you there?")
    for day in range(6):
        run(monkeypatch, WEDNESDAY_NINE + timedelta(days=day, minutes=1))
    assert list(Task.objects.values_list("source_id", flat=True)) == [str(first.id)]
    assert RuleFiring.objects.count() == 1


def test_without_an_active_coordinator_the_task_is_for_the_role_not_the_responsible_clinician(
    monkeypatch: pytest.MonkeyPatch,
    clinic: Any,
    patient_record: Any,
    patient_user: Any,
    coordinator: Any,
    therapist: Any,
) -> None:
    only(clinic, RuleKind.UNANSWERED_MESSAGE)
    team = team_selectors.care_team_of(patient_record.id)
    assert team is not None
    team_services.assign_roles(
        team, expected_version=team.version, coordinator=coordinator, responsible_clinician=therapist, reason="Test"
    )
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])
    from_patient(monkeypatch, patient_record, patient_user, MONDAY_NINE)
    assert run(monkeypatch, WEDNESDAY_NINE + timedelta(minutes=1)) == 1
    task = Task.objects.get()
    assert task.assignee is None and task.assignee_role == Role.CARE_COORDINATOR


def test_a_disabled_rule_makes_no_task(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, patient_user: Any
) -> None:
    only(clinic)
    from_patient(monkeypatch, patient_record, patient_user, MONDAY_NINE)
    assert run(monkeypatch, WEDNESDAY_NINE + timedelta(days=3)) == 0
    assert not Task.objects.exists()


def test_a_patient_of_another_clinic_is_counted_by_their_own_clinics_promise(
    monkeypatch: pytest.MonkeyPatch,
    clinic: Any,
    other_clinic: Any,
    patient_record: Any,
    patient_user: Any,
    foreign_patient: Any,
    foreign_clinician: Any,
) -> None:
    only(clinic, RuleKind.UNANSWERED_MESSAGE)
    only(other_clinic, RuleKind.UNANSWERED_MESSAGE)
    MessagingSettings.objects.create(organisation=other_clinic, response_working_days=5)
    iris = make_patient_user(other_clinic, foreign_patient, "iris")
    from_patient(monkeypatch, patient_record, patient_user, MONDAY_NINE)
    theirs = from_patient(monkeypatch, foreign_patient, iris, MONDAY_NINE)  # 03:00 in New York
    assert run(monkeypatch, WEDNESDAY_NINE + timedelta(minutes=1)) == 1
    assert Task.objects.get().patient_id == patient_record.id
    # Hillside promises 5 working days, counted from Monday 08:00 in New York: Friday 17:00 there.
    their_promise = datetime(2026, 12, 11, 17, 0, tzinfo=ZoneInfo("America/New_York"))
    assert run(monkeypatch, their_promise) == 0
    assert run(monkeypatch, their_promise + timedelta(minutes=1)) == 1
    task = Task.objects.get(patient=foreign_patient)
    assert (task.organisation_id, task.assignee, task.source_id) == (other_clinic.id, foreign_clinician, str(theirs.id))
    assert task.due_at == their_promise
    assert RuleFiring.objects.filter(rule__organisation=clinic).count() == 1
    assert RuleFiring.objects.filter(rule__organisation=other_clinic).count() == 1


# --- the data migration -----------------------------------------------------------------------------------------


def test_the_migration_seeds_existing_clinics_once_and_reverses_only_rules_that_never_fired(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, other_clinic: Any, patient_record: Any, patient_user: Any
) -> None:
    migration = importlib.import_module("commonground.coordination.migrations.0006_unanswered_message_rule")
    kind = RuleKind.UNANSWERED_MESSAGE
    EscalationRule.objects.filter(kind=kind).delete()
    migration.seed(apps, None)
    migration.seed(apps, None)
    seeded = EscalationRule.objects.filter(kind=kind)
    assert sorted(rule.organisation_id for rule in seeded) == sorted([clinic.id, other_clinic.id])
    for rule in seeded:
        assert rule.enabled and rule.parameters == rules.defaults(kind)
        assert rule.description == str(rules.DESCRIPTIONS[kind])
    only(clinic, kind)
    from_patient(monkeypatch, patient_record, patient_user, MONDAY_NINE)
    assert run(monkeypatch, WEDNESDAY_NINE + timedelta(minutes=1)) == 1
    migration.unseed(apps, None)
    assert list(EscalationRule.objects.filter(kind=kind).values_list("organisation_id", flat=True)) == [clinic.id]
    assert EscalationRule.objects.filter(organisation=other_clinic).exclude(kind=kind).count() == 5
