"""The audit report for the privacy officer: a date range, sortable by every field, as a page or CSV."""

from __future__ import annotations

import csv
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from commonground.access.routes import Audience, route
from commonground.audit import selectors
from commonground.audit.choices import Action
from commonground.audit.forms import ReportForm
from commonground.audit.services import record_security_event
from commonground.kit import clock

CSV_COLUMNS = (
    "id",
    "occurred_at",
    "actor_username",
    "actor_role",
    "action",
    "outcome",
    "patient_id",
    "object_type",
    "object_id",
    "request_id",
    "client_address",
    "break_glass_reason",
    "detail",
    "chain_index",
)


def _range(form: ReportForm, time_zone: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(time_zone)
    start = datetime.combine(form.cleaned_data["start"], time.min, zone)
    end = datetime.combine(form.cleaned_data["end"] + timedelta(days=1), time.min, zone)
    return start, end


@route(Audience.PRIVACY_OFFICER)
def report(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    tz = user.organisation.time_zone
    today = clock.local_date(clock.now(), tz)
    form = ReportForm(request.GET or {"start": today - timedelta(days=7), "end": today, "sort": "-occurred_at"})
    page = None
    if form.is_valid():
        start, end = _range(form, tz)
        page = selectors.report(
            organisation_id=user.organisation_id,
            start=start,
            end=end,
            sort=form.cleaned_data["sort"] or "-occurred_at",
            page=form.cleaned_data["page"] or 1,
        )
    return render(request, "audit/report.html", {"form": form, "page": page, "tz": tz, "sortable": selectors.SORTABLE})


@route(Audience.PRIVACY_OFFICER)
def report_csv(request: HttpRequest) -> HttpResponseBase:
    user: Any = request.user
    form = ReportForm(request.GET)
    if not form.is_valid():
        return HttpResponse("Choose a valid date range.", status=400, content_type="text/plain")
    start, end = _range(form, user.organisation.time_zone)
    rows = selectors.report_rows(
        organisation_id=user.organisation_id, start=start, end=end, sort=form.cleaned_data["sort"] or "-occurred_at"
    )
    record_security_event(
        Action.EXPORT, object_type="audit_report", detail=f"{form.cleaned_data['start']}..{form.cleaned_data['end']}"
    )

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    lines = (
        writer.writerow([_safe(getattr(event, column)) for column in CSV_COLUMNS])
        for event in rows.iterator(chunk_size=2000)
    )
    header = iter([writer.writerow(CSV_COLUMNS)])
    response = StreamingHttpResponse((line for part in (header, lines) for line in part), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="audit-report.csv"'
    return response


def _safe(value: Any) -> str:
    """No spreadsheet formulas from the data (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
