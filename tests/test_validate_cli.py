"""``python -m sez_metrics validate`` as a steward runs it: real processes, real files, exit codes 0/1/2."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sez_metrics.cli import main as cli
from sez_metrics.storage.publish import publish

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "validation"
VALID = FIXTURES / "valid"
TABLE_FILES = ("zones.csv", "status.csv", "milestones.csv")


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """An empty SEZ_DATA_DIR: no published version to fall back on."""
    root = tmp_path / "store"
    root.mkdir()
    monkeypatch.setenv("SEZ_DATA_DIR", str(root))
    return root


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SEZ_DATA_DIR": str(data_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "sez_metrics", "validate", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


def problem_lines(stdout: str) -> list[str]:
    """The problem lines without their fix, after checking that every line ends with one."""
    lines = stdout.splitlines()
    assert all(" → fix: " in line for line in lines), lines
    return [line.split(" → fix: ")[0] for line in lines]


def copy_valid(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in TABLE_FILES:
        shutil.copy(VALID / name, folder / name)
    return folder


def test_valid_version_folder_exits_0_with_a_summary(data_dir):
    result = run(str(VALID), data_dir=data_dir)

    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr.strip().splitlines()[-1] == "3 file(s) checked: 0 error(s), 0 warning(s) — valid"


def test_errors_are_printed_one_line_each_sorted_and_exit_1(data_dir, tmp_path):
    folder = copy_valid(tmp_path / "update")
    shutil.copy(FIXTURES / "dialect" / "quoted_newline.csv", folder / "milestones.csv")
    shutil.copy(FIXTURES / "cells" / "no_masking.csv", folder / "status.csv")

    result = run(str(folder), data_dir=data_dir)

    assert result.returncode == 1
    assert problem_lines(result.stdout) == [
        f"{folder}/milestones.csv:4:status: error enum-error: \"Done\" is not a status code (did you mean \"done\"?); "
        "valid codes: planned, in_progress, done, delayed, cancelled",
        f"{folder}/milestones.csv:8:due_date: error type-error: \"31/01/2025\" is not a date in YYYY-MM-DD form",
        f"{folder}/status.csv:2:colonization_pct: error type-error: \"abc\" is not a number",
        f"{folder}/status.csv:3:colonization_pct: error out-of-range: \"150\" is out of range: colonization_pct must be between 0 and 100",
        f"{folder}/status.csv:4:colonization_pct: error out-of-range: \"-3\" is out of range: colonization_pct must be between 0 and 100",
    ]
    assert "5 error(s), 0 warning(s) — invalid" in result.stderr


def test_single_csv_takes_zone_ids_from_a_zones_csv_beside_it(data_dir, tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    shutil.copy(VALID / "zones.csv", folder / "zones.csv")
    shutil.copy(FIXTURES / "tables" / "status_unknown_zone.csv", folder / "status.csv")

    result = run(str(folder / "status.csv"), data_dir=data_dir)

    assert result.returncode == 1
    assert problem_lines(result.stdout) == [
        f"{folder}/status.csv:3:zone_id: error unknown-zone: zone_id \"dhabeji2\" is not in {folder}/zones.csv (did you mean \"dhabeji\"?)",
        f"{folder}/status.csv:4:zone_id: error duplicate-key: zone_id \"rashakai\" appears more than once (first at line 2)",
    ]


def test_single_csv_takes_zone_ids_from_the_latest_published_version(data_dir):
    publish(data_dir, {n: (VALID / n).read_bytes() for n in TABLE_FILES}, author="test", note="first")
    status = FIXTURES / "tables" / "status_unknown_zone.csv"

    result = run(str(status), "--table", "status", data_dir=data_dir)

    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"{status}:3:zone_id: error unknown-zone: zone_id \"dhabeji2\" is not in zones.csv of version v0001")


def test_single_csv_compared_with_the_latest_version_warns_of_setbacks(data_dir):
    publish(data_dir, {n: (VALID / n).read_bytes() for n in TABLE_FILES}, author="test", note="first")
    status = FIXTURES / "previous" / "status_regressed.csv"

    result = run(str(status), "--table", "status", data_dir=data_dir)

    assert result.returncode == 0  # warnings only
    assert [line.split(": ")[1] for line in result.stdout.splitlines()] == ["warning stage-regressed"] * 2


def test_zone_ids_unchecked_without_zones_is_a_warning_not_an_error(data_dir, tmp_path):
    alone = tmp_path / "status.csv"
    shutil.copy(VALID / "status.csv", alone)

    result = run(str(alone), data_dir=data_dir)

    assert result.returncode == 0
    assert problem_lines(result.stdout) == [
        f"{alone}:0:zone_id: warning zones-unchecked: zone_ids were not checked: "
        "no zones.csv and no published version to compare with"
    ]


def test_json_output_is_the_report(data_dir):
    result = run(str(FIXTURES / "geo" / "point_outside_province.csv"), "--table", "zones", "--json", data_dir=data_dir)

    assert result.returncode == 0
    doc = json.loads(result.stdout)
    assert doc["counts"] == {"error": 0, "warning": 3}
    assert [(p["code"], p["line"], p["column"]) for p in doc["problems"]] == [
        ("point-outside-province", 2, "province"),
        ("point-outside-province", 3, "province"),
        ("point-outside-province", 6, "province"),
    ]
    assert all(p["fix"] for p in doc["problems"])


def test_file_over_the_size_limit_is_refused(data_dir, tmp_path):
    from sez_metrics.core.settings import MAX_CSV_BYTES

    big = tmp_path / "zones.csv"
    with big.open("wb") as handle:
        handle.write((VALID / "zones.csv").read_bytes())
        handle.write(b"x" * MAX_CSV_BYTES)

    result = run(str(big), data_dir=data_dir)

    assert result.returncode == 1
    assert problem_lines(result.stdout) == [
        f"{big}:0:: error file-too-large: the file is larger than the limit of {MAX_CSV_BYTES:,} bytes; it was not read"
    ]


def test_binary_and_foreign_encodings_exit_1_with_a_reason(data_dir):
    result = run(str(FIXTURES / "encoding" / "cp1252.csv"), "--table", "zones", data_dir=data_dir)

    assert result.returncode == 1
    assert ":3:: error encoding-error:" in result.stdout
    assert "save as CSV UTF-8" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["does/not/exist.csv"], "no such file or folder"),
        ([str(FIXTURES / "cells" / "enum.csv")], "cannot tell its table"),
        ([str(FIXTURES / "cells" / "enum.csv"), "--table", "plots"], "invalid choice"),
        ([str(VALID / "zones.csv"), "--table", "status"], "its name says table zones but --table says status"),
        ([str(FIXTURES / "cells")], "the folder holds none of zones.csv, status.csv, milestones.csv"),
        ([str(VALID / "zones.csv"), str(VALID / "zones.csv")], "already the zones table"),
        ([str(VALID), "--as-of", "30/06/2024"], "expected a date YYYY-MM-DD"),
        ([], "the following arguments are required"),
    ],
)
def test_bad_usage_exits_2_with_one_line(data_dir, args, message):
    result = run(*args, data_dir=data_dir)

    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr


def test_every_fixture_gives_0_or_1_and_never_a_traceback(data_dir, capsys):
    tables = {"zone_id,name": "zones", "zone_id,as_of": "status", "milestone_id": "milestones"}
    for path in sorted(FIXTURES.rglob("*.csv")):
        head = path.read_bytes()[:40].decode("utf-8", errors="replace").lstrip("\ufeff")
        table = next((t for prefix, t in tables.items() if head.startswith(prefix)), "zones")

        code = cli.main(["validate", str(path), "--table", table] if path.name not in TABLE_FILES else ["validate", str(path)])

        out, err = capsys.readouterr()
        assert code in (0, 1), path
        assert "Traceback" not in out + err
        assert err.strip().splitlines()[-1].startswith("1 file(s) checked:"), path


def test_a_folder_with_some_files_is_validated_as_publish_would_use_it(data_dir, tmp_path):
    """The README's example: my-update/ holds only the edited status.csv; the other two files are
    carried over from the latest version, and the update is compared with it."""
    publish(data_dir, {n: (VALID / n).read_bytes() for n in TABLE_FILES}, author="A", note="base")
    update = tmp_path / "my-update"
    update.mkdir()
    status = (VALID / "status.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    status[1] = status[1].replace(status[1].split(",")[0], "nowhere", 1)  # a zone the published zones.csv lacks
    (update / "status.csv").write_text("".join(status), encoding="utf-8")

    result = run(str(update), data_dir=data_dir)

    assert result.returncode == 1, result.stderr
    assert f"{update / 'status.csv'}:2:zone_id: error unknown-zone: " in result.stdout
    assert "versions/v0001/zones.csv (carried over)" in result.stdout  # where the zone_ids come from
    assert "3 file(s) checked: 1 error(s)" in result.stderr

    (update / "status.csv").write_bytes((VALID / "status.csv").read_bytes())
    assert run(str(update), data_dir=data_dir).returncode == 0


def test_a_partial_folder_without_a_published_version_says_what_is_missing(data_dir, tmp_path):
    update = tmp_path / "my-update"
    update.mkdir()
    shutil.copy(VALID / "status.csv", update / "status.csv")
    result = run(str(update), data_dir=data_dir)
    assert result.returncode == 2
    assert "zones.csv, milestones.csv missing, and there is no published version" in result.stderr
    assert "put all three files in the folder" in result.stderr


def test_a_semicolon_export_says_what_is_wrong_and_how_to_fix_it(data_dir, tmp_path):
    """Excel's regional ';' export: the line names the delimiter and ends with the fix."""
    text = (VALID / "zones.csv").read_text(encoding="utf-8-sig").replace(",", ";")
    (semicolons := tmp_path / "zones.csv").write_text(text, encoding="utf-8")

    result = run(str(semicolons), data_dir=data_dir)

    assert result.returncode == 1
    line = result.stdout.splitlines()[0]
    assert line.startswith(f"{semicolons}:1:: error delimiter-error: the header is separated by semicolons")
    assert line.endswith('→ fix: save with the comma as field delimiter (Excel: "CSV UTF-8 (Comma delimited)"; '
                         'LibreOffice: Field delimiter ",")')
