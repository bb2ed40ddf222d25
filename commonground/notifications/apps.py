from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "commonground.notifications"
    label = "notifications"
