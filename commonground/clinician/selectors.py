"""What the clinician's pages show, composed from the domains' selectors and the access gateway."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from commonground.access import gateway
from commonground.kit import clock
from commonground.kit.urls import url_for_each
from commonground.patients.choices import PatientStatus
from commonground.patients.models import CareEpisode, age_on

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
        ChartTab("measures", _("Measures"), "clinician:measures"),
        ChartTab("goals", _("Goals"), "clinician:goals"),
        ChartTab("care_plan", _("Care plan"), "clinician:care_plan"),
        ChartTab("safety_plan", _("Safety plan"), "clinician:safety_plan"),
        ChartTab("diary", _("Diary"), "clinician:diary"),
        ChartTab("notes", _("Notes"), "clinician:notes"),
        ChartTab("tasks", _("Tasks"), "clinician:patient_tasks"),
        ChartTab("messages", _("Messages"), "clinician:messages"),
        ChartTab("referrals", _("Referrals"), "clinician:referrals"),
        ChartTab("groups", _("Groups"), "clinician:patient_groups"),
        ChartTab("team", _("Care team"), "clinician:care_team"),
        ChartTab("consents", _("Consents and supporters"), "clinician:consents"),
        ChartTab("history", _("Record history"), "clinician:history"),
    ]


@dataclass(frozen=True)
class CaseloadRow:
    """One line of the caseload: only what the list shows (no model objects, no per-row lookups)."""

    id: UUID
    chart_url: str
    record_number: str
    name: str
    age: int
    status: str
    status_label: str
    weeks_in_care: int | None
    coordinator: str
    main_symptoms: list[str]


CASELOAD_COLUMNS = (
    "id",
    "organisation_id",
    "record_number",
    "family_name",
    "given_name",
    "preferred_name",
    "date_of_birth",
    "status",
    "main_symptoms",
    "care_team__care_coordinator__display_name",
    "episode_started_on",
    "episode_ended_on",
    "organisation__time_zone",
)


def caseload(request: Any, *, search: str = "", coordinating_only: bool = False) -> list[CaseloadRow]:
    """The patients on the user's care teams, with what the list shows, in one query.

    Ages and weeks in care are counted to the clinic's day; its time zone comes joined to the rows (every
    patient listed is of the user's clinic), not from a query of its own. Every patient listed is audited
    (one bulk insert).
    """
    episodes = CareEpisode.objects.current().filter(patient=OuterRef("pk")).order_by("-started_on")
    patients = (
        gateway.visible_patients(request)
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
    found = list(patients.values(*CASELOAD_COLUMNS)[:CASELOAD_PAGE_SIZE])
    if not found:
        return []
    gateway.audit_listed_ids([(row["id"], row["organisation_id"]) for row in found])
    today = clock.local_date(clock.now(), str(found[0]["organisation__time_zone"]))
    chart_url = url_for_each("clinician:chart")  # one reverse for 120 rows
    labels = {value: str(label) for value, label in PatientStatus.choices}  # translated once, not per row
    return [
        CaseloadRow(
            id=row["id"],
            chart_url=chart_url(row["id"]),
            record_number=row["record_number"],
            name=f"{row['family_name']}, {row['preferred_name'] or row['given_name']}",
            age=age_on(row["date_of_birth"], today),
            status=row["status"],
            status_label=labels.get(row["status"], row["status"]),
            weeks_in_care=weeks_since(row["episode_started_on"], row["episode_ended_on"], today),
            coordinator=row["care_team__care_coordinator__display_name"] or "",
            main_symptoms=row["main_symptoms"] or [],
        )
        for row in found
    ]


def weeks_since(started: date | None, ended: date | None, today: date) -> int | None:
    if started is None:
        return None
    return max(0, ((ended or today) - started).days // 7)
