"""Overview (`/`): headline figures and their change, zones by stage, priority zones, what changed, what is late."""

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from sez_metrics.app import cached, context, presenter, widgets
from sez_metrics.core import metrics, milestone_tables, vocabulary
from sez_metrics.core.dataset import VersionInfo
from sez_metrics.core.text import md_escape

SUMMARY_LINES = 6
TILES_PER_ROW = 4
CARDS_PER_ROW = 4
# At most this many zone cards: beyond, the page would be a wall of cards (5,000 zones: ~250 priority zones).
MAX_CARDS = 24
# The overdue table lists at most this many items (most days late first): a wrapped table puts every
# cell in the page, and the Timeline page lists every item.
OVERDUE_ROWS = 100
# The zone grid shows this many rows without scrolling.
GRID_ROWS = 12
GRID_ROW_PX = 36
# A stage bar's tooltip names at most this many zones, then "and N more".
HOVER_ZONES = 12
# Up to this many zones on the longest bar the axis ticks every zone (1, 2, 3 …); beyond, Plotly picks
# round steps. A tick per zone at 5,000 zones is 5,000 tick labels, which Plotly measures one by one
# and which took chromium over a minute to lay out.
UNIT_TICKS_UP_TO = 12


def hover_zone_list(zones: Sequence[str]) -> str:
    """The zones of one stage for its tooltip: all of a few, the first ``HOVER_ZONES`` of many."""
    if not zones:
        return "none"
    shown = ", ".join(zones[:HOVER_ZONES])
    return shown if len(zones) <= HOVER_ZONES else f"{shown} and {len(zones) - HOVER_ZONES:,} more"


def stage_figure(counts: list[metrics.StageCount]) -> go.Figure:
    """Horizontal bars of zones per stage: least advanced at the top, labels with symbols, counts on the bars."""
    labels = [c.display for c in counts]
    values = [c.count for c in counts]
    zones = [hover_zone_list(c.zones) for c in counts]
    longest = max([*values, 1])
    figure = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            text=values,
            textposition="outside",
            cliponaxis=False,
            textfont={"size": 17},
            marker_color="#0072B2",
            customdata=zones,
            hovertemplate="%{y}: %{x} zone(s)<br>%{customdata}<extra></extra>",
        )
    )
    figure.update_layout(
        height=320,
        margin={"l": 10, "r": 30, "t": 10, "b": 10},
        font={"size": 16},
        showlegend=False,
        # Stage order top to bottom, as a reader follows a zone's progress down the list.
        yaxis={"categoryorder": "array", "categoryarray": labels, "autorange": "reversed", "title": None,
               "tickfont": {"size": 16}},
        xaxis={"title": "Zones", "range": [0, longest * 1.15], "tickformat": ",d",
               **({"dtick": 1} if longest <= UNIT_TICKS_UP_TO else {})},
    )
    return figure


def stage_alt(counts: list[metrics.StageCount]) -> str:
    """The chart in words (its screen-reader name): every stage with its count."""
    listed = "; ".join(f"{c.label}: {c.count:,}" for c in counts)
    return f"Bar chart of zones by stage. {listed}. The zones of each stage are in the table below the chart."


def stage_table(counts: list[metrics.StageCount]) -> pd.DataFrame:
    """The chart as a table: stage, count and the zones at that stage."""
    return pd.DataFrame(
        {"Stage": [c.display for c in counts], "Zones": [c.count for c in counts], "Which": [hover_zone_list(c.zones) for c in counts]}
    )


def kpi_tiles(tiles: list[metrics.KpiTile], since: str) -> None:
    for start in range(0, len(tiles), TILES_PER_ROW):
        row = tiles[start : start + TILES_PER_ROW]
        for column, tile in zip(st.columns(TILES_PER_ROW), row, strict=False):
            with column, st.container(border=True, height="stretch"):
                moved = tile.direction in ("up", "down")
                st.metric(
                    tile.label,
                    tile.value,
                    delta=tile.delta,
                    delta_color="normal" if moved else "off",
                    delta_arrow="auto" if moved else "off",
                    delta_description=since,
                    help=tile.help,
                )
                if tile.note:
                    st.caption(md_escape(tile.note))
                widgets.flagged_badge(tile.flagged, tile.basis)


def zone_card(card: metrics.ZoneCard, version: str | None) -> None:
    with st.container(border=True):
        st.markdown(f"#### {md_escape(card.short_name)}")
        st.caption(md_escape(f"{card.name} · {card.province}"))
        st.markdown(f"**Stage:** {md_escape(widgets.stage_label(card.stage))}")
        for icon, name, code, capacity in (
            ("🔥", "Gas", card.gas, card.gas_capacity),
            ("⚡", "Electricity", card.electricity, card.power_capacity),
        ):
            line = f"{icon} **{name}:** {md_escape(widgets.utility_label(code))}"
            if capacity:
                line += f" · {md_escape(capacity)}"
            st.markdown(line)
        if card.colonization_pct is None:  # not applicable or not reported: words, never an empty bar read as 0
            st.markdown(f"**Colonization:** {md_escape(card.colonization_text)}")
        else:
            st.progress(min(max(card.colonization_pct / 100, 0.0), 1.0), text=f"Colonization {md_escape(card.colonization_text)}")
        st.markdown(f"{widgets.confidence_badge(card.confidence)} as of {md_escape(card.as_of)}")
        if card.stale:
            st.markdown(f":orange-badge[🕰 {md_escape(card.stale)}]")
        st.caption(f"Source: {md_escape(metrics.source_brief(card.source))}")
        widgets.zone_link(card.zone_id, "Zone profile", version)


def change_summary(ctx: context.PageContext, previous_info: VersionInfo | None) -> None:
    """The most important changes since the previous version, with a link to all of them."""
    if previous_info is None:
        st.info("This is the first version: there is nothing earlier to compare with.", icon="ℹ️")
        return
    st.caption(f"Since {md_escape(previous_info.label)} \\({md_escape(previous_info.id)}, as of {md_escape(previous_info.as_of)}\\)")
    diff = cached.version_diff(previous_info, ctx.info)
    if diff is None:
        st.warning("The previous version fails verification, so no change summary can be shown.", icon="⚠️")
        return
    if not diff.summary:
        st.info("Nothing changed between these versions.", icon="ℹ️")
        return
    top = diff.summary[:SUMMARY_LINES]
    st.markdown("\n".join(f"- **{md_escape(item.zone_name)}:** {md_escape(item.detail)}" for item in top))
    st.page_link(
        "pages/changes.py",
        label=f"All {len(diff.summary):,} changes" if len(diff.summary) > len(top) else "Details of these changes",
        icon="🔁",
        query_params={"compare": previous_info.id} | ({"version": ctx.pinned_version} if ctx.pinned_version else {}),
    )


# Presenter mode (`/?present=1`) takes over the whole screen: see sez_metrics.app.presenter.
if presenter.presenter_requested():
    presenter.render_presenter()
    st.stop()

ctx = context.page_context("Overview", "📊")
with st.sidebar:  # presenter mode and the briefing pack of the version shown
    presenter.presenter_button(ctx)
    presenter.briefing_download_buttons(ctx)
dataset = ctx.dataset
previous_info = ctx.previous_of(ctx.info.id)
previous = cached.load_exact(previous_info.id) if previous_info else None
now = cached.derived(metrics.kpis, dataset)
before = cached.derived(metrics.kpis, previous) if previous is not None else None

# --- headline figures ---
kpi_tiles(metrics.kpi_tiles(now, before), since=f"since {previous_info.id}" if before else "no earlier version")
footnote = cached.derived(metrics.flagged_footnote, dataset)
if footnote:
    st.caption(f"⚠ {md_escape(footnote)}: they are marked wherever they appear and are not official figures.")
stale = cached.derived(metrics.stale_footnote, dataset)
if stale:
    st.caption(f"🕰 {md_escape(stale)}. Their figures say so wherever they appear.")

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("Zones by stage")
    counts = cached.derived(metrics.stage_counts, dataset)
    st.plotly_chart(stage_figure(counts), width="stretch", config={"displaylogo": False}, alt=stage_alt(counts))
    with st.expander("📋 Zones by stage as a table"):
        st.dataframe(stage_table(counts), hide_index=True, width="stretch")
with right:
    st.subheader("What changed")
    change_summary(ctx, previous_info)

# --- which zones: every zone at a glance ---
grid = cached.derived(metrics.zone_grid, dataset)
st.subheader(f"Every zone at a glance ({len(grid):,})")
st.caption("Which zones stand where, most advanced first: stage ①–⑥, gas and power ✗ not started · ◔ approved · "
           "◑ under construction · ◕ interim supply · ✓ connected; colonization as a share of land or plots "
           "(not applicable before land is acquired). 🕰 marks figures older than this round.")
# A grid widget: zone names are data and are never read as markdown.
# Every row in view up to GRID_ROWS zones (the header one row more, and the border); beyond, the grid scrolls.
st.dataframe(grid, hide_index=True, width="stretch", row_height=GRID_ROW_PX,
             height=GRID_ROW_PX * (min(len(grid), GRID_ROWS) + 1) + 6, key="zone_grid")

# --- priority zones ---
cards = cached.derived(metrics.zone_cards, dataset)  # priority zones
st.subheader(f"Priority zones ({len(cards)})")
if not cards:
    st.info("No zone is marked as a priority zone in this version.", icon="ℹ️")
if len(cards) > MAX_CARDS:  # hundreds of cards take a browser tens of seconds to draw and nobody reads them
    st.caption(f"Showing {MAX_CARDS} of {len(cards):,} priority zones; the Map page's zone table lists every zone.")
shown_cards = cards[:MAX_CARDS]
for start in range(0, len(shown_cards), CARDS_PER_ROW):
    for column, card in zip(st.columns(CARDS_PER_ROW), shown_cards[start : start + CARDS_PER_ROW], strict=False):
        with column:
            zone_card(card, ctx.pinned_version)

# --- overdue milestones ---
reference = ctx.reference
overdue = cached.shared(milestone_tables.overdue_milestones, dataset, args=(reference.iso,))
st.subheader(f"Overdue milestones ({len(overdue)})")
if overdue.empty:
    st.success(f"No milestone is overdue at {md_escape(reference.name)}.", icon="✅")
else:
    st.caption(f"Due before {md_escape(reference.name)} and neither done nor cancelled; most days late first, "
               f"{md_escape(reference.phrase())} (choose the date in the sidebar).")
    listed = overdue.head(OVERDUE_ROWS)
    if len(overdue) > OVERDUE_ROWS:
        st.caption(f"Showing the {OVERDUE_ROWS} most days late of {len(overdue):,}; the Timeline page lists every item.")
    # A wrapped table: milestone titles are what people read, and a grid cut most of them.
    widgets.wrapped_table(
        pd.DataFrame(
            {
                "Milestone": listed["title"],
                "Zone": listed["zone"],
                "Due": listed["due_date"].dt.date,
                "Days late": listed["days_late"],
                "Status": listed["status"].map(widgets.milestone_status_label),
                "Confidence": listed["confidence"].map(widgets.confidence_label),
            }
        ),
        key="overdue",
        formats={"Days late": lambda days: vocabulary.lateness_text(int(days))},
    )
