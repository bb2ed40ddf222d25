from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save


class CoordinationConfig(AppConfig):
    name = "commonground.coordination"
    label = "coordination"

    def ready(self) -> None:
        from commonground.accounts.models import Organisation

        post_save.connect(_default_rules_for_new_clinic, sender=Organisation, dispatch_uid="coordination-rules")


def _default_rules_for_new_clinic(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """A new clinic starts with every escalation rule at its defaults (an administrator may change them)."""
    if created and not raw:
        from commonground.coordination.engine import ensure_default_rules

        ensure_default_rules(instance.id)
