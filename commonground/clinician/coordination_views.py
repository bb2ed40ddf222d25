"""The care team's coordination pages: "My tasks" (and the team's), a patient's tasks (chart tab), a new task
(also from an alert), task states as buttons; case-review meetings, preparing the agenda from flagged
patients, the meeting with its attendance, one patient's item with its summary, discussion and decisions;
and the escalation rules, read-only.

Each view parses input, opens the patient through the access gateway, calls one service or selector, renders.
A task about a patient is reached only by those who may open that patient; a task about no patient by its
assignee, anyone in its role and whoever made it. Meetings list no patient; the agenda lists only the
patients the reader may see.
"""

from __future__ import annotations

import uuid
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonground.access import gateway
from commonground.access.routes import Audience, route
from commonground.accounts import selectors as account_selectors
from commonground.accounts.choices import Role
from commonground.audit.choices import Action
from commonground.careteam import selectors as team_selectors
from commonground.clinician import coordination_display as display
from commonground.clinician import coordination_forms as forms
from commonground.clinician.views import _chart
from commonground.coordination import casereview, selectors, services
from commonground.coordination import rules as rule_kinds
from commonground.coordination.choices import MeetingStatus, ReviewReason, TaskPriority
from commonground.coordination.models import Task
from commonground.kit import clock
from commonground.kit.errors import DomainError, StaleEdit
from commonground.kit.http import post_only
from commonground.safety import selectors as safety_selectors
from commonground.safety.choices import Urgency

# --- helpers ------------------------------------------------------------------------------------------------------


def _tz(request: HttpRequest) -> str:
    user: Any = request.user
    return str(user.organisation.time_zone)


def _visible_ids(request: HttpRequest) -> Any:
    return gateway.visible_patients(request).values("id")


def _staff(request: HttpRequest) -> list[Any]:
    user: Any = request.user
    return list(account_selectors.active_clinicians(user.organisation_id))


def _team(patient: Any) -> list[Any]:
    """The patient's current care team (active, in a clinical role): whom a task about the patient may be for."""
    return team_selectors.current_staff_of([patient.id]).get(patient.id, [])


def _hand_on(request: HttpRequest, tasks: list[Task]) -> dict[Any, Any]:
    """Per patient, whom their tasks may be handed on to (the care team, then the roles); `None`: a task about
    no patient, the clinic's care staff (two queries, however many tasks)."""
    teams = team_selectors.current_staff_of({task.patient_id for task in tasks if task.patient_id is not None})
    choices: dict[Any, Any] = {pid: forms.assignee_choices(staff) for pid, staff in teams.items()}
    choices[None] = forms.assignee_choices(_staff(request))
    return choices


def _default_assignee(user: Any, offered: list[Any]) -> str:
    """The user, when they are among the people offered; else nobody (the form then asks)."""
    return f"{forms.PERSON}{user.id}" if forms.offers(offered, user) else ""


def _apply_error(form: Any, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _local_path(request: HttpRequest, wanted: str, fallback: str) -> str:
    if (
        wanted
        and wanted.startswith("/")
        and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()})
    ):
        return wanted
    return fallback


def _audit_tasks(tasks: list[Task]) -> None:
    listed = {(task.patient_id, task.organisation_id) for task in tasks if task.patient_id is not None}
    gateway.audit_listed_ids(sorted(listed, key=str), object_type="task")


# --- My tasks ---------------------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def my_tasks(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = forms.TaskFilterForm(request.GET or None)
    choice: dict[str, Any] = {"show": "mine", "due": "", "priority": "", "closed": False}
    if form.is_valid():
        choice.update(form.cleaned_data)
    team = choice["show"] == "team"
    visible = _visible_ids(request)
    read = selectors.team_tasks if team else selectors.my_tasks
    tasks = list(read(user, visible, include_closed=bool(choice["closed"]))[: selectors.TASK_LIST_LIMIT])
    _audit_tasks(tasks)
    now = clock.now()
    groups = display.grouped(
        tasks, now=now, time_zone=_tz(request), due=str(choice["due"]), priority=str(choice["priority"])
    )
    return render(
        request,
        "clinician/coordination/my_tasks.html",
        {
            "form": form,
            "groups": groups,
            "team": team,
            "now": now,
            "tz": _tz(request),
            "section": "tasks",
            "here": request.get_full_path(),
            "is_coordinator": user.role == Role.CARE_COORDINATOR,
            "limited": len(tasks) >= selectors.TASK_LIST_LIMIT,
            "hand_on": _hand_on(request, tasks),
        },
    )


@route(Audience.CLINICIAN)
def tasks_badge(request: HttpRequest) -> HttpResponse:
    """The nav link's "(n overdue)", fetched by the page after it loads (no query on every page)."""
    count = selectors.overdue_count(request.user, _visible_ids(request), now=clock.now())
    return render(request, "clinician/coordination/badge.html", {"count": count})


def _task_to_change(request: HttpRequest, task_id: str) -> Task:
    """The task, if the user may open its patient (or, about no patient, is one of its people); else 404."""
    user: Any = request.user
    task = selectors.task_of(user.organisation_id, task_id)
    if task is None:
        raise Http404()
    if task.patient_id is not None:
        gateway.open_patient(request, task.patient_id, action=Action.UPDATE, object_type="task", object_id=str(task.id))
    elif not selectors.may_handle_unlinked_task(user, task):
        raise Http404()
    return task


@route(Audience.CLINICIAN)
@post_only
def move_task(request: HttpRequest, task_id: str) -> HttpResponse:
    user: Any = request.user
    task = _task_to_change(request, task_id)
    form = forms.MoveTaskForm(request.POST)
    fallback = reverse("clinician:my_tasks")
    if not form.is_valid():
        messages.error(request, _("The form was incomplete. Please try again."))
        return redirect(fallback)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            services.move_task(
                task, to=data["to"], by=user, expected_version=data["version"], reason=data["reason"] or ""
            )
    except StaleEdit as error:
        messages.error(
            request,
            _("A colleague changed this task meanwhile: it is now %(state)s. Nothing was saved.")
            % {"state": error.current.get_status_display().lower()},
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The task is %(state)s.") % {"state": task.get_status_display().lower()})
    return redirect(_local_path(request, data.get("next") or "", fallback))


@route(Audience.CLINICIAN)
@post_only
def hand_on_task(request: HttpRequest, task_id: str) -> HttpResponse:
    """Give an open task to someone else, or to anyone in a role."""
    task = _task_to_change(request, task_id)
    form = forms.HandOnForm(request.POST, staff=_staff(request))
    fallback = reverse("clinician:my_tasks")
    if not form.is_valid():
        messages.error(request, _("Choose whom to hand the task to."))
        return redirect(fallback)
    assignee, role = form.chosen_assignee()
    try:
        with transaction.atomic():
            services.reassign_task(
                task,
                assignee=assignee,
                assignee_role=role,
                by=request.user,
                expected_version=form.cleaned_data["version"],
            )
    except StaleEdit:
        messages.error(request, _("A colleague changed this task meanwhile. Nothing was saved; please look again."))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The task is handed on."))
    return redirect(_local_path(request, form.cleaned_data.get("next") or "", fallback))


@route(Audience.CLINICIAN)
def new_unlinked_task(request: HttpRequest) -> HttpResponse:
    """A task about no patient (booking a room, a team matter)."""
    user: Any = request.user
    tz = _tz(request)
    initial = {
        "due_on": clock.local_date(clock.now(), tz) + timedelta(days=7),
        "due_time": time(17, 0),
        "assignee": f"{forms.PERSON}{user.id}",
        "priority": TaskPriority.ROUTINE,
    }
    form = forms.TaskForm(request.POST or None, initial=initial, staff=_staff(request), time_zone=tz)
    if request.method == "POST" and form.is_valid():
        assignee, role = form.chosen_assignee()
        try:
            with transaction.atomic():
                services.create_task(
                    organisation_id=user.organisation_id,
                    title=form.cleaned_data["title"],
                    details=form.cleaned_data["details"],
                    due_at=form.due_at(),
                    assignee=assignee,
                    assignee_role=role,
                    priority=form.cleaned_data["priority"],
                    created_by=user,
                )
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("The task is saved."))
            return redirect("clinician:my_tasks")
    return render(request, "clinician/coordination/new_unlinked_task.html", {"form": form, "section": "tasks"})


# --- a patient's tasks and a new task --------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def patient_tasks(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = gateway.open_patient(request, patient_id, object_type="task")
    tasks = list(selectors.tasks_of(patient.id))
    return _chart(
        request,
        patient,
        "tasks",
        "clinician/coordination/patient_tasks.html",
        open_tasks=[task for task in tasks if task.is_open],
        closed_tasks=[task for task in tasks if not task.is_open],
        items=list(selectors.items_of_patient(patient.id)),
        flag=selectors.open_flag_of(patient.id),
        now=clock.now(),
        here=request.path,
        hand_on=_hand_on(request, tasks),
    )


@route(Audience.CLINICIAN)
def new_task(request: HttpRequest, patient_id: str) -> HttpResponse:
    """A task about the patient; `?alert=<id>` starts from an alert (title, urgency, due in 24 hours for an
    urgent one) and links the task to it, so the critical-item rule does not add a second."""
    patient = gateway.open_patient(request, patient_id, object_type="task")
    user: Any = request.user
    tz = str(patient.organisation.time_zone)
    alert = None
    alert_id = request.POST.get("alert") or request.GET.get("alert")
    if alert_id:
        alert = safety_selectors.alert_of(patient.id, alert_id) if _is_uuid(alert_id) else None
        if alert is None:
            raise Http404()
        existing = selectors.task_from_source(patient.organisation_id, "alert", alert.id)
        if existing is not None:
            # One task per alert (a rule may have made it): show it, with its state changes, and no form.
            return _chart(
                request,
                patient,
                "tasks",
                "clinician/coordination/new_task.html",
                alert=alert,
                existing=existing,
                now=clock.now(),
                here=reverse("clinician:patient_tasks", args=[patient.id]),
                hand_on=_hand_on(request, [existing]),
            )
    team = _team(patient)
    now = clock.now()
    due = (
        now + timedelta(hours=24) if alert is not None and alert.urgency == Urgency.URGENT else now + timedelta(days=7)
    )
    local_due = due.astimezone(ZoneInfo(tz))
    initial = {
        "due_on": local_due.date(),
        "due_time": local_due.time().replace(second=0, microsecond=0) if alert else time(17, 0),
        "assignee": _default_assignee(user, team),
        "priority": TaskPriority.ROUTINE,
    }
    if alert is not None:
        initial.update(
            title=_("Follow up the alert: %(kind)s") % {"kind": alert.get_kind_display()},
            priority=TaskPriority.URGENT if alert.urgency == Urgency.URGENT else TaskPriority.ROUTINE,
        )
    form = forms.TaskForm(request.POST or None, initial=initial, staff=_staff(request), time_zone=tz, offered=team)
    if request.method == "POST" and form.is_valid():
        assignee, role = form.chosen_assignee()
        try:
            with transaction.atomic():
                services.create_task(
                    organisation_id=patient.organisation_id,
                    title=form.cleaned_data["title"],
                    details=form.cleaned_data["details"],
                    due_at=form.due_at(),
                    patient=patient,
                    assignee=assignee,
                    assignee_role=role,
                    priority=form.cleaned_data["priority"],
                    created_by=user,
                    source_type="alert" if alert is not None else "",
                    source_id=str(alert.id) if alert is not None else "",
                )
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("The task is saved."))
            return redirect("clinician:patient_tasks", patient_id=patient.id)
    return _chart(request, patient, "tasks", "clinician/coordination/new_task.html", form=form, alert=alert)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


# --- case review: meetings --------------------------------------------------------------------------------------


@route(Audience.CLINICIAN)
def meetings(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    found = list(selectors.meetings(user.organisation_id)[:100])
    counts = selectors.agenda_counts([meeting.id for meeting in found])
    today = clock.local_date(clock.now(), _tz(request))
    form = forms.MeetingForm(
        request.POST or None, initial={"on": today + timedelta(days=(3 - today.weekday()) % 7 or 7)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                meeting = casereview.plan_meeting(
                    organisation_id=user.organisation_id,
                    title=form.cleaned_data["title"],
                    starts_at=form.starts_at(_tz(request)),
                    by=user,
                )
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("The meeting is planned. Now prepare its agenda."))
            return redirect("clinician:prepare_meeting", meeting_id=meeting.id)
    planned = [m for m in found if m.status == MeetingStatus.PLANNED]
    held = [m for m in found if m.status == MeetingStatus.HELD]
    return render(
        request,
        "clinician/coordination/meetings.html",
        {
            "planned": planned[::-1],
            "held": held,
            "counts": counts,
            "form": form,
            "tz": _tz(request),
            "section": "case_review",
        },
    )


def _meeting(request: HttpRequest, meeting_id: str) -> Any:
    user: Any = request.user
    found = selectors.meeting_of(user.organisation_id, meeting_id)
    if found is None:
        raise Http404()
    return found


@route(Audience.CLINICIAN)
def meeting(request: HttpRequest, meeting_id: str) -> HttpResponse:
    found = _meeting(request, meeting_id)
    visible = _visible_ids(request)
    items = selectors.agenda_of(found, visible)
    gateway.audit_listed_ids([(item.patient_id, item.organisation_id) for item in items], object_type="agenda_item")
    attendees = selectors.attendees_of(found)
    alerts = safety_selectors.open_alert_counts([item.patient_id for item in items])
    decided = selectors.tasks_of_items([item.id for item in items])
    attendance = forms.AttendanceForm(
        initial={"attendees": [str(person.id) for person in attendees]}, staff=_staff(request)
    )
    return render(
        request,
        "clinician/coordination/meeting.html",
        {
            "meeting": found,
            "items": items,
            "hidden": selectors.hidden_items(found, visible),
            "attendees": attendees,
            "attendance": attendance,
            "held_form": forms.HeldForm(initial={"notes": found.notes, "version": found.version}),
            "alerts": alerts,
            "decided": decided,
            "reasons": dict(ReviewReason.choices),
            "tz": _tz(request),
            "section": "case_review",
        },
    )


@route(Audience.CLINICIAN)
def prepare_meeting(request: HttpRequest, meeting_id: str) -> HttpResponse:
    """The agenda from flagged patients (ticked by default) plus any patient added by hand."""
    found = _meeting(request, meeting_id)
    if found.status != MeetingStatus.PLANNED:
        messages.info(request, _("This meeting has been held; its agenda is closed."))
        return redirect("clinician:meeting", meeting_id=found.id)
    visible = _visible_ids(request)
    already = {item.patient_id for item in selectors.agenda_of(found, visible)}
    today = clock.local_date(clock.now(), _tz(request))
    user: Any = request.user
    carried = selectors.not_reached(user.organisation_id, visible)
    candidates, others = display.agenda_candidates(
        request, today=today, already=already, not_reached=carried, time_zone=_tz(request)
    )
    choices = [(str(c.patient_id), c.name) for c in candidates]
    initial = {"patients": [value for value, _label in choices]}
    form = forms.PrepareForm(request.POST or None, initial=initial, candidates=choices, others=others)
    if request.method == "POST" and form.is_valid():
        by_id = {str(c.patient_id): c for c in candidates}
        chosen = [(pid, list(by_id[pid].reasons), by_id[pid].carried_note) for pid in form.cleaned_data["patients"]]
        if form.cleaned_data["extra"]:
            chosen.append((form.cleaned_data["extra"], [ReviewReason.MANUAL], form.cleaned_data["note"]))
        try:
            with transaction.atomic():
                for patient_id, reasons, note in chosen:
                    patient = gateway.open_patient(request, patient_id, action=Action.UPDATE, object_type="agenda_item")
                    casereview.add_to_agenda(found, patient, reasons=reasons, by=request.user, note=note)
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("%(count)d patients added to the agenda.") % {"count": len(chosen)})
            return redirect("clinician:meeting", meeting_id=found.id)
    return render(
        request,
        "clinician/coordination/prepare.html",
        {
            "meeting": found,
            "form": form,
            "candidates": candidates,
            "already": len(already),
            "tz": _tz(request),
            "section": "case_review",
        },
    )


@route(Audience.CLINICIAN)
@post_only
def meeting_attendance(request: HttpRequest, meeting_id: str) -> HttpResponse:
    found = _meeting(request, meeting_id)
    form = forms.AttendanceForm(request.POST, staff=_staff(request))
    if form.is_valid():
        try:
            with transaction.atomic():
                casereview.set_attendance(found, staff_ids=form.cleaned_data["attendees"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Attendance is saved."))
    else:
        messages.error(request, _("Choose attendees from the clinic's care staff."))
    return redirect(reverse("clinician:meeting", args=[found.id]) + "#attendance")


@route(Audience.CLINICIAN)
@post_only
def meeting_held(request: HttpRequest, meeting_id: str) -> HttpResponse:
    """Mark the meeting as held. With patients not discussed, first a page that lists them and asks to
    confirm; they are then carried over to the next meeting's preparation."""
    found = _meeting(request, meeting_id)
    form = forms.HeldForm(request.POST)
    if form.is_valid():
        waiting = list(selectors.waiting_items(found))
        if waiting and not form.cleaned_data["confirm"]:
            visible = set(
                gateway.visible_patients(request)
                .filter(id__in=[i.patient_id for i in waiting])
                .values_list("id", flat=True)
            )
            shown = [item for item in waiting if item.patient_id in visible]
            gateway.audit_listed_ids(
                [(item.patient_id, item.organisation_id) for item in shown], object_type="agenda_item"
            )
            return render(
                request,
                "clinician/coordination/meeting_held.html",
                {
                    "meeting": found,
                    "items": shown,
                    "hidden": len(waiting) - len(shown),
                    "held_form": form,
                    "reasons": dict(ReviewReason.choices),
                    "tz": _tz(request),
                    "section": "case_review",
                },
            )
        try:
            with transaction.atomic():
                casereview.mark_held(
                    found,
                    notes=form.cleaned_data["notes"],
                    expected_version=form.cleaned_data["version"],
                    not_reached_confirmed=bool(form.cleaned_data["confirm"]),
                )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if waiting:
                messages.success(
                    request,
                    ngettext(
                        "The meeting is marked as held. The %(num)d patient not discussed is offered first when "
                        "the next meeting is prepared.",
                        "The meeting is marked as held. The %(num)d patients not discussed are offered first when "
                        "the next meeting is prepared.",
                        len(waiting),
                    )
                    % {"num": len(waiting)},
                )
            else:
                messages.success(request, _("The meeting is marked as held."))
    return redirect("clinician:meeting", meeting_id=found.id)


# --- case review: one patient on the agenda ---------------------------------------------------------------------


@route(Audience.CLINICIAN)
def agenda_item(request: HttpRequest, patient_id: str, item_id: str) -> HttpResponse:
    """The one-screen summary of the patient, the discussion, and decisions (tasks or a change to the plan)."""
    patient = gateway.open_patient(request, patient_id, object_type="agenda_item", object_id=str(item_id))
    item = selectors.item_of(patient.id, item_id)
    if item is None:
        raise Http404()
    tz = str(patient.organisation.time_zone)
    discussion = forms.DiscussionForm(
        request.POST or None,
        initial={"discussion": item.discussion, "plan_change": item.plan_change, "version": item.version},
    )
    status = 200
    if request.method == "POST" and discussion.is_valid():
        data = discussion.cleaned_data
        try:
            with transaction.atomic():
                casereview.record_discussion(
                    item,
                    discussion=data["discussion"],
                    plan_change=data["plan_change"],
                    by=request.user,
                    expected_version=data["version"],
                )
        except StaleEdit as error:
            discussion.add_error(None, error.message)
            item = error.current
            status = 409
        except DomainError as error:
            _apply_error(discussion, error)
        else:
            messages.success(
                request, _("The discussion is saved; the patient's case-review flag is closed as reviewed.")
            )
            return redirect(reverse("clinician:agenda_item", args=[patient.id, item.id]))
    team = _team(patient)
    decision = forms.DecisionForm(
        initial={
            "due_on": clock.local_date(clock.now(), tz) + timedelta(days=7),
            "priority": TaskPriority.ROUTINE,
            "assignee": _default_assignee(request.user, team),
        },
        staff=_staff(request),
        time_zone=tz,
        offered=team,
    )
    response = _item_page(request, patient, item, discussion=discussion, decision=decision)
    response.status_code = status
    return response


def _item_page(request: HttpRequest, patient: Any, item: Any, **forms_: Any) -> HttpResponse:
    return _chart(
        request,
        patient,
        "tasks",
        "clinician/coordination/agenda_item.html",
        item=item,
        summary=display.patient_summary(patient),
        decided=selectors.tasks_of_items([item.id]).get(item.id, []),
        reasons=dict(ReviewReason.choices),
        now=clock.now(),
        **forms_,
    )


@route(Audience.CLINICIAN)
@post_only
def decide_task(request: HttpRequest, patient_id: str, item_id: str) -> HttpResponse:
    patient = gateway.open_patient(
        request, patient_id, action=Action.UPDATE, object_type="agenda_item", object_id=str(item_id)
    )
    item = selectors.item_of(patient.id, item_id)
    if item is None:
        raise Http404()
    tz = str(patient.organisation.time_zone)
    decision = forms.DecisionForm(request.POST, staff=_staff(request), time_zone=tz, offered=_team(patient))
    if decision.is_valid():
        assignee, role = decision.chosen_assignee()
        try:
            with transaction.atomic():
                casereview.decide_task(
                    item,
                    title=decision.cleaned_data["title"],
                    details=decision.cleaned_data["details"],
                    due_at=decision.due_at(),
                    by=request.user,
                    assignee=assignee,
                    assignee_role=role,
                    priority=decision.cleaned_data["priority"],
                )
        except DomainError as error:
            _apply_error(decision, error)
        else:
            messages.success(request, _("The decision is a task now."))
            return redirect(reverse("clinician:agenda_item", args=[patient.id, item.id]) + "#decisions")
    discussion = forms.DiscussionForm(
        initial={"discussion": item.discussion, "plan_change": item.plan_change, "version": item.version}
    )
    response = _item_page(request, patient, item, discussion=discussion, decision=decision)
    response.status_code = 400
    return response


@route(Audience.CLINICIAN)
@post_only
def take_off_agenda(request: HttpRequest, patient_id: str, item_id: str) -> HttpResponse:
    patient = gateway.open_patient(
        request, patient_id, action=Action.UPDATE, object_type="agenda_item", object_id=str(item_id)
    )
    item = selectors.item_of(patient.id, item_id)
    if item is None:
        raise Http404()
    try:
        with transaction.atomic():
            casereview.take_off_agenda(item, expected_version=int(request.POST.get("version") or 0))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s is off this agenda; their case-review flag stays open for the next meeting.")
            % {"name": f"{patient.display_name} ({patient.record_number})"},
        )
    return redirect("clinician:meeting", meeting_id=item.meeting_id)


# --- escalation rules (read-only) -------------------------------------------------------------------------------


@route(Audience.STAFF)
def escalation_rules(request: HttpRequest) -> HttpResponse:
    """The clinic's rules and what they did lately (no patient named); administrators edit them in the admin."""
    user: Any = request.user
    return render(
        request,
        "clinician/coordination/rules.html",
        {
            "rules": [
                (rule, rule_kinds.describe(rule.kind, rule.parameters))
                for rule in selectors.rules_of(user.organisation_id)
            ],
            "firings": selectors.recent_firings(user.organisation_id),
            "tz": _tz(request),
            "section": "rules",
        },
    )
