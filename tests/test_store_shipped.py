"""End to end on the shipped data, in a folder and in a database: a steward edits one zone's stage, publishes from the CLI, and
``versions``, ``verify`` and ``diff`` all agree on the result.

Runs on a copy of the shipped ``data/`` when it is there, else on a store published from the
small fixture (so the path is tested either way; the test id says which).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.storekinds import STORE_KINDS, new_location, store_env
from support.stores import copy_shipped
from test_publish import edit_cell

from sez_metrics.core import schema
from sez_metrics.storage.store import open_store
from sez_metrics.storage.store_copy import copy_store

REPO = Path(__file__).parents[1]


@pytest.fixture(params=STORE_KINDS, ids=lambda kind: f"shipped-{kind}")
def data_copy(request, tmp_path) -> str:
    """The store to work on: a folder copy of the shipped data, or the same versions copied into a fresh database."""
    kind = request.param
    root = copy_shipped(tmp_path / "data")
    if kind == "folder":
        return str(root)
    url = new_location(kind, tmp_path, request)
    copy_store(open_store(root), open_store(url))
    return url


def cli(data: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sez_metrics", *args], cwd=REPO, capture_output=True, text=True,
                          env=store_env(data), timeout=120)


def test_publish_a_stage_change_then_versions_verify_and_diff_agree(data_copy, tmp_path):
    store = open_store(data_copy)
    latest = store.latest()
    dataset = store.load(latest.id).dataset
    status_bytes = store.read_version_files(latest)[0]["status.csv"]
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
    assert verified.stdout.strip() == f"ok: {len(entries)} version(s) intact in {store.location}"

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
