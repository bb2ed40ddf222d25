"""The tidy diary CSV (issue 6 item 8) and `commonground patterns FILE.csv --outcome NAME [--min-days N]
[--fdr Q]` (item 10), defined in docs/patterns.md. No database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from commonground import cli
from commonground.diary.csvfile import UnreadableDiary, read_csv, write_csv
from commonground.diary.patterns import findings
from commonground.diary.tests.test_patterns import noise_diary, planted_diary

START = date(2026, 1, 5)
KEYS = ["factor", "outcome", "lag", "n_days", "estimate", "ci_low", "ci_high", "q_value"]
PLANTED_VARIABLES = [
    "fatigue",
    "pain",
    "sleep_quality",
    "activity_load",
    "noise_0",
    "noise_1",
    "noise_2",
    "noise_3",
]


def run(*args: str) -> str:
    out = StringIO()
    call_command("patterns", *args, stdout=out)
    return out.getvalue()


def csv_file(tmp_path: Path, text: str, name: str = "diary.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# The CSV file


def test_write_csv_writes_a_tidy_table() -> None:
    rows = {
        START + timedelta(days=1): {"fatigue": 4.0, "sleep_hours": 6.5, "pain": None},
        START: {"fatigue": 7.0, "sleep_hours": 0.1, "pain": 3},
    }
    assert write_csv(rows, ["fatigue", "pain", "sleep_hours", "rest_breaks"]) == (
        "date,fatigue,pain,sleep_hours,rest_breaks\n2026-01-05,7,3,0.1,\n2026-01-06,4,,6.5,\n"
    )


def test_the_csv_round_trip_keeps_every_value_and_every_gap() -> None:
    days = planted_diary(4)
    variables, read_back = read_csv(write_csv(days, PLANTED_VARIABLES))
    assert variables == PLANTED_VARIABLES
    assert read_back == days
    assert read_csv("date,a\n") == (["a"], {})


@pytest.mark.parametrize(
    ("variables", "reason"),
    [
        (["fatigue", "fatigue"], "given twice"),
        (["date"], "cannot be called 'date'"),
        ([" "], "has no name"),
        (["=HYPERLINK(1)"], "could be read as a formula"),
        (["@sum"], "could be read as a formula"),
    ],
)
def test_write_csv_refuses_names_it_cannot_write_safely(variables: list[str], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        write_csv({START: {}}, variables)


def test_write_csv_refuses_a_value_that_is_not_finite() -> None:
    with pytest.raises(ValueError, match="not a finite number"):
        write_csv({START: {"pain": float("inf")}}, ["pain"])


def test_read_csv_averages_check_ins_skips_blank_lines_and_accepts_spreadsheet_files() -> None:
    text = '\ufeffdate,pain,"sleep, hours"\r\n2026-01-05,4,7\r\n\r\n2026-01-05,6,\r\n2026-01-04,,8.25\r\n'
    variables, days = read_csv(text)
    assert variables == ["pain", "sleep, hours"]
    assert days == {date(2026, 1, 4): {"pain": None, "sleep, hours": 8.25}, START: {"pain": 5.0, "sleep, hours": 7.0}}
    assert read_csv("pain,date\n-1.5e0,2026-01-05\n") == (["pain"], {START: {"pain": -1.5}})


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "the file is empty"),
        ("  \n\n", "the file is empty"),
        ("2026-01-05,4,7\n2026-01-06,5,6\n", "there is no header"),
        ("day,pain\n2026-01-05,4\n", "there is no 'date' column in the header (found: day, pain)"),
        ("date,pain,pain\n", "columns named more than once: pain"),
        ("date,,pain\n", "column 2 of the header has no name"),
        (",\n", "the first line must be the header"),
        ("date,pain\n2026-01-05,4\n05/01/2026,3\n", "line 3: '05/01/2026' is not a date (YYYY-MM-DD)"),
        ("date,pain\n2026-02-30,4\n", "line 2: '2026-02-30' is not a date"),
        ("date,pain\n20260105,4\n", "line 2: '20260105' is not a date"),
        ("date,pain\n,4\n", "line 2: '' is not a date"),
        ("date,pain,sleep\n2026-01-05,4,\n2026-01-06,3,lots\n", "line 3, column 'sleep': 'lots' is not a number"),
        ("date,pain\n2026-01-05,nan\n", "line 2, column 'pain': 'nan' is not a number"),
        ("date,pain\n2026-01-05,inf\n", "'inf' is not a number"),
        ("date,pain\n2026-01-05,1_000\n", "'1_000' is not a number"),
        ("date,pain\n2026-01-05,1e999\n", "'1e999' is not a number"),
        ("date,pain\n2026-01-05,4,5\n", "line 2 has 3 cells; the header has 2"),
        ('date,pain\n2026-01-05,"4\n', "line 2: unexpected end of data"),
    ],
)
def test_read_csv_says_why_and_where_it_cannot_read(text: str, reason: str) -> None:
    with pytest.raises(UnreadableDiary) as raised:
        read_csv(text)
    assert reason in raised.value.reason


# The command


def test_prints_the_findings_that_pass_as_a_json_list(tmp_path: Path) -> None:
    days = planted_diary(1)
    path = csv_file(tmp_path, write_csv(days, PLANTED_VARIABLES))
    result = json.loads(run(path, "--outcome", "fatigue"))
    assert isinstance(result, list) and result
    assert all(list(record) == KEYS for record in result)
    assert {record["outcome"] for record in result} == {"fatigue"}
    assert {record["lag"] for record in result} <= {0, 1}
    sleep = next(r for r in result if (r["factor"], r["lag"]) == ("sleep_quality", 0))
    assert sleep["estimate"] < -0.3 and sleep["ci_low"] < sleep["estimate"] < sleep["ci_high"] < 0
    assert sleep["q_value"] <= 0.1 and sleep["n_days"] >= 21
    expected = findings(days, ["fatigue"])
    assert [(r["factor"], r["lag"], r["n_days"]) for r in result] == [(f.factor, f.lag, f.n_days) for f in expected]
    assert sleep["estimate"] == round(expected[0].estimate, 4)


def test_the_next_day_finding_has_lag_1(tmp_path: Path) -> None:
    path = csv_file(tmp_path, write_csv(planted_diary(2), PLANTED_VARIABLES))
    result = json.loads(run(path, "--outcome", "pain"))
    assert ("activity_load", 1) in [(r["factor"], r["lag"]) for r in result]


def test_min_days_and_fdr_are_used(tmp_path: Path) -> None:
    path = csv_file(tmp_path, write_csv(planted_diary(1), PLANTED_VARIABLES))
    assert json.loads(run(path, "--outcome", "fatigue", "--min-days", "90")) == []
    everything = json.loads(run(path, "--outcome", "fatigue", "--fdr", "1"))
    default = json.loads(run(path, "--outcome", "fatigue"))
    assert len(everything) == 2 * (len(PLANTED_VARIABLES) - 1) > len(default)
    strict = json.loads(run(path, "--outcome", "fatigue", "--fdr", "0.000001"))
    assert all(r["q_value"] <= 0.000001 for r in strict)


def test_noise_and_a_file_with_no_rows_print_an_empty_list(tmp_path: Path) -> None:
    noise = noise_diary(0)
    variables = [f"v{n}" for n in range(10)]
    assert run(csv_file(tmp_path, write_csv(noise, variables)), "--outcome", "v0") == "[]\n"
    assert run(csv_file(tmp_path, "date,fatigue,sleep\n", "empty.csv"), "--outcome", "fatigue") == "[]\n"


def test_an_unknown_outcome_lists_the_variables_there_are(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "date,fatigue,sleep\n2026-01-05,4,7\n")
    with pytest.raises(CommandError, match="unknown outcome 'tiredness'; the file's variables are: fatigue, sleep"):
        run(path, "--outcome", "tiredness")
    with pytest.raises(CommandError, match="unknown outcome 'date'"):
        run(path, "--outcome", "date")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("day,fatigue\n2026-01-05,4\n", "no 'date' column"),
        ("date,fatigue\n2026-01-05,very\n", "line 2, column 'fatigue': 'very' is not a number"),
        ("", "the file is empty"),
        (b"date,fatigue\n2026-01-05,\xff\n", "not a text file in UTF-8"),
    ],
)
def test_an_unreadable_file_is_refused_with_the_reason(tmp_path: Path, content: str | bytes, reason: str) -> None:
    path = tmp_path / "diary.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=reason):
        run(str(path), "--outcome", "fatigue")


def test_a_missing_file_or_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "nowhere.csv"), "--outcome", "fatigue")
    with pytest.raises(CommandError, match="is a folder"):
        run(str(tmp_path), "--outcome", "fatigue")


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        (["--fdr", "0"], "must be above 0 and at most 1"),
        (["--fdr", "1.5"], "must be above 0 and at most 1"),
        (["--fdr", "nan"], "must be above 0 and at most 1"),
        (["--fdr", "some"], "'some' is not a number"),
        (["--min-days", "3"], "below 4"),
        (["--min-days", "21.5"], "not a whole number"),
    ],
)
def test_bad_options_are_refused_with_the_reason(tmp_path: Path, options: list[str], reason: str) -> None:
    path = csv_file(tmp_path, "date,fatigue,sleep\n2026-01-05,4,7\n")
    with pytest.raises(CommandError, match=reason):
        run(path, "--outcome", "fatigue", *options)


def test_the_outcome_is_required(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--outcome"):
        run(csv_file(tmp_path, "date,fatigue\n"))


def test_the_console_command_exits_non_zero_with_the_reason_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = csv_file(tmp_path, "date,fatigue,sleep\n2026-01-05,4,seven\n")
    with pytest.raises(SystemExit) as exited:
        cli.main(["patterns", path, "--outcome", "fatigue"])
    captured = capsys.readouterr()
    assert exited.value.code != 0 and captured.out == ""
    assert "line 2, column 'sleep': 'seven' is not a number" in captured.err


def test_the_installed_console_command_runs_in_its_own_process(tmp_path: Path) -> None:
    path = csv_file(tmp_path, write_csv(planted_diary(1), PLANTED_VARIABLES))
    environment = {**os.environ, "COMMONGROUND_ENV": "test"}

    def commonground(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 (our own executable, fixed arguments)
            [sys.executable, "-m", "commonground.cli", "patterns", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=environment,
            check=False,
        )

    good = commonground(path, "--outcome", "fatigue")
    assert good.returncode == 0 and good.stderr == ""
    found = json.loads(good.stdout)
    assert found and all(list(record) == KEYS for record in found)
    bad = commonground(path, "--outcome", "tiredness")
    assert bad.returncode != 0 and bad.stdout == ""
    assert "unknown outcome 'tiredness'" in bad.stderr


def test_patterns_is_listed_among_the_commands() -> None:
    assert "patterns" in cli.COMMANDS and "patterns" in cli.usage()
