"""The escalation rules engine: each clinic's enabled rules look for what they watch, and fire once per thing
found (a `RuleFiring`, unique per rule and source key, so running twice fires once).

Each firing is its own transaction: the firing row is inserted first (a concurrent run's insert waits for it
and then fails on the unique constraint), then the action (a task, a case-review flag, an alert sent on). An
action that fails rolls its firing back, is logged without clinical content, and the other firings go on. The
rules' kinds and numbers are in `rules`; the working-hours arithmetic in `workinghours`.

The overdue-questionnaire rule never reminds: the measures job sends its one reminder per due questionnaire
(measures.tasks.send_due_reminders); days later this rule gives the team a task instead of a second reminder.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonground.accounts.choices import Role
from commonground.accounts.models import Organisation
from commonground.audit import context as audit_context
from commonground.audit.choices import Action
from commonground.audit.services import record_patient_access
from commonground.careteam import selectors as team_selectors
from commonground.conversations import selectors as conversation_selectors
from commonground.coordination import rules as rule_kinds
from commonground.coordination import services
from commonground.coordination.choices import (
    OPEN_TASK_STATES,
    AssignTo,
    ReviewReason,
    RuleKind,
    TaskPriority,
    TaskStatus,
)
from commonground.coordination.models import EscalationRule, RuleFiring, Task
from commonground.coordination.workinghours import WorkingHours, add_working_time
from commonground.diary import selectors as diary_selectors
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit
from commonground.measures import selectors as measure_selectors
from commonground.patients.models import Patient
from commonground.safety import selectors as safety_selectors
from commonground.safety import services as safety_services
from commonground.safety.choices import AlertKind

if TYPE_CHECKING:
    from commonground.safety.models import Alert

log = logging.getLogger(__name__)

Outcome = tuple[str, Task | None]


@dataclass(frozen=True)
class Finding:
    """Something a rule found: its key (what makes a firing unique), the patient, and what to do."""

    source_key: str
    patient: Patient | None
    act: Callable[[], Outcome]


MESSAGE_SOURCE = "message"  # the source of an unanswered-message task: the patient's message it answers


@dataclass
class RunResult:
    fired: int = 0
    failed: int = 0
    closed: int = 0  # tasks of a rule whose reason has gone (a message the team has answered since)


# --- running ----------------------------------------------------------------------------------------------------


def run_all(*, now: datetime | None = None) -> RunResult:
    """Every clinic's enabled rules, once. Safe to run twice and from two workers at once."""
    now = now or clock.now()
    result = RunResult()
    token = audit_context.begin(audit_context.AuditContext(request_id=f"rules-{now:%Y%m%dT%H%M}"))
    try:
        for organisation in Organisation.objects.order_by("name"):
            ensure_default_rules(organisation.id)
            for rule in EscalationRule.objects.filter(organisation=organisation, enabled=True).order_by("kind"):
                run_rule(rule, now=now, organisation=organisation, result=result)
    finally:
        audit_context.end(token)
    return result


def run_rule(
    rule: EscalationRule, *, now: datetime, organisation: Organisation | None = None, result: RunResult | None = None
) -> RunResult:
    result = result or RunResult()
    organisation = organisation or Organisation.objects.get(pk=rule.organisation_id)
    try:
        parameters = rule_kinds.check_parameters(rule.kind, rule.parameters)
    except Exception:
        log.warning("escalation rule %s (%s) has invalid parameters; skipped", rule.id, rule.kind)
        result.failed += 1
        return result
    findings = list(FINDERS[rule.kind](organisation, parameters, now))
    keys = [finding.source_key for finding in findings]
    done = set(RuleFiring.objects.filter(rule=rule, source_key__in=keys).values_list("source_key", flat=True))
    for finding in findings:
        if finding.source_key in done:
            continue
        fired = _fire(rule, finding, now)
        if fired is None:
            result.failed += 1
        elif fired:
            result.fired += 1
    if rule.kind == RuleKind.UNANSWERED_MESSAGE:
        result.closed += close_answered_message_tasks(organisation)
    return result


def close_answered_message_tasks(organisation: Organisation) -> int:
    """The rule's open "reply to a message" tasks whose message the team has answered since: done, by the
    reply (no one has to close them by hand). A task whose message was withdrawn stays for a person to close."""
    waiting = Task.objects.current().filter(
        organisation=organisation, source_type=MESSAGE_SOURCE, status__in=OPEN_TASK_STATES
    )
    tasks = {_message_id(task.source_id): task for task in waiting}
    answered = conversation_selectors.answered_patient_messages([key for key in tasks if key is not None])
    closed = 0
    for message_id in answered:
        task = tasks[message_id]
        try:
            with transaction.atomic():
                services.move_task(task, to=TaskStatus.DONE, by=None, expected_version=task.version)
        except (StaleEdit, DomainError):  # changed by someone (or another run) meanwhile: theirs stands
            log.info("task %s changed meanwhile; not closed by the rule", task.id)
            continue
        closed += 1
    return closed


def _message_id(source_id: str) -> UUID | None:
    try:
        return UUID(source_id)
    except ValueError:
        return None


def _fire(rule: EscalationRule, finding: Finding, now: datetime) -> bool | None:
    """True: fired now; False: fired before (or by a run at the same time); None: its action failed."""
    if RuleFiring.objects.filter(rule=rule, source_key=finding.source_key).exists():
        return False
    try:
        with transaction.atomic():
            firing = RuleFiring.objects.create(
                rule=rule, source_key=finding.source_key, fired_at=now, patient=finding.patient, outcome=""
            )
            outcome, task = finding.act()
            firing.outcome, firing.task = outcome[:300], task
            firing.save(update_fields=["outcome", "task", "updated_at"])
            if finding.patient is not None:
                record_patient_access(
                    finding.patient.id,
                    finding.patient.organisation_id,
                    action=Action.CREATE,
                    object_type="rule_firing",
                    object_id=str(firing.id),
                )
    except IntegrityError:
        if RuleFiring.objects.filter(rule=rule, source_key=finding.source_key).exists():
            return False  # another run fired it first
        log.exception("escalation rule %s (%s) failed on %s", rule.id, rule.kind, finding.source_key)
        return None
    except Exception:
        log.exception("escalation rule %s (%s) failed on %s", rule.id, rule.kind, finding.source_key)
        return None
    return True


def ensure_default_rules(organisation_id: Any) -> None:
    """Every kind of rule exists for the clinic, with the default numbers (an administrator's edits are kept)."""
    known = set(EscalationRule.objects.filter(organisation_id=organisation_id).values_list("kind", flat=True))
    for kind in RuleKind.values:
        if kind not in known:
            try:
                with transaction.atomic():
                    EscalationRule.objects.create(
                        organisation_id=organisation_id,
                        kind=kind,
                        parameters=rule_kinds.defaults(kind),
                        description=str(rule_kinds.DESCRIPTIONS[kind]),
                    )
            except IntegrityError:
                pass  # made meanwhile by another run


# --- whom a rule's task is for ----------------------------------------------------------------------------------


def _assignee(patient: Patient, assign_to: str, *, or_the_other: bool = True) -> tuple[Any, str]:
    """The person the rule names on the patient's care team, else the other named person (unless
    `or_the_other` is False), else the care-coordinator role. A named person no longer on the team (who could
    not open the task) is passed over."""
    team = team_selectors.care_team_of(patient.id)
    named = [None, None] if team is None else [team.responsible_clinician, team.care_coordinator]
    if assign_to == AssignTo.CARE_COORDINATOR:
        named.reverse()
    if not or_the_other:
        named = named[:1]
    for person in named:
        if person is not None and person.is_active and team_selectors.is_on_care_team(person, patient.id):
            return person, ""
    return None, Role.CARE_COORDINATOR


def _task(
    patient: Patient,
    *,
    title: str,
    details: str,
    due_at: datetime,
    priority: str,
    assign_to: str,
    source: str,
    or_the_other: bool = True,
) -> Outcome:
    assignee, role = _assignee(patient, assign_to, or_the_other=or_the_other)
    kind, _sep, key = source.partition(":")
    task = services.create_task(
        organisation_id=patient.organisation_id,
        title=title,
        details=details,
        due_at=due_at,
        patient=patient,
        assignee=assignee,
        assignee_role=role,
        priority=priority,
        created_by=None,
        source_type=kind,
        source_id=key,
    )
    whom = assignee.display_name if assignee is not None else services.role_label(role)
    return f"task for {whom}", task


# --- the finders ------------------------------------------------------------------------------------------------


def critical_items(organisation: Organisation, parameters: dict[str, Any], now: datetime) -> Iterator[Finding]:
    """Every open critical-item alert: an urgent task, due within hours of the alert. Its source is the alert,
    the same as a task the team made from the alert's page, so neither adds a second."""
    hours = timedelta(hours=parameters["due_within_hours"])
    alerts = [
        alert for alert in safety_selectors.open_urgent_alerts(organisation.id) if alert.kind == AlertKind.CRITICAL_ITEM
    ]
    patients = Patient.objects.in_bulk({alert.patient_id for alert in alerts})
    for alert in alerts:
        patient = patients[alert.patient_id]

        def act(alert: Alert = alert, patient: Patient = patient) -> Outcome:
            return _task(
                patient,
                title=_("Follow up a critical answer"),
                details=_("Raised by the critical-item rule: contact the patient and acknowledge the alert."),
                due_at=alert.raised_at + hours,
                priority=TaskPriority.URGENT,
                assign_to=parameters["assign_to"],
                source=f"alert:{alert.id}",
            )

        yield Finding(f"alert:{alert.id}", patient, act)


def deteriorations(organisation: Organisation, parameters: dict[str, Any], now: datetime) -> Iterator[Finding]:
    """Reliable-deterioration alerts of the last days, open or not: the patient on the case-review list."""
    since = now - timedelta(days=parameters["lookback_days"])
    alerts = safety_selectors.alerts_of_kind_since(organisation.id, AlertKind.RELIABLE_DETERIORATION, since=since)
    for alert in alerts:

        def act(patient: Patient = alert.patient) -> Outcome:
            try:
                services.flag_for_case_review(
                    patient, by=None, reason=ReviewReason.DETERIORATED, note=_("Reliable deterioration (rule)")
                )
            except DomainError:
                return "already on the case-review list", None
            return "put on the case-review list", None

        yield Finding(f"alert:{alert.id}", alert.patient, act)


def silent_diaries(organisation: Organisation, parameters: dict[str, Any], now: datetime) -> Iterator[Finding]:
    """Patients in care who keep a diary and wrote no day's entry for `days` days (counted from the start
    of the diary when there is none yet): one check-in task per silence."""
    today = clock.local_date(now, organisation.time_zone)
    days = parameters["days"]
    for patient, since in diary_selectors.silent_diaries(organisation.id, today=today, days=days):
        key = f"no_diary:{patient.id}:{since.isoformat()}"

        def act(patient: Patient = patient, key: str = key) -> Outcome:
            return _task(
                patient,
                title=_("Check in: no diary for %(days)d days") % {"days": days},
                details=_("Ask how things are going and whether the diary still helps; adjust it if not."),
                due_at=now + timedelta(days=parameters["due_within_days"]),
                priority=TaskPriority.ROUTINE,
                assign_to=parameters["assign_to"],
                source=key,
            )

        yield Finding(key, patient, act)


def overdue_questionnaires(organisation: Organisation, parameters: dict[str, Any], now: datetime) -> Iterator[Finding]:
    """Questionnaires still open `task_after_days` after they were due: one task per patient and due day. The
    reminder was the measures job's (once per questionnaire); this rule never sends another."""
    today = clock.local_date(now, organisation.time_zone)
    found = measure_selectors.overdue_schedules(
        organisation.id, due_on_or_before=today - timedelta(days=parameters["task_after_days"])
    )
    patients = Patient.objects.in_bulk({patient_id for patient_id, _due in found})
    for patient_id, due_on in found:
        key = f"overdue_questionnaire:{patient_id}:{due_on.isoformat()}"

        def act(patient: Patient = patients[patient_id], due_on: Any = due_on, key: str = key) -> Outcome:
            return _task(
                patient,
                title=_("Questionnaires not returned since %(day)s") % {"day": due_on.strftime("%d %b %Y")},
                details=_(
                    "The patient was reminded once. Ask whether they need help, another way to fill them in, "
                    "or a change to the plan."
                ),
                due_at=now + timedelta(days=parameters["due_within_days"]),
                priority=TaskPriority.ROUTINE,
                assign_to=parameters["assign_to"],
                source=key,
            )

        yield Finding(key, patients[patient_id], act)


def unacknowledged_alerts(organisation: Organisation, parameters: dict[str, Any], now: datetime) -> Iterator[Finding]:
    """Urgent alerts not acknowledged within `hours` of working time: on to the responsible clinician (level
    1), then, as long again after that step, to the on-call role (level 2). Safety sends them on."""
    hours = WorkingHours.of(parameters, organisation.time_zone)
    allowed = timedelta(hours=parameters["hours"])
    alerts = safety_selectors.open_urgent_alerts(organisation.id)
    patients = Patient.objects.in_bulk({alert.patient_id for alert in alerts})
    for alert in alerts:
        level = alert.escalation_level
        if level == 0:
            since: datetime | None = alert.raised_at
        elif level == 1:
            since = alert.escalated_at
        else:
            continue
        if since is None or now < add_working_time(since, allowed, hours):
            continue
        to_level = level + 1

        def act(alert: Alert = alert, to_level: int = to_level) -> Outcome:
            sent = safety_services.escalate_alert(alert, to_level=to_level, now=now)
            if not sent:
                return "no longer open or already sent on", None
            return ("sent on to the responsible clinician" if to_level == 1 else "sent on to the on-call role"), None

        yield Finding(f"alert:{alert.id}:level{to_level}", patients.get(alert.patient_id), act)


def unanswered_messages(organisation: Organisation, parameters: dict[str, Any], now: datetime) -> Iterator[Finding]:
    """Patients' messages the team has not answered within the working days the clinic promises (conversations'
    setting), each working day as long as the rule's working day, plus `grace_hours` of working time: a task to
    reply for the care coordinator (the role when the team has none). Per patient only the oldest message
    waiting counts, so a patient who wrote three times gets one task; a reply from the team after it ends the
    wait, and the next message the patient sends starts a new one; the run after the reply closes the task as
    done (`close_answered_message_tasks`). The task carries no words of the message."""
    hours = WorkingHours.of(parameters, organisation.time_zone)
    working_day = datetime.combine(date.min, hours.end) - datetime.combine(date.min, hours.start)
    promised_days = conversation_selectors.response_working_days(organisation.id)
    allowed = promised_days * working_day + timedelta(hours=parameters["grace_hours"])
    # Working time never runs faster than the clock: a message sent at or after `now - allowed` is not late yet.
    waiting = conversation_selectors.unanswered_patient_messages(organisation.id, sent_before=now - allowed)
    oldest: dict[Any, conversation_selectors.UnansweredMessage] = {}
    for row in waiting:
        oldest.setdefault(row.patient_id, row)
    late = []
    for row in oldest.values():
        promised = add_working_time(row.sent_at, allowed, hours)
        if promised < now:
            late.append((row, promised))
    patients = Patient.objects.in_bulk({row.patient_id for row, _promised in late})
    for row, promised in late:
        patient = patients[row.patient_id]
        key = f"{MESSAGE_SOURCE}:{row.message_id}"

        def act(patient: Patient = patient, promised: datetime = promised, key: str = key) -> Outcome:
            return _task(
                patient,
                title=_("Reply to a message from the patient"),
                details=ngettext(
                    "The patient's message has not been answered within the %(days)d working day the clinic "
                    "promises. Read and answer it in the patient's conversation: %(url)s",
                    "The patient's message has not been answered within the %(days)d working days the clinic "
                    "promises. Read and answer it in the patient's conversation: %(url)s",
                    promised_days,
                )
                % {"days": promised_days, "url": reverse("clinician:messages", args=[patient.id])},
                due_at=promised,
                priority=TaskPriority.ROUTINE,
                assign_to=AssignTo.CARE_COORDINATOR,
                source=key,
                or_the_other=False,
            )

        yield Finding(key, patient, act)


FINDERS: dict[str, Callable[[Organisation, dict[str, Any], datetime], Iterator[Finding]]] = {
    RuleKind.CRITICAL_ITEM: critical_items,
    RuleKind.RELIABLE_DETERIORATION: deteriorations,
    RuleKind.NO_DIARY: silent_diaries,
    RuleKind.OVERDUE_QUESTIONNAIRE: overdue_questionnaires,
    RuleKind.UNACKNOWLEDGED_ALERT: unacknowledged_alerts,
    RuleKind.UNANSWERED_MESSAGE: unanswered_messages,
}
