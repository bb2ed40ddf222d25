"""Bulk writes of the synthetic clinic: PostgreSQL COPY, or SQLite executemany in one large transaction.

Rows come in as Python values (uuid.UUID, naive UTC datetimes, dates, bools, lists for JSON) and are
written the way Django stores them on each backend: on SQLite a UUIDField is 32-character hex and a
datetime is `YYYY-MM-DD HH:MM:SS[.ffffff]` in UTC; on PostgreSQL they are `uuid` and `timestamptz`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

# Column kinds: u uuid, s text, i integer, b boolean, t datetime (naive UTC), d date, h time, j JSON, n decimal.
RECORD = (("id", "u"), ("created_at", "t"), ("updated_at", "t"), ("version", "i"), ("record_status", "s"))
HISTORY = (("history_date", "t"), ("history_change_reason", "s"), ("history_type", "s"), ("history_user_id", "u"))

TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "accounts_organisation": (("id", "u"), ("name", "s"), ("slug", "s"), ("time_zone", "s"), ("created_at", "t")),
    "accounts_user": (
        ("id", "u"),
        ("password", "s"),
        ("last_login", "t"),
        ("is_superuser", "b"),
        ("username", "s"),
        ("display_name", "s"),
        ("email", "s"),
        ("kind", "s"),
        ("role", "s"),
        ("can_break_glass", "b"),
        ("is_active", "b"),
        ("is_staff", "b"),
        ("date_joined", "t"),
        ("deactivated_at", "t"),
        ("deactivated_reason", "s"),
        ("organisation_id", "u"),
    ),
    "patients_patient": (
        *RECORD,
        ("organisation_id", "u"),
        ("user_id", "u"),
        ("record_number", "s"),
        ("given_name", "s"),
        ("family_name", "s"),
        ("preferred_name", "s"),
        ("date_of_birth", "d"),
        ("sex", "s"),
        ("gender", "s"),
        ("preferred_language", "s"),
        ("education_level", "s"),
        ("email", "s"),
        ("phone", "s"),
        ("address", "s"),
        ("time_zone", "s"),
        ("main_symptoms", "j"),
        ("status", "s"),
    ),
    "patients_patientidentifier": (
        *RECORD,
        ("organisation_id", "u"),
        ("patient_id", "u"),
        ("system", "s"),
        ("value", "s"),
    ),
    "careteam_careteam": (
        *RECORD,
        ("organisation_id", "u"),
        ("patient_id", "u"),
        ("care_coordinator_id", "u"),
        ("responsible_clinician_id", "u"),
    ),
    "careteam_careteammember": (
        *RECORD,
        ("organisation_id", "u"),
        ("care_team_id", "u"),
        ("patient_id", "u"),
        ("staff_id", "u"),
        ("team_role", "s"),
        ("joined_at", "t"),
        ("left_at", "t"),
    ),
    "patients_careepisode": (
        *RECORD,
        ("organisation_id", "u"),
        ("patient_id", "u"),
        ("started_on", "d"),
        ("ended_on", "d"),
        ("reason_for_care", "s"),
        ("end_reason", "s"),
    ),
    "patients_consent": (
        *RECORD,
        ("organisation_id", "u"),
        ("patient_id", "u"),
        ("scope", "s"),
        ("scope_reference", "s"),
        ("text_version", "s"),
        ("given_at", "t"),
        ("withdrawn_at", "t"),
        ("recorded_by_id", "u"),
        ("withdrawal_note", "s"),
    ),
    "patients_supporter": (
        *RECORD,
        ("organisation_id", "u"),
        ("patient_id", "u"),
        ("consent_id", "u"),
        ("name", "s"),
        ("relationship", "s"),
        ("phone", "s"),
        ("email", "s"),
    ),
    "measures_measurementplan": (
        *RECORD,
        ("organisation_id", "u"),
        ("patient_id", "u"),
        ("instruments", "j"),
        ("starts_on", "d"),
        ("interval_weeks", "i"),
        ("at_end_of_therapy", "b"),
        ("follow_up_months", "i"),
        ("created_by_id", "u"),
    ),
    "measures_scheduledmeasure": (
        *RECORD,
        ("organisation_id", "u"),
        ("patient_id", "u"),
        ("plan_id", "u"),
        ("instrument", "s"),
        ("occasion", "s"),
        ("due_on", "d"),
        ("status", "s"),
        ("completed_at", "t"),
        ("requested_by_id", "u"),
    ),
    "measures_response": (
        *RECORD,
        ("organisation_id", "u"),
        ("patient_id", "u"),
        ("instrument", "s"),
        ("instrument_version", "s"),
        ("scheduled_id", "u"),
        ("submission_key", "u"),
        ("battery", "s"),
        ("status", "s"),
        ("mode", "s"),
        ("entered_by_id", "u"),
        ("language", "s"),
        ("answers", "j"),
        ("started_at", "t"),
        ("completed_at", "t"),
        ("scorable", "b"),
        ("total", "n"),
        ("total_unrounded", "n"),
        ("band", "s"),
        ("flags", "j"),
        ("unscorable_reason", "s"),
        ("sex_used", "s"),
    ),
    "safety_alert": (
        *RECORD,
        ("organisation_id", "u"),
        ("patient_id", "u"),
        ("kind", "s"),
        ("urgency", "s"),
        ("summary", "s"),
        ("source_type", "s"),
        ("source_id", "s"),
        ("raised_at", "t"),
        ("status", "s"),
        ("acknowledged_by_id", "u"),
        ("acknowledged_at", "t"),
        ("acknowledgement_note", "s"),
        ("escalation_level", "i"),
        ("escalated_at", "t"),
    ),
    "safety_alertrecipient": (
        ("id", "u"),
        ("created_at", "t"),
        ("updated_at", "t"),
        ("alert_id", "u"),
        ("staff_id", "u"),
        ("level", "i"),
    ),
    "coordination_casereviewflag": (
        *RECORD,
        ("organisation_id", "u"),
        ("patient_id", "u"),
        ("reason", "s"),
        ("note", "s"),
        ("flagged_by_id", "u"),
        ("flagged_at", "t"),
        ("status", "s"),
        ("closed_at", "t"),
    ),
    "diary_diarysetup": (
        *RECORD,
        ("organisation_id", "u"),
        ("patient_id", "u"),
        ("current_id", "u"),
        ("shared_parts", "j"),
        ("reminder_at", "h"),
        ("quiet_from", "h"),
        ("quiet_until", "h"),
        ("started_on", "d"),
    ),
    "diary_diaryversion": (
        ("id", "u"),
        ("created_at", "t"),
        ("updated_at", "t"),
        ("set_up_id", "u"),
        ("number", "i"),
        ("definition", "j"),
        ("reason", "s"),
        ("made_by_id", "u"),
    ),
    "diary_diaryentry": (
        *RECORD,
        ("organisation_id", "u"),
        ("patient_id", "u"),
        ("made_with_id", "u"),
        ("kind", "s"),
        ("day", "d"),
        ("recorded_at", "t"),
        ("late", "b"),
        ("ratings", "j"),
        ("sleep_hours", "n"),
        ("sleep_quality", "i"),
        ("activities", "j"),
        ("rest_breaks", "i"),
        ("practice", "j"),
        ("triggers", "j"),
        ("warning_signs", "j"),
        ("small_win", "s"),
        ("note", "s"),
        ("submission_key", "u"),
    ),
    "audit_auditevent": (
        ("occurred_at", "t"),
        ("organisation_id", "u"),
        ("actor_id", "u"),
        ("actor_username", "s"),
        ("actor_role", "s"),
        ("on_behalf_of_id", "u"),
        ("action", "s"),
        ("outcome", "s"),
        ("patient_id", "u"),
        ("object_type", "s"),
        ("object_id", "s"),
        ("request_id", "s"),
        ("client_address", "s"),
        ("break_glass_reason", "s"),
        ("detail", "s"),
        ("chain_index", "i"),
        ("previous_hash", "s"),
        ("row_hash", "s"),
        ("sealed_at", "t"),
    ),
}

# simple-history's tables: the record's columns (foreign keys as plain ids) and the history columns.
HISTORICAL = {
    "patients_patient": "patients_historicalpatient",
    "patients_patientidentifier": "patients_historicalpatientidentifier",
    "careteam_careteam": "careteam_historicalcareteam",
    "careteam_careteammember": "careteam_historicalcareteammember",
    "patients_careepisode": "patients_historicalcareepisode",
    "patients_consent": "patients_historicalconsent",
    "patients_supporter": "patients_historicalsupporter",
    "measures_measurementplan": "measures_historicalmeasurementplan",
    "measures_response": "measures_historicalresponse",
    "safety_alert": "safety_historicalalert",
    "coordination_casereviewflag": "coordination_historicalcasereviewflag",
    "diary_diarysetup": "diary_historicaldiarysetup",
    "diary_diaryentry": "diary_historicaldiaryentry",
}
for _record_table, _history_table in HISTORICAL.items():
    TABLES[_history_table] = (*TABLES[_record_table], *HISTORY)

# The order that satisfies every foreign key (both backends defer them to commit, but keep it tidy).
ORDER = (
    "accounts_organisation",
    "accounts_user",
    "patients_patient",
    "patients_patientidentifier",
    "careteam_careteam",
    "careteam_careteammember",
    "patients_careepisode",
    "patients_consent",
    "patients_supporter",
    "measures_measurementplan",
    "measures_scheduledmeasure",
    "measures_response",
    "safety_alert",
    "safety_alertrecipient",
    "coordination_casereviewflag",
    "diary_diarysetup",
    "diary_diaryversion",
    "diary_diaryentry",
    *HISTORICAL.values(),
    "audit_auditevent",
)

Converter = Callable[[Any], Any]


def _sqlite_datetime(value: datetime) -> str:
    return str(value)  # Django's own form: str() of the naive UTC datetime


def _postgres_datetime(value: datetime) -> str:
    return f"{value.isoformat(sep=' ')}+00:00"


def _json(value: Any) -> str:
    return json.dumps(value)


def _hex(value: uuid.UUID) -> str:
    return value.hex


def _bool_int(value: bool) -> int:
    return int(value)


def _same(value: Any) -> Any:
    return value


def _iso(value: date | time) -> str:
    return value.isoformat()  # a date, or a time as Django stores it on both backends (HH:MM:SS)


def _decimal(value: Decimal) -> str:
    return str(value)  # SQLite's NUMERIC affinity and PostgreSQL's numeric both read the text exactly


CONVERTERS: dict[str, dict[str, Converter]] = {
    "sqlite": {
        "u": _hex,
        "s": _same,
        "i": _same,
        "b": _bool_int,
        "t": _sqlite_datetime,
        "d": _iso,
        "h": _iso,
        "j": _json,
        "n": _decimal,
    },
    "postgresql": {
        "u": str,
        "s": _same,
        "i": _same,
        "b": _same,
        "t": _postgres_datetime,
        "d": _iso,
        "h": _iso,
        "j": _json,
        "n": _decimal,
    },
}


def history_row(row: Sequence[Any], reason: str, user_id: uuid.UUID | None) -> tuple[Any, ...]:
    """The creation row simple-history writes for a new record ('+', at the record's creation time)."""
    created_at = row[1]
    return (*row, created_at, reason, "+", user_id)


class Writer:
    """Writes rows table by table into one open transaction of a plain driver connection."""

    def __init__(self, backend: str, connection: Any) -> None:
        self.backend = backend
        self.connection = connection
        self.counts: dict[str, int] = {}
        self._converters = {
            table: [CONVERTERS[backend][kind] for _, kind in columns] for table, columns in TABLES.items()
        }

    def write(self, table: str, rows: Iterable[Sequence[Any]]) -> int:
        converters = self._converters[table]
        converted = [
            tuple(None if value is None else convert(value) for convert, value in zip(converters, row, strict=True))
            for row in rows
        ]
        if not converted:
            return 0
        columns = [name for name, _ in TABLES[table]]
        if self.backend == "sqlite":
            marks = ", ".join("?" for _ in columns)
            self.connection.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", converted)  # noqa: S608
        else:
            with (
                self.connection.cursor() as cursor,
                cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in converted:
                    copy.write_row(row)
        self.counts[table] = self.counts.get(table, 0) + len(converted)
        return len(converted)
