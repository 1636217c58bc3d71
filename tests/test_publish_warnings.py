"""A publish that succeeds still shows the steward its validation warnings."""

import subprocess
import sys

from sez_metrics.storage.folder import VersionStore


def test_cli_publish_prints_warnings_and_publishes(shipped_copy, tmp_path):
    latest = VersionStore(shipped_copy).latest()
    status = (shipped_copy / "versions" / latest.id / "status.csv").read_text(encoding="utf-8")
    lines = status.splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines) if line.startswith("rashakai,"))
    assert ",under_development," in lines[row]
    lines[row] = lines[row].replace(",under_development,", ",notified,", 1)
    edited = tmp_path / "status.csv"
    edited.write_text("".join(lines), encoding="utf-8")

    run = subprocess.run(
        [sys.executable, "-m", "sez_metrics", "publish", "--author", "Steward", "--note", "Correct Rashakai's stage",
         "--based-on", latest.id, str(edited)],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout.splitlines()
    warning = [line for line in out if " warning stage-regressed: " in line]
    assert warning and warning[0].startswith(f"{edited}:{row + 1}:stage: "), out
    assert out[-1] == VersionStore(shipped_copy).latest().id != latest.id
