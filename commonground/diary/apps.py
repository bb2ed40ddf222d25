from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "commonground.diary"
    label = "diary"
