from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "commonground.conversations"
    label = "conversations"
