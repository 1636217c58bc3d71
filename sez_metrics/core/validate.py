"""Validating a dataset version: every problem at once, as data, and the ``validate`` command.

``validate_version`` reads each submitted CSV (``sez_metrics.core.csvio``), checks every cell against
the schema (types, ranges, enumerations, required, patterns, lengths), then the rules across
columns, across tables, against the version's reporting date, against the province polygons
(``sez_metrics.core.geo``) and against the previous version. Checks are vectorised with pandas and
lazy: a bad cell is reported as itself and never hides the other cells of its column.

Every problem code, with its severity, message template and fix, is listed once in ``CATALOGUE``.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sez_metrics.core import chars, csvio, geo, schema, settings, vocabulary
from sez_metrics.core.chars import echo, terminal_safe
from sez_metrics.core.csvio import Finding
from sez_metrics.core.report import Problem, Report, Severity
from sez_metrics.storage.store import Dataset, StoreError, open_store
from sez_metrics.storage.stored_csv import parse_csv_bytes

# --------------------------------------------------------------------------------------------
# The problem catalogue: one entry per code. Templates are filled with the finding's params plus
# ``value`` (the cell, quoted), ``column`` and ``table``.
# --------------------------------------------------------------------------------------------

SAVE_AS_UTF8 = "save as CSV UTF-8: in Excel, File › Save As › \"CSV UTF-8 (Comma delimited) (*.csv)\""


@dataclass(frozen=True)
class ProblemType:
    """A kind of problem: its stable code, usual severity, message and fix templates."""

    code: str
    severity: Severity
    title: str
    message: str
    fix: str


CATALOGUE: dict[str, ProblemType] = {
    t.code: t
    for t in (
        # --- reading the file -----------------------------------------------------------------
        ProblemType("file-too-large", "error", "File too large",
                    "the file is larger than the limit of {limit:,} bytes; it was not read",
                    "remove what is not data (other sheets, images), or split the update"),
        ProblemType("empty-file", "error", "Empty file", "the file is empty",
                    "export the table again: a header line, then one line per record"),
        ProblemType("binary-file", "error", "Not a text file", "this is not a CSV text file: it looks like {what}",
                    SAVE_AS_UTF8),
        ProblemType("encoding-error", "error", "Not UTF-8", "the file is not UTF-8 text: {reason}; save as CSV UTF-8",
                    SAVE_AS_UTF8),
        ProblemType("delimiter-error", "error", "Wrong delimiter",
                    "the header is separated by {delimiters}, not commas; the file would be misread",
                    "save with the comma as field delimiter (Excel: \"CSV UTF-8 (Comma delimited)\"; "
                    "LibreOffice: Field delimiter \",\")"),
        ProblemType("quote-error", "error", "Broken quoting",
                    "broken quoting in the record that starts here ({reason}); the file cannot be read reliably past it",
                    "wrap a cell holding commas, quotes or line breaks in double quotes and double its inner quotes: "
                    "\"the \"\"Phase-I\"\" works\""),
        ProblemType("duplicate-header", "error", "Duplicate column",
                    "column {value} appears more than once (again at position {position})",
                    "keep one column named {value}; delete or rename the other"),
        ProblemType("missing-header", "error", "Missing column", "the header has no column {column}",
                    "add the column {column} (an optional column may be left empty); the {table} columns are: {columns}"),
        ProblemType("unknown-header", "error", "Unknown column",
                    "{value} (position {position}) is not a column of {table}{suggestion}",
                    "rename it to one of {columns}, or delete the column"),
        ProblemType("blank-header", "error", "Column without a name",
                    "column {position} has no name{detail}",
                    "delete the nameless column, or name it after a column of {table}"),
        ProblemType("header-spaces", "error", "Spaces around a column name",
                    "the column name {value} has spaces around it",
                    "remove the spaces around the column name: {column}"),
        ProblemType("blank-row", "error", "Blank record",
                    "this line holds no data (only spaces or empty cells) but would be read as a record",
                    "delete the line (in Excel, delete the empty rows below or inside the table)"),
        ProblemType("store-mismatch", "error", "Read differently by the store",
                    "the dataset store would read this file differently from the validator ({reason})",
                    "open the file in Excel or LibreOffice and save it again as CSV UTF-8 (Comma delimited)"),
        ProblemType("no-rows", "error", "No records", "the file has a header but no records",
                    "add one line per record below the header"),
        ProblemType("too-many-columns", "error", "Too many columns",
                    "this record has {cells:,} cells, more than the limit of {limit} columns (column {first} onward); "
                    "the file was not checked further",
                    "delete the columns beyond the table's own (select them in Excel and delete; "
                    "columns that were only formatted count too), then save as CSV UTF-8 again"),
        ProblemType("ragged-row", "error", "Wrong number of cells",
                    "the record has {cells} cells but the header has {width}; its cells were not checked",
                    "a cell holding a comma must be wrapped in double quotes; remove stray commas or add the missing cells"),
        # --- cells ------------------------------------------------------------------------------
        ProblemType("required", "error", "Required value missing", "{column} is required but empty",
                    "fill in {column}: {description}"),
        ProblemType("type-error", "error", "Wrong type", "{value} is not {expected}", "{hint}"),
        ProblemType("decimal-comma", "error", "Comma in a number",
                    "{value} has a comma in a number (decimal comma or thousands separator) and would be misread",
                    "write numbers with a dot as the decimal mark and no thousands separator, e.g. 1234.5"),
        ProblemType("out-of-range", "error", "Out of range", "{value} is out of range: {column} must be {bounds}",
                    "check the figure and its unit ({unit}); {column} must be {bounds}"),
        ProblemType("enum-error", "error", "Not a valid code",
                    "{value} is not a {enum} code{suggestion}; valid codes: {codes}",
                    "write one of the codes exactly: {codes}"),
        ProblemType("slug-error", "error", "Not a valid identifier",
                    "{value} is not a valid {column}: 2–40 characters, lower-case letters, digits, _ and -, "
                    "starting with a letter or digit",
                    "use an identifier like dhabeji or aiic_phase_2{suggestion}"),
        ProblemType("too-long", "error", "Too long", "{value} has {length} characters; {column} allows at most {limit}",
                    "shorten {column} to {limit} characters (it labels the map and slides)"),
        ProblemType("cell-too-long", "error", "Cell too long",
                    "the cell has {length:,} characters, over the limit of {limit:,}",
                    "shorten the text; a cell this long usually means a quote was not closed"),
        ProblemType("hidden-character", "error", "Invisible or control character",
                    "{value} contains {character}; an invisible, control or text-direction character "
                    "makes text display differently from what it holds",
                    "remove it (retype the text, or paste it as plain text); line breaks and tabs are fine"),
        ProblemType("duplicate-key", "error", "Duplicate identifier",
                    "{column} {value} appears more than once (first at line {first})",
                    "each {column} may appear once in {table}; merge or remove the repeated record"),
        # --- rules across columns ----------------------------------------------------------------
        ProblemType("look-alike-name", "warning", "Name looks like another zone's",
                    "{value} looks like {other_zone}'s name {other_name} but is spelt with {characters}",
                    "retype the name in one alphabet, or confirm it is a different zone and make its name distinct"),
        ProblemType("exceeds-total", "error", "More than the total",
                    "{column} {value} is more than {other} {other_value}",
                    "{column} counts part of {other}: it cannot exceed it; correct one of the two"),
        ProblemType("done-without-date", "error", "Done without a date",
                    "status is done but done_date is empty",
                    "give the date it happened in done_date (YYYY-MM-DD), or change the status"),
        ProblemType("date-without-done", "error", "Date but not done",
                    "done_date is {done_date} but status is {value}",
                    "set status to done, or clear done_date if it has not happened"),
        ProblemType("phase-without-start", "error", "Phase without a start",
                    "a phase needs a start_date",
                    "give the phase's start_date (YYYY-MM-DD), or change kind to milestone"),
        ProblemType("start-not-phase", "error", "Start date on a non-phase",
                    "start_date is given but kind is {kind}; only phases have a start_date",
                    "clear start_date, or set kind to phase"),
        ProblemType("start-after-due", "error", "Starts after it is due",
                    "start_date {value} is after due_date {due_date}",
                    "correct start_date or due_date: a phase starts on or before its committed end"),
        ProblemType("colonization-mismatch", "warning", "Colonization disagrees with plots",
                    "colonization_pct {value} disagrees with plots_allotted/plots_total = {allotted}/{total} = {ratio:.1f}% "
                    "(tolerance {tolerance:g} percentage points)",
                    "check the three figures; colonization_pct may count land rather than plots — say so in note"),
        ProblemType("colonization-without-land", "warning", "Colonization before land",
                    "colonization_pct {value} is given but stage is {stage}: a zone without land has nothing to "
                    "colonize, so the dashboard shows colonization as not applicable",
                    "leave colonization_pct empty until land is acquired, or correct stage if the land is acquired"),
        # --- dates against the version's reporting date -------------------------------------------
        ProblemType("done-after-as-of", "error", "Done in the future",
                    "done_date {value} is after {as_of_label}",
                    "a milestone cannot be done after the version's reporting date: correct done_date, or set status "
                    "to in_progress and clear done_date"),
        ProblemType("as-of-after-version", "error", "Figures dated after the version",
                    "as_of {value} is after the version's as_of {as_of}",
                    "the figures cannot describe a date after the version's reporting date: correct as_of"),
        ProblemType("as-of-after-rows", "warning", "Version dated after its figures",
                    "the version's as_of {day} is later than every row's as_of (the newest is {newest}): the dashboard "
                    "would present figures of {newest} as of {day}, {days} days later, and overdue counts move with that date",
                    "leave the version's as-of empty to use {newest}, or update the rows' as_of to the date their "
                    "figures describe"),
        ProblemType("overdue-by-date", "warning", "Overdue only through the version's date",
                    "status is {value} and due_date {due_date} has passed only because the version's date moved "
                    "from {since} to {as_of}: it now counts as overdue",
                    "if it has not happened, set status to delayed (and a new due_date if one is known); if it has, "
                    "set status to done with its done_date; if the version's date is wrong, correct it"),
        # --- provenance: what the sources could know, and how sure the figures are ----------------
        ProblemType("source-after-as-of", "warning", "Source dated after the figures",
                    "the source cites {date}, after the {what} as-of {as_of}: a round may only use what was public "
                    "on its date",
                    "cite a source published on or before {as_of}, or move the fact to the first round dated on or "
                    "after {date}"),
        ProblemType("note-says-estimated", "warning", "Estimate marked as sourced",
                    "confidence is {value} but the note says the row holds an estimate (\"{phrase}\")",
                    "set confidence to estimated (the weakest figure of the row), or reword the note if nothing in "
                    "the row is estimated"),
        ProblemType("done-date-is-source-date", "warning", "Done date is the report's date",
                    "done_date {value} is the publication date of the source, confidence {confidence}: the event "
                    "may have happened earlier",
                    "give the date the event happened if the source states it; if the source reports it on the day "
                    "it happened, add \"reported the same day\" to source; otherwise set confidence to estimated "
                    "and say \"reported <date>\" in the title"),
        ProblemType("invalid-as-of", "error", "Bad reporting date",
                    "the version's as_of {value} is not a date in YYYY-MM-DD form", "give the reporting date as YYYY-MM-DD"),
        # --- rules across tables ---------------------------------------------------------------
        ProblemType("unknown-zone", "error", "Unknown zone",
                    "zone_id {value} is not in {zones_source}{suggestion}",
                    "use the zone_id of a zone in zones.csv, or add the zone there first"),
        ProblemType("missing-status", "warning", "Zone without status",
                    "zone {value} has no row in status.csv", "add a status row for {value} (where it stands)"),
        ProblemType("zones-unchecked", "warning", "Zones not checked",
                    "zone_ids were not checked: {reason}",
                    "validate this file together with zones.csv (same command line or same folder)"),
        # --- geography -------------------------------------------------------------------------
        ProblemType("point-outside-province", "warning", "Point outside its province",
                    "the point ({lat}, {lon}) lies {where}, {distance} outside {value}; location precision: {precision} "
                    "(a point may be up to {tolerance} off)",
                    "check latitude/longitude (decimal degrees, latitude first) and province; "
                    "if the point is less precise than stated, set location_precision accordingly"),
        ProblemType("geo-unavailable", "warning", "Province check skipped",
                    "the province polygons could not be read ({reason}); provinces were not checked",
                    "restore data/basemap/pakistan_admin1.geojson from the repository"),
        # --- against the previous version ------------------------------------------------------
        ProblemType("stage-regressed", "warning", "Moved backwards",
                    "{column} went back from \"{old}\" to {value} since version {previous}",
                    "confirm the setback is real and say why in note; otherwise restore \"{old}\""),
        ProblemType("zone-removed", "warning", "Zone removed",
                    "zone {value} of version {previous} is no longer in zones.csv",
                    "zones are rarely removed: confirm, or restore its row"),
    )
}


def _one_line(text: str) -> str:
    """``text`` with hidden characters escaped, so a problem is always one line and never deceives."""
    return terminal_safe(text)


def _quote(value: object, limit: int = 60) -> str:
    """A cell shown in a one-line message: quoted, control characters escaped, long text cut."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f'"{_one_line(text)}"'


def make_problem(finding: Finding, table: schema.Table, file: str) -> Problem:
    """The ``Problem`` a finding stands for, with its message and fix filled in."""
    kind = CATALOGUE[finding.code]
    fields = {
        "table": table.name,
        "columns": ", ".join(table.column_names),
        "column": _one_line(finding.column),
        "suggestion": "",
        **finding.params,
        "value": _quote(finding.value),
    }
    return Problem(
        severity=finding.severity or kind.severity,  # type: ignore[arg-type]
        code=kind.code,
        table=table.name,
        file=file,
        line=int(finding.line),
        column=_one_line(finding.column),
        value=str(finding.value),
        message=kind.message.format(**fields),
        fix=kind.fix.format(**fields),
    )


# --------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------

# [0-9], not \d: \d also matches other scripts' digits ("１２"), which the store cannot convert.
NUMBER_RE = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
INTEGER_RE = r"[+-]?[0-9]+"
COMMA_NUMBER_RE = r"[+-]?[0-9][0-9.]*,[0-9]+(?:,[0-9]+)*(?:\.[0-9]+)?"
DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
# Larger figures are typos here (and 20-digit integers would not fit the store's Int64 columns).
MAX_MAGNITUDE = 1e15
TYPE_EXPECTED = {
    "number": ("a number", "write a plain number with a dot as decimal mark, without units, % or spaces, e.g. 12.5"),
    "integer": ("a whole number", "write a whole number without decimals, units or separators, e.g. 120"),
    "date": ("a date in YYYY-MM-DD form",
             "write dates as YYYY-MM-DD, e.g. 2023-07-21 (in Excel, format the column as yyyy-mm-dd before saving)"),
    "boolean": ("true or false", "write true or false"),
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


def _closest(value: str, candidates) -> str | None:
    match = difflib.get_close_matches(_normalise(value), list(candidates), n=1, cutoff=0.6)
    return match[0] if match else None


def _did_you_mean(code: str | None) -> str:
    return f' (did you mean "{code}"?)' if code else ""


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


def _bounds_text(column: schema.Column) -> str:
    low, high = column.minimum, column.maximum
    if low is not None and high is not None:
        return f"between {low:g} and {high:g}"
    if low is not None:
        return f"greater than {low:g}" if column.exclusive_minimum else f"{low:g} or more"
    return f"{high:g} or less"


def _check_column(checked: CheckedTable, column: schema.Column) -> pd.Series:
    """Check one column's cells; return its typed values (invalid and empty cells as missing)."""
    raw = checked.raw[column.name]
    empty = (raw == "").to_numpy()
    if column.required:
        checked.cell_findings(empty, "required", column.name, description=column.description)
    _check_hidden(checked, column.name, raw)
    lengths = raw.str.len().to_numpy()
    for code, limit in (("cell-too-long", settings.MAX_CELL_CHARS), ("too-long", column.max_length)):
        if limit is None:
            continue
        for i in np.flatnonzero(lengths > limit):
            checked.findings.append(Finding(code, int(checked.lines[i]), column.name, raw.iat[i],
                                            {"length": int(lengths[i]), "limit": limit}))
    if column.type in ("number", "integer"):
        return _check_numbers(checked, column, raw, empty)
    if column.type == "date":
        shaped = raw.str.fullmatch(DATE_RE).to_numpy()
        parsed = pd.to_datetime(raw.where(shaped, None), format="%Y-%m-%d", errors="coerce")
        expected, hint = TYPE_EXPECTED["date"]
        checked.cell_findings(~empty & ~shaped, "type-error", column.name, expected=expected, hint=hint)
        checked.cell_findings(shaped & parsed.isna().to_numpy(), "type-error", column.name,
                              expected="a real calendar date", hint="check the month (01–12) and the day of the month")
        return parsed
    if column.type == "boolean":
        lowered = raw.str.lower()
        valid = _isin(lowered, schema.BOOLEAN_TRUE + schema.BOOLEAN_FALSE)
        expected, hint = TYPE_EXPECTED["boolean"]
        checked.cell_findings(~empty & ~valid, "type-error", column.name, expected=expected, hint=hint)
        return lowered.where(valid, None)
    if column.type == "enum":
        return _check_enum(checked, column, raw, empty)
    if column.type == "slug":
        valid = raw.str.fullmatch(schema.SLUG_PATTERN.strip("^$")).to_numpy()
        for i in np.flatnonzero(~empty & ~valid):
            value = raw.iat[i]
            fixed = re.sub(r"[^a-z0-9_-]+", "_", value.strip().lower()).strip("_-")[:40]
            suggestion = f' (e.g. "{fixed}")' if re.fullmatch(schema.SLUG_PATTERN, fixed) else ""
            checked.findings.append(Finding("slug-error", int(checked.lines[i]), column.name, value, {"suggestion": suggestion}))
        return raw.where(valid & ~empty, None)
    return raw.where(~empty, None)


def _to_float(raw: pd.Series, valid: np.ndarray) -> pd.Series:
    """The valid cells as float64 (others NaN); Arrow's cast is ten times faster than to_numeric."""
    cast = pc.cast(pa.array(raw.where(valid, None), type=pa.string()), pa.float64())
    return pd.Series(cast.to_numpy(zero_copy_only=False), index=raw.index, dtype="float64")


def _isin(values: pd.Series, allowed) -> np.ndarray:
    """Membership test in Arrow: pandas' isin with a large set of Arrow strings is slow."""
    found = pc.is_in(pa.array(values, type=pa.string()), value_set=pa.array(sorted(allowed), type=pa.string()))
    return found.fill_null(False).to_numpy(zero_copy_only=False)


def _check_hidden(checked: CheckedTable, column: str, raw: pd.Series) -> None:
    """Refuse cells holding controls, direction or invisible characters, naming the first by code point.

    One vectorised regex pass finds the few candidate cells; only those are looked at closely
    (joiners inside Urdu words or emoji sequences are allowed).
    """
    candidates = np.flatnonzero(raw.str.contains(chars.HIDDEN_CLASS, regex=True).to_numpy(dtype=bool, na_value=False))
    for i in candidates:
        found = chars.hidden_characters(raw.iat[i])
        if found:
            checked.findings.append(Finding("hidden-character", int(checked.lines[i]), column, raw.iat[i],
                                            {"character": chars.describe_hidden(found)}))


def _check_look_alike_names(zones: CheckedTable, previous: Dataset | None) -> None:
    """Warn on a zone name that reads as another zone's name but is spelt with other letters
    (a Cyrillic "а" in "Rаshakai SEZ"): it would put a second, fake "Rashakai SEZ" on the map."""
    known: dict[str, tuple[str, str]] = {}  # skeleton → (zone_id, name)
    ids = zones.typed["zone_id"]
    for column in ("name", "short_name"):
        names = zones.typed.get(column)
        if names is None:
            continue
        for zone_id, name in zip(ids, names, strict=True):
            if isinstance(name, str) and isinstance(zone_id, str) and name.isascii():
                known.setdefault(chars.skeleton(name), (zone_id, name))
        if previous is not None and column in previous.zones.columns:
            for zone_id, name in zip(previous.zones["zone_id"], previous.zones[column], strict=True):
                if isinstance(name, str) and name.isascii():
                    known.setdefault(chars.skeleton(name), (str(zone_id), name))
    for column in ("name", "short_name"):
        names = zones.typed.get(column)
        if names is None:
            continue
        for i, name in enumerate(names):
            if not isinstance(name, str) or name.isascii():
                continue
            match = known.get(chars.skeleton(name))
            if match is None or match[1] == name:
                continue
            zones.findings.append(Finding("look-alike-name", int(zones.lines[i]), column, name, {
                "other_zone": match[0], "other_name": _quote(match[1]),
                "characters": ", ".join(chars.look_alike_characters(name)[:3]) or "other letters",
            }))


def _check_numbers(checked: CheckedTable, column: schema.Column, raw: pd.Series, empty: np.ndarray) -> pd.Series:
    pattern = INTEGER_RE if column.type == "integer" else NUMBER_RE
    valid = raw.str.fullmatch(pattern).to_numpy()
    comma = raw.str.fullmatch(COMMA_NUMBER_RE).to_numpy()
    bad = ~empty & ~valid
    expected, hint = TYPE_EXPECTED[column.type]
    checked.cell_findings(bad & comma, "decimal-comma", column.name)
    checked.cell_findings(bad & ~comma, "type-error", column.name, expected=expected, hint=hint)
    values = _to_float(raw, valid)
    numbers = values.to_numpy()
    with np.errstate(invalid="ignore"):
        # 1e999 casts to infinity and a 20-digit integer overflows the store's Int64 columns
        huge = valid & ~(np.abs(numbers) < MAX_MAGNITUDE)
    checked.cell_findings(huge, "type-error", column.name, expected="a number of at most 15 digits",
                          hint="check the figure and its unit; write it in full without exponent, e.g. 1250")
    values = values.where(~huge)
    numbers = values.to_numpy()
    out_of_range = np.zeros(len(values), dtype=bool)
    with np.errstate(invalid="ignore"):
        if column.minimum is not None:
            out_of_range |= (numbers <= column.minimum) if column.exclusive_minimum else (numbers < column.minimum)
        if column.maximum is not None:
            out_of_range |= numbers > column.maximum
    checked.cell_findings(out_of_range, "out-of-range", column.name, bounds=_bounds_text(column), unit=column.unit or "no unit")
    return values.where(~out_of_range)


def _check_enum(checked: CheckedTable, column: schema.Column, raw: pd.Series, empty: np.ndarray) -> pd.Series:
    enumeration = column.enum
    valid = _isin(raw, enumeration.values)
    codes = ", ".join(enumeration.values)
    for i in np.flatnonzero(~empty & ~valid):
        value = raw.iat[i]
        checked.findings.append(Finding("enum-error", int(checked.lines[i]), column.name, value,
                                        {"enum": enumeration.name, "codes": codes,
                                         "suggestion": _did_you_mean(closest_code(value, enumeration))}))
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
            checked.findings.append(Finding("duplicate-key", int(checked.lines[i]), name, value, {"first": int(first_line[value])}))


def _check_store_reading(data: bytes, checked: CheckedTable) -> None:
    """The store re-reads published bytes with its own parser: it must see exactly what we checked."""
    # Typing is not repeated here: the cell checks above accept only what to_typed converts.
    try:
        stored = parse_csv_bytes(data, checked.table)
    except (ValueError, KeyError, pa.ArrowException) as exc:
        checked.findings.append(Finding("store-mismatch", 0, params={"reason": str(exc).splitlines()[0][:200]}))
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
        checked.findings.append(Finding("store-mismatch", 0, params={"reason": reason}))


def check_table(data: bytes, table: schema.Table, file: str) -> CheckedTable:
    """Read ``data`` as ``table`` and check every cell and key; cross rules come later."""
    read = csvio.read_table(data, table)
    findings = [
        replace(f, params={**f.params, "suggestion": _did_you_mean(_closest(f.value, table.column_names))})
        if f.code == "unknown-header" else f
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


# --------------------------------------------------------------------------------------------
# Rules across columns, tables, dates, geography and versions
# --------------------------------------------------------------------------------------------


def _check_not_more(checked: CheckedTable, part: str, whole: str) -> None:
    t = checked.typed
    over = (t[part] > t[whole]).to_numpy()
    raw = checked.raw
    for i in np.flatnonzero(over):
        checked.findings.append(Finding("exceeds-total", int(checked.lines[i]), part, raw[part].iat[i],
                                        {"other": whole, "other_value": raw[whole].iat[i]}))


def _check_status_rules(checked: CheckedTable, as_of: pd.Timestamp | None) -> None:
    t = checked.typed
    _check_not_more(checked, "plots_allotted", "plots_total")
    _check_not_more(checked, "enterprises_operating", "enterprises")
    total, allotted, pct = t["plots_total"], t["plots_allotted"], t["colonization_pct"]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = 100.0 * allotted / total.where(total > 0)
    # allotted > total is already an error; a ratio over 100 % would only repeat it
    off = (((ratio - pct).abs() > settings.COLONIZATION_TOLERANCE_PCT) & (allotted <= total)).to_numpy()
    for i in np.flatnonzero(off):
        checked.findings.append(Finding("colonization-mismatch", int(checked.lines[i]), "colonization_pct",
                                        checked.raw["colonization_pct"].iat[i],
                                        {"allotted": int(allotted.iat[i]), "total": int(total.iat[i]),
                                         "ratio": float(ratio.iat[i]), "tolerance": settings.COLONIZATION_TOLERANCE_PCT}))
    without_land = (t["colonization_pct"].notna() & t["stage"].isin(vocabulary.STAGES_WITHOUT_LAND)).to_numpy()
    for i in np.flatnonzero(without_land):
        checked.findings.append(Finding("colonization-without-land", int(checked.lines[i]), "colonization_pct",
                                        checked.raw["colonization_pct"].iat[i], {"stage": str(t["stage"].iat[i])}))
    if as_of is not None:
        checked.cell_findings((t["as_of"] > as_of).to_numpy(), "as-of-after-version", "as_of", as_of=as_of.date().isoformat())


def _check_milestone_rules(checked: CheckedTable, as_of: pd.Timestamp, as_of_label: str) -> None:
    t, raw = checked.typed, checked.raw
    status, kind = t["status"], t["kind"]
    has_done = (raw["done_date"] != "").to_numpy()
    has_start = (raw["start_date"] != "").to_numpy()
    checked.cell_findings((status == "done").to_numpy() & ~has_done, "done-without-date", "done_date")
    not_done = (status.notna() & (status != "done")).to_numpy() & has_done
    for i in np.flatnonzero(not_done):
        checked.findings.append(Finding("date-without-done", int(checked.lines[i]), "status", raw["status"].iat[i],
                                        {"done_date": raw["done_date"].iat[i]}))
    checked.cell_findings((kind == "phase").to_numpy() & ~has_start, "phase-without-start", "start_date")
    other_kind = (kind.notna() & (kind != "phase")).to_numpy() & has_start
    for i in np.flatnonzero(other_kind):
        checked.findings.append(Finding("start-not-phase", int(checked.lines[i]), "start_date", raw["start_date"].iat[i],
                                        {"kind": kind.iat[i]}))
    for i in np.flatnonzero((t["start_date"] > t["due_date"]).to_numpy()):
        checked.findings.append(Finding("start-after-due", int(checked.lines[i]), "start_date", raw["start_date"].iat[i],
                                        {"due_date": raw["due_date"].iat[i]}))
    checked.cell_findings((t["done_date"] > as_of).to_numpy(), "done-after-as-of", "done_date", as_of_label=as_of_label)


def _check_dating(status: CheckedTable | None, milestones: CheckedTable | None, version_as_of: pd.Timestamp,
                  explicit: bool, previous: Dataset | None) -> None:
    """Warnings when the version's date alone changes what the figures say: a given as_of later than
    every figure's (old figures would read as current), and milestones still planned that turn
    overdue only because the date moved (beyond the figures' date, or past the previous version's
    as_of while their row is unchanged)."""
    since, unchanged_only = None, False
    if explicit and status is not None and status.readable and status.typed["as_of"].notna().any():
        newest = status.typed["as_of"].max()
        if version_as_of > newest:
            since = newest
            status.findings.append(Finding("as-of-after-rows", 0, "as_of", "", {
                "day": version_as_of.date().isoformat(), "newest": newest.date().isoformat(),
                "days": (version_as_of - newest).days}))
    if since is None and previous is not None and len(previous.milestones):
        before = pd.to_datetime(previous.info.as_of, format="%Y-%m-%d", errors="coerce")
        if pd.notna(before) and version_as_of > before:
            since, unchanged_only = before, True
    if since is None or milestones is None or not milestones.readable:
        return
    t = milestones.typed
    open_ = t["status"].isin(["planned", "in_progress"]).to_numpy() & t["done_date"].isna().to_numpy()
    moved = open_ & (t["due_date"] >= since).to_numpy() & (t["due_date"] < version_as_of).to_numpy()
    if unchanged_only:  # a milestone the steward edited in this round was looked at: no warning
        old = previous.milestones.drop_duplicates("milestone_id").set_index("milestone_id")
        ids = t["milestone_id"]
        same_due = (ids.map(old["due_date"]) == t["due_date"]).fillna(False).to_numpy(dtype=bool)
        same_status = (ids.map(old["status"]) == t["status"]).fillna(False).to_numpy(dtype=bool)
        moved &= same_due & same_status
    for i in np.flatnonzero(moved):
        milestones.findings.append(Finding("overdue-by-date", int(milestones.lines[i]), "status", milestones.raw["status"].iat[i], {
            "due_date": milestones.raw["due_date"].iat[i], "as_of": version_as_of.date().isoformat(),
            "since": since.date().isoformat()}))


# An ISO date written in a source cell ("nation 2024-03-11 https://…"): the date it was published.
SOURCE_DATE = re.compile(r"(?<![\d-])(\d{4}-\d{2}-\d{2})(?![\d-])")
# A note saying that a figure of its row is estimated ("ESTIMATED:", "ESTIMATED colonization", "estimate").
NOTE_ESTIMATED = re.compile(r"\b(estimat\w*|illustrative)\b", re.IGNORECASE)
# The words that say a source reports an event on the day it happened.
SAME_DAY = re.compile(r"\bsame[- ]day\b", re.IGNORECASE)
# Confidence levels that claim a figure is taken from a document or report, not estimated.
SOURCED_CONFIDENCE = ("official", "reported")


def source_dates(text: str) -> list[str]:
    """The calendar dates (YYYY-MM-DD) written in a source cell, in order; impossible dates are skipped."""
    found = []
    for match in SOURCE_DATE.findall(text or ""):
        with suppress(ValueError):
            date.fromisoformat(match)
            found.append(match)
    return found


def _check_provenance(status: CheckedTable | None, milestones: CheckedTable | None,
                      version_as_of: pd.Timestamp | None) -> None:
    """Warnings about what a row's sources could have known and how sure it says it is: a source
    published after the figures' date, an estimate marked official or reported, and a done_date that
    is only the source's publication date."""
    if status is not None and status.readable:
        raw, t = status.raw, status.typed
        for i in range(len(raw)):
            as_of = t["as_of"].iat[i]
            if pd.notna(as_of):
                _source_after(status, i, as_of, "row's")
            confidence = t["confidence"].iat[i]
            phrase = NOTE_ESTIMATED.search(raw["note"].iat[i]) if "note" in raw else None
            if confidence in SOURCED_CONFIDENCE and phrase:
                status.findings.append(Finding("note-says-estimated", int(status.lines[i]), "confidence", confidence,
                                               {"phrase": phrase.group(0), "confidence": confidence}))
    if milestones is not None and milestones.readable:
        raw, t = milestones.raw, milestones.typed
        for i in range(len(raw)):
            if version_as_of is not None:
                _source_after(milestones, i, version_as_of, "version's")
            done, confidence, source = raw["done_date"].iat[i], t["confidence"].iat[i], raw["source"].iat[i]
            if (pd.notna(t["done_date"].iat[i]) and confidence in SOURCED_CONFIDENCE
                    and done in source_dates(source) and not SAME_DAY.search(source)):
                milestones.findings.append(Finding("done-date-is-source-date", int(milestones.lines[i]), "done_date",
                                                   done, {"confidence": confidence}))


def _source_after(checked: CheckedTable, i: int, as_of: pd.Timestamp, what: str) -> None:
    day = as_of.date().isoformat()
    later = [d for d in source_dates(checked.raw["source"].iat[i]) if d > day]
    if later:
        checked.findings.append(Finding("source-after-as-of", int(checked.lines[i]), "source", checked.raw["source"].iat[i],
                                        {"date": max(later), "as_of": day, "what": what}))


def _check_zone_refs(checked: CheckedTable, zone_ids: set[str], zones_source: str) -> None:
    ids = checked.typed["zone_id"]
    unknown = ids.notna().to_numpy() & ~_isin(ids, zone_ids)
    for i in np.flatnonzero(unknown):
        value = ids.iat[i]
        checked.findings.append(Finding("unknown-zone", int(checked.lines[i]), "zone_id", value,
                                        {"zones_source": zones_source, "suggestion": _did_you_mean(_closest(value, zone_ids))}))


def _check_geography(zones: CheckedTable) -> None:
    t = zones.typed
    usable = (t["latitude"].notna() & t["longitude"].notna() & t["province"].notna()).to_numpy()
    rows = np.flatnonzero(usable)
    if not len(rows):
        return
    try:
        mismatches = geo.province_mismatches(t["latitude"].to_numpy()[rows], t["longitude"].to_numpy()[rows],
                                             t["province"].to_numpy()[rows], geo.basemap_path())
    except geo.BasemapError as exc:
        zones.findings.append(Finding("geo-unavailable", 0, params={"reason": str(exc)}))
        return
    precision = t["location_precision"]
    for m in mismatches:
        i = rows[m.index]
        stated = precision.iat[i] if pd.notna(precision.iat[i]) else None
        # An unknown precision gets the tightest tolerance: the point is taken at its word.
        tolerance = settings.LOCATION_TOLERANCE_KM.get(stated, min(settings.LOCATION_TOLERANCE_KM.values()))
        if m.distance_km <= tolerance:
            continue
        where = f"in {m.found}" if m.found else "in no province polygon"
        zones.findings.append(Finding("point-outside-province", int(zones.lines[i]), "province", m.declared,
                                      {"lat": zones.raw["latitude"].iat[i], "lon": zones.raw["longitude"].iat[i],
                                       "where": where, "distance": _distance_text(m.distance_km),
                                       "precision": stated or "unknown", "tolerance": _distance_text(tolerance)}))


def _distance_text(km: float) -> str:
    """A geodesic distance as a location message gives it: metres below 1 km, else km to 0.1."""
    return f"{km * 1000:.0f} m" if km < 1 else f"{km:,.1f} km"


def _check_against_previous(checked: dict[str, CheckedTable], previous: Dataset) -> None:
    """Warnings for stages that moved backwards and zones that disappeared since ``previous``."""
    prev_id = previous.info.id
    status = checked.get("status")
    if status is not None and status.readable and len(previous.status):
        before = previous.status.drop_duplicates("zone_id").set_index("zone_id")
        ids = status.typed["zone_id"]
        for name in ("stage", "gas", "electricity"):
            enumeration = status.table.column(name).enum
            rank = {code: r for r, code in enumerate(enumeration.values)}
            now = status.typed[name].map(rank)
            old_codes = ids.map(before[name])
            old = old_codes.map(rank)
            for i in np.flatnonzero((now < old).to_numpy()):
                status.findings.append(Finding("stage-regressed", int(status.lines[i]), name, status.raw[name].iat[i],
                                               {"old": old_codes.iat[i], "previous": prev_id}))
    zones = checked.get("zones")
    if zones is not None and zones.readable and len(previous.zones):
        kept = set(zones.raw["zone_id"])
        for zone_id in previous.zones["zone_id"]:
            if zone_id not in kept:
                zones.findings.append(Finding("zone-removed", 0, "zone_id", zone_id, {"previous": prev_id}))


def _version_as_of(as_of: str | None, status: CheckedTable | None) -> tuple[pd.Timestamp | None, Finding | None]:
    """The version's reporting date: the given one, else the latest status as_of."""
    if as_of is not None:
        parsed = pd.to_datetime(as_of.strip(), format="%Y-%m-%d", errors="coerce") if re.fullmatch(DATE_RE, as_of.strip()) else pd.NaT
        if pd.isna(parsed):
            return None, Finding("invalid-as-of", 0, "as_of", as_of)
        return parsed, None
    if status is not None and status.readable and status.typed["as_of"].notna().any():
        return status.typed["as_of"].max(), None
    return None, None


def validate_version(
    files: Mapping[str, bytes],
    *,
    as_of: str | None = None,
    previous: Dataset | None = None,
    reference_zones: pd.DataFrame | None = None,
    names: Mapping[str, str] | None = None,
) -> Report:
    """Validate the tables of one version; every problem found, none hidden behind another.

    ``files`` maps file names (zones.csv, status.csv, milestones.csv; any subset) to their bytes;
    ``names`` maps a file name to the path shown in messages. ``as_of`` is the version's
    reporting date (default: the latest as_of in status.csv; without status.csv, today).
    ``previous`` (a ``store.Dataset``) enables the warnings about stages moving backwards and zones
    removed. ``reference_zones`` (a frame with a ``zone_id`` column) is used for zone_id existence
    when zones.csv is not among ``files``.
    """
    names = dict(names or {})
    report = Report()
    checked: dict[str, CheckedTable] = {}
    for file_name, data in files.items():
        table = schema.TABLE_BY_FILE.get(file_name)
        if table is None:
            raise ValueError(f"{file_name!r} is not a dataset file name ({', '.join(schema.TABLE_BY_FILE)})")
        checked[table.name] = check_table(data, table, names.get(file_name, file_name))
    zones, status, milestones = (checked.get(n) for n in ("zones", "status", "milestones"))

    version_as_of, as_of_problem = _version_as_of(as_of, status)
    if as_of_problem is not None:
        report.add(make_problem(as_of_problem, schema.STATUS, "as_of"))
    if status is not None and status.readable:
        _check_status_rules(status, version_as_of if as_of is not None else None)
    if version_as_of is not None:
        _check_dating(status, milestones, version_as_of, as_of is not None, previous)
    _check_provenance(status, milestones, version_as_of)
    if milestones is not None and milestones.readable:
        if version_as_of is None:
            today = pd.Timestamp(date.today())
            _check_milestone_rules(milestones, today, f"today ({today.date().isoformat()})")
        else:
            _check_milestone_rules(milestones, version_as_of, f"the version's as_of ({version_as_of.date().isoformat()})")

    zone_ids, zones_source = None, ""
    if zones is not None:
        if zones.readable:
            zone_ids = set(zones.typed["zone_id"].dropna())
            zones_source = zones.file
            _check_geography(zones)
    elif reference_zones is not None:
        zone_ids = set(reference_zones["zone_id"].dropna().astype(str))
        zones_source = names.get("zones.csv", "the published zones.csv")
    for referring in (status, milestones):
        if referring is None or not referring.readable:
            continue
        if zone_ids is not None:
            _check_zone_refs(referring, zone_ids, zones_source)
        elif zones is None:
            referring.findings.append(Finding("zones-unchecked", 0, "zone_id", params={"reason": "no zones.csv and no published version to compare with"}))
    if zones is not None and zones.readable and status is not None and status.readable:
        with_status = set(status.typed["zone_id"].dropna())
        missing = zones.typed["zone_id"].notna().to_numpy() & ~_isin(zones.typed["zone_id"], with_status)
        zones.cell_findings(missing, "missing-status", "zone_id")
    if zones is not None and zones.readable:
        _check_look_alike_names(zones, previous)
    if previous is not None:
        _check_against_previous(checked, previous)

    for c in checked.values():
        report.extend(make_problem(f, c.table, c.file) for f in c.findings)
    return report


# --------------------------------------------------------------------------------------------
# The ``validate`` command
# --------------------------------------------------------------------------------------------

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A path or option the command cannot work with (exit 2, one line)."""


@dataclass
class _Submission:
    """Files validated together as one version, with the paths to show and where zone_ids come from."""

    files: dict[str, bytes]
    names: dict[str, str]
    reference_zones: pd.DataFrame | None = None
    previous: Dataset | None = None


def _read_file(path: Path) -> bytes:
    """The file's bytes, at most one byte over the size limit (the reader refuses it then)."""
    try:
        with path.open("rb") as handle:
            return handle.read(settings.MAX_CSV_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def _table_of(path: Path, table_option: str | None) -> schema.Table:
    named = schema.TABLE_BY_FILE.get(path.name)
    if named is not None and table_option is not None and named.name != table_option:
        raise UsageError(f"{path}: its name says table {named.name} but --table says {table_option}")
    if named is not None:
        return named
    if table_option is not None:
        return schema.TABLES[table_option]
    raise UsageError(f"{path}: cannot tell its table; name it zones.csv, status.csv or milestones.csv, or pass --table")


def _submissions(paths: list[str], table_option: str | None) -> list[_Submission]:
    """Group the command line: each folder is a version; loose CSVs together make one."""
    groups: list[_Submission] = []
    loose = _Submission({}, {})
    loose_dirs: list[Path] = []
    for arg in paths:
        path = Path(arg)
        if path.is_dir():
            present = [n for n in schema.TABLE_BY_FILE if (path / n).is_file()]
            if not present:
                raise UsageError(f"{arg}: the folder holds none of zones.csv, status.csv, milestones.csv; "
                                 "name your files exactly so, or give the files themselves")
            names = {n: str(path / n) for n in present}
            submission = _Submission({n: _read_file(path / n) for n in present}, names)
            if len(present) < len(schema.TABLE_BY_FILE):
                _carry_over(submission, arg)
            groups.append(submission)
        elif path.exists():
            table = _table_of(path, table_option)
            if table.file_name in loose.files:
                raise UsageError(f"{arg}: {loose.names[table.file_name]} is already the {table.name} table; validate one per run")
            loose.files[table.file_name] = _read_file(path)
            loose.names[table.file_name] = arg
            loose_dirs.append(path.parent)
        else:
            raise UsageError(f"{arg}: no such file or folder")
    if loose.files:
        _attach_published(loose, loose_dirs)
        groups.append(loose)
    return groups


def _carry_over(submission: _Submission, arg: str) -> None:
    """A folder with some of the files is an update: validate it as publish would, the other files
    carried over from the latest version (and compared with it)."""
    store = open_store()
    root = store.location
    missing = [n for n in schema.TABLE_BY_FILE if n not in submission.files]
    try:
        latest = store.load().dataset
        published, problems = store.read_version_files(latest.info)
    except (StoreError, OSError) as exc:
        raise UsageError(f"{arg}: {', '.join(missing)} missing, and there is no published version in {root} to carry "
                         f"them over from ({exc}); put all three files in the folder") from exc
    if problems:
        raise UsageError(f"{arg}: {', '.join(missing)} would be carried over from {latest.info.id}, which is damaged "
                         f"({problems[0].format_line()}); run verify")
    for name in missing:
        submission.files[name] = published[name]
        submission.names[name] = f"versions/{latest.info.id}/{name} (carried over)"  # as publish names it
    submission.previous = latest


def _attach_published(submission: _Submission, folders: list[Path]) -> None:
    """Loose files are an update of the latest published version: compare with it, and take
    zone_ids from a zones.csv beside the files, else from that version."""
    if "zones.csv" not in submission.files:
        for folder in dict.fromkeys(folders):
            beside = folder / "zones.csv"
            if beside.is_file():
                read = csvio.read_table(_read_file(beside), schema.ZONES)
                if read.frame is not None:
                    submission.reference_zones = read.frame
                    submission.names["zones.csv"] = str(beside)
                    break
    try:
        latest = open_store().load().dataset
    except (StoreError, OSError):
        return
    submission.previous = latest
    if "zones.csv" not in submission.files and submission.reference_zones is None:
        submission.reference_zones = latest.zones
        submission.names["zones.csv"] = f"zones.csv of version {latest.info.id} in {open_store().location}"


def cli_validate(args: argparse.Namespace) -> int:
    """``python -m sez_metrics validate PATH... [--table NAME] [--as-of DATE] [--json]``.

    One line per problem on stdout (sorted), a summary line on stderr. Exit 0 when there is no
    error (warnings allowed), 1 when there are errors, 2 when a file cannot be read or the
    command line is wrong.
    """
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")  # a cp1252 console must not crash on "≤"
    try:
        if args.as_of is not None and _version_as_of(args.as_of, None)[1] is not None:
            raise UsageError(f"--as-of {args.as_of!r}: expected a date YYYY-MM-DD")
        submissions = _submissions(list(args.paths), args.table)
    except UsageError as exc:
        echo(f"error: {exc}", err=True)
        return EXIT_USAGE
    report = Report()
    for submission in submissions:
        report.extend(
            validate_version(submission.files, as_of=args.as_of, previous=submission.previous,
                             reference_zones=submission.reference_zones, names=submission.names).problems
        )
    if args.json:
        print(report.to_json())
    else:
        for problem in report.sorted():
            echo(problem.format_line(with_fix=True))
    counts = report.counts()
    checked = sum(len(s.files) for s in submissions)
    verdict = "invalid" if counts["error"] else "valid"
    echo(f"{checked} file(s) checked: {counts['error']} error(s), {counts['warning']} warning(s) — {verdict}", err=True)
    return EXIT_ERRORS if counts["error"] else EXIT_OK
