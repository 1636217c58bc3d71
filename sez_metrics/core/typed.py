"""Convert a validated table of strings into typed columns per the schema.

numbers → float64 (NaN when empty), integers → Int64 (<NA>), dates → datetime64[us] (NaT; a date
column with no date at all is datetime64[s], as pandas types it), booleans → bool, text/slug/enum →
pandas' ``str`` (Arrow-backed: the text stays in Arrow's buffers, no Python string per cell; ""
when empty). Cells are stripped of surrounding whitespace first (Arrow's
``utf8_trim_whitespace``, the very function behind the validator's ``str.strip()``).

Two ways lead to the same frame. ``_to_typed_pandas`` is the plain one: pandas, column by column.
``typed_tables`` does the work in Arrow: the columns of one kind, of all the tables given, are
converted in a few calls whatever their number; numbers and dates may come typed by the CSV
reader (``read_types``); on large tables the text is stripped on a second thread while the
calling thread converts the rest; the frames are assembled from their blocks. Whenever a cell is
anything but plain (a ``+`` on an integer, ``-0``, ``nan``, spaces around a number the reader
does not strip, a value Arrow refuses), the table goes the pandas way, so both always agree;
tests/test_store_typed.py checks that they do.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.internals import create_dataframe_from_blocks

from sez_metrics.core import schema

TEXT_TYPES = ("text", "slug", "enum")
# pandas' own type for text (``str``): Arrow-backed, missing values as NaN (the store has none: "" is empty)
TEXT_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)
_NULL = pa.scalar(None, pa.string())
_BOOLEANS = pa.array(schema.BOOLEAN_TRUE + schema.BOOLEAN_FALSE, type=pa.string())
_TRUE = pa.array(schema.BOOLEAN_TRUE, type=pa.string())
# Below this many rows a table's text columns are stripped in one call with the other kinds'; from
# it on, on a second thread.
_SMALL = 4096
Tables = list[tuple[schema.Table, Mapping[str, pa.ChunkedArray], int]]


class _NotPlain(Exception):
    """A cell the Arrow conversion does not take as it is: the table goes the pandas way."""


class NeedsText(Exception):
    """Columns came typed, but a cell needs reading as text (see ``typed_tables``)."""


def to_typed(table: schema.Table, raw: pd.DataFrame) -> pd.DataFrame:
    """Typed copy of ``raw`` (all-string cells, "" = empty) in schema column order.

    Raises ``ValueError`` on a cell that does not convert: callers validate first, so that means
    the file changed under them.
    """
    columns = {}
    for name in table.column_names:
        if name in raw.columns:
            columns[name] = pa.chunked_array([pa.array(raw[name].astype("str"), type=pa.string(), from_pandas=True)])
    try:
        return _typed_arrow(table, columns, len(raw))
    except (_NotPlain, pa.ArrowInvalid):
        return _to_typed_pandas(table, raw)


def typed_tables(tables: Tables, stripping: Mapping[str, TextStripping] | None = None) -> list[pd.DataFrame]:
    """``to_typed`` of several tables at once, each given as (table, its columns, its row count).

    Columns are Arrow text exactly as read (not stripped), or of ``read_types`` (empty cells as
    nulls). ``NeedsText`` when typed columns hold a cell only the pandas way reads as the schema
    means: read them as text and call again. ``stripping``: by table name, the stripping of a
    large table's text begun earlier (``start_stripping``) while the caller read other files.
    """
    try:
        return _typed_arrow_tables(tables, stripping)
    except (_NotPlain, pa.ArrowInvalid) as exc:
        if any(c.type != pa.string() for _, columns, _ in tables for c in columns.values()):
            raise NeedsText(str(exc)) from exc
    return [_to_typed_pandas(t, pd.DataFrame({name: c.to_pandas() for name, c in columns.items()}, index=pd.RangeIndex(n)))
            for t, columns, n in tables]


def _to_typed_pandas(table: schema.Table, raw: pd.DataFrame) -> pd.DataFrame:
    """``to_typed`` in pandas, column by column: the reference the Arrow way must match."""
    out = {}
    n = len(raw)
    for column in table.columns:
        values = raw[column.name] if column.name in raw.columns else pd.Series([""] * n, dtype=object)
        values = values.astype(str).str.strip()
        empty = values == ""
        if column.type == "number":
            out[column.name] = pd.to_numeric(values.where(~empty, None), errors="raise").astype("float64")
        elif column.type == "integer":
            try:
                out[column.name] = pd.to_numeric(values.where(~empty, None), errors="raise").astype("Int64")
            except (TypeError, OverflowError) as exc:  # beyond Int64, read as a float or uint64 first
                raise ValueError(f"{column.name}: not a whole number that fits 64 bits ({exc})") from exc
        elif column.type == "date":
            out[column.name] = pd.to_datetime(values.where(~empty, None), format="%Y-%m-%d", errors="raise")
        elif column.type == "boolean":
            lowered = values.str.lower()
            if not lowered.isin(schema.BOOLEAN_TRUE + schema.BOOLEAN_FALSE).all():
                raise ValueError(f"{column.name}: expected true or false")
            out[column.name] = lowered.isin(schema.BOOLEAN_TRUE)
        else:
            out[column.name] = values.astype(TEXT_DTYPE)
    return pd.DataFrame(out, index=pd.RangeIndex(n))


# --- the Arrow way ------------------------------------------------------------------------------

# Kinds of column, the string kinds first (they are stripped together), then the kinds whose
# empty cells become nulls (also together).
_KINDS = ("text", "boolean", "number", "integer", "date")
_CAST_TO = {"number": pa.float64(), "integer": pa.int64(), "date": pa.date32()}


def _kind(column: schema.Column) -> str:
    return "text" if column.type in TEXT_TYPES else column.type


def read_types(table: schema.Table) -> dict[str, pa.DataType]:
    """Arrow types a CSV reader may give ``table``'s columns for ``typed_tables`` to take as they are.

    Numbers, integers and dates typed by the reader (empty cells as nulls) skip a strip and a cast
    here; text and booleans are read as text.
    """
    return {c.name: _CAST_TO.get(_kind(c), pa.string()) for c in table.columns}


@dataclass(frozen=True)
class _Plan:
    """A table's columns by kind (in ``_KINDS`` order) and where each kind's columns go in the frame."""

    names: dict[str, tuple[str, ...]]
    placement: dict[str, np.ndarray]
    columns: pd.Index

    @staticmethod
    def of(table: schema.Table) -> _Plan:
        key = (table.name, table.column_names)
        if key not in _PLANS:
            names = {kind: tuple(c.name for c in table.columns if _kind(c) == kind) for kind in _KINDS}
            position = {name: i for i, name in enumerate(table.column_names)}
            placement = {kind: np.array([position[n] for n in group], dtype=np.intp) for kind, group in names.items()}
            _PLANS[key] = _Plan(names, placement, pd.Index(list(table.column_names)))
        return _PLANS[key]


_PLANS: dict[tuple[str, tuple[str, ...]], _Plan] = {}


def _typed_arrow(table: schema.Table, columns: Mapping[str, pa.ChunkedArray], n: int) -> pd.DataFrame:
    return _typed_arrow_tables([(table, columns, n)])[0]


def start_stripping(table: schema.Table, columns: Mapping[str, pa.ChunkedArray], n: int) -> TextStripping | None:
    """Begin stripping a large table's text columns on a second thread, for ``typed_tables``;
    None when the table is small or its text is not all plain Arrow text."""
    names = _Plan.of(table).names["text"]
    if n < _SMALL or not names or any(columns.get(name) is None or columns[name].type != pa.string() for name in names):
        return None
    return TextStripping([_joined([columns[name] for name in names])])


def _typed_arrow_tables(tables: Tables, stripping: Mapping[str, TextStripping] | None = None) -> list[pd.DataFrame]:
    """The Arrow way for several tables at once: a few calls per kind of column for all of them.

    A kind's cells, table after table and column after column, form one chunked array (no copy);
    what comes out is cut back into each table's (columns × rows) block.
    """
    plans = [_Plan.of(table) for table, _, _ in tables]
    typed: dict[str, bool] = {}  # kind → its columns came typed (else as text)
    for plan, (_, columns, n) in zip(plans, tables, strict=True):
        for kind, names in plan.names.items():
            for name in names:
                values = columns.get(name)
                if values is None or len(values) != n:
                    raise _NotPlain(name)
                came_typed = kind in _CAST_TO and values.type == _CAST_TO[kind]
                as_text = values.type == pa.string()
                if not (came_typed or as_text) or typed.setdefault(kind, came_typed) != came_typed:
                    raise _NotPlain(name)
                if as_text and values.null_count:
                    raise _NotPlain(name)

    # Large tables' text columns are stripped on a second thread meanwhile.
    large = [i for i, (_, _, n) in enumerate(tables) if n >= _SMALL and plans[i].names["text"]]
    stripping = stripping or {}
    begun = {i: stripping[tables[i][0].name] for i in large if tables[i][0].name in stripping}
    pending = [i for i in large if i not in begun]
    helper = TextStripping([_joined([tables[i][1][name] for name in plans[i].names["text"]]) for i in pending])

    def large_text(kind: str, n: int) -> bool:  # converted column by column, below
        return kind == "text" and n >= _SMALL

    def chunks(kind: str) -> list[pa.Array]:
        return [chunk for plan, (_, columns, n) in zip(plans, tables, strict=True) if not large_text(kind, n)
                for name in plan.names[kind] for chunk in columns[name].chunks]

    def per_table(values: np.ndarray, kind: str) -> list[np.ndarray | None]:
        """``values`` (a kind's cells in order) cut into each table's (columns × rows) block."""
        out, at = [], 0
        for plan, (_, _, n) in zip(plans, tables, strict=True):
            width = len(plan.names[kind])
            if not width or large_text(kind, n):
                out.append(None)
                continue
            out.append(values[at : at + width * n].reshape(width, n))
            at += width * n
        return out

    # The kinds that came as text, stripped in one call and cut back by kind.
    as_text = [kind for kind in _KINDS if not typed.get(kind, False)]
    extent, start, pieces = {}, 0, []
    for kind in as_text:
        pieces.extend(kind_chunks := chunks(kind))
        extent[kind] = (start, sum(len(c) for c in kind_chunks))
        start += extent[kind][1]
    stripped = pc.utf8_trim_whitespace(pa.chunked_array(pieces, type=pa.string()))
    to_cast = [kind for kind in as_text if kind in _CAST_TO]
    if to_cast:  # empty cells as nulls, for all the kinds to cast at once
        first, last = extent[to_cast[0]], extent[to_cast[-1]]
        given = stripped.slice(first[0], last[0] + last[1] - first[0])
        given = pc.if_else(pc.equal(given, ""), _NULL, given)

    def values_of(kind: str) -> pa.ChunkedArray:
        """The kind's cells: as text (stripped), or typed (cast here unless they came typed)."""
        if typed.get(kind, False):
            return pa.chunked_array(chunks(kind), type=_CAST_TO[kind])
        if kind not in _CAST_TO:
            return stripped.slice(*extent[kind])
        return pc.cast(given.slice(extent[kind][0] - extent[to_cast[0]][0], extent[kind][1]), _CAST_TO[kind])

    blocks: list[list[tuple[object, np.ndarray]]] = [[] for _ in tables]

    def add(kind: str, cut: list[np.ndarray | None]) -> None:
        for i, block in enumerate(cut):
            if block is not None:
                blocks[i].append((block, plans[i].placement[kind]))

    text, at = values_of("text"), 0
    for i, (plan, (_, _, n)) in enumerate(zip(plans, tables, strict=True)):
        if not large_text("text", n):
            for position in plan.placement["text"]:
                blocks[i].append(_text_block(text.slice(at, n), position))
                at += n
    lowered = pc.utf8_lower(values_of("boolean"))
    if not pc.all(pc.is_in(lowered, value_set=_BOOLEANS)).as_py():
        raise _NotPlain("boolean")
    add("boolean", per_table(pc.is_in(lowered, value_set=_TRUE).to_numpy(zero_copy_only=False), "boolean"))
    numbers = values_of("number")
    values = numbers.to_numpy(zero_copy_only=False)
    # "nan", "inf" and "-0" read differently in pandas (or not at all): leave them to it
    if np.isnan(values).sum() != numbers.null_count or np.isinf(values).any() or np.signbit(values[values == 0]).any():
        raise _NotPlain("number")
    add("number", per_table(values, "number"))
    integers = values_of("integer")
    missing = integers.is_null().to_numpy(zero_copy_only=False) if integers.null_count else np.zeros(len(integers), dtype=bool)
    values = integers.fill_null(0).to_numpy(zero_copy_only=False) if integers.null_count else integers.to_numpy()
    for i, (block, mask) in enumerate(zip(per_table(values, "integer"), per_table(missing, "integer"), strict=True)):
        for row in range(0 if block is None else len(block)):
            blocks[i].append((pd.arrays.IntegerArray(block[row], mask[row]), plans[i].placement["integer"][row : row + 1]))
    days = values_of("date").to_numpy(zero_copy_only=False)
    for i, block in enumerate(per_table(days, "date")):
        if block is not None:
            dated = ~np.isnat(block).all(axis=1)
            # pandas types a date column without a single date as datetime64[s]
            for unit, chosen in (("us", dated), ("s", ~dated)):
                if chosen.any():
                    cells = block if chosen.all() else block[chosen]
                    blocks[i].append((cells.astype(f"datetime64[{unit}]"), plans[i].placement["date"][chosen]))
    large_text_of = dict(zip(pending, helper.stripped(), strict=True)) | {i: done.stripped()[0] for i, done in begun.items()}
    for i, stripped_text in large_text_of.items():
        n = tables[i][2]
        for column, position in enumerate(plans[i].placement["text"]):
            blocks[i].append(_text_block(stripped_text.slice(column * n, n), position))
    return [create_dataframe_from_blocks(b, index=pd.RangeIndex(n), columns=plan.columns)
            for b, plan, (_, _, n) in zip(blocks, plans, tables, strict=True)]


def _joined(columns: list[pa.ChunkedArray]) -> pa.ChunkedArray:
    """Text columns one after the other (no copy)."""
    return pa.chunked_array([chunk for column in columns for chunk in column.chunks], type=pa.string())


def _text_block(values: pa.ChunkedArray, position: int) -> tuple[pd.arrays.ArrowStringArray, np.ndarray]:
    """A text column as pandas' ``str`` (Arrow-backed, as pandas itself types text): no Python
    string per cell is made until one is asked for."""
    return pd.arrays.ArrowStringArray(values, dtype=TEXT_DTYPE), np.array([position], dtype=np.intp)


class TextStripping(threading.Thread):
    """Stripping large tables' text on a second thread: Arrow releases the GIL, so the calling
    thread converts the other kinds of column meanwhile."""

    def __init__(self, columns: list[pa.ChunkedArray]):
        super().__init__(name="sez-typed-strip", daemon=True)
        self._columns = columns
        self._stripped: list[pa.ChunkedArray] = []
        self._error: BaseException | None = None
        if columns:
            self.start()

    def run(self) -> None:
        try:
            self._stripped = [pc.utf8_trim_whitespace(column) for column in self._columns]
        except BaseException as exc:  # handed to the waiting thread
            self._error = exc

    def stripped(self) -> list[pa.ChunkedArray]:
        """Each column given, stripped."""
        if not self._columns:
            return []
        self.join()
        if self._error is not None:
            raise self._error
        return self._stripped
