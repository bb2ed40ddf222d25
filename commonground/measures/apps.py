from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "commonground.measures"
    label = "measures"
