"""Reads of alerts and crisis resources. Callers have opened the patient or scoped the list through the gateway."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from commonground.safety.choices import AlertStatus, Urgency
from commonground.safety.models import Alert, CrisisResource


def alerts_of(patient_id: Any) -> QuerySet[Alert]:
    """The patient's alerts, open ones first, newest first."""
    return (
        Alert.objects.current()
        .filter(patient_id=patient_id)
        .select_related("acknowledged_by")
        .order_by("-status", "-raised_at")  # "open" sorts after "acknowledged": reversed puts it first
    )


def alert_of(patient_id: Any, alert_id: Any) -> Alert | None:
    return Alert.objects.current().filter(patient_id=patient_id, pk=alert_id).first()


def open_alerts_for_staff(user: Any, patient_ids: QuerySet[Any]) -> QuerySet[Alert]:
    """Open alerts of the patients the user may see (`patient_ids` from the gateway), urgent first."""
    return (
        Alert.objects.current()
        .filter(status=AlertStatus.OPEN, patient_id__in=patient_ids)
        .select_related("patient")
        .order_by("-urgency", "raised_at")  # "urgent" > "routine"
    )


def open_alert_counts(patient_ids: list[Any]) -> dict[Any, Counter[str]]:
    """Per patient, open alerts by kind (one query)."""
    counts: dict[Any, Counter[str]] = {}
    rows = (
        Alert.objects.current()
        .filter(status=AlertStatus.OPEN, patient_id__in=patient_ids)
        .values_list("patient_id", "kind", "urgency")
    )
    for patient_id, kind, urgency in rows:
        bucket = counts.setdefault(patient_id, Counter())
        bucket[kind] += 1
        if urgency == Urgency.URGENT:
            bucket["urgent"] += 1
    return counts


FALLBACK_RESOURCES = (
    (_("Emergency services"), "112 / 911 / 999", "If you are in danger now, call your local emergency number."),
)


def crisis_resources(organisation_id: Any, language: str = "en") -> list[CrisisResource]:
    """The clinic's crisis resources in the patient's language (else English, else any it has)."""
    found = list(CrisisResource.objects.filter(organisation_id=organisation_id))
    for wanted in (language, "en"):
        chosen = [resource for resource in found if resource.language == wanted]
        if chosen:
            return chosen
    return found
