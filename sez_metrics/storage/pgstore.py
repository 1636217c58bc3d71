"""The versioned store in a PostgreSQL database (``SEZ_STORE=postgresql://…``).

The same versions as a data folder holds, in two tables:

    sez_versions   seq (1, 2, …: the chain's order), id, entry_hash, entry (the manifest entry as
                   JSON text, exactly as the folder's manifest.json holds it)
    sez_files      version_id, name, sha256, bytes, data (the file's bytes, as published)

The entry's JSON is the record of a version: its ``entry_hash`` chain and each file's sha256 and
byte count are computed and checked exactly as for a folder (``sez_metrics.storage.store``), so a version
copied between a folder and a database is byte for byte the same. Triggers refuse UPDATE, DELETE
and TRUNCATE on both tables; a row altered anyway (by a superuser, by hand) fails its hash on the
next load and ``verify`` names it (``sez_files v0003/status.csv``).

Publishing is one transaction: ``pg_advisory_xact_lock`` (one publish at a time across every
process and host using the database), the entries read and their chain checked, the new version
built and validated against the latest, inserted, committed. A publisher that waited for the lock
sees the version published meanwhile and is refused or merges exactly as on a folder.

A third table, ``sez_verdicts``, holds the latest sealed verdict of each file found intact by a
full verify (a replica's or the ``verify`` command's; ``storage.pgverdicts``): a replica started
after another process has checked the store takes them over instead of fetching every byte again.
They are only a cache of checks: deleting them costs time, never correctness, and ``verify`` (the
command) never reads them.

The database being unreachable is ``StoreUnavailable``: every page says so, and the next request
after it is back connects again (connections are pooled per process, and a broken one is replaced).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import psycopg
import pyarrow as pa
from psycopg import errors as pgerrors

from sez_metrics.core.dataset import VersionInfo
from sez_metrics.storage import pgverdicts
from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.store import (
    MANIFEST_FORMAT,
    VERSION_FILES,
    IntegrityProblem,
    StoreError,
    StoreFingerprint,
    StoreUnavailable,
    digest_of,
    info_from_entry,
)

T = TypeVar("T")

VERSIONS_TABLE, FILES_TABLE = "sez_versions", "sez_files"
# The advisory lock key of publishing (any fixed 64-bit number; "SEZ" in ASCII).
PUBLISH_LOCK_KEY = 0x53455A
# How long a publish waits for another one to finish before giving up (as the folder's lock).
LOCK_TIMEOUT_S = 30
CONNECT_TIMEOUT_S = 5
# Idle connections kept per process and database.
MAX_IDLE_CONNECTIONS = 4

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS sez_versions (
    seq integer PRIMARY KEY CHECK (seq > 0),
    id text NOT NULL UNIQUE CHECK (id ~ '^v[0-9]{4,}$'),
    entry_hash text NOT NULL,
    entry text NOT NULL
);
CREATE TABLE IF NOT EXISTS sez_files (
    version_id text NOT NULL REFERENCES sez_versions (id),
    name text NOT NULL CHECK (name IN ('zones.csv', 'status.csv', 'milestones.csv')),
    sha256 text NOT NULL,
    bytes integer NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (version_id, name)
);
-- CSV bytes are read whole on every load: stored uncompressed, read without decompressing.
ALTER TABLE sez_files ALTER COLUMN data SET STORAGE EXTERNAL;
CREATE OR REPLACE FUNCTION sez_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'published versions are immutable: % on % refused', TG_OP, TG_TABLE_NAME;
END $$;
CREATE OR REPLACE TRIGGER sez_versions_immutable BEFORE UPDATE OR DELETE ON sez_versions
    FOR EACH ROW EXECUTE FUNCTION sez_refuse_change();
CREATE OR REPLACE TRIGGER sez_versions_no_truncate BEFORE TRUNCATE ON sez_versions
    FOR EACH STATEMENT EXECUTE FUNCTION sez_refuse_change();
CREATE OR REPLACE TRIGGER sez_files_immutable BEFORE UPDATE OR DELETE ON sez_files
    FOR EACH ROW EXECUTE FUNCTION sez_refuse_change();
CREATE OR REPLACE TRIGGER sez_files_no_truncate BEFORE TRUNCATE ON sez_files
    FOR EACH STATEMENT EXECUTE FUNCTION sez_refuse_change();
""" + pgverdicts.VERDICTS_SQL


def redact(url: str) -> str:
    """The URL without its password (it is shown in messages and used in cache keys' display)."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class _Pool:
    """A few open connections of one process to one database, handed out one caller at a time."""

    def __init__(self, url: str):
        self.url = url
        self._idle: list[psycopg.Connection] = []
        self._lock = threading.Lock()

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S,
                               application_name="sez-dashboard")

    def take(self) -> tuple[psycopg.Connection | None, bool]:
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        return None, False

    def give_back(self, conn: psycopg.Connection) -> None:
        if conn.closed or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.close()
            return
        with self._lock:
            if len(self._idle) < MAX_IDLE_CONNECTIONS:
                self._idle.append(conn)
                return
        conn.close()


_POOLS: dict[str, _Pool] = {}
_POOLS_LOCK = threading.Lock()


def _pool(url: str) -> _Pool:
    with _POOLS_LOCK:
        return _POOLS.setdefault(url, _Pool(url))


class PgStore(VersionStore):
    """A store in a PostgreSQL database: the folder store's reading, loading and verifying, with
    the manifest and the files read from the database instead of the disk."""

    def __init__(self, url: str):
        self.url = url
        self.root = None  # no folder

    # --- where things are ---------------------------------------------------------------

    @property
    def location(self) -> str:
        return redact(self.url)

    @property
    def address(self) -> str:
        return self.url

    @property
    def manifest_path(self) -> str:  # named in messages only
        return f"{self.location} (sez_versions)"

    def _file_where(self, version_id: str, name: str) -> str:
        return f"sez_files {version_id}/{name}"

    def _version_where(self, version_id: str) -> str:
        return f"sez_files {version_id}"

    # --- the database -------------------------------------------------------------------

    def run(self, work: Callable[[psycopg.Connection], T]) -> T:
        """``work(connection)`` on a pooled connection; a connection found broken (the server
        restarted meanwhile) is replaced once. ``StoreUnavailable`` when the database cannot be
        reached; ``StoreError`` when it holds no store (no tables)."""
        pool = _pool(self.url)
        conn, pooled = pool.take()
        for attempt in (1, 2):
            try:
                if conn is None:
                    conn = pool.connect()
                result = work(conn)
            except pgerrors.UndefinedTable as exc:
                pool.give_back(conn)
                raise StoreError(f"{self.location}: no manifest; this database holds no published version "
                                 "(no table sez_versions)") from exc
            except psycopg.OperationalError as exc:
                if conn is not None:
                    conn.close()
                conn = None
                if attempt == 1 and pooled:
                    continue
                raise StoreUnavailable(f"the database {self.location} cannot be reached: {_reason(exc)}") from exc
            except BaseException:
                if conn is not None:
                    conn.close()
                raise
            pool.give_back(conn)
            return result
        raise AssertionError("unreachable")

    def _rows(self, sql: str, params: tuple = (), *, binary: bool = False) -> list[tuple]:
        def fetch(conn: psycopg.Connection) -> list[tuple]:
            with conn.cursor(binary=binary) as cur:
                cur.execute(sql, params)
                return cur.fetchall()

        return self.run(fetch)

    # --- manifest -----------------------------------------------------------------------

    def _manifest_bytes(self) -> bytes:
        """The entries as the manifest a folder would hold (parsed and chain-checked as one)."""
        rows = self._rows("SELECT entry FROM sez_versions ORDER BY seq")
        head = '{"format": ' + str(MANIFEST_FORMAT) + ', "versions": ['
        return (head + ",".join(r[0] for r in rows) + "]}").encode("utf-8")

    def has_manifest(self) -> bool:
        try:
            return bool(self._rows("SELECT 1 FROM sez_versions LIMIT 1"))
        except StoreUnavailable:
            raise
        except StoreError:
            return False

    # --- files --------------------------------------------------------------------------

    def _read_sized(self, info: VersionInfo, into_arrow: bool = False, on_read=None, stamps=None) -> list[tuple]:
        rows = self._rows("SELECT name, data, xmin::text || ':' || ctid::text FROM sez_files WHERE version_id = %s", (info.id,), binary=True)
        found = {name: data for name, data, _ in rows}
        if stamps is not None:
            stamps.update({name: stamp for name, _, stamp in rows})
        if not found:
            return [("", IntegrityProblem(info.id, self._version_where(info.id), "the version has no file in the database"))]
        outcomes: list[tuple] = []
        for name in VERSION_FILES:
            record = info.files.get(name)
            if record is None:
                outcomes.append((name, IntegrityProblem(info.id, f"manifest.json ({info.id})", f"the entry lists no {name}")))
                continue
            data = found.get(name)
            if data is None:
                outcomes.append((name, IntegrityProblem(info.id, self._file_where(info.id, name), "file is missing")))
                continue
            data = bytes(data)
            if len(data) != record.bytes:
                problem = f"size is {len(data)} bytes, manifest says {record.bytes} (truncated or extended)"
                outcomes.append((name, IntegrityProblem(info.id, self._file_where(info.id, name), problem)))
                continue
            data = pa.py_buffer(data) if into_arrow else data
            outcomes.append((name, data))
            if on_read is not None:
                on_read(name, data)
        return outcomes

    def current_stamps(self, info: VersionInfo) -> dict[str, str | None]:
        """Each of the entry's files' row version (xmin, ctid) as it is now: None for a missing row.
        Any UPDATE of a row, even one writing the same bytes, gives it a new one."""
        rows = dict(self._rows("SELECT name, xmin::text || ':' || ctid::text FROM sez_files WHERE version_id = %s", (info.id,)))
        return {name: rows.get(name) for name in info.files}

    def _check_files(self, info: VersionInfo) -> list[IntegrityProblem]:
        return self._files_problems(info)

    def _unlisted(self, known: set[str]) -> list[IntegrityProblem]:
        try:
            rows = self._rows("SELECT DISTINCT version_id FROM sez_files ORDER BY 1")
        except StoreUnavailable:
            raise
        except StoreError:
            return []
        return [IntegrityProblem(vid, self._version_where(vid), "files of a version the manifest does not list")
                for (vid,) in rows if vid not in known]

    # --- cache keys ---------------------------------------------------------------------

    def fingerprint(self) -> StoreFingerprint:
        """Every row's identity and row version (xmin, ctid): publishing or any change by hand
        changes the digest, and a change of a version's files changes that version's part."""
        def both(conn: psycopg.Connection) -> tuple:
            with conn.cursor() as cur:
                cur.execute("SELECT seq, id, entry_hash, xmin::text, ctid::text FROM sez_versions ORDER BY seq")
                versions = cur.fetchall()
                cur.execute("SELECT version_id, name, xmin::text, ctid::text FROM sez_files ORDER BY version_id, name")
                return versions, cur.fetchall()

        try:
            versions, files = self.run(both)
        except StoreUnavailable:
            raise
        except StoreError:
            versions, files = [], []
        by_version: dict[str, list] = {}
        for row in files:
            by_version.setdefault(row[0], []).append(row)
        return StoreFingerprint(digest_of((versions, files)), tuple((vid, digest_of(rows)) for vid, rows in by_version.items()))

    # --- verdicts shared between replicas (``pgverdicts``) ----------------------------------

    def verify(self) -> list:
        """The folder store's full verify (every file hashed unless this process itself found it
        intact with the stamp it still has), then this process's verdicts are left in the database,
        sealed, for the others to take over (``pgverdicts``; nothing when no key is set or the role
        may not write them). A verify never takes over another process's verdicts."""
        problems = super().verify()
        self.share_verdicts()
        return problems

    def adopt_verdicts(self) -> int:
        """Take over the sealed verdicts other processes left in the database; how many."""
        return pgverdicts.adopt(self)

    def share_verdicts(self) -> int:
        """Leave this process's newer verdicts in the database, sealed; how many."""
        return pgverdicts.share(self)

    # --- publishing ---------------------------------------------------------------------

    def publishing(self) -> PgPublishing:
        return PgPublishing(self)

    def create_schema(self) -> None:
        """Create the tables and triggers when they do not exist yet (under the publish lock)."""
        self.run(lambda conn: _create_schema(conn))


def _create_schema(conn: psycopg.Connection) -> None:
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (PUBLISH_LOCK_KEY,))
        conn.execute(SCHEMA_SQL)


class PgPublishing:
    """One publish (or copy) on a database store: a transaction holding the publish lock;
    ``entries`` the entries as they stand under the lock; ``write`` adds a version; leaving the
    block commits (or, on an exception, rolls everything back)."""

    def __init__(self, store: PgStore):
        self.store = store
        self.entries: list[dict] = []
        self._conn: psycopg.Connection | None = None

    def __enter__(self) -> PgPublishing:
        from sez_metrics.storage.publish import PublishRefused, refuse_a_broken_chain

        try:
            self._conn = psycopg.connect(self.store.url, autocommit=False, connect_timeout=CONNECT_TIMEOUT_S,
                                         application_name="sez-publish")
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(f"the database {self.store.location} cannot be reached: {_reason(exc)}") from exc
        try:
            with self._conn.cursor() as cur:
                cur.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_S}s'")
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (PUBLISH_LOCK_KEY,))
                cur.execute("SELECT to_regclass(%s)", (VERSIONS_TABLE,))
                if cur.fetchone()[0] is None:
                    cur.execute(SCHEMA_SQL)
                else:
                    pgverdicts.add_table(self._conn)
                cur.execute("SELECT entry FROM sez_versions ORDER BY seq")
                texts = [row[0] for row in cur.fetchall()]
            try:
                self.entries = [json.loads(t) for t in texts]
            except json.JSONDecodeError as exc:
                raise PublishRefused(f"a manifest entry in {self.store.location} is not valid JSON ({exc}); run verify") from exc
            refuse_a_broken_chain(self.store, self.entries)
        except pgerrors.LockNotAvailable as exc:
            self._close(commit=False)
            raise PublishRefused(f"another publish has held the lock for over {LOCK_TIMEOUT_S} s; try again") from exc
        except pgerrors.InsufficientPrivilege as exc:
            self._close(commit=False)
            raise PublishRefused(f"the database {self.store.location} refused: {_reason(exc)} (a read-only role "
                                 "cannot publish); nothing was published") from exc
        except psycopg.OperationalError as exc:
            self._close(commit=False)
            raise StoreUnavailable(f"the database {self.store.location} cannot be reached: {_reason(exc)}") from exc
        except BaseException:
            self._close(commit=False)
            raise
        return self

    def write(self, entry: dict, complete: dict[str, bytes]) -> None:
        from sez_metrics.storage.publish import PublishRefused

        head = self.entries[-1].get("entry_hash") if self.entries else None
        if entry.get("prev_hash") != head:
            raise PublishRefused(f"version {entry.get('id')} does not follow the latest entry of {self.store.location}")
        info = info_from_entry(entry)
        try:
            with self._conn.cursor() as cur:
                cur.execute("INSERT INTO sez_versions (seq, id, entry_hash, entry) VALUES (%s, %s, %s, %s)",
                            (len(self.entries) + 1, info.id, info.entry_hash, json.dumps(entry, ensure_ascii=False)))
                for name in VERSION_FILES:
                    record = info.files[name]
                    cur.execute("INSERT INTO sez_files (version_id, name, sha256, bytes, data) VALUES (%s, %s, %s, %s, %s)",
                                (info.id, name, record.sha256, record.bytes, complete[name]))
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(f"the database {self.store.location} was lost while publishing ({_reason(exc)}); "
                                   "nothing was published") from exc
        except psycopg.Error as exc:  # e.g. a read-only role: the transaction is rolled back
            raise PublishRefused(f"the database {self.store.location} refused the write: {_reason(exc)}; "
                                 "nothing was published") from exc
        self.entries = [*self.entries, entry]

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self._close(commit=exc_type is None)
        except psycopg.OperationalError as failure:
            if exc_type is None:
                raise StoreUnavailable(f"the database {self.store.location} was lost before the publish committed "
                                       f"({_reason(failure)}); nothing was published") from failure

    def _close(self, *, commit: bool) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if commit:
                conn.commit()
            else:
                conn.rollback()
        finally:
            conn.close()


@contextmanager
def connection(url: str) -> Iterator[psycopg.Connection]:
    """A fresh autocommit connection (for tests and tools)."""
    conn = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
    try:
        yield conn
    finally:
        conn.close()


__all__ = ["PgStore", "PgPublishing", "SCHEMA_SQL", "redact", "StoreError", "StoreUnavailable"]
