"""The versioned store: immutable dataset versions on disk, their manifest and its hash chain.

Layout of a data folder (``SEZ_DATA_DIR``)::

    manifest.json                 every version's entry, oldest first, chained by hash
    versions/<id>/zones.csv       the three tables of version <id>, never modified
    versions/<id>/status.csv
    versions/<id>/milestones.csv
    basemap/                      offline province polygons (not versioned)

A manifest entry records the version's metadata, each file's sha256 and byte count, the hash of
the previous entry (``prev_hash``) and its own hash (``entry_hash``, over everything else in the
entry). Editing, deleting or reordering an entry breaks the chain; flipping a byte in a file breaks
its hash. Every load verifies the version it returns.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from sez_metrics import schema
from sez_metrics.typed import to_typed

MANIFEST_NAME = "manifest.json"
VERSIONS_DIR = "versions"
MANIFEST_FORMAT = 1
VERSION_ID_PATTERN = re.compile(r"^v\d{4,}$")
VERSION_FILES = tuple(t.file_name for t in schema.TABLES.values())


class StoreError(Exception):
    """The store cannot be read at all (no manifest, unreadable manifest, no intact version)."""


@dataclass(frozen=True)
class FileRecord:
    sha256: str
    bytes: int


@dataclass(frozen=True)
class VersionInfo:
    """One manifest entry: a published version's metadata and the fingerprints of its files."""

    id: str
    label: str
    as_of: str
    published_at: str
    author: str
    note: str
    parent: str | None
    files: dict[str, FileRecord]
    prev_hash: str | None
    entry_hash: str

    def to_entry(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "as_of": self.as_of,
            "published_at": self.published_at,
            "author": self.author,
            "note": self.note,
            "parent": self.parent,
            "files": {name: {"sha256": r.sha256, "bytes": r.bytes} for name, r in sorted(self.files.items())},
            "prev_hash": self.prev_hash,
            "entry_hash": self.entry_hash,
        }

    @property
    def content_hash(self) -> str:
        """A fingerprint of the version's content (its files' hashes), used as a cache key."""
        joined = "|".join(f"{n}:{r.sha256}" for n, r in sorted(self.files.items()))
        return hashlib.sha256(joined.encode()).hexdigest()

    @property
    def display(self) -> str:
        return f"{self.label} ({self.id}, as of {self.as_of})"


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
class Dataset:
    """One version's three tables, typed per the schema."""

    info: VersionInfo
    zones: pd.DataFrame
    status: pd.DataFrame
    milestones: pd.DataFrame

    def table(self, name: str) -> pd.DataFrame:
        return {"zones": self.zones, "status": self.status, "milestones": self.milestones}[name]


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


def entry_hash(entry: dict) -> str:
    """sha256 of the entry's canonical JSON without its own ``entry_hash``."""
    body = {k: v for k, v in entry.items() if k != "entry_hash"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _info_from_entry(entry: dict) -> VersionInfo:
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


def parse_csv_bytes(data: bytes, table: schema.Table) -> pd.DataFrame:
    """Parse a stored (already validated) CSV into a frame of strings, empty cells as "".

    Every column is read as text (so ``007`` stays ``007``); ``to_typed`` converts afterwards.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    parsed = pacsv.read_csv(
        io.BytesIO(data),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in table.column_names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
    )
    frame = parsed.to_pandas()
    return frame.map(lambda v: v.strip() if isinstance(v, str) else v) if len(frame) else frame


class VersionStore:
    """Read access to a data folder's versions (publishing lives in ``sez_metrics.publish``)."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST_NAME

    @property
    def versions_dir(self) -> Path:
        return self.root / VERSIONS_DIR

    def version_dir(self, version_id: str) -> Path:
        if not VERSION_ID_PATTERN.match(version_id):
            raise StoreError(f"{version_id!r} is not a version id (expected v0001, v0002, …)")
        return self.versions_dir / version_id

    # --- manifest -------------------------------------------------------------------------

    def read_manifest_entries(self) -> list[dict]:
        """The manifest's raw entries, oldest first."""
        try:
            raw = self.manifest_path.read_bytes()
        except FileNotFoundError as exc:
            raise StoreError(f"{self.manifest_path}: no manifest; this folder holds no published version") from exc
        except OSError as exc:
            raise StoreError(f"{self.manifest_path}: cannot read: {exc.strerror}") from exc
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StoreError(f"{self.manifest_path}: not valid JSON ({exc}); restore it from a backup") from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("versions"), list):
            raise StoreError(f"{self.manifest_path}: expected an object with a 'versions' list")
        return doc["versions"]

    def versions(self) -> list[VersionInfo]:
        """Every version in the manifest, oldest first."""
        return [_info_from_entry(e) for e in self.read_manifest_entries()]

    def version(self, version_id: str) -> VersionInfo:
        for info in self.versions():
            if info.id == version_id:
                return info
        raise StoreError(f"no version {version_id!r} in {self.manifest_path}")

    def latest(self) -> VersionInfo | None:
        versions = self.versions()
        return versions[-1] if versions else None

    # --- integrity ------------------------------------------------------------------------

    def _check_entry_chain(self, entries: list[dict]) -> dict[str, list[IntegrityProblem]]:
        """Problems of each entry's own hash and of its link to the entry before it."""
        found: dict[str, list[IntegrityProblem]] = {}
        prev: str | None = None
        seen: set[str] = set()
        for index, entry in enumerate(entries):
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

    def _check_files(self, info: VersionInfo) -> list[IntegrityProblem]:
        problems = []
        folder = self.versions_dir / info.id
        if not folder.is_dir():
            return [IntegrityProblem(info.id, str(folder), "version folder is missing")]
        expected = set(info.files)
        for name in sorted(set(VERSION_FILES) - expected):
            problems.append(IntegrityProblem(info.id, f"{MANIFEST_NAME} ({info.id})", f"the entry lists no {name}"))
        for name in sorted(expected):
            path = folder / name
            record = info.files[name]
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                problems.append(IntegrityProblem(info.id, str(path), "file is missing"))
                continue
            except OSError as exc:
                problems.append(IntegrityProblem(info.id, str(path), f"cannot read: {exc.strerror}"))
                continue
            if len(data) != record.bytes:
                problems.append(IntegrityProblem(info.id, str(path), f"size is {len(data)} bytes, manifest says {record.bytes} (truncated or extended)"))
            elif sha256_bytes(data) != record.sha256:
                problems.append(IntegrityProblem(info.id, str(path), "sha256 mismatch: the file was altered after publishing"))
        for extra in sorted(p.name for p in folder.iterdir() if p.name not in expected):
            problems.append(IntegrityProblem(info.id, str(folder / extra), "unexpected file in a published version"))
        return problems

    def verify(self) -> list[IntegrityProblem]:
        """Check every file hash, byte count and the manifest chain; empty list = intact."""
        entries = self.read_manifest_entries()
        chain = self._check_entry_chain(entries)
        problems: list[IntegrityProblem] = []
        known = set()
        for entry in entries:
            info = _info_from_entry(entry)
            known.add(info.id)
            problems.extend(chain.get(info.id, []))
            problems.extend(self._check_files(info))
        if self.versions_dir.is_dir():
            for folder in sorted(self.versions_dir.iterdir()):
                if folder.name not in known:
                    problems.append(IntegrityProblem(folder.name, str(folder), "folder is not in the manifest (unpublished or its entry was deleted)"))
        return problems

    # --- loading --------------------------------------------------------------------------

    def _read_verified(self, info: VersionInfo, chain_problems: list[IntegrityProblem]) -> tuple[Dataset | None, list[IntegrityProblem]]:
        """Read a version's files once, hashing the very bytes that are parsed."""
        problems = list(chain_problems)
        folder = self.versions_dir / info.id
        frames: dict[str, pd.DataFrame] = {}
        for table in schema.TABLES.values():
            path = folder / table.file_name
            record = info.files.get(table.file_name)
            if record is None:
                problems.append(IntegrityProblem(info.id, f"{MANIFEST_NAME} ({info.id})", f"the entry lists no {table.file_name}"))
                continue
            try:
                data = path.read_bytes()
            except OSError:
                problems.append(IntegrityProblem(info.id, str(path), "file is missing or unreadable"))
                continue
            if len(data) != record.bytes:
                problems.append(IntegrityProblem(info.id, str(path), f"size is {len(data)} bytes, manifest says {record.bytes} (truncated or extended)"))
                continue
            if sha256_bytes(data) != record.sha256:
                problems.append(IntegrityProblem(info.id, str(path), "sha256 mismatch: the file was altered after publishing"))
                continue
            try:
                frames[table.name] = to_typed(table, parse_csv_bytes(data, table))
            except (ValueError, KeyError, pa.ArrowInvalid) as exc:
                problems.append(IntegrityProblem(info.id, str(path), f"cannot be parsed: {exc}"))
        if problems:
            return None, problems
        return Dataset(info, frames["zones"], frames["status"], frames["milestones"]), []

    def load(self, version_id: str | None = None) -> LoadResult:
        """Load ``version_id`` (default: the latest), verified.

        When that version is damaged, the newest intact version is served instead and every
        problem met is listed in the result; ``StoreError`` when no version is intact.
        """
        entries = self.read_manifest_entries()
        if not entries:
            raise StoreError(f"{self.manifest_path}: the manifest lists no version")
        chain = self._check_entry_chain(entries)
        infos = [_info_from_entry(e) for e in entries]
        problems: list[IntegrityProblem] = []
        if version_id is not None:
            if not any(i.id == version_id for i in infos):
                problems.append(IntegrityProblem(version_id, f"version {version_id}", "no such version; showing the latest intact one"))
            else:
                target = next(i for i in infos if i.id == version_id)
                dataset, found = self._read_verified(target, chain.get(target.id, []))
                if dataset is not None:
                    return LoadResult(dataset, version_id, [])
                problems.extend(found)
        for info in reversed(infos):
            if info.id == version_id:
                continue
            dataset, found = self._read_verified(info, chain.get(info.id, []))
            if dataset is not None:
                return LoadResult(dataset, version_id, problems)
            problems.extend(found)
        raise StoreError("no intact version: " + "; ".join(p.format_line() for p in problems))
