from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "commonground.notes"
    label = "notes"
