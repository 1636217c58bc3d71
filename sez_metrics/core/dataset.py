"""A published version as the domain sees it: its manifest record and its three typed tables.

``VersionInfo`` is one manifest entry (metadata and each file's sha256); ``Dataset`` the version's
zones, status and milestones typed per the schema. Where versions are kept, and how their
integrity is checked, is ``sez_metrics.storage``'s concern.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from sez_metrics.core.stored_csv import typed_frames


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


@dataclass
class Dataset:
    """One version's three tables, typed per the schema."""

    info: VersionInfo
    zones: pd.DataFrame
    status: pd.DataFrame
    milestones: pd.DataFrame

    def table(self, name: str) -> pd.DataFrame:
        return {"zones": self.zones, "status": self.status, "milestones": self.milestones}[name]


def dataset_from_files(info: VersionInfo, files: dict[str, bytes | pa.Buffer]) -> Dataset:
    """A typed ``Dataset`` from the three files' bytes (already validated or verified).

    Also used to preview an update that is not published yet. Raises ``ValueError`` (or
    ``pyarrow.ArrowInvalid``) when a file does not parse or convert.
    """
    return Dataset(info, *typed_frames(files))


# The typed tables of a published version are remembered for the process by its content hash:
# a version never changes, so loading it again (the next briefing pack reads five versions, a
# history every one) parses nothing. Large versions are parsed each time.
_REMEMBER_UP_TO_BYTES = 4 << 20
_REMEMBERED_VERSIONS = 32
_typed: dict[str, tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]] = {}
_typed_lock = threading.Lock()


def verified_dataset(info: VersionInfo, files: dict[str, bytes | pa.Buffer]) -> Dataset:
    """A published version's ``Dataset`` from its files, already checked against ``info``'s sizes
    and sha256 (the store's load): typed once per process and content, each caller given its own
    copies of the tables. Raises as ``dataset_from_files`` does."""
    if sum(record.bytes for record in info.files.values()) > _REMEMBER_UP_TO_BYTES:
        return dataset_from_files(info, files)
    key = info.content_hash
    with _typed_lock:
        found = _typed.pop(key, None)
        if found is not None:
            _typed[key] = found  # the most recently used last
    if found is None:
        found = typed_frames(files)
        with _typed_lock:
            _typed[key] = found
            while len(_typed) > _REMEMBERED_VERSIONS:
                _typed.pop(next(iter(_typed)))
    zones, status, milestones = (frame.copy() for frame in found)
    return Dataset(info, zones, status, milestones)
