from django.apps import AppConfig


class ClinicianConfig(AppConfig):
    name = "commonground.clinician"
    label = "clinician"
