"""Dates against the version's reporting date (as_of)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sez_metrics.core import csvio, schema
from sez_metrics.core.validate import validate_version

FIXTURES = Path(__file__).parent / "fixtures" / "validation"
VALID = FIXTURES / "valid"
DONE_AFTER = FIXTURES / "dates" / "done_after_as_of.csv"


def valid_files() -> dict[str, bytes]:
    return {name: (VALID / name).read_bytes() for name in ("zones.csv", "status.csv", "milestones.csv")}


def found(report) -> list[tuple[str, str, int, str]]:
    return [(p.file, p.code, p.line, p.column) for p in report.sorted()]


def test_done_date_after_the_latest_status_as_of_by_default():
    report = validate_version(valid_files() | {"milestones.csv": DONE_AFTER.read_bytes()})

    assert found(report) == [("milestones.csv", "done-after-as-of", 2, "done_date")]
    assert "after the version's as_of (2024-06-30)" in report.problems[0].message


def test_explicit_as_of_checks_done_dates_and_status_dates():
    report = validate_version(valid_files() | {"milestones.csv": DONE_AFTER.read_bytes()}, as_of="2024-04-01")

    assert found(report) == [
        ("milestones.csv", "done-after-as-of", 2, "done_date"),
        ("milestones.csv", "done-after-as-of", 3, "done_date"),
        ("status.csv", "as-of-after-version", 2, "as_of"),
        ("status.csv", "as-of-after-version", 3, "as_of"),
        ("status.csv", "as-of-after-version", 4, "as_of"),
    ]


def test_milestones_alone_are_checked_against_today():
    future = date.today().replace(year=date.today().year + 1).isoformat()
    data = DONE_AFTER.read_bytes().replace(b"2024-07-15,2024-07-15", f"{future},{future}".encode())
    zones = csvio.read_table((VALID / "zones.csv").read_bytes(), schema.ZONES).frame

    report = validate_version({"milestones.csv": data}, reference_zones=zones)

    assert found(report) == [("milestones.csv", "done-after-as-of", 2, "done_date")]
    assert "after today" in report.problems[0].message


def test_malformed_as_of_is_reported():
    report = validate_version(valid_files(), as_of="30/06/2024")

    assert found(report) == [("as_of", "invalid-as-of", 0, "as_of")]
