"""Verdicts shared between the processes of a database store, in table ``sez_verdicts``.

Every full verify (a replica's Data page, the ``verify`` command) leaves the verdicts of the files
it found intact there, sealed with ``SEZ_VERDICT_KEY`` (``storage.verdicts``: what a seal covers,
and why a row altered by hand cannot be given one). A replica takes over the verdicts whose seal
and age it accepts before its own full verify, and then reads and hashes only the files no
verdict covers with the stamp they have now. The table is a cache of checks: emptying it costs
time, never correctness. The ``verify`` command never reads it: it hashes every file.
"""

from __future__ import annotations

import logging

import psycopg
from psycopg import errors as pgerrors

from sez_metrics.storage import verdicts
from sez_metrics.storage.store import StoreError

log = logging.getLogger(__name__)

VERDICTS_SQL = """
CREATE TABLE IF NOT EXISTS sez_verdicts (
    version_id text NOT NULL,
    name text NOT NULL,
    sha256 text NOT NULL,
    bytes integer NOT NULL,
    stamp text NOT NULL,
    checked_ms bigint NOT NULL,
    seal text NOT NULL,
    PRIMARY KEY (version_id, name)
);
"""

# (address, version id, file name) → checked_ms of the verdict this process last shared or adopted.
_SHARED: dict[tuple[str, str, str], int] = {}


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def adopt(store) -> int:
    """Take over the verdicts in ``store``'s table whose seal checks with the key and that are
    younger than ``verdicts.VERDICT_TTL_S``; how many. Each still counts only while its row keeps
    the stamp it was checked with (``verdicts.known_intact``)."""
    key = verdicts.verdict_key()
    if key is None:
        return 0

    def fetch(conn: psycopg.Connection) -> list[tuple]:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('sez_verdicts')")
            if cur.fetchone()[0] is None:
                return []
            cur.execute("SELECT version_id, name, sha256, bytes, stamp, checked_ms, seal FROM sez_verdicts")
            return cur.fetchall()

    try:
        rows = store.run(fetch)
    except (StoreError, psycopg.Error) as exc:  # unavailable included: the verify that follows says so
        log.info("shared verdicts of %s not read: %s", store.location, _reason(exc))
        return 0
    taken = 0
    for *fields, found_seal in rows:
        verdict = verdicts.Verdict(*fields)
        if verdicts.sealed_by(key, verdict, found_seal) and verdicts.adopt(store.address, verdict):
            _SHARED[(store.address, verdict.version_id, verdict.name)] = verdict.checked_ms
            taken += 1
    return taken


def share(store) -> int:
    """Write this process's verdicts on ``store`` that are newer than those it last shared or
    adopted, sealed; how many. A role that may not write there (a viewer's) shares none."""
    key = verdicts.verdict_key()
    if key is None:
        return 0
    fresh = [v for v in verdicts.recent(store.address) if _SHARED.get((store.address, v.version_id, v.name), -1) < v.checked_ms]
    if not fresh:
        return 0

    def write(conn: psycopg.Connection) -> None:
        with conn.transaction(), conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO sez_verdicts (version_id, name, sha256, bytes, stamp, checked_ms, seal) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (version_id, name) DO UPDATE SET "
                "sha256 = EXCLUDED.sha256, bytes = EXCLUDED.bytes, stamp = EXCLUDED.stamp, checked_ms = EXCLUDED.checked_ms, "
                "seal = EXCLUDED.seal WHERE sez_verdicts.checked_ms < EXCLUDED.checked_ms",
                [(v.version_id, v.name, v.sha256, v.bytes, v.stamp, v.checked_ms, verdicts.seal(key, v)) for v in fresh])

    try:
        store.run(write)
    except (StoreError, psycopg.Error) as exc:
        log.info("verdicts not shared through %s: %s", store.location, _reason(exc))
        return 0
    for v in fresh:
        _SHARED[(store.address, v.version_id, v.name)] = v.checked_ms
    return len(fresh)


def add_table(conn: psycopg.Connection) -> None:
    """Give a store made before shared verdicts existed their table (inside the publish
    transaction), when the role may create one (the owner's); otherwise leave it as it is."""
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('sez_verdicts')")
        if cur.fetchone()[0] is not None:
            return
        try:
            with conn.transaction():
                cur.execute(VERDICTS_SQL)
        except pgerrors.InsufficientPrivilege:
            pass


def forget_shared() -> None:
    """Forget what this process shared or adopted (tests: a fresh process)."""
    _SHARED.clear()
