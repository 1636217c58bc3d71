"""Two stewards publishing at once: real processes, released together by a barrier file.

Both based on the same version and changing the same cell: exactly one wins, the other is told
which cell conflicts (never a lost update, never two versions with one id). Without ``--based-on`` both succeed, one
after the other. ``SEZ_CONCURRENCY_RUNS`` repeats the race (the suite runs it a few times).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from test_publish import fixture_files
from test_publish_faults import start_publisher, status_file, wait_ready

from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.publish import publish

RUNS = int(os.environ.get("SEZ_CONCURRENCY_RUNS", "3"))

# Real processes racing, each race several times: outside the fast inner loop.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("template") / "data"
    publish(root, fixture_files("base"), author="A", note="base")
    return root


def race(template: Path, work: Path, *extra: str) -> tuple[VersionStore, list[tuple[int, str, str, bytes]]]:
    """Start two publishers of different status files, release them together, collect results."""
    store = VersionStore(shutil.copytree(template, work / "data"))
    barrier = work / "go"
    uploads = [status_file(work / name, jobs) for name, jobs in (("amna", 111), ("bilal", 222))]
    processes = [start_publisher(store.root, upload, *extra, BARRIER=str(barrier)) for upload in uploads]
    for process in processes:
        wait_ready(process)
    barrier.touch()
    results = []
    for process, upload in zip(processes, uploads, strict=True):
        out, err = process.communicate(timeout=120)
        results.append((process.returncode, out, err, upload.read_bytes()))
    return store, results


@pytest.mark.parametrize("run", range(RUNS))
def test_same_based_on_exactly_one_wins(template, tmp_path, run):
    store, results = race(template, tmp_path, "--based-on", "v0001")
    codes = sorted(code for code, *_ in results)
    assert codes == [0, 1], results
    (winner,) = [r for r in results if r[0] == 0]
    (loser,) = [r for r in results if r[0] == 1]
    assert winner[1].splitlines()[-1] == "v0002"
    # Based on v0001, the loser's change is merged onto v0002: the same cell changed differently is a conflict.
    loser_jobs, winner_jobs = ("222", "111") if b"222" in loser[3] else ("111", "222")
    assert f"  bostan jobs: {loser_jobs} → {winner_jobs}" in loser[2].splitlines()
    assert "refused: 1 conflicting cell(s)" in loser[2]
    assert [v.id for v in store.versions()] == ["v0001", "v0002"]
    assert (store.versions_dir / "v0002" / "status.csv").read_bytes() == winner[3]
    assert store.verify() == []
    assert sorted(os.listdir(store.versions_dir)) == ["v0001", "v0002"]


@pytest.mark.parametrize("run", range(RUNS))
def test_without_based_on_both_publish_one_after_the_other(template, tmp_path, run):
    store, results = race(template, tmp_path)
    assert [code for code, *_ in results] == [0, 0], results
    versions = store.versions()
    assert [v.id for v in versions] == ["v0001", "v0002", "v0003"]
    assert versions[2].parent == "v0002" and versions[2].prev_hash == versions[1].entry_hash
    # No lost update: each steward's file is one of the two versions, under its own id.
    published = {(store.versions_dir / v / "status.csv").read_bytes() for v in ("v0002", "v0003")}
    assert published == {upload for *_, upload in results}
    assert sorted(r[1].splitlines()[-1] for r in results) == ["v0002", "v0003"]
    assert store.verify() == []


def test_five_publishers_of_one_cell_give_exactly_one_version(template, tmp_path):
    store = VersionStore(shutil.copytree(template, tmp_path / "data"))
    barrier = tmp_path / "go"
    uploads = [status_file(tmp_path / f"s{i}", 100 + i) for i in range(5)]
    processes = [start_publisher(store.root, upload, "--based-on", "v0001", BARRIER=str(barrier)) for upload in uploads]
    for process in processes:
        wait_ready(process)
    barrier.touch()
    results = [(p.communicate(timeout=180), p.returncode) for p in processes]
    assert sorted(code for _, code in results) == [0, 1, 1, 1, 1], results
    assert [v.id for v in store.versions()] == ["v0001", "v0002"]
    for (_out, err), code in results:
        if code:
            assert "refused: 1 conflicting cell(s)" in err and "bostan jobs: " in err
    assert store.verify() == []


def test_in_sequence_both_succeed(template, tmp_path):
    store = VersionStore(shutil.copytree(template, tmp_path / "data"))
    first = start_publisher(store.root, status_file(tmp_path / "amna", 111), "--based-on", "v0001")
    wait_ready(first)
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    second = start_publisher(store.root, status_file(tmp_path / "bilal", 222), "--based-on", out.splitlines()[-1])
    wait_ready(second)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert out.splitlines()[-1] == "v0003"
    assert [v.id for v in store.versions()] == ["v0001", "v0002", "v0003"]
    assert store.verify() == []
