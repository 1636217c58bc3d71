"""Running store tests against both kinds of store: a data folder and a PostgreSQL database.

``STORE_KINDS`` parametrises a fixture (the database kind is ``slow``: it needs a PostgreSQL server); ``new_location`` gives an empty store of the kind (a folder
path, or a fresh database on the test server); ``store_env`` points a command at it
(``SEZ_STORE``); ``store_snapshot`` is what "nothing was written" compares.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sez_metrics.storage.pgstore import PgStore
from sez_metrics.storage.store import Store

STORE_KINDS = ["folder", pytest.param("postgres", marks=pytest.mark.slow)]


def new_location(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "folder":
        return str(tmp_path / "data")
    return request.getfixturevalue("pg_server").new_database()


def store_env(location: str | Path) -> dict[str, str]:
    """The environment of a command working on ``location`` (and nothing else)."""
    env = {k: v for k, v in os.environ.items() if k not in ("SEZ_STORE", "SEZ_DATA_DIR")}
    return {**env, "SEZ_STORE": str(location)}


def store_snapshot(store: Store) -> object:
    """Every file of a folder store with its bytes, or every row's identity and version in a
    database: equal snapshots mean nothing was written."""
    if isinstance(store, PgStore):
        return store.fingerprint()
    root = Path(store.address)
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".publish.lock"}
