from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "commonground.patients"
    label = "patients"
