"""Stores for the tests: built directly from fixture folders, or copied from the shipped dataset.

The store is written exactly as publish writes it (same layout, hashes and chain), without the
validator, so loading and verifying it exercises the real code. Values the tests expect are read
from the CSVs with plain pandas (``latest_csv``, ``all_versions_csv``), never through the app's code.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sez_metrics.storage.store import MANIFEST_FORMAT, VERSION_FILES, entry_hash, sha256_bytes

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "data"
FIXTURES = REPO / "tests" / "fixtures"
MINI = FIXTURES / "mini"


def build_store(root: Path, rounds: list[tuple[Path, str, str]]) -> Path:
    """Write ``rounds`` (folder of the three CSVs, label, as_of) as versions v0001… into ``root``."""
    entries: list[dict] = []
    for index, (folder, label, as_of) in enumerate(rounds, start=1):
        vid = f"v{index:04d}"
        target = root / "versions" / vid
        target.mkdir(parents=True)
        files = {}
        for name in VERSION_FILES:
            data = (folder / name).read_bytes()
            (target / name).write_bytes(data)
            files[name] = {"sha256": sha256_bytes(data), "bytes": len(data)}
        entry = {
            "id": vid, "label": label, "as_of": as_of, "published_at": f"{as_of}T12:00:00+00:00",
            "author": "test", "note": f"fixture round {index}", "parent": entries[-1]["id"] if entries else None,
            "files": files, "prev_hash": entries[-1]["entry_hash"] if entries else None,
        }
        entry["entry_hash"] = entry_hash(entry)
        entries.append(entry)
    (root / "manifest.json").write_text(json.dumps({"format": MANIFEST_FORMAT, "versions": entries}, indent=2))
    basemap = SHIPPED / "basemap"
    if basemap.is_dir():
        shutil.copytree(basemap, root / "basemap")
    return root


def build_mini_store(root: Path) -> Path:
    """Three zones, two versions (before JCC-10 and before JCC-11)."""
    return build_store(root, [(MINI / "v1", "Before JCC-10", "2021-09-15"), (MINI / "v2", "Before JCC-11", "2022-10-15")])


def variant_store(root: Path, rounds: list[tuple[str, str, str, dict[str, list[tuple[str, str]]]]]) -> Path:
    """A store of mini fixture versions with text edits: rounds of (mini folder, label, as_of, {file: [(old, new)]})."""
    built = []
    for index, (folder, label, as_of, edits) in enumerate(rounds, start=1):
        target = root.parent / f"{root.name}_src{index}"
        shutil.copytree(MINI / folder, target)
        for file_name, replacements in edits.items():
            text = (target / file_name).read_text(encoding="utf-8")
            for old, new in replacements:
                assert old in text, f"{old!r} not in {folder}/{file_name}"
                text = text.replace(old, new)
            (target / file_name).write_text(text, encoding="utf-8")
        built.append((target, label, as_of))
    return build_store(root, built)


def copy_shipped(target: Path) -> Path:
    """A writable copy of the shipped data folder at ``target``; the test fails if it is missing
    (a missing dataset is a broken checkout, never a reason to test something else)."""
    if not (SHIPPED / "manifest.json").exists():
        pytest.fail(f"the shipped dataset ({SHIPPED / 'manifest.json'}) is missing", pytrace=False)
    shutil.copytree(SHIPPED, target, ignore=shutil.ignore_patterns(".publish.lock"))
    return target


def latest_csv(root: Path, name: str) -> pd.DataFrame:
    """A table of the store's latest version, read as plain strings ("" for empty cells)."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    latest = manifest["versions"][-1]["id"]
    return pd.read_csv(root / "versions" / latest / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def all_versions_csv(root: Path, name: str) -> list[pd.DataFrame]:
    """``name`` of every version, oldest first, as plain strings."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    return [
        pd.read_csv(root / "versions" / v["id"] / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        for v in manifest["versions"]
    ]
