"""Rules against the previous version: stages moving backwards, zones removed (warnings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sez_metrics.core.validate import validate_version
from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.publish import publish

FIXTURES = Path(__file__).parent / "fixtures" / "validation"
VALID = FIXTURES / "valid"
PREVIOUS = FIXTURES / "previous"


def valid_files() -> dict[str, bytes]:
    return {name: (VALID / name).read_bytes() for name in ("zones.csv", "status.csv", "milestones.csv")}


@pytest.fixture
def published(tmp_path, monkeypatch) -> VersionStore:
    """A store holding the valid fixture as its first version."""
    monkeypatch.setenv("SEZ_DATA_DIR", str(tmp_path))
    publish(tmp_path, valid_files(), author="test", note="first version")
    return VersionStore(tmp_path)


def found(report) -> list[tuple[str, str, str, int, str]]:
    return [(p.file, p.severity, p.code, p.line, p.column) for p in report.sorted()]


def test_stage_and_utility_moving_backwards_are_warnings(published):
    previous = published.load().dataset
    files = valid_files() | {"status.csv": (PREVIOUS / "status_regressed.csv").read_bytes()}

    report = validate_version(files, previous=previous)

    assert found(report) == [
        ("status.csv", "warning", "stage-regressed", 4, "gas"),
        ("status.csv", "warning", "stage-regressed", 4, "stage"),
    ]
    assert report.sorted()[1].message == 'stage went back from "partly_operational" to "notified" since version v0001'


def test_a_warning_does_not_block_publishing(published):
    publish(published.root, {"status.csv": (PREVIOUS / "status_regressed.csv").read_bytes()}, author="test", note="setback")

    assert [v.id for v in published.versions()] == ["v0001", "v0002"]


def test_zone_removed_since_the_previous_version(published):
    previous = published.load().dataset

    report = validate_version({"zones.csv": (PREVIOUS / "zones_removed.csv").read_bytes()}, previous=previous)

    assert found(report) == [("zones.csv", "warning", "zone-removed", 0, "zone_id")]
    assert report.problems[0].value == "aiic"
