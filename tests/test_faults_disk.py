"""Publishing onto a real full disk, a read-only disk and a folder the publisher may not write.

Real filesystems, no injection: a 1 MB tmpfs filled to the last byte (ENOSPC), the same tmpfs
remounted read-only (EROFS), and a store owned by root published by the ``nobody`` account
(EACCES; as root, permission bits are ignored, so the publisher drops to another uid with
``setpriv``). These need root (mount) and are skipped otherwise; tests/test_publish_faults.py
injects the same errors in-process at every system call, on any machine.

Each time: a clear one-line message (CLI) or an error box (Data page), no traceback, nothing
lost — every earlier version still verifies — and, once the disk has room again, the next
publish succeeds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from support.stores import build_mini_store
from test_app_data import data_page, fixture_file, publish_button, sign_in, steward_secrets, upload
from test_publish import snapshot

from sez_metrics.steward import passwords
from sez_metrics.storage.folder import VersionStore

REPO = Path(__file__).resolve().parents[1]
UPDATE = fixture_file("valid", "status.csv")[1]  # a valid update of the mini store's status.csv
BEFORE = ["v0001", "v0002"]


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(command), capture_output=True, text=True, timeout=60)


@pytest.fixture
def disk(tmp_path):
    """A 1 MB tmpfs holding a copy of the mini store; unmounted afterwards."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(mount_point))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}); see tests/test_publish_faults.py")
    try:
        yield build_mini_store(mount_point / "store")
    finally:
        run("umount", "-l", str(mount_point))


def fill(root: Path) -> Path:
    """Fill the filesystem of ``root`` to its last byte; returns the filler file."""
    filler = root.parent / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        for chunk in (65536, 4096, 1):
            try:
                while os.write(fd, b"\0" * chunk):
                    pass
            except OSError:
                continue
    finally:
        os.close(fd)
    return filler


def publish_cli(data: Path, update: Path, *prefix: str) -> subprocess.CompletedProcess:
    command = [*prefix, sys.executable, "-m", "sez_metrics", "publish", "--author", "Fault Test", "--note", "disk fault",
               "--based-on", "v0002", str(update)]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "SEZ_DATA_DIR": str(data), "PYTHONDONTWRITEBYTECODE": "1"})


def assert_one_clear_line(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert any(word in lines[0] for word in words), lines[0]
    assert "nothing was published" in lines[0], lines[0]


def assert_nothing_lost(root: Path, before: dict[str, bytes]) -> None:
    store = VersionStore(root)
    assert [v.id for v in store.versions()] == BEFORE
    assert store.verify() == []
    after = snapshot(root)
    assert {k: v for k, v in after.items() if not k.endswith(".lock")} == {k: v for k, v in before.items() if not k.endswith(".lock")}


@pytest.fixture
def update_file(tmp_path) -> Path:
    path = tmp_path / "upload" / "status.csv"
    path.parent.mkdir()
    path.write_bytes(UPDATE)
    return path


def test_full_disk_refuses_with_a_message_keeps_every_version_and_recovers(disk, update_file):
    before = snapshot(disk)
    filler = fill(disk)

    result = publish_cli(disk, update_file)

    assert_one_clear_line(result, "No space left on device")
    assert_nothing_lost(disk, before)
    filler.unlink()  # the operator frees space: the same publish now goes through
    assert publish_cli(disk, update_file).returncode == 0
    assert [v.id for v in VersionStore(disk).versions()] == [*BEFORE, "v0003"]


def test_read_only_disk_refuses_with_a_message_and_the_app_still_reads(disk, update_file, monkeypatch):
    before = snapshot(disk)
    remounted = run("mount", "-o", "remount,ro", str(disk.parent))
    assert remounted.returncode == 0, remounted.stderr

    result = publish_cli(disk, update_file)

    assert_one_clear_line(result, "Read-only file system")
    assert_nothing_lost(disk, before)
    monkeypatch.setenv("SEZ_DATA_DIR", str(disk))
    at = data_page({})
    assert not at.exception and not at.error, [e.value for e in at.error]


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root to drop to another uid")
def test_permission_denied_refuses_with_a_message():
    # Outside pytest's tmp folder (owner-only): ``nobody`` must reach the store and the upload,
    # then be refused writing by the store's permission bits alone.
    as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    probe = subprocess.run([*as_nobody, sys.executable, "-c", "import sez_metrics.storage.publish"], cwd=REPO,
                           capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:  # e.g. a clone under an owner-only home folder
        pytest.skip(f"uid nobody cannot run this checkout's Python: {probe.stderr.strip()[-200:]}")
    base = Path(tempfile.mkdtemp(prefix="sez-perm-"))
    try:
        base.chmod(0o755)
        root = build_mini_store(base / "store")
        update = base / "status.csv"
        update.write_bytes(UPDATE)
        update.chmod(0o644)
        before = snapshot(root)

        result = publish_cli(root, update, *as_nobody)

        assert_one_clear_line(result, "Permission denied")
        assert_nothing_lost(root, before)
    finally:
        shutil.rmtree(base)


def test_full_disk_on_the_data_page_is_an_error_box_not_a_traceback(disk, monkeypatch):
    password_hash = passwords.hash_password("correct horse battery")
    monkeypatch.setattr(passwords, "THROTTLE", passwords.SignInThrottle())
    monkeypatch.setenv("SEZ_DATA_DIR", str(disk))
    before = snapshot(disk)
    at = upload(sign_in(data_page(steward_secrets(password_hash))), ("status.csv", UPDATE))
    at.text_area(key="ws_note").set_value("a publish onto a full disk")
    fill(disk)

    at = publish_button(at).click().run()

    assert not at.exception, [e.value for e in at.exception]
    message = " ".join(e.value for e in at.error)
    assert "No space left on device" in message and "nothing was published" in message, message
    assert_nothing_lost(disk, before)
