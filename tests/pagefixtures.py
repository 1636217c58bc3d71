"""Fixtures of the AppTest page tests (load with ``pytest_plugins = ("pagefixtures",)``).

Every page test runs on the mini fixture store and on a copy of the shipped dataset; the
hostile store puts markup where a steward could type it.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from pagetest import HOSTILE, SHIPPED
from storebuilder import MINI, build_mini_store, build_store


@pytest.fixture(params=["mini", "shipped"])
def any_store(request, tmp_path, monkeypatch) -> Path:
    """The mini fixture store, then a copy of the shipped data (skipped only while it does not exist)."""
    if request.param == "mini":
        root = build_mini_store(tmp_path / "store")
    else:
        if not (SHIPPED / "manifest.json").exists():
            pytest.skip("the shipped dataset (data/manifest.json) is not there yet")
        root = tmp_path / "data"
        shutil.copytree(SHIPPED, root, ignore=shutil.ignore_patterns(".publish.lock"))
    monkeypatch.setenv("SEZ_DATA_DIR", str(root))
    return root


def _rewrite(path: Path, key: str, key_value: str, column: str, value: str) -> None:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    for row in rows:
        if row[key] == key_value:
            row[column] = value
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def hostile_store(tmp_path, monkeypatch) -> Path:
    """The mini store whose latest version has markup in Rashakai's short name, a milestone title and a source."""
    v2 = tmp_path / "v2"
    shutil.copytree(MINI / "v2", v2)
    _rewrite(v2 / "zones.csv", "zone_id", "rashakai", "short_name", HOSTILE)
    _rewrite(v2 / "milestones.csv", "milestone_id", "rashakai-gas", "title", HOSTILE)
    _rewrite(v2 / "status.csv", "zone_id", "rashakai", "source", HOSTILE)
    root = build_store(tmp_path / "store", [(MINI / "v1", "Before JCC-10", "2021-09-15"), (v2, "Before JCC-11", "2022-10-15")])
    monkeypatch.setenv("SEZ_DATA_DIR", str(root))
    return root
