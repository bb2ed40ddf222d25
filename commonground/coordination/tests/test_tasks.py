"""Tasks: for a person or a role, idempotent per source, states with who and when, a reason to cancel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from commonground.accounts.choices import Role
from commonground.audit.models import AuditEvent
from commonground.coordination import selectors, services
from commonground.coordination.choices import TaskStatus
from commonground.coordination.models import Task
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit
from commonground.notifications.models import OutgoingEmail
from tests.personas import make_staff

pytestmark = pytest.mark.django_db


def new_task(patient: Any, by: Any, **changes: Any) -> Task:
    values: dict[str, Any] = {
        "organisation_id": patient.organisation_id,
        "title": "Phone about the physiotherapy referral",
        "due_at": clock.now() + timedelta(days=2),
        "patient": patient,
        "assignee": by,
        "created_by": by,
    }
    values.update(changes)
    return services.create_task(**values)


def test_a_task_for_a_person(patient_record: Any, coordinator: Any, therapist: Any) -> None:
    task = new_task(patient_record, coordinator, assignee=therapist)
    assert (task.status, task.assignee, task.created_by, task.priority) == ("open", therapist, coordinator, "routine")
    assert AuditEvent.objects.filter(patient_id=patient_record.id, object_type="task", action="create").exists()


def test_the_assignee_is_told_without_clinical_content(patient_record: Any, coordinator: Any, therapist: Any) -> None:
    therapist.email = "bob@example.test"
    therapist.save()
    new_task(patient_record, coordinator, assignee=therapist, priority="urgent")
    email = OutgoingEmail.objects.get(to="bob@example.test")
    text = (email.subject + email.body).lower()
    assert "urgent" in text and "/clinician/tasks/" in email.body
    for clinical in ("ada", "lovelace", "physiotherapy", "referral"):
        assert clinical not in text


def test_a_task_for_a_role_or_a_person_never_both_nor_neither(patient_record: Any, coordinator: Any) -> None:
    task = new_task(patient_record, coordinator, assignee=None, assignee_role=Role.PHYSIOTHERAPIST)
    assert task.assignee is None and task.assignee_role == Role.PHYSIOTHERAPIST
    with pytest.raises(DomainError):
        new_task(patient_record, coordinator, assignee=None, assignee_role="")
    with pytest.raises(DomainError):
        new_task(patient_record, coordinator, assignee=coordinator, assignee_role=Role.PHYSIOTHERAPIST)
    with pytest.raises(DomainError):
        new_task(patient_record, coordinator, assignee=None, assignee_role=Role.ADMINISTRATOR)


def test_assignees_are_care_staff_of_the_clinic(
    patient_record: Any, coordinator: Any, foreign_clinician: Any, administrator: Any
) -> None:
    for wrong in (foreign_clinician, administrator):
        with pytest.raises(DomainError):
            new_task(patient_record, coordinator, assignee=wrong)
    with pytest.raises(DomainError):
        new_task(patient_record, coordinator, title="  ")


def test_the_same_source_makes_one_task(patient_record: Any, coordinator: Any, therapist: Any) -> None:
    first = new_task(patient_record, coordinator, source_type="alert", source_id="a1")
    second = new_task(patient_record, therapist, assignee=therapist, source_type="alert", source_id="a1")
    assert first.id == second.id
    assert Task.objects.filter(source_type="alert", source_id="a1").count() == 1
    other = new_task(patient_record, coordinator, source_type="alert", source_id="a2")
    assert other.id != first.id
    with pytest.raises(ValueError, match="source"):
        new_task(patient_record, coordinator, source_type="alert", source_id="")


def test_a_task_without_a_patient(clinic: Any, coordinator: Any) -> None:
    task = services.create_task(
        organisation_id=clinic.id, title="Book the room for case review", due_at=clock.now(), assignee=coordinator
    )
    assert task.patient is None
    assert selectors.may_handle_unlinked_task(coordinator, task)


def test_states_keep_who_and_when(patient_record: Any, coordinator: Any, therapist: Any) -> None:
    task = new_task(patient_record, coordinator, assignee=therapist)
    task = services.move_task(task, to=TaskStatus.IN_PROGRESS, by=therapist, expected_version=task.version)
    assert task.started_by == therapist and task.started_at is not None
    task = services.move_task(task, to=TaskStatus.DONE, by=therapist, expected_version=task.version)
    assert (task.status, task.closed_by) == ("done", therapist)
    with pytest.raises(DomainError, match="cannot become"):
        services.move_task(task, to=TaskStatus.OPEN, by=therapist, expected_version=task.version)
    assert task.history.count() == 3


def test_cancelling_needs_a_reason(patient_record: Any, coordinator: Any) -> None:
    task = new_task(patient_record, coordinator)
    with pytest.raises(DomainError, match="why"):
        services.move_task(task, to=TaskStatus.CANCELLED, by=coordinator, expected_version=task.version)
    task = services.move_task(
        task, to=TaskStatus.CANCELLED, by=coordinator, expected_version=task.version, reason="Patient phoned us"
    )
    assert (task.status, task.cancel_reason, task.closed_by) == ("cancelled", "Patient phoned us", coordinator)


def test_a_stale_state_change_is_refused(patient_record: Any, coordinator: Any, therapist: Any) -> None:
    task = new_task(patient_record, coordinator, assignee=therapist)
    stale = Task.objects.get(pk=task.pk)
    services.move_task(task, to=TaskStatus.DONE, by=therapist, expected_version=1)
    with pytest.raises(StaleEdit):
        services.move_task(stale, to=TaskStatus.IN_PROGRESS, by=coordinator, expected_version=1)


def test_my_tasks_are_mine_and_my_roles_about_patients_i_may_see(
    clinic: Any, patient_record: Any, other_patient_record: Any, coordinator: Any, therapist: Any
) -> None:
    from commonground.access import gateway

    mine = new_task(patient_record, coordinator, assignee=therapist)
    for_role = new_task(patient_record, coordinator, assignee=None, assignee_role=therapist.role)
    not_my_patient = new_task(other_patient_record, coordinator, assignee=None, assignee_role=therapist.role)
    someone_else = new_task(patient_record, coordinator, assignee=coordinator)
    visible = gateway.visible_patients(therapist).values("id")
    found = set(selectors.my_tasks(therapist, visible).values_list("id", flat=True))
    assert found == {mine.id, for_role.id}
    assert not_my_patient.id not in found and someone_else.id not in found
    team = set(selectors.team_tasks(therapist, visible).values_list("id", flat=True))
    assert team == {mine.id, for_role.id, someone_else.id}


def test_overdue_count(patient_record: Any, coordinator: Any) -> None:
    from commonground.access import gateway

    now = clock.now()
    new_task(patient_record, coordinator, due_at=now - timedelta(hours=1))
    new_task(patient_record, coordinator, due_at=now + timedelta(hours=1))
    done = new_task(patient_record, coordinator, due_at=now - timedelta(days=1))
    services.move_task(done, to=TaskStatus.DONE, by=coordinator, expected_version=1)
    visible = gateway.visible_patients(coordinator).values("id")
    assert selectors.overdue_count(coordinator, visible, now=now) == 1


def test_a_colleague_in_another_role_is_not_given_role_tasks(
    patient_record: Any, coordinator: Any, clinic: Any
) -> None:
    from commonground.access import gateway

    physio = make_staff(clinic, "pia", Role.PHYSIOTHERAPIST)
    new_task(patient_record, coordinator, assignee=None, assignee_role=Role.PSYCHOLOGIST)
    assert not selectors.my_tasks(physio, gateway.visible_patients(physio).values("id")).exists()


# --- only the patient's care team -------------------------------------------------------------------------------


def test_a_task_about_a_patient_is_only_for_their_care_team(
    patient_record: Any, coordinator: Any, outsider: Any
) -> None:
    with pytest.raises(DomainError, match="Carol is not on this patient's care team") as refused:
        new_task(patient_record, coordinator, assignee=outsider)
    assert refused.value.field == "assignee"
    assert not Task.objects.exists()
    by_role = new_task(patient_record, coordinator, assignee=None, assignee_role=Role.PHYSIOTHERAPIST)
    assert by_role.assignee_role == Role.PHYSIOTHERAPIST  # a role stays possible


def test_a_task_is_not_handed_on_outside_the_care_team(patient_record: Any, coordinator: Any, outsider: Any) -> None:
    task = new_task(patient_record, coordinator)
    with pytest.raises(DomainError, match="not on this patient's care team"):
        services.reassign_task(task, assignee=outsider, assignee_role="", by=coordinator, expected_version=1)
    task.refresh_from_db()
    assert task.assignee == coordinator


def test_a_task_about_no_patient_may_go_to_any_active_care_staff(clinic: Any, coordinator: Any, outsider: Any) -> None:
    task = services.create_task(
        organisation_id=clinic.id,
        title="Book the room",
        due_at=clock.now() + timedelta(days=1),
        assignee=outsider,
        created_by=coordinator,
    )
    assert task.assignee == outsider
