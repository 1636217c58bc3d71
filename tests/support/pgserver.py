"""A real PostgreSQL server for the tests: Debian's ``postgresql`` binaries, a cluster in a temp
folder, a free port, a unix socket folder in tmp, run as an unprivileged account (PostgreSQL
refuses to run as root: as root the cluster belongs to ``postgres``, or to a system account made
for it when there is none).

Without the binaries the tests that need it are skipped on a workstation and fail under CI
(``CI=true``), as the browser tests treat a missing chromium.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

PG_USER = "sez"  # the database superuser the cluster is created with (trust authentication, local only)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[4]))
    return Path(found[-1]).parent if found else None


def require_postgres() -> Path:
    """The folder of the server binaries, or skip (fail under CI)."""
    found = pg_bin()
    if found is None:
        message = "PostgreSQL is not installed (Debian: apt-get install postgresql; scripts/run-tests.sh installs it)"
        if in_ci():
            pytest.fail(f"database tests cannot run: {message}", pytrace=False)
        pytest.skip(f"database tests skipped: {message}")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _account() -> str | None:
    """The account the server runs as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "sez-pg"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "sez-pg"], check=True)
    return "sez-pg"


class PgServer:
    """One cluster: ``start``/``stop`` it (same port, same data), ``url(db)`` to reach a database."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.account = _account()
        self.base = Path(tempfile.mkdtemp(prefix="sez-pg-"))
        self.data = self.base / "data"
        self.sockets = self.base / "sockets"
        self.sockets.mkdir()
        self.log = self.base / "server.log"
        self.port = free_port()
        if self.account is not None:
            info = pwd.getpwnam(self.account)
            os.chmod(self.base, 0o755)
            for path in (self.base, self.sockets):
                os.chown(path, info.pw_uid, info.pw_gid)
        self._as_account([str(bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", PG_USER,
                          "--no-sync", "-E", "UTF8", "--locale", "C.UTF-8"])

    def _as_account(self, argv: list[str], **kwargs) -> subprocess.CompletedProcess:
        if self.account is not None:
            argv = ["runuser", "-u", self.account, "--", *argv]
        return subprocess.run(argv, check=True, capture_output=True, text=True, cwd=self.base, **kwargs)

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._as_account([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log),
                          "-w", "-t", "60", "start"])

    def stop(self) -> None:
        self._as_account([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def psql(self, url: str, sql: str) -> str:
        """Run ``sql`` as the superuser, as an operator would by hand."""
        return subprocess.run([str(self.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", url, "-c", sql],
                              check=True, capture_output=True, text=True).stdout

    def destroy(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.base, ignore_errors=True)
