"""A task about a patient as a FHIR R4 Task (decision 0020).

- `status` follows the task's state: open → `ready`, in progress → `in-progress`, done → `completed`, cancelled
  → `cancelled` (its reason in `statusReason.text`); a task entered in error → `entered-in-error`.
- `intent` is `order`: the team asks one of its own to do it. `priority` is `urgent` or `routine`.
- `for` is the patient; `owner` the staff member it is assigned to (`Practitioner/<id>`); a task for anyone in
  a role has no owner and names the role in `performerType` (text).
- `authoredOn` is when it was made, `lastModified` its last change, `requester` who made it (none when an
  escalation rule made it); `restriction.period.end` is when it is due; `executionPeriod` from start to close.
- `description` is its title, the details a `note`; `focus` is the alert (`Flag/<id>`) it was made from.

Only tasks about a patient are served (the API serves the patient compartment); a task about no patient is
the clinic's own business and is not found.
"""

from __future__ import annotations

from typing import Final
from uuid import UUID

from fhir.resources.R4B.annotation import Annotation
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.task import Task as FhirTask
from fhir.resources.R4B.task import TaskRestriction

from commonground.coordination import selectors
from commonground.coordination.choices import TaskStatus
from commonground.coordination.models import Task
from commonground.coordination.services import role_label
from commonground.interop.fhir.bundles import searchset
from commonground.interop.fhir.terminology import patient_reference_of
from commonground.patients.models import Patient

STATUS: Final = {
    TaskStatus.OPEN: "ready",
    TaskStatus.IN_PROGRESS: "in-progress",
    TaskStatus.DONE: "completed",
    TaskStatus.CANCELLED: "cancelled",
}


def task_status(task: Task) -> str:
    if task.is_entered_in_error:
        return "entered-in-error"
    return STATUS[TaskStatus(task.status)]


def task_resource(task: Task) -> FhirTask:
    started, closed = task.started_at, task.closed_at
    return FhirTask.model_validate(
        {
            "resourceType": "Task",
            "id": str(task.id),
            "status": task_status(task),
            "statusReason": {"text": task.cancel_reason} if task.cancel_reason else None,
            "intent": "order",
            "priority": task.priority,
            "description": task.title,
            "for": {"reference": patient_reference_of(task.patient_id)} if task.patient_id else None,
            "focus": _focus(task),
            "authoredOn": task.created_at.isoformat(),
            "lastModified": task.updated_at.isoformat(),
            "requester": {"reference": f"Practitioner/{task.created_by_id}"} if task.created_by_id else None,
            "owner": {"reference": f"Practitioner/{task.assignee_id}"} if task.assignee_id else None,
            "performerType": [CodeableConcept(text=role_label(task.assignee_role)).model_dump()]
            if task.assignee_role
            else None,
            "restriction": TaskRestriction(period=Period(end=task.due_at)).model_dump(),
            "executionPeriod": Period(start=started, end=closed).model_dump() if started or closed else None,
            "note": [Annotation(text=task.details).model_dump()] if task.details else None,
        }
    )


def _focus(task: Task) -> dict[str, str] | None:
    if task.source_type == "alert":
        return Reference(reference=f"Flag/{task.source_id}").model_dump()
    return None


def task_of(patient: Patient, task_id: UUID) -> FhirTask | None:
    found = selectors.task_of_patient(patient.id, task_id)
    return task_resource(found) if found is not None else None


def tasks_bundle(patient: Patient, *, self_url: str) -> Bundle:
    """Every current task about the patient, open ones first."""
    return searchset([task_resource(task) for task in selectors.tasks_of(patient.id)], self_url=self_url)
