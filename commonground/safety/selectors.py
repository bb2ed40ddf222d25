"""Reads of alerts and crisis resources. Callers have opened the patient or scoped the list through the gateway."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from commonground.accounts.choices import CLINICAL_ROLES
from commonground.kit import clock
from commonground.kit.models import RecordStatus
from commonground.safety.choices import AlertStatus, EscalationLevel, Urgency
from commonground.safety.models import Alert, AlertRecipient, AlertStep, CrisisResource, SafetyPlan, SafetyPlanVersion

RECIPIENT_ACCESS_AFTER_ACKNOWLEDGEMENT = timedelta(hours=24)


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
    """Open alerts of the patients the user may see (`patient_ids` from the gateway): urgent first, then the
    oldest first (the one waiting longest is the most overdue)."""
    return (
        Alert.objects.current()
        .filter(status=AlertStatus.OPEN, patient_id__in=patient_ids)
        .select_related("patient")
        .prefetch_related(Prefetch("recipients", queryset=AlertRecipient.objects.select_related("staff")))
        .order_by("-urgency", "raised_at")  # "urgent" > "routine"
    )


def recently_acknowledged(patient_ids: QuerySet[Any], *, since: datetime, limit: int = 30) -> list[Alert]:
    """Alerts of the patients the user may see acknowledged since `since`, newest first: who, when, what."""
    return list(
        Alert.objects.current()
        .filter(status=AlertStatus.ACKNOWLEDGED, patient_id__in=patient_ids, acknowledged_at__gte=since)
        .select_related("patient", "acknowledged_by")
        .order_by("-acknowledged_at")[:limit]
    )


def open_urgent_alerts(organisation_id: Any) -> list[Alert]:
    """The clinic's open urgent alerts, oldest first, for the rules engine to send on (decision 0019):
    each with `escalation_level`, `raised_at` and `escalated_at`."""
    return list(
        Alert.objects.current()
        .filter(organisation_id=organisation_id, status=AlertStatus.OPEN, urgency=Urgency.URGENT)
        .order_by("raised_at")
    )


def steps_of(alert: Alert) -> list[AlertStep]:
    return list(alert.steps.select_related("by").order_by("at", "created_at"))


def is_recent_alert_recipient(user: Any, patient_id: Any) -> bool:
    """Someone an alert of this patient was sent on to (the on-call clinician, say) may open that alert and
    the patient's safety plan while it is open and for a day after it was acknowledged (decision 0019)."""
    return _recipient_places(user).filter(alert__patient_id=patient_id).exists()


def patients_of_alert_recipient(user: Any) -> QuerySet[Any]:
    return _recipient_places(user).values("alert__patient_id")


def _recipient_places(user: Any) -> QuerySet[AlertRecipient]:
    if user.role not in CLINICAL_ROLES:
        return AlertRecipient.objects.none()
    since = clock.now() - RECIPIENT_ACCESS_AFTER_ACKNOWLEDGEMENT
    return AlertRecipient.objects.filter(
        staff_id=user.id, level__gte=EscalationLevel.RESPONSIBLE_CLINICIAN, alert__record_status=RecordStatus.ACTIVE
    ).filter(Q(alert__status=AlertStatus.OPEN) | Q(alert__acknowledged_at__gte=since))


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


# --- safety plans --------------------------------------------------------------------------------------------


def safety_plan_of(patient_id: Any) -> SafetyPlan | None:
    return SafetyPlan.objects.current().filter(patient_id=patient_id).first()


def current_version(plan: SafetyPlan | None) -> SafetyPlanVersion | None:
    """The version the patient sees: the plan's current one."""
    if plan is None:
        return None
    return plan.versions.select_related("saved_by").filter(number=plan.version).first()


def versions_of(plan: SafetyPlan) -> list[SafetyPlanVersion]:
    return list(plan.versions.select_related("saved_by").order_by("-number"))


def version_of(plan: SafetyPlan, number: int) -> SafetyPlanVersion | None:
    return plan.versions.select_related("saved_by").filter(number=number).first()


def patient_id_of_alert(alert_id: Any) -> Any:
    """Whose alert this is (a current one), for the API to open that patient through the gateway."""
    return Alert.objects.current().filter(pk=alert_id).values_list("patient_id", flat=True).first()


def alerts_of_kind_since(organisation_id: Any, kind: str, *, since: datetime) -> QuerySet[Alert]:
    """The clinic's alerts of one kind raised since a time, open or not, of patients whose record is active,
    oldest first, with the patient joined (for the escalation rules engine)."""
    return (
        Alert.objects.current()
        .filter(organisation_id=organisation_id, kind=kind, raised_at__gte=since)
        .filter(patient__record_status=RecordStatus.ACTIVE)
        .select_related("patient")
        .order_by("raised_at")
    )
