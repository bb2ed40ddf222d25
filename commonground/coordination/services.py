"""Writes of care coordination: case-review flags, and tasks (created by people or by rules, idempotent per
source) with their states. Meetings and their agenda are in `casereview`; the rules in `engine`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from commonground.accounts.choices import CLINICAL_ROLES, AccountKind, Role
from commonground.audit.choices import Action
from commonground.audit.services import record_patient_access
from commonground.careteam import selectors as team_selectors
from commonground.coordination.choices import FlagStatus, ReviewReason, TaskPriority, TaskStatus
from commonground.coordination.models import AgendaItem, CaseReviewFlag, Task
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.kit.versioning import save_edit, save_new
from commonground.notifications.services import send_email
from commonground.patients.models import Patient

# --- case-review flags ----------------------------------------------------------------------------------------


def flag_for_case_review(patient: Patient, *, by: Any, reason: str, note: str = "") -> CaseReviewFlag:
    """One open flag per patient: flagging again says so instead of adding a second. `by` None: a rule."""
    if reason not in ReviewReason.values:
        raise DomainError(_("Choose a reason for the case review."), field="reason")
    if CaseReviewFlag.objects.current().filter(patient=patient, status=FlagStatus.OPEN).exists():
        raise DomainError(_("This patient is already on the case-review list."))
    flag = CaseReviewFlag(
        patient=patient,
        organisation_id=patient.organisation_id,
        reason=reason,
        note=note.strip()[:500],
        flagged_by=by,
        flagged_at=clock.now(),
    )
    try:
        with transaction.atomic():
            save_new(flag, reason="Flagged for case review" if by is not None else "Flagged by an escalation rule")
    except IntegrityError:
        raise DomainError(_("This patient is already on the case-review list.")) from None
    record_patient_access(
        patient.id,
        patient.organisation_id,
        action=Action.CREATE,
        object_type="case_review_flag",
        object_id=str(flag.id),
    )
    return flag


def close_flag(flag: CaseReviewFlag, *, expected_version: int, status: str, reason: str) -> CaseReviewFlag:
    if status not in {FlagStatus.REVIEWED, FlagStatus.WITHDRAWN}:
        raise DomainError(_("A flag is closed as reviewed or withdrawn."))
    if flag.status != FlagStatus.OPEN:
        raise DomainError(_("This flag is already closed."))
    closed = save_edit(
        flag, expected_version=expected_version, reason=reason, changes={"status": status, "closed_at": clock.now()}
    )
    record_patient_access(
        flag.patient_id,
        flag.organisation_id,
        action=Action.UPDATE,
        object_type="case_review_flag",
        object_id=str(flag.id),
    )
    return closed


# --- tasks ------------------------------------------------------------------------------------------------------

TASK_ROLES = frozenset(CLINICAL_ROLES)


def create_task(
    *,
    organisation_id: Any,
    title: str,
    due_at: datetime,
    patient: Patient | None = None,
    details: str = "",
    assignee: Any = None,
    assignee_role: str = "",
    priority: str = TaskPriority.ROUTINE,
    created_by: Any = None,
    source_type: str = "",
    source_id: str = "",
    agenda_item: AgendaItem | None = None,
) -> Task:
    """A task for one staff member or for anyone in a role; `created_by` None when a rule made it.

    With `source_type`/`source_id` it is idempotent: a second call for the same source returns the task the
    first made (a unique constraint decides between two at once), whoever asks.
    """
    source_type, source_id = source_type.strip(), str(source_id).strip()
    if bool(source_type) != bool(source_id):
        raise ValueError("a task's source has a type and an id, or neither")
    if source_type:
        existing = _task_from(organisation_id, source_type, source_id)
        if existing is not None:
            return existing
    _check_task(organisation_id, title=title, patient=patient, assignee=assignee, role=assignee_role, priority=priority)
    task = Task(
        organisation_id=organisation_id,
        patient=patient,
        title=title.strip()[:200],
        details=details.strip()[:4000],
        assignee=assignee,
        assignee_role=assignee_role if assignee is None else "",
        due_at=due_at,
        priority=priority,
        created_by=created_by,
        source_type=source_type,
        source_id=source_id,
        agenda_item=agenda_item,
    )
    try:
        with transaction.atomic():
            save_new(task, reason="Task created" if created_by is not None else "Task created by an escalation rule")
    except IntegrityError:
        found = _task_from(organisation_id, source_type, source_id) if source_type else None
        if found is None:
            raise
        return found
    if patient is not None:
        record_patient_access(
            patient.id, patient.organisation_id, action=Action.CREATE, object_type="task", object_id=str(task.id)
        )
    if assignee is not None and assignee != created_by and assignee.email:
        _tell(assignee.email, urgent=priority == TaskPriority.URGENT)
    return task


def _task_from(organisation_id: Any, source_type: str, source_id: str) -> Task | None:
    found: Task | None = Task.objects.filter(
        organisation_id=organisation_id, source_type=source_type, source_id=source_id
    ).first()
    return found


def _check_task(
    organisation_id: Any, *, title: str, patient: Patient | None, assignee: Any, role: str, priority: str
) -> None:
    if not title.strip():
        raise DomainError(_("Give the task a title."), field="title")
    if priority not in TaskPriority.values:
        raise DomainError(_("Choose urgent or routine."), field="priority")
    if patient is not None and patient.organisation_id != organisation_id:
        raise DomainError(_("The patient is not of this clinic."))
    if (assignee is None) == (not role):
        raise DomainError(_("Assign the task to one person or to a role."), field="assignee")
    if assignee is not None and not (
        assignee.is_active
        and assignee.kind == AccountKind.STAFF
        and assignee.organisation_id == organisation_id
        and assignee.role in TASK_ROLES
    ):
        raise DomainError(_("Choose a member of the clinic's care staff."), field="assignee")
    if role and role not in TASK_ROLES:
        raise DomainError(_("Choose one of the clinic's care roles."), field="assignee")
    if assignee is not None and patient is not None and not team_selectors.is_on_care_team(assignee, patient.id):
        raise DomainError(
            _(
                "%(name)s is not on this patient's care team and could not open the task. Choose a member of "
                "the care team, or a role."
            )
            % {"name": assignee.display_name},
            field="assignee",
        )


def _tell(address: str, *, urgent: bool) -> None:
    """A notice to sign in: no patient and nothing of the task in the message."""
    send_email(
        to=address,
        subject=_("Urgent: a task is waiting for you") if urgent else _("A task is waiting for you"),
        template="coordination/emails/task.txt",
        context={"url": f"{settings.SITE_URL}/clinician/tasks/", "urgent": urgent},
    )


# A task moves open → in progress → done, or from open or in progress to cancelled (with a reason).
MOVES = {
    TaskStatus.OPEN: {TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.CANCELLED},
    TaskStatus.IN_PROGRESS: {TaskStatus.DONE, TaskStatus.CANCELLED, TaskStatus.OPEN},
    TaskStatus.DONE: set(),
    TaskStatus.CANCELLED: set(),
}


def move_task(task: Task, *, to: str, by: Any, expected_version: int, reason: str = "") -> Task:
    """Start, finish, put back or cancel a task; who and when are kept, and a cancellation says why."""
    if to not in TaskStatus.values:
        raise DomainError(_("Unknown state."))
    if to not in MOVES[TaskStatus(task.status)]:
        raise DomainError(
            _("A task that is %(state)s cannot become %(new)s.")
            % {"state": task.get_status_display().lower(), "new": TaskStatus(to).label.lower()}
        )
    if to == TaskStatus.CANCELLED and not reason.strip():
        raise DomainError(_("Say why the task is cancelled."), field="reason")
    now = clock.now()
    changes: dict[str, Any] = {"status": to}
    if to == TaskStatus.IN_PROGRESS:
        changes.update(started_at=now, started_by=by)
    elif to == TaskStatus.OPEN:
        changes.update(started_at=None, started_by=None)
    else:
        changes.update(closed_at=now, closed_by=by)
        if to == TaskStatus.CANCELLED:
            changes["cancel_reason"] = reason.strip()[:300]
    moved = save_edit(task, expected_version=expected_version, reason=f"Task {to}", changes=changes)
    if task.patient_id is not None:
        record_patient_access(
            task.patient_id, task.organisation_id, action=Action.UPDATE, object_type="task", object_id=str(task.id)
        )
    return moved


def reassign_task(task: Task, *, assignee: Any, assignee_role: str, by: Any, expected_version: int) -> Task:
    if not task.is_open:
        raise DomainError(_("Only an open task can be handed on."))
    _check_task(
        task.organisation_id,
        title=task.title,
        patient=task.patient,
        assignee=assignee,
        role=assignee_role,
        priority=task.priority,
    )
    moved = save_edit(
        task,
        expected_version=expected_version,
        reason="Task handed on",
        changes={"assignee": assignee, "assignee_role": "" if assignee is not None else assignee_role},
    )
    if task.patient_id is not None:
        record_patient_access(
            task.patient_id, task.organisation_id, action=Action.UPDATE, object_type="task", object_id=str(task.id)
        )
    if assignee is not None and assignee != by and assignee.email:
        _tell(assignee.email, urgent=task.priority == TaskPriority.URGENT)
    return moved


def role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role
