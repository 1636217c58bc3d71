"""Publishing a new immutable version: validate, write durably, append to the manifest under a lock."""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping

from filelock import FileLock, Timeout

from sez_metrics import schema
from sez_metrics.fsutil import fsync_dir, replace_atomically, write_file_durably
from sez_metrics.report import Report
from sez_metrics.store import (
    MANIFEST_FORMAT,
    VERSION_FILES,
    FileRecord,
    StoreError,
    VersionInfo,
    VersionStore,
    entry_hash,
    sha256_bytes,
)

LOCK_NAME = ".publish.lock"
LOCK_TIMEOUT_S = 30


class PublishRefused(Exception):
    """Nothing was written; ``reason`` says why (and ``report`` holds validation problems)."""

    def __init__(self, reason: str, report: Report | None = None):
        super().__init__(reason)
        self.reason = reason
        self.report = report


@dataclass(frozen=True)
class Submission:
    """The tables a steward submits, by file name (zones.csv, status.csv, milestones.csv)."""

    files: Mapping[str, bytes]


def next_version_id(existing: list[str]) -> str:
    numbers = [int(v[1:]) for v in existing if v[1:].isdigit()]
    return f"v{(max(numbers) if numbers else 0) + 1:04d}"


def _check_file_names(files: Mapping[str, bytes]) -> None:
    if not files:
        raise PublishRefused("no file given: submit one or more of " + ", ".join(VERSION_FILES))
    for name in files:
        if Path(name).name != name or name not in schema.TABLE_BY_FILE:
            raise PublishRefused(
                f"{name!r} is not a dataset file name; name files exactly {', '.join(VERSION_FILES)}"
            )


def publish(
    root: Path | str,
    files: Mapping[str, bytes],
    *,
    author: str,
    note: str,
    label: str = "",
    as_of: str | None = None,
    based_on: str | None = None,
    now: datetime | None = None,
) -> VersionInfo:
    """Validate the complete version the submission makes and publish it; returns its manifest entry.

    Tables not submitted are carried over from the latest version. Raises ``PublishRefused``
    (nothing written) when invalid, when ``based_on`` is no longer the latest version, or when
    the content equals the latest version.
    """
    from sez_metrics.validate import validate_version  # imported late: heavy (geopandas)

    _check_file_names(files)
    if not author.strip():
        raise PublishRefused("an author is required")
    if not note.strip():
        raise PublishRefused("a note saying what changed is required")
    store = VersionStore(root)
    store.root.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(store.root / LOCK_NAME), timeout=LOCK_TIMEOUT_S):
            return _publish_locked(store, dict(files), author=author.strip(), note=note.strip(), label=label.strip(),
                                   as_of=as_of, based_on=based_on, now=now, validate_version=validate_version)
    except Timeout as exc:
        raise PublishRefused(f"another publish has held the lock for over {LOCK_TIMEOUT_S} s; try again") from exc


def _publish_locked(store: VersionStore, files: dict[str, bytes], *, author, note, label, as_of, based_on, now, validate_version) -> VersionInfo:
    entries = store.read_manifest_entries() if store.manifest_path.exists() else []
    latest = store.versions()[-1] if entries else None
    if based_on is not None and (latest is None or latest.id != based_on):
        current = latest.id if latest else "none"
        raise PublishRefused(
            f"someone published meanwhile: this update is based on {based_on} but the latest version is now {current}; "
            "review the latest version and submit again"
        )
    complete = dict(files)
    previous = None
    if latest is not None:
        for name in VERSION_FILES:
            if name not in complete:
                complete[name] = (store.versions_dir / latest.id / name).read_bytes()
        previous = store.load(latest.id).dataset
    missing = [n for n in VERSION_FILES if n not in complete]
    if missing:
        raise PublishRefused("the first version needs all three files; missing: " + ", ".join(missing))
    report = validate_version(complete, as_of=as_of, previous=previous)
    if not report.ok:
        raise PublishRefused(f"the update has {len(report.errors)} error(s); nothing was published", report)
    if latest is not None and all(sha256_bytes(complete[n]) == latest.files[n].sha256 for n in VERSION_FILES):
        raise PublishRefused(f"nothing to publish: the content is identical to the latest version {latest.id}")
    new_id = next_version_id([str(e.get("id")) for e in entries])
    target = store.versions_dir / new_id
    if target.exists():
        raise PublishRefused(f"version {new_id} already exists on disk but not in the manifest; run verify")
    effective_as_of = as_of or _latest_status_date(complete["status.csv"])
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")
    entry = {
        "id": new_id,
        "label": label or f"Update of {effective_as_of}",
        "as_of": effective_as_of,
        "published_at": stamp,
        "author": author,
        "note": note,
        "parent": latest.id if latest else None,
        "files": {n: {"sha256": sha256_bytes(complete[n]), "bytes": len(complete[n])} for n in sorted(VERSION_FILES)},
        "prev_hash": entries[-1].get("entry_hash") if entries else None,
    }
    entry["entry_hash"] = entry_hash(entry)
    store.versions_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{new_id}-", dir=store.versions_dir))
    renamed = False
    try:
        for name in VERSION_FILES:
            write_file_durably(tmp / name, complete[name])
        fsync_dir(tmp)
        tmp.rename(target)
        renamed = True
        fsync_dir(store.versions_dir)
        manifest = {"format": MANIFEST_FORMAT, "versions": entries + [entry]}
        replace_atomically(store.manifest_path, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    except BaseException:
        shutil.rmtree(target if renamed else tmp, ignore_errors=True)
        raise
    return VersionInfo(
        id=new_id, label=entry["label"], as_of=effective_as_of, published_at=stamp, author=author, note=note,
        parent=entry["parent"], files={n: FileRecord(**r) for n, r in entry["files"].items()},
        prev_hash=entry["prev_hash"], entry_hash=entry["entry_hash"],
    )


def _latest_status_date(status_csv: bytes) -> str:
    from sez_metrics.store import parse_csv_bytes

    dates = parse_csv_bytes(status_csv, schema.STATUS)["as_of"]
    return max(d for d in dates if d) if len(dates) else datetime.now(timezone.utc).date().isoformat()


__all__ = ["PublishRefused", "publish", "next_version_id", "StoreError"]
