"""The versioned store: immutable dataset versions on disk, their manifest and its hash chain.

Layout of a data folder (``SEZ_DATA_DIR``)::

    manifest.json                 every version's entry, oldest first, chained by hash
    versions/<id>/zones.csv       the three tables of version <id>, never modified
    versions/<id>/status.csv
    versions/<id>/milestones.csv
    basemap/                      offline province polygons (not versioned)
    .publish.lock                 held by the one publish at work (see ``sez_metrics.publish``)

Publishing works inside ``versions/`` under dot-prefixed names that are never taken for a
version: ``.tmp-<id>-*`` (a version folder being written), ``.pending-<id>.json`` (the entry of a
publish in progress, until the manifest lists it) and ``.orphaned-<id>-<time>`` (the folder of a
publish that was interrupted between its folder rename and its manifest write, set aside by the
next publish and never deleted).

A manifest entry records the version's metadata, each file's sha256 and byte count, the hash of
the previous entry (``prev_hash``) and its own hash (``entry_hash``, over everything else in the
entry). Editing, deleting or reordering an entry breaks the chain; flipping a byte in a file breaks
its hash; deleting the last entry leaves its folder unlisted, which ``verify`` reports. Every load
verifies the version it returns. The chain cannot detect the last entry edited together with its
files and its own hash recomputed: that needs a copy of the manifest kept elsewhere (a backup).
"""

from __future__ import annotations

import hashlib
import io
import json
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
TEMP_PREFIX = ".tmp-"
PENDING_PREFIX = ".pending-"
ORPHANED_PREFIX = ".orphaned-"


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
    # Column-wise strip, as the validator's reader does (csvio): a per-cell lambda cost ~0.6 s per 50,000 rows.
    return frame.apply(lambda column: column.astype("str").str.strip()) if len(frame) else frame


def dataset_from_files(info: VersionInfo, files: dict[str, bytes]) -> Dataset:
    """A typed ``Dataset`` from the three files' bytes (already validated or verified).

    Also used to preview an update that is not published yet. Raises ``ValueError`` (or
    ``pyarrow.ArrowInvalid``) when a file does not parse or convert.
    """
    frames = {t.name: to_typed(t, parse_csv_bytes(files[t.file_name], t)) for t in schema.TABLES.values()}
    return Dataset(info, frames["zones"], frames["status"], frames["milestones"])


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

    def pending_record(self, version_id: str) -> Path:
        """Where publish keeps the entry of version ``version_id`` until the manifest lists it."""
        return self.versions_dir / f"{PENDING_PREFIX}{version_id}.json"

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
        if not isinstance(doc.get("format"), int) or doc["format"] > MANIFEST_FORMAT:
            raise StoreError(f"{self.manifest_path}: manifest format {doc.get('format')!r} is not one this program reads (≤ {MANIFEST_FORMAT})")
        return doc["versions"]

    def versions(self) -> list[VersionInfo]:
        """Every version in the manifest, oldest first."""
        return [info_from_entry(e) for e in self.read_manifest_entries()]

    def version(self, version_id: str) -> VersionInfo:
        for info in self.versions():
            if info.id == version_id:
                return info
        raise StoreError(f"no version {version_id!r} in {self.manifest_path}")

    def latest(self) -> VersionInfo | None:
        versions = self.versions()
        return versions[-1] if versions else None

    # --- integrity ------------------------------------------------------------------------

    @staticmethod
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

    def read_version_files(self, info: VersionInfo) -> tuple[dict[str, bytes], list[IntegrityProblem]]:
        """The version's files as bytes, each checked against its byte count and sha256.

        Returns only the files that match; every mismatch or missing file is a problem. The bytes
        returned are the very bytes hashed, so a file changing after the check cannot slip in.
        """
        folder = self.versions_dir / info.id
        if not folder.is_dir():
            return {}, [IntegrityProblem(info.id, str(folder), "version folder is missing")]
        files: dict[str, bytes] = {}
        problems: list[IntegrityProblem] = []
        for name in VERSION_FILES:
            path = folder / name
            record = info.files.get(name)
            if record is None:
                problems.append(IntegrityProblem(info.id, f"{MANIFEST_NAME} ({info.id})", f"the entry lists no {name}"))
                continue
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
            else:
                files[name] = data
        return files, problems

    def _check_files(self, info: VersionInfo) -> list[IntegrityProblem]:
        _, problems = self.read_version_files(info)
        folder = self.versions_dir / info.id
        if folder.is_dir():
            for extra in sorted(p.name for p in folder.iterdir() if p.name not in VERSION_FILES):
                problems.append(IntegrityProblem(info.id, str(folder / extra), "unexpected file in a published version"))
        return problems

    def _unlisted(self, known: set[str]) -> list[IntegrityProblem]:
        """Entries of ``versions/`` that no manifest entry accounts for (publish's own dot-names aside)."""
        if not self.versions_dir.is_dir():
            return []
        problems = []
        for path in sorted(self.versions_dir.iterdir()):
            name = path.name
            if name in known or name.startswith((TEMP_PREFIX, PENDING_PREFIX, ORPHANED_PREFIX)):
                continue
            if not VERSION_ID_PATTERN.match(name):
                problems.append(IntegrityProblem("", str(path), "not a version folder: nothing but version folders belongs here"))
            elif self.pending_record(name).exists():
                problems.append(IntegrityProblem(name, str(path), "folder is not in the manifest: a publish was interrupted before "
                                                 f"its manifest write; the next publish moves it to {VERSIONS_DIR}/{ORPHANED_PREFIX}{name}-<time>"))
            else:
                problems.append(IntegrityProblem(name, str(path), "folder is not in the manifest and no interrupted publish explains it "
                                                 "(was its manifest entry deleted?); restore manifest.json from a backup"))
        return problems

    def verify(self) -> list[IntegrityProblem]:
        """Check every file hash, byte count and the manifest chain; empty list = intact.

        Names each problem's file or manifest entry. Raises ``StoreError`` only when the manifest
        cannot be read at all and there is no version folder either (nothing was ever published).
        """
        try:
            entries = self.read_manifest_entries()
        except StoreError as exc:
            unlisted = self._unlisted(set())
            if not unlisted:
                raise
            return [IntegrityProblem("", str(self.manifest_path), f"{exc}; {len(unlisted)} folder(s) in {VERSIONS_DIR}/ are listed nowhere"), *unlisted]
        chain = self.chain_problems(entries)
        problems: list[IntegrityProblem] = []
        known = set()
        for index, entry in enumerate(entries):
            try:
                info = info_from_entry(entry)
            except StoreError as exc:
                problems.append(IntegrityProblem("", f"{MANIFEST_NAME} entry {index + 1}", str(exc)))
                continue
            known.add(info.id)
            problems.extend(chain.get(info.id, []))
            problems.extend(self._check_files(info))
        problems.extend(self._unlisted(known))
        return problems

    # --- loading --------------------------------------------------------------------------

    def _read_verified(self, info: VersionInfo, chain_problems: list[IntegrityProblem]) -> tuple[Dataset | None, list[IntegrityProblem]]:
        """Read a version's files once, hashing the very bytes that are parsed."""
        files, problems = self.read_version_files(info)
        problems = list(chain_problems) + problems
        if problems:
            return None, problems
        try:
            return dataset_from_files(info, files), []
        except (ValueError, KeyError, pa.ArrowInvalid) as exc:
            return None, [IntegrityProblem(info.id, str(self.versions_dir / info.id), f"cannot be parsed: {exc}")]

    def load(self, version_id: str | None = None) -> LoadResult:
        """Load ``version_id`` (default: the latest), verified.

        When that version is damaged, the newest intact version is served instead and every
        problem met is listed in the result; ``StoreError`` when no version is intact.
        """
        entries = self.read_manifest_entries()
        if not entries:
            raise StoreError(f"{self.manifest_path}: the manifest lists no version")
        chain = self.chain_problems(entries)
        infos = [info_from_entry(e) for e in entries]
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
