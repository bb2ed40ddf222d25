from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "commonground.coordination"
    label = "coordination"
