"""Files the app hands out: version zips (exact originals + spreadsheet copies), templates, neutralised CSVs."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile

import pandas as pd
import pytest
from support.stores import MINI, build_store

from sez_metrics.core import schema
from sez_metrics.core.report import Problem, Report
from sez_metrics.render import export
from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.store import sha256_bytes

FIXTURES = MINI.parent / "steward"


@pytest.fixture
def formula_store(tmp_path):
    """Two versions; the second's status.csv has formula-like text cells (source "@SUM(A1)", note "=HYPERLINK…")."""
    second = tmp_path / "round2"
    shutil.copytree(MINI / "v2", second)
    shutil.copy(FIXTURES / "formula" / "status.csv", second / "status.csv")
    return build_store(tmp_path / "store", [(MINI / "v1", "Before JCC-10", "2021-09-15"), (second, "Before JCC-11", "2022-10-15")])


def _members(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        return {name: z.read(name) for name in z.namelist()}


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


# --- neutralising -------------------------------------------------------------------------------


def test_text_cells_that_spreadsheets_would_run_are_neutralised_numbers_are_not():
    frame = pd.DataFrame({
        "text": ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx", "plain", "-5", "+3.2", None],
        "number": [-5.0, 3.2, -0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, float("nan")],
        "integer": pd.array([-1, 2, 3, 4, 5, 6, 7, 8, 9, None], dtype="Int64"),
        "date": pd.to_datetime(["2022-10-15"] * 9 + [None]),
    })
    rows = list(csv.reader(io.StringIO(export.spreadsheet_csv(frame).decode("utf-8-sig"), newline="")))
    assert rows[0] == ["text", "number", "integer", "date"]
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)", "'\tx", "'\rx",
                                        "plain", "-5", "+3.2", ""]
    assert [r[1] for r in rows[1:4]] == ["-5.0", "3.2", "-0.5"]
    assert [r[2] for r in rows[1:3]] == ["-1", "2"]
    assert rows[1][3] == "2022-10-15" and rows[10][3] == ""


def test_spreadsheet_csv_has_a_bom_for_excel():
    assert export.spreadsheet_csv(pd.DataFrame({"name": ["Dhabeji"]})).startswith(b"\xef\xbb\xbf")


def test_validation_report_csv_is_neutralised():
    report = Report([Problem("error", "enum-error", "status", "status.csv", 4, "stage", "=cmd|' /C calc'!A0",
                             "not a stage code", "use one of: identified, …")])
    (row,) = _rows(export.report_csv(report))
    assert list(row) == list(export.REPORT_COLUMNS)
    assert row["value"] == "'=cmd|' /C calc'!A0"
    assert row["line"] == "4" and row["severity"] == "error" and row["file"] == "status.csv"


# --- version zip --------------------------------------------------------------------------------


def test_version_zip_holds_the_exact_published_bytes_and_its_manifest_entry(formula_store):
    store = VersionStore(formula_store)
    archive = export.version_zip(store, "v0002")
    members = _members(archive)
    folder = "sez-dataset-v0002/"
    assert set(members) == {folder + n for n in (
        "README.txt", "manifest-entry.json", "SHA256SUMS",
        "original/zones.csv", "original/status.csv", "original/milestones.csv",
        "for-spreadsheets/zones.csv", "for-spreadsheets/status.csv", "for-spreadsheets/milestones.csv")}
    entry = json.loads(members[folder + "manifest-entry.json"])
    assert entry == store.read_manifest_entries()[1]
    for name in ("zones.csv", "status.csv", "milestones.csv"):
        original = members[folder + "original/" + name]
        assert original == (formula_store / "versions" / "v0002" / name).read_bytes()
        assert sha256_bytes(original) == entry["files"][name]["sha256"]
        assert len(original) == entry["files"][name]["bytes"]
    sums = members[folder + "SHA256SUMS"].decode().splitlines()
    assert f"{entry['files']['status.csv']['sha256']}  original/status.csv" in sums


def test_version_zip_spreadsheet_copies_are_neutralised_originals_are_not(formula_store):
    members = _members(export.version_zip(VersionStore(formula_store), "v0002"))
    original = {r["zone_id"]: r for r in _rows(members["sez-dataset-v0002/original/status.csv"])}
    copy = {r["zone_id"]: r for r in _rows(members["sez-dataset-v0002/for-spreadsheets/status.csv"])}
    assert original["aiic"]["source"] == "@SUM(A1)"
    assert original["aiic"]["note"] == '=HYPERLINK("http://example.invalid","x")'
    assert copy["aiic"]["source"] == "'@SUM(A1)"
    assert copy["aiic"]["note"] == '\'=HYPERLINK("http://example.invalid","x")'
    # everything else is the same text, numbers included
    assert copy["rashakai"] == original["rashakai"]
    assert copy["aiic"]["colonization_pct"] == "33"
    assert "for-spreadsheets/" in members["sez-dataset-v0002/README.txt"].decode()


def test_version_zip_is_reproducible(formula_store):
    store = VersionStore(formula_store)
    assert export.version_zip(store, "v0001") == export.version_zip(store, "v0001")


def test_a_tampered_version_is_not_exported(formula_store):
    path = formula_store / "versions" / "v0001" / "status.csv"
    path.write_bytes(path.read_bytes().replace(b"rashakai", b"rashakay"))
    with pytest.raises(export.ExportError, match=r"status\.csv: v0001: sha256 mismatch.*not exported"):
        export.version_zip(VersionStore(formula_store), "v0001")
    # the intact version still exports
    assert export.version_zip(VersionStore(formula_store), "v0002")


def test_an_edited_manifest_entry_is_not_exported(formula_store):
    manifest = formula_store / "manifest.json"
    doc = json.loads(manifest.read_text())
    doc["versions"][0]["author"] = "someone else"
    manifest.write_text(json.dumps(doc))
    with pytest.raises(export.ExportError, match="edited after publishing"):
        export.version_zip(VersionStore(formula_store), "v0001")


def test_unknown_version(formula_store):
    with pytest.raises(export.ExportError, match="no version 'v0009'"):
        export.version_zip(VersionStore(formula_store), "v0009")


# --- templates ----------------------------------------------------------------------------------


def test_templates_are_header_lines_in_schema_order_with_a_column_guide():
    members = _members(export.templates_zip())
    folder = "sez-dataset-templates/"
    for table in schema.TABLES.values():
        assert members[folder + table.file_name] == (",".join(table.column_names) + "\n").encode()
    guide = _rows(members[folder + "column-guide.csv"])
    assert [(r["file"], r["column"]) for r in guide] == [
        (t.file_name, c.name) for t in schema.TABLES.values() for c in t.columns]
    stage = next(r for r in guide if r["file"] == "status.csv" and r["column"] == "stage")
    assert stage["required"] == "yes"
    assert "under_development = Under development" in stage["allowed values"]
    colonization = next(r for r in guide if r["column"] == "colonization_pct")
    assert colonization["rule"] == "≥ 0; ≤ 100" and colonization["unit"] == "%"
    assert set(members) == {folder + n for n in ("README.txt", "zones.csv", "status.csv", "milestones.csv",
                                                   "column-guide.csv", "data-dictionary.md")}
    assert members[folder + "data-dictionary.md"].decode().startswith("# ")


def test_templates_zip_is_reproducible():
    assert export.templates_zip() == export.templates_zip()
