"""Reads of care coordination: case-review flags, tasks, meetings and their agenda, rules and their firings.

Callers scope patients through the access gateway: the functions that list patients' records take the ids
the gateway gives (`visible_patients(...).values("id")`, a subquery) and never widen them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from commonground.coordination.choices import OPEN_TASK_STATES, FlagStatus, ItemStatus, MeetingStatus
from commonground.coordination.models import (
    AgendaItem,
    CaseReviewFlag,
    EscalationRule,
    Meeting,
    MeetingAttendee,
    RuleFiring,
    Task,
)
from commonground.kit import clock
from commonground.referrals import selectors as referral_selectors

TASK_LIST_LIMIT = 500

# --- case-review flags ----------------------------------------------------------------------------------------


def open_flag_of(patient_id: Any) -> CaseReviewFlag | None:
    return CaseReviewFlag.objects.current().filter(patient_id=patient_id, status=FlagStatus.OPEN).first()


def open_flags(patient_ids: Any) -> dict[Any, str]:
    """Per patient with an open flag, its reason (one query)."""
    rows = (
        CaseReviewFlag.objects.current()
        .filter(patient_id__in=patient_ids, status=FlagStatus.OPEN)
        .values_list("patient_id", "reason")
    )
    return dict(rows)


def case_review_list(patient_ids: Any) -> QuerySet[CaseReviewFlag]:
    """Open flags of the patients the user may see, oldest first."""
    return (
        CaseReviewFlag.objects.current()
        .filter(patient_id__in=patient_ids, status=FlagStatus.OPEN)
        .select_related("patient", "flagged_by")
        .order_by("flagged_at")
    )


def long_wait_source(patient_ids: list[Any]) -> dict[Any, datetime]:
    """The case-review agenda's "long wait" source: per patient waiting longer than expected for a referral's
    first contact, since when (the referrals domain decides what is too long for each service)."""
    return referral_selectors.waiting_too_long(patient_ids, now=clock.now())


# --- tasks ------------------------------------------------------------------------------------------------------


def _tasks() -> QuerySet[Task]:
    return Task.objects.current().select_related("patient", "assignee", "started_by", "closed_by")


def my_tasks(user: Any, visible_ids: QuerySet[Any], *, include_closed: bool = False) -> QuerySet[Task]:
    """Tasks for the user, or for anyone in the user's role about a patient the user may see (or none)."""
    mine = Q(assignee_id=user.id)
    if user.role:
        mine |= Q(assignee__isnull=True, assignee_role=user.role) & (
            Q(patient__isnull=True) | Q(patient_id__in=visible_ids)
        )
    found = _tasks().filter(mine, organisation_id=user.organisation_id)
    if not include_closed:
        found = found.filter(status__in=OPEN_TASK_STATES)
    return found.order_by("due_at", "-priority")


def team_tasks(user: Any, visible_ids: QuerySet[Any], *, include_closed: bool = False) -> QuerySet[Task]:
    """Every task about a patient the user may see, and the clinic's tasks about no patient (the coordinator's
    view of the team's work)."""
    found = _tasks().filter(
        Q(patient_id__in=visible_ids) | Q(patient__isnull=True), organisation_id=user.organisation_id
    )
    if not include_closed:
        found = found.filter(status__in=OPEN_TASK_STATES)
    return found.order_by("due_at", "-priority")


def overdue_count(user: Any, visible_ids: QuerySet[Any], *, now: datetime) -> int:
    return int(my_tasks(user, visible_ids).filter(due_at__lt=now).count())


def tasks_of(patient_id: Any) -> QuerySet[Task]:
    """The patient's tasks, open ones first by due time, then the closed ones, newest first."""
    return (
        Task.objects.current()
        .filter(patient_id=patient_id)
        .select_related("assignee", "created_by", "closed_by", "started_by")
        .order_by("-status", "due_at")
    )


def task_of(organisation_id: Any, task_id: Any) -> Task | None:
    try:
        found: Task | None = (
            Task.objects.current()
            .filter(organisation_id=organisation_id, pk=task_id)
            .select_related("patient", "assignee", "created_by", "closed_by", "started_by", "agenda_item")
            .first()
        )
    except (ValueError, TypeError):
        return None
    return found


def task_from_source(organisation_id: Any, source_type: str, source_id: Any) -> Task | None:
    """The task made from this source (an alert, a rule's finding), if any."""
    found: Task | None = (
        Task.objects.current()
        .filter(organisation_id=organisation_id, source_type=source_type, source_id=str(source_id))
        .select_related("assignee")
        .first()
    )
    return found


def may_handle_unlinked_task(user: Any, task: Task) -> bool:
    """A task about no patient: its assignee, anyone in its role, and whoever made it."""
    return user.id in (task.assignee_id, task.created_by_id) or (
        task.assignee_id is None and task.assignee_role == user.role
    )


def tasks_of_items(item_ids: list[Any]) -> dict[Any, list[Task]]:
    found: dict[Any, list[Task]] = {}
    for task in (
        Task.objects.current().filter(agenda_item_id__in=item_ids).select_related("assignee").order_by("due_at")
    ):
        found.setdefault(task.agenda_item_id, []).append(task)
    return found


# --- meetings ---------------------------------------------------------------------------------------------------


def meetings(organisation_id: Any) -> QuerySet[Meeting]:
    return Meeting.objects.current().filter(organisation_id=organisation_id).order_by("-starts_at")


def meeting_of(organisation_id: Any, meeting_id: Any) -> Meeting | None:
    try:
        found: Meeting | None = Meeting.objects.current().filter(organisation_id=organisation_id, pk=meeting_id).first()
    except (ValueError, TypeError):
        return None
    return found


def attendees_of(meeting: Meeting) -> list[Any]:
    rows = MeetingAttendee.objects.filter(meeting=meeting).select_related("staff").order_by("staff__display_name")
    return [row.staff for row in rows]


def agenda_of(meeting: Meeting, visible_ids: QuerySet[Any]) -> list[AgendaItem]:
    """The agenda items about patients the user may see, in order (one query, patients joined)."""
    return list(
        AgendaItem.objects.current()
        .filter(meeting=meeting, patient_id__in=visible_ids)
        .exclude(status=ItemStatus.WITHDRAWN)
        .select_related("patient", "discussed_by")
        .order_by("position", "created_at")
    )


def hidden_items(meeting: Meeting, visible_ids: QuerySet[Any]) -> int:
    found = AgendaItem.objects.current().filter(meeting=meeting).exclude(status=ItemStatus.WITHDRAWN)
    return int(found.exclude(patient_id__in=visible_ids).count())


def agenda_counts(meeting_ids: list[Any]) -> dict[Any, tuple[int, int]]:
    """Per meeting, (items, discussed) — counts only, no patient (one query)."""
    counts: dict[Any, list[int]] = {}
    rows = (
        AgendaItem.objects.current()
        .filter(meeting_id__in=meeting_ids)
        .exclude(status=ItemStatus.WITHDRAWN)
        .values_list("meeting_id", "status")
    )
    for meeting_id, status in rows:
        bucket = counts.setdefault(meeting_id, [0, 0])
        bucket[0] += 1
        bucket[1] += status == "discussed"
    return {key: (value[0], value[1]) for key, value in counts.items()}


def waiting_items(meeting: Meeting) -> QuerySet[AgendaItem]:
    """The meeting's items not discussed yet (all of them, seen or not by the reader), in agenda order."""
    return (
        AgendaItem.objects.current()
        .filter(meeting=meeting, status=ItemStatus.WAITING)
        .select_related("patient")
        .order_by("position", "created_at")
    )


def not_reached(organisation_id: Any, visible_ids: QuerySet[Any]) -> list[AgendaItem]:
    """Patients the user may see who were on the agenda of a held meeting and not discussed there, and on no
    agenda since (withdrawn aside): the latest such item per patient, newest meeting first, with the meeting
    and the patient joined (one query). They are carried over until they are on an agenda again."""
    later = (
        AgendaItem.objects.current()
        .filter(patient_id=OuterRef("patient_id"), meeting__starts_at__gt=OuterRef("meeting__starts_at"))
        .exclude(status=ItemStatus.WITHDRAWN)
    )
    rows = (
        AgendaItem.objects.current()
        .filter(
            organisation_id=organisation_id,
            patient_id__in=visible_ids,
            status=ItemStatus.WAITING,
            meeting__status=MeetingStatus.HELD,
        )
        .exclude(Exists(later))
        .select_related("meeting", "patient")
        .order_by("-meeting__starts_at")
    )
    found: dict[Any, AgendaItem] = {}
    for item in rows:
        found.setdefault(item.patient_id, item)
    return list(found.values())


def item_of(patient_id: Any, item_id: Any) -> AgendaItem | None:
    try:
        found: AgendaItem | None = (
            AgendaItem.objects.current()
            .filter(patient_id=patient_id, pk=item_id)
            .select_related("meeting", "discussed_by", "flag")
            .first()
        )
    except (ValueError, TypeError):
        return None
    return found


def items_of_patient(patient_id: Any) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.current().filter(patient_id=patient_id).select_related("meeting").order_by("-created_at")


# --- rules ------------------------------------------------------------------------------------------------------


def rules_of(organisation_id: Any) -> list[EscalationRule]:
    return list(EscalationRule.objects.filter(organisation_id=organisation_id).order_by("kind"))


def recent_firings(organisation_id: Any, *, limit: int = 50) -> list[RuleFiring]:
    """The latest firings, without patients (the staff page shows what the rules did, not about whom)."""
    return list(
        RuleFiring.objects.filter(rule__organisation_id=organisation_id)
        .select_related("rule")
        .order_by("-fired_at")[:limit]
    )


def patient_id_of_task(task_id: Any) -> Any:
    """Whose task this is (None for an unknown task, or one about no patient)."""
    try:
        return Task.objects.current().filter(pk=task_id).values_list("patient_id", flat=True).first()
    except (ValueError, TypeError):
        return None


def task_of_patient(patient_id: Any, task_id: Any) -> Task | None:
    found: Task | None = (
        Task.objects.current().filter(patient_id=patient_id, pk=task_id).select_related("patient").first()
    )
    return found
