"""Build a versioned store directly from fixture folders, without the validator.

For tests of the read side and of the pages: the store is written exactly as publish writes it
(same layout, hashes and chain), so loading and verifying it exercises the real code.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sez_metrics.storage.store import MANIFEST_FORMAT, VERSION_FILES, entry_hash, sha256_bytes

FIXTURES = Path(__file__).parent / "fixtures"
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
    basemap = Path(__file__).parents[1] / "data" / "basemap"
    if basemap.is_dir():
        shutil.copytree(basemap, root / "basemap")
    return root


def build_mini_store(root: Path) -> Path:
    """Three zones, two versions (before JCC-10 and before JCC-11)."""
    return build_store(root, [(MINI / "v1", "Before JCC-10", "2021-09-15"), (MINI / "v2", "Before JCC-11", "2022-10-15")])
