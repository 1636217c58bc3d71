"""Which stored files were found intact, so that a full ``verify`` does not hash them again.

A file whose bytes hashed to the sha256 its manifest entry records is remembered under its
*stamp*: on a folder the file's size, times and inode, in a database the row's version (``xmin``
and ``ctid``). Any change of the file or of the row, by the store or by hand, gives a new stamp,
and the file is read and hashed again. A verdict is trusted for ``VERDICT_TTL_S`` at most, so
damage that leaves the stamp as it was (a disk's bit rot) is still found within that time.

Kept per process, for the process's own checks: the command line starts with none.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping

VERDICT_TTL_S = 600
# About 40 bytes of key per file: room for 1,000 versions of three files in well under 1 MB.
_MAX_FILES = 3 * 1000

_INTACT: OrderedDict[tuple, float] = OrderedDict()
_LOCK = threading.Lock()


def file_stamp(path: str | os.PathLike) -> str | None:
    """A folder file's stamp (size, modification and change times, inode); None when it cannot be read."""
    try:
        s = os.stat(path)
    except OSError:
        return None
    return f"{s.st_size}:{s.st_mtime_ns}:{s.st_ctime_ns}:{s.st_ino}"


def _key(address: str, version_id: str, name: str, record, stamp: str) -> tuple:
    return (address, version_id, name, record.sha256, record.bytes, stamp)


def remember_intact(address: str, info, stamps: Mapping[str, str | None]) -> None:
    """Record that each file named in ``stamps`` hashed to its entry's sha256 (as it was read
    with that stamp). Only call it for files whose hash matched."""
    now = time.monotonic()
    with _LOCK:
        for name, stamp in stamps.items():
            record = info.files.get(name)
            if stamp is None or record is None:
                continue
            key = _key(address, info.id, name, record, stamp)
            _INTACT[key] = now
            _INTACT.move_to_end(key)
        while len(_INTACT) > _MAX_FILES:
            _INTACT.popitem(last=False)


def known_intact(address: str, info, stamps: Mapping[str, str | None]) -> bool:
    """True when every file of the entry was found intact, with the stamp it has now, less than
    ``VERDICT_TTL_S`` ago."""
    if not info.files or set(stamps) != set(info.files):
        return False
    oldest = time.monotonic() - VERDICT_TTL_S
    with _LOCK:
        for name, record in info.files.items():
            stamp = stamps[name]
            found = _INTACT.get(_key(address, info.id, name, record, stamp)) if stamp is not None else None
            if found is None or found < oldest:
                return False
    return True


def forget_all() -> None:
    """Forget every verdict (tests; a process that wants every file hashed again)."""
    with _LOCK:
        _INTACT.clear()
