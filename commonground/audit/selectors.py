"""Reads of the audit trail: the privacy officer's report and a patient's "who looked at my record"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from commonground.audit.models import AuditEvent

REPORT_PAGE_SIZE = 100
PATIENT_PAGE_SIZE = 50
# Sorting only by these columns: the allow-list keeps user input out of SQL.
SORTABLE = (
    "id",
    "occurred_at",
    "actor_username",
    "actor_role",
    "action",
    "outcome",
    "patient_id",
    "object_type",
    "object_id",
    "client_address",
    "request_id",
    "break_glass_reason",
    "detail",
    "chain_index",
)


@dataclass
class Page:
    rows: list[Any]
    number: int
    has_more: bool


def _page(queryset: QuerySet[Any], number: int, size: int) -> Page:
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return Page(rows=rows[:size], number=number, has_more=len(rows) > size)


def report(*, organisation_id: UUID, start: datetime, end: datetime, sort: str = "-occurred_at", page: int = 1) -> Page:
    field = sort.lstrip("-")
    if field not in SORTABLE:
        sort = "-occurred_at"
    events = AuditEvent.objects.filter(organisation_id=organisation_id, occurred_at__gte=start, occurred_at__lt=end)
    return _page(events.order_by(sort, "id"), page, REPORT_PAGE_SIZE)


def report_rows(
    *, organisation_id: UUID, start: datetime, end: datetime, sort: str = "-occurred_at"
) -> QuerySet[AuditEvent]:
    field = sort.lstrip("-")
    if field not in SORTABLE:
        sort = "-occurred_at"
    return AuditEvent.objects.filter(
        organisation_id=organisation_id, occurred_at__gte=start, occurred_at__lt=end
    ).order_by(sort, "id")


def who_accessed(patient_id: UUID, *, page: int = 1) -> Page:
    events = AuditEvent.objects.filter(patient_id=patient_id).order_by("-occurred_at", "-id")
    return _page(events, page, PATIENT_PAGE_SIZE)
