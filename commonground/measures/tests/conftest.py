"""Every test here gets its own empty clinic instrument folder, so a developer's var/instruments never leaks in."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def clinic_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: object) -> Path:
    folder = tmp_path / "clinic-instruments"
    monkeypatch.setenv("COMMONGROUND_INSTRUMENTS_DIR", str(folder))  # for commands run in a subprocess
    settings.INSTRUMENTS_DIR = folder  # type: ignore[attr-defined]
    return folder
