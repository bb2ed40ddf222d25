"""The bench clinic's diaries are real diaries, and diary_submit's request is a valid entry.

Run with `.venv/bin/pytest benchmarks/tests` (the suite's `testpaths` leave the harness out). The first three
patients of a bench clinic are written into the test database by the builder's own writer, as the build does.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import translation

from benchmarks import clinic, clinic_diary, diary_submit, loader
from commonground.accounts.models import User
from commonground.audit.models import AuditEvent
from commonground.diary import selectors
from commonground.diary.models import DiaryEntry
from commonground.diary.services import patient_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def bench_diaries() -> list[Any]:
    """Patients 0-2 of a 240-patient bench clinic (all three keep a diary), bulk-written like the build."""
    plan = clinic.ClinicPlan(patients=240, now=datetime.now(UTC).replace(tzinfo=None), password_hash="!unusable")
    connection.ensure_connection()
    writer = loader.Writer(connection.vendor, connection.connection)
    for table, rows in clinic.organisation_and_staff(plan).items():
        writer.write(table, rows)
    rows_by_table = clinic.patient_rows(plan, 0, 3)
    for table in loader.ORDER:
        writer.write(table, rows_by_table.get(table, []))
    return diary_submit.writers()


def test_a_bench_diary_is_a_year_of_15_variables_the_selectors_read(bench_diaries: list[Any]) -> None:
    assert len(bench_diaries) == 3
    patient = bench_diaries[0]["patient"]
    assert User.objects.get(username=clinic_diary.username(0)).patient == patient
    definition = selectors.definition_of(selectors.set_up_of(patient))
    table = selectors.diary_table(patient)
    assert definition is not None and len(table.columns) == clinic_diary.VARIABLES == 15
    days = sorted(table.rows)
    assert 300 <= len(days) <= 365 and (days[-1] - days[0]).days <= 364
    assert days[-1] <= patient_today(patient) - timedelta(days=diary_submit.DAYS)  # the days it posts stay free
    ratings = [row[key] for row in table.rows.values() for key in definition.rating_keys if row.get(key) is not None]
    assert ratings and all(0 <= value <= 10 for value in ratings)
    entries = DiaryEntry.objects.filter(patient=patient).count()
    assert DiaryEntry.history.filter(patient_id=patient.id, history_type="+").count() == entries
    found = selectors.personal_patterns(table, definition, words=translation)
    assert found and all(pattern.finding.q_value <= 0.1 for pattern in found)


def test_the_submitted_body_is_a_valid_entry_for_each_day_it_posts(bench_diaries: list[Any]) -> None:
    writer = bench_diaries[1]
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = diary_submit.open_session(writer["user"])
    for day in diary_submit.days_of(writer["patient"]):
        form = diary_submit.typical_form(writer["definition"]) | {"submission_key": str(uuid.uuid4())}
        page = client.post(
            diary_submit.ENTRY_PATH.format(day=day.isoformat()),
            urlencode(form),
            content_type="application/x-www-form-urlencoded",
        )
        assert page.status_code == 302 and page["Location"].startswith(diary_submit.REDIRECT)
        entry = DiaryEntry.objects.get(patient=writer["patient"], day=day, kind="daily")
        assert len(entry.ratings) == 6 and entry.sleep_hours is not None and len(entry.activities) == 1
    assert AuditEvent.objects.filter(patient_id=writer["patient"].id, object_type="diary_entry").count() == 8
