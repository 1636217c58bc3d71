"""A folder store's publish transaction: the lock, tidying what an interrupted publish left, and
writing a version durably (steps 1, 2, 4 and 5 of ``sez_metrics.storage.publish``).

Everything happens under an inter-process lock (``.publish.lock`` in the data folder: an OS lock,
released by the kernel when its holder dies, so a killed publish never leaves the store locked).
A failure before the manifest rename undoes everything, so every reader sees the store as
before; a crash at any point leaves at most what the next publish tidies.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.fsutil import durable_temp_file, fsync_dir, stale_temp_files, write_file_durably
from sez_metrics.storage.publish import PublishRefused, refuse_a_broken_chain
from sez_metrics.storage.store import (
    MANIFEST_FORMAT,
    ORPHANED_PREFIX,
    PENDING_PREFIX,
    TEMP_PREFIX,
    VERSION_FILES,
    VERSION_ID_PATTERN,
    VERSIONS_DIR,
    info_from_entry,
)

LOCK_NAME = ".publish.lock"
# How long a publish waits for another one to finish before giving up.
LOCK_TIMEOUT_S = 30
ORPHAN_RECORD_NAME = "publish-entry.json"
# Published data is read by the dashboard, which may run under another account than the steward's.
PUBLIC_FILE_MODE, PUBLIC_DIR_MODE = 0o644, 0o755

log = logging.getLogger(__name__)


class FolderPublishing:
    """A folder store's publish: under its lock, the store tidied and checked (steps 1 and 2);
    ``entries`` the manifest's entries; ``write`` adds one version (steps 4 and 5)."""

    def __init__(self, store: VersionStore):
        self.store = store
        self.entries: list[dict] = []
        self._lock = FileLock(str(store.root / LOCK_NAME), timeout=LOCK_TIMEOUT_S)

    def __enter__(self) -> FolderPublishing:
        self.store.root.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire()
        except Timeout as exc:
            raise PublishRefused(f"another publish has held the lock for over {LOCK_TIMEOUT_S} s; try again") from exc
        try:
            self.entries = _tidy_and_check_store(self.store)
        except BaseException:
            self._lock.release()
            raise
        return self

    def write(self, entry: dict, complete: dict[str, bytes]) -> None:
        _write_version(self.store, self.entries, entry, complete)
        self.entries = [*self.entries, entry]

    def __exit__(self, *exc_info) -> None:
        self._lock.release()


def _tidy_and_check_store(store: VersionStore) -> list[dict]:
    """Steps 1 and 2 of ``sez_metrics.storage.publish``; the manifest's entries (empty for a new store)."""
    manifest_exists = store.manifest_path.exists()
    entries = store.read_manifest_entries() if manifest_exists else []
    listed = {info_from_entry(e).id for e in entries}
    _tidy_interrupted(store, listed)
    unexplained = sorted(
        p.name for p in (store.versions_dir.iterdir() if store.versions_dir.is_dir() else [])
        if VERSION_ID_PATTERN.match(p.name) and p.name not in listed
    )
    if unexplained and not manifest_exists:
        raise PublishRefused(
            f"{store.manifest_path} is missing but {VERSIONS_DIR}/ holds {len(unexplained)} version folder(s) "
            f"({', '.join(unexplained)}); restore manifest.json from a backup"
        )
    if unexplained:
        raise PublishRefused(
            f"{VERSIONS_DIR}/{unexplained[0]} is not in the manifest and no interrupted publish explains it "
            "(was its manifest entry deleted?); restore manifest.json from a backup, or move the folder out of "
            f"{VERSIONS_DIR}/ if it is not wanted (run verify)"
        )
    refuse_a_broken_chain(store, entries)
    return entries


def _tidy_interrupted(store: VersionStore, listed: set[str]) -> None:
    """Clear what a killed publish left behind (we hold the lock, so none of it is in use)."""
    vdir = store.versions_dir
    tidied = False
    if vdir.is_dir():
        for path in sorted(vdir.glob(TEMP_PREFIX + "*")):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            log.info("removed %s, left by an interrupted publish (it was never a version)", path)
            tidied = True
        for record in sorted(vdir.glob(PENDING_PREFIX + "*.json")):
            vid = record.name[len(PENDING_PREFIX):-len(".json")]
            folder = vdir / vid
            if VERSION_ID_PATTERN.match(vid) and vid not in listed and folder.is_dir() and not folder.is_symlink():
                aside = _orphan_path(vdir, vid)
                os.rename(folder, aside)
                os.rename(record, aside / ORPHAN_RECORD_NAME)
                log.warning("%s was left by a publish interrupted before its manifest write; it was never published "
                            "and is kept as %s", folder, aside)
            else:  # its publish completed, or died before the folder appeared
                record.unlink()
            tidied = True
    for stale in stale_temp_files(store.manifest_path):
        stale.unlink()
        tidied = True
    if tidied and vdir.is_dir():
        fsync_dir(vdir)


def _orphan_path(vdir: Path, version_id: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path, n = vdir / f"{ORPHANED_PREFIX}{version_id}-{stamp}", 1
    while path.exists():
        n += 1
        path = vdir / f"{ORPHANED_PREFIX}{version_id}-{stamp}-{n}"
    return path


def _write_version(store: VersionStore, entries: list[dict], entry: dict, complete: dict[str, bytes]) -> None:
    """Steps 4 and 5 of ``sez_metrics.storage.publish``: write the version durably and add its entry to the manifest."""
    vdir, new_id = store.versions_dir, entry["id"]
    target = vdir / new_id
    if target.exists() or target.is_symlink():
        raise PublishRefused(f"version {new_id} already exists on disk; run verify")
    if not vdir.is_dir():
        vdir.mkdir(parents=True)
        fsync_dir(store.root)
    record = store.pending_record(new_id)
    try:
        write_file_durably(record, json.dumps(entry, indent=2, ensure_ascii=False).encode("utf-8"))
        fsync_dir(vdir)
    except BaseException:
        with suppress(OSError):
            record.unlink(missing_ok=True)
        raise
    manifest = {"format": MANIFEST_FORMAT, "versions": [*entries, entry]}
    manifest_bytes = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    tmp = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{new_id}-", dir=vdir))
    renamed = False
    try:
        os.chmod(tmp, PUBLIC_DIR_MODE)
        for name in VERSION_FILES:
            write_file_durably(tmp / name, complete[name])
        fsync_dir(tmp)
        os.rename(tmp, target)
        renamed = True
        fsync_dir(vdir)
        manifest_tmp = durable_temp_file(store.manifest_path, manifest_bytes, mode=PUBLIC_FILE_MODE)
        try:
            os.replace(manifest_tmp, store.manifest_path)  # the moment of publishing
        except BaseException:
            manifest_tmp.unlink(missing_ok=True)
            raise
    except BaseException:
        _undo(tmp, target, renamed, record)
        raise
    try:
        fsync_dir(store.root)
    except OSError as exc:
        # Keep the pending record: should a power cut lose the manifest rename, it tells the
        # next publish that the folder is an interrupted publish.
        log.warning("published %s, but could not confirm that the manifest is on disk (%s); run verify", new_id, exc)
        return
    try:
        record.unlink()
        fsync_dir(vdir)
    except OSError as exc:
        log.warning("published %s; its pending record stays until the next publish (%s)", new_id, exc)


def _undo(tmp: Path, target: Path, renamed: bool, record: Path) -> None:
    """Remove a version that failed before the manifest listed it; the pending record goes last."""
    folder = target if renamed else tmp
    if renamed:
        with suppress(OSError):
            os.rename(target, tmp)  # out of sight of version listings at once
            folder = tmp
    shutil.rmtree(folder, ignore_errors=True)
    if not folder.exists():
        with suppress(OSError):
            record.unlink(missing_ok=True)
    # else the record stays, and the next publish sets the leftover folder aside
