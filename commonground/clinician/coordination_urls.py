"""URLs of the clinician's coordination pages (kept apart so the chart shell's urls.py stays short)."""

from django.urls import URLPattern, path

from commonground.clinician import coordination_views as views

PATIENT = "patients/<uuid:patient_id>/"
MEETING = "case-review/<uuid:meeting_id>/"

urlpatterns: list[URLPattern] = [
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/overdue-count/", views.tasks_badge, name="tasks_badge"),
    path("tasks/new/", views.new_unlinked_task, name="new_unlinked_task"),
    path("tasks/<uuid:task_id>/move/", views.move_task, name="move_task"),
    path("tasks/<uuid:task_id>/hand-on/", views.hand_on_task, name="hand_on_task"),
    path(PATIENT + "tasks/", views.patient_tasks, name="patient_tasks"),
    path(PATIENT + "tasks/new/", views.new_task, name="new_task"),
    path("case-review/", views.meetings, name="meetings"),
    path(MEETING, views.meeting, name="meeting"),
    path(MEETING + "prepare/", views.prepare_meeting, name="prepare_meeting"),
    path(MEETING + "attendance/", views.meeting_attendance, name="meeting_attendance"),
    path(MEETING + "held/", views.meeting_held, name="meeting_held"),
    path(PATIENT + "case-review/<uuid:item_id>/", views.agenda_item, name="agenda_item"),
    path(PATIENT + "case-review/<uuid:item_id>/decide/", views.decide_task, name="decide_task"),
    path(PATIENT + "case-review/<uuid:item_id>/take-off/", views.take_off_agenda, name="take_off_agenda"),
    path("rules/", views.escalation_rules, name="escalation_rules"),
]
