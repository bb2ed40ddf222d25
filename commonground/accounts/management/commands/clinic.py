"""`commonground clinic create`: a new clinic and its first administrator, on a fresh installation.

Common Ground has no superusers; this is how the first account comes to exist. The password is asked
for at the prompt (or read from COMMONGROUND_FIRST_ADMIN_PASSWORD for unattended set-ups).
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from commonground.accounts.choices import Role
from commonground.accounts.models import Organisation, User
from commonground.accounts.services import create_staff_account
from commonground.kit.clock import is_valid_time_zone


class Command(BaseCommand):
    help = "Create a clinic and its first administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create"])
        parser.add_argument("--name", required=True, help="the clinic's name")
        parser.add_argument("--slug", required=True, help="a short unique name, e.g. riverside")
        parser.add_argument("--time-zone", default="Europe/Amsterdam", help="IANA time zone, e.g. Europe/Amsterdam")
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-name", required=True)
        parser.add_argument("--admin-email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        if not is_valid_time_zone(options["time_zone"]):
            raise CommandError(f"Unknown time zone {options['time_zone']!r}")
        if Organisation.objects.filter(slug=options["slug"]).exists():
            raise CommandError(f"A clinic with the short name {options['slug']!r} exists already")
        if User.objects.filter(username=options["admin_username"].lower()).exists():
            raise CommandError(f"The username {options['admin_username']!r} is taken")
        password = os.getenv("COMMONGROUND_FIRST_ADMIN_PASSWORD") or getpass.getpass("Administrator's password: ")
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        with transaction.atomic():
            clinic = Organisation.objects.create(
                name=options["name"], slug=options["slug"], time_zone=options["time_zone"]
            )
            create_staff_account(
                organisation=clinic,
                username=options["admin_username"],
                display_name=options["admin_name"],
                role=Role.ADMINISTRATOR,
                email=options["admin_email"],
                password=password,
            )
        self.stdout.write(f"Created {clinic.name} and its administrator {options['admin_username']}.")
