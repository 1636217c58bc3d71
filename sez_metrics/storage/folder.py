"""The store in a data folder: immutable dataset versions on disk, their manifest and its hash chain.

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

import os
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from sez_metrics.core import stored_csv
from sez_metrics.core.dataset import Dataset, VersionInfo, dataset_from_files, verified_dataset
from sez_metrics.core.stored_csv import PARSE_ERRORS, Hashing, read_into_arrow
from sez_metrics.storage import verdicts
from sez_metrics.storage.store import (
    MANIFEST_NAME,
    NO_SUCH_VERSION,
    ORPHANED_PREFIX,
    PENDING_PREFIX,
    TEMP_PREFIX,
    VERSION_FILES,
    VERSION_ID_PATTERN,
    VERSIONS_DIR,
    IntegrityProblem,
    LoadResult,
    StoreError,
    StoreFingerprint,
    chain_problems,
    checked_manifest,
    digest_of,
    info_from_entry,
    manifest_entries,
    sha256_bytes,
)


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

    def fingerprint(self) -> StoreFingerprint:
        """The store's "has it changed" stamp: the names, sizes, times and inodes of the manifest
        and of everything under ``versions/``. Writing, replacing, adding, removing or renaming any
        file there (publishing included) changes its digest; a version's own part changes when a
        file of that version does (a copy or an edit that restores the old mtime still changes its
        ctime and inode)."""
        root = os.fspath(self.root)
        versions = os.path.join(root, VERSIONS_DIR)
        found = [(MANIFEST_NAME, verdicts.file_stamp(os.path.join(root, MANIFEST_NAME))),
                 (VERSIONS_DIR, verdicts.file_stamp(versions))]
        try:
            with os.scandir(versions) as folders:
                names = sorted(f.name for f in folders)
        except OSError:
            names = []
        by_version = {}
        for name in names:
            folder = os.path.join(versions, name)
            entries = [(name, verdicts.file_stamp(folder))]
            if os.path.isdir(folder):
                with os.scandir(folder) as files:
                    entries += [(f.name, verdicts.file_stamp(f.path)) for f in sorted(files, key=lambda f: f.name)]
            by_version[name] = digest_of(entries)
            found += entries
        return StoreFingerprint(digest_of(found), tuple(by_version.items()))

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
        return manifest_entries(self._manifest_bytes(), str(self.manifest_path))

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

    chain_problems = staticmethod(chain_problems)

    def read_version_files(self, info: VersionInfo) -> tuple[dict[str, bytes], list[IntegrityProblem]]:
        """The version's files as bytes, each checked against its byte count and sha256.

        Returns only the files that match; every mismatch or missing file is a problem. The bytes
        returned are the very bytes hashed, so a file changing after the check cannot slip in.
        """
        stamps: dict[str, str | None] = {}
        files, problems = self._hashes_checked(info, self._read_sized(info, stamps=stamps))
        verdicts.remember_intact(self.address, info, {name: stamps.get(name) for name in files})
        return files, problems

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
                    on_read: Callable[[str, bytes | pa.Buffer], object] | None = None,
                    stamps: dict[str, str | None] | None = None) -> list[tuple[str, bytes | pa.Buffer | IntegrityProblem]]:
        """Each file's bytes when its byte count is the entry's, else its problem; in file order.

        ``into_arrow`` reads into Arrow's memory pool rather than a Python ``bytes``: a load of
        large files then reuses the same memory pages from one load to the next (with ``bytes``,
        every load of the 5,000-zone store paid ~5,000 fresh page faults). ``on_read`` is called
        with each file whose byte count is right, as soon as it is read. ``stamps`` receives each
        file's stamp as it was before reading (``verdicts.file_stamp``).
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
            if stamps is not None:
                stamps[name] = verdicts.file_stamp(path)
            try:
                data = read_into_arrow(path) if into_arrow else path.read_bytes()
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

    def current_stamps(self, info: VersionInfo) -> dict[str, str | None]:
        """Each of the entry's files' stamp as it is now (``verdicts``): None for a missing file."""
        return {name: verdicts.file_stamp(self.versions_dir / info.id / name) for name in info.files}

    def _files_problems(self, info: VersionInfo) -> list[IntegrityProblem]:
        """The problems of the version's files: none when each was found intact with the stamp it
        has now (``verdicts``), else what reading and hashing them finds."""
        if verdicts.known_intact(self.address, info, self.current_stamps(info)):
            return []
        return self.read_version_files(info)[1]

    def _check_files(self, info: VersionInfo) -> list[IntegrityProblem]:
        problems = self._files_problems(info)
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
        if sum(record.bytes for record in info.files.values()) < stored_csv.HASH_ALONGSIDE_FROM:
            files, problems = self.read_version_files(info)
            problems = list(chain_problems) + problems
            if problems:
                return None, problems
            try:
                return verified_dataset(info, files), []
            except PARSE_ERRORS as exc:
                return None, [self._unparsable(info, exc)]
        hashing = Hashing()
        stamps: dict[str, str | None] = {}
        outcomes = self._read_sized(info, into_arrow=True, on_read=hashing.add, stamps=stamps)
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
        verdicts.remember_intact(self.address, info, stamps)
        if isinstance(failure, PARSE_ERRORS):
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
        infos, chain = checked_manifest(self._manifest_bytes(), str(self.manifest_path))
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
