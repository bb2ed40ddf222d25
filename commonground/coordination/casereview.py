"""Writes of case review (the multidisciplinary meeting): planning a meeting, who attended, its agenda built
from flagged patients and manual additions, the discussion of each patient, decisions that become tasks or a
change to the care plan, and the meeting held. Discussing a patient closes their case-review flag as reviewed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonground.accounts.choices import CLINICAL_ROLES, AccountKind
from commonground.accounts.models import User
from commonground.audit.choices import Action
from commonground.audit.services import record_patient_access
from commonground.coordination import services
from commonground.coordination.choices import FlagStatus, ItemStatus, MeetingStatus, ReviewReason
from commonground.coordination.models import AgendaItem, CaseReviewFlag, Meeting, MeetingAttendee, Task
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.kit.versioning import save_edit, save_new
from commonground.patients.models import Patient


def plan_meeting(*, organisation_id: Any, title: str, starts_at: datetime, by: Any) -> Meeting:
    if not title.strip():
        raise DomainError(_("Give the meeting a title."), field="title")
    meeting = Meeting(organisation_id=organisation_id, title=title.strip()[:200], starts_at=starts_at, created_by=by)
    return save_new(meeting, reason="Case-review meeting planned")


def set_attendance(meeting: Meeting, *, staff_ids: list[Any]) -> list[Any]:
    """Who attended: chosen from the clinic's active care staff (the list replaces the one before)."""
    chosen = list(
        User.objects.filter(
            pk__in=staff_ids,
            organisation_id=meeting.organisation_id,
            kind=AccountKind.STAFF,
            role__in=CLINICAL_ROLES,
            is_active=True,
        )
    )
    if len(chosen) != len(set(staff_ids)):
        raise DomainError(_("Choose attendees from the clinic's care staff."), field="attendees")
    MeetingAttendee.objects.filter(meeting=meeting).exclude(staff_id__in=[s.id for s in chosen]).delete()
    known = set(MeetingAttendee.objects.filter(meeting=meeting).values_list("staff_id", flat=True))
    MeetingAttendee.objects.bulk_create(
        [MeetingAttendee(meeting=meeting, staff=staff) for staff in chosen if staff.id not in known]
    )
    return chosen


def add_to_agenda(meeting: Meeting, patient: Patient, *, reasons: list[str], by: Any, note: str = "") -> AgendaItem:
    """The patient on the agenda, linked to their open case-review flag; added again, the reasons are merged."""
    if meeting.status != MeetingStatus.PLANNED:
        raise DomainError(_("The meeting has been held; plan a new one to discuss this patient."))
    if patient.organisation_id != meeting.organisation_id:
        raise DomainError(_("The patient is not of this clinic."))
    wanted = [reason for reason in dict.fromkeys(reasons) if reason in ReviewReason.values] or [ReviewReason.MANUAL]
    flag = CaseReviewFlag.objects.current().filter(patient=patient, status=FlagStatus.OPEN).first()
    existing = AgendaItem.objects.current().filter(meeting=meeting, patient=patient).first()
    if existing is not None:
        found: AgendaItem = existing
        back = found.status == ItemStatus.WITHDRAWN
        merged = wanted if back else list(dict.fromkeys([*found.reasons, *wanted]))
        if not back and merged == found.reasons and (flag is None or found.flag_id == flag.id):
            return found
        changes = {"reasons": merged, "flag": flag or found.flag, "status": ItemStatus.WAITING}
        if back:
            changes["note"] = note.strip()[:500] or (flag.note if flag else "")
        return save_edit(found, expected_version=found.version, reason="Agenda reasons added", changes=changes)
    position = AgendaItem.objects.filter(meeting=meeting).count() + 1
    item = AgendaItem(
        organisation_id=meeting.organisation_id,
        meeting=meeting,
        patient=patient,
        reasons=wanted,
        flag=flag,
        added_by=by,
        note=note.strip()[:500] or (flag.note if flag else ""),
        position=position,
    )
    try:
        with transaction.atomic():
            save_new(item, reason="Added to the case-review agenda")
    except IntegrityError:
        raise DomainError(_("This patient is already on the agenda.")) from None
    _audit(item, Action.CREATE)
    return item


def record_discussion(
    item: AgendaItem, *, discussion: str, plan_change: str, by: Any, expected_version: int
) -> AgendaItem:
    """The team's discussion (and any change to the care plan); the patient's flag is closed as reviewed."""
    if not discussion.strip():
        raise DomainError(_("Write what the team discussed."), field="discussion")
    now = clock.now()
    saved = save_edit(
        item,
        expected_version=expected_version,
        reason="Discussed at case review",
        changes={
            "discussion": discussion.strip()[:8000],
            "plan_change": plan_change.strip()[:4000],
            "status": ItemStatus.DISCUSSED,
            "discussed_at": item.discussed_at or now,
            "discussed_by": item.discussed_by or by,
        },
    )
    _audit(saved, Action.UPDATE)
    flag = CaseReviewFlag.objects.current().filter(patient_id=item.patient_id, status=FlagStatus.OPEN).first()
    if flag is not None:
        services.close_flag(
            flag, expected_version=flag.version, status=FlagStatus.REVIEWED, reason="Discussed at case review"
        )
    return saved


def decide_task(
    item: AgendaItem,
    *,
    title: str,
    due_at: datetime,
    by: Any,
    assignee: Any = None,
    assignee_role: str = "",
    priority: str = "routine",
    details: str = "",
) -> Task:
    """A decision of the meeting that someone has to carry out: a task about the patient, linked to the item."""
    patient = item.patient
    return services.create_task(
        organisation_id=item.organisation_id,
        title=title,
        due_at=due_at,
        patient=patient,
        details=details,
        assignee=assignee,
        assignee_role=assignee_role,
        priority=priority,
        created_by=by,
        agenda_item=item,
    )


def take_off_agenda(item: AgendaItem, *, expected_version: int) -> AgendaItem:
    """Before the meeting, a patient the team need not discuss this time; their flag stays open for the next."""
    if item.meeting.status != MeetingStatus.PLANNED or item.status != ItemStatus.WAITING:
        raise DomainError(_("Only a patient not yet discussed, before the meeting, can be taken off the agenda."))
    saved = save_edit(
        item, expected_version=expected_version, reason="Taken off the agenda", changes={"status": ItemStatus.WITHDRAWN}
    )
    _audit(saved, Action.UPDATE)
    return saved


def mark_held(meeting: Meeting, *, notes: str, expected_version: int, not_reached_confirmed: bool = False) -> Meeting:
    """The meeting held. Patients not discussed stay "to discuss" on it: they are not reached, and the next
    meeting's preparation offers them first (`selectors.not_reached`). Holding it with patients not discussed
    needs `not_reached_confirmed`, so that nobody is left off unnoticed."""
    if meeting.status == MeetingStatus.HELD:
        raise DomainError(_("The meeting is already marked as held."))
    waiting = AgendaItem.objects.current().filter(meeting=meeting, status=ItemStatus.WAITING).count()
    if waiting and not not_reached_confirmed:
        raise DomainError(
            ngettext(
                "%(num)d patient on the agenda was not discussed. Confirm to mark the meeting as held; the "
                "patient is offered first when the next meeting is prepared.",
                "%(num)d patients on the agenda were not discussed. Confirm to mark the meeting as held; they "
                "are offered first when the next meeting is prepared.",
                waiting,
            )
            % {"num": waiting}
        )
    return save_edit(
        meeting,
        expected_version=expected_version,
        reason="Case-review meeting held",
        changes={"status": MeetingStatus.HELD, "held_at": clock.now(), "notes": notes.strip()[:4000]},
    )


def _audit(item: AgendaItem, action: str) -> None:
    record_patient_access(
        item.patient_id, item.organisation_id, action=action, object_type="agenda_item", object_id=str(item.id)
    )
