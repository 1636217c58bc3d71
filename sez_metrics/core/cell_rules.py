"""The rules of one table read on its own: each cell against its column, keys unique, the store's reading.

``check_table`` reads a CSV (``sez_metrics.core.csvio``) and checks every cell against the schema
(types, ranges, enumerations, required, patterns, lengths). Checks are vectorised with pandas and
lazy: a bad cell is reported as itself and never hides the other cells of its column. The typed
values of the valid cells are kept for the rules across columns, tables and versions.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sez_metrics.core import chars, csvio, schema, settings, vocabulary
from sez_metrics.core.csvio import Finding
from sez_metrics.core.i18n import N_, _
from sez_metrics.core.problems import CATALOGUE, ProblemCode
from sez_metrics.core.stored_csv import parse_csv_bytes

# [0-9], not \d: \d also matches other scripts' digits ("１２"), which the store cannot convert.
NUMBER_RE = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
INTEGER_RE = r"[+-]?[0-9]+"
COMMA_NUMBER_RE = r"[+-]?[0-9][0-9.]*,[0-9]+(?:,[0-9]+)*(?:\.[0-9]+)?"
DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
# Larger figures are typos here (and 20-digit integers would not fit the store's Int64 columns).
MAX_MAGNITUDE = 1e15
TYPE_EXPECTED = {
    "number": (N_("a number"), N_("write a plain number with a dot as decimal mark, without units, % or spaces, e.g. 12.5")),
    "integer": (N_("a whole number"), N_("write a whole number without decimals, units or separators, e.g. 120")),
    "date": (N_("a date in YYYY-MM-DD form"),
             N_("write dates as YYYY-MM-DD, e.g. 2023-07-21 (in Excel, format the column as yyyy-mm-dd before saving)")),
    "boolean": (N_("true or false"), N_("write true or false")),
}


def _normalise(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def closest_code(value: str, enumeration: schema.Enumeration) -> str | None:
    """The code a steward most likely meant: same code in other case/spacing, a label, or a near spelling."""
    wanted = _normalise(value)
    for c in enumeration.codes:
        if wanted in (_normalise(c.code), _normalise(c.label)):
            return c.code
    by_normal = {_normalise(c.code): c.code for c in enumeration.codes}
    by_normal.update({_normalise(c.label): c.code for c in enumeration.codes})
    match = difflib.get_close_matches(wanted, list(by_normal), n=1, cutoff=0.6)
    return by_normal[match[0]] if match else None


def closest(value: str, candidates) -> str | None:
    match = difflib.get_close_matches(_normalise(value), list(candidates), n=1, cutoff=0.6)
    return match[0] if match else None


def did_you_mean(code: str | None) -> str:
    return _(' (did you mean "{code}"?)').format(code=code) if code else ""


@dataclass
class CheckedTable:
    """A table read and checked cell by cell: raw strings, typed values of the valid cells, findings.

    ``typed[column]`` holds numbers as float, dates as datetime64, everything else as the stripped
    string; cells that are empty or invalid are NaN/NaT/None so later rules skip them.
    """

    table: schema.Table
    file: str
    raw: pd.DataFrame | None
    lines: np.ndarray
    typed: dict[str, pd.Series]
    findings: list[Finding]

    @property
    def readable(self) -> bool:
        return self.raw is not None

    def cell_findings(self, mask, code: str, column: str, **params) -> None:
        """Add one finding per row where ``mask`` is true, valued with the row's cell in ``column``."""
        raw = self.raw[column].to_numpy()
        for i in np.flatnonzero(np.asarray(mask, dtype=bool)):
            self.findings.append(Finding(code, int(self.lines[i]), column, raw[i], dict(params)))


def _check_column(checked: CheckedTable, column: schema.Column) -> pd.Series:
    """Check one column's cells; return its typed values (invalid and empty cells as missing)."""
    raw = checked.raw[column.name]
    empty = (raw == "").to_numpy()
    if column.required:
        checked.cell_findings(empty, ProblemCode.REQUIRED, column.name, description=column.description)
    _check_hidden(checked, column.name, raw)
    lengths = raw.str.len().to_numpy()
    for code, limit in ((ProblemCode.CELL_TOO_LONG, settings.MAX_CELL_CHARS), (ProblemCode.TOO_LONG, column.max_length)):
        if limit is None:
            continue
        for i in np.flatnonzero(lengths > limit):
            checked.findings.append(Finding(code, int(checked.lines[i]), column.name, raw.iat[i],
                                            {"length": int(lengths[i]), "limit": limit}))
    if column.script is not None:
        _check_script(checked, column, raw, empty)
    if column.type in ("number", "integer"):
        return _check_numbers(checked, column, raw, empty)
    if column.type == "date":
        shaped = raw.str.fullmatch(DATE_RE).to_numpy()
        parsed = pd.to_datetime(raw.where(shaped, None), format="%Y-%m-%d", errors="coerce")
        expected, hint = TYPE_EXPECTED["date"]
        checked.cell_findings(~empty & ~shaped, ProblemCode.TYPE_ERROR, column.name, expected=_(expected), hint=_(hint))
        checked.cell_findings(shaped & parsed.isna().to_numpy(), ProblemCode.TYPE_ERROR, column.name,
                              expected=_("a real calendar date"), hint=_("check the month (01–12) and the day of the month"))
        return parsed
    if column.type == "boolean":
        lowered = raw.str.lower()
        valid = isin(lowered, schema.BOOLEAN_TRUE + schema.BOOLEAN_FALSE)
        expected, hint = TYPE_EXPECTED["boolean"]
        checked.cell_findings(~empty & ~valid, ProblemCode.TYPE_ERROR, column.name, expected=_(expected), hint=_(hint))
        return lowered.where(valid, None)
    if column.type == "enum":
        return _check_enum(checked, column, raw, empty)
    if column.type == "slug":
        valid = raw.str.fullmatch(schema.SLUG_PATTERN.strip("^$")).to_numpy()
        for i in np.flatnonzero(~empty & ~valid):
            value = raw.iat[i]
            fixed = re.sub(r"[^a-z0-9_-]+", "_", value.strip().lower()).strip("_-")[:40]
            suggestion = f' (e.g. "{fixed}")' if re.fullmatch(schema.SLUG_PATTERN, fixed) else ""
            checked.findings.append(Finding(ProblemCode.SLUG_ERROR, int(checked.lines[i]), column.name, value, {"suggestion": suggestion}))
        return raw.where(valid & ~empty, None)
    return raw.where(~empty, None)


def _to_float(raw: pd.Series, valid: np.ndarray) -> pd.Series:
    """The valid cells as float64 (others NaN); Arrow's cast is ten times faster than to_numeric."""
    cast = pc.cast(pa.array(raw.where(valid, None), type=pa.string()), pa.float64())
    return pd.Series(cast.to_numpy(zero_copy_only=False), index=raw.index, dtype="float64")


def isin(values: pd.Series, allowed) -> np.ndarray:
    """Membership test in Arrow: pandas' isin with a large set of Arrow strings is slow."""
    found = pc.is_in(pa.array(values, type=pa.string()), value_set=pa.array(sorted(allowed), type=pa.string()))
    return found.fill_null(False).to_numpy(zero_copy_only=False)


def script_problem(text: str, script: schema.Script) -> str | None:
    """Why ``text`` is not written in ``script`` (its letters other than Latin ones), or None."""
    letters = [(ch, unicodedata.name(ch, "")) for ch in text if ch.isalpha()]
    foreign = [(ch, name) for ch, name in letters
               if not name.startswith(script.letter_names) and not name.startswith("LATIN")]
    if foreign:
        ch, name = foreign[0]
        return _("contains {character} ({codepoint}), a letter of another script").format(
            character=repr(ch), codepoint=chars.codepoint(ch))
    if not any(name.startswith(script.letter_names) for _unused, name in letters):
        return _("is not written in {script}").format(script=_(script.name))
    return None


def _check_script(checked: CheckedTable, column: schema.Column, raw: pd.Series, empty: np.ndarray) -> None:
    """A name in another language must be written in that language's script (``schema.NAME_SCRIPTS``)."""
    for i in np.flatnonzero(~empty):
        reason = script_problem(raw.iat[i], column.script)
        if reason:
            checked.findings.append(Finding(ProblemCode.WRONG_SCRIPT, int(checked.lines[i]), column.name, raw.iat[i],
                                            {"reason": reason, "script": _(column.script.name),
                                             "example": column.script.example}))


def _check_hidden(checked: CheckedTable, column: str, raw: pd.Series) -> None:
    """Refuse cells holding controls, direction or invisible characters, naming the first by code point.

    One vectorised regex pass finds the few candidate cells; only those are looked at closely
    (joiners inside Urdu words or emoji sequences are allowed).
    """
    candidates = np.flatnonzero(raw.str.contains(chars.HIDDEN_CLASS, regex=True).to_numpy(dtype=bool, na_value=False))
    for i in candidates:
        found = chars.hidden_characters(raw.iat[i])
        if found:
            checked.findings.append(Finding(ProblemCode.HIDDEN_CHARACTER, int(checked.lines[i]), column, raw.iat[i],
                                            {"character": chars.describe_hidden(found)}))


def _check_numbers(checked: CheckedTable, column: schema.Column, raw: pd.Series, empty: np.ndarray) -> pd.Series:
    pattern = INTEGER_RE if column.type == "integer" else NUMBER_RE
    valid = raw.str.fullmatch(pattern).to_numpy()
    comma = raw.str.fullmatch(COMMA_NUMBER_RE).to_numpy()
    bad = ~empty & ~valid
    expected, hint = TYPE_EXPECTED[column.type]
    checked.cell_findings(bad & comma, ProblemCode.DECIMAL_COMMA, column.name)
    checked.cell_findings(bad & ~comma, ProblemCode.TYPE_ERROR, column.name, expected=_(expected), hint=_(hint))
    values = _to_float(raw, valid)
    numbers = values.to_numpy()
    with np.errstate(invalid="ignore"):
        # 1e999 casts to infinity and a 20-digit integer overflows the store's Int64 columns
        huge = valid & ~(np.abs(numbers) < MAX_MAGNITUDE)
    checked.cell_findings(huge, ProblemCode.TYPE_ERROR, column.name, expected=_("a number of at most 15 digits"),
                          hint=_("check the figure and its unit; write it in full without exponent, e.g. 1250"))
    values = values.where(~huge)
    numbers = values.to_numpy()
    out_of_range = np.zeros(len(values), dtype=bool)
    with np.errstate(invalid="ignore"):
        if column.minimum is not None:
            out_of_range |= (numbers <= column.minimum) if column.exclusive_minimum else (numbers < column.minimum)
        if column.maximum is not None:
            out_of_range |= numbers > column.maximum
    checked.cell_findings(out_of_range, ProblemCode.OUT_OF_RANGE, column.name, bounds=vocabulary.bounds_text(column, "sentence"), unit=column.unit or "no unit")
    return values.where(~out_of_range)


def _check_enum(checked: CheckedTable, column: schema.Column, raw: pd.Series, empty: np.ndarray) -> pd.Series:
    enumeration = column.enum
    valid = isin(raw, enumeration.values)
    codes = ", ".join(enumeration.values)
    for i in np.flatnonzero(~empty & ~valid):
        value = raw.iat[i]
        checked.findings.append(Finding(ProblemCode.ENUM_ERROR, int(checked.lines[i]), column.name, value,
                                        {"enum": enumeration.name, "codes": codes,
                                         "suggestion": did_you_mean(closest_code(value, enumeration))}))
    return raw.where(valid, None)


def _check_unique(checked: CheckedTable) -> None:
    for name in checked.table.key:
        raw = checked.raw[name]
        present = raw != ""
        repeated = (raw.duplicated(keep="first") & present).to_numpy()
        if not repeated.any():
            continue
        first_line = pd.Series(checked.lines, index=raw.index)[present].groupby(raw[present]).first()
        for i in np.flatnonzero(repeated):
            value = raw.iat[i]
            checked.findings.append(Finding(ProblemCode.DUPLICATE_KEY, int(checked.lines[i]), name, value, {"first": int(first_line[value])}))


def _check_store_reading(data: bytes, checked: CheckedTable) -> None:
    """The store re-reads published bytes with its own parser: it must see exactly what we checked."""
    # Typing is not repeated here: the cell checks above accept only what to_typed converts.
    try:
        stored = parse_csv_bytes(data, checked.table)
    except (ValueError, KeyError, pa.ArrowException) as exc:
        checked.findings.append(Finding(ProblemCode.STORE_MISMATCH, 0, params={"reason": str(exc).splitlines()[0][:200]}))
        return
    ours = checked.raw
    if len(stored) != len(ours):
        reason = f"{len(stored)} records instead of {len(ours)}"
    else:
        differing = [
            c for c in ours.columns
            # compared as Arrow-backed strings: object arrays of 50,000 rows cost ~0.25 s per file
            if (ours[c].astype("str").ne("").any() if c not in stored.columns and checked.table.column(c).optional_header
                else c not in stored.columns or stored[c].astype("str").ne(ours[c].astype("str")).any())
        ]
        reason = f"different values in {', '.join(differing)}" if differing else ""
    if reason:
        checked.findings.append(Finding(ProblemCode.STORE_MISMATCH, 0, params={"reason": reason}))


def check_table(data: bytes, table: schema.Table, file: str) -> CheckedTable:
    """Read ``data`` as ``table`` and check every cell and key; cross rules come later."""
    read = csvio.read_table(data, table)
    findings = [
        replace(f, params={**f.params, "suggestion": did_you_mean(closest(f.value, table.column_names))})
        if f.code == ProblemCode.UNKNOWN_HEADER else f
        for f in read.findings
    ]
    checked = CheckedTable(table, file, read.frame, read.lines, {}, findings)
    if checked.readable:
        for column in table.columns:
            checked.typed[column.name] = _check_column(checked, column)
        _check_unique(checked)
        if not any(CATALOGUE[f.code].severity == "error" and f.severity != "warning" for f in checked.findings):
            _check_store_reading(data, checked)
    return checked

