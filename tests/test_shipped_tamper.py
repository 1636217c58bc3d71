"""A byte flipped in any file of any shipped version is caught by verify and by the loader."""

import subprocess
import sys

import pytest
from support.stores import SHIPPED, copy_shipped

from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.store import VERSION_FILES

SHIPPED_IDS = [v.id for v in VersionStore(SHIPPED).versions()]
CASES = [(vid, name) for vid in SHIPPED_IDS for name in VERSION_FILES]


def _flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.fixture
def shipped(tmp_path):
    return copy_shipped(tmp_path / "data")


@pytest.mark.parametrize(("version_id", "file_name"), CASES)
def test_flipped_byte_is_named_and_the_loader_serves_an_intact_version(shipped, version_id, file_name):
    damaged = shipped / "versions" / version_id / file_name
    _flip_a_byte(damaged)
    store = VersionStore(shipped)

    problems = store.verify()
    assert [(p.version_id, p.where) for p in problems] == [(version_id, str(damaged))]

    result = store.load(version_id)
    intact = [v for v in SHIPPED_IDS if v != version_id]
    assert result.dataset.info.id == intact[-1] != version_id
    assert result.fell_back and str(damaged) in result.problems[0].format_line()
    if version_id == SHIPPED_IDS[-1]:
        # The latest is damaged: the default view falls back to the version before it.
        assert store.load().dataset.info.id == SHIPPED_IDS[-2]


def test_verify_cli_exits_1_naming_the_file(shipped):
    damaged = shipped / "versions" / SHIPPED_IDS[-1] / "status.csv"
    _flip_a_byte(damaged)
    run = subprocess.run([sys.executable, "-m", "sez_metrics", "verify"], capture_output=True, text=True,
                         env={"SEZ_DATA_DIR": str(shipped), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert run.returncode == 1
    assert str(damaged) in run.stdout and "Traceback" not in run.stderr
