"""The relationships that let a person see a patient's data, declared by the domains that own them.

The care team is the default. Later domains declare narrower ones (a group facilitator and the group's
members, a peer partner, a researcher on pseudonymised data) with `register`, and routes name the
relationships they accept; the gateway itself never changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class Relationship:
    name: str
    description: str
    # May this user see this patient's data now?
    allows: Callable[[Any, UUID], bool]
    # The ids of every patient this user may see now, as a subquery (for lists).
    patient_ids: Callable[[Any], Any]


_registry: dict[str, Relationship] = {}

CARE_TEAM = "care_team"
# The patient themselves. Not a registered relationship: the gateway checks it, on routes that accept it.
SELF = "self"


def register(relationship: Relationship) -> None:
    _registry[relationship.name] = relationship


def get(name: str) -> Relationship:
    try:
        return _registry[name]
    except KeyError:
        # Fail closed: an unknown relationship is a programming error, never an open door.
        raise LookupError(f"No relationship named {name!r} is registered") from None


def registered() -> list[Relationship]:
    return list(_registry.values())
