"""Which stored files were found intact, so that a full ``verify`` does not hash them again.

A file whose bytes hashed to the sha256 its manifest entry records is remembered under its
*stamp*: on a folder the file's size, times and inode, in a database the row's version (``xmin``
and ``ctid``). Any change of the file or of the row, by the store or by hand, gives a new stamp,
and the file is read and hashed again. A verdict is trusted for ``VERDICT_TTL_S`` at most, so
damage that leaves the stamp as it was (a disk's bit rot) is still found within that time.

Kept per process, for the process's own checks: the command line starts with none. A database
store can also hand its processes' verdicts to one another (``PgStore.share_verdicts`` and
``adopt_verdicts``), so that a replica started minutes after another one has checked the store
does not fetch every byte again. Such a verdict is *sealed*: an HMAC-SHA256, under a key the
replicas hold and the database does not (``SEZ_VERDICT_KEY``), of the file's version and name, the
sha256 and byte count it matched, the row's stamp and the time of the check. Whoever can alter a
row by hand cannot write a verdict that a replica accepts for it without that key; an old verdict
replayed is refused by its age, and one of another row or stamp does not match. Without a key,
nothing is shared and every process checks for itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

VERDICT_TTL_S = 600
# The environment variable holding the key that seals verdicts shared through a database.
VERDICT_KEY_ENV = "SEZ_VERDICT_KEY"
MIN_KEY_CHARS = 32
# How far ahead of this machine's clock another one's verdict may be dated (clocks drift a little).
CLOCK_SKEW_S = 60
_SEAL_DOMAIN = "sez-verdict-1"
# About 40 bytes of key per file: room for 1,000 versions of three files in well under 1 MB.
_MAX_FILES = 3 * 1000

# key → (time.monotonic() of the check, its wall-clock time in ms: what a shared verdict carries)
_INTACT: OrderedDict[tuple, tuple[float, int]] = OrderedDict()
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
    now = (time.monotonic(), int(time.time() * 1000))
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
            if found is None or found[0] < oldest:
                return False
    return True


@dataclass(frozen=True)
class Verdict:
    """One file found intact: its version and name, the sha256 and byte count it matched, the
    stamp it had when it was read, and when (``checked_ms``: milliseconds since the epoch)."""

    version_id: str
    name: str
    sha256: str
    bytes: int
    stamp: str
    checked_ms: int


def verdict_key() -> bytes | None:
    """The key verdicts are sealed with (``SEZ_VERDICT_KEY``, at least 32 characters); None when
    none is set, or one too short to be a secret (then nothing is shared)."""
    text = os.environ.get(VERDICT_KEY_ENV, "").strip()
    return text.encode("utf-8") if len(text) >= MIN_KEY_CHARS else None


def seal(key: bytes, verdict: Verdict) -> str:
    """The verdict's HMAC-SHA256 under ``key`` (hex): every field is covered."""
    fields = [_SEAL_DOMAIN, verdict.version_id, verdict.name, verdict.sha256, verdict.bytes, verdict.stamp, verdict.checked_ms]
    message = json.dumps(fields, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sealed_by(key: bytes, verdict: Verdict, found_seal: str) -> bool:
    return hmac.compare_digest(seal(key, verdict), str(found_seal))


def recent(address: str) -> list[Verdict]:
    """Every verdict this process holds for the store at ``address`` that is still trusted."""
    oldest = time.monotonic() - VERDICT_TTL_S
    with _LOCK:
        found = [(key, at_ms) for key, (at, at_ms) in _INTACT.items() if key[0] == address and at >= oldest]
    return [Verdict(vid, name, sha, size, stamp, at_ms) for (_, vid, name, sha, size, stamp), at_ms in found]


def adopt(address: str, verdict: Verdict) -> bool:
    """Hold ``verdict`` (made by another process, its seal already checked) as if this process had
    made it at the time it was made: it expires when it would have there. False when it is too
    old, or dated too far ahead of this clock to be believed."""
    now_mono, now_ms = time.monotonic(), time.time() * 1000
    age_s = (now_ms - verdict.checked_ms) / 1000
    if age_s >= VERDICT_TTL_S or age_s < -CLOCK_SKEW_S:
        return False
    at = now_mono - max(age_s, 0.0)
    key = (address, verdict.version_id, verdict.name, verdict.sha256, verdict.bytes, verdict.stamp)
    with _LOCK:
        if _INTACT.get(key, (float("-inf"), 0))[0] < at:
            _INTACT[key] = (at, int(verdict.checked_ms))
            _INTACT.move_to_end(key)
        while len(_INTACT) > _MAX_FILES:
            _INTACT.popitem(last=False)
    return True


def forget_all() -> None:
    """Forget every verdict (tests; a process that wants every file hashed again)."""
    with _LOCK:
        _INTACT.clear()
