"""`commonground gas --levels JSON_ARRAY [--weights JSON_ARRAY] [--rho R]` (issue 5 item 10)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from commonground import cli


def run(*args: str) -> str:
    out = StringIO()
    call_command("gas", *args, stdout=out)
    return out.getvalue()


def main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The `commonground` entry point in this process: exit code, stdout, stderr."""
    try:
        cli.main(["gas", *args])
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_prints_one_json_object_with_the_full_t_score() -> None:
    result = json.loads(run("--levels", "[1, 1, 1]"))
    assert list(result) == ["t_score"]
    assert result["t_score"] == 50 + 30 / math.sqrt(4.8)  # the float as computed, not rounded
    assert json.loads(run("--levels", "[0, 0]")) == {"t_score": 50.0}


def test_weights_and_rho_are_used() -> None:
    result = json.loads(run("--levels", "[1, -1, 2]", "--weights", "[6, 2, 9]", "--rho", "0.5"))
    assert result["t_score"] == pytest.approx(50 + 220 / math.sqrt(205))
    assert json.loads(run("--levels", "[2]", "--weights", "[9]"))["t_score"] == pytest.approx(70)
    assert json.loads(run("--levels", "[1, 1, 1]", "--weights", "[1, 1, 1]")) == json.loads(run("--levels", "[1,1,1]"))


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--levels", "[1, 1"], "--levels must be a JSON array"),
        (["--levels", "{}"], "--levels must be a JSON array"),
        (["--levels", "2"], "--levels must be a JSON array"),
        (["--levels", "[]"], "no goals"),
        (["--levels", "[1, 3]"], "goal 2: the level must be from -2 to 2, got 3"),
        (["--levels", "[0.5]"], "goal 1: the level must be a whole number"),
        (["--levels", '["one"]'], "goal 1: the level must be a whole number"),
        (["--levels", "[1, 1]", "--weights", "[1]"], "give one weight per goal"),
        (["--levels", "[1]", "--weights", "[0]"], "goal 1: the weight must be above 0"),
        (["--levels", "[1]", "--weights", "[null]"], "goal 1: the weight must be a finite number"),
        (["--levels", "[1]", "--weights", "1"], "--weights must be a JSON array"),
        (["--levels", "[1]", "--rho", "1"], "rho must be at least 0 and below 1"),
        (["--levels", "[1]", "--rho", "-0.2"], "rho must be at least 0 and below 1"),
    ],
)
def test_invalid_input_is_refused_with_the_reason(args: list[str], reason: str) -> None:
    with pytest.raises(CommandError, match=reason):
        run(*args)


def test_the_console_command_exits_0_with_json_and_non_zero_with_the_reason_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = main(capsys, "--levels", "[1, 1, 1]")
    assert (code, err) == (0, "")
    assert json.loads(out) == {"t_score": pytest.approx(63.6931, abs=1e-4)}
    for args, reason in [
        (("--levels", "[1, 3]"), "goal 2: the level must be from -2 to 2, got 3"),
        (("--levels", "[1]", "--weights", "[0]"), "the weight must be above 0"),
        (("--levels", "[1]", "--rho", "1"), "rho must be at least 0 and below 1"),
        (("--levels", "[1]", "--rho", "lots"), "'lots' is not a number"),
        (("--levels", "[1]", "--rho", "nan"), "'nan' is not a finite number"),
        (("--levels", "nope"), "--levels must be a JSON array"),
        ((), "--levels"),
    ]:
        code, out, err = main(capsys, *args)
        assert code != 0 and out == "", args
        assert reason in err, (args, err)


def test_the_installed_console_command_runs_in_its_own_process() -> None:
    """The real `commonground` executable: JSON on stdout and exit 0; the reason on stderr otherwise."""
    environment = {**os.environ, "COMMONGROUND_ENV": "test"}

    def commonground(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 (our own executable, fixed arguments)
            [sys.executable, "-m", "commonground.cli", "gas", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=environment,
            check=False,
        )

    good = commonground("--levels", "[1, 0, -1]", "--weights", "[3, 2, 1]")
    assert good.returncode == 0 and good.stderr == ""
    assert json.loads(good.stdout) == {"t_score": pytest.approx(50 + 20 / math.sqrt(0.7 * 14 + 0.3 * 36))}
    bad = commonground("--levels", "[1, 1]", "--weights", "[1, 0]")
    assert bad.returncode != 0 and bad.stdout == ""
    assert "goal 2: the weight must be above 0" in bad.stderr


def test_gas_is_listed_among_the_commands() -> None:
    assert "gas" in cli.COMMANDS and "gas" in cli.usage()
