"""Every clinical record's history (`record.history`) is simple-history's, its manager class made once."""

from __future__ import annotations

from typing import Any

from django.apps import apps

from commonground.kit.models import ClinicalRecord, RecordHistoryManager
from commonground.patients import services
from commonground.patients.models import Patient


def test_every_clinical_record_keeps_one_history_manager_class() -> None:
    records = [model for model in apps.get_models() if issubclass(model, ClinicalRecord)]
    assert len(records) > 20
    for model in records:
        recorded: Any = model  # `history` is added to each model class by simple-history
        first, second = recorded.history, recorded.history
        assert isinstance(first, RecordHistoryManager), model
        assert type(first) is type(second), model
        assert first.model is second.model and first.model is not model


def test_each_record_reads_its_own_history(patient_record, clinic) -> None:
    other = services.register_patient(
        organisation=clinic,
        details={"given_name": "Other", "family_name": "Person", "date_of_birth": patient_record.date_of_birth},
    )
    services.update_patient(patient_record, expected_version=1, changes={"phone": "+31 6 1234"}, reason="New number")
    mine, theirs = Patient.objects.get(pk=patient_record.pk), Patient.objects.get(pk=other.pk)
    assert type(mine.history) is type(theirs.history)
    assert [row.history_change_reason for row in mine.history.order_by("history_date")][-1] == "New number"
    assert mine.history.count() == 2 and theirs.history.count() == 1
    assert {row.id for row in theirs.history.all()} == {other.id}
    patients: Any = Patient
    assert patients.history.filter(id__in=[mine.id, theirs.id]).count() == 3
