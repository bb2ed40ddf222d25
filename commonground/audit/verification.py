"""`commonground audit verify`: walk every chain and report the first broken link."""

from __future__ import annotations

from dataclasses import dataclass, field

from commonground.audit import chain
from commonground.audit.models import AuditEvent, ChainHead


@dataclass
class BrokenLink:
    chain_key: str
    chain_index: int
    event_id: int | None
    reason: str


@dataclass
class VerifyReport:
    checked: int = 0
    unsealed: int = 0
    chains: int = 0
    broken: list[BrokenLink] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken


def verify_all(chunk_size: int = 5000) -> VerifyReport:
    """Every chain that has sealed events or a head is checked: deleting a head cannot hide a chain."""
    report = VerifyReport(unsealed=AuditEvent.objects.filter(row_hash__isnull=True).count())
    heads = {head.chain_key: head for head in ChainHead.objects.all()}
    sealed_org_ids = (
        AuditEvent.objects.filter(row_hash__isnull=False).values_list("organisation_id", flat=True).distinct()
    )
    keys = sorted(set(heads) | {chain.chain_key(org_id) for org_id in sealed_org_ids})
    for key in keys:
        report.chains += 1
        head = heads.get(key)
        if head is None:
            report.broken.append(BrokenLink(key, 0, None, "the chain's head is missing (deleted?)"))
            continue
        broken = _verify_chain(head, report, chunk_size)
        if broken:
            report.broken.append(broken)
    return report


def _sealed_rows(key: str) -> object:
    sealed = AuditEvent.objects.filter(row_hash__isnull=False)
    if key == chain.SYSTEM_CHAIN:
        return sealed.filter(organisation_id__isnull=True)
    return sealed.filter(organisation_id=key)


def _verify_chain(head: ChainHead, report: VerifyReport, chunk_size: int) -> BrokenLink | None:
    previous = chain.GENESIS
    expected_index = 0
    rows = (
        _sealed_rows(head.chain_key)  # type: ignore[attr-defined]
        .order_by("chain_index")
        .values(*chain.SEALED_FIELDS, "previous_hash", "row_hash")
        .iterator(chunk_size=chunk_size)
    )
    for row in rows:
        expected_index += 1
        report.checked += 1
        if row["chain_index"] != expected_index:
            return BrokenLink(head.chain_key, expected_index, None, "a sealed event is missing (deleted?)")
        if row["previous_hash"] != previous:
            return BrokenLink(head.chain_key, expected_index, row["id"], "the link to the previous event was changed")
        if chain.link_hash(previous, row) != row["row_hash"]:
            return BrokenLink(head.chain_key, expected_index, row["id"], "the event was changed after sealing")
        previous = row["row_hash"]
    if expected_index != head.last_index or previous != (head.last_hash or chain.GENESIS):
        return BrokenLink(head.chain_key, expected_index + 1, None, "the newest sealed events are missing (deleted?)")
    return None
