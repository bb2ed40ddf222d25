"""`commonground demo seed`: load the synthetic demo clinic (safe to run twice) and print the logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.demo.seed import DEMO_PASSWORD, STAFF, load_demo_clinic, print_progress


class Command(BaseCommand):
    help = "Load the synthetic demo clinic."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["seed", "logins"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seed" and settings.ENVIRONMENT == "production":
            raise CommandError("The demo clinic has published passwords: it is never loaded in production.")
        if options["action"] == "seed":
            result = load_demo_clinic(progress=print_progress)
            if result.created:
                self.stdout.write(f"Loaded the demo clinic: {result.patients} patients, {result.staff} staff.")
            else:
                self.stdout.write(f"The demo clinic is already loaded ({result.patients} patients); nothing changed.")
        self.stdout.write(logins())


def logins() -> str:
    lines = ["", f"Demo logins (every password: {DEMO_PASSWORD})"]
    lines += [f"  {username:<13} {name}, {role.label}" for username, name, role, _ in STAFF]
    lines += [
        "  patient       Milan Koster (portal): questionnaires due now; a group with a partner",
        "  patient2      Joost Mulder (portal): Milan's partner in the group",
    ]
    return "\n".join(lines)
