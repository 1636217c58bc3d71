"""CSV dialect hazards: delimiters, quoting, line numbers of multi-line records, blank lines, spaces."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from sez_metrics.core import csvio, schema
from sez_metrics.core.cell_rules import check_table
from sez_metrics.core.stored_csv import parse_csv_bytes
from sez_metrics.core.typed import to_typed
from sez_metrics.core.validate import validate_version

FIXTURES = Path(__file__).parent / "fixtures" / "validation"
DIALECT = FIXTURES / "dialect"
VALID_ZONES = csvio.read_table((FIXTURES / "valid" / "zones.csv").read_bytes(), schema.ZONES).frame


def validate(path: Path, file_name: str):
    reference = None if file_name == "zones.csv" else VALID_ZONES
    return validate_version({file_name: path.read_bytes()}, reference_zones=reference)


def found(report) -> list[tuple[str, int, str]]:
    return [(p.code, p.line, p.column) for p in report.sorted()]


def test_semicolon_delimited_file_is_refused():
    report = validate(DIALECT / "semicolon.csv", "zones.csv")

    assert found(report) == [("delimiter-error", 1, "")]
    assert "semicolons" in report.problems[0].message


def test_tab_delimited_file_is_refused():
    report = validate(DIALECT / "tab.csv", "zones.csv")

    assert found(report) == [("delimiter-error", 1, "")]
    assert "tabs" in report.problems[0].message


def test_quoted_newlines_shift_later_line_numbers():
    # Record 1 spans lines 2-3, record 2 is line 4, record 3 spans lines 5-7, record 4 is line 8.
    report = validate(DIALECT / "quoted_newline.csv", "milestones.csv")

    assert found(report) == [("enum-error", 4, "status"), ("type-error", 8, "due_date")]
    checked = check_table((DIALECT / "quoted_newline.csv").read_bytes(), schema.MILESTONES, "milestones.csv")
    assert list(checked.lines) == [2, 4, 5, 8]
    assert checked.raw["title"].iloc[0] == "Groundbreaking,\nfirst stone laid by the Prime Minister"


def test_ragged_rows_are_reported_per_line_and_the_rest_still_checked():
    report = validate(DIALECT / "ragged.csv", "zones.csv")

    assert found(report) == [("ragged-row", 3, ""), ("ragged-row", 4, ""), ("type-error", 5, "latitude")]
    messages = [p.message for p in report.sorted()]
    assert "14 cells but the header has 13" in messages[0]
    assert "12 cells but the header has 13" in messages[1]


def test_spaces_around_cells_are_stripped():
    path = DIALECT / "spaces.csv"
    assert found(validate(path, "zones.csv")) == []

    checked = check_table(path.read_bytes(), schema.ZONES, "zones.csv")
    assert list(checked.raw["zone_id"]) == ["rashakai", "dhabeji", "aiic"]
    assert checked.raw["province"].iloc[0] == "Khyber Pakhtunkhwa"
    assert checked.typed["latitude"].iloc[0] == 34.119
    assert list(checked.typed["priority"]) == ["true", "true", "true"]  # " true " and Excel's TRUE


def test_blank_lines_are_skipped_without_losing_line_numbers():
    report = validate(DIALECT / "blank_lines.csv", "zones.csv")

    assert found(report) == [("enum-error", 7, "province")]
    assert 'did you mean "Punjab"' in report.problems[0].message


def test_excel_rows_of_empty_cells_are_reported_because_the_store_would_read_them():
    report = validate(DIALECT / "excel_blank_rows.csv", "zones.csv")

    assert found(report) == [("blank-row", 5, ""), ("blank-row", 6, "")]


def test_broken_quoting_refuses_the_file_at_the_record_where_it_starts():
    for name in ("broken_quote.csv", "unterminated_quote.csv"):
        report = validate(DIALECT / name, "zones.csv")
        assert found(report) == [("quote-error", 3, "")], name
        assert check_table((DIALECT / name).read_bytes(), schema.ZONES, name).raw is None


def test_decimal_commas_are_reported_as_the_cells_they_are():
    report = validate(DIALECT / "decimal_comma.csv", "status.csv")

    assert found(report) == [("decimal-comma", 2, "power_mw_available"), ("decimal-comma", 3, "investment_usd_m")]
    assert [p.value for p in report.sorted()] == ["12,5", "1.234,5"]


def test_header_without_records_is_refused():
    assert found(validate(DIALECT / "header_only.csv", "zones.csv")) == [("no-rows", 1, "")]


def test_leading_zeros_stay_text_where_text_is_expected():
    path = DIALECT / "leading_zeros.csv"
    assert found(validate(path, "zones.csv")) == []

    checked = check_table(path.read_bytes(), schema.ZONES, "zones.csv")
    assert checked.typed["zone_id"].iloc[0] == "007"
    assert checked.typed["district"].iloc[0] == "007"
    assert checked.typed["area_acres"].iloc[0] == 150.0


ZONES_HEADER = ",".join(schema.ZONES.column_names)


@given(st.binary(max_size=400))
def test_any_bytes_give_a_report_never_an_exception(data):
    report = validate_version({"zones.csv": data, "status.csv": data, "milestones.csv": data})

    assert not report.ok  # none of this is a valid version
    for problem in report.problems:
        assert problem.fix


CSV_TOKENS = [",", '"', "\n", "\r\n", " ", ";", "x", "1", ".", "-", "é", "Punjab", "34.1", "true", "2024-01-01"]


@given(st.lists(st.sampled_from(CSV_TOKENS), max_size=80).map("".join))
def test_csv_like_text_after_a_valid_header_never_raises(body):
    report = validate_version({"zones.csv": (ZONES_HEADER + "\n" + body).encode("utf-8")})

    for problem in report.problems:
        assert problem.line >= 0
        assert "\n" not in problem.format_line()


# Cells a steward might type into the status table: valid but awkward ones (spaces, signs,
# exponents, leading zeros, quoting, line breaks) and invalid ones.
VALID_CELLS = {
    "number": ["12", "12.5", " 7 ", "1e1", "+.5", "1.", "0", "-0"],
    "integer": ["0", "007", "+5", " 3 ", "120"],
    "date": ["2024-06-30", "2024-02-29", " 2024-01-01 "],
    "text": ["Senate reply", '"quoted"', "a,b", "line\nbreak", " padded ", "=1+1", "Économique"],
}
INVALID_CELLS = ["12,5", "1e999", "nan", "inf", "１２", "99999999999999999999", "2023-02-29", "30/06/2024", "Operational"]


def _cell(draw, column: schema.Column) -> str:
    # an invalid cell is drawn rarely (hypothesis favours the first items), so many files are valid
    if draw(st.sampled_from([False] * 39 + [True])):
        return draw(st.sampled_from(INVALID_CELLS))
    if column.name == "as_of":  # the milestones fixture's done dates are up to 2024-05-15
        return draw(st.sampled_from(["2024-06-30", " 2024-06-30 "]))
    if column.type == "enum":
        return draw(st.sampled_from(column.enum.values))
    pool = VALID_CELLS[column.type]
    return draw(st.sampled_from(pool if column.required else ["", *pool]))


@st.composite
def status_csv(draw) -> bytes:
    rows = [list(schema.STATUS.column_names)]
    for zone_id in ("rashakai", "dhabeji", "aiic"):
        cells = {c.name: zone_id if c.name == "zone_id" else _cell(draw, c) for c in schema.STATUS.columns}
        # parts equal to their totals, so that the files are not all refused by exceeds-total
        cells["plots_allotted"], cells["enterprises_operating"] = cells["plots_total"], cells["enterprises"]
        rows.append(list(cells.values()))
    out = io.StringIO()
    csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])),
               quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))).writerows(rows)
    return out.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig"])))


@given(status_csv())
def test_what_the_validator_accepts_the_store_reads_and_types(data):
    files = {name: (FIXTURES / "valid" / name).read_bytes() for name in ("zones.csv", "milestones.csv")}

    report = validate_version(files | {"status.csv": data})

    if report.ok:
        typed = to_typed(schema.STATUS, parse_csv_bytes(data, schema.STATUS))  # raises if the store could not
        assert list(typed["zone_id"]) == ["rashakai", "dhabeji", "aiic"]
        # no infinity slipped through (every number column may now be empty: colonization_pct is optional)
        assert not (typed.select_dtypes("number").abs() >= 1e15).fillna(False).to_numpy(dtype=bool).any()
