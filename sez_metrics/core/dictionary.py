"""The data dictionary: ``docs/data-dictionary.md`` rendered from the schema and the problem catalogue.

``python -m sez_metrics.core.dictionary`` (re)writes the file; ``--check`` only reports whether it is
stale (exit 1). A test fails when the committed file differs from what the schema renders, so
the dictionary can never drift from the code.
"""

from __future__ import annotations

import argparse
import sys

from sez_metrics.core import schema, settings, vocabulary
from sez_metrics.core.problems import CATALOGUE, GROUP_TITLES, Group

DICTIONARY_PATH = settings.REPO_ROOT / "docs" / "data-dictionary.md"
TYPE_NAMES = {
    "slug": "identifier",
    "text": "text",
    "enum": "code",
    "number": "number",
    "integer": "whole number",
    "date": "date",
    "boolean": "true/false",
}


def _cell(text: str) -> str:
    """Text for a markdown table cell: pipes escaped, line breaks flattened."""
    return text.replace("|", "\\|").replace("\n", " ")


def _enumerations_by_column() -> dict[str, list[str]]:
    used: dict[str, list[str]] = {}
    for table in schema.TABLES.values():
        for column in table.columns:
            if column.enum is not None:
                used.setdefault(column.enum.name, []).append(f"{table.file_name} `{column.name}`")
    return used


def _table_section(table: schema.Table) -> list[str]:
    lines = [
        f"## {table.file_name}",
        "",
        table.description,
        "",
        f"Key: {', '.join(f'`{k}`' for k in table.key)} (unique in the file).",
        "",
        "| column | type | required | rule | unit | description |",
        "|---|---|---|---|---|---|",
    ]
    for c in table.columns:
        required = "yes" if c.required else "optional header" if c.optional_header else ""
        lines.append(f"| `{c.name}` | {TYPE_NAMES[c.type]} | {required} | {_cell(vocabulary.column_rule(c, unique=c.name in table.key, markdown=True))} | {_cell(c.unit)} | {_cell(c.description)} |")
    return [*lines, ""]


def _enumeration_section(enumeration: schema.Enumeration, used_by: list[str]) -> list[str]:
    lines = [f"### {enumeration.name}", ""]
    if used_by:
        lines += [f"Used by {', '.join(used_by)}.", ""]
    if enumeration.ordered:
        lines += ["Ordered: each code is further along than the one above it.", ""]
    lines += ["| code | label | symbol | definition |", "|---|---|---|---|"]
    for c in enumeration.codes:
        lines.append(f"| `{c.code}` | {_cell(c.label)} | {_cell(c.symbol)} | {_cell(c.definition)} |")
    return [*lines, ""]


def render() -> str:
    """The whole data dictionary as markdown."""
    lines = [
        "# Data dictionary",
        "",
        "<!-- Generated from sez_metrics/core/schema.py by `python -m sez_metrics.core.dictionary`; do not edit by hand. -->",
        "",
        "A dataset version is three CSV files, UTF-8 (with or without BOM), comma-separated, header on line 1.",
        "Dates are ISO `YYYY-MM-DD`; numbers use a dot as decimal mark and no thousands separator;",
        "enumerations are stored as the codes below and shown with their labels. Empty cell = no value.",
        "Check files with `python -m sez_metrics validate PATH...`.",
        "",
        "Columns marked *optional header* may be left out of a file altogether (they read as empty), so files",
        "made before them stay valid. Per-figure provenance: a status row's `confidence` and `source` are the",
        "defaults for its figures; `<figure>_confidence` and `<figure>_source` (figure: "
        + ", ".join(f"`{f}`" for f, _ in schema.PROVENANCE_FIGURES) + ")",
        "override them for one figure, and every page, slide and pack shows each figure with its own. An empty",
        "cell falls back to the row's; a `_source` may be given without a `_confidence` of its own.",
        "",
        "Names in other languages: " + ", ".join(f"`name_{c}`, `short_name_{c}`" for c in schema.NAME_SCRIPTS)
        + " are shown on the pages of that language instead of `name` and `short_name` (empty: the English name).",
        "Cite the official name where one exists in `name_<language>_source` (document or outlet, date, URL);",
        "otherwise write that the name is a translation and who made it: translations need review by a native",
        "speaker before official use. Notes and sources stay in the language they were written in.",
        "",
    ]
    for table in schema.TABLES.values():
        lines += _table_section(table)
    lines += ["## Enumerations", ""]
    used = _enumerations_by_column()
    for enumeration in schema.ENUMERATIONS:
        lines += _enumeration_section(enumeration, used.get(enumeration.name, []))
    lines += [
        "## Validation problem codes",
        "",
        "Each line of `validate` output names one of these codes. Errors block publishing; warnings do not.",
        "The codes are grouped by what they are about: the file, one cell, one record, records and tables",
        "together, or the version against its date and the version before it.",
    ]
    for group in Group:
        lines += ["", f"### {GROUP_TITLES[group]}", "", "| code | severity | meaning |", "|---|---|---|"]
        for kind in (k for k in CATALOGUE.values() if k.group is group):
            lines.append(f"| `{kind.code}` | {kind.severity} | {_cell(kind.title)} |")
    lines += _checks_section()
    return "\n".join(lines) + "\n"


def _checks_section() -> list[str]:
    """How the warnings about sources and locations read the cells (conventions a steward keeps)."""
    tolerances = ", ".join(f"`{code}` {km:g} km" for code, km in settings.LOCATION_TOLERANCE_KM.items())
    return [
        "",
        "### How sources, notes and points are checked",
        "",
        "- `source-after-as-of`: every date written as `YYYY-MM-DD` in a `source` cell is read as a publication "
        "date (\"nation 2024-03-11 https://…\"); dates inside URLs in other forms are not. A status row's dates "
        "are compared with its `as_of`, a milestone's with the version's as-of. An undated source cannot be checked: "
        "write its date when known.",
        "- `note-says-estimated`: a status row whose `confidence` is `official` or `reported` while its `note` says "
        "\"estimated\", \"estimate\" or \"illustrative\" (any case; notes mark estimates as `ESTIMATED: …`). A row's "
        "confidence is the weakest of its figures.",
        "- `done-date-is-source-date`: a `done` milestone marked `official` or `reported` whose `done_date` is one of "
        "the dates in its `source`. When the source reports the event on the day it happened, say so in `source` "
        "with the words \"same day\" (\"dawn 2023-07-15 (reported the same day)\"); when only the report's date is "
        "known, mark the date `estimated` and write \"reported <date>\" in the title.",
        f"- `point-outside-province`: the point is measured (geodesic, WGS 84) to the nearest edge of its "
        f"province's polygon in `data/basemap/pakistan_admin1.geojson`, and a warning is given only beyond what its "
        f"`location_precision` allows: {tolerances}. The basemap holds province polygons only: there are no district "
        f"polygons, so `district` is not checked.",
    ]


def main(argv: list[str] | None = None) -> int:
    """Write the dictionary (or with ``--check``, exit 1 when the committed file is stale)."""
    parser = argparse.ArgumentParser(prog="python -m sez_metrics.core.dictionary", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 when the file is out of date")
    args = parser.parse_args(argv)
    text = render()
    current = DICTIONARY_PATH.read_text(encoding="utf-8") if DICTIONARY_PATH.is_file() else None
    if args.check:
        if current != text:
            print(f"{DICTIONARY_PATH} is out of date: run python -m sez_metrics.core.dictionary", file=sys.stderr)
            return 1
        print(f"{DICTIONARY_PATH} is up to date")
        return 0
    if current == text:
        print(f"{DICTIONARY_PATH} unchanged")
        return 0
    DICTIONARY_PATH.parent.mkdir(parents=True, exist_ok=True)
    DICTIONARY_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {DICTIONARY_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
