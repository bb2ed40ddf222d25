"""The demo clinic's care coordination: the escalation rules at their defaults (run once, so the critical-item,
deterioration, diary and questionnaire rules have made their tasks and flags), tasks for the `coordinator`
login (some overdue, one for a role, one about no patient, one done, one cancelled), and two case-review
meetings: one held last week with its attendance, discussions, decisions as tasks and a change to a plan, and
one planned for next week with its agenda built from the patients flagged for case review, plus one added by
hand.

Everything is made up and drawn from the seed's own random stream, through the domains' services. The
alert-escalation rule is not run here: when it fires depends on the hour the demo is loaded.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from commonground.accounts.choices import Role
from commonground.accounts.models import Organisation, User
from commonground.careteam import selectors as team_selectors
from commonground.coordination import casereview, engine, selectors, services
from commonground.coordination.choices import ReviewReason, RuleKind, TaskPriority, TaskStatus
from commonground.coordination.models import EscalationRule, Meeting
from commonground.kit import clock
from commonground.patients.choices import PatientStatus
from commonground.patients.models import Patient

TIME_ZONE = "Europe/Amsterdam"
RULES_RUN_IN_THE_DEMO = (
    RuleKind.CRITICAL_ITEM,
    RuleKind.RELIABLE_DETERIORATION,
    RuleKind.NO_DIARY,
    RuleKind.OVERDUE_QUESTIONNAIRE,
)

TASKS = [
    # title, days from now until due (negative: overdue), priority, state
    ("Phone about the missed physiotherapy appointment", -3, TaskPriority.ROUTINE, TaskStatus.OPEN),
    ("Send the GP the interim summary", -1, TaskPriority.URGENT, TaskStatus.IN_PROGRESS),
    ("Arrange an interpreter for the next session", 0, TaskPriority.ROUTINE, TaskStatus.OPEN),
    ("Check the work reintegration plan with the employer's doctor", 2, TaskPriority.ROUTINE, TaskStatus.OPEN),
    ("Invite to the group programme starting next month", 9, TaskPriority.ROUTINE, TaskStatus.OPEN),
    ("Book the follow-up questionnaires after discharge", -6, TaskPriority.ROUTINE, TaskStatus.DONE),
    ("Phone about the sleep diary", -4, TaskPriority.ROUTINE, TaskStatus.CANCELLED),
]

HELD_DISCUSSIONS = [
    (
        "Pain scores unchanged after ten weeks; pacing log shows boom-bust on workdays. The physiotherapist "
        "suggests a lower baseline for walking; the patient's goal stays.",
        "Graded activity: halve the walking baseline for two weeks, then build up by 10 % a week.",
        ("Agree the new walking baseline with the patient", 2, "therapist"),
    ),
    (
        "Mood lower since the reorganisation at work; no risk indicators. Worth a psychology consultation "
        "before adding anything else.",
        "",
        ("Refer for a psychology consultation", -2, "coordinator"),
    ),
    (
        "Good progress on both goals; the team agrees to plan the end of therapy with a relapse-prevention plan.",
        "Plan the last two sessions around a relapse-prevention plan.",
        ("Write the draft relapse-prevention plan together with the patient", 10, "therapist"),
    ),
]


def seed_coordination(organisation: Organisation, *, staff: dict[str, User], today: date, seed: str) -> None:
    if Meeting.objects.filter(organisation=organisation).exists():
        return  # loaded before
    rng = random.Random(seed)
    engine.ensure_default_rules(organisation.id)
    now = clock.now()
    for rule in EscalationRule.objects.filter(organisation=organisation, kind__in=RULES_RUN_IN_THE_DEMO):
        engine.run_rule(rule, now=now, organisation=organisation)
    coordinator = staff["coordinator"]
    patients = list(
        Patient.objects.filter(
            organisation=organisation, care_team__care_coordinator=coordinator, status=PatientStatus.ACTIVE
        ).order_by("record_number")
    )
    _tasks(organisation, patients, staff, now=now, rng=rng)
    flagged = {flag.patient_id for flag in selectors.case_review_list([p.id for p in patients])}
    calm = [patient for patient in patients if patient.id not in flagged]
    held_patients = rng.sample(calm, k=min(3, len(calm)))
    _held_meeting(organisation, held_patients, staff, today=today)
    extra = next((p for p in calm if p not in held_patients), None)
    _planned_meeting(organisation, patients, extra, staff, today=today)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(TIME_ZONE))


def _tasks(
    organisation: Organisation, patients: list[Patient], staff: dict[str, User], *, now: datetime, rng: random.Random
) -> None:
    coordinator = staff["coordinator"]
    chosen = rng.sample(patients, k=min(len(TASKS), len(patients)))
    for (title, days, priority, state), patient in zip(TASKS, chosen, strict=False):
        due = now.astimezone(ZoneInfo(TIME_ZONE)).replace(hour=16, minute=0, second=0, microsecond=0)
        task = services.create_task(
            organisation_id=organisation.id,
            title=title,
            due_at=due + timedelta(days=days),
            patient=patient,
            assignee=coordinator,
            priority=priority,
            created_by=staff["therapist"] if days % 2 else coordinator,
        )
        if state in (TaskStatus.IN_PROGRESS, TaskStatus.DONE):
            services.move_task(task, to=state, by=coordinator, expected_version=task.version)
        elif state == TaskStatus.CANCELLED:
            services.move_task(
                task, to=state, by=coordinator, expected_version=task.version, reason="The patient stopped the diary"
            )
    if chosen:
        services.create_task(
            organisation_id=organisation.id,
            title="Hand out the hydrotherapy leaflet at the next visit",
            due_at=now + timedelta(days=5),
            patient=chosen[0],
            assignee_role=Role.PHYSIOTHERAPIST,
            created_by=coordinator,
        )
    services.create_task(
        organisation_id=organisation.id,
        title="Book the meeting room for Thursday's case review",
        due_at=now - timedelta(hours=20),
        assignee=coordinator,
        created_by=coordinator,
    )


def _held_meeting(organisation: Organisation, patients: list[Patient], staff: dict[str, User], *, today: date) -> None:
    """Last week's meeting, written with the clock at the time each step happened."""
    coordinator = staff["coordinator"]
    day = today - timedelta(days=7)
    with clock.pinned(_at(day - timedelta(days=3), 9)):
        meeting = casereview.plan_meeting(
            organisation_id=organisation.id, title="Weekly case review", starts_at=_at(day, 13), by=coordinator
        )
        for patient in patients:
            services.flag_for_case_review(
                patient, by=staff["therapist"], reason=ReviewReason.MANUAL, note="For the team"
            )
            casereview.add_to_agenda(meeting, patient, reasons=[ReviewReason.MANUAL], by=coordinator)
    items = {item.patient_id: item for item in meeting.items.all()}
    for minutes, (patient, (discussion, plan_change, (title, days, who))) in enumerate(
        zip(patients, HELD_DISCUSSIONS, strict=False)
    ):
        with clock.pinned(_at(day, 13, 10 + 15 * minutes)):
            item = items[patient.id]
            item = casereview.record_discussion(
                item, discussion=discussion, plan_change=plan_change, by=coordinator, expected_version=item.version
            )
            # For the colleague when on the patient's care team, else for anyone in their role (a task is only
            # for someone who may open the patient).
            person = staff[who] if team_selectors.is_on_care_team(staff[who], patient.id) else None
            casereview.decide_task(
                item,
                title=title,
                due_at=_at(today + timedelta(days=days), 17),
                by=coordinator,
                assignee=person,
                assignee_role="" if person is not None else staff[who].role,
            )
    with clock.pinned(_at(day, 14, 15)):
        casereview.set_attendance(
            meeting,
            staff_ids=[staff[name].id for name in ("coordinator", "gp", "therapist", "psychologist", "psychiatrist")],
        )
        meeting.refresh_from_db()
        casereview.mark_held(
            meeting,
            notes="Three patients discussed; the next meeting takes the flagged list.",
            expected_version=meeting.version,
        )


def _planned_meeting(
    organisation: Organisation, patients: list[Patient], extra: Patient | None, staff: dict[str, User], *, today: date
) -> Any:
    coordinator = staff["coordinator"]
    meeting = casereview.plan_meeting(
        organisation_id=organisation.id,
        title="Weekly case review",
        starts_at=_at(today + timedelta(days=7), 13),
        by=coordinator,
    )
    for flag in selectors.case_review_list([p.id for p in patients])[:6]:
        casereview.add_to_agenda(meeting, flag.patient, reasons=[flag.reason], by=coordinator)
    if extra is not None:
        casereview.add_to_agenda(
            meeting, extra, reasons=[ReviewReason.MANUAL], by=coordinator, note="The GP asks for the team's view"
        )
    return meeting
