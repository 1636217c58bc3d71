"""Overview (`/`): headline figures and their change, zones by stage, priority zones, what changed, what is late."""

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from sez_metrics.app import cached, context, presenter, widgets
from sez_metrics.core import i18n, metrics, milestone_tables, vocabulary
from sez_metrics.core.dataset import VersionInfo
from sez_metrics.core.i18n import N_, _
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
        return _("none")
    shown = ", ".join(zones[:HOVER_ZONES])
    return shown if len(zones) <= HOVER_ZONES else _("{zones} and {n} more").format(zones=shown, n=i18n.number(len(zones) - HOVER_ZONES, 0))


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
            hovertemplate=_("{stage}: {count} zone(s)").format(stage="%{y}", count="%{x}") + "<br>%{customdata}<extra></extra>",
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
        xaxis={"title": _("Zones"), "range": [0, longest * 1.15], "tickformat": ",d",
               **({"dtick": 1} if longest <= UNIT_TICKS_UP_TO else {})},
    )
    return figure


def stage_alt(counts: list[metrics.StageCount]) -> str:
    """The chart in words (its screen-reader name): every stage with its count."""
    listed = "; ".join(f"{c.label}: {i18n.number(c.count, 0)}" for c in counts)
    return _("Bar chart of zones by stage. {stages}. The zones of each stage are in the table below the chart.").format(stages=listed)


def stage_table(counts: list[metrics.StageCount]) -> pd.DataFrame:
    """The chart as a table: stage, count and the zones at that stage (English column names: shown translated)."""
    return pd.DataFrame(
        {N_("Stage"): [c.display for c in counts], N_("Zones"): [c.count for c in counts],
         N_("Which"): [hover_zone_list(c.zones) for c in counts]}
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
        st.markdown(f"**{_('Stage')}:** {md_escape(widgets.stage_label(card.stage))}")
        for icon, name, code, capacity in (
            ("🔥", _("Gas"), card.gas, card.gas_capacity),
            ("⚡", _("Electricity"), card.electricity, card.power_capacity),
        ):
            line = f"{icon} **{name}:** {md_escape(widgets.utility_label(code))}"
            if capacity:
                line += f" · {md_escape(capacity)}"
            st.markdown(line)
        if card.colonization_pct is None:  # not applicable or not reported: words, never an empty bar read as 0
            st.markdown(f"**{_('Colonization')}:** {md_escape(card.colonization_text)}")
        else:
            st.progress(min(max(card.colonization_pct / 100, 0.0), 1.0),
                        text=_("Colonization {value}").format(value=md_escape(card.colonization_text)))
        st.markdown(_("{confidence} as of {date}").format(confidence=widgets.confidence_badge(card.confidence), date=md_escape(card.as_of)))
        if card.stale:
            st.markdown(f":orange-badge[🕰 {md_escape(card.stale)}]")
        st.caption(_("Source: {source}").format(source=md_escape(metrics.source_brief(card.source))))
        widgets.zone_link(card.zone_id, _("Zone profile"), version)


def change_summary(ctx: context.PageContext, previous_info: VersionInfo | None) -> None:
    """The most important changes since the previous version, with a link to all of them."""
    if previous_info is None:
        st.info(_("This is the first version: there is nothing earlier to compare with."), icon="ℹ️")
        return
    st.caption(_("Since {label} \\({id}, as of {as_of}\\)").format(
        label=md_escape(previous_info.label), id=md_escape(previous_info.id), as_of=md_escape(previous_info.as_of)))
    diff = cached.version_diff(previous_info, ctx.info)
    if diff is None:
        st.warning(_("The previous version fails verification, so no change summary can be shown."), icon="⚠️")
        return
    if not diff.summary:
        st.info(_("Nothing changed between these versions."), icon="ℹ️")
        return
    top = diff.summary[:SUMMARY_LINES]
    st.markdown("\n".join(f"- **{md_escape(item.zone_label())}:** {md_escape(item.in_language())}" for item in top))
    st.page_link(
        "pages/changes.py",
        label=_("All {n} changes").format(n=i18n.number(len(diff.summary), 0)) if len(diff.summary) > len(top)
        else _("Details of these changes"),
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
kpi_tiles(metrics.kpi_tiles(now, before),
          since=_("since {version}").format(version=previous_info.id) if before else _("no earlier version"))
footnote = cached.derived(metrics.flagged_footnote, dataset)
if footnote:
    st.caption(_("⚠ {footnote}: they are marked wherever they appear and are not official figures.").format(footnote=md_escape(footnote)))
stale = cached.derived(metrics.stale_footnote, dataset)
if stale:
    st.caption(_("🕰 {footnote}. Their figures say so wherever they appear.").format(footnote=md_escape(stale)))

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader(_("Zones by stage"))
    counts = cached.derived(metrics.stage_counts, dataset)
    st.plotly_chart(stage_figure(counts), width="stretch", config={"displaylogo": False}, alt=stage_alt(counts))
    with st.expander(_("📋 Zones by stage as a table")):
        st.dataframe(widgets.shown_columns(stage_table(counts)), hide_index=True, width="stretch")
with right:
    st.subheader(_("What changed"))
    change_summary(ctx, previous_info)

# --- which zones: every zone at a glance ---
grid = cached.derived(metrics.zone_grid, dataset)
st.subheader(_("Every zone at a glance ({n})").format(n=i18n.number(len(grid), 0)))
st.caption(_("Which zones stand where, most advanced first: stage ①–⑥, gas and power ✗ not started · ◔ approved · "
             "◑ under construction · ◕ interim supply · ✓ connected; colonization as a share of land or plots "
             "(not applicable before land is acquired). 🕰 marks figures older than this round."))
# A grid widget: zone names are data and are never read as markdown.
# Every row in view up to GRID_ROWS zones (the header one row more, and the border); beyond, the grid scrolls.
st.dataframe(widgets.shown_columns(grid), hide_index=True, width="stretch", row_height=GRID_ROW_PX,
             height=GRID_ROW_PX * (min(len(grid), GRID_ROWS) + 1) + 6, key="zone_grid")

# --- priority zones ---
cards = cached.derived(metrics.zone_cards, dataset)  # priority zones
st.subheader(_("Priority zones ({n})").format(n=len(cards)))
if not cards:
    st.info(_("No zone is marked as a priority zone in this version."), icon="ℹ️")
if len(cards) > MAX_CARDS:  # hundreds of cards take a browser tens of seconds to draw and nobody reads them
    st.caption(_("Showing {shown} of {n} priority zones; the Map page's zone table lists every zone.").format(
        shown=MAX_CARDS, n=i18n.number(len(cards), 0)))
shown_cards = cards[:MAX_CARDS]
for start in range(0, len(shown_cards), CARDS_PER_ROW):
    for column, card in zip(st.columns(CARDS_PER_ROW), shown_cards[start : start + CARDS_PER_ROW], strict=False):
        with column:
            zone_card(card, ctx.pinned_version)

# --- overdue milestones ---
reference = ctx.reference
overdue = cached.shared(milestone_tables.overdue_milestones, dataset, args=(reference.iso,))
st.subheader(_("Overdue milestones ({n})").format(n=len(overdue)))
if overdue.empty:
    st.success(_("No milestone is overdue at {reference}.").format(reference=md_escape(reference.name)), icon="✅")
else:
    st.caption(_("Due before {reference} and neither done nor cancelled; most days late first, "
                 "{days_late_at} (choose the date in the sidebar).").format(
        reference=md_escape(reference.name), days_late_at=md_escape(reference.phrase())))
    listed = overdue.head(OVERDUE_ROWS)
    if len(overdue) > OVERDUE_ROWS:
        st.caption(_("Showing the {shown} most days late of {n}; the Timeline page lists every item.").format(
            shown=OVERDUE_ROWS, n=i18n.number(len(overdue), 0)))
    # A wrapped table: milestone titles are what people read, and a grid cut most of them.
    widgets.wrapped_table(
        pd.DataFrame(
            {  # English column names, shown in the reader's language
                N_("Milestone"): listed["title"],
                N_("Zone"): listed["zone"],
                N_("Due"): listed["due_date"].dt.date,
                N_("Days late"): listed["days_late"],
                N_("Status"): listed["status"].map(widgets.milestone_status_label),
                N_("Confidence"): listed["confidence"].map(widgets.confidence_label),
            }
        ),
        key="overdue",
        formats={"Days late": lambda days: vocabulary.lateness_text(int(days))},
    )
