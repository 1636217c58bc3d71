"""Who may read what we write: packs follow the user's umask, secrets stay owner-only, writes stay atomic.

Real umasks: ``os.umask`` around the call in this process, and ``subprocess.run(umask=...)`` for
the command line.
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from support.stores import build_mini_store

from sez_metrics.steward import secrets_file
from sez_metrics.storage.fsutil import (
    PRIVATE_FILE_MODE,
    USER_UMASK,
    durable_temp_file,
    replace_atomically,
    stale_temp_files,
)

REPO = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def umask(value: int):
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600), (0o002, 0o664)])
def test_a_file_for_people_gets_what_the_umask_gives_any_new_file(tmp_path, mask, expected):
    target = tmp_path / "pack.pdf"
    with umask(mask):
        replace_atomically(target, b"%PDF-1.7 pack", mode=USER_UMASK)
    assert mode_of(target) == expected
    assert target.read_bytes() == b"%PDF-1.7 pack"
    assert stale_temp_files(target) == []


def test_overwriting_a_readable_file_for_people_keeps_it_readable(tmp_path):
    target = tmp_path / "pack.html"
    target.write_text("old")
    target.chmod(0o644)
    with umask(0o022):
        replace_atomically(target, b"new", mode=USER_UMASK)
    assert mode_of(target) == 0o644 and target.read_bytes() == b"new"


def test_by_default_and_for_secrets_a_file_is_owner_only_whatever_the_umask(tmp_path):
    target = tmp_path / "secret"
    target.write_text("old")
    target.chmod(0o644)
    with umask(0o000):
        replace_atomically(target, b"new")
    assert mode_of(target) == PRIVATE_FILE_MODE


def test_a_file_other_accounts_must_read_gets_its_mode_whatever_the_umask(tmp_path):
    # published data: the dashboard may run under another account than the steward's
    target = tmp_path / "manifest.json"
    with umask(0o077):
        tmp = durable_temp_file(target, b"{}", mode=0o644)
    assert mode_of(tmp) == 0o644


def test_the_secrets_file_stays_owner_only_under_an_open_umask(tmp_path):
    path = tmp_path / ".streamlit" / "secrets.toml"
    path.parent.mkdir()
    path.write_text("# deployment settings\n")
    path.chmod(0o644)  # someone loosened it by hand
    with umask(0o000):
        secrets_file.set_steward_password(path, "ayesha", "correct horse battery staple", "Ayesha Khan")
    assert mode_of(path) == 0o600


def test_the_briefing_command_writes_the_pack_with_the_users_umask_over_a_readable_file(tmp_path):
    store = build_mini_store(tmp_path / "store")
    out = tmp_path / "pack.html"
    out.write_text("last week's pack")
    out.chmod(0o644)
    # no browser: the pack comes out at once, without pictures (the mode is what is tested here)
    env = dict(os.environ, SEZ_DATA_DIR=str(store), BROWSER_PATH=str(tmp_path / "no-browser"), PYTHONPATH=str(REPO))

    result = subprocess.run([sys.executable, "-m", "sez_metrics", "briefing", "--out", str(out)], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120, umask=0o027)

    assert result.returncode == 0, result.stderr
    assert mode_of(out) == 0o640
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert stale_temp_files(out) == []
