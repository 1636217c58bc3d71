"""Fuzzing the CSV reader and the validator: odd unicode, NUL bytes, huge fields, many columns.

The invariants: whatever the bytes, the validator returns a report and never raises; every
problem it reports is in its catalogue, with a fix and a line inside the file; and rows that are
valid are never reported as errors, however exotic their text (right-to-left Urdu, combining
marks, emoji, quoted commas and line breaks) — only the row a test deliberately breaks is.

tests/test_dialect.py already throws random bytes and CSV-token soup at the validator; this file
adds shapes and text that a steward's spreadsheet really produces.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sez_metrics.core import schema
from sez_metrics.core import settings as limits
from sez_metrics.core.csvio import read_table
from sez_metrics.core.stored_csv import parse_csv_bytes
from sez_metrics.core.validate import validate_version

VALID = Path(__file__).parent / "fixtures" / "validation" / "valid"
# The columns every zones.csv has; the optional ones (the names in Chinese and Urdu) are left out,
# as a file may: their script rules would refuse the odd text generated here.
ZONE_COLUMNS = [c.name for c in schema.ZONES.columns if not c.optional_header]
with (VALID / "zones.csv").open(encoding="utf-8", newline="") as f:
    TEMPLATE_ZONES = list(csv.DictReader(f))  # rows whose coordinates agree with their province

# Examples per test come from the Hypothesis profile (tests/conftest.py).
FUZZ = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Text a steward may legitimately type: Urdu (right to left, with a zero-width non-joiner inside
# a word), combining marks, emoji sequences, CJK, markup and formula look-alikes, quotes, commas,
# line breaks. (Direction controls and other hidden characters are refused: tests/test_rules_cells.py.)
ODD_PIECES = [
    "رشکئی خصوصی اقتصادی زون", "نوشہرہ", "e\u0301", "a\u0308\u0323", "نوشہ\u200cرہ", "👩\u200d🔧",
    "🏭", "工业园", "<script>alert(1)</script>", "=HYPERLINK(\"x\")", "+1", "@SUM(A1)", '"', ",", "\n", "  ", "Ω",
    "\u00a0", "x",
]
odd_text = st.one_of(
    st.lists(st.sampled_from(ODD_PIECES), min_size=1, max_size=6).map("".join),
    # any unicode but surrogates (not encodable), NUL (refused as binary, tested below) and CR
    # (a lone CR is a line break to the CSV reader, which would shift the expected line numbers)
    # and hidden characters (controls, format characters, separators), which are refused by design
    st.text(st.characters(exclude_categories=["Cs", "Cc", "Cf", "Zl", "Zp"], exclude_characters="\x00\r"),
            min_size=1, max_size=40),
).map(str.strip).filter(bool)


def csv_bytes(rows: list[list[str]], terminator: str = "\n", bom: bool = False) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator=terminator).writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")


def _cut_short(text: str) -> str:
    """``text`` cut to the short-name limit as a steward would shorten it: a cut that ends on a
    zero-width (non-)joiner or a space drops them (a joiner with nothing after it is a hidden
    character, rightly refused)."""
    return re.sub(r"[\s\u200c\u200d]+$", "", text[: schema.SHORT_NAME_MAX]).strip()


@st.composite
def valid_zone_rows(draw, min_rows: int = 1, max_rows: int = 8) -> list[dict[str, str]]:
    """Zones rows that satisfy every rule: unique ids, template coordinates, odd unicode in free text."""
    ids = draw(st.lists(st.from_regex(r"[a-z0-9][a-z0-9_-]{1,12}", fullmatch=True), min_size=min_rows,
                        max_size=max_rows, unique=True))
    rows = []
    for zone_id in ids:
        row = dict(draw(st.sampled_from(TEMPLATE_ZONES)))
        row["zone_id"] = zone_id
        for column in ("name", "district", "developer", "programme"):
            row[column] = draw(odd_text)
        row["short_name"] = draw(odd_text.map(_cut_short).filter(bool))
        rows.append(row)
    return rows


def zones_file(rows: list[dict[str, str]], **options) -> bytes:
    return csv_bytes([ZONE_COLUMNS, *([row[c] for c in ZONE_COLUMNS] for row in rows)], **options)


def start_line(rows: list[dict[str, str]], index: int) -> int:
    """The line where record ``index`` starts: after the header and each earlier record's line breaks."""
    return zones_file(rows[:index]).count(b"\n") + 1


def assert_well_formed(report, data: bytes) -> None:
    lines = data.count(b"\n") + data.count(b"\r") + 1
    for problem in report.problems:
        assert problem.fix and problem.message
        assert 0 <= problem.line <= lines, problem
        assert "\n" not in problem.format_line()


@FUZZ
@given(valid_zone_rows(), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_valid_rows_with_odd_unicode_are_accepted_and_stored_as_typed(rows, terminator, bom):
    data = zones_file(rows, terminator=terminator, bom=bom)

    report = validate_version({"zones.csv": data})

    assert report.ok, [p.format_line() for p in report.errors]
    stored = parse_csv_bytes(data, schema.ZONES)
    assert list(stored["name"]) == [row["name"] for row in rows]  # the store reads what was checked


# One way to break a cell per column kind; the broken row must be the only one with an error.
BREAKERS = {
    "zone_id": "Not A Slug!", "name": "", "province": "Punjaab", "latitude": "91", "longitude": "east",
    "location_precision": "exact", "area_acres": "-5", "priority": "maybe", "notified_on": "2024-02-30",
    "short_name": "x" * (schema.SHORT_NAME_MAX + 1),
}


@FUZZ
@given(valid_zone_rows(min_rows=2), st.data())
def test_only_the_broken_row_is_reported_as_an_error(rows, data):
    broken = data.draw(st.integers(0, len(rows) - 1), label="broken row")
    column = data.draw(st.sampled_from(sorted(BREAKERS)), label="broken column")
    rows[broken][column] = BREAKERS[column]
    line = start_line(rows, broken)

    report = validate_version({"zones.csv": zones_file(rows)})

    assert report.errors, f"{column}={BREAKERS[column]!r} was accepted"
    assert {p.line for p in report.errors} == {line}, [p.format_line() for p in report.errors]


# Random shapes: any number of columns (known, unknown, duplicated, empty), ragged records, cells of
# any unicode including NUL, right-to-left and combining text.
any_cell = st.one_of(st.sampled_from(["", " ", "1", "2024-01-01", "true", "Punjab", "رشکئی", "e\u0301\u0301"]),
                     st.text(st.characters(exclude_categories=["Cs"]), max_size=20))
header_cell = st.one_of(st.sampled_from(ZONE_COLUMNS), any_cell)


@FUZZ
@given(st.lists(header_cell, min_size=1, max_size=30),
       st.lists(st.lists(any_cell, max_size=30), max_size=8),
       st.sampled_from(["zones.csv", "status.csv", "milestones.csv"]))
def test_random_shapes_always_give_a_report(header, records, file_name):
    data = csv_bytes([header, *records])

    report = validate_version({file_name: data})

    assert_well_formed(report, data)


@FUZZ
@given(valid_zone_rows(max_rows=3), st.data())
def test_a_nul_byte_anywhere_refuses_the_file_naming_its_line(rows, data):
    text = zones_file(rows)
    at = data.draw(st.integers(0, len(text)), label="NUL position")
    damaged = text[:at] + b"\x00" + text[at:]

    report = validate_version({"zones.csv": damaged})

    assert [p.code for p in report.errors] == ["binary-file"]
    assert report.errors[0].line == damaged[:at].count(b"\n") + 1
    assert read_table(damaged, schema.ZONES).frame is None


@settings(max_examples=5, deadline=None)
@given(valid_zone_rows(min_rows=2, max_rows=3), st.integers(0, 1))
def test_a_huge_field_is_reported_on_its_row_only(rows, which):
    rows[which]["developer"] = "ش" * (limits.MAX_CELL_CHARS + 1)

    report = validate_version({"zones.csv": zones_file(rows)})

    assert [(p.code, p.column) for p in report.errors] == [("cell-too-long", "developer")]
    assert report.errors[0].line == start_line(rows, which)
    assert len(report.errors[0].message) < 1000  # the message quotes the value, it does not repeat it


def test_a_file_over_the_size_limit_is_refused_before_parsing():
    data = (",".join(ZONE_COLUMNS) + "\n").encode() + b"a" * limits.MAX_CSV_BYTES

    report = validate_version({"zones.csv": data})

    assert [p.code for p in report.errors] == ["file-too-large"]


def test_columns_up_to_the_limit_are_refused_by_header_not_by_crash():
    extra = limits.MAX_COLUMNS - len(ZONE_COLUMNS)
    header = ZONE_COLUMNS + [f"extra_{i}" for i in range(extra)]
    row = [TEMPLATE_ZONES[0][c] for c in ZONE_COLUMNS] + ["x"] * extra

    report = validate_version({"zones.csv": csv_bytes([header, row])})

    codes = {p.code for p in report.errors}
    assert codes == {"unknown-header"}, codes
    assert all(p.line == 1 for p in report.errors)


def test_thousands_of_columns_are_refused_at_once():
    header = ZONE_COLUMNS + [f"extra_{i}" for i in range(5000)]
    row = [TEMPLATE_ZONES[0][c] for c in ZONE_COLUMNS] + ["x"] * 5000

    report = validate_version({"zones.csv": csv_bytes([header, row])})

    assert [(p.code, p.line) for p in report.errors] == [("too-many-columns", 1)]
    assert f"{len(header):,} cells" in report.errors[0].message
