"""Escalation rules: each kind, running twice fires once, every firing audited, one failure stops nothing,
and the overdue-questionnaire rule never reminds a second time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from commonground.audit.models import AuditEvent
from commonground.coordination import engine, rules
from commonground.coordination.choices import FlagStatus, ReviewReason, RuleKind
from commonground.coordination.models import CaseReviewFlag, EscalationRule, RuleFiring, Task
from commonground.coordination.tests.test_tasks import new_task
from commonground.diary.models import DiaryEntry, DiarySetUp
from commonground.diary.tests.support import set_up
from commonground.kit import clock
from commonground.measures import services as measure_services
from commonground.measures import tasks as measure_tasks
from commonground.measures.models import Reminder
from commonground.notifications.models import OutgoingEmail
from commonground.patients.models import Patient
from commonground.safety import services as safety_services
from commonground.safety.models import Alert

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONDAY_NINE = datetime(2026, 12, 7, 9, 0, tzinfo=AMSTERDAM)


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)


def only(clinic: Any, *kinds: str) -> None:
    """Leave only these rules enabled (the others would act on the same data)."""
    EscalationRule.objects.filter(organisation=clinic).exclude(kind__in=kinds).update(enabled=False)


def critical_alert(patient: Any, response_id: str = "r1") -> Alert:
    return safety_services.raise_critical_item_alert(patient, summary="Item 9 answered", response_id=response_id)


# --- defaults ---------------------------------------------------------------------------------------------------


def test_a_new_clinic_has_every_rule_at_its_defaults(clinic: Any) -> None:
    found = {rule.kind: rule for rule in EscalationRule.objects.filter(organisation=clinic)}
    assert set(found) == set(RuleKind.values)
    assert found[RuleKind.NO_DIARY].parameters["days"] == 14
    assert found[RuleKind.UNACKNOWLEDGED_ALERT].parameters["hours"] == 4
    assert all(rule.enabled and rule.description for rule in found.values())


def test_parameters_are_checked_per_kind() -> None:
    assert rules.check_parameters(RuleKind.NO_DIARY, {"days": 21})["days"] == 21
    for wrong in ({"days": 0}, {"days": "14"}, {"weeks": 2}, {"assign_to": "nobody"}):
        with pytest.raises(ValidationError):
            rules.check_parameters(RuleKind.NO_DIARY, wrong)
    with pytest.raises(ValidationError):
        rules.check_parameters(RuleKind.UNACKNOWLEDGED_ALERT, {"working_days": [7]})
    with pytest.raises(ValidationError):
        rules.check_parameters(RuleKind.UNACKNOWLEDGED_ALERT, {"day_starts": "18:00"})


def test_the_admin_form_validation_runs_the_check(clinic: Any) -> None:
    rule = EscalationRule.objects.get(organisation=clinic, kind=RuleKind.NO_DIARY)
    rule.parameters = {"days": -1}
    with pytest.raises(ValidationError):
        rule.full_clean()


# --- critical item ----------------------------------------------------------------------------------------------


def test_critical_item_makes_one_urgent_task_however_often_it_runs(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, coordinator: Any
) -> None:
    at(monkeypatch, MONDAY_NINE)
    alert = critical_alert(patient_record)
    only(clinic, RuleKind.CRITICAL_ITEM)
    assert engine.run_all().fired == 1
    assert engine.run_all().fired == 0
    task = Task.objects.get()
    assert (task.priority, task.source_type, task.source_id) == ("urgent", "alert", str(alert.id))
    assert task.due_at == alert.raised_at + timedelta(hours=24)
    assert task.created_by is None and task.assignee == coordinator  # no responsible clinician: the coordinator
    firing = RuleFiring.objects.get()
    assert firing.task == task and firing.patient_id == patient_record.id and "task for" in firing.outcome
    assert AuditEvent.objects.filter(patient_id=patient_record.id, object_type="rule_firing").count() == 1


def test_a_task_made_from_the_alert_by_hand_is_not_doubled(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, therapist: Any
) -> None:
    at(monkeypatch, MONDAY_NINE)
    alert = critical_alert(patient_record)
    by_hand = new_task(patient_record, therapist, assignee=therapist, source_type="alert", source_id=str(alert.id))
    only(clinic, RuleKind.CRITICAL_ITEM)
    engine.run_all()
    assert list(Task.objects.all()) == [by_hand]
    assert RuleFiring.objects.get().task == by_hand


def test_the_command_runs_the_rules_once(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, capsys: Any
) -> None:
    at(monkeypatch, MONDAY_NINE)
    critical_alert(patient_record)
    only(clinic, RuleKind.CRITICAL_ITEM)
    call_command("run_rules")
    call_command("run_rules")
    assert "0 fired" in capsys.readouterr().out
    assert Task.objects.count() == 1


def test_a_failing_firing_stops_nothing_else(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, other_patient_record: Any
) -> None:
    at(monkeypatch, MONDAY_NINE)
    critical_alert(patient_record, "r1")
    critical_alert(other_patient_record, "r2")
    only(clinic, RuleKind.CRITICAL_ITEM)
    real = engine._task
    calls = []

    def flaky(patient: Any, **kwargs: Any) -> Any:
        calls.append(patient.id)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return real(patient, **kwargs)

    monkeypatch.setattr(engine, "_task", flaky)
    result = engine.run_all()
    assert (result.fired, result.failed) == (1, 1)
    assert Task.objects.count() == 1 and RuleFiring.objects.count() == 1  # the failed one left nothing behind
    monkeypatch.setattr(engine, "_task", real)
    assert engine.run_all().fired == 1  # and is tried again next time
    assert Task.objects.count() == 2


def test_a_disabled_rule_does_nothing(monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any) -> None:
    at(monkeypatch, MONDAY_NINE)
    critical_alert(patient_record)
    EscalationRule.objects.filter(organisation=clinic).update(enabled=False)
    assert engine.run_all().fired == 0
    assert not Task.objects.exists()


# --- reliable deterioration -------------------------------------------------------------------------------------


def test_reliable_deterioration_puts_the_patient_on_the_case_review_list_once(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any
) -> None:
    at(monkeypatch, MONDAY_NINE)
    safety_services.raise_deterioration_alert(patient_record, summary="PHQ-9 up 8", response_id="r1")
    only(clinic, RuleKind.RELIABLE_DETERIORATION)
    assert engine.run_all().fired == 1
    assert engine.run_all().fired == 0
    flag = CaseReviewFlag.objects.get()
    assert (flag.reason, flag.status, flag.flagged_by) == (ReviewReason.DETERIORATED, FlagStatus.OPEN, None)


def test_deterioration_on_a_patient_already_listed_adds_no_second_flag(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, coordinator: Any
) -> None:
    from commonground.coordination import services

    at(monkeypatch, MONDAY_NINE)
    services.flag_for_case_review(patient_record, by=coordinator, reason=ReviewReason.MANUAL)
    safety_services.raise_deterioration_alert(patient_record, summary="PHQ-9 up 8", response_id="r1")
    only(clinic, RuleKind.RELIABLE_DETERIORATION)
    engine.run_all()
    assert CaseReviewFlag.objects.count() == 1
    assert RuleFiring.objects.get().outcome == "already on the case-review list"


# --- no diary ---------------------------------------------------------------------------------------------------


def _diary(patient: Any, by: Any, *, started: Any) -> DiarySetUp:
    Patient.objects.filter(pk=patient.pk).update(status="active")
    found = set_up(patient, by)
    DiarySetUp.objects.filter(pk=found.pk).update(started_on=started)
    return found


def _entry(patient: Any, set_up_: DiarySetUp, day: Any) -> None:
    DiaryEntry.objects.create(
        patient=patient,
        organisation_id=patient.organisation_id,
        made_with=set_up_.current,
        day=day,
        recorded_at=datetime.combine(day, datetime.min.time(), tzinfo=AMSTERDAM),
    )


def test_no_diary_for_14_days_makes_one_check_in_task_per_silence(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, coordinator: Any
) -> None:
    at(monkeypatch, MONDAY_NINE)
    today = MONDAY_NINE.date()
    diary = _diary(patient_record, coordinator, started=today - timedelta(days=60))
    _entry(patient_record, diary, today - timedelta(days=13))
    only(clinic, RuleKind.NO_DIARY)
    assert engine.run_all().fired == 0  # 13 days: not yet
    at(monkeypatch, MONDAY_NINE + timedelta(days=1))
    assert engine.run_all().fired == 1
    at(monkeypatch, MONDAY_NINE + timedelta(days=5))
    assert engine.run_all().fired == 0  # the same silence
    task = Task.objects.get()
    assert task.assignee == coordinator and task.source_type == "no_diary"
    _entry(patient_record, diary, today + timedelta(days=5))  # writes again, then falls silent again
    at(monkeypatch, MONDAY_NINE + timedelta(days=19))
    assert engine.run_all().fired == 1
    assert Task.objects.count() == 2


def test_a_new_diary_without_entries_counts_from_its_start(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, coordinator: Any
) -> None:
    at(monkeypatch, MONDAY_NINE)
    _diary(patient_record, coordinator, started=MONDAY_NINE.date() - timedelta(days=3))
    only(clinic, RuleKind.NO_DIARY)
    assert engine.run_all().fired == 0
    at(monkeypatch, MONDAY_NINE + timedelta(days=11))
    assert engine.run_all().fired == 1


def test_a_patient_who_shares_nothing_of_their_days_makes_no_check_in_task(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, coordinator: Any
) -> None:
    at(monkeypatch, MONDAY_NINE)
    diary = _diary(patient_record, coordinator, started=MONDAY_NINE.date() - timedelta(days=60))
    only(clinic, RuleKind.NO_DIARY)
    DiarySetUp.objects.filter(pk=diary.pk).update(shared_parts=["wins", "notes"])
    assert engine.run_all().fired == 0  # the team was not told when the diary is kept, nor when it is not
    DiarySetUp.objects.filter(pk=diary.pk).update(shared_parts=["sleep"])
    assert engine.run_all().fired == 1


# --- overdue questionnaire --------------------------------------------------------------------------------------


def test_overdue_questionnaire_reminds_once_then_one_task_and_never_a_second_reminder(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, patient_user: Any, coordinator: Any
) -> None:
    patient_record.time_zone = "Europe/Amsterdam"
    patient_record.save()
    patient_user.email = "ada@example.test"
    patient_user.save()
    due = datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM)
    measure_services.create_plan(
        patient_record,
        by=coordinator,
        details={"instruments": ["phq15", "phq9"], "starts_on": due.date(), "interval_weeks": 4},
        today=due.date(),
    )
    only(clinic, RuleKind.OVERDUE_QUESTIONNAIRE)
    for day in range(0, 12):  # twelve days of hourly reminders and 15-minute rules, twice each
        at(monkeypatch, due + timedelta(days=day))
        for _ in range(2):
            measure_tasks.send_due_reminders()
            engine.run_all()
    assert OutgoingEmail.objects.filter(to="ada@example.test").count() == 1
    assert Reminder.objects.count() == 2 * 2  # one per questionnaire per channel, ever
    task = Task.objects.get()
    assert task.source_type == "overdue_questionnaire" and task.assignee == coordinator
    assert RuleFiring.objects.count() == 1
    assert task.created_at is not None


def test_overdue_questionnaire_waits_the_days_set(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, coordinator: Any
) -> None:
    due = datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM)
    measure_services.create_plan(
        patient_record,
        by=coordinator,
        details={"instruments": ["phq9"], "starts_on": due.date(), "interval_weeks": 4},
        today=due.date(),
    )
    only(clinic, RuleKind.OVERDUE_QUESTIONNAIRE)
    EscalationRule.objects.filter(kind=RuleKind.OVERDUE_QUESTIONNAIRE).update(parameters={"task_after_days": 3})
    at(monkeypatch, due + timedelta(days=2))
    assert engine.run_all().fired == 0
    at(monkeypatch, due + timedelta(days=3))
    assert engine.run_all().fired == 1


# --- unacknowledged urgent alert --------------------------------------------------------------------------------


def test_an_unacknowledged_urgent_alert_goes_on_after_four_working_hours_then_to_on_call(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any
) -> None:
    friday_three = datetime(2026, 12, 11, 15, 0, tzinfo=AMSTERDAM)
    at(monkeypatch, friday_three)
    alert = critical_alert(patient_record)
    only(clinic, RuleKind.UNACKNOWLEDGED_ALERT)
    at(monkeypatch, friday_three + timedelta(hours=5))  # 20:00: two working hours passed
    assert engine.run_all().fired == 0
    monday_ten = datetime(2026, 12, 14, 10, 0, tzinfo=AMSTERDAM)
    at(monkeypatch, monday_ten)  # 2 + 2 = 4 working hours
    assert engine.run_all().fired == 1
    assert engine.run_all().fired == 0
    alert.refresh_from_db()
    assert alert.escalation_level == 1
    at(monkeypatch, monday_ten + timedelta(hours=3, minutes=59))
    assert engine.run_all().fired == 0
    at(monkeypatch, monday_ten + timedelta(hours=4))
    assert engine.run_all().fired == 1
    alert.refresh_from_db()
    assert alert.escalation_level == 2
    at(monkeypatch, monday_ten + timedelta(days=2))
    assert engine.run_all().fired == 0
    assert RuleFiring.objects.count() == 2


def test_an_acknowledged_alert_goes_nowhere(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any, coordinator: Any
) -> None:
    at(monkeypatch, MONDAY_NINE)
    alert = critical_alert(patient_record)
    safety_services.acknowledge(alert, by=coordinator, note="Phoned, safe", expected_version=alert.version)
    only(clinic, RuleKind.UNACKNOWLEDGED_ALERT, RuleKind.CRITICAL_ITEM)
    at(monkeypatch, MONDAY_NINE + timedelta(days=3))
    assert engine.run_all().fired == 0
    assert not Task.objects.exists()


def test_the_rules_job_is_scheduled_every_15_minutes_and_runs_them(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any
) -> None:
    from django_q.models import Schedule

    from commonground.coordination import tasks

    job = Schedule.objects.get(func="commonground.coordination.tasks.run_escalation_rules")
    assert (job.schedule_type, job.minutes, job.repeats) == ("I", 15, -1)
    at(monkeypatch, MONDAY_NINE)
    critical_alert(patient_record)
    only(clinic, RuleKind.CRITICAL_ITEM)
    assert tasks.run_escalation_rules() == 1
    assert tasks.run_escalation_rules() == 0


def test_two_runs_at_once_fire_once_the_constraint_decides(
    monkeypatch: pytest.MonkeyPatch, clinic: Any, patient_record: Any
) -> None:
    """A second worker that looked before the first had inserted its firing fails on the unique constraint,
    does nothing, and reports nothing fired."""
    at(monkeypatch, MONDAY_NINE)
    critical_alert(patient_record)
    only(clinic, RuleKind.CRITICAL_ITEM)
    rule = EscalationRule.objects.get(organisation=clinic, kind=RuleKind.CRITICAL_ITEM)
    findings = list(engine.critical_items(clinic, rules.check_parameters(rule.kind, rule.parameters), MONDAY_NINE))
    assert engine._fire(rule, findings[0], MONDAY_NINE) is True
    real_filter = RuleFiring.objects.filter
    looks = []

    class NotYet:
        def exists(self) -> bool:
            return False

    def stale_look(*args: Any, **kwargs: Any) -> Any:
        looks.append(1)
        return NotYet() if len(looks) == 1 else real_filter(*args, **kwargs)

    monkeypatch.setattr(RuleFiring.objects, "filter", stale_look)
    assert engine._fire(rule, findings[0], MONDAY_NINE) is False
    assert RuleFiring.objects.count() == 1 and Task.objects.count() == 1


def test_two_tasks_for_one_source_at_once_make_one(
    monkeypatch: pytest.MonkeyPatch, patient_record: Any, coordinator: Any
) -> None:
    from commonground.coordination import services

    first = new_task(patient_record, coordinator, source_type="alert", source_id="same")
    real = services._task_from
    calls = []

    def not_seen_yet(*args: Any) -> Any:
        calls.append(1)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(services, "_task_from", not_seen_yet)
    second = new_task(patient_record, coordinator, source_type="alert", source_id="same")
    assert second.id == first.id and Task.objects.count() == 1
