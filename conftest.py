"""Shared test set-up: the test profile, hypothesis profiles, and the personas every test can use."""

import os

os.environ.setdefault("COMMONGROUND_ENV", "test")

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile("ci" if os.getenv("CI") else "dev")

pytest_plugins = ["tests.personas"]
