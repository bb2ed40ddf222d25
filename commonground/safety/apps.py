from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "commonground.safety"
    label = "safety"
