"""Tampering: verify detects every kind of damage, names the file or manifest entry, and exits 1."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from test_publish import edit_cell, fixture_files

from sez_metrics.core import stored_csv
from sez_metrics.core.dataset import dataset_from_files
from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.publish import publish
from sez_metrics.storage.store import StoreError, entry_hash

REPO = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """Three versions published through publish: v0001 base, v0002 a status edit, v0003 next."""
    root = tmp_path_factory.mktemp("published") / "data"
    publish(root, fixture_files("base"), author="A", note="base")
    publish(root, {"status.csv": edit_cell(fixture_files("base")["status.csv"], "bostan", "jobs", "10")}, author="A", note="jobs")
    # "next" was built from the base round: it sets v0002's jobs edit back, on purpose.
    publish(root, fixture_files("next"), author="A", note="next", allow_revert=True)
    return root


@pytest.fixture
def store(published, tmp_path) -> VersionStore:
    """A fresh copy of the published store, for one test to damage."""
    store = VersionStore(shutil.copytree(published, tmp_path / "data"))
    assert store.verify() == []
    return store


def _file(store: VersionStore, vid: str, name: str) -> Path:
    return store.versions_dir / vid / name


def _manifest(store: VersionStore) -> dict:
    return json.loads(store.manifest_path.read_text())


def _write_manifest(store: VersionStore, doc: dict) -> None:
    store.manifest_path.write_text(json.dumps(doc, indent=2))


def flip_byte(store):
    path = _file(store, "v0002", "status.csv")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x20
    path.write_bytes(bytes(data))
    return str(path), "sha256 mismatch"


def missing_file(store):
    path = _file(store, "v0001", "milestones.csv")
    path.unlink()
    return str(path), "file is missing"


def extra_file(store):
    path = _file(store, "v0003", "notes.txt")
    path.write_text("not part of the version")
    return str(path), "unexpected file in a published version"


def truncated_file(store):
    path = _file(store, "v0003", "zones.csv")
    path.write_bytes(path.read_bytes()[:-10])
    return str(path), "truncated or extended"


def edited_entry(store):
    doc = _manifest(store)
    doc["versions"][1]["as_of"] = "2030-01-01"
    _write_manifest(store, doc)
    return "manifest.json entry 2 (v0002)", "entry hash mismatch"


def edited_entry_rehashed(store):
    """A forger who recomputes the edited entry's own hash still breaks the next link."""
    doc = _manifest(store)
    entry = doc["versions"][1]
    entry["author"] = "Someone Else"
    entry["entry_hash"] = entry_hash(entry)
    _write_manifest(store, doc)
    return "manifest.json entry 3 (v0003)", "chain broken"


def edited_file_hash_in_entry(store):
    doc = _manifest(store)
    doc["versions"][0]["files"]["zones.csv"]["sha256"] = "0" * 64
    _write_manifest(store, doc)
    return "manifest.json entry 1 (v0001)", "entry hash mismatch"


def deleted_middle_entry(store):
    doc = _manifest(store)
    del doc["versions"][1]
    _write_manifest(store, doc)
    return "manifest.json entry 2 (v0003)", "chain broken"


def deleted_last_entry(store):
    doc = _manifest(store)
    del doc["versions"][-1]
    _write_manifest(store, doc)
    return str(store.versions_dir / "v0003"), "no interrupted publish explains it"


def reordered_entries(store):
    doc = _manifest(store)
    doc["versions"][1], doc["versions"][2] = doc["versions"][2], doc["versions"][1]
    _write_manifest(store, doc)
    return "manifest.json entry 2 (v0003)", "chain broken"


def deleted_manifest(store):
    store.manifest_path.unlink()
    return str(store.manifest_path), "no manifest"


def entry_id_leaving_the_folder(store):
    doc = _manifest(store)
    doc["versions"][2]["id"] = "../../etc"
    _write_manifest(store, doc)
    return "manifest.json entry 3", "the id is not a version id"


def entry_file_name_leaving_the_folder(store):
    doc = _manifest(store)
    doc["versions"][0]["files"]["../../../etc/passwd"] = {"sha256": "0" * 64, "bytes": 1}
    _write_manifest(store, doc)
    return "manifest.json entry 1", "files must be among zones.csv, status.csv, milestones.csv"


def stray_folder(store):
    path = store.versions_dir / "v0002 copy"
    path.mkdir()
    return str(path), "not a version folder"


TAMPERING: list[Callable[[VersionStore], tuple[str, str]]] = [
    flip_byte, missing_file, extra_file, truncated_file, edited_entry, edited_entry_rehashed,
    edited_file_hash_in_entry, deleted_middle_entry, deleted_last_entry, reordered_entries, deleted_manifest,
    entry_id_leaving_the_folder, entry_file_name_leaving_the_folder, stray_folder,
]


@pytest.mark.parametrize("tamper", TAMPERING, ids=lambda f: f.__name__)
def test_verify_names_what_is_wrong(store, tamper):
    where, message = tamper(store)
    problems = store.verify()
    assert any(p.where == where and message in p.message for p in problems), [p.format_line() for p in problems]


@pytest.mark.parametrize("tamper", TAMPERING, ids=lambda f: f.__name__)
def test_verify_cli_exits_1_and_names_it(store, tamper):
    where, message = tamper(store)
    run = subprocess.run([sys.executable, "-m", "sez_metrics", "verify"], cwd=REPO, capture_output=True, text=True,
                         env={**os.environ, "SEZ_DATA_DIR": str(store.root)}, timeout=60)
    assert run.returncode == 1
    assert any(line.startswith(where + ":") and message in line for line in run.stdout.splitlines()), run.stdout
    assert "Traceback" not in run.stderr


def test_deleted_middle_entry_also_reports_its_folder(store):
    deleted_middle_entry(store)
    unlisted = [p for p in store.verify() if p.where == str(store.versions_dir / "v0002")]
    assert len(unlisted) == 1 and "not in the manifest" in unlisted[0].message


def test_unreadable_manifest_is_named(store):
    store.manifest_path.write_text('{"format": 1, "versions": [')
    with pytest.raises(StoreError, match="manifest.json: not valid JSON"):
        VersionStore(store.root).versions()
    problems = store.verify()
    assert problems[0].where == str(store.manifest_path) and "not valid JSON" in problems[0].message


def test_empty_folder_has_nothing_to_verify(tmp_path):
    with pytest.raises(StoreError, match="no manifest"):
        VersionStore(tmp_path).verify()


def test_load_of_a_damaged_version_falls_back_and_says_so(store):
    flip_byte(store)
    result = store.load("v0002")
    assert result.dataset.info.id == "v0003"
    assert result.fell_back
    assert any("sha256 mismatch" in p.message and p.version_id == "v0002" for p in result.problems)


def test_intact_store_verifies_clean_from_the_cli(store):
    run = subprocess.run([sys.executable, "-m", "sez_metrics", "verify"], cwd=REPO, capture_output=True, text=True,
                         env={**os.environ, "SEZ_DATA_DIR": str(store.root)}, timeout=60)
    assert run.returncode == 0
    assert run.stdout.strip() == f"ok: 3 version(s) intact in {store.root}"


def _load_outcome(store: VersionStore, version_id: str | None):
    try:
        result = store.load(version_id)
    except StoreError as exc:
        return "StoreError", str(exc)
    return result.dataset.info.id, [p.format_line() for p in result.problems]


@pytest.mark.parametrize("tamper", TAMPERING, ids=lambda f: f.__name__)
def test_loads_say_the_same_whether_files_are_hashed_alongside_the_parsing_or_before(store, tamper, monkeypatch):
    """Large versions are hashed on a second thread while parsed: same versions served, same problems."""
    tamper(store)
    wanted = [None, "v0001", "v0002", "v0003"]
    before = {vid: _load_outcome(store, vid) for vid in wanted}
    monkeypatch.setattr(stored_csv, "HASH_ALONGSIDE_FROM", 0)  # every version counts as large
    assert {vid: _load_outcome(store, vid) for vid in wanted} == before


@pytest.mark.parametrize("alongside", [False, True], ids=["hashed before", "hashed alongside"])
def test_a_damaged_file_that_no_longer_parses_is_reported_as_damaged(store, alongside, monkeypatch):
    if alongside:
        monkeypatch.setattr(stored_csv, "HASH_ALONGSIDE_FROM", 0)
    path = _file(store, "v0003", "zones.csv")
    data = bytearray(path.read_bytes())
    data[data.index(b"\n") + 1] = ord('"')  # an unclosed quote: the CSV reader refuses the file
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError):
        dataset_from_files(store.version("v0003"), {p.name: p.read_bytes() for p in path.parent.iterdir()})
    result = store.load()
    assert result.dataset.info.id == "v0002"
    assert [(p.where, p.message) for p in result.problems] == [
        (str(path), "sha256 mismatch: the file was altered after publishing")]


def test_a_version_loaded_again_is_verified_again_and_handed_out_as_its_own_copy(store):
    """A version's typed tables are kept for the process (a briefing pack loads five versions);
    the next load still reads and hashes its files, and no caller can change what another gets."""
    first = store.load("v0003").dataset
    first.zones.loc[first.zones.index[0], "name"] = "Changed by a caller"
    first.milestones.loc[:, "title"] = "Changed by a caller"
    again = store.load("v0003").dataset
    assert "Changed by a caller" not in set(again.zones["name"])
    assert "Changed by a caller" not in set(again.milestones["title"])
    fresh = dataset_from_files(store.version("v0003"), {p.name: p.read_bytes() for p in _file(store, "v0003", "zones.csv").parent.iterdir()})
    for name in ("zones", "status", "milestones"):
        pd.testing.assert_frame_equal(again.table(name), fresh.table(name), check_exact=True)
    assert store.load("v0002").problems == []  # v0002's tables kept
    flip_byte(store)  # damage to v0002's file: found on the next load, though its tables are kept
    damaged = store.load("v0002")
    assert damaged.fell_back and any("sha256 mismatch" in p.message for p in damaged.problems)


def test_a_manifest_edited_between_two_loads_is_caught_by_the_second(store):
    assert store.load().problems == []
    where, message = edited_entry_rehashed(store)
    result = store.load()
    assert any(p.where == where and message in p.message for p in result.problems)
    assert result.fell_back and result.dataset.info.id == "v0002"


# --- the same damage to a database store ------------------------------------------------------------
# Rows changed behind the store's back, as a superuser could (the immutability triggers switched off
# for the session): verify names the row or entry, the CLI exits 1, loads fall back the same way.


def _by_hand(url: str, *statements: tuple[str, tuple]) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=False) as conn:
        conn.execute("SET session_replication_role = replica")  # a superuser bypassing the triggers
        for sql, params in statements:
            conn.execute(sql, params)


def _entry(url: str, vid: str) -> dict:
    import psycopg

    with psycopg.connect(url) as conn:
        return json.loads(conn.execute("SELECT entry FROM sez_versions WHERE id = %s", (vid,)).fetchone()[0])


def db_flip_byte(url):
    _by_hand(url, ("UPDATE sez_files SET data = overlay(data PLACING '\\x7e'::bytea FROM octet_length(data) / 2) "
                   "WHERE version_id = 'v0002' AND name = 'status.csv'", ()))
    return "sez_files v0002/status.csv", "sha256 mismatch"


def db_missing_file(url):
    _by_hand(url, ("DELETE FROM sez_files WHERE version_id = 'v0001' AND name = 'milestones.csv'", ()))
    return "sez_files v0001/milestones.csv", "file is missing"


def db_truncated_file(url):
    _by_hand(url, ("UPDATE sez_files SET data = substring(data FROM 1 FOR octet_length(data) - 10) "
                   "WHERE version_id = 'v0003' AND name = 'zones.csv'", ()))
    return "sez_files v0003/zones.csv", "truncated or extended"


def db_edited_entry(url):
    entry = _entry(url, "v0002")
    entry["as_of"] = "2030-01-01"
    _by_hand(url, ("UPDATE sez_versions SET entry = %s WHERE id = 'v0002'", (json.dumps(entry),)))
    return "manifest.json entry 2 (v0002)", "entry hash mismatch"


def db_edited_entry_rehashed(url):
    entry = _entry(url, "v0002")
    entry["author"] = "Someone Else"
    entry["entry_hash"] = entry_hash(entry)
    _by_hand(url, ("UPDATE sez_versions SET entry = %s, entry_hash = %s WHERE id = 'v0002'", (json.dumps(entry), entry["entry_hash"])))
    return "manifest.json entry 3 (v0003)", "chain broken"


def db_deleted_middle_entry(url):
    _by_hand(url, ("DELETE FROM sez_versions WHERE id = 'v0002'", ()))  # its files stay, listed nowhere
    return "manifest.json entry 2 (v0003)", "chain broken"


def db_deleted_middle_entry_files(url):
    db_deleted_middle_entry(url)
    return "sez_files v0002", "files of a version the manifest does not list"


def db_reordered_entries(url):
    _by_hand(url, ("UPDATE sez_versions SET seq = seq + 100 WHERE id IN ('v0002', 'v0003')", ()),
             ("UPDATE sez_versions SET seq = 3 WHERE id = 'v0002'", ()), ("UPDATE sez_versions SET seq = 2 WHERE id = 'v0003'", ()))
    return "manifest.json entry 2 (v0003)", "chain broken"


DB_TAMPERING = [db_flip_byte, db_missing_file, db_truncated_file, db_edited_entry, db_edited_entry_rehashed,
                db_deleted_middle_entry, db_deleted_middle_entry_files, db_reordered_entries]


@pytest.fixture
def db_store(published, pg_url) -> str:
    """The published store copied into a fresh database: its URL."""
    from sez_metrics.storage.store import open_store
    from sez_metrics.storage.store_copy import copy_store

    copy_store(VersionStore(published), open_store(pg_url))
    assert open_store(pg_url).verify() == []
    return pg_url


@pytest.mark.parametrize("tamper", DB_TAMPERING, ids=lambda f: f.__name__)
def test_verify_names_what_is_wrong_in_a_database(db_store, tamper):
    from sez_metrics.storage.store import open_store

    where, message = tamper(db_store)
    problems = open_store(db_store).verify()
    assert any(p.where == where and message in p.message for p in problems), [p.format_line() for p in problems]
    run = subprocess.run([sys.executable, "-m", "sez_metrics", "verify"], cwd=REPO, capture_output=True, text=True,
                         env={**os.environ, "SEZ_STORE": db_store}, timeout=60)
    assert run.returncode == 1
    assert any(line.startswith(where + ":") and message in line for line in run.stdout.splitlines()), run.stdout
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("tamper", DB_TAMPERING, ids=lambda f: f.__name__)
def test_database_loads_say_the_same_whether_files_are_hashed_alongside_the_parsing_or_before(db_store, tamper, monkeypatch):
    from sez_metrics.storage.store import open_store

    where, _message = tamper(db_store)
    store = open_store(db_store)
    wanted = [None, "v0001", "v0002", "v0003"]
    before = {vid: _load_outcome(store, vid) for vid in wanted}
    monkeypatch.setattr(stored_csv, "HASH_ALONGSIDE_FROM", 0)  # every version counts as large
    assert {vid: _load_outcome(store, vid) for vid in wanted} == before
    damaged = re.search(r"v\d{4}", where).group(0) if where.startswith("sez_files") else None
    if damaged is not None and "not list" not in _message:  # a damaged version is never served as itself
        assert before[damaged][0] != damaged
