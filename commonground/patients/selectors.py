"""Reads of the registry, for callers that have opened the patient through the access gateway."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet, UUIDField

from commonground.kit.models import RecordStatus
from commonground.kit.prepared import Param, PreparedRead
from commonground.patients.choices import ConsentScope
from commonground.patients.models import CareEpisode, Consent, Patient, PatientIdentifier, Supporter

LATEST_EPISODE = PreparedRead(
    lambda: CareEpisode.objects.current().filter(patient_id=Param("patient", UUIDField())).order_by("-started_on")[:1]
)
IDENTIFIERS = PreparedRead(
    lambda: PatientIdentifier.objects.current().filter(patient_id=Param("patient", UUIDField())).order_by("system")
)


def current_episode(patient: Patient) -> CareEpisode | None:
    """The latest episode of care (prepared, kit/prepared.py: every chart page shows it)."""
    found: CareEpisode | None = LATEST_EPISODE.first(patient=patient.id)
    return found


def episodes(patient: Patient) -> QuerySet[CareEpisode]:
    return CareEpisode.objects.current().filter(patient=patient).order_by("-started_on")


def weeks_in_care(episode: CareEpisode | None, today: date) -> int | None:
    if episode is None:
        return None
    end = episode.ended_on or today
    return max(0, (end - episode.started_on).days // 7)


def consents(patient: Patient) -> QuerySet[Consent]:
    return Consent.objects.current().filter(patient=patient).select_related("recorded_by").order_by("-given_at")


def has_consent(patient_id: Any, scope: str, scope_reference: str = "") -> bool:
    """Is a consent of this scope in force now? Withdrawal counts from the moment it is recorded."""
    found = Consent.objects.current().filter(patient_id=patient_id, scope=scope, withdrawn_at__isnull=True)
    if scope_reference:
        found = found.filter(scope_reference=scope_reference)
    return found.exists()


def supporters(patient: Patient) -> QuerySet[Supporter]:
    """Only supporters whose sharing consent is in force."""
    return (
        Supporter.objects.current()
        .filter(
            patient=patient,
            consent__withdrawn_at__isnull=True,
            consent__scope=ConsentScope.SUPPORTER_SHARING,
            consent__record_status=RecordStatus.ACTIVE,
        )
        .order_by("name")
    )


def identifiers(patient: Patient) -> list[PatientIdentifier]:
    """The patient's identifiers by system (prepared: the chart's overview shows them)."""
    return IDENTIFIERS.all(patient=patient.id)


def correctable_records(patient: Patient, kind: str) -> QuerySet[Any] | None:
    """The patient's records of one kind that may be marked entered in error (None: no such kind)."""
    models: dict[str, Any] = {
        "consent": Consent,
        "supporter": Supporter,
        "identifier": PatientIdentifier,
        "episode": CareEpisode,
    }
    model = models.get(kind)
    return None if model is None else model.objects.current().filter(patient=patient)


def record_history(patient: Patient, limit: int = 200) -> list[Any]:
    """Every change to the patient's own record, newest first: who, when, why."""
    return list(patient.history.select_related("history_user").order_by("-history_date")[:limit])
