"""Everything the app hands out as a file: version archives, empty templates, CSV exports.

Two kinds of CSV leave the app, on purpose:

- **Archival originals** — the exact bytes a version was published with, inside the version zip
  under ``original/``, checked against the manifest's sha256 before they are packed (a damaged
  version is never handed out as good). They are what an auditor verifies (``sha256sum -c
  SHA256SUMS``) and what a steward re-publishes. Being exact, they are *not* neutralised.
- **Spreadsheet copies** — every other CSV (the ``for-spreadsheets/`` copies in the same zip, the
  validation report, the cell changes, the version history) is made for opening in Excel or
  LibreOffice: a text cell a spreadsheet would run as a formula (starting with ``=``, ``+``,
  ``-``, ``@``, tab or CR) gets a leading ``'`` (``text.neutralise_formula``); numbers such as
  ``-5`` or ``+3.2`` are left alone. They are UTF-8 with a byte-order mark so Excel reads Urdu
  and accented names correctly.

Pure: no streamlit import.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from datetime import datetime

import pandas as pd

from sez_metrics.core import schema, vocabulary
from sez_metrics.core.report import Report
from sez_metrics.core.stored_csv import parse_csv_bytes
from sez_metrics.core.text import neutralise_formula
from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.store import StoreError, entry_hash, sha256_bytes

SPREADSHEET_ENCODING = "utf-8-sig"
REPORT_COLUMNS = ("severity", "file", "line", "column", "value", "message", "fix", "code")
# Zip entries get a fixed time when nothing better is known, so the same content gives the same bytes.
_EPOCH = (1980, 1, 1, 0, 0, 0)

VERSION_README = """\
SEZ progress dashboard: dataset version {id}
Label:        {label}
Data as of:   {as_of}
Published:    {published_at} by {author}
Note:         {note}

original/          the exact files as published. Their sha256 and sizes are in
                   manifest-entry.json and SHA256SUMS; check them with
                       sha256sum -c SHA256SUMS
                   These are the archival copies: re-publish them as they are.
                   They are NOT made safe for spreadsheets (see below).
for-spreadsheets/  the same tables for opening in Excel or LibreOffice: a text cell
                   that a spreadsheet would run as a formula (starting with = + - @,
                   tab or carriage return) begins with an apostrophe. Numbers are
                   unchanged. Do not re-publish these copies.
manifest-entry.json  the version's entry in the store's manifest (hash chain included).
"""

TEMPLATES_README = """\
SEZ progress dashboard: empty templates

zones.csv, status.csv, milestones.csv  the header line of each table, in the expected order.
column-guide.csv                       every column: type, whether required, unit, allowed
                                       values with their meaning, and rules.
data-dictionary.md                     the same and more (every problem the validator reports,
                                       with how to fix it), as a document.

Fill the rows below the header, save as CSV (UTF-8, comma separated) under exactly these
file names, and upload one or more of them on the Data page (stewards) or run
    python -m sez_metrics validate zones.csv status.csv milestones.csv
Dates are YYYY-MM-DD. Enumerations take the code, not the label. A table you do not upload
is carried over unchanged from the latest version.
"""


class ExportError(Exception):
    """A file cannot be produced as asked (e.g. the version failed its hash check)."""


# --- CSV for spreadsheets -----------------------------------------------------------------------


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas; numbers untouched."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        out[column] = series.map(neutralise_formula).astype(object)
    return out


def spreadsheet_csv(frame: pd.DataFrame) -> bytes:
    """``frame`` as a neutralised CSV for spreadsheets (no index; dates as YYYY-MM-DD)."""
    out = neutralise_frame(frame)
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    # CRLF as RFC 4180 and Excel have it; it also makes the writer quote cells holding a CR or LF.
    return out.to_csv(index=False, lineterminator="\r\n").encode(SPREADSHEET_ENCODING)


def report_csv(report: Report) -> bytes:
    """The validation report (one row per problem, file order) as a neutralised CSV."""
    frame = pd.DataFrame(report.to_records(), columns=list(REPORT_COLUMNS))
    return spreadsheet_csv(frame[list(REPORT_COLUMNS)])


def published_csv_for_spreadsheet(data: bytes, table: schema.Table) -> bytes:
    """A published table's CSV with every cell kept as its text, formula cells neutralised."""
    return spreadsheet_csv(parse_csv_bytes(data, table))


# --- zips ---------------------------------------------------------------------------------------


def _zip(entries: Iterable[tuple[str, bytes]], when: tuple[int, ...] = _EPOCH) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _zip_time(published_at: str) -> tuple[int, ...]:
    try:
        stamp = datetime.fromisoformat(published_at)
    except ValueError:
        return _EPOCH
    return (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)


def version_zip_name(version_id: str) -> str:
    return f"sez-dataset-{version_id}.zip"


def version_zip(store: VersionStore, version_id: str) -> bytes:
    """A zip of version ``version_id``: verified original files, spreadsheet copies, its manifest entry.

    Raises ``ExportError`` when the version is unknown or its entry or files fail their hashes.
    """
    try:
        entries = store.read_manifest_entries()
    except StoreError as exc:
        raise ExportError(str(exc)) from exc
    entry = next((e for e in entries if str(e.get("id")) == version_id), None)
    if entry is None:
        raise ExportError(f"no version {version_id!r}")
    if entry.get("entry_hash") != entry_hash(entry):
        raise ExportError(f"{version_id}: its manifest entry was edited after publishing; not exported")
    info = store.version(version_id)
    folder = f"sez-dataset-{version_id}"
    originals, problems = store.read_version_files(info)
    if problems:
        raise ExportError("; ".join(p.format_line() for p in problems) + "; not exported")
    files: list[tuple[str, bytes]] = [
        (f"{folder}/README.txt", VERSION_README.format(**{k: entry.get(k, "") for k in
                                                           ("id", "label", "as_of", "published_at", "author", "note")}).encode()),
        (f"{folder}/manifest-entry.json", (json.dumps(entry, indent=2, ensure_ascii=False) + "\n").encode("utf-8")),
        (f"{folder}/SHA256SUMS", "".join(f"{sha256_bytes(d)}  original/{n}\n" for n, d in originals.items()).encode()),
    ]
    files += [(f"{folder}/original/{n}", d) for n, d in originals.items()]
    files += [
        (f"{folder}/for-spreadsheets/{n}", published_csv_for_spreadsheet(d, schema.TABLE_BY_FILE[n]))
        for n, d in originals.items()
    ]
    return _zip(files, _zip_time(info.published_at))


def column_guide() -> pd.DataFrame:
    """One row per column of every table: what to put in it, generated from the schema."""
    from sez_metrics.core import dictionary
    rows = []
    for table in schema.TABLES.values():
        for column in table.columns:
            rows.append({
                "file": table.file_name,
                "column": column.name,
                "type": dictionary.TYPE_NAMES[column.type],
                "required": "yes" if column.required else "no",
                "unit": column.unit,
                "allowed values": "; ".join(f"{c.code} = {c.label}: {c.definition}" for c in column.enum.codes)
                if column.enum else "",
                "rule": vocabulary.column_rule(column, unique=column.name in table.key),
                "description": column.description,
            })
    return pd.DataFrame(rows)


TEMPLATES_ZIP_NAME = "sez-dataset-templates.zip"


def templates_zip() -> bytes:
    """Empty templates (header lines only) of the three tables, a column guide, the data dictionary, a README."""
    from sez_metrics.core import dictionary  # imported late: it loads the validator's problem catalogue

    folder = "sez-dataset-templates"
    files = [(f"{folder}/README.txt", TEMPLATES_README.encode())]
    # Plain UTF-8, no byte-order mark: these files come back as uploads.
    files += [(f"{folder}/{t.file_name}", (",".join(t.column_names) + "\n").encode()) for t in schema.TABLES.values()]
    files.append((f"{folder}/column-guide.csv", spreadsheet_csv(column_guide())))
    files.append((f"{folder}/data-dictionary.md", dictionary.render().encode("utf-8")))
    return _zip(files)

