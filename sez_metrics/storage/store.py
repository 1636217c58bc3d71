"""The versioned store: immutable dataset versions on disk, their manifest and its hash chain.

Layout of a data folder (``SEZ_DATA_DIR``)::

    manifest.json                 every version's entry, oldest first, chained by hash
    versions/<id>/zones.csv       the three tables of version <id>, never modified
    versions/<id>/status.csv
    versions/<id>/milestones.csv
    basemap/                      offline province polygons (not versioned)
    .publish.lock                 held by the one publish at work (see ``sez_metrics.storage.publish``)

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

import functools
import hashlib
import json
import os
import queue
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from sez_metrics.core import schema
from sez_metrics.core.typed import NeedsText, read_types, start_stripping, typed_tables

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


class StoreUnavailable(StoreError):
    """The store cannot be reached right now (its database is down or refuses connections).

    Nothing is wrong with what it holds: the same request succeeds once it is back.
    """


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


# A line break inside a quoted cell belongs to the cell. Without a quote in the file there is
# no such cell, and the reader splits records faster when told so.
_PARSE_OPTIONS = {quoted: pacsv.ParseOptions(newlines_in_values=quoted) for quoted in (False, True)}
# Every column as text (so ``007`` stays ``007``), empty cells as "".
_AS_TEXT = {
    t.name: pacsv.ConvertOptions(column_types={name: pa.string() for name in t.column_names},
                                 strings_can_be_null=False, quoted_strings_can_be_null=False)
    for t in schema.TABLES.values()
}
# Numbers, integers and dates typed by the reader, empty cells as nulls; the rest as text (by
# table name). UTF-8 is not checked while reading: every text cell goes through
# utf8_trim_whitespace, which refuses invalid UTF-8, and the files are then read again as text,
# checked (and refused).
_TYPED = {
    t.name: pacsv.ConvertOptions(column_types=read_types(t), null_values=[""], strings_can_be_null=False,
                                 quoted_strings_can_be_null=False, check_utf8=False)
    for t in schema.TABLES.values()
}
# Small files parse faster on the calling thread than through Arrow's thread pool; larger ones
# are cut in blocks of a quarter of the file (256 KiB to 1 MiB), for every core to take some.
_THREADED_FROM_BYTES = 1 << 18
_ON_THIS_THREAD = pacsv.ReadOptions(use_threads=False)


def read_csv_strings(data: bytes, table: schema.Table) -> pa.Table:
    """The stored CSV as Arrow, the table's columns as text exactly as written (not stripped).

    The store reads its CSVs with this reader alone (``dataset_from_files`` with some columns
    typed, same records); ``parse_csv_bytes``, which the validator compares with its own
    reading, starts here.
    """
    return _read_csv(data, _AS_TEXT[table.name])


def _read_csv(data: bytes | pa.Buffer, convert_options: pacsv.ConvertOptions) -> pa.Table:
    if isinstance(data, pa.Buffer):
        buffer, quoted = data, 34 in np.frombuffer(data, dtype=np.uint8)  # 34 = '"'
    else:
        buffer, quoted = pa.py_buffer(data), b'"' in data
    if bytes(memoryview(buffer)[:3]) == b"\xef\xbb\xbf":
        buffer = buffer.slice(3)
    if len(data) < _THREADED_FROM_BYTES:
        read_options = _ON_THIS_THREAD
    else:
        read_options = pacsv.ReadOptions(use_threads=True, block_size=min(max(len(data) // 4, 1 << 18), 1 << 20))
    return pacsv.read_csv(pa.BufferReader(buffer), read_options=read_options,
                          convert_options=convert_options, parse_options=_PARSE_OPTIONS[bool(quoted)])


def parse_csv_bytes(data: bytes, table: schema.Table) -> pd.DataFrame:
    """Parse a stored (already validated) CSV into a frame of strings, stripped, empty cells as "".

    ``to_typed`` converts afterwards.
    """
    parsed = read_csv_strings(data, table)
    columns = []
    for column in parsed.columns:
        if column.type != pa.string():  # a column the schema does not know (a blank header)
            column = column.cast(pa.string())
        columns.append(pc.utf8_trim_whitespace(column))
    return pa.table(columns, names=parsed.column_names).to_pandas()


def dataset_from_files(info: VersionInfo, files: dict[str, bytes | pa.Buffer]) -> Dataset:
    """A typed ``Dataset`` from the three files' bytes (already validated or verified).

    Also used to preview an update that is not published yet. Raises ``ValueError`` (or
    ``pyarrow.ArrowInvalid``) when a file does not parse or convert.
    """
    # Numbers and dates are typed by the CSV reader itself; a cell it refuses (" ", "+5" in an
    # integer column, …) makes the files read again as text, typed as to_typed types them.
    try:
        # The largest file first: its text is stripped on a second thread while the others parse.
        parsed, stripping = {}, {}
        for t in sorted(schema.TABLES.values(), key=lambda t: -len(files[t.file_name])):
            parsed[t.name] = _columns(_read_csv(files[t.file_name], _TYPED[t.name]), t)
            if not stripping and (begun := start_stripping(*parsed[t.name])) is not None:
                stripping[t.name] = begun
        zones, status, milestones = typed_tables([parsed[t.name] for t in schema.TABLES.values()], stripping)
    except (pa.ArrowInvalid, NeedsText):
        tables = [_columns(read_csv_strings(files[t.file_name], t), t) for t in schema.TABLES.values()]
        zones, status, milestones = typed_tables(tables)
    return Dataset(info, zones, status, milestones)


def _columns(parsed: pa.Table, table: schema.Table) -> tuple[schema.Table, dict[str, pa.ChunkedArray], int]:
    present = set(parsed.column_names)
    return table, {name: parsed.column(name) for name in table.column_names if name in present}, parsed.num_rows


_PARSE_ERRORS = (ValueError, KeyError, OverflowError, pa.ArrowInvalid)
# From this many bytes a load hashes its files on a second thread while parsing them.
_HASH_ALONGSIDE_FROM = 1 << 20


def _read_into_arrow(path: Path) -> pa.Buffer:
    """The file's bytes in a buffer from Arrow's memory pool."""
    with path.open("rb") as file:
        size = os.fstat(file.fileno()).st_size
        buffer = pa.allocate_buffer(size)
        if file.readinto(memoryview(buffer)) == size and not file.read(1):
            return buffer
    return pa.py_buffer(path.read_bytes())  # the file changed while being read: read it again, whole


class _Hashing(threading.Thread):
    """The sha256 of files handed over one by one, computed on a thread of its own as they come
    (hashlib releases the GIL, so the files are read and parsed meanwhile)."""

    def __init__(self):
        super().__init__(name="sez-store-hash", daemon=True)
        self._files: queue.SimpleQueue = queue.SimpleQueue()
        self._digests: dict[str, str] = {}
        self._error: BaseException | None = None
        self.start()

    def add(self, name: str, data: bytes | pa.Buffer) -> None:
        self._files.put((name, data))

    def run(self) -> None:
        while (item := self._files.get()) is not None:
            try:
                self._digests[item[0]] = sha256_bytes(item[1])
            except BaseException as exc:  # handed to the waiting thread
                self._error = exc

    def digests(self) -> dict[str, str]:
        """Every file's digest, once all are computed."""
        self._files.put(None)
        self.join()
        if self._error is not None:
            raise self._error
        return self._digests


def _manifest_entries(raw: bytes, path: str) -> list[dict]:
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
def _checked_manifest(raw: bytes, path: str) -> tuple[tuple[VersionInfo, ...], dict[str, tuple[IntegrityProblem, ...]]]:
    """The versions a manifest lists and the problems of its hash chain, by version id.

    A function of the manifest's bytes alone, so a load re-reads the manifest every time but
    checks a chain it has already checked, byte for byte the same, only once.
    """
    entries = _manifest_entries(raw, path)
    if not entries:
        raise StoreError(f"{path}: the manifest lists no version")
    chain = {vid: tuple(found) for vid, found in VersionStore.chain_problems(entries).items()}
    return tuple(info_from_entry(e) for e in entries), chain


class VersionStore:
    """Read access to a data folder's versions (publishing lives in ``sez_metrics.storage.publish``)."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    @property
    def location(self) -> str:
        """Where the store is, as people and commands name it (here: the folder's path)."""
        return str(self.root)

    @property
    def address(self) -> str:
        """What ``open_store`` opens this store from again (a cache key; may hold a password)."""
        return str(self.root)

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST_NAME

    def has_manifest(self) -> bool:
        """True once something was published here (a manifest exists, intact or not)."""
        return self.manifest_path.exists()

    def _file_where(self, version_id: str, name: str) -> str:
        """How a problem names a version's file."""
        return str(self.versions_dir / version_id / name)

    def _version_where(self, version_id: str) -> str:
        return str(self.versions_dir / version_id)

    def stamp(self, version_ids: Iterable[str]) -> str:
        """A digest of the size, times and inode of every file of the versions, for cache keys.

        Versions never change under their id, so this is a guard, not a freshness check: a file
        edited or damaged on disk changes the digest, and the next load verifies it again.
        """
        digest = hashlib.sha256()
        for vid in version_ids:
            for name in VERSION_FILES:
                try:
                    info = os.stat(self.versions_dir / vid / name)
                    # ctime and inode too: a copy or an edit that restores the old mtime still changes them
                    digest.update(f"{vid}/{name}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino};".encode())
                except OSError:
                    digest.update(f"{vid}/{name}:missing;".encode())
        return digest.hexdigest()

    def stamps(self, version_ids: Iterable[str]) -> dict[str, str]:
        """``stamp`` of each version on its own, by id (one look at the store for them all)."""
        return {vid: self.stamp([vid]) for vid in version_ids}

    def fingerprint(self) -> str:
        """A digest of the names, sizes, times and inodes of the manifest and of everything under
        ``versions/``: writing, replacing, adding, removing or renaming any file there (publishing
        included) changes it. The key of caches that must follow the store as a whole."""
        def entry(path: str) -> tuple:
            try:
                s = os.stat(path)
            except OSError:
                return (path, None)
            return (path, s.st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_ino)

        root = os.fspath(self.root)
        versions = os.path.join(root, VERSIONS_DIR)
        found = [entry(os.path.join(root, MANIFEST_NAME)), entry(versions)]
        try:
            with os.scandir(versions) as folders:
                names = sorted(f.name for f in folders)
        except OSError:
            names = []
        for name in names:
            folder = os.path.join(versions, name)
            found.append(entry(folder))
            if os.path.isdir(folder):
                with os.scandir(folder) as files:
                    found += [entry(f.path) for f in sorted(files, key=lambda f: f.name)]
        return hashlib.sha256(repr(found).encode()).hexdigest()

    def publishing(self):
        """The context in which one publish (or copy) appends versions: see ``sez_metrics.storage.publish``."""
        from sez_metrics.storage.folder_publish import FolderPublishing

        return FolderPublishing(self)

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
        return _manifest_entries(self._manifest_bytes(), str(self.manifest_path))

    def _manifest_bytes(self) -> bytes:
        try:
            return self.manifest_path.read_bytes()
        except FileNotFoundError as exc:
            raise StoreError(f"{self.manifest_path}: no manifest; this folder holds no published version") from exc
        except OSError as exc:
            raise StoreError(f"{self.manifest_path}: cannot read: {exc.strerror}") from exc

    def versions(self) -> list[VersionInfo]:
        """Every version in the manifest, oldest first."""
        return [info_from_entry(e) for e in self.read_manifest_entries()]

    def version(self, version_id: str) -> VersionInfo:
        for info in self.versions():
            if info.id == version_id:
                return info
        raise StoreError(f"no version {version_id!r} in {self.location}")

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
        return self._hashes_checked(info, self._read_sized(info))

    def _hashes_checked(self, info: VersionInfo, outcomes: list[tuple[str, bytes | pa.Buffer | IntegrityProblem]]) -> tuple[dict, list[IntegrityProblem]]:
        files = {}
        problems: list[IntegrityProblem] = []
        for name, outcome in outcomes:
            if isinstance(outcome, IntegrityProblem):
                problems.append(outcome)
            elif (mismatch := self._hash_problem(info, name, sha256_bytes(outcome))) is not None:
                problems.append(mismatch)
            else:
                files[name] = outcome
        return files, problems

    def _read_sized(self, info: VersionInfo, into_arrow: bool = False,
                    on_read: Callable[[str, bytes | pa.Buffer], object] | None = None) -> list[tuple[str, bytes | pa.Buffer | IntegrityProblem]]:
        """Each file's bytes when its byte count is the entry's, else its problem; in file order.

        ``into_arrow`` reads into Arrow's memory pool rather than a Python ``bytes``: a load of
        large files then reuses the same memory pages from one load to the next (with ``bytes``,
        every load of the 5,000-zone store paid ~5,000 fresh page faults). ``on_read`` is called
        with each file whose byte count is right, as soon as it is read.
        """
        folder = self.versions_dir / info.id
        if not folder.is_dir():
            return [("", IntegrityProblem(info.id, str(folder), "version folder is missing"))]
        outcomes: list[tuple[str, bytes | pa.Buffer | IntegrityProblem]] = []
        for name in VERSION_FILES:
            path = folder / name
            record = info.files.get(name)
            if record is None:
                outcomes.append((name, IntegrityProblem(info.id, f"{MANIFEST_NAME} ({info.id})", f"the entry lists no {name}")))
                continue
            try:
                data = _read_into_arrow(path) if into_arrow else path.read_bytes()
            except FileNotFoundError:
                outcomes.append((name, IntegrityProblem(info.id, str(path), "file is missing")))
                continue
            except OSError as exc:
                outcomes.append((name, IntegrityProblem(info.id, str(path), f"cannot read: {exc.strerror}")))
                continue
            if len(data) != record.bytes:
                problem = f"size is {len(data)} bytes, manifest says {record.bytes} (truncated or extended)"
                outcomes.append((name, IntegrityProblem(info.id, str(path), problem)))
            else:
                outcomes.append((name, data))
                if on_read is not None:
                    on_read(name, data)
        return outcomes

    def _hash_problem(self, info: VersionInfo, name: str, digest: str) -> IntegrityProblem | None:
        if digest == info.files[name].sha256:
            return None
        return IntegrityProblem(info.id, self._file_where(info.id, name), "sha256 mismatch: the file was altered after publishing")

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

    def _read_verified(self, info: VersionInfo, chain_problems: tuple[IntegrityProblem, ...]) -> tuple[Dataset | None, list[IntegrityProblem]]:
        """Read a version's files once, hashing the very bytes that are parsed.

        Large files are hashed on a second thread as soon as each is read, while the next ones
        are read and all are parsed; the dataset is returned only once every hash has matched.
        """
        if sum(record.bytes for record in info.files.values()) < _HASH_ALONGSIDE_FROM:
            files, problems = self.read_version_files(info)
            problems = list(chain_problems) + problems
            if problems:
                return None, problems
            try:
                return dataset_from_files(info, files), []
            except _PARSE_ERRORS as exc:
                return None, [self._unparsable(info, exc)]
        hashing = _Hashing()
        outcomes = self._read_sized(info, into_arrow=True, on_read=hashing.add)
        sized = {name: o for name, o in outcomes if not isinstance(o, IntegrityProblem)}
        dataset, failure = None, None
        if not chain_problems and len(sized) == len(outcomes):
            try:
                dataset = dataset_from_files(info, sized)
            except Exception as exc:  # judged once the hashes are known: a damaged file is reported as such
                failure = exc
        digests = hashing.digests()
        problems = list(chain_problems)
        for name, outcome in outcomes:
            if isinstance(outcome, IntegrityProblem):
                problems.append(outcome)
            elif (mismatch := self._hash_problem(info, name, digests[name])) is not None:
                problems.append(mismatch)
        if problems:
            return None, problems
        if isinstance(failure, _PARSE_ERRORS):
            return None, [self._unparsable(info, failure)]
        if failure is not None:
            raise failure
        return dataset, []

    def _unparsable(self, info: VersionInfo, exc: Exception) -> IntegrityProblem:
        return IntegrityProblem(info.id, self._version_where(info.id), f"cannot be parsed: {exc}")

    def load(self, version_id: str | None = None) -> LoadResult:
        """Load ``version_id`` (default: the latest), verified.

        When that version is damaged, the newest intact version is served instead and every
        problem met is listed in the result; ``StoreError`` when no version is intact.
        """
        infos, chain = _checked_manifest(self._manifest_bytes(), str(self.manifest_path))
        problems: list[IntegrityProblem] = []
        if version_id is not None:
            if not any(i.id == version_id for i in infos):
                problems.append(IntegrityProblem(version_id, MANIFEST_NAME, NO_SUCH_VERSION))
            else:
                target = next(i for i in infos if i.id == version_id)
                dataset, found = self._read_verified(target, chain.get(target.id, ()))
                if dataset is not None:
                    return LoadResult(dataset, version_id, [])
                problems.extend(found)
        for info in reversed(infos):
            if info.id == version_id:
                continue
            dataset, found = self._read_verified(info, chain.get(info.id, ()))
            if dataset is not None:
                return LoadResult(dataset, version_id, problems)
            problems.extend(found)
        raise StoreError("no intact version: " + "; ".join(p.format_line() for p in problems))


# --- one interface, two stores --------------------------------------------------------------


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

    def stamp(self, version_ids: Iterable[str]) -> str: ...

    def stamps(self, version_ids: Iterable[str]) -> dict[str, str]: ...

    def fingerprint(self) -> str: ...

    def publishing(self): ...


POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(location: object) -> bool:
    return isinstance(location, str) and location.strip().lower().startswith(POSTGRES_SCHEMES)


def open_store(location: Store | Path | str | None = None) -> Store:
    """The store at ``location``: a ``postgresql://`` URL opens the database store, anything else
    is a folder. ``None``: the configured one (``SEZ_STORE``, else ``SEZ_DATA_DIR``, else ``data/``)."""
    if location is None:
        from sez_metrics.core.settings import store_location

        location = store_location()
    if isinstance(location, (VersionStore,)) or (not isinstance(location, (str, os.PathLike)) and hasattr(location, "load")):
        return location  # already a store
    if is_database_url(location):
        from sez_metrics.storage.pgstore import PgStore

        return PgStore(str(location).strip())
    return VersionStore(Path(location))
