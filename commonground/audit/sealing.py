"""The sealing job: chains new audit events, one organisation's chain at a time.

Requests never wait on a chain head: they insert unsealed rows (protected by the triggers), and
this job, every minute, gives each new row its place in its chain and its hash.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from commonground.audit import chain
from commonground.audit.models import AuditEvent, ChainHead
from commonground.kit import clock


@dataclass
class SealResult:
    sealed: int
    chains: int


def seal_pending(batch_size: int | None = None) -> SealResult:
    """Seal every unsealed event. Safe to run twice or in two workers: heads are locked."""
    batch_size = batch_size or settings.AUDIT_SEAL_BATCH
    sealed = 0
    keys = _chains_with_pending_events()
    for key in keys:
        while True:
            count = _seal_batch(key, batch_size)
            sealed += count
            if count < batch_size:
                break
    return SealResult(sealed=sealed, chains=len(keys))


def _chains_with_pending_events() -> list[str]:
    org_ids = AuditEvent.objects.filter(row_hash__isnull=True).values_list("organisation_id", flat=True).distinct()
    return sorted({chain.chain_key(org_id) for org_id in org_ids})


def _pending(key: str) -> object:
    pending = AuditEvent.objects.filter(row_hash__isnull=True)
    if key == chain.SYSTEM_CHAIN:
        return pending.filter(organisation_id__isnull=True)
    return pending.filter(organisation_id=key)


SEAL_ROW = (
    "UPDATE audit_auditevent SET chain_index = %s, previous_hash = %s, row_hash = %s, sealed_at = %s "
    "WHERE id = %s AND row_hash IS NULL"
)


@transaction.atomic
def _seal_batch(key: str, batch_size: int) -> int:
    head, _ = ChainHead.objects.get_or_create(chain_key=key, defaults={"last_hash": chain.GENESIS})
    head = ChainHead.objects.select_for_update().get(pk=head.pk)
    rows = list(_pending(key).order_by("id").values(*chain.SEALED_FIELDS[:-1])[:batch_size])  # type: ignore[attr-defined]
    if not rows:
        return 0
    connection = transaction.get_connection()
    sealed_at = connection.ops.adapt_datetimefield_value(clock.now())
    previous = head.last_hash or chain.GENESIS
    index = head.last_index
    updates = []
    for row in rows:
        index += 1
        row["chain_index"] = index
        row_hash = chain.link_hash(previous, row)
        updates.append((index, previous, row_hash, sealed_at, row["id"]))
        previous = row_hash
    # Plain parameterised UPDATEs: the ORM's bulk_update builds a CASE per row and column, and that,
    # not the database, was almost all of the job's time (docs/benchmarks.md).
    with connection.cursor() as cursor:
        cursor.executemany(SEAL_ROW, updates)
    head.last_index = index
    head.last_hash = previous
    head.save(update_fields=["last_index", "last_hash", "updated_at"])
    return len(rows)
