"""Map (`/map`): every zone on an offline province basemap, coloured by a measure; click for details.

URL: ``?measure=stage|gas|electricity|colonization`` chooses the colours, ``?zone=ID`` selects a
zone (a click on the map writes it). Online map tiles only with ``SEZ_ONLINE_BASEMAP=1``.
"""

import functools
import html
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from sez_metrics.app import cached, context, widgets
from sez_metrics.core import geo, i18n
from sez_metrics.core.dataset import Dataset
from sez_metrics.core.i18n import _
from sez_metrics.core.settings import basemap_dir
from sez_metrics.core.text import md_echo, md_escape
from sez_metrics.render import export, mapbasemap, maplayers, mapmarkers, mappoints, mapview

MAP_KEY = "zone_map"
MEASURE_KEY = "map_measure"
CARD_KEY = "zone_card"  # the selected zone's card (the browser finds it by its class st-key-zone_card)
MAP_HEIGHT_PX = mapview.VIEW_HEIGHT_PX
# On a dense map (more zones than get a label) the table under the map is off until asked for, and
# then lists this many zones unless asked for all: a data grid costs a browser without a GPU
# about 0.4 s to set up, a 5,000-row one most of a second. The CSV download has every zone.
TABLE_ROWS = 200

ctx = context.page_context("Map", "🗺️")
dataset = ctx.dataset


# --- state from the URL (the URL is the source of truth; widgets write back to it) -------------


def _measure_to_url() -> None:
    st.query_params["measure"] = st.session_state[MEASURE_KEY]


def _clicked_zone(state: object) -> str | None:
    """The zone a map click selected, from the chart's selection state."""
    try:
        objects = state["selection"]["objects"].get(maplayers.LAYER_ZONES) or []
    except (KeyError, TypeError, AttributeError):
        return None
    return str(objects[0].get("zone_id")) if objects else None


def _click_to_url() -> None:
    clicked = _clicked_zone(st.session_state.get(MAP_KEY))
    if clicked:
        st.query_params["zone"] = clicked
    else:  # a click on empty map clears the selection
        st.query_params.pop("zone", None)


requested_measure = st.query_params.get("measure", mapmarkers.DEFAULT_MEASURE)
if requested_measure not in mapmarkers.MEASURES:
    st.warning(_("Unknown measure “{measure}”; showing stage. Choose one of: {measures}.").format(
        measure=md_echo(requested_measure), measures=", ".join(mapmarkers.MEASURES)))
    requested_measure = mapmarkers.DEFAULT_MEASURE
st.session_state[MEASURE_KEY] = requested_measure

zone_ids = list(dataset.zones["zone_id"])
selected = st.query_params.get("zone")
if selected and selected not in zone_ids:
    st.warning(_("There is no zone “{zone}” in this version; nothing is selected.").format(zone=md_echo(selected)))
    selected = None
if not selected:
    # A selection that reached the chart without its callback (e.g. restored state) still counts.
    selected = _clicked_zone(st.session_state.get(MAP_KEY))
    if selected in zone_ids:
        st.query_params["zone"] = selected
    else:
        selected = None

# --- the map ----------------------------------------------------------------------------------

measure_code = st.segmented_control(
    _("Colour zones by"),
    list(mapmarkers.MEASURES),
    format_func=lambda code: _(mapmarkers.MEASURES[code].label),
    key=MEASURE_KEY,
    required=True,
    on_change=_measure_to_url,
    help=_("Stage of development, gas or electricity connection, or share of the zone's land allotted (colonization)."),
)
measure = mapmarkers.MEASURES[measure_code or mapmarkers.DEFAULT_MEASURE]

basemap_file = geo.basemap_path(basemap_dir())
basemap = mapbasemap.load_basemap(basemap_file)
online = mapbasemap.online_basemap_requested()


def _zone_records(dataset: Dataset, measure_code: str) -> tuple[list[dict], pd.DataFrame]:
    # Once per version, measure and language, shared by every session (about 0.5 s at 5,000 zones).
    points = mappoints.zone_points(dataset.zones, dataset.status, mapmarkers.MEASURES[measure_code], dataset.info.as_of)
    return points, mappoints.zone_table(points, mapmarkers.MEASURES[measure_code])


points, zone_table = cached.shared(_zone_records, dataset, args=(measure.code,))
dense = mapmarkers.is_dense(len(points))  # many zones: compact markers, the table on request
deck = cached.zone_deck(dataset.info.id, dataset.info.content_hash, measure.code, selected, online, str(basemap_file),
                        mapbasemap.file_mtime_ns(basemap_file), i18n.current().code, points)



# How each legend entry's marker is drawn: the disk in the entry's colour, its edge, and the
# precision rings around it (box-shadows: a gap of page white, then a dark ring), as on the map.
_RING = "#1F2933"
_SWATCH_STYLE = {
    "disk": ("1.5px solid #1F2933", ""),
    "ring": ("1.5px solid #1F2933", f"0 0 0 2.5px #fff, 0 0 0 4.5px {_RING}"),
    "two-rings": ("1.5px solid #1F2933", f"0 0 0 2.5px #fff, 0 0 0 4.5px {_RING}, 0 0 0 6.5px #fff, 0 0 0 8.5px {_RING}"),
    "edge-dark": ("1.5px solid #1F2933", ""),
    "edge-white": (f"2px solid #fff; outline:1px solid {_RING}", ""),
    "edge-white-wide": (f"4px solid #fff; outline:1px solid {_RING}", ""),
}


def _swatch(entry: mapmarkers.LegendEntry) -> str:
    border, rings = _SWATCH_STYLE[entry.shape]
    shadow = f"; box-shadow:{rings}" if rings else ""
    return (
        '<span style="display:inline-block; box-sizing:border-box; width:16px; height:16px; border-radius:50%; '
        f'vertical-align:middle; margin:0 12px 0 5px; background:{entry.colour}; border:{border}{shadow}"></span>'
    )


def _legend_html(title: str, entries: list[mapmarkers.LegendEntry]) -> str:
    # Legend text comes from the schema, not the CSVs; escaped all the same.
    rows = "".join(
        f'<div style="margin:3px 0">{_swatch(e)}<b style="display:inline-block; min-width:1.5em">{html.escape(e.symbol)}</b>{html.escape(e.label)}</div>'
        for e in entries
    )
    return f'<div style="font-size:0.95rem"><div style="font-weight:600; margin-bottom:4px">{html.escape(title)}</div>{rows}</div>'


def _detail_card(point: dict | None) -> None:
    """The selected zone's figures in words, with the way to its profile (beside the map: one figure a line)."""
    with st.container(border=True, key=CARD_KEY):
        if point is None:
            st.caption(_("👆 Click a zone on the map (or open one from the table below) to see its figures here."))
            return
        st.markdown(f"**{md_escape(point['name'])}**")
        st.caption(md_escape(f"{point['province']} · {point['precision_text']} · {point['area_text']} · "
                             + _("confidence {confidence}").format(confidence=point["confidence_text"])))
        if point.get("stale_text"):
            st.markdown(f":orange-badge[🕰 {md_escape(point['stale_text'])}]")
        st.markdown("  \n".join(
            f"**{_(label)}:** {md_escape(point[key])}"
            for label, key in (("Stage", "stage_text"), ("Gas", "gas_text"), ("Electricity", "electricity_text"),
                               ("Colonization", "colonization_text"))
        ))
        widgets.zone_link(point["zone_id"], _("Open the profile of {zone}").format(zone=point["short_name"]), ctx.pinned_version)


# Map | the selected zone's card and the legend: on a 1440 × 900 screen the card shows beside the
# map without scrolling.
map_column, side_column = st.columns([2, 1], gap="medium")
with map_column:
    if basemap is None:
        st.warning(_("The province basemap ({file}) is missing or unreadable; zones are drawn on a blank background.").format(
            file=basemap_file))
    st.pydeck_chart(
        deck,
        on_select=_click_to_url,
        selection_mode="single-object",
        key=MAP_KEY,
        height=MAP_HEIGHT_PX,
        alt=(_("Map of {n} zones in Pakistan coloured by {measure}; the same figures are in the table below (turn it on) and its "
               "CSV download.") if dense else
             _("Map of {n} zones in Pakistan coloured by {measure}; the same figures are in the table below.")).format(
            n=i18n.number(len(points), 0), measure=_(measure.label).lower()),
    )

with side_column:
    _detail_card(next((p for p in points if p["zone_id"] == selected), None))
    with st.container(border=True):
        st.html(_legend_html(_("Colour: {measure}").format(measure=_(measure.label)), mapmarkers.measure_legend(measure)))
        st.html(_legend_html(_("Rings: how sure the location is") if not dense else _("Edge: how sure the location is"),
                             mapmarkers.precision_legend(dense)))
        st.caption(_("Marker size: zone area (√ scale). Each label carries the symbol of its colour class."))

st.caption(_(mapbasemap.ATTRIBUTION))
if online:
    st.caption(_("Online map tiles: © CARTO, © OpenStreetMap contributors (enabled by SEZ_ONLINE_BASEMAP=1)."))
else:
    st.caption(_("Offline basemap: nothing is loaded from the internet. Set SEZ_ONLINE_BASEMAP=1 to add online map tiles."))

# --- the same data as a table (accessible, sortable) ----------------------------------------


def _profile_url(zone_id: str) -> str:
    params = {"zone": zone_id}
    if ctx.pinned_version:
        params["version"] = ctx.pinned_version
    return "zone?" + urlencode(params)


def _zone_table_csv(table: pd.DataFrame) -> bytes:
    return export.spreadsheet_csv(widgets.shown_columns(table.drop(columns="zone_id")))


def _zone_table(listed: pd.DataFrame) -> None:
    table = widgets.shown_columns(listed.drop(columns="zone_id"))  # a new frame: the cached one is shared by every session
    profile = _("Profile")
    table.insert(1, profile, [_profile_url(z) for z in listed["zone_id"]])  # next to the name, visible without scrolling
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            profile: st.column_config.LinkColumn(profile, display_text=_("Open profile"), help=_("The zone's profile page")),
            _("Confidence"): st.column_config.TextColumn(_("Confidence"), help=_("How official the zone's status figures are.")),
        },
    )


zone_count = i18n.number(len(zone_table), 0)
st.subheader(_("Zones"))
if not dense:
    _zone_table(zone_table)
elif not st.toggle(_("List the {n} zones in a table").format(n=zone_count), key="map_zone_table",
                   help=_("Off by default on a map of this many zones: the table takes the browser a while to set up.")):
    st.caption(_("Turn the table on to sort and search the zones, or download them as CSV below."))
elif len(zone_table) > TABLE_ROWS and not st.toggle(
    _("Show all {n} zones").format(n=zone_count), key="map_all_zones",
    help=_("Listing every zone takes longer to load; the download below always has every zone."),
):
    st.caption(_("Showing the first {shown} of {n} zones (in the order of zones.csv). "
                 "Show all to sort and search every zone, or download them as CSV.").format(shown=i18n.number(TABLE_ROWS, 0), n=zone_count))
    _zone_table(zone_table.head(TABLE_ROWS))
else:
    st.caption(_("Listing all {n} zones.").format(n=zone_count))
    _zone_table(zone_table)
if dense:
    st.download_button(
        _("⬇️ All {n} zones as shown on the map (CSV)").format(n=zone_count),
        functools.partial(_zone_table_csv, zone_table),  # built when clicked
        file_name=f"zones_{measure.code}_{dataset.info.id}.csv",
        mime="text/csv",
        on_click="ignore",
    )
