"""Optimistic locking for editable clinical records: no edit ever overwrites a newer one silently."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import F

from commonground.kit.errors import StaleEdit
from commonground.kit.models import ClinicalRecord, RecordStatus

RecordT = TypeVar("RecordT", bound=ClinicalRecord)


def save_edit(record: RecordT, *, expected_version: int, reason: str, changes: dict[str, Any]) -> RecordT:
    """Apply `changes` to `record` if nobody saved it since `expected_version`.

    The conditional UPDATE takes the row's write lock, so of two concurrent edits at the same
    version exactly one wins; the other gets `StaleEdit` carrying the newer record.
    """
    model = type(record)
    claimed = model._default_manager.filter(pk=record.pk, version=expected_version).update(version=F("version") + 1)
    if not claimed:
        raise StaleEdit(current=model._default_manager.get(pk=record.pk))
    for field, value in changes.items():
        setattr(record, field, value)
    record.version = expected_version + 1
    record._change_reason = reason  # type: ignore[attr-defined]  # read by simple-history
    record.save()
    return record


def mark_entered_in_error(record: RecordT, *, expected_version: int, reason: str) -> RecordT:
    """Entered in error replaces deletion: the record stays in the history, out of the clinic's view."""
    return save_edit(
        record,
        expected_version=expected_version,
        reason=reason,
        changes={"record_status": RecordStatus.ENTERED_IN_ERROR},
    )


def save_new(record: RecordT, *, reason: str) -> RecordT:
    record._change_reason = reason  # type: ignore[attr-defined]  # read by simple-history
    record.save()
    return record
