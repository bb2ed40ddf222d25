"""Every test here gets its own empty clinic instrument folder, so a developer's var/instruments never leaks in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def clinic_folder(tmp_path: Path, settings: Any) -> Path:
    folder = tmp_path / "clinic-instruments"
    settings.INSTRUMENTS_DIR = folder
    return folder
