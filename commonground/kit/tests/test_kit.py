"""Domain-free helpers: the client address behind a proxy, settings that fail loudly."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings

from commonground.kit.http import client_address
from commonground.settings import env_bool, env_int


def test_without_a_proxy_the_client_address_is_the_peer():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6")
    with override_settings(BEHIND_PROXY=False):
        assert client_address(request) == "10.0.0.5"


def test_behind_a_proxy_only_the_address_the_proxy_appended_counts():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    with override_settings(BEHIND_PROXY=True):
        assert client_address(request) == "203.0.113.9"


def test_settings_helpers_fail_loudly(monkeypatch):
    monkeypatch.setenv("X_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_FLAG", False)
    monkeypatch.setenv("X_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_NUMBER", 1)


def test_production_refuses_the_demo_secret(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "COMMONGROUND_ENV": "production", "DJANGO_SETTINGS_MODULE": "commonground.settings"}
    env.pop("COMMONGROUND_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "COMMONGROUND_SECRET_KEY" in result.stderr


def test_a_pinned_clock_holds_only_inside_its_block():
    from datetime import UTC, datetime

    from commonground.kit import clock

    moment = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
    with clock.pinned(moment):
        assert clock.now() == moment
    assert clock.now() > moment


def test_a_pinned_clock_refuses_a_moment_without_a_time_zone():
    from datetime import datetime

    from commonground.kit import clock

    with pytest.raises(ValueError, match="time zone"), clock.pinned(datetime(2025, 3, 4, 10, 0)):
        pass
