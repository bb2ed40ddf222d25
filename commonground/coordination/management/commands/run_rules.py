"""`commonground run_rules`: run every clinic's escalation rules once now (the job does it every 15 minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from commonground.coordination import engine


class Command(BaseCommand):
    help = "Run every clinic's enabled escalation rules once (safe to run twice: each fires once per finding)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = engine.run_all()
        self.stdout.write(f"escalation rules: {result.fired} fired, {result.failed} failed")
        if result.failed:
            self.stderr.write("some firings failed; see the log (no clinical content is logged)")
