from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "commonground.careplans"
    label = "careplans"
