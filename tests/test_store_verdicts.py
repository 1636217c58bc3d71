"""A full verify does not hash again a file it found intact while the file is as it was, and
still catches every change: a folder file's stamp (size, times, inode) or a database row's version
follows any write, and a verdict is trusted for a bounded time only (``storage.verdicts``).
"""

from __future__ import annotations

import os

import pytest
from test_publish import edit_cell, fixture_files

from sez_metrics.storage import verdicts
from sez_metrics.storage.publish import publish
from sez_metrics.storage.store import open_store


@pytest.fixture(autouse=True)
def _no_verdicts():
    verdicts.forget_all()
    yield
    verdicts.forget_all()


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
