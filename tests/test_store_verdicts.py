"""A full verify does not hash again a file it found intact while the file is as it was, and
still catches every change: a folder file's stamp (size, times, inode) or a database row's version
follows any write, and a verdict is trusted for a bounded time only (``storage.verdicts``).

On a database store, replicas hand one another their verdicts through the database, sealed with a
key the database does not hold (``storage.pgverdicts``): a fresh replica takes them over, a row
altered by hand is still named, a verdict written without the key or too old is refused, and the
``verify`` command never reads them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.storekinds import store_env
from test_publish import edit_cell, fixture_files
from test_store_pg import _role

from sez_metrics.storage import pgverdicts, verdicts
from sez_metrics.storage.publish import publish
from sez_metrics.storage.store import SharesVerdicts, open_store

KEY = "k" * 16 + "0123456789abcdef0123"  # 36 characters: long enough to be a key
ALTER_BY_HAND = ("ALTER TABLE sez_files DISABLE TRIGGER sez_files_immutable; "
                 "UPDATE sez_files SET data = replace(encode(data, 'escape'), ',10,', ',90,')::bytea "
                 "WHERE version_id = 'v0002' AND name = 'status.csv'; "
                 "ALTER TABLE sez_files ENABLE TRIGGER sez_files_immutable")


def fresh_process() -> None:
    """Forget every verdict this process made, shared or took over: as a replica just started."""
    verdicts.forget_all()
    pgverdicts.forget_shared()


@pytest.fixture(autouse=True)
def _no_verdicts():
    fresh_process()
    yield
    fresh_process()


def two_versions(location) -> None:
    publish(location, fixture_files("base"), author="A", note="base")
    publish(location, {"status.csv": edit_cell(fixture_files("base")["status.csv"], "bostan", "jobs", "10")}, author="A", note="jobs")


def spoil_in_place(path, keep_times: bool) -> None:
    """Change one digit of the file's first record: same length, only the hash can tell."""
    before = os.stat(path)
    data = bytearray(path.read_bytes())
    position = next(i for i in range(data.index(b"\n"), len(data)) if chr(data[i]).isdigit())
    data[position] = ord("1") if data[position] != ord("1") else ord("2")
    path.write_bytes(bytes(data))
    if keep_times:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


@pytest.mark.parametrize("keep_times", [False, True], ids=["edited", "edited-times-restored"])
def test_a_folder_file_changed_after_a_verify_is_named_by_the_next(tmp_path, keep_times):
    root = tmp_path / "data"
    two_versions(root)
    store = open_store(root)
    assert store.verify() == []
    info = store.version("v0002")
    assert verdicts.known_intact(store.address, info, store.current_stamps(info))  # the second verify reads nothing
    spoil_in_place(root / "versions" / "v0002" / "status.csv", keep_times)
    assert not verdicts.known_intact(store.address, info, store.current_stamps(info))
    assert [p.format_line() for p in store.verify()] == [
        f"{root / 'versions' / 'v0002' / 'status.csv'}: v0002: sha256 mismatch: the file was altered after publishing"]


def test_a_verdict_is_trusted_for_a_bounded_time_only(tmp_path, monkeypatch):
    """Damage the stamp cannot see (here: a stamp that never changes) is found once the verdict expires."""
    root = tmp_path / "data"
    two_versions(root)
    monkeypatch.setattr(verdicts, "file_stamp", lambda path: "unchanging")
    store = open_store(root)
    assert store.verify() == []
    spoil_in_place(root / "versions" / "v0001" / "status.csv", keep_times=False)
    assert store.verify() == []  # within the verdict's time, as the stamp says nothing changed
    monkeypatch.setattr(verdicts, "VERDICT_TTL_S", -1)
    assert [p.version_id for p in store.verify()] == ["v0001"]


def test_a_load_counts_as_a_check_and_a_damaged_file_is_never_remembered(tmp_path):
    root = tmp_path / "data"
    two_versions(root)
    path = root / "versions" / "v0002" / "status.csv"
    spoil_in_place(path, keep_times=False)
    store = open_store(root)
    assert store.load().dataset.info.id == "v0001"  # v0002 fails its hash: not remembered as intact
    info = store.version("v0002")
    assert not verdicts.known_intact(store.address, info, store.current_stamps(info))
    assert verdicts.known_intact(store.address, store.version("v0001"), store.current_stamps(store.version("v0001")))
    assert [p.version_id for p in store.verify()] == ["v0002"]


def test_a_database_row_altered_after_a_verify_is_named_by_the_next(pg_server, pg_url):
    two_versions(pg_url)
    store = open_store(pg_url)
    assert store.verify() == []
    info = store.version("v0002")
    assert verdicts.known_intact(store.address, info, store.current_stamps(info))
    pg_server.psql(pg_url, "ALTER TABLE sez_files DISABLE TRIGGER sez_files_immutable; "
                           "UPDATE sez_files SET data = replace(encode(data, 'escape'), ',10,', ',90,')::bytea "
                           "WHERE version_id = 'v0002' AND name = 'status.csv'; "
                           "ALTER TABLE sez_files ENABLE TRIGGER sez_files_immutable")
    assert not verdicts.known_intact(store.address, info, store.current_stamps(info))
    assert [p.format_line() for p in store.verify()] == [
        "sez_files v0002/status.csv: v0002: sha256 mismatch: the file was altered after publishing"]


# --- verdicts shared between the replicas of a database store ------------------------------------


def all_known(store) -> dict[str, bool]:
    return {info.id: verdicts.known_intact(store.address, info, store.current_stamps(info)) for info in store.versions()}


def shared_rows(pg_server, pg_url) -> int:
    return int(pg_server.psql(pg_url, "SELECT count(*) FROM sez_verdicts").strip())


def test_a_fresh_replica_takes_over_the_verdicts_another_one_shared(pg_server, pg_url, monkeypatch):
    monkeypatch.setenv(verdicts.VERDICT_KEY_ENV, KEY)
    two_versions(pg_url)
    store = open_store(pg_url)
    assert isinstance(store, SharesVerdicts) and not isinstance(open_store(Path("data")), SharesVerdicts)
    assert store.verify() == []
    assert shared_rows(pg_server, pg_url) == 6  # the verify left them: 2 versions × 3 files
    assert store.share_verdicts() == 0  # nothing newer
    fresh_process()
    assert all_known(store) == {"v0001": False, "v0002": False}
    assert store.adopt_verdicts() == 6
    assert all_known(store) == {"v0001": True, "v0002": True}  # the full verify reads no file
    assert store.verify() == []
    assert store.share_verdicts() == 0  # what it took over is not written back


def test_a_row_altered_by_hand_after_its_verdict_was_shared_is_named(pg_server, pg_url, monkeypatch):
    monkeypatch.setenv(verdicts.VERDICT_KEY_ENV, KEY)
    two_versions(pg_url)
    store = open_store(pg_url)
    assert store.verify() == [] and shared_rows(pg_server, pg_url) == 6
    pg_server.psql(pg_url, ALTER_BY_HAND)
    fresh_process()
    assert store.adopt_verdicts() == 6  # sealed and recent: taken, but for the row as it was
    assert all_known(store) == {"v0001": True, "v0002": False}
    assert [p.format_line() for p in store.verify()] == [
        "sez_files v0002/status.csv: v0002: sha256 mismatch: the file was altered after publishing"]


def test_a_verdict_written_without_the_key_is_refused(pg_server, pg_url, monkeypatch):
    """Someone who can alter a row by hand can also write sez_verdicts: without the replicas' key,
    what they write there is not taken, whether a shared verdict moved onto the altered row or
    one sealed with a key of their own."""
    monkeypatch.setenv(verdicts.VERDICT_KEY_ENV, KEY)
    two_versions(pg_url)
    store = open_store(pg_url)
    assert store.verify() == [] and shared_rows(pg_server, pg_url) == 6
    pg_server.psql(pg_url, ALTER_BY_HAND)
    pg_server.psql(pg_url, "UPDATE sez_verdicts SET stamp = f.xmin::text || ':' || f.ctid::text, checked_ms = "
                           f"{int(time.time() * 1000)} FROM sez_files f WHERE (f.version_id, f.name) = "
                           "(sez_verdicts.version_id, sez_verdicts.name) AND f.version_id = 'v0002' AND f.name = 'status.csv'")
    fresh_process()
    assert store.adopt_verdicts() == 5
    assert [p.version_id for p in store.verify()] == ["v0002"]
    stamp = store.current_stamps(store.version("v0002"))["status.csv"]
    record = store.version("v0002").files["status.csv"]
    forged = verdicts.Verdict("v0002", "status.csv", record.sha256, record.bytes, stamp, int(time.time() * 1000))
    pg_server.psql(pg_url, f"UPDATE sez_verdicts SET seal = '{verdicts.seal(b'not-the-key' * 4, forged)}' "
                           "WHERE version_id = 'v0002' AND name = 'status.csv'")
    fresh_process()
    assert store.adopt_verdicts() == 5
    assert [p.version_id for p in store.verify()] == ["v0002"]


def test_an_old_verdict_is_not_taken_over(pg_server, pg_url, monkeypatch):
    monkeypatch.setenv(verdicts.VERDICT_KEY_ENV, KEY)
    two_versions(pg_url)
    store = open_store(pg_url)
    assert store.verify() == [] and shared_rows(pg_server, pg_url) == 6
    fresh_process()
    monkeypatch.setattr(verdicts, "VERDICT_TTL_S", 0.001)  # every shared verdict is now too old
    time.sleep(0.01)
    assert store.adopt_verdicts() == 0
    assert all_known(store) == {"v0001": False, "v0002": False}


def test_without_a_key_nothing_is_shared_or_taken(pg_server, pg_url, monkeypatch):
    monkeypatch.delenv(verdicts.VERDICT_KEY_ENV, raising=False)
    two_versions(pg_url)
    store = open_store(pg_url)
    assert store.verify() == [] and store.share_verdicts() == 0
    assert shared_rows(pg_server, pg_url) == 0
    monkeypatch.setenv(verdicts.VERDICT_KEY_ENV, "too short")
    assert verdicts.verdict_key() is None and store.share_verdicts() == 0
    monkeypatch.setenv(verdicts.VERDICT_KEY_ENV, KEY)
    assert store.share_verdicts() == 6
    monkeypatch.delenv(verdicts.VERDICT_KEY_ENV)
    fresh_process()
    assert store.adopt_verdicts() == 0


def test_the_verify_command_never_takes_a_shared_verdict(pg_server, pg_url, monkeypatch, tmp_path):
    """Even a verdict sealed with the right key for an altered row (the key stolen from a replica)
    does not make the command's verify pass: it hashes every file."""
    monkeypatch.setenv(verdicts.VERDICT_KEY_ENV, KEY)
    two_versions(pg_url)
    store = open_store(pg_url)
    pg_server.psql(pg_url, ALTER_BY_HAND)
    info = store.version("v0002")
    stamps = store.current_stamps(info)
    now = int(time.time() * 1000)
    rows = []
    for name, record in info.files.items():
        v = verdicts.Verdict("v0002", name, record.sha256, record.bytes, stamps[name], now)
        rows.append(f"('v0002', '{name}', '{v.sha256}', {v.bytes}, '{v.stamp}', {now}, '{verdicts.seal(KEY.encode(), v)}')")
    pg_server.psql(pg_url, "INSERT INTO sez_verdicts VALUES " + ", ".join(rows))
    assert store.adopt_verdicts() == 3  # a replica holding the key believes it: the key is what the seal rests on
    run = subprocess.run([sys.executable, "-m", "sez_metrics", "verify"], cwd=Path(__file__).parents[1],
                         env={**store_env(pg_url), verdicts.VERDICT_KEY_ENV: KEY}, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert run.stdout.splitlines() == ["sez_files v0002/status.csv: v0002: sha256 mismatch: the file was altered after publishing"]


def test_the_verify_command_leaves_its_verdicts_for_the_replicas(pg_server, pg_url, monkeypatch):
    """A verify run by hand or by a timer hashes every file, and its verdicts spare the replicas
    started within the next ten minutes from fetching them again."""
    two_versions(pg_url)
    run = subprocess.run([sys.executable, "-m", "sez_metrics", "verify"], cwd=Path(__file__).parents[1],
                         env={**store_env(pg_url), verdicts.VERDICT_KEY_ENV: KEY}, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.startswith("ok: 2 version(s) intact"), run.stdout + run.stderr
    assert shared_rows(pg_server, pg_url) == 6
    monkeypatch.setenv(verdicts.VERDICT_KEY_ENV, KEY)
    store = open_store(pg_url)
    assert store.adopt_verdicts() == 6 and all_known(store) == {"v0001": True, "v0002": True}


def test_a_viewer_role_takes_verdicts_over_and_shares_none(pg_server, pg_url, monkeypatch):
    monkeypatch.setenv(verdicts.VERDICT_KEY_ENV, KEY)
    two_versions(pg_url)
    owner = open_store(pg_url)
    assert owner.verify() == [] and shared_rows(pg_server, pg_url) == 6
    viewer = open_store(_role(pg_server, pg_url, "sez_viewer_v", "SELECT"))
    pg_server.psql(pg_url, "GRANT SELECT ON sez_verdicts TO sez_viewer_v")
    fresh_process()
    assert viewer.adopt_verdicts() == 6 and viewer.verify() == []
    fresh_process()
    pg_server.psql(pg_url, "TRUNCATE sez_verdicts")
    assert viewer.verify() == []  # read and hashed
    assert viewer.share_verdicts() == 0 and shared_rows(pg_server, pg_url) == 0  # may not write: no error, nothing shared


def test_a_store_made_before_shared_verdicts_gets_their_table_from_its_owner(pg_server, pg_url, monkeypatch):
    monkeypatch.setenv(verdicts.VERDICT_KEY_ENV, KEY)
    two_versions(pg_url)
    pg_server.psql(pg_url, "DROP TABLE sez_verdicts")
    store = open_store(pg_url)
    assert store.verify() == [] and store.share_verdicts() == 0  # no table: nothing shared, nothing fails
    fresh_process()
    assert store.adopt_verdicts() == 0
    publish(pg_url, {"status.csv": edit_cell(fixture_files("base")["status.csv"], "bostan", "jobs", "11")}, author="A", note="n")
    assert store.verify() == [] and shared_rows(pg_server, pg_url) == 9


def test_the_data_page_of_a_fresh_replica_names_a_row_altered_after_verdicts_were_shared(pg_server, pg_url, monkeypatch):
    """The page's integrity column: ✓ only for what a check (its own or a sealed shared one, with
    the row's current stamp) found intact."""
    import streamlit as st
    from support.pages import run_page

    monkeypatch.setenv(verdicts.VERDICT_KEY_ENV, KEY)
    monkeypatch.setenv("SEZ_STORE", pg_url)
    two_versions(pg_url)
    at = run_page("data")
    history = next(f.value for f in at.dataframe if "integrity" in f.value.columns)
    assert list(history["integrity"]) == ["✓ intact", "✓ intact"]
    assert shared_rows(pg_server, pg_url) == 6  # left for the other replicas
    pg_server.psql(pg_url, ALTER_BY_HAND)
    fresh_process()
    st.cache_resource.clear()
    at = run_page("data")
    history = next(f.value for f in at.dataframe if "integrity" in f.value.columns)
    assert dict(zip(history["version"], history["integrity"], strict=True)) == {"v0002": "✗ damaged", "v0001": "✓ intact"}


def test_a_verdict_taken_over_keeps_the_time_of_its_check(monkeypatch):
    """A verdict made elsewhere expires here when it would have there; one dated ahead of this
    clock by more than clocks drift is not believed."""
    monkeypatch.setattr(verdicts, "VERDICT_TTL_S", 1.0)
    now_ms = int(time.time() * 1000)
    made = lambda age_ms, name="status.csv": verdicts.Verdict("v0001", name, "ab" * 32, 10, "7:(0,1)", now_ms - age_ms)  # noqa: E731
    assert verdicts.adopt("db", made(700))
    assert [v.checked_ms for v in verdicts.recent("db")] == [now_ms - 700]  # shared on with its own time
    assert not verdicts.adopt("db", made(1500, "zones.csv"))  # older than the trust time
    assert not verdicts.adopt("db", made(-(verdicts.CLOCK_SKEW_S + 5) * 1000, "zones.csv"))  # from the future
    time.sleep(0.4)
    assert verdicts.recent("db") == []  # 0.7 s old when taken over, 1.1 s now: expired
