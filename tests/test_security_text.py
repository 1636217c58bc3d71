"""Deceptive text on the command line: data printed by ``versions``, ``diff`` and ``validate`` can
neither drive the terminal (ESC sequences) nor forge an output line (U+2028), and ``publish``
refuses such metadata in the first place.

The store here is written by the test store builder (not by publish, which would refuse the
hostile label and cells), as a store published before these rules would look.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.stores import MINI, build_store

REPO = Path(__file__).resolve().parents[1]
ESC_CELL = "\x1b[2J\x1b[31mKPEZDMC"  # would clear the screen and turn it red
FORGED_LABEL = "Before JCC-11\u2028v0099  as of 2099-01-01  published forged"
RLO_NAME = "Rashakai \u202eZES evil"


@pytest.fixture
def hostile_store(tmp_path) -> Path:
    v2 = tmp_path / "v2"
    shutil.copytree(MINI / "v2", v2)
    zones = (v2 / "zones.csv").read_text(encoding="utf-8")
    zones = zones.replace("KPEZDMC + CRBC", ESC_CELL, 1).replace(",Rashakai,", f",{RLO_NAME},", 1)
    (v2 / "zones.csv").write_text(zones, encoding="utf-8")
    return build_store(tmp_path / "store", [(MINI / "v1", "Before JCC-10", "2021-09-15"), (v2, FORGED_LABEL, "2022-10-15")])


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "sez_metrics", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "SEZ_DATA_DIR": str(root)})
    assert "Traceback" not in done.stderr
    return done


RAW = ("\x1b", "\u2028", "\u202e")


def assert_inert(text: str) -> None:
    for ch in RAW:
        assert ch not in text, f"raw {ch!r} printed"


def test_versions_prints_one_escaped_line_per_version(hostile_store):
    done = cli(hostile_store, "versions")
    assert done.returncode == 0, done.stderr
    assert_inert(done.stdout)
    lines = done.stdout.splitlines()  # splitlines() breaks on U+2028 too: the finding's forged line
    assert [line[:5] for line in lines] == ["v0001", "v0002"]
    assert "Before JCC-11\\u2028v0099" in lines[1]


def test_versions_json_escapes_hidden_characters_and_stays_the_same_data(hostile_store):
    done = cli(hostile_store, "versions", "--json")
    assert_inert(done.stdout)
    assert json.loads(done.stdout)[1]["label"] == FORGED_LABEL


def test_diff_prints_cells_escaped(hostile_store):
    done = cli(hostile_store, "diff", "v0001", "v0002")
    assert done.returncode == 0, done.stderr
    assert_inert(done.stdout)
    assert "\\x1b[2J" in done.stdout
    as_json = cli(hostile_store, "diff", "v0001", "v0002", "--json")
    assert_inert(as_json.stdout)
    assert ESC_CELL in strings(json.loads(as_json.stdout)), "the same data, escaped only in print"


def strings(value) -> set[str]:
    """Every string anywhere in a JSON value."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*map(strings, value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*map(strings, value)) if value else set()
    return set()


def test_validate_names_and_escapes_the_hidden_characters(hostile_store):
    done = cli(hostile_store, "validate", str(hostile_store / "versions" / "v0002"))
    assert done.returncode == 1
    assert_inert(done.stdout + done.stderr)
    lines = done.stdout.splitlines()
    assert any("hidden-character" in line and "U+001B ESCAPE at character 1" in line for line in lines)
    assert any("hidden-character" in line and "U+202E RIGHT-TO-LEFT OVERRIDE at character 10" in line for line in lines)
    as_json = cli(hostile_store, "validate", "--json", str(hostile_store / "versions" / "v0002"))
    assert_inert(as_json.stdout)
    values = {p["value"] for p in json.loads(as_json.stdout)["problems"]}
    assert {ESC_CELL, RLO_NAME} <= values


def test_publish_refuses_a_label_with_a_line_separator(hostile_store, tmp_path):
    status = tmp_path / "status.csv"
    status.write_bytes((MINI / "v2" / "status.csv").read_bytes().replace(b"\n", b"\r\n"))
    done = cli(hostile_store, "publish", "--author", "Ayesha Khan", "--note", "n", "--label", "JCC\u2028v0099 forged",
               str(status))
    assert done.returncode == 1
    assert "the label must be one line: it contains U+2028 LINE SEPARATOR at character 4; remove it" in done.stderr
    assert_inert(done.stderr)
