"""Base models every domain builds on: a uuid, timestamps, an owning organisation, a version for
optimistic locking, an *entered in error* state instead of deletion, and the record history."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import models
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords


class BaseModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)

    def _get_FIELD_display(self, field: Any) -> Any:
        """The label of a field's value, as Django's, from the field's labels gathered once: Django's makes
        every choice hashable and gathers them on every call, translating each label to hash it (about a
        tenth of a millisecond per call; a chart page calls it for every coded value it shows)."""
        value = getattr(self, field.attname)
        try:
            label = _choice_labels(field).get(value, value)
        except TypeError:  # a value that cannot be a key (a list in a JSON field): Django's way
            djangos: Any = super()
            return djangos._get_FIELD_display(field)
        return force_str(label, strings_only=True)


_labels: dict[Any, dict[Any, Any]] = {}


def _choice_labels(field: Any) -> dict[Any, Any]:
    """The field's values and their (lazy) labels; a field's choices are fixed when its class is made."""
    labels = _labels.get(field)
    if labels is None:
        labels = _labels[field] = dict(field.flatchoices)
    return labels


class RecordHistoryManager(HistoryManager):
    """simple-history's manager of a record's history (`record.history`), its class made once.

    simple-history makes a new manager class, with every queryset method copied onto it, each time
    `record.history` is read, and it reads it on every save to write the history row (a tenth of a
    millisecond per save, and a class per save for the garbage collector). The class depends only on the
    queryset class, so the one made first is kept."""

    @classmethod
    def from_queryset(cls, queryset_class: type[Any], class_name: str | None = None) -> type[Any]:
        key = (cls, queryset_class, class_name)
        made = _history_managers.get(key)
        if made is None:
            made = _history_managers[key] = super().from_queryset(queryset_class, class_name)
        return made


_history_managers: dict[tuple[Any, ...], type[Any]] = {}


class RecordStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENTERED_IN_ERROR = "entered_in_error", _("Entered in error")


class ClinicalRecordQuerySet(models.QuerySet[Any]):
    def current(self) -> ClinicalRecordQuerySet:
        """Records as the clinic sees them: everything not marked entered in error."""
        return self.exclude(record_status=RecordStatus.ENTERED_IN_ERROR)


class ClinicalRecord(BaseModel):
    """An editable clinical record: owned by one organisation, versioned, never deleted.

    Every save writes a history row (who, when, why); `version` guards against lost updates
    (see `kit.versioning`); a record entered by mistake is marked entered in error, not deleted.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+", db_index=True)
    version = models.PositiveIntegerField(default=1)
    record_status = models.CharField(max_length=20, choices=RecordStatus.choices, default=RecordStatus.ACTIVE)
    history = HistoricalRecords(inherit=True, cascade_delete_history=False, history_manager=RecordHistoryManager)

    objects: ClassVar[Any] = ClinicalRecordQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_entered_in_error(self) -> bool:
        return self.record_status == RecordStatus.ENTERED_IN_ERROR
