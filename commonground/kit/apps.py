from django.apps import AppConfig


class KitConfig(AppConfig):
    name = "commonground.kit"
    label = "kit"
