"""The validation problems: every code a rule can report, its group, severity, message and fix.

``ProblemCode`` names each kind of problem; its value is the code printed by ``validate``
(``FILE:LINE:COLUMN: error CODE: …``) and written in ``--json``. ``CATALOGUE`` holds, once per
code, its usual severity, its ``Group`` (what the problem is about: the file, one cell, one row,
the table as a whole, or the version against its date and its predecessor), a title, and the
message and fix templates. Every rule reports a ``ProblemCode`` member, so a misspelt code fails
where it is written, never when the rule first fires.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from sez_metrics.core import schema
from sez_metrics.core.chars import terminal_safe
from sez_metrics.core.i18n import N_, _
from sez_metrics.core.report import Problem, Severity

if TYPE_CHECKING:  # the reader imports the codes; its findings are only annotated here
    from sez_metrics.core.csvio import Finding


class Group(StrEnum):
    """What a problem is about."""

    FILE = "file"  # the file as a whole: its size, encoding, dialect or header
    CELL = "cell"  # one cell against its column's type and rule
    ROW = "row"  # cells of one record against each other, or one record against its sources
    TABLE = "table"  # records of a table against each other, or against another table
    VERSION = "version"  # the version against its reporting date or the version before it


GROUP_TITLES: dict[Group, str] = {
    Group.FILE: "The file",
    Group.CELL: "One cell",
    Group.ROW: "One record",
    Group.TABLE: "Across records and tables",
    Group.VERSION: "Against the version's date and the previous version",
}


class ProblemCode(StrEnum):
    """The stable code of each kind of problem (its value is what ``validate`` prints)."""

    FILE_TOO_LARGE = "file-too-large"
    EMPTY_FILE = "empty-file"
    BINARY_FILE = "binary-file"
    ENCODING_ERROR = "encoding-error"
    DELIMITER_ERROR = "delimiter-error"
    QUOTE_ERROR = "quote-error"
    DUPLICATE_HEADER = "duplicate-header"
    MISSING_HEADER = "missing-header"
    UNKNOWN_HEADER = "unknown-header"
    BLANK_HEADER = "blank-header"
    HEADER_SPACES = "header-spaces"
    BLANK_ROW = "blank-row"
    STORE_MISMATCH = "store-mismatch"
    NO_ROWS = "no-rows"
    TOO_MANY_COLUMNS = "too-many-columns"
    RAGGED_ROW = "ragged-row"
    REQUIRED = "required"
    TYPE_ERROR = "type-error"
    DECIMAL_COMMA = "decimal-comma"
    OUT_OF_RANGE = "out-of-range"
    ENUM_ERROR = "enum-error"
    SLUG_ERROR = "slug-error"
    TOO_LONG = "too-long"
    CELL_TOO_LONG = "cell-too-long"
    HIDDEN_CHARACTER = "hidden-character"
    WRONG_SCRIPT = "wrong-script"
    DUPLICATE_KEY = "duplicate-key"
    LOOK_ALIKE_NAME = "look-alike-name"
    EXCEEDS_TOTAL = "exceeds-total"
    DONE_WITHOUT_DATE = "done-without-date"
    DATE_WITHOUT_DONE = "date-without-done"
    PHASE_WITHOUT_START = "phase-without-start"
    START_NOT_PHASE = "start-not-phase"
    START_AFTER_DUE = "start-after-due"
    COLONIZATION_MISMATCH = "colonization-mismatch"
    COLONIZATION_WITHOUT_LAND = "colonization-without-land"
    DONE_AFTER_AS_OF = "done-after-as-of"
    AS_OF_AFTER_VERSION = "as-of-after-version"
    AS_OF_AFTER_ROWS = "as-of-after-rows"
    OVERDUE_BY_DATE = "overdue-by-date"
    SOURCE_AFTER_AS_OF = "source-after-as-of"
    NOTE_SAYS_ESTIMATED = "note-says-estimated"
    DONE_DATE_IS_SOURCE_DATE = "done-date-is-source-date"
    INVALID_AS_OF = "invalid-as-of"
    UNKNOWN_ZONE = "unknown-zone"
    MISSING_STATUS = "missing-status"
    ZONES_UNCHECKED = "zones-unchecked"
    POINT_OUTSIDE_PROVINCE = "point-outside-province"
    GEO_UNAVAILABLE = "geo-unavailable"
    STAGE_REGRESSED = "stage-regressed"
    ZONE_REMOVED = "zone-removed"


SAVE_AS_UTF8 = N_("save as CSV UTF-8: in Excel, File › Save As › \"CSV UTF-8 (Comma delimited) (*.csv)\"")


@dataclass(frozen=True)
class ProblemType:
    """A kind of problem: its code, usual severity, group, title, and message and fix templates.

    Templates are filled with the finding's params plus ``value`` (the cell, quoted), ``column``
    and ``table``.
    """

    code: ProblemCode
    severity: Severity
    group: Group
    title: str
    message: str
    fix: str


CATALOGUE: dict[ProblemCode, ProblemType] = {
    t.code: t
    for t in (
        # --- reading the file -----------------------------------------------------------------
        ProblemType(ProblemCode.FILE_TOO_LARGE, "error", Group.FILE, "File too large",
                    N_("the file is larger than the limit of {limit:,} bytes; it was not read"),
                    N_("remove what is not data (other sheets, images), or split the update")),
        ProblemType(ProblemCode.EMPTY_FILE, "error", Group.FILE, "Empty file",
                    N_("the file is empty"),
                    N_("export the table again: a header line, then one line per record")),
        ProblemType(ProblemCode.BINARY_FILE, "error", Group.FILE, "Not a text file",
                    N_("this is not a CSV text file: it looks like {what}"),
                    SAVE_AS_UTF8),
        ProblemType(ProblemCode.ENCODING_ERROR, "error", Group.FILE, "Not UTF-8",
                    N_("the file is not UTF-8 text: {reason}; save as CSV UTF-8"),
                    SAVE_AS_UTF8),
        ProblemType(ProblemCode.DELIMITER_ERROR, "error", Group.FILE, "Wrong delimiter",
                    N_("the header is separated by {delimiters}, not commas; the file would be misread"),
                    N_("save with the comma as field delimiter (Excel: \"CSV UTF-8 (Comma delimited)\"; LibreOffice: Field delimiter \",\")")),
        ProblemType(ProblemCode.QUOTE_ERROR, "error", Group.FILE, "Broken quoting",
                    N_("broken quoting in the record that starts here ({reason}); the file cannot be read reliably past it"),
                    N_("wrap a cell holding commas, quotes or line breaks in double quotes and double its inner quotes: \"the \"\"Phase-I\"\" works\"")),
        ProblemType(ProblemCode.DUPLICATE_HEADER, "error", Group.FILE, "Duplicate column",
                    N_("column {value} appears more than once (again at position {position})"),
                    N_("keep one column named {value}; delete or rename the other")),
        ProblemType(ProblemCode.MISSING_HEADER, "error", Group.FILE, "Missing column",
                    N_("the header has no column {column}"),
                    N_("add the column {column} (an optional column may be left empty); the {table} columns are: {columns}")),
        ProblemType(ProblemCode.UNKNOWN_HEADER, "error", Group.FILE, "Unknown column",
                    N_("{value} (position {position}) is not a column of {table}{suggestion}"),
                    N_("rename it to one of {columns}, or delete the column")),
        ProblemType(ProblemCode.BLANK_HEADER, "error", Group.FILE, "Column without a name",
                    N_("column {position} has no name{detail}"),
                    N_("delete the nameless column, or name it after a column of {table}")),
        ProblemType(ProblemCode.HEADER_SPACES, "error", Group.FILE, "Spaces around a column name",
                    N_("the column name {value} has spaces around it"),
                    N_("remove the spaces around the column name: {column}")),
        ProblemType(ProblemCode.BLANK_ROW, "error", Group.ROW, "Blank record",
                    N_("this line holds no data (only spaces or empty cells) but would be read as a record"),
                    N_("delete the line (in Excel, delete the empty rows below or inside the table)")),
        ProblemType(ProblemCode.STORE_MISMATCH, "error", Group.FILE, "Read differently by the store",
                    N_("the dataset store would read this file differently from the validator ({reason})"),
                    N_("open the file in Excel or LibreOffice and save it again as CSV UTF-8 (Comma delimited)")),
        ProblemType(ProblemCode.NO_ROWS, "error", Group.FILE, "No records",
                    N_("the file has a header but no records"),
                    N_("add one line per record below the header")),
        ProblemType(ProblemCode.TOO_MANY_COLUMNS, "error", Group.FILE, "Too many columns",
                    N_("this record has {cells:,} cells, more than the limit of {limit} columns (column {first} onward); the file was not checked further"),
                    N_("delete the columns beyond the table's own (select them in Excel and delete; columns that were only formatted count too), then save as CSV UTF-8 again")),
        ProblemType(ProblemCode.RAGGED_ROW, "error", Group.ROW, "Wrong number of cells",
                    N_("the record has {cells} cells but the header has {width}; its cells were not checked"),
                    N_("a cell holding a comma must be wrapped in double quotes; remove stray commas or add the missing cells")),
        # --- cells ------------------------------------------------------------------------------
        ProblemType(ProblemCode.REQUIRED, "error", Group.CELL, "Required value missing",
                    N_("{column} is required but empty"),
                    N_("fill in {column}: {description}")),
        ProblemType(ProblemCode.TYPE_ERROR, "error", Group.CELL, "Wrong type",
                    N_("{value} is not {expected}"),
                    "{hint}"),
        ProblemType(ProblemCode.DECIMAL_COMMA, "error", Group.CELL, "Comma in a number",
                    N_("{value} has a comma in a number (decimal comma or thousands separator) and would be misread"),
                    N_("write numbers with a dot as the decimal mark and no thousands separator, e.g. 1234.5")),
        ProblemType(ProblemCode.OUT_OF_RANGE, "error", Group.CELL, "Out of range",
                    N_("{value} is out of range: {column} must be {bounds}"),
                    N_("check the figure and its unit ({unit}); {column} must be {bounds}")),
        ProblemType(ProblemCode.ENUM_ERROR, "error", Group.CELL, "Not a valid code",
                    N_("{value} is not a {enum} code{suggestion}; valid codes: {codes}"),
                    N_("write one of the codes exactly: {codes}")),
        ProblemType(ProblemCode.SLUG_ERROR, "error", Group.CELL, "Not a valid identifier",
                    N_("{value} is not a valid {column}: 2–40 characters, lower-case letters, digits, _ and -, starting with a letter or digit"),
                    N_("use an identifier like dhabeji or aiic_phase_2{suggestion}")),
        ProblemType(ProblemCode.TOO_LONG, "error", Group.CELL, "Too long",
                    N_("{value} has {length} characters; {column} allows at most {limit}"),
                    N_("shorten {column} to {limit} characters (it labels the map and slides)")),
        ProblemType(ProblemCode.CELL_TOO_LONG, "error", Group.CELL, "Cell too long",
                    N_("the cell has {length:,} characters, over the limit of {limit:,}"),
                    N_("shorten the text; a cell this long usually means a quote was not closed")),
        ProblemType(ProblemCode.HIDDEN_CHARACTER, "error", Group.CELL, "Invisible or control character",
                    N_("{value} contains {character}; an invisible, control or text-direction character makes text display differently from what it holds"),
                    N_("remove it (retype the text, or paste it as plain text); line breaks and tabs are fine")),
        ProblemType(ProblemCode.WRONG_SCRIPT, "error", Group.CELL, "Written in the wrong script",
                    N_("{value} {reason}; {column} holds the zone's name in {script}"),
                    N_("write the name in {script} (e.g. {example}), or leave {column} empty to show the English name")),
        ProblemType(ProblemCode.DUPLICATE_KEY, "error", Group.TABLE, "Duplicate identifier",
                    N_("{column} {value} appears more than once (first at line {first})"),
                    N_("each {column} may appear once in {table}; merge or remove the repeated record")),
        # --- rules across columns ----------------------------------------------------------------
        ProblemType(ProblemCode.LOOK_ALIKE_NAME, "warning", Group.TABLE, "Name looks like another zone's",
                    N_("{value} looks like {other_zone}'s name {other_name} but is spelt with {characters}"),
                    N_("retype the name in one alphabet, or confirm it is a different zone and make its name distinct")),
        ProblemType(ProblemCode.EXCEEDS_TOTAL, "error", Group.ROW, "More than the total",
                    N_("{column} {value} is more than {other} {other_value}"),
                    N_("{column} counts part of {other}: it cannot exceed it; correct one of the two")),
        ProblemType(ProblemCode.DONE_WITHOUT_DATE, "error", Group.ROW, "Done without a date",
                    N_("status is done but done_date is empty"),
                    N_("give the date it happened in done_date (YYYY-MM-DD), or change the status")),
        ProblemType(ProblemCode.DATE_WITHOUT_DONE, "error", Group.ROW, "Date but not done",
                    N_("done_date is {done_date} but status is {value}"),
                    N_("set status to done, or clear done_date if it has not happened")),
        ProblemType(ProblemCode.PHASE_WITHOUT_START, "error", Group.ROW, "Phase without a start",
                    N_("a phase needs a start_date"),
                    N_("give the phase's start_date (YYYY-MM-DD), or change kind to milestone")),
        ProblemType(ProblemCode.START_NOT_PHASE, "error", Group.ROW, "Start date on a non-phase",
                    N_("start_date is given but kind is {kind}; only phases have a start_date"),
                    N_("clear start_date, or set kind to phase")),
        ProblemType(ProblemCode.START_AFTER_DUE, "error", Group.ROW, "Starts after it is due",
                    N_("start_date {value} is after due_date {due_date}"),
                    N_("correct start_date or due_date: a phase starts on or before its committed end")),
        ProblemType(ProblemCode.COLONIZATION_MISMATCH, "warning", Group.ROW, "Colonization disagrees with plots",
                    N_("colonization_pct {value} disagrees with plots_allotted/plots_total = {allotted}/{total} = {ratio:.1f}% (tolerance {tolerance:g} percentage points)"),
                    N_("check the three figures; colonization_pct may count land rather than plots — say so in note")),
        ProblemType(ProblemCode.COLONIZATION_WITHOUT_LAND, "warning", Group.ROW, "Colonization before land",
                    N_("colonization_pct {value} is given but stage is {stage}: a zone without land has nothing to colonize, so the dashboard shows colonization as not applicable"),
                    N_("leave colonization_pct empty until land is acquired, or correct stage if the land is acquired")),
        # --- dates against the version's reporting date -------------------------------------------
        ProblemType(ProblemCode.DONE_AFTER_AS_OF, "error", Group.VERSION, "Done in the future",
                    N_("done_date {value} is after {as_of_label}"),
                    N_("a milestone cannot be done after the version's reporting date: correct done_date, or set status to in_progress and clear done_date")),
        ProblemType(ProblemCode.AS_OF_AFTER_VERSION, "error", Group.VERSION, "Figures dated after the version",
                    N_("as_of {value} is after the version's as_of {as_of}"),
                    N_("the figures cannot describe a date after the version's reporting date: correct as_of")),
        ProblemType(ProblemCode.AS_OF_AFTER_ROWS, "warning", Group.VERSION, "Version dated after its figures",
                    N_("the version's as_of {day} is later than every row's as_of (the newest is {newest}): the dashboard would present figures of {newest} as of {day}, {days} days later, and overdue counts move with that date"),
                    N_("leave the version's as-of empty to use {newest}, or update the rows' as_of to the date their figures describe")),
        ProblemType(ProblemCode.OVERDUE_BY_DATE, "warning", Group.VERSION, "Overdue only through the version's date",
                    N_("status is {value} and due_date {due_date} has passed only because the version's date moved from {since} to {as_of}: it now counts as overdue"),
                    N_("if it has not happened, set status to delayed (and a new due_date if one is known); if it has, set status to done with its done_date; if the version's date is wrong, correct it")),
        # --- provenance: what the sources could know, and how sure the figures are ----------------
        ProblemType(ProblemCode.SOURCE_AFTER_AS_OF, "warning", Group.ROW, "Source dated after the figures",
                    N_("the source cites {date}, after the {what} as-of {as_of}: a round may only use what was public on its date"),
                    N_("cite a source published on or before {as_of}, or move the fact to the first round dated on or after {date}")),
        ProblemType(ProblemCode.NOTE_SAYS_ESTIMATED, "warning", Group.ROW, "Estimate marked as sourced",
                    N_("confidence is {value} but the note says the row holds an estimate (\"{phrase}\")"),
                    N_("set confidence to estimated (the weakest figure of the row), or reword the note if nothing in the row is estimated")),
        ProblemType(ProblemCode.DONE_DATE_IS_SOURCE_DATE, "warning", Group.ROW, "Done date is the report's date",
                    N_("done_date {value} is the publication date of the source, confidence {confidence}: the event may have happened earlier"),
                    N_("give the date the event happened if the source states it; if the source reports it on the day it happened, add \"reported the same day\" to source; otherwise set confidence to estimated and say \"reported <date>\" in the title")),
        ProblemType(ProblemCode.INVALID_AS_OF, "error", Group.VERSION, "Bad reporting date",
                    N_("the version's as_of {value} is not a date in YYYY-MM-DD form"),
                    N_("give the reporting date as YYYY-MM-DD")),
        # --- rules across tables ---------------------------------------------------------------
        ProblemType(ProblemCode.UNKNOWN_ZONE, "error", Group.TABLE, "Unknown zone",
                    N_("zone_id {value} is not in {zones_source}{suggestion}"),
                    N_("use the zone_id of a zone in zones.csv, or add the zone there first")),
        ProblemType(ProblemCode.MISSING_STATUS, "warning", Group.TABLE, "Zone without status",
                    N_("zone {value} has no row in status.csv"),
                    N_("add a status row for {value} (where it stands)")),
        ProblemType(ProblemCode.ZONES_UNCHECKED, "warning", Group.TABLE, "Zones not checked",
                    N_("zone_ids were not checked: {reason}"),
                    N_("validate this file together with zones.csv (same command line or same folder)")),
        # --- geography -------------------------------------------------------------------------
        ProblemType(ProblemCode.POINT_OUTSIDE_PROVINCE, "warning", Group.ROW, "Point outside its province",
                    N_("the point ({lat}, {lon}) lies {where}, {distance} outside {value}; location precision: {precision} (a point may be up to {tolerance} off)"),
                    N_("check latitude/longitude (decimal degrees, latitude first) and province; if the point is less precise than stated, set location_precision accordingly")),
        ProblemType(ProblemCode.GEO_UNAVAILABLE, "warning", Group.TABLE, "Province check skipped",
                    N_("the province polygons could not be read ({reason}); provinces were not checked"),
                    N_("restore data/basemap/pakistan_admin1.geojson from the repository")),
        # --- against the previous version ------------------------------------------------------
        ProblemType(ProblemCode.STAGE_REGRESSED, "warning", Group.VERSION, "Moved backwards",
                    N_("{column} went back from \"{old}\" to {value} since version {previous}"),
                    N_("confirm the setback is real and say why in note; otherwise restore \"{old}\"")),
        ProblemType(ProblemCode.ZONE_REMOVED, "warning", Group.VERSION, "Zone removed",
                    N_("zone {value} of version {previous} is no longer in zones.csv"),
                    N_("zones are rarely removed: confirm, or restore its row")),
    )
}
if set(CATALOGUE) != set(ProblemCode):  # pragma: no cover - a code without its entry fails at import
    raise RuntimeError(f"problem codes without a catalogue entry: {sorted(set(ProblemCode) - set(CATALOGUE))}")


def _one_line(text: str) -> str:
    """``text`` with hidden characters escaped, so a problem is always one line and never deceives."""
    return terminal_safe(text)


def quote(value: object, limit: int = 60) -> str:
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
        "value": quote(finding.value),
    }
    return Problem(
        severity=finding.severity or kind.severity,  # type: ignore[arg-type]
        code=kind.code.value,
        table=table.name,
        file=file,
        line=int(finding.line),
        column=_one_line(finding.column),
        value=str(finding.value),
        # In the language of the run (the command line's is English): the marked templates are translated.
        message=_(kind.message).format(**fields),
        fix=_(kind.fix).format(**fields),
    )
