"""What the clinician's pages show, composed from the domains' selectors and the access gateway."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from commonground.access import gateway
from commonground.patients.models import CareEpisode, Patient

CASELOAD_PAGE_SIZE = 200


@dataclass(frozen=True)
class ChartTab:
    key: str
    label: str
    url_name: str


def chart_tabs() -> list[ChartTab]:
    """The chart's tabs. Later domains (measures, goals, diary, plan, notes, safety) add theirs here."""
    return [
        ChartTab("overview", _("Overview"), "clinician:chart"),
        ChartTab("team", _("Care team"), "clinician:care_team"),
        ChartTab("consents", _("Consents and supporters"), "clinician:consents"),
        ChartTab("history", _("Record history"), "clinician:history"),
    ]


@dataclass(frozen=True)
class CaseloadRow:
    patient: Patient
    age: int
    weeks_in_care: int | None


def caseload(request: Any, *, today: date, search: str = "", coordinating_only: bool = False) -> list[CaseloadRow]:
    """The patients on the user's care teams, with what the list shows, in a fixed number of queries.

    Every patient listed is audited (one bulk insert).
    """
    episodes = CareEpisode.objects.current().filter(patient=OuterRef("pk")).order_by("-started_on")
    patients: QuerySet[Patient] = (
        gateway.visible_patients(request)
        .select_related("care_team__care_coordinator")
        .annotate(episode_started_on=Subquery(episodes.values("started_on")[:1]))
        .annotate(episode_ended_on=Subquery(episodes.values("ended_on")[:1]))
        .order_by("family_name", "given_name")
    )
    if coordinating_only:
        patients = patients.filter(care_team__care_coordinator_id=request.user.id)
    if search:
        patients = patients.filter(
            Q(family_name__icontains=search) | Q(given_name__icontains=search) | Q(record_number__iexact=search)
        )
    found = list(patients[:CASELOAD_PAGE_SIZE])
    gateway.audit_listed(found)
    return [
        CaseloadRow(
            patient=patient,
            age=patient.age_on(today),
            weeks_in_care=weeks_since(
                getattr(patient, "episode_started_on", None), getattr(patient, "episode_ended_on", None), today
            ),
        )
        for patient in found
    ]


def weeks_since(started: date | None, ended: date | None, today: date) -> int | None:
    if started is None:
        return None
    return max(0, ((ended or today) - started).days // 7)
