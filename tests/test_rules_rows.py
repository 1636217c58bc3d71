"""Rules across the columns of one record: totals, done ⇔ done_date, phases, colonization."""

from __future__ import annotations

from pathlib import Path

from sez_metrics.core import csvio, schema
from sez_metrics.core.validate import validate_version

FIXTURES = Path(__file__).parent / "fixtures" / "validation"
ROWS = FIXTURES / "rows"
VALID_ZONES = csvio.read_table((FIXTURES / "valid" / "zones.csv").read_bytes(), schema.ZONES).frame


def found(report) -> list[tuple[str, str, int, str]]:
    return [(p.severity, p.code, p.line, p.column) for p in report.sorted()]


def test_parts_cannot_exceed_totals_and_colonization_should_agree_with_plots():
    report = validate_version({"status.csv": (ROWS / "status_rules.csv").read_bytes()}, reference_zones=VALID_ZONES)

    assert found(report) == [
        ("error", "exceeds-total", 2, "plots_allotted"),
        ("error", "exceeds-total", 3, "enterprises_operating"),
        ("warning", "colonization-mismatch", 4, "colonization_pct"),
    ]
    assert "30/200 = 15.0%" in report.sorted()[2].message


def test_colonization_within_the_tolerance_is_accepted():
    data = (ROWS / "status_rules.csv").read_bytes().replace(b",40,200,30,", b",15.9,200,30,")

    report = validate_version({"status.csv": data}, reference_zones=VALID_ZONES)

    assert ("warning", "colonization-mismatch", 4, "colonization_pct") not in found(report)


def test_milestone_dates_must_agree_with_status_and_kind():
    report = validate_version({"milestones.csv": (ROWS / "milestone_rules.csv").read_bytes()}, reference_zones=VALID_ZONES)

    assert found(report) == [
        ("error", "done-without-date", 2, "done_date"),
        ("error", "date-without-done", 3, "status"),
        ("error", "phase-without-start", 4, "start_date"),
        ("error", "start-not-phase", 5, "start_date"),
        ("error", "start-after-due", 6, "start_date"),
    ]
