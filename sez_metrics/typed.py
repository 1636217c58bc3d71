"""Convert a validated table of strings into typed columns per the schema.

numbers → float64 (NaN when empty), integers → Int64 (<NA>), dates → datetime64[us] (NaT; a date
column with no date at all is datetime64[s], as pandas types it), booleans → bool, text/slug/enum →
str objects. Cells are stripped of surrounding whitespace first (Arrow's ``utf8_trim_whitespace``,
the very function behind the validator's ``str.strip()``).

Two ways lead to the same frame. ``_to_typed_pandas`` is the plain one: pandas, column by column.
``typed_tables`` does the work in Arrow: the columns of one kind, of all the tables given, are
converted in a few calls whatever their number; numbers and dates may come typed by the CSV
reader (``read_types``); on large tables, text of few distinct values is converted once per
value, and Arrow work on text runs on a second thread while the calling thread converts the
rest; the frames are assembled from their blocks. Whenever a cell is anything but plain (a ``+``
on an integer, ``-0``, ``nan``, spaces around a number the reader does not strip, a value Arrow
refuses), the table goes the pandas way, so both always agree; tests/test_store_typed.py checks
that they do.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.extensions import take
from pandas.api.internals import create_dataframe_from_blocks

from sez_metrics import schema

TEXT_TYPES = ("text", "slug", "enum")
_NULL = pa.scalar(None, pa.string())
_BOOLEANS = pa.array(schema.BOOLEAN_TRUE + schema.BOOLEAN_FALSE, type=pa.string())
_TRUE = pa.array(schema.BOOLEAN_TRUE, type=pa.string())
# Below this many rows a table's text columns are converted in one call; from it on, each column
# whose first _SAMPLE values repeat is converted through its distinct values (a dictionary).
_SMALL = 4096
_SAMPLE = 1024
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


def typed_tables(tables: Tables) -> list[pd.DataFrame]:
    """``to_typed`` of several tables at once, each given as (table, its columns, its row count).

    Columns are Arrow text exactly as read (not stripped), or of ``read_types`` (empty cells as
    nulls). ``NeedsText`` when typed columns hold a cell only the pandas way reads as the schema
    means: read them as text and call again.
    """
    try:
        return _typed_arrow_tables(tables)
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
            out[column.name] = pd.to_numeric(values.where(~empty, None), errors="raise").astype("Int64")
        elif column.type == "date":
            out[column.name] = pd.to_datetime(values.where(~empty, None), format="%Y-%m-%d", errors="raise")
        elif column.type == "boolean":
            lowered = values.str.lower()
            if not lowered.isin(schema.BOOLEAN_TRUE + schema.BOOLEAN_FALSE).all():
                raise ValueError(f"{column.name}: expected true or false")
            out[column.name] = lowered.isin(schema.BOOLEAN_TRUE)
        else:
            out[column.name] = values.astype(object)
    return pd.DataFrame(out, index=pd.RangeIndex(n))


# --- the Arrow way ------------------------------------------------------------------------------

# Kinds of column, the string kinds first (they are stripped together), then the kinds whose
# empty cells become nulls (also together).
_KINDS = ("text", "boolean", "number", "integer", "date")
_CAST_TO = {"number": pa.float64(), "integer": pa.int64(), "date": pa.date32()}
_TEXT_DICTIONARY = pa.dictionary(pa.int32(), pa.string())


def _kind(column: schema.Column) -> str:
    return "text" if column.type in TEXT_TYPES else column.type


def read_types(table: schema.Table, codes_as_dictionary: bool = False) -> dict[str, pa.DataType]:
    """Arrow types a CSV reader may give ``table``'s columns for ``typed_tables`` to take as they are.

    Numbers, integers and dates typed by the reader (empty cells as nulls) skip a strip and a cast
    here; text and booleans are read as text, enumerations (a few codes repeated) as a
    dictionary when ``codes_as_dictionary`` (worth it for large files: the reader encodes on
    all cores).
    """
    def arrow_type(column: schema.Column) -> pa.DataType:
        if codes_as_dictionary and column.type == "enum":
            return _TEXT_DICTIONARY
        return _CAST_TO.get(_kind(column), pa.string())

    return {c.name: arrow_type(c) for c in table.columns}


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


def _typed_arrow_tables(tables: Tables) -> list[pd.DataFrame]:
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
                as_text = values.type == pa.string() or (kind == "text" and values.type == _TEXT_DICTIONARY)
                if not (came_typed or as_text) or typed.setdefault(kind, came_typed) != came_typed:
                    raise _NotPlain(name)
                if as_text and values.null_count:
                    raise _NotPlain(name)

    # Large tables' text columns: those of many distinct values are stripped, and those of few
    # that the reader did not encode are dictionary-encoded, on a second thread meanwhile.
    large = [i for i, (_, _, n) in enumerate(tables) if n >= _SMALL and plans[i].names["text"]]
    repeated = {i: np.array([_repeats(tables[i][1][name]) for name in plans[i].names["text"]]) for i in large}
    to_encode = [(i, name) for i in large for name, r in zip(plans[i].names["text"], repeated[i], strict=True)
                 if r and tables[i][1][name].type != _TEXT_DICTIONARY]
    to_strip = [i for i in large if not repeated[i].all()]
    helper = _Helper([_joined([tables[i][1][name] for name, r in zip(plans[i].names["text"], repeated[i], strict=True) if not r])
                      for i in to_strip],
                     [tables[i][1][name] for i, name in to_encode])

    def large_text(kind: str, n: int) -> bool:  # converted column by column, below
        return kind == "text" and n >= _SMALL

    def chunks(kind: str) -> list[pa.Array]:
        return [chunk for plan, (_, columns, n) in zip(plans, tables, strict=True) if not large_text(kind, n)
                for name in plan.names[kind] for chunk in _plain(columns[name]).chunks]

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

    add("text", per_table(values_of("text").to_numpy(zero_copy_only=False), "text"))
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
    for i in large:  # the columns the reader encoded first: they need nothing from the helper
        columns, n = tables[i][1], tables[i][2]
        for name, position in zip(plans[i].names["text"], plans[i].placement["text"], strict=True):
            if columns[name].type == _TEXT_DICTIONARY:
                blocks[i].append(_decoded(columns[name], n, position))
    for i, stripped_text in zip(to_strip, helper.stripped(), strict=True):
        objects = stripped_text.to_numpy(zero_copy_only=False).reshape(-1, tables[i][2])
        blocks[i].append((objects, plans[i].placement["text"][~repeated[i]]))
    shared, positions = helper.encoded()
    for (i, name), cells in zip(to_encode, positions, strict=True):
        position = plans[i].placement["text"][plans[i].names["text"].index(name)]
        blocks[i].append((take(shared, cells, allow_fill=True, fill_value=None).reshape(1, -1), np.array([position], dtype=np.intp)))
    return [create_dataframe_from_blocks(b, index=pd.RangeIndex(n), columns=plan.columns)
            for b, plan, (_, _, n) in zip(blocks, plans, tables, strict=True)]


def _plain(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Dictionary-encoded text as plain text."""
    return values.cast(pa.string()) if values.type == _TEXT_DICTIONARY else values


def _repeats(values: pa.ChunkedArray) -> bool:
    """Whether a text column holds few distinct values (judged on its first rows)."""
    if values.type == _TEXT_DICTIONARY:
        return True
    first = values.chunk(0) if values.num_chunks else values
    return pc.count_distinct(first.slice(0, _SAMPLE)).as_py() * 2 <= min(len(first), _SAMPLE)


def _joined(columns: list[pa.ChunkedArray]) -> pa.ChunkedArray:
    """Text columns one after the other (no copy)."""
    return pa.chunked_array([chunk for column in columns for chunk in column.chunks], type=pa.string())


def _decoded(column: pa.ChunkedArray, n: int, position: int) -> tuple[np.ndarray, np.ndarray]:
    """A dictionary-encoded text column as str objects, each distinct value stripped and converted
    once: a block of its own (copying objects into a 2-D block with others costs more than this)."""
    column = column.unify_dictionaries()
    objects = pc.utf8_trim_whitespace(column.chunk(0).dictionary).to_numpy(zero_copy_only=False)
    cells = take(objects, np.concatenate([chunk.indices.to_numpy() for chunk in column.chunks]), allow_fill=True, fill_value=None)
    return cells.reshape(1, n), np.array([position], dtype=np.intp)


class _Helper(threading.Thread):
    """Arrow work for a large table's text, on a second thread: Arrow releases the GIL, so the
    calling thread converts other columns meanwhile.

    In order: ``direct`` stripped (each a table's text columns of many distinct values, joined),
    then ``encode`` dictionary-encoded together; ``stripped`` and ``encoded`` wait for their part.
    """

    def __init__(self, direct: list[pa.ChunkedArray], encode: list[pa.ChunkedArray]):
        super().__init__(name="sez-typed-helper", daemon=True)
        self._direct, self._encode = direct, encode
        self._stripped: list[pa.ChunkedArray] = []
        self._encoded: pa.ChunkedArray | None = None
        self._errors: dict[str, BaseException] = {}
        self._ready = {"stripped": threading.Event(), "encoded": threading.Event()}
        if direct or encode:
            self.start()

    def run(self) -> None:
        for part, work in (("stripped", self._strip), ("encoded", self._encode_all)):
            try:
                work()
            except BaseException as exc:  # handed to the waiting thread
                self._errors[part] = exc
            finally:
                self._ready[part].set()

    def _strip(self) -> None:
        self._stripped = [pc.utf8_trim_whitespace(column) for column in self._direct]

    def _encode_all(self) -> None:
        if self._encode:
            self._encoded = pc.dictionary_encode(_joined(self._encode))

    def _wait(self, part: str) -> None:
        self._ready[part].wait()
        if part in self._errors:
            raise self._errors[part]

    def stripped(self) -> list[pa.ChunkedArray]:
        if self._direct:
            self._wait("stripped")
        return self._stripped

    def encoded(self) -> tuple[np.ndarray, list[np.ndarray]]:
        """The distinct values, stripped, as str objects; and each column's cells as positions among them."""
        if not self._encode:
            return np.empty(0, dtype=object), []
        self._wait("encoded")
        encoded = self._encoded
        dictionary = encoded.chunk(0).dictionary
        if not all(chunk.dictionary.equals(dictionary) for chunk in encoded.chunks[1:]):
            encoded = encoded.unify_dictionaries()
            dictionary = encoded.chunk(0).dictionary
        positions = np.concatenate([chunk.indices.to_numpy() for chunk in encoded.chunks])
        ends = np.cumsum([len(column) for column in self._encode])
        objects = pc.utf8_trim_whitespace(dictionary).to_numpy(zero_copy_only=False)
        return objects, np.split(positions, ends[:-1])
