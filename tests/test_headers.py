"""Header rows: duplicate, missing, unknown, nameless and space-padded column names."""

from __future__ import annotations

from pathlib import Path

from sez_metrics.core import schema
from sez_metrics.core.cell_rules import check_table
from sez_metrics.core.validate import validate_version

HEADERS = Path(__file__).parent / "fixtures" / "validation" / "headers"


def validate_zones(name: str):
    return validate_version({"zones.csv": (HEADERS / name).read_bytes()})


def found(report) -> list[tuple[str, str, int, str]]:
    return [(p.severity, p.code, p.line, p.column) for p in report.sorted()]


def test_duplicate_column_is_refused():
    report = validate_zones("duplicate.csv")

    assert found(report) == [("error", "duplicate-header", 1, "name")]
    assert "position 14" in report.problems[0].message
    assert check_table((HEADERS / "duplicate.csv").read_bytes(), schema.ZONES, "zones.csv").raw is None


def test_missing_column_is_refused_naming_it():
    report = validate_zones("missing.csv")

    assert found(report) == [("error", "missing-header", 1, "district")]
    assert "optional column may be left empty" in report.problems[0].fix


def test_unknown_column_suggests_the_closest_known_one():
    report = validate_zones("unknown.csv")

    assert found(report) == [("error", "unknown-header", 1, "Zone_ID"), ("error", "missing-header", 1, "zone_id")]
    assert 'did you mean "zone_id"' in report.sorted()[0].message


def test_empty_nameless_trailing_column_is_only_a_warning():
    report = validate_zones("blank_trailing_empty.csv")

    assert found(report) == [("warning", "blank-header", 1, "")]
    assert report.ok
    assert "column 14" in report.problems[0].message


def test_nameless_column_holding_data_is_an_error():
    report = validate_zones("blank_with_data.csv")

    assert found(report) == [("error", "blank-header", 1, "")]
    assert "would be lost" in report.problems[0].message


def test_spaces_around_a_column_name_are_refused_because_the_store_matches_names_exactly():
    report = validate_zones("header_spaces.csv")

    assert found(report) == [("error", "header-spaces", 1, "zone_id")]
    assert report.problems[0].value == " zone_id "
