"""Zone profile (`/zone?zone=ID`): one zone's figures with their sources, its history and milestones.

URL: ``?zone=ID`` (default: the first priority zone). History covers every version up to the
one shown, so a version pinned for a meeting never shows later figures, and only versions that
pass their integrity check (manifest chain, sizes and sha256 of every file).
"""

import pandas as pd
import streamlit as st

from sez_metrics.app import cached, context, widgets
from sez_metrics.core import i18n, profile, schema, timeline, vocabulary
from sez_metrics.core.dataset import Dataset
from sez_metrics.core.i18n import _
from sez_metrics.core.text import md_echo, md_escape
from sez_metrics.views import zone as zone_views
from sez_metrics.views.zone import ZoneView

ZONE_KEY = "zone_pick"
PLOTLY_CONFIG = {"displaylogo": False}
# Headline tiles per row: wide enough that "④ Under development" wraps between words.
TILES_PER_ROW = 3


def _zone_view(history_key: str, shown: tuple[str, str], zone_id: str, day: str, today_day: str, today_chosen: bool,
               _history: cached.VersionHistory, _dataset: Dataset) -> ZoneView:
    # ``history_key`` and ``shown`` (id and content hash) stand for ``_history`` and ``_dataset``.
    return zone_views.zone_view(_history.extracts, _history.damaged, _dataset, zone_id, day, today_day, today_chosen)


def zone_view(ctx: context.PageContext, zone_id: str, reference: vocabulary.Reference) -> ZoneView:
    """The zone's history over every version up to the one shown, its milestones assessed to the
    ``reference`` date, and their charts and tables (cached across sessions)."""
    history = cached.version_history(ctx.info)
    shown = (ctx.info.id, ctx.info.content_hash)
    today = pd.Timestamp.today().normalize()
    return cached.view(_zone_view, history.key, shown, zone_id, reference.iso, f"{today:%Y-%m-%d}", reference.is_today,
                       inputs=(history, ctx.dataset))


ctx = context.page_context("Zone profile", "🏭")
dataset = ctx.dataset
zones = dataset.zones
records = zones.to_dict("records")
names = dict(zip(zones["zone_id"], (i18n.data_text(z, "short_name") for z in records), strict=True))
full_names = dict(zip(zones["zone_id"], (i18n.data_text(z, "name") for z in records), strict=True))


def _zone_to_url() -> None:
    chosen = st.session_state[ZONE_KEY]
    if chosen:
        st.query_params["zone"] = chosen


requested = st.query_params.get("zone")
if requested is not None and requested not in names:
    st.error(
        _("There is no zone “{zone}” in version {label} \\({id}\\). Choose a zone below.").format(
            zone=md_echo(requested), label=md_escape(ctx.info.label), id=md_escape(ctx.info.id)),
        icon="🔎",
    )
    zone_id = None
else:
    zone_id = requested or profile.default_zone(zones)
st.session_state[ZONE_KEY] = zone_id
st.selectbox(
    _("Zone"),
    list(names),
    format_func=lambda z: f"{names[z]} — {full_names[z]}",
    key=ZONE_KEY,
    on_change=_zone_to_url,
    placeholder=_("Choose a zone"),
)
if zone_id is None:
    st.stop()
if requested is None:
    st.query_params["zone"] = zone_id  # the URL always names the zone shown

context.set_page_title(names[zone_id], _("Zone profile"))
zone, status = profile.zone_row(dataset, zone_id)
reference = ctx.reference

# --- where it stands ------------------------------------------------------------------------

zone_name, zone_short_name = i18n.data_text(zone, "name"), i18n.data_text(zone, "short_name")
st.header(md_escape(zone_name))
st.caption(md_escape(" · ".join(v for v in (zone["province"], zone["district"], zone["developer"], zone["programme"]) if v)))

view = zone_view(ctx, zone_id, reference)
history = view.history
previous = history.iloc[-2] if len(history) >= 2 else None

if status is None:
    st.warning(_("This version has no status row for this zone: only its reference data are shown."))
else:
    if status["confidence"] in schema.FLAGGED_CONFIDENCE:
        meaning = zone_views.definition(schema.CONFIDENCE, status["confidence"])
        confidence = md_escape(timeline.confidence_text(status["confidence"]))
        st.warning(
            _("These figures are **{confidence}**: {meaning}").format(confidence=confidence, meaning=md_escape(meaning)) if meaning
            else _("These figures are **{confidence}**.").format(confidence=confidence),
            icon="⚠️",
        )
    tiles = zone_views.tiles(status, previous)
    # Text tiles rather than st.metric, whose large type cuts "④ Under development" short; three to
    # a row, because five in a row left a tile too narrow and the browser broke the word itself.
    for row_start in range(0, len(tiles), TILES_PER_ROW):
        row = tiles[row_start : row_start + TILES_PER_ROW]
        for column, tile in zip(st.columns(TILES_PER_ROW)[: len(row)], row, strict=True):
            with column, st.container(border=True, height="stretch"):
                st.markdown(f"**{tile.label}**", help=tile.help)
                st.markdown(f"#### {md_escape(tile.value)}")
                if tile.detail:
                    st.caption(md_escape(tile.detail))
    # One small caption, source included: md_escape keeps a URL literal text (no link, no large type).
    st.caption(
        _("Confidence of the row: **{confidence}** (a figure with its own is marked in the table below) · figures as of "
          "{as_of} · source: {source}").format(
            confidence=md_escape(timeline.confidence_text(status["confidence"])),
            as_of=md_escape(pd.Timestamp(status["as_of"]).strftime("%Y-%m-%d")), source=md_escape(status["source"]))
    )
    stale = vocabulary.stale_text(status["as_of"], ctx.info.as_of)
    if stale:
        st.warning(_("🕰 These figures are {stale} ({as_of}).").format(stale=md_escape(stale), as_of=md_escape(ctx.info.as_of)), icon="⚠️")
    if status["note"]:
        with st.container(border=True):
            st.caption(_("📝 Steward's note"))
            if i18n.current().code != i18n.SOURCE_LANGUAGE:
                st.caption(_("Notes are shown in the language they were written in."))
            st.text(status["note"])

with st.expander(_("📋 Every figure with its confidence and source"), expanded=True):
    # A wrapped table: sources are long (URLs) and were cut in a grid.
    widgets.wrapped_table(profile.zone_figures(zone, status), key="figures")
    st.caption(_("Confidence: {levels}").format(levels=" · ".join(widgets.confidence_label(c) for c in schema.CONFIDENCE.values)))

# --- history across versions ----------------------------------------------------------------

st.subheader(_("History across versions"))
if view.damaged:
    st.warning(_("Left out of the history because they failed their integrity check: {versions}.").format(versions=", ".join(view.damaged)))
if view.unreadable:
    st.warning(_("Left out because this zone's figures or milestone dates in them cannot be read: {versions}.").format(
        versions=", ".join(view.unreadable)))
if history.empty:
    st.info(_("No version has status figures for this zone yet."))
else:
    st.caption(
        _("{n} version(s), {first} to {last}; x axis: the date the figures describe. Hover a point for its version, confidence "
          "and source.").format(n=len(history), first=md_escape(history["version_label"].iloc[0]),
                                last=md_escape(history["version_label"].iloc[-1]))
    )
    colonization, stage, utilities = view.history_figures
    versions = {"zone": zone_short_name, "n": len(history)}
    top = st.columns(2)
    top[0].plotly_chart(colonization, config=PLOTLY_CONFIG, width="stretch", alt=_(
        "Chart of the colonization of {zone} across {n} version(s); the same history is in the table below the charts.").format(**versions))
    top[1].plotly_chart(stage, config=PLOTLY_CONFIG, width="stretch", alt=_(
        "Chart of the stage of development of {zone} across {n} version(s); the same history is in the table below the charts.").format(
        **versions))
    st.plotly_chart(utilities, config=PLOTLY_CONFIG, width="stretch", alt=_(
        "Chart of the gas and electricity hookup of {zone} across {n} version(s); the same history is in the table below the "
        "charts.").format(**versions))
    # The table spans the page: in half of it, its wrapped columns would still scroll sideways.
    st.markdown(_("**The same history as a table**"))
    widgets.wrapped_table(view.history_table, key="history")

# --- milestones -----------------------------------------------------------------------------

st.subheader(_("Milestones and phases"))
items = view.items
if items.empty:
    st.info(_("No milestone is recorded for this zone in this version."))
else:
    overdue, late = zone_views.milestone_counts(items)
    st.caption(
        _("{n} item(s): {overdue} overdue, {late} late in all (overdue, done late or expected to slip). ◇ committed date, joined to "
          "the actual date (or to the reference date while open) when they differ; {days_late_at} (choose the date in the "
          "sidebar).").format(n=len(items), overdue=overdue, late=late, days_late_at=md_escape(reference.phrase()))
    )
    st.plotly_chart(view.timeline_figure, config=PLOTLY_CONFIG, width="stretch",
                    alt=_("Timeline of the {n} milestones and phases of {zone}, {late} late; every item with its dates and days late "
                          "is in the table below.").format(n=len(items), zone=zone_short_name, late=late))
    widgets.wrapped_slippage_table(view.slippage, key="slippage")
