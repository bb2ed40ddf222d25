"""URLs of the clinician's conversations pages (kept apart so the chart shell's urls.py stays short)."""

from django.urls import URLPattern, path

from commonground.clinician import conversations_views as views

MESSAGES = "patients/<uuid:patient_id>/messages/"

urlpatterns: list[URLPattern] = [
    path("messages/", views.inbox, name="messages_inbox"),
    path("messages/unread-count/", views.messages_badge, name="messages_badge"),
    path(MESSAGES, views.messages_tab, name="messages"),
    path(MESSAGES + "to-patient/", views.reply_to_patient, name="reply_to_patient"),
    path(MESSAGES + "threads/new/", views.new_thread, name="new_message_thread"),
    path(MESSAGES + "threads/<uuid:thread_id>/", views.thread, name="message_thread"),
    path(MESSAGES + "<uuid:message_id>/in-error/", views.message_in_error, name="message_in_error"),
]
