"""`commonground audit seal|verify`."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.audit.sealing import seal_pending
from commonground.audit.verification import verify_all


class Command(BaseCommand):
    help = "Seal new audit events into their hash chains, or verify every chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["seal", "verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal":
            result = seal_pending()
            self.stdout.write(f"sealed {result.sealed} events in {result.chains} chains")
            return
        started = time.perf_counter()
        report = verify_all()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"checked {report.checked} sealed events in {report.chains} chains in {seconds:.2f} s; "
            f"{report.unsealed} events not sealed yet"
        )
        if not report.ok:
            for broken in report.broken:
                where = f"event {broken.event_id}" if broken.event_id else "a missing event"
                self.stderr.write(
                    f"BROKEN chain {broken.chain_key} at link {broken.chain_index} ({where}): {broken.reason}"
                )
            raise CommandError("the audit chain is broken")
        self.stdout.write("audit chain intact")
