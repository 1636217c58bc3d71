"""Durable file writes: temp file in the same folder, fsync, atomic rename, folder fsync.

A rename is atomic only within one filesystem, so every temp file is created next to its target.
A rename or a new name in a folder survives a power cut only once the folder itself is fsynced.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def fsync_dir(path: Path) -> None:
    """Make a rename or a new entry in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file_durably(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file ``path`` (never an existing one) and fsync it.

    The caller fsyncs the folder once all its files are written.
    """
    with open(path, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def durable_temp_file(path: Path, data: bytes, mode: int = 0o600) -> Path:
    """A new fsynced temp file holding ``data``, next to ``path``, named ``.<name>.<random>.tmp``.

    ``mode`` is its permission bits (default owner-only, as for secrets; pass 0o644 for a file
    other accounts, such as the dashboard's, must read). Removed again when writing fails; the
    caller renames it onto ``path`` (or removes it).
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def stale_temp_files(path: Path) -> list[Path]:
    """Temp files of ``durable_temp_file`` for ``path`` left behind by a process that was killed."""
    return sorted(path.parent.glob(f".{path.name}.*{TEMP_SUFFIX}"))


def replace_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see either the old or the new file, never a mix."""
    tmp = durable_temp_file(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
