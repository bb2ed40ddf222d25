"""Coordination jobs for the task queue: the escalation rules, every 15 minutes.

Safe to run twice and from two workers at once: each rule fires at most once per thing it found (a unique
constraint on the firing), and each firing is its own transaction (see `engine`).
"""

from __future__ import annotations

from commonground.coordination import engine


def run_escalation_rules() -> int:
    """Every clinic's enabled escalation rules, once. Returns how many fired."""
    return engine.run_all().fired
