"""Reading bytes as stewards' tools write them: UTF-8 with or without BOM; refusing everything else whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from sez_metrics.core import schema, settings
from sez_metrics.core.cell_rules import check_table
from sez_metrics.core.validate import validate_version

FIXTURES = Path(__file__).parent / "fixtures" / "validation"
ENCODING = FIXTURES / "encoding"


def found(report) -> list[tuple[str, int, str]]:
    return [(p.code, p.line, p.column) for p in report.sorted()]


def validate_zones(path: Path):
    return validate_version({"zones.csv": path.read_bytes()})


def test_excel_csv_utf8_export_with_bom_and_crlf_reads_cleanly():
    path = ENCODING / "excel_utf8_bom_crlf.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbfzone_id,")  # the fixture really is what Excel writes
    assert b"\r\n" in path.read_bytes()

    assert found(validate_zones(path)) == []
    checked = check_table(path.read_bytes(), schema.ZONES, "zones.csv")
    assert list(checked.raw.columns) == list(schema.ZONES.column_names)  # the BOM is not part of "zone_id"
    assert checked.raw["name"].iloc[0] == "Rashakai SEZ, Nowshera"  # quoted comma kept inside the cell
    assert checked.raw["notified_on"].iloc[2] == "2020-09-11"  # no "\r" left at line ends


def test_windows_1252_file_is_refused_naming_line_and_byte():
    report = validate_zones(ENCODING / "cp1252.csv")

    assert found(report) == [("encoding-error", 3, "")]
    problem = report.problems[0]
    assert "byte 0xC9 at line 3, byte 17" in problem.message
    assert "'É' in Windows-1252" in problem.message
    assert "save as CSV UTF-8" in problem.message
    assert "CSV UTF-8" in problem.fix


@pytest.mark.parametrize("name", ["utf16.csv", "utf16le_no_bom.csv"])
def test_utf16_text_is_refused_as_such(name):
    report = validate_zones(ENCODING / name)

    assert found(report) == [("encoding-error", 0, "")]
    assert "UTF-16" in report.problems[0].message


def test_nul_byte_means_binary_content_and_names_its_line():
    report = validate_zones(ENCODING / "nul_byte.csv")

    assert found(report) == [("binary-file", 3, "")]
    assert "NUL byte at line 3" in report.problems[0].message


def test_excel_workbook_saved_with_a_csv_name_is_recognised():
    report = validate_zones(ENCODING / "excel_workbook_renamed.csv")

    assert found(report) == [("binary-file", 0, "")]
    assert "Excel workbook" in report.problems[0].message
    assert "CSV UTF-8" in report.problems[0].fix


@pytest.mark.parametrize("name", ["empty.csv", "blank_lines_only.csv"])
def test_empty_file_is_refused(name):
    assert found(validate_zones(ENCODING / name)) == [("empty-file", 1, "")]


def test_file_over_the_size_limit_is_refused_before_parsing(monkeypatch):
    data = (FIXTURES / "valid" / "zones.csv").read_bytes()
    monkeypatch.setattr(settings, "MAX_CSV_BYTES", len(data) - 1)

    report = validate_version({"zones.csv": data})

    assert found(report) == [("file-too-large", 0, "")]
    assert f"{len(data) - 1:,} bytes" in report.problems[0].message


@pytest.mark.parametrize(
    "name", ["cp1252.csv", "utf16.csv", "utf16le_no_bom.csv", "nul_byte.csv", "excel_workbook_renamed.csv", "empty.csv"]
)
def test_refused_file_is_never_half_read(name):
    checked = check_table((ENCODING / name).read_bytes(), schema.ZONES, name)

    assert checked.raw is None
    assert checked.typed == {}
