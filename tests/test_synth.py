"""The synthetic dataset: deterministic, valid through the real validator, verified, and moving forward."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sez_metrics.core import schema
from sez_metrics.core.validate import validate_version
from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.synth import build_store, generate

REPO = Path(__file__).resolve().parents[1]
SMALL = {"zones": 30, "versions": 3, "milestones_per_zone": 4, "seed": 7}


@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("synth") / "data"
    build_store(root, **SMALL)
    return root


def _tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".publish.lock"}


def test_same_seed_gives_identical_bytes(small_store, tmp_path):
    again = tmp_path / "again"
    build_store(again, **SMALL)
    assert _tree_bytes(again) == _tree_bytes(small_store)


def test_another_seed_gives_other_data():
    first = next(generate(10, 1, 2, seed=1))[1]
    other = next(generate(10, 1, 2, seed=2))[1]
    assert first["status.csv"] != other["status.csv"]


def test_store_verifies_and_has_every_version(small_store):
    store = VersionStore(small_store)
    assert store.verify() == []
    assert [v.id for v in store.versions()] == ["v0001", "v0002", "v0003"]
    dataset = store.load().dataset
    assert len(dataset.zones) == 30
    assert len(dataset.milestones) == 30 * 4
    assert dataset.zones["zone_id"].iloc[0] == "synth-00001"


def test_every_version_validates_without_errors_or_warnings(small_store):
    store = VersionStore(small_store)
    previous = None
    for info in store.versions():
        files, problems = store.read_version_files(info)
        assert problems == []
        report = validate_version(files, as_of=info.as_of, previous=previous)
        assert [p.format_line() for p in report.problems] == [], info.id
        previous = store.load(info.id).dataset


def test_stages_and_utilities_never_move_backwards(small_store):
    store = VersionStore(small_store)
    frames = [store.load(v.id).dataset.status.set_index("zone_id") for v in store.versions()]
    for name, enumeration in (("stage", schema.STAGE), ("gas", schema.UTILITY_STAGE), ("electricity", schema.UTILITY_STAGE)):
        rank = {code: r for r, code in enumerate(enumeration.values)}
        for before, after in zip(frames, frames[1:], strict=False):
            assert (after[name].map(rank) >= before[name].map(rank)).all(), name
    first, last = frames[0], frames[-1]
    assert (last["plots_allotted"] >= first["plots_allotted"]).all()
    # colonization grows wherever both rounds report it (empty while a zone has no land yet)
    both = first["colonization_pct"].notna() & last["colonization_pct"].notna()
    assert (last["colonization_pct"][both] >= first["colonization_pct"][both]).all()
    assert first.loc[first["stage"] == "identified", "colonization_pct"].isna().all()


def test_data_changes_between_versions_like_a_real_update(small_store):
    store = VersionStore(small_store)
    versions = store.versions()
    first, last = (store.load(v.id).dataset for v in (versions[0], versions[-1]))
    assert (first.milestones["status"] == "done").sum() < (last.milestones["status"] == "done").sum() or \
        not first.milestones["due_date"].equals(last.milestones["due_date"])
    assert set(last.status["confidence"]) <= set(schema.FLAGGED_CONFIDENCE)  # never passes for official


def test_cli_builds_a_store_and_refuses_an_existing_one(tmp_path):
    out = tmp_path / "cli"
    command = [sys.executable, "-m", "sez_metrics", "synth", "--zones", "5", "--versions", "2",
               "--milestones-per-zone", "2", "--seed", "1", "--out", str(out)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("v0002")
    again = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert again.returncode == 2
    assert "already holds a store" in again.stderr
    assert "Traceback" not in again.stderr


def test_points_are_sampled_inside_their_declared_province_as_written_and_repeatably():
    import numpy as np

    from sez_metrics.core import geo
    from sez_metrics.storage.synth import sample_points

    provinces = np.array(["Islamabad Capital Territory"] * 300 + ["Sindh"] * 300, dtype=object)
    lat, lon = sample_points(np.random.default_rng(5), provinces)
    again = sample_points(np.random.default_rng(5), provinces)
    assert np.array_equal(lat, again[0]) and np.array_equal(lon, again[1])
    assert np.array_equal(lat, np.round(lat, 4)) and np.array_equal(lon, np.round(lon, 4))  # as the CSV writes them
    assert geo.province_mismatches(lat, lon, provinces) == []
    assert len(set(zip(lat[:300], lon[:300], strict=True))) == 300  # spread over the territory, not one point
    other = sample_points(np.random.default_rng(6), provinces)
    assert not np.array_equal(lat, other[0])
