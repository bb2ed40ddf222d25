from django.apps import AppConfig


class KitConfig(AppConfig):
    name = "commonground.kit"
    label = "kit"

    def ready(self) -> None:
        from commonground.kit.sqlite.base import connect_request_signals

        connect_request_signals()
