"""URLs of the patient's conversations pages."""

from django.urls import URLPattern, path

from commonground.portal import conversations_views as views

urlpatterns: list[URLPattern] = [
    path("messages/", views.my_messages, name="messages"),
    path("messages/new-count/", views.messages_badge, name="messages_badge"),
]
