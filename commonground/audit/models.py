"""The audit trail: append-only (database triggers), hash-chained by a sealing job.

No foreign keys on purpose: an audit row outlives whatever it points at and is never joined
into clinical queries. Columns are plain ids and short words, never clinical content.
"""

from __future__ import annotations

from django.db import models

from commonground.audit.choices import Action, Outcome

SEAL_COLUMNS = ("chain_index", "previous_hash", "row_hash", "sealed_at")


class AuditEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(db_index=True)
    organisation_id = models.UUIDField(null=True, blank=True)
    actor_id = models.UUIDField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=40, blank=True)
    on_behalf_of_id = models.UUIDField(null=True, blank=True)
    action = models.CharField(max_length=30, choices=Action.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    patient_id = models.UUIDField(null=True, blank=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    client_address = models.CharField(max_length=64, blank=True)
    break_glass_reason = models.CharField(max_length=500, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    # Filled once by the sealing job, then frozen by the triggers.
    chain_index = models.BigIntegerField(null=True, blank=True)
    previous_hash = models.CharField(max_length=64, blank=True)
    row_hash = models.CharField(max_length=64, null=True, blank=True)
    sealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["patient_id", "occurred_at"], name="audit_patient_time"),
            models.Index(fields=["organisation_id", "chain_index"], name="audit_chain"),
            models.Index(fields=["id"], name="audit_unsealed", condition=models.Q(row_hash__isnull=True)),
        ]


class ChainHead(models.Model):
    """The last sealed link of one organisation's chain ("system" for events without one)."""

    chain_key = models.CharField(max_length=40, unique=True)
    last_index = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")
    updated_at = models.DateTimeField(auto_now=True)
