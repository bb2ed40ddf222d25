"""Pure hashing of the audit chain: each sealed event's hash covers its fields and the previous hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

GENESIS = "0" * 64
SYSTEM_CHAIN = "system"

# The fields a seal covers, in a fixed order: every column except the seal columns themselves.
SEALED_FIELDS = (
    "id",
    "occurred_at",
    "organisation_id",
    "actor_id",
    "actor_username",
    "actor_role",
    "on_behalf_of_id",
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


def chain_key(organisation_id: Any) -> str:
    return str(organisation_id) if organisation_id else SYSTEM_CHAIN


def canonical(fields: Mapping[str, Any]) -> str:
    values = {name: _plain(fields[name]) for name in SEALED_FIELDS}
    return json.dumps(values, sort_keys=True, separators=(",", ":"))


def link_hash(previous_hash: str, fields: Mapping[str, Any]) -> str:
    payload = previous_hash + "|" + canonical(fields)
    return hashlib.sha256(payload.encode()).hexdigest()


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)
