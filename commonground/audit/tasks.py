"""Audit jobs for the task queue: sealing runs every minute."""

from __future__ import annotations

from commonground.audit.sealing import seal_pending


def seal_audit_events() -> int:
    return seal_pending().sealed
