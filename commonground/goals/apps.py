from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "commonground.goals"
    label = "goals"
