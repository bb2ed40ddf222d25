"""Selects the test profile of the one settings module before Django reads it (see settings.py)."""

import os

os.environ["COMMONGROUND_ENV"] = "test"

from commonground.settings import *  # noqa: F403
