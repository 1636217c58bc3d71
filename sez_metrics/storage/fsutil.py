"""Durable file writes: temp file in the same folder, fsync, atomic rename, folder fsync.

A rename is atomic only within one filesystem, so every temp file is created next to its target.
A rename or a new name in a folder survives a power cut only once the folder itself is fsynced.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

TEMP_SUFFIX = ".tmp"
# Owner-only: secrets (password hashes), and the default when a caller does not say.
PRIVATE_FILE_MODE = 0o600
# A file meant for people (a briefing pack, an export): the permissions the user's umask gives
# any new file (0o666 & ~umask; -rw-r--r-- with the usual 022).
USER_UMASK = None


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


def _new_temp_file(path: Path, mode: int) -> tuple[int, Path]:
    """A new, empty file next to ``path`` created with ``mode`` (the umask applies), and its fd."""
    for _attempt in range(100):
        tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"{path.parent}: no free temp file name for {path.name}")


def durable_temp_file(path: Path, data: bytes, mode: int | None = PRIVATE_FILE_MODE) -> Path:
    """A new fsynced temp file holding ``data``, next to ``path``, named ``.<name>.<random>.tmp``.

    ``mode`` is its permission bits: owner-only by default (secrets), 0o644 for a file other
    accounts (such as the dashboard's) must read whatever the umask, ``USER_UMASK`` for a file
    meant for people (what the user's umask gives a new file). Removed again when writing fails;
    the caller renames it onto ``path`` (or removes it).
    """
    # Created owner-only or with 0o666 under the umask: never readable by others for a moment
    # when the caller asked for less.
    fd, tmp = _new_temp_file(path, 0o666 if mode is USER_UMASK else PRIVATE_FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as fh:
            if mode is not USER_UMASK:
                os.fchmod(fh.fileno(), mode)
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


def replace_atomically(path: Path, data: bytes, mode: int | None = PRIVATE_FILE_MODE) -> None:
    """Replace ``path`` with ``data`` so that readers see either the old or the new file, never a mix.

    ``mode`` as for ``durable_temp_file``: owner-only unless the caller says otherwise; files meant
    for people pass ``USER_UMASK``. The new file's mode replaces the old file's.
    """
    tmp = durable_temp_file(path, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
