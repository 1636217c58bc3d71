"""Rules across tables: zone_ids exist, one status row per zone, every zone has a status row."""

from __future__ import annotations

from pathlib import Path

from sez_metrics.core import csvio, schema
from sez_metrics.core.validate import validate_version

FIXTURES = Path(__file__).parent / "fixtures" / "validation"
VALID = FIXTURES / "valid"
TABLES = FIXTURES / "tables"


def valid_files() -> dict[str, bytes]:
    return {name: (VALID / name).read_bytes() for name in ("zones.csv", "status.csv", "milestones.csv")}


def found(report) -> list[tuple[str, str, str, int, str]]:
    return [(p.file, p.severity, p.code, p.line, p.column) for p in report.sorted()]


def test_valid_version_has_no_problem():
    assert found(validate_version(valid_files())) == []


def test_status_rows_must_name_known_zones_once_and_every_zone_needs_one():
    files = valid_files() | {"status.csv": (TABLES / "status_unknown_zone.csv").read_bytes()}

    report = validate_version(files)

    assert found(report) == [
        ("status.csv", "error", "unknown-zone", 3, "zone_id"),
        ("status.csv", "error", "duplicate-key", 4, "zone_id"),
        ("zones.csv", "warning", "missing-status", 3, "zone_id"),
        ("zones.csv", "warning", "missing-status", 4, "zone_id"),
    ]
    assert 'did you mean "dhabeji"' in report.sorted()[0].message


def test_milestones_need_known_zones_except_programme_events():
    files = valid_files() | {"milestones.csv": (TABLES / "milestones_unknown_zone.csv").read_bytes()}

    assert found(validate_version(files)) == [("milestones.csv", "error", "unknown-zone", 2, "zone_id")]


def test_reference_zones_stand_in_for_a_missing_zones_csv():
    status = (TABLES / "status_unknown_zone.csv").read_bytes()
    reference = csvio.read_table((VALID / "zones.csv").read_bytes(), schema.ZONES).frame

    report = validate_version(
        {"status.csv": status}, reference_zones=reference, names={"status.csv": "update/status.csv", "zones.csv": "v0003/zones.csv"}
    )

    assert found(report) == [
        ("update/status.csv", "error", "unknown-zone", 3, "zone_id"),
        ("update/status.csv", "error", "duplicate-key", 4, "zone_id"),
    ]
    assert "is not in v0003/zones.csv" in report.sorted()[0].message


def test_without_any_zones_the_check_is_skipped_with_a_warning():
    report = validate_version({"status.csv": (VALID / "status.csv").read_bytes()})

    assert found(report) == [("status.csv", "warning", "zones-unchecked", 0, "zone_id")]


def test_unknown_file_name_is_a_programming_error():
    import pytest

    with pytest.raises(ValueError, match="not a dataset file"):
        validate_version({"zones.xlsx": b""})
