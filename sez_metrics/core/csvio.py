"""Reading a steward's CSV bytes into a frame of strings, refusing what would be misread.

Stewards produce CSVs with Excel, LibreOffice or a text editor: UTF-8 with or without BOM, CRLF,
quoted fields holding commas and newlines, blank trailing lines, spaces around cells. All of
those are read as meant. What would be misread — another encoding, another delimiter, binary
content, broken quoting, duplicate or unknown headers — is refused with a ``Finding`` that says
where and why, and no half-read table is returned.

This module only reads: it knows the table's column names but none of its rules (those are in
``sez_metrics.core.cell_rules`` and ``sez_metrics.core.validate``; ``sez_metrics.core.problems`` turns
findings into ``Problem``s with their messages).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sez_metrics.core import schema, settings
from sez_metrics.core.problems import ProblemCode

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Signatures of files that are not text at all, with what a steward probably saved by mistake.
BINARY_SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"),
    (b"%PDF", "a PDF document"),
)
OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


@dataclass(frozen=True)
class Finding:
    """Something the reader (or a rule) found: a problem code, where, and its message parameters.

    ``severity`` overrides the code's usual severity when set.
    """

    code: ProblemCode
    line: int
    column: str = ""
    value: str = ""
    params: dict = field(default_factory=dict)
    severity: str | None = None


@dataclass
class TableRead:
    """The outcome of reading one CSV.

    ``frame`` holds the well-formed records as stripped strings ("" = empty cell), one column per
    known header, index 0..n-1; ``lines[i]`` is the line where record ``i`` starts (header = 1).
    ``frame`` is None when the file was refused as a whole; ``findings`` say why.
    """

    table: schema.Table
    frame: pd.DataFrame | None
    lines: np.ndarray
    findings: list[Finding]


def _refused(table: schema.Table, *findings: Finding) -> TableRead:
    return TableRead(table, None, np.zeros(0, dtype=np.int64), list(findings))


def _line_and_byte(data: bytes, position: int) -> tuple[int, int]:
    """1-based line and byte-within-line of ``position`` in ``data``."""
    line_start = data.rfind(b"\n", 0, position) + 1
    return data.count(b"\n", 0, position) + 1, position - line_start + 1


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 text of mostly ASCII characters has a NUL in every other byte."""
    sample = data[:400]
    if len(sample) < 4:
        return False
    even_nuls = sample[0::2].count(0) / len(sample[0::2])
    odd_nuls = sample[1::2].count(0) / len(sample[1::2])
    return max(even_nuls, odd_nuls) > 0.4 and min(even_nuls, odd_nuls) < 0.1


def decode(data: bytes) -> tuple[str | None, Finding | None]:
    """The text of a CSV file, or the finding that refuses it (size, emptiness, binary, encoding)."""
    if len(data) > settings.MAX_CSV_BYTES:
        return None, Finding(ProblemCode.FILE_TOO_LARGE, 0, params={"limit": settings.MAX_CSV_BYTES})
    if data.startswith(UTF16_BOMS) or _looks_utf16(data):
        return None, Finding(ProblemCode.ENCODING_ERROR, 0, params={"reason": "it is UTF-16 text (Excel's \"Unicode Text\")"})
    for signature, what in BINARY_SIGNATURES:
        if data.startswith(signature):
            return None, Finding(ProblemCode.BINARY_FILE, 0, params={"what": what})
    if b"\x00" in data:
        line, byte = _line_and_byte(data, data.index(b"\x00"))
        return None, Finding(ProblemCode.BINARY_FILE, line, params={"what": f"binary content (a NUL byte at line {line}, byte {byte})"})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, byte = _line_and_byte(data, exc.start)
        bad = data[exc.start : exc.start + 1]
        guess = bad.decode("cp1252", errors="replace")
        return None, Finding(
            ProblemCode.ENCODING_ERROR,
            line,
            params={
                "reason": f"byte 0x{bad.hex().upper()} at line {line}, byte {byte} cannot be decoded "
                f"(it would be {guess!r} in Windows-1252, Excel's \"CSV (Comma delimited)\")"
            },
        )
    if not text.strip():
        return None, Finding(ProblemCode.EMPTY_FILE, 1)  # line 1: where the header is missing
    return text, None


def _records(text: str) -> tuple[list[int], list[list[str]], Finding | None]:
    """Every record but empty lines, with the line it starts on, and the finding that stopped reading
    (broken quoting, or a record wider than ``settings.MAX_COLUMNS``)."""
    # strict makes broken quoting an error instead of silently swallowing the rest of the file
    # into one cell. No skipinitialspace: the store's reader (pyarrow) has no such option, and
    # what the validator accepts must read the same way there.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    starts: list[int] = []
    rows: list[list[str]] = []
    end = 0  # line where the previous record ended
    try:
        for row in reader:
            if len(row) > settings.MAX_COLUMNS:  # stop before checking it cell by cell, header name by name
                return starts, rows, Finding(ProblemCode.TOO_MANY_COLUMNS, end + 1, params={"cells": len(row), "limit": settings.MAX_COLUMNS, "first": settings.MAX_COLUMNS + 1})
            if row:  # an empty line is skipped here and by the store alike
                starts.append(end + 1)
                rows.append(row)
            end = reader.line_num
    except csv.Error as exc:
        return starts, rows, Finding(ProblemCode.QUOTE_ERROR, end + 1, params={"reason": str(exc)})
    return starts, rows, None


def _is_blank(cells: list[str]) -> bool:
    # the first cell settles almost every record without joining the rest
    return not cells[0].strip() and not "".join(cells).strip()


def _check_header(table: schema.Table, header: list[str], line: int) -> tuple[list[Finding], dict[str, int]]:
    """Findings about the header's names, and the position of each known column."""
    findings: list[Finding] = []
    known = set(table.column_names)
    positions: dict[str, int] = {}
    for index, raw_name in enumerate(header):
        name = raw_name.strip()
        if name == "":
            continue  # judged once the rows are read: see _blank_header_findings
        if name != raw_name:  # the store matches column names exactly
            findings.append(Finding(ProblemCode.HEADER_SPACES, line, column=name, value=raw_name, params={"position": index + 1}))
        if name in positions:
            findings.append(Finding(ProblemCode.DUPLICATE_HEADER, line, column=name, value=name, params={"position": index + 1}))
        elif name not in known:
            findings.append(Finding(ProblemCode.UNKNOWN_HEADER, line, column=name, value=name, params={"position": index + 1}))
        else:
            positions[name] = index
    for column in table.columns:
        if column.name not in positions and not column.optional_header:
            findings.append(Finding(ProblemCode.MISSING_HEADER, line, column=column.name))
    return findings, positions


def _blank_header_findings(header: list[str], rows: list[list[str]], line: int) -> list[Finding]:
    """A nameless column is an error when it holds data (which would be lost), else a warning:
    Excel exports trailing empty columns when cells beyond the table were ever formatted."""
    out = []
    for index, name in enumerate(header):
        if name.strip() == "":
            holds_data = any(row[index].strip() for row in rows)
            detail = " but holds data, which would be lost" if holds_data else " and is empty; it is ignored"
            out.append(Finding(ProblemCode.BLANK_HEADER, line, params={"position": index + 1, "detail": detail},
                               severity=None if holds_data else "warning"))
    return out


def read_table(data: bytes, table: schema.Table) -> TableRead:
    """Read ``data`` as ``table``'s CSV: a frame of stripped strings plus every reading finding.

    A file that would be misread (size, encoding, binary, delimiter, quoting, header) is refused:
    ``frame`` is None. Ragged records are reported per line and left out of ``frame`` (their
    cells are misaligned, so checking them would only produce noise).
    """
    text, finding = decode(data)
    if finding is not None:
        return _refused(table, finding)
    starts, records, quote_error = _records(text)
    if quote_error is not None and quote_error.code == ProblemCode.TOO_MANY_COLUMNS:
        return _refused(table, quote_error)
    # Lines of spaces or of empty cells (",,,,", left by Excel after cleared rows) are not skipped
    # by the store's reader, which would see a record of empty cells: they are reported.
    findings: list[Finding] = []
    kept: list[tuple[int, list[str]]] = []
    for line, cells in zip(starts, records, strict=True):
        if _is_blank(cells):
            findings.append(Finding(ProblemCode.BLANK_ROW, line))
        else:
            kept.append((line, cells))
    if not kept:
        return _refused(table, *findings, quote_error or Finding(ProblemCode.EMPTY_FILE, 1))
    (header_line, header), body = kept[0], kept[1:]
    if len(header) == 1:
        for delimiter, plural in OTHER_DELIMITERS.items():
            if delimiter in header[0]:
                return _refused(table, Finding(ProblemCode.DELIMITER_ERROR, header_line, params={"delimiters": plural}))
    header_findings, positions = _check_header(table, header, header_line)
    findings.extend(header_findings)
    refuse = bool(header_findings)
    width = len(header)
    lines: list[int] = []
    rows: list[list[str]] = []
    for line, cells in body:
        if len(cells) != width:
            findings.append(Finding(ProblemCode.RAGGED_ROW, line, params={"cells": len(cells), "width": width}))
            continue
        lines.append(line)
        rows.append(cells)
    if quote_error is not None:
        return _refused(table, *findings, quote_error)
    findings.extend(_blank_header_findings(header, rows, header_line))
    if refuse:
        return _refused(table, *findings)
    if not rows and not any(f.code == ProblemCode.RAGGED_ROW for f in findings):
        return _refused(table, *findings, Finding(ProblemCode.NO_ROWS, header_line))
    cells_by_position = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    # Arrow-backed strings: the validator's regex checks then run in Arrow, not per cell in Python.
    frame = pd.DataFrame(
        {name: (pd.Series(cells_by_position[positions[name]], dtype="str").str.strip() if name in positions
                else pd.Series([""] * len(rows), dtype="str"))  # an optional column the file leaves out: empty
         for name in table.column_names},
        index=pd.RangeIndex(len(rows)),
    )
    return TableRead(table, frame, np.asarray(lines, dtype=np.int64), findings)
