"""The store's typed tables: the Arrow way of typing them agrees with the plain pandas way.

``sez_metrics.core.typed`` types a version's tables in Arrow (columns of one kind converted together,
numbers and dates typed by the CSV reader, text of few distinct values converted once per
value on large tables) and hands anything unusual to ``_to_typed_pandas``, the column-by-column
pandas reference. These tests throw cells of every kind at both and require the same frame
(values and dtypes) or the same refusal, on small tables and on large ones (the thresholds that
pick the large-table path are lowered so that hypothesis' small tables take it too).
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sez_metrics.core import schema, stored_csv, typed
from sez_metrics.core.cell_rules import DATE_RE, INTEGER_RE, NUMBER_RE
from sez_metrics.core.dataset import VersionInfo, dataset_from_files
from sez_metrics.core.stored_csv import parse_csv_bytes
from sez_metrics.storage.synth import generate

INFO = VersionInfo("v0001", "test", "2025-01-01", "", "", "", None, {}, None, "")
# Examples per test come from the Hypothesis profile (tests/conftest.py).
PROPERTY = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])

# Cells a steward's file may hold, valid or not: spaces around values (ASCII and not), signs,
# exponents, "-0", nan/inf, decimal commas, impossible dates, year 0, mixed-case booleans.
SPACES = st.sampled_from(["", " ", "  ", "\t", "\u00a0", "\u2003"])
ODD = {
    "number": ["", " ", "0", "-0", "-0.0", "+1.5", ".5", "5.", "1e3", "1E+05", "nan", "inf", "-inf", "1,5", "abc", "1_000",
               "12345678901234567890", "0.1", "1e-320"],
    "integer": ["", " ", "0", "-0", "+5", "007", "-12", "1.0", "1e3", "x", "9007199254740993", "99999999999999999999"],
    "date": ["", " ", "2023-01-01", "2024-02-29", "2023-02-30", "2023-1-5", "0000-01-01", "1677-09-21", "9999-12-31",
             "2023-01-01T00:00", "20230101"],
    "boolean": ["true", "false", "TRUE", "False", "tRuE", "yes", "", "1"],
}
TEXT = st.one_of(
    st.sampled_from(["", "Punjab", "site", "CPEC", "a,b", 'say "hi"', "line\nbreak", "رشکئی", "🏭", "=1+1", " x ", "\u00a0y"]),
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r"), max_size=12),
)


# Numbers as a spreadsheet writes them (no "+", no "-0", finite, within Int64).
PLAIN = {
    "number": st.one_of(st.integers(-(10**12), 10**12).map(str),
                        st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False).map(lambda x: repr(x + 0.0))),
    "integer": st.integers(-(2**62), 2**62).map(str),
    "date": st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"),
    "boolean": st.sampled_from(["true", "false"]),
}


def cells(column: schema.Column, valid_only: bool) -> st.SearchStrategy[str]:
    """A cell of ``column``'s type, with spaces around it or not; ``valid_only``: valid, plain, no spaces."""
    if column.type == "enum":
        core = st.sampled_from(column.enum.values) if valid_only else st.one_of(st.sampled_from(column.enum.values), TEXT)
    elif column.type in ("text", "slug"):
        core = TEXT
    elif valid_only:
        core = PLAIN[column.type]
    else:
        regex = {"number": NUMBER_RE, "integer": INTEGER_RE, "date": DATE_RE, "boolean": "(true|false)"}[column.type]
        core = st.one_of(PLAIN[column.type], st.from_regex(f"^{regex}$", fullmatch=True), st.sampled_from(ODD[column.type]))
    return core if valid_only else st.tuples(SPACES, core, SPACES).map("".join)


@st.composite
def table_bytes(draw, table: schema.Table, valid_only: bool = False) -> bytes:
    """``table``'s CSV: a few rows of cells from ``cells``; some columns all empty (a boolean column
    is never empty in a valid file)."""
    rows = draw(st.integers(min_value=1, max_value=8))
    emptiable = [c.name for c in table.columns if not (valid_only and c.type == "boolean")]
    empty_columns = draw(st.sets(st.sampled_from(emptiable), max_size=3))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.column_names)
    for _ in range(rows):
        writer.writerow(["" if c.name in empty_columns else draw(cells(c, valid_only)) for c in table.columns])
    return out.getvalue().encode("utf-8")


@pytest.fixture(params=["small tables", "large tables"])
def path(request, monkeypatch):
    """Small tables, or any table taken as large: text stripped on the second thread, files parsed on all cores."""
    if request.param == "large tables":
        monkeypatch.setattr(typed, "_SMALL", 1)
        monkeypatch.setattr(stored_csv, "THREADED_FROM_BYTES", 0)
    return request.param


PANDAS_WAY = typed._to_typed_pandas


def reference(data: bytes, table: schema.Table) -> pd.DataFrame:
    return PANDAS_WAY(table, parse_csv_bytes(data, table))


def assert_same(fast: pd.DataFrame, slow: pd.DataFrame) -> None:
    assert [str(d) for d in fast.dtypes] == [str(d) for d in slow.dtypes]
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    for name in fast.columns:  # -0.0 and 0.0 are equal to assert_frame_equal
        if fast[name].dtype == "float64":
            assert (np.signbit(fast[name].to_numpy()) == np.signbit(slow[name].to_numpy())).all(), name


def outcome(make):
    """The frame made, or a refusal (an integer beyond Int64 overflows in pandas)."""
    try:
        return make()
    except (ValueError, OverflowError, pa.ArrowInvalid) as exc:
        return "refused", type(exc).__name__


@pytest.mark.parametrize("table", list(schema.TABLES.values()), ids=lambda t: t.name)
@PROPERTY
@given(data=st.data())
def test_arrow_and_pandas_agree_on_any_cells(path, table, data):
    csv_bytes = data.draw(table_bytes(table))
    others = {t.file_name: data.draw(table_bytes(t, valid_only=True)) for t in schema.TABLES.values() if t is not table}
    files = {**others, table.file_name: csv_bytes}
    fast = outcome(lambda: dataset_from_files(INFO, files).table(table.name))
    slow = outcome(lambda: reference(csv_bytes, table))
    if isinstance(slow, tuple) or isinstance(fast, tuple):
        assert isinstance(fast, tuple) and isinstance(slow, tuple), (fast, slow)
    else:
        assert_same(fast, slow)


@PROPERTY
@given(data=st.data())
def test_valid_cells_are_typed_by_the_arrow_way(path, data, monkeypatch):
    """On cells the validator accepts, with no spaces, the pandas way is never needed."""
    files = {t.file_name: data.draw(table_bytes(t, valid_only=True)) for t in schema.TABLES.values()}
    expected = {t.name: reference(files[t.file_name], t) for t in schema.TABLES.values()}

    def refuse(table, raw):
        raise AssertionError(f"{table.name} went the pandas way")

    with monkeypatch.context() as patched:
        patched.setattr(typed, "_to_typed_pandas", refuse)
        dataset = dataset_from_files(INFO, files)
    for t in schema.TABLES.values():
        assert_same(dataset.table(t.name), expected[t.name])


def test_a_synthetic_version_large_enough_for_every_path():
    """5,000 milestones: text by value and cell by cell, dictionaries from the reader, a second thread."""
    _, files = next(generate(500, 1, 10, seed=3))
    assert files["milestones.csv"].count(b"\n") > typed._SMALL
    dataset = dataset_from_files(INFO, files)
    for t in schema.TABLES.values():
        assert_same(dataset.table(t.name), reference(files[t.file_name], t))


def test_spaces_and_odd_cells_in_a_large_table_take_the_pandas_way_to_the_same_result():
    _, files = next(generate(500, 1, 10, seed=4))
    rows = list(csv.reader(io.StringIO(files["milestones.csv"].decode())))
    header = rows[0]
    for i, row in enumerate(rows[1:], start=1):
        if i % 7 == 0:
            row[header.index("title")] = f"  {row[header.index('title')]}\u00a0"
        if i % 11 == 0:
            row[header.index("due_date")] = f" {row[header.index('due_date')]} "
        if i % 13 == 0:
            row[header.index("kind")] = f"{row[header.index('kind')]} "
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    files["milestones.csv"] = out.getvalue().encode()
    dataset = dataset_from_files(INFO, files)
    expected = reference(files["milestones.csv"], schema.MILESTONES)
    assert_same(dataset.milestones, expected)
    assert not dataset.milestones["title"].str.match(r"^\s|\s$").any()


@pytest.mark.parametrize("bad", [b"\xff\xfe", b"caf\xe9"])
def test_invalid_utf8_is_refused_not_garbled(path, bad):
    _, files = next(generate(50, 1, 2, seed=5))
    files["zones.csv"] = files["zones.csv"].replace(b",Synthetic Industrial Zone 00001,", b",Zone " + bad + b",", 1)
    assert bad in files["zones.csv"]
    with pytest.raises((ValueError, pa.ArrowInvalid)):
        dataset_from_files(INFO, files)


def test_parse_csv_bytes_keeps_line_breaks_in_quoted_cells_and_strips_cells():
    data = b'zone_id,name\nz1,"two\nlines"\nz2,  spaced  \n'
    frame = parse_csv_bytes(data, schema.ZONES)
    assert frame["name"].tolist() == ["two\nlines", "spaced"]
    assert frame["zone_id"].tolist() == ["z1", "z2"]


def test_a_line_break_in_a_quoted_cell_of_a_large_file_is_kept(monkeypatch):
    """Large files are read from Arrow's memory; the check for quotes must see them there too."""
    _, files = next(generate(50, 1, 2, seed=6))
    rows = list(csv.reader(io.StringIO(files["zones.csv"].decode())))
    rows[1][rows[0].index("name")] = "first line\nsecond line"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    files["zones.csv"] = out.getvalue().encode()
    monkeypatch.setattr(stored_csv, "THREADED_FROM_BYTES", 0)
    buffers = {name: pa.py_buffer(data) for name, data in files.items()}
    dataset = dataset_from_files(INFO, buffers)
    assert dataset.zones["name"].iloc[0] == "first line\nsecond line"
    assert len(dataset.zones) == len(rows) - 1


@pytest.mark.parametrize("path", ["small tables", "large tables"], indirect=True)
@pytest.mark.parametrize("cell", ["020000000000000000000", "10000000000000000000", "5.5"])
def test_an_integer_beyond_64_bits_is_refused_as_a_bad_file_not_a_crash(path, cell):
    """Such a cell reaches the pandas way (Arrow refuses it); it must come out as ValueError, which
    the store reports as an unparsable version, never as a TypeError that would end the page."""
    files = {t.file_name: _one_row(t, {"plots_total": cell} if t.name == "status" else {}) for t in schema.TABLES.values()}
    with pytest.raises(ValueError, match="plots_total: not a whole number that fits 64 bits"):
        dataset_from_files(INFO, files)


def _one_row(table: schema.Table, cells: dict[str, str]) -> bytes:
    """``table``'s CSV with one valid row (the first value of each enumeration), ``cells`` replacing some."""
    plain = {"slug": "zone_a", "text": "A", "number": "1", "integer": "1", "date": "2025-01-01", "boolean": "false"}
    row = [cells.get(c.name, c.enum.values[0] if c.type == "enum" else plain[c.type]) for c in table.columns]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([table.column_names, row])
    return out.getvalue().encode("utf-8")
