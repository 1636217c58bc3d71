"""What a store is, whichever holds it: its records (manifest entries, integrity problems, typed
datasets), the manifest's hash chain, its fingerprint, and ``open_store``.

A manifest entry records the version's metadata, each file's sha256 and byte count, the hash of
the previous entry (``prev_hash``) and its own hash (``entry_hash``, over everything else in the
entry). Editing, deleting or reordering an entry breaks the chain; flipping a byte in a file breaks
its hash. Every load verifies the version it returns. The chain cannot detect the last entry
edited together with its files and its own hash recomputed: that needs a copy of the manifest
kept elsewhere (a backup). The stores themselves: ``sez_metrics.storage.folder`` (a data folder)
and ``sez_metrics.storage.pgstore`` (a PostgreSQL database).
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from sez_metrics.core import schema
from sez_metrics.core.dataset import Dataset, FileRecord, VersionInfo

MANIFEST_NAME = "manifest.json"
VERSIONS_DIR = "versions"
MANIFEST_FORMAT = 1
VERSION_ID_PATTERN = re.compile(r"^v\d{4,}$")
VERSION_FILES = tuple(t.file_name for t in schema.TABLES.values())
TEMP_PREFIX = ".tmp-"
PENDING_PREFIX = ".pending-"
ORPHANED_PREFIX = ".orphaned-"


class StoreError(Exception):
    """The store cannot be read at all (no manifest, unreadable manifest, no intact version)."""


class VersionDamaged(StoreError):
    """The version asked for exists, but fails its integrity check; the message names why."""


class StoreUnavailable(StoreError):
    """The store cannot be reached right now (its database is down or refuses connections).

    Nothing is wrong with what it holds: the same request succeeds once it is back.
    """


NO_SUCH_VERSION = "no such version"


@dataclass(frozen=True)
class IntegrityProblem:
    """Something wrong in the store, naming the version and file or manifest entry."""

    version_id: str
    where: str
    message: str

    def format_line(self) -> str:
        prefix = f"{self.version_id}: " if self.version_id else ""
        return f"{self.where}: {prefix}{self.message}"


@dataclass
class LoadResult:
    """What a load returned: the dataset served, and every problem met on the way to it."""

    dataset: Dataset
    requested_id: str | None
    problems: list[IntegrityProblem] = field(default_factory=list)

    @property
    def fell_back(self) -> bool:
        """True when the version served is not the one asked for (or not the latest)."""
        return bool(self.problems) and (self.requested_id is None or self.dataset.info.id != self.requested_id)

    def exact(self, version_id: str) -> Dataset:
        """The dataset if it is version ``version_id`` itself and passed its check, never a fallback
        to another version; ``VersionDamaged`` otherwise."""
        if self.dataset.info.id != version_id or self.problems:
            reasons = "; ".join(p.format_line() for p in self.problems if p.version_id == version_id) or "failed verification"
            raise VersionDamaged(f"version {version_id} is damaged ({reasons}); run verify")
        return self.dataset


def entry_hash(entry: dict) -> str:
    """sha256 of the entry's canonical JSON without its own ``entry_hash``."""
    body = {k: v for k, v in entry.items() if k != "entry_hash"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def info_from_entry(entry: dict) -> VersionInfo:
    """The entry as a ``VersionInfo``; ``StoreError`` when malformed or when its id or file names
    could lead outside the data folder (they become paths)."""
    if not isinstance(entry, dict):
        raise StoreError(f"{MANIFEST_NAME}: malformed entry {entry!r:.80}: not an object")
    vid = entry.get("id")
    if not isinstance(vid, str) or not VERSION_ID_PATTERN.match(vid):
        raise StoreError(f"{MANIFEST_NAME}: malformed entry {vid!r:.40}: the id is not a version id like v0001")
    names = entry.get("files")
    if not isinstance(names, dict) or any(n not in VERSION_FILES for n in names):
        raise StoreError(f"{MANIFEST_NAME}: malformed entry {vid}: files must be among {', '.join(VERSION_FILES)}")
    try:
        return VersionInfo(
            id=str(entry["id"]),
            label=str(entry.get("label", "")),
            as_of=str(entry["as_of"]),
            published_at=str(entry.get("published_at", "")),
            author=str(entry.get("author", "")),
            note=str(entry.get("note", "")),
            parent=entry.get("parent"),
            files={str(n): FileRecord(str(r["sha256"]), int(r["bytes"])) for n, r in dict(entry["files"]).items()},
            prev_hash=entry.get("prev_hash"),
            entry_hash=str(entry.get("entry_hash", "")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise StoreError(f"{MANIFEST_NAME}: malformed entry {entry!r:.80}: {exc}") from exc


def chain_problems(entries: list[dict]) -> dict[str, list[IntegrityProblem]]:
    """Problems of each entry's own hash and of its link to the entry before it, by version id."""
    found: dict[str, list[IntegrityProblem]] = {}
    prev: str | None = None
    seen: set[str] = set()
    for index, raw in enumerate(entries):
        entry = raw if isinstance(raw, dict) else {}
        vid = str(entry.get("id", f"#{index + 1}"))
        where = f"{MANIFEST_NAME} entry {index + 1} ({vid})"
        problems = found.setdefault(vid, [])
        if vid in seen:
            problems.append(IntegrityProblem(vid, where, "duplicate version id in the manifest"))
        seen.add(vid)
        if entry.get("entry_hash") != entry_hash(entry):
            problems.append(IntegrityProblem(vid, where, "entry hash mismatch: the entry was edited after publishing"))
        if entry.get("prev_hash") != prev:
            problems.append(
                IntegrityProblem(vid, where, "chain broken: prev_hash does not match the entry before it (an entry was edited, removed or reordered)")
            )
        prev = entry.get("entry_hash")
    return found


def manifest_entries(raw: bytes, path: str) -> list[dict]:
    """The entries of a manifest's bytes (``path`` names it in messages); ``StoreError`` when unreadable."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(f"{path}: not valid JSON ({exc}); restore it from a backup") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("versions"), list):
        raise StoreError(f"{path}: expected an object with a 'versions' list")
    if not isinstance(doc.get("format"), int) or doc["format"] > MANIFEST_FORMAT:
        raise StoreError(f"{path}: manifest format {doc.get('format')!r} is not one this program reads (≤ {MANIFEST_FORMAT})")
    return doc["versions"]


@functools.lru_cache(maxsize=8)
def checked_manifest(raw: bytes, path: str) -> tuple[tuple[VersionInfo, ...], dict[str, tuple[IntegrityProblem, ...]]]:
    """The versions a manifest lists and the problems of its hash chain, by version id.

    A function of the manifest's bytes alone, so a load re-reads the manifest every time but
    checks a chain it has already checked, byte for byte the same, only once.
    """
    entries = manifest_entries(raw, path)
    if not entries:
        raise StoreError(f"{path}: the manifest lists no version")
    chain = {vid: tuple(found) for vid, found in chain_problems(entries).items()}
    return tuple(info_from_entry(e) for e in entries), chain


# --- one interface, two stores --------------------------------------------------------------


def digest_of(parts: object) -> str:
    """sha256 of the repr of ``parts`` (stamps, rows): a short cache key."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@dataclass(frozen=True)
class StoreFingerprint:
    """What a store looks like now, as one digest (``digest``: any write changes it) and one per
    version (``version(id)``: a change of that version's files changes it). The one key of every
    cache that must follow the store: a folder's file stamps, a database's row versions."""

    digest: str
    versions: tuple[tuple[str, str], ...]

    def version(self, version_id: str) -> str:
        """The part of the fingerprint that covers ``version_id``'s files ("" when it has none)."""
        return dict(self.versions).get(version_id, "")


class Store(Protocol):
    """What the app and every command use of a store, whichever holds it: a folder
    (``VersionStore``) or a PostgreSQL database (``sez_metrics.storage.pgstore.PgStore``).

    Both keep the same manifest entries (same ``entry_hash`` chain) and the same file bytes, so a
    version copied from one to the other is byte for byte the same version.
    """

    @property
    def location(self) -> str: ...

    @property
    def address(self) -> str: ...

    def has_manifest(self) -> bool: ...

    def read_manifest_entries(self) -> list[dict]: ...

    def versions(self) -> list[VersionInfo]: ...

    def version(self, version_id: str) -> VersionInfo: ...

    def latest(self) -> VersionInfo | None: ...

    def chain_problems(self, entries: list[dict]) -> dict[str, list[IntegrityProblem]]: ...

    def read_version_files(self, info: VersionInfo) -> tuple[dict[str, bytes], list[IntegrityProblem]]: ...

    def verify(self) -> list[IntegrityProblem]: ...

    def load(self, version_id: str | None = None) -> LoadResult: ...

    def fingerprint(self) -> StoreFingerprint: ...

    def publishing(self): ...


@runtime_checkable
class SharesVerdicts(Protocol):
    """A store whose processes hand one another their verdicts (``storage.verdicts``): a database
    store, whose replicas are separate processes, often on separate hosts."""

    def adopt_verdicts(self) -> int: ...

    def share_verdicts(self) -> int: ...


POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(location: object) -> bool:
    return isinstance(location, str) and location.strip().lower().startswith(POSTGRES_SCHEMES)


def open_store(location: Store | Path | str | None = None) -> Store:
    """The store at ``location``: a ``postgresql://`` URL opens the database store, anything else
    is a folder. ``None``: the configured one (``SEZ_STORE``, else ``SEZ_DATA_DIR``, else ``data/``)."""
    if location is None:
        from sez_metrics.core.settings import store_location

        location = store_location()
    from sez_metrics.storage.folder import VersionStore

    if isinstance(location, (VersionStore,)) or (not isinstance(location, (str, os.PathLike)) and hasattr(location, "load")):
        return location  # already a store
    if is_database_url(location):
        from sez_metrics.storage.pgstore import PgStore

        return PgStore(str(location).strip())
    return VersionStore(Path(location))
