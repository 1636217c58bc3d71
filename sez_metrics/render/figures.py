"""Plotly figures of the dashboard: a zone's history and the milestone timelines.

Pure: every function takes frames and dates and returns a ``go.Figure``; nothing is fetched
(no web fonts, no MathJax, no map tiles). Text that comes from the CSVs is HTML-escaped before
it reaches Plotly, whose labels understand a little HTML (``<b>``, ``<a href>``…).

Every milestone, phase or event of a timeline has exactly one *state marker* (traces whose
``meta["role"] == "milestone"``), placed at the done date when done, else at the committed date;
tests and the page count items with it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from sez_metrics.core import i18n, palette, schema, vocabulary
from sez_metrics.core.i18n import N_, _
from sez_metrics.core.timeline import SLIP_STATES, confidence_text
from sez_metrics.render import maplabels
from sez_metrics.render.timeline_lanes import (  # noqa: F401  (the lanes' layout, long part of this module: kept importable from it)
    LANE_HEIGHT,
    LANE_PX,
    PLOT_WIDTH_PX,
    PROGRAMME_ROW,
    lane_layout,
    programme_rows,
    row_px,
    span_of,
)

FONT_SIZE = 15  # readable on a projector
LEGEND_PX = 60  # room under the x axis for a two-line horizontal legend
MARKER_SYMBOLS = {
    "overdue": "triangle-up",
    "expected_late": "triangle-up-open",
    "done_late": "square",
    "in_progress": "circle-open-dot",
    "planned": "circle-open",
    "done_on_time": "circle",
    "cancelled": "x",
}
PHASE_FILL = "#CFE3F1"
ROLE_MILESTONE = "milestone"


def plain(value: object) -> str:
    """``value`` as text Plotly shows literally (HTML-escaped; empty for missing values)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=False)


def _day(value: object) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _base_layout(fig: go.Figure, *, height: int, title: str = "") -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        height=height,
        title={"text": plain(title), "x": 0, "xanchor": "left"} if title else None,
        font={"size": FONT_SIZE},
        margin={"l": 10, "r": 20, "t": 60 if title else 30, "b": 40 + LEGEND_PX},
        hoverlabel={"font_size": FONT_SIZE - 1, "align": "left"},
        # Anchored to the figure's bottom edge (not the plot's), so the gap stays the same at any height.
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "xanchor": "left", "x": 0},
    )
    return fig


LABEL_STEP_PX = 20  # vertical spacing of stacked date-line labels above the plot


@dataclass
class Overlay:
    """Shapes and annotations gathered first and set on the figure once: adding them one by one
    costs Plotly time quadratic in their number (a programme timeline has dozens)."""

    shapes: list[dict] = field(default_factory=list)
    annotations: list[dict] = field(default_factory=list)

    def date_line(self, when: pd.Timestamp, text: str, *, colour: str, dash: str, level: int = 0, width: int = 2,
                  size: int = FONT_SIZE - 2) -> None:
        """A vertical line across the plot at ``when``, its label above the plot at height ``level``.

        A shape + annotation rather than ``add_vline(annotation_text=…)``, which fails on date axes
        in some Plotly versions.
        """
        self.shapes.append({"type": "line", "x0": when, "x1": when, "yref": "paper", "y0": 0, "y1": 1,
                            "line": {"color": colour, "width": width, "dash": dash}, "layer": "below"})
        if text:
            self.annotations.append({
                "x": when, "yref": "paper", "y": 1, "yshift": 2 + LABEL_STEP_PX * level, "text": plain(text),
                "showarrow": False, "yanchor": "bottom", "font": {"color": colour, "size": size},
                "bgcolor": "rgba(255,255,255,0.85)",
            })

    def apply(self, fig: go.Figure) -> None:
        fig.update_layout(shapes=self.shapes, annotations=self.annotations)


# --- a zone's history -------------------------------------------------------------------------


def _history_custom(history: pd.DataFrame) -> list[list[str]]:
    return [
        [plain(r.version_label), plain(confidence_text(r.confidence)), plain(r.source)]
        for r in history.itertuples(index=False)
    ]


def _history_hover(first: int = 0) -> str:
    """The hover lines every history point ends with: version, confidence and source (customdata
    from index ``first``)."""
    return _("Version: {version}<br>Confidence: {confidence}<br>Source: {source}").format(
        version=f"%{{customdata[{first}]}}", confidence=f"%{{customdata[{first + 1}]}}", source=f"%{{customdata[{first + 2}]}}",
    ) + "<extra></extra>"


def colonization_history(history: pd.DataFrame) -> go.Figure:
    """Colonization (% of saleable land allotted) over the status rows' as-of dates.

    Rounds where it is not applicable (no land yet) or not reported are gaps, never points at 0."""
    values = vocabulary.colonization_series(history["stage"], history["colonization_pct"])
    fig = go.Figure(
        go.Scatter(
            x=history["as_of"].tolist(), y=[None if pd.isna(v) else float(v) for v in values], mode="lines+markers+text",
            name=_("Colonization"), line={"color": palette.BLUE, "width": 3}, marker={"size": 10},
            text=["" if pd.isna(v) else f"{v:g} %" for v in values], textposition="top center",
            customdata=_history_custom(history),
            hovertemplate=_("{date}: <b>{percent} %</b> allotted").format(date="%{x|%Y-%m-%d}", percent="%{y:.0f}") + "<br>"
            + _history_hover(),
        )
    )
    fig.update_yaxes(title=_("Colonization (%)"), range=[0, 109], ticksuffix=" %")
    fig.update_xaxes(type="date", dtick="M12", tickformat="%Y")
    return _base_layout(fig, height=340, title=_("Colonization over time"))


def _ordered_axis(fig: go.Figure, enum: schema.Enumeration, title: str) -> None:
    fig.update_yaxes(
        title=title, range=[-0.5, len(enum.codes) - 0.5], tickmode="array",
        tickvals=list(range(len(enum.codes))), ticktext=[vocabulary.coded_text(enum, c.code) for c in enum.codes],
        zeroline=False,
    )


def stage_history(history: pd.DataFrame) -> go.Figure:
    """The zone's development stage over time, as a step chart on the ordered stage axis."""
    ranks = [schema.STAGE.rank(c) for c in history["stage"]]
    custom = [[plain(schema.STAGE.label(s)), *rest] for s, rest in zip(history["stage"], _history_custom(history), strict=True)]
    fig = go.Figure(
        go.Scatter(
            x=history["as_of"].tolist(), y=ranks, mode="lines+markers", line_shape="hv", name=_("Stage"),
            line={"color": palette.BLUE, "width": 3}, marker={"size": 10},
            customdata=custom,
            hovertemplate="%{x|%Y-%m-%d}: <b>%{customdata[0]}</b><br>" + _history_hover(1),
        )
    )
    _ordered_axis(fig, schema.STAGE, "")
    fig.update_xaxes(type="date", dtick="M12", tickformat="%Y")
    return _base_layout(fig, height=340, title=_("Stage over time"))


# Gas and electricity share one axis; a small vertical offset keeps both lines visible when equal.
# Labels shown as _(label).
UTILITY_SERIES = (
    ("gas", N_("Gas"), "gas_mmcfd_available", "gas_mmcfd_required", "MMCFD", palette.ORANGE, "dash", "square", -0.08),
    ("electricity", N_("Electricity"), "power_mw_available", "power_mw_required", "MW", palette.BLUE, "solid", "circle", 0.08),
)


def utility_history(history: pd.DataFrame) -> go.Figure:
    """Gas and electricity connection stages over time (step charts on the ordered utility axis)."""
    fig = go.Figure()
    for column, label, avail, req, unit, colour, dash, symbol, offset in UTILITY_SERIES:
        custom = [
            [plain(schema.UTILITY_STAGE.label(code)), plain(vocabulary.capacity_text(a, r, unit) or _("capacity not reported")), *rest]
            for code, a, r, rest in zip(history[column], history[avail], history[req], _history_custom(history), strict=True)
        ]
        fig.add_trace(
            go.Scatter(
                x=history["as_of"].tolist(), y=[schema.UTILITY_STAGE.rank(c) + offset for c in history[column]],
                mode="lines+markers", line_shape="hv", name=_(label),
                line={"color": colour, "width": 3, "dash": dash}, marker={"size": 10, "symbol": symbol},
                customdata=custom,
                hovertemplate=f"{plain(_(label))} %{{x|%Y-%m-%d}}: <b>%{{customdata[0]}}</b> (%{{customdata[1]}})<br>" + _history_hover(2),
            )
        )
    _ordered_axis(fig, schema.UTILITY_STAGE, "")
    fig.update_xaxes(type="date", dtick="M12", tickformat="%Y")
    return _base_layout(fig, height=340, title=_("Gas and electricity over time"))


# --- milestone timelines ----------------------------------------------------------------------


def event_label(title: str) -> str:
    """A short label for a programme event: "11th JCC meeting" → "JCC-11"; long titles cut."""
    match = re.match(r"\s*(\d+)(?:st|nd|rd|th)?\b[^,;:.]{0,30}?\bJCC\b", title, flags=re.IGNORECASE)
    if match:
        return f"JCC-{match.group(1)}"
    match = re.match(r"\s*(\d+)(?:st|nd|rd|th)?\b[^,;:.]{0,30}?\bJWG\b", title, flags=re.IGNORECASE)
    if match:
        return f"JWG-{match.group(1)}"
    return title if len(title) <= 16 else title[:15].rstrip() + "…"


def _marker_date(row) -> pd.Timestamp:
    return row.done_date if row.status == "done" and not pd.isna(row.done_date) else row.due_date


def _hover_rows(items: pd.DataFrame, zone_names: dict[str, str]) -> list[list[str]]:
    out = []
    for r in items.itertuples(index=False):
        zone = zone_names.get(r.zone_id, r.zone_id) if r.zone_id else _(PROGRAMME_ROW)
        parts = [_("start {date}").format(date=_day(r.start_date))] if not pd.isna(r.start_date) else []
        parts.append(_("committed {date}").format(date=_day(r.due_date)))
        if not pd.isna(r.done_date):
            parts.append(_("done {date}").format(date=_day(r.done_date)))
        dates = " · ".join(parts)
        status = vocabulary.coded_text(schema.MILESTONE_STATUS, r.status)
        kind = f"{schema.MILESTONE_KIND.label(r.kind)} · {schema.MILESTONE_CATEGORY.label(r.category)}"
        out.append([
            plain(r.title), plain(zone), plain(kind), plain(dates), plain(status), plain(r.slip_text),
            plain(confidence_text(r.confidence)), plain(r.source),
        ])
    return out


def item_hover() -> str:
    """The hover of a timeline item (its ``_hover_rows`` customdata), in the current language."""
    return (
        "<b>%{customdata[0]}</b><br>%{customdata[1]} · %{customdata[2]}<br>%{customdata[3]}<br>"
        + _("Status: {status}").format(status="%{customdata[4]}") + "<br><b>%{customdata[5]}</b><br>"
        + _("Confidence: {confidence}<br>Source: {source}").format(confidence="%{customdata[6]}", source="%{customdata[7]}")
        + "<extra></extra>"
    )


def _add_items(fig: go.Figure, items: pd.DataFrame, y: Sequence[float], zone_names: dict[str, str], bar_width: float = 0.5) -> None:
    """Phase bars, slip connectors, committed-date markers, state markers and late labels."""
    items = items.reset_index(drop=True)
    y = list(y)
    custom = _hover_rows(items, zone_names)
    hover = item_hover()
    phases = [i for i, r in enumerate(items.itertuples(index=False)) if r.kind == "phase" and not pd.isna(r.start_date)]
    if phases:
        starts = items.loc[phases, "start_date"]
        ends = items.loc[phases, "due_date"].where(items.loc[phases, "due_date"] > starts, starts + pd.Timedelta(days=1))
        fig.add_trace(
            go.Bar(
                orientation="h", y=[y[i] for i in phases], base=starts, x=(ends - starts).dt.total_seconds() * 1000,
                width=bar_width, marker={"color": PHASE_FILL, "line": {"color": palette.BLUE, "width": 1}},
                name=_("▭ Phase (start → committed end)"), customdata=[custom[i] for i in phases],
                hovertemplate=hover, meta={"role": "phase"},
            )
        )
    # Connect the committed date to the actual date (or to today while overdue) when they differ:
    # red when late, green when early.
    joins: dict[str, tuple[list, list]] = {"slip": ([], []), "early": ([], [])}
    committed_x, committed_y, committed_custom = [], [], []
    label_x, label_y, label_text = [], [], []
    records = list(items.itertuples(index=False))
    for i, r in enumerate(records):
        if r.slip == "cancelled":
            continue
        end = r.end_date
        if r.status == "done" and not pd.isna(r.done_date) and r.done_date != r.due_date:
            xs, ys = joins["slip" if r.done_date > r.due_date else "early"]
            xs += [r.due_date, r.done_date, None]
            ys += [y[i], y[i], None]
            committed_x.append(r.due_date)
            committed_y.append(y[i])
            committed_custom.append(custom[i])
        elif r.slip == "overdue":
            joins["slip"][0].extend([r.due_date, end, None])
            joins["slip"][1].extend([y[i], y[i], None])
        if r.late:
            label_x.append(r.done_date if r.status == "done" else (end if r.slip == "overdue" else r.due_date))
            label_y.append(y[i])
            label_text.append("  " + (_("⚠ expected to slip") if r.slip == "expected_late" else _("{symbol} {days} d late").format(
                symbol=SLIP_STATES[r.slip].symbol, days=i18n.number(int(r.days_late), 0))))
    for role, name, colour in (
        ("slip", _("Slip: committed → actual / reference date"), palette.VERMILLION),
        ("early", _("Done before the committed date"), palette.BLUISH_GREEN),
    ):
        xs, ys = joins[role]
        if xs:
            fig.add_trace(
                go.Scatter(
                    x=xs, y=ys, mode="lines", name=name, line={"color": colour, "width": 2, "dash": "dot"},
                    hoverinfo="skip", meta={"role": role},
                )
            )
    if committed_x:
        fig.add_trace(
            go.Scatter(
                x=committed_x, y=committed_y, mode="markers", name=_("◇ Committed date"),
                marker={"symbol": "diamond-open", "size": 12, "color": palette.BLACK, "line": {"width": 2}},
                customdata=committed_custom, hovertemplate=_("Committed date {date}").format(date="%{x|%Y-%m-%d}") + "<br>" + hover,
                meta={"role": "committed"},
            )
        )
    for code, state in SLIP_STATES.items():
        rows = [i for i, s in enumerate(items["slip"]) if s == code]
        if not rows:
            continue
        fig.add_trace(
            go.Scatter(
                x=[_marker_date(records[i]) for i in rows], y=[y[i] for i in rows], mode="markers",
                name=f"{state.symbol} {_(state.label)}",
                marker={"symbol": MARKER_SYMBOLS[code], "size": 15, "color": state.colour, "line": {"width": 2, "color": state.colour}},
                customdata=[custom[i] for i in rows], hovertemplate=hover,
                meta={"role": ROLE_MILESTONE, "slip": code, "milestone_ids": [str(records[i].milestone_id) for i in rows]},
            )
        )
    if label_x:
        fig.add_trace(
            go.Scatter(
                x=label_x, y=label_y, mode="text", text=label_text, textposition="middle right",
                textfont={"color": palette.VERMILLION, "size": FONT_SIZE - 2}, showlegend=False, hoverinfo="skip",
                meta={"role": "late-label"},
            )
        )


def _x_range(items: pd.DataFrame, *dates: object) -> list[pd.Timestamp]:
    """Every date of ``items`` and ``dates``, with room on the right for the "N d late" labels."""
    values = pd.concat([items["start_date"], items["due_date"], items["done_date"], pd.Series(list(dates), dtype="datetime64[ns]")]).dropna()
    low, high = values.min(), values.max()
    pad = max(pd.Timedelta(days=60), (high - low) * 0.04)
    return [low - pad, high + max(pad * 2.5, (high - low) * 0.16)]


def _reference_lines(overlay: Overlay, today: pd.Timestamp, as_of: pd.Timestamp | None, level: int = 0,
                     today_chosen: bool = True) -> None:
    """The reference date's line, labelled from ``level`` up: with today chosen, the today line and,
    when it differs, the version's as-of line; pinned to the as-of date, that line alone (a "Today"
    line would suggest days late were counted to it)."""
    if not today_chosen and as_of is not None:
        overlay.date_line(pd.Timestamp(as_of), _("Data as of {date}").format(date=_day(as_of)), colour=palette.VERMILLION, dash="solid",
                          level=level)
        return
    overlay.date_line(today, _("Today {date}").format(date=_day(today)), colour=palette.VERMILLION, dash="solid", level=level)
    if as_of is not None and pd.Timestamp(as_of).normalize() != pd.Timestamp(today).normalize():
        overlay.date_line(pd.Timestamp(as_of), _("Data as of {date}").format(date=_day(as_of)), colour=palette.BLACK, dash="dash",
                          level=level + 1)


def zone_timeline(items: pd.DataFrame, *, today: pd.Timestamp, as_of: pd.Timestamp | None, zone_names: dict[str, str] | None = None,
                  today_chosen: bool = True) -> go.Figure:
    """One zone's milestones and phases, one row each (earliest at the top).

    ``items`` comes from ``timeline.assess``. Phases are bars from start to the committed end;
    committed (◇) and actual dates are both drawn and joined by a dotted line when they differ;
    overdue items are joined to the reference date. Late items carry "N d late" labels.
    ``today_chosen``: days late are counted to ``today``; otherwise to ``as_of`` (no today line).
    """
    zone_names = zone_names or {}
    order = items.assign(_first=items["start_date"].fillna(items["due_date"])).sort_values(["_first", "due_date"], kind="stable")
    order = order.drop(columns="_first").reset_index(drop=True)
    fig = go.Figure()
    if order.empty:
        return _base_layout(fig, height=200, title=_("No milestones recorded for this zone"))
    _add_items(fig, order, range(len(order)), zone_names)
    titles = [plain(t if len(t) <= 42 else t[:41] + "…") for t in order["title"]]
    fig.update_yaxes(tickmode="array", tickvals=list(range(len(order))), ticktext=titles, autorange="reversed", zeroline=False, showgrid=True)
    fig.update_xaxes(type="date", range=_x_range(order, *((today, as_of) if today_chosen or as_of is None else (as_of,))))
    overlay = Overlay()
    _reference_lines(overlay, today, as_of, today_chosen=today_chosen)
    overlay.apply(fig)
    _base_layout(fig, height=190 + 44 * len(order))
    fig.update_layout(margin={"t": 30 + 2 * LABEL_STEP_PX})
    return fig


EVENT_LEVELS = 4
TIMELINE_FRAME_PX = 200 + (EVENT_LEVELS + 2) * LABEL_STEP_PX  # a programme timeline's height besides its rows


def timeline_x_range(items: pd.DataFrame, *, today: pd.Timestamp, as_of: pd.Timestamp | None, today_chosen: bool = True) -> list[pd.Timestamp]:
    """The programme timeline's date range for ``items`` and its reference lines."""
    return _x_range(items, *((today, as_of) if today_chosen or as_of is None else (as_of,)))


def programme_events(items: pd.DataFrame) -> pd.DataFrame:
    """The programme's meetings and agreements, drawn as labelled vertical lines across the timeline."""
    return items[(items["kind"] == "meeting") & (items["zone_id"].fillna("") == "")]


def programme_timeline(items: pd.DataFrame, zones: pd.DataFrame, *, today: pd.Timestamp, as_of: pd.Timestamp | None,
                       today_chosen: bool = True, x_range: list[pd.Timestamp] | None = None,
                       events: pd.DataFrame | None = None) -> go.Figure:
    """All zones' phases and milestones, one swimlane row per zone plus a "Programme" row.

    ``items`` comes from ``timeline.assess`` (already filtered). Meetings and agreements
    (programme-level ``meeting`` items, or ``events``) are also drawn as labelled vertical lines.
    ``x_range`` (default: the items' own) lets the parts of one timeline share their dates.
    """
    items = items.reset_index(drop=True)
    zone_names = dict(zip(zones["zone_id"], (i18n.data_text(z, "short_name") for z in zones.to_dict("records")), strict=True))
    rows = programme_rows(items, zones)
    fig = go.Figure()
    if items.empty:
        return _base_layout(fig, height=220, title=_("No milestone matches the filters"))
    x_range = x_range or timeline_x_range(items, today=today, as_of=as_of, today_chosen=today_chosen)
    span_days = span_of(x_range)
    y, ticks, bands = lane_layout(items, rows, span_days)
    overlay = Overlay()
    for k, (low, high) in enumerate(bands):
        if k % 2:  # banded rows tell the zones apart when a row has several lanes
            overlay.shapes.append({"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "y0": low, "y1": high,
                                   "fillcolor": "#F3F5F8", "line": {"width": 0}, "layer": "below"})
    _add_items(fig, items, y, zone_names, bar_width=LANE_HEIGHT * 0.6)
    _event_lines(overlay, programme_events(items) if events is None else events, span_days)
    fig.update_yaxes(
        tickmode="array", tickvals=ticks, ticktext=[f"<b>{plain(label)}</b>" for _, label in rows],
        range=[bands[-1][1], bands[0][0]], zeroline=False, showgrid=False,
    )
    fig.update_xaxes(type="date", range=x_range)
    _reference_lines(overlay, today, as_of, level=EVENT_LEVELS, today_chosen=today_chosen)
    overlay.apply(fig)
    lanes_total = sum((high - low - 1.0) / LANE_HEIGHT + 1 for low, high in bands)
    _base_layout(fig, height=int(TIMELINE_FRAME_PX + LANE_PX * lanes_total + 18 * len(rows)))
    fig.update_layout(margin={"t": 30 + (EVENT_LEVELS + 2) * LABEL_STEP_PX})
    return fig


def _event_lines(overlay: Overlay, events: pd.DataFrame, span_days: float) -> None:
    """Programme events as thin vertical lines; labels on the lowest free level, dropped when none is free."""
    level_ends: list[pd.Timestamp | None] = [None] * EVENT_LEVELS
    for r in events.sort_values("due_date").itertuples(index=False):
        when, text = _marker_date(r), event_label(r.title)
        half = pd.Timedelta(days=span_days * (maplabels.text_width_px(text, FONT_SIZE - 4) / 2 + 6) / PLOT_WIDTH_PX)
        level = next((k for k, end in enumerate(level_ends) if end is None or when - half > end), None)
        if level is None:
            overlay.date_line(when, "", colour="#555555", dash="dot", width=1)
            continue
        level_ends[level] = when + half
        overlay.date_line(when, text, colour="#555555", dash="dot", level=level, width=1, size=FONT_SIZE - 4)


def milestone_marker_count(fig: go.Figure) -> int:
    """How many items the figure draws (one state marker each)."""
    return sum(len(t.x) for t in fig.data if isinstance(t.meta, dict) and t.meta.get("role") == ROLE_MILESTONE)
