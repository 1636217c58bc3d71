"""Faults during publish: an error or a kill at any step never loses, corrupts or half-shows a version.

Three ways in, from the most controlled to the most real:
- in-process: ``os.fsync``/``os.rename``/``os.replace`` or publish's fsutil helpers raise OSError at
  their Nth call, for every N a publish makes;
- a real ``python -m sez_metrics publish`` process SIGKILLs itself at its Nth fsync/rename/replace;
- a real publishing process killed with SIGKILL at a random moment, many times over one store.
After each: every earlier version loads, nothing partial is visible, nothing temporary is left (or,
after a kill, only what verify names and the next publish tidies), and the next publish succeeds.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_publish import edit_cell, fixture_files, snapshot

import sez_metrics.storage.folder_publish as publish_module
from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.publish import publish

REPO = Path(__file__).parents[1]
LISTED_AFTER_TEMPLATE = ["v0001", "v0002"]

# A publishing process: imports first (so timing starts at the publish itself), optionally slows
# every fsync (to spread a random kill over the steps), optionally SIGKILLs itself at the Nth
# call of one function, optionally waits for a barrier file; then runs the real CLI.
RUNNER = r"""
import os, signal, sys, time
import sez_metrics.core.validate, sez_metrics.storage.publish, sez_metrics.storage.folder_publish, sez_metrics.core.diff
from sez_metrics.cli.main import main
slow = float(os.environ.get("SLOW_FSYNC_S", "0"))
if slow:
    real_fsync = os.fsync
    def fsync(fd):
        time.sleep(slow)
        real_fsync(fd)
    os.fsync = fsync
kill_at = os.environ.get("KILL_AT")
if kill_at:
    name, n = kill_at.split(":")
    real = getattr(os, name)
    calls = [0]
    def dying(*args, **kwargs):
        calls[0] += 1
        if calls[0] == int(n):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    setattr(os, name, dying)
print("ready", flush=True)
barrier = os.environ.get("BARRIER")
if barrier:
    while not os.path.exists(barrier):
        time.sleep(0.001)
sys.exit(main(sys.argv[1:]))
"""


def start_publisher(data: Path, status: Path, *extra: str, **env: str) -> subprocess.Popen:
    """A real ``publish`` process of ``status``; it prints "ready" once its imports are done."""
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, "publish", "--author", "Fault Test", "--note", "fault test", *extra, str(status)],
        cwd=REPO, env={**os.environ, "SEZ_DATA_DIR": str(data), **env},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_ready(process: subprocess.Popen) -> None:
    line = process.stdout.readline()
    assert line == "ready\n", (line, process.stderr.read() if process.poll() is not None else "")


def status_file(folder: Path, jobs: int) -> Path:
    """A status.csv different from every other one this test makes (Bostan's jobs = ``jobs``)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "status.csv"
    path.write_bytes(edit_cell(fixture_files("base")["status.csv"], "bostan", "jobs", str(jobs)))
    return path


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("template") / "data"
    publish(root, fixture_files("base"), author="A", note="base")
    publish(root, {"status.csv": edit_cell(fixture_files("base")["status.csv"], "bostan", "jobs", "1")}, author="A", note="jobs")
    return root


def fresh_copy(template: Path, where: Path) -> VersionStore:
    if where.exists():
        shutil.rmtree(where)
    return VersionStore(shutil.copytree(template, where))


def assert_intact(store: VersionStore, expected_ids: list[str]) -> None:
    """Every listed version loads verified, verify is clean, and nothing else is in the store."""
    assert [v.id for v in store.versions()] == expected_ids
    for vid in expected_ids:
        result = store.load(vid)
        assert result.dataset.info.id == vid and result.problems == []
    assert store.verify() == []
    assert sorted(os.listdir(store.versions_dir)) == expected_ids
    assert sorted(os.listdir(store.root)) == [".publish.lock", "manifest.json", "versions"]


# --- in-process injection -----------------------------------------------------------------------


class FailAt:
    """Stand-in for a function that raises OSError at its ``n``-th call (0 = never), counting calls."""

    def __init__(self, real, n: int, partial_write: bool = False):
        self.real, self.n, self.calls, self.partial_write = real, n, 0, partial_write

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.n:
            if self.partial_write:  # a disk that fills up half-way through the file
                path, data = args
                with open(path, "xb") as fh:
                    fh.write(data[: len(data) // 2])
                raise OSError(errno.ENOSPC, "injected: no space left on device")
            raise OSError(errno.EIO, "injected failure")
        return self.real(*args, **kwargs)


TARGETS = [
    (os, "fsync", False),
    (os, "rename", False),
    (os, "replace", False),
    (publish_module, "write_file_durably", True),
    (publish_module, "durable_temp_file", False),
    (publish_module, "fsync_dir", False),
]


@pytest.mark.slow
@pytest.mark.parametrize(("owner", "name", "partial"), TARGETS, ids=lambda v: v if isinstance(v, str) else "")
def test_failure_at_every_call_leaves_the_store_as_before(template, tmp_path, monkeypatch, owner, name, partial):
    update = {"status.csv": status_file(tmp_path / "upload", 99).read_bytes()}
    real = getattr(owner, name)
    counter = FailAt(real, 0)
    monkeypatch.setattr(owner, name, counter)
    publish(fresh_copy(template, tmp_path / "count").root, update, author="A", note="count the calls")
    total = counter.calls
    assert total >= 1
    committed_at_call = None
    for n in range(1, total + 1):
        store = fresh_copy(template, tmp_path / "store")
        before = snapshot(store.root)
        monkeypatch.setattr(owner, name, FailAt(real, n, partial))
        try:
            publish(store.root, update, author="A", note=f"fail at {name} call {n}")
        except OSError:
            monkeypatch.setattr(owner, name, real)
            # Nothing changed: same files, byte for byte, no temp file or record left over (so the
            # next publish meets exactly the store it would have met without the fault).
            assert snapshot(store.root) == before, f"{name} call {n}"
            assert_intact(store, LISTED_AFTER_TEMPLATE)
            continue
        # Only a failure after the manifest rename lets publish succeed: the version is complete
        # and listed; its pending record may wait for the next publish, which must tidy it.
        monkeypatch.setattr(owner, name, real)
        committed_at_call = committed_at_call or n
        assert [v.id for v in store.versions()] == [*LISTED_AFTER_TEMPLATE, "v0003"]
        assert store.load("v0003").problems == []
        publish(store.root, {"status.csv": status_file(tmp_path / "next", 1000 + n).read_bytes()}, author="A", note="after")
        assert_intact(store, [*LISTED_AFTER_TEMPLATE, "v0003", "v0004"])
    if name in ("fsync", "fsync_dir"):
        assert committed_at_call is not None  # the post-commit fsyncs were reached and reported, not raised


def test_interrupt_while_writing_cleans_up(template, tmp_path, monkeypatch):
    """Ctrl-C (a BaseException, not an OSError) mid-write undoes the publish too."""
    store = fresh_copy(template, tmp_path / "store")
    before = snapshot(store.root)
    real = publish_module.write_file_durably

    def interrupted(path, data):
        if path.name == "milestones.csv":
            raise KeyboardInterrupt
        real(path, data)

    monkeypatch.setattr(publish_module, "write_file_durably", interrupted)
    with pytest.raises(KeyboardInterrupt):
        publish(store.root, {"status.csv": status_file(tmp_path / "u", 5).read_bytes()}, author="A", note="n")
    assert snapshot(store.root) == before
    assert_intact(store, LISTED_AFTER_TEMPLATE)


# --- a real process killed at each step ---------------------------------------------------------


KILL_POINTS = [f"fsync:{n}" for n in range(1, 11)] + ["rename:1", "replace:1"]


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", KILL_POINTS)
def test_process_killed_at_each_step(template, tmp_path, kill_at):
    store = fresh_copy(template, tmp_path / "store")
    process = start_publisher(store.root, status_file(tmp_path / "upload", 7), KILL_AT=kill_at)
    wait_ready(process)
    process.communicate(timeout=120)
    versions = [v.id for v in store.versions()]
    if process.returncode == 0:  # the kill point lies after this publish's last call
        assert versions == [*LISTED_AFTER_TEMPLATE, "v0003"]
    else:
        assert process.returncode == -signal.SIGKILL
        assert versions in (LISTED_AFTER_TEMPLATE, [*LISTED_AFTER_TEMPLATE, "v0003"])
    for vid in versions:
        assert store.load(vid).problems == []
    problems = store.verify()
    assert len(problems) <= 1 and all("a publish was interrupted" in p.message for p in problems), problems
    if kill_at == "replace:1":  # killed between folder rename and manifest write: the orphan case
        assert [p.where for p in problems] == [str(store.versions_dir / "v0003")]
    # The next publish tidies whatever the kill left and succeeds.
    info = publish(store.root, {"status.csv": status_file(tmp_path / "next", 8).read_bytes()}, author="A", note="after the kill")
    assert store.verify() == []
    assert [v.id for v in store.versions()][-1] == info.id
    kept_aside = [p.name for p in store.versions_dir.glob(".orphaned-*")]
    assert len(kept_aside) == (1 if problems else 0)
    assert sorted(os.listdir(store.versions_dir)) == sorted([v.id for v in store.versions()] + kept_aside)
    assert not list(store.root.glob(".manifest.json.*"))


def random_kill_rounds(store: VersionStore, work: Path, rounds: int, seed: int) -> dict[str, int]:
    """Publish ``rounds`` times into one store, SIGKILLing each at a random moment; check after each."""
    rng = random.Random(seed)
    outcomes = {"published": 0, "nothing visible": 0, "orphan left": 0}
    calibration = start_publisher(store.root, status_file(work / "calibrate", 10_000), SLOW_FSYNC_S="0.01")
    wait_ready(calibration)
    started = time.monotonic()
    calibration.communicate(timeout=120)
    assert calibration.returncode == 0
    window = time.monotonic() - started
    for i in range(rounds):
        before = [v.id for v in store.versions()]
        process = start_publisher(store.root, status_file(work / f"r{i}", 20_000 + i), SLOW_FSYNC_S="0.01")
        wait_ready(process)
        time.sleep(rng.uniform(0, window * 1.2))
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=120)
        after = [v.id for v in store.versions()]
        assert after[: len(before)] == before and len(after) - len(before) in (0, 1)
        for vid in after:
            assert store.load(vid).problems == [], vid
        problems = store.verify()
        assert len(problems) <= 1 and all("a publish was interrupted" in p.message for p in problems), problems
        outcomes["published" if len(after) > len(before) else "orphan left" if problems else "nothing visible"] += 1
    publish(store.root, {"status.csv": status_file(work / "final", 30_000).read_bytes()}, author="A", note="after the kills")
    assert store.verify() == []
    return outcomes


@pytest.mark.slow
def test_random_sigkill_never_corrupts(template, tmp_path):
    rounds = int(os.environ.get("SEZ_KILL_ROUNDS", "8"))
    outcomes = random_kill_rounds(fresh_copy(template, tmp_path / "store"), tmp_path, rounds, seed=rounds)
    print(f"random SIGKILL outcomes over {rounds} rounds: {outcomes}")
    assert sum(outcomes.values()) == rounds
