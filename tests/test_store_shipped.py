"""End to end on the shipped data: a steward edits one zone's stage, publishes from the CLI, and
``versions``, ``verify`` and ``diff`` all agree on the result.

Runs on a copy of the shipped ``data/`` when it is there, else on a store published from the
small fixture (so the path is tested either way; the test id says which).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_publish import edit_cell, fixture_files

from sez_metrics import schema
from sez_metrics.publish import publish
from sez_metrics.store import VersionStore

REPO = Path(__file__).parents[1]
SHIPPED = REPO / "data"


@pytest.fixture(params=["shipped" if (SHIPPED / "manifest.json").exists() else "fixture"])
def data_copy(request, tmp_path) -> Path:
    root = tmp_path / "data"
    if request.param == "shipped":
        shutil.copytree(SHIPPED, root, ignore=shutil.ignore_patterns(".publish.lock"))
    else:
        publish(root, fixture_files("base"), author="A", note="base")
        publish(root, fixture_files("next"), author="A", note="next")
    return root


def cli(data: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sez_metrics", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "SEZ_DATA_DIR": str(data)}, timeout=120)


def test_publish_a_stage_change_then_versions_verify_and_diff_agree(data_copy, tmp_path):
    store = VersionStore(data_copy)
    latest = store.latest()
    dataset = store.load(latest.id).dataset
    status_bytes = (store.versions_dir / latest.id / "status.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(status_bytes.decode("utf-8-sig"))))
    zone = next(r for r in rows if r["stage"] in ("under_development", "land_acquired", "identified"))
    old_stage = zone["stage"]
    new_stage = schema.STAGE.values[schema.STAGE.rank(old_stage) + 1]
    edited = tmp_path / "status.csv"
    edited.write_bytes(edit_cell(status_bytes, zone["zone_id"], "stage", new_stage))

    run = cli(data_copy, "publish", "--author", "Test Steward", "--note", "stage moved after site visit",
              "--label", "Test update", "--based-on", latest.id, str(edited))
    assert run.returncode == 0, run.stdout + run.stderr
    new_id = run.stdout.splitlines()[-1]
    assert new_id == f"v{int(latest.id[1:]) + 1:04d}"

    listed = cli(data_copy, "versions", "--json")
    assert listed.returncode == 0
    entries = json.loads(listed.stdout)
    assert entries[-1]["id"] == new_id and entries[-1]["parent"] == latest.id and entries[-1]["label"] == "Test update"

    verified = cli(data_copy, "verify")
    assert verified.returncode == 0, verified.stdout
    assert verified.stdout.strip() == f"ok: {len(entries)} version(s) intact in {data_copy}"

    short_name = dataset.zones.set_index("zone_id").at[zone["zone_id"], "short_name"]
    expected = f"stage {schema.STAGE.label(old_stage)} → {schema.STAGE.label(new_stage)}"
    diffed = cli(data_copy, "diff", latest.id, new_id)
    assert diffed.returncode == 0, diffed.stderr
    lines = diffed.stdout.splitlines()
    assert lines[2:4] == [short_name, f"  - {expected}"]
    assert lines[-1].startswith("1 cell change(s) (zones 0, status 1, milestones 0)")

    as_json = json.loads(cli(data_copy, "diff", latest.id, new_id, "--json").stdout)
    assert [i["text"] for i in as_json["summary"]] == [f"{short_name}: {expected}"]
    assert as_json["cell_changes"] == [{"table": "status", "key": zone["zone_id"], "column": "stage", "old": old_stage, "new": new_stage}]
