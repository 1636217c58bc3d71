"""The stored CSV files of a version: read into Arrow memory, hashed alongside, parsed and typed.

The store reads its CSVs with this reader alone: ``read_csv_strings`` gives every cell as text
exactly as written, ``typed_frames`` the three tables typed per the schema (numbers and dates
typed by the CSV reader itself), ``parse_csv_bytes`` the stripped text the validator compares
with its own reading.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from sez_metrics.core import schema
from sez_metrics.core.typed import NeedsText, read_types, start_stripping, typed_tables

# A line break inside a quoted cell belongs to the cell. Without a quote in the file there is
# no such cell, and the reader splits records faster when told so.
_PARSE_OPTIONS = {quoted: pacsv.ParseOptions(newlines_in_values=quoted) for quoted in (False, True)}
# Every column as text (so ``007`` stays ``007``), empty cells as "".
_AS_TEXT = {
    t.name: pacsv.ConvertOptions(column_types={name: pa.string() for name in t.column_names},
                                 strings_can_be_null=False, quoted_strings_can_be_null=False)
    for t in schema.TABLES.values()
}
# Numbers, integers and dates typed by the reader, empty cells as nulls; the rest as text (by
# table name). UTF-8 is not checked while reading: every text cell goes through
# utf8_trim_whitespace, which refuses invalid UTF-8, and the files are then read again as text,
# checked (and refused).
_TYPED = {
    t.name: pacsv.ConvertOptions(column_types=read_types(t), null_values=[""], strings_can_be_null=False,
                                 quoted_strings_can_be_null=False, check_utf8=False)
    for t in schema.TABLES.values()
}
# Small files parse faster on the calling thread than through Arrow's thread pool; larger ones
# are cut in blocks of a quarter of the file (256 KiB to 1 MiB), for every core to take some.
THREADED_FROM_BYTES = 1 << 18
_ON_THIS_THREAD = pacsv.ReadOptions(use_threads=False)


def read_csv_strings(data: bytes, table: schema.Table, columns: Sequence[str] | None = None) -> pa.Table:
    """The stored CSV as Arrow, the table's columns as text exactly as written (not stripped).

    The store reads its CSVs with this reader alone (``dataset_from_files`` with some columns
    typed, same records); ``parse_csv_bytes``, which the validator compares with its own
    reading, starts here. ``columns``: only these, in this order, a column the file lacks read
    as empty cells (the zone history reads a few columns of every version).
    """
    if columns is None:
        return _read_csv(data, _AS_TEXT[table.name])
    names = list(columns)
    parsed = _read_csv(data, pacsv.ConvertOptions(
        include_columns=names, include_missing_columns=True, column_types={name: pa.string() for name in names},
        strings_can_be_null=False, quoted_strings_can_be_null=False))
    return pa.table({name: pc.fill_null(parsed[name], "") for name in names})


def _read_csv(data: bytes | pa.Buffer, convert_options: pacsv.ConvertOptions) -> pa.Table:
    if isinstance(data, pa.Buffer):
        buffer, quoted = data, 34 in np.frombuffer(data, dtype=np.uint8)  # 34 = '"'
    else:
        buffer, quoted = pa.py_buffer(data), b'"' in data
    if bytes(memoryview(buffer)[:3]) == b"\xef\xbb\xbf":
        buffer = buffer.slice(3)
    if len(data) < THREADED_FROM_BYTES:
        read_options = _ON_THIS_THREAD
    else:
        read_options = pacsv.ReadOptions(use_threads=True, block_size=min(max(len(data) // 4, 1 << 18), 1 << 20))
    return pacsv.read_csv(pa.BufferReader(buffer), read_options=read_options,
                          convert_options=convert_options, parse_options=_PARSE_OPTIONS[bool(quoted)])


def parse_csv_bytes(data: bytes, table: schema.Table) -> pd.DataFrame:
    """Parse a stored (already validated) CSV into a frame of strings, stripped, empty cells as "".

    ``to_typed`` converts afterwards.
    """
    parsed = read_csv_strings(data, table)
    columns = []
    for column in parsed.columns:
        if column.type != pa.string():  # a column the schema does not know (a blank header)
            column = column.cast(pa.string())
        columns.append(pc.utf8_trim_whitespace(column))
    return pa.table(columns, names=parsed.column_names).to_pandas()


def typed_frames(files: dict[str, bytes | pa.Buffer]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The zones, status and milestones tables typed per the schema, from the three files' bytes.

    Raises ``ValueError`` (or ``pyarrow.ArrowInvalid``) when a file does not parse or convert.
    """
    # Numbers and dates are typed by the CSV reader itself; a cell it refuses (" ", "+5" in an
    # integer column, …) makes the files read again as text, typed as to_typed types them.
    try:
        # The largest file first: its text is stripped on a second thread while the others parse.
        parsed, stripping = {}, {}
        for t in sorted(schema.TABLES.values(), key=lambda t: -len(files[t.file_name])):
            parsed[t.name] = _columns(_read_csv(files[t.file_name], _TYPED[t.name]), t)
            if not stripping and (begun := start_stripping(*parsed[t.name])) is not None:
                stripping[t.name] = begun
        zones, status, milestones = typed_tables([parsed[t.name] for t in schema.TABLES.values()], stripping)
    except (pa.ArrowInvalid, NeedsText):
        tables = [_columns(read_csv_strings(files[t.file_name], t), t) for t in schema.TABLES.values()]
        zones, status, milestones = typed_tables(tables)
    return zones, status, milestones


def _columns(parsed: pa.Table, table: schema.Table) -> tuple[schema.Table, dict[str, pa.ChunkedArray], int]:
    present = set(parsed.column_names)
    return table, {name: parsed.column(name) for name in table.column_names if name in present}, parsed.num_rows


PARSE_ERRORS = (ValueError, KeyError, OverflowError, pa.ArrowInvalid)
# From this many bytes a load hashes its files on a second thread while parsing them.
HASH_ALONGSIDE_FROM = 1 << 20


def read_into_arrow(path: Path) -> pa.Buffer:
    """The file's bytes in a buffer from Arrow's memory pool."""
    with path.open("rb") as file:
        size = os.fstat(file.fileno()).st_size
        buffer = pa.allocate_buffer(size)
        if file.readinto(memoryview(buffer)) == size and not file.read(1):
            return buffer
    return pa.py_buffer(path.read_bytes())  # the file changed while being read: read it again, whole


class Hashing(threading.Thread):
    """The sha256 of files handed over one by one, computed on a thread of its own as they come
    (hashlib releases the GIL, so the files are read and parsed meanwhile)."""

    def __init__(self):
        super().__init__(name="sez-store-hash", daemon=True)
        self._files: queue.SimpleQueue = queue.SimpleQueue()
        self._digests: dict[str, str] = {}
        self._error: BaseException | None = None
        self.start()

    def add(self, name: str, data: bytes | pa.Buffer) -> None:
        self._files.put((name, data))

    def run(self) -> None:
        while (item := self._files.get()) is not None:
            try:
                self._digests[item[0]] = hashlib.sha256(item[1]).hexdigest()
            except BaseException as exc:  # handed to the waiting thread
                self._error = exc

    def digests(self) -> dict[str, str]:
        """Every file's digest, once all are computed."""
        self._files.put(None)
        self.join()
        if self._error is not None:
            raise self._error
        return self._digests
