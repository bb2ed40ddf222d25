"""Setting up a clinic from the command line; the daily clean-up of sessions and sign-in failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from commonground.accounts.models import Organisation, User, UserSession
from commonground.accounts.tasks import clear_expired_sessions
from commonground.kit import clock
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


def test_clinic_create_makes_the_clinic_and_its_administrator(monkeypatch):
    monkeypatch.setenv("COMMONGROUND_FIRST_ADMIN_PASSWORD", "a long passphrase for the first admin")
    call_command(
        "clinic",
        "create",
        "--name",
        "Example",
        "--slug",
        "example",
        "--admin-username",
        "Alex",
        "--admin-name",
        "Alex Example",
    )
    admin = User.objects.get(username="alex")
    assert admin.role == "administrator" and admin.organisation == Organisation.objects.get(slug="example")
    assert admin.check_password("a long passphrase for the first admin")


def test_clinic_create_refuses_a_weak_password_and_saves_nothing(monkeypatch):
    monkeypatch.setenv("COMMONGROUND_FIRST_ADMIN_PASSWORD", "short")
    with pytest.raises(CommandError):
        call_command(
            "clinic",
            "create",
            "--name",
            "Example",
            "--slug",
            "example",
            "--admin-username",
            "alex",
            "--admin-name",
            "A",
        )
    assert not Organisation.objects.filter(slug="example").exists()


def test_clinic_create_refuses_an_unknown_time_zone(monkeypatch):
    monkeypatch.setenv("COMMONGROUND_FIRST_ADMIN_PASSWORD", "a long passphrase for the first admin")
    with pytest.raises(CommandError, match="time zone"):
        call_command(
            "clinic",
            "create",
            "--name",
            "E",
            "--slug",
            "e",
            "--admin-username",
            "a",
            "--admin-name",
            "A",
            "--time-zone",
            "Mars/Olympus",
        )


def test_expired_sessions_are_cleared(coordinator):
    client = Client()
    client.post("/accounts/sign-in/", {"username": "alice", "password": PASSWORD})
    live = client.cookies["cg_session"].value
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=clock.now() - timedelta(days=1))
    UserSession.objects.create(user=coordinator, session_key="x" * 32)
    assert clear_expired_sessions() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [live]
