"""The zone map as a pydeck ``Deck``: the basemap, precision rings, zones, the selection and zone labels.

Offline by default. pydeck's default ``Deck`` (and ``map_style=None`` in Streamlit) fetches a
Carto style from the internet; ``map_provider=None`` without a ``map_style`` argument fetches
nothing — pydeck then writes the sentinel ``"mapStyle": "__MAP_STYLE__"``, which Streamlit drops
instead of substituting Carto. Online tiles are an opt-in (``mapbasemap``).

The parts, each in its own module: the province image and names (``mapbasemap``), the markers'
colour, size, precision rings and legend (``mapmarkers``), the zone records with their words for
the tooltip and the table (``mappoints``), and the projection and initial view (``mapview``).
This module places the zone labels and assembles the layers. A dense map (more zones than
``mapmarkers.MAX_LABELLED_ZONES``) labels only the largest zones and has a compact tooltip.
Labels are placed by ``maplabels`` (shared with the pack's static map) in the initial view, at
the map's size on a 1440 × 900 screen. Every layer has an ``id`` (Streamlit's selection needs
it). Tooltips are text templates, never HTML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from sez_metrics.render import maplabels
from sez_metrics.render.mapbasemap import basemap_bounds, basemap_layers
from sez_metrics.render.mapmarkers import MAX_LABELLED_ZONES, OUTLINE, RING_LINE_PX, is_dense
from sez_metrics.render.mappoints import tooltip_text
from sez_metrics.render.mapview import (
    LABEL_FONT,
    PIXELS,
    VIEW_HEIGHT_PX,
    VIEW_WIDTH_PX,
    fit_view,
    view_origin,
    world_xy,
)

LAYER_RINGS = "zone-rings"
LAYER_ZONES = "zones"
LAYER_SELECTED = "zone-selected"
LAYER_ZONE_LABELS = "zone-labels"

LABEL_SIZE_PX = 15
LABEL_STYLE = maplabels.LabelStyle(LABEL_SIZE_PX, bold=True, pad_x=3, pad_y=1)  # the TextLayer's weight and background padding


def label_order(points: list[dict], selected_zone: str | None = None) -> list[int]:
    """Which labels are placed first: the selected zone, then the largest markers (ties: data order)."""
    return sorted(range(len(points)), key=lambda i: (points[i]["zone_id"] != selected_zone, -points[i]["outer_radius_px"], i))


def place_labels(points: list[dict], view: pdk.ViewState, *, labelled: set[str] | None = None, selected_zone: str | None = None,
                 width_px: float = VIEW_WIDTH_PX, height_px: float = VIEW_HEIGHT_PX) -> list[dict]:
    """The records of the zones whose label fits, each with its spot (``label_offset`` in pixels,
    ``label_anchor``, ``label_baseline``) and ``label_box`` (view pixels), by ``maplabels``.

    Every marker is an obstacle; only the zones in ``labelled`` (all when None) carry a label.
    Offsets are in pixels, so a placement that fits the initial view only gets roomier when
    zooming in.
    """
    left, top, scale = view_origin(view, width_px, height_px)
    order = label_order(points, selected_zone)
    markers = []
    for i in order:
        p = points[i]
        x, y = (c * scale for c in world_xy(p["lon"], p["lat"]))
        text = p["label"] if labelled is None or p["zone_id"] in labelled else None
        markers.append(maplabels.Marker(x - left, y - top, p["outer_radius_px"], text))
    spots = maplabels.place_labels(markers, width_px, height_px, LABEL_STYLE)
    placed = {i: spot for i, spot in zip(order, spots, strict=True) if spot is not None}
    return [
        {**p, "label_offset": [placed[i].dx, placed[i].dy], "label_anchor": placed[i].anchor,
         "label_baseline": placed[i].baseline, "label_box": placed[i].box}
        for i, p in enumerate(points) if i in placed
    ]


def label_boxes(labelled: list[dict], view: pdk.ViewState, *, width_px: float = VIEW_WIDTH_PX,
                height_px: float = VIEW_HEIGHT_PX) -> list[maplabels.Box]:
    """The markers' and placed labels' boxes in world pixels at the view's zoom (for the province names to avoid)."""
    left, top, scale = view_origin(view, width_px, height_px)
    boxes = []
    for p in labelled:
        x, y = (c * scale for c in world_xy(p["lon"], p["lat"]))
        r = p["outer_radius_px"]
        boxes.append((x - r, y - r, x + r, y + r))
        b = p["label_box"]
        boxes.append((b[0] + left, b[1] + top, b[2] + left, b[3] + top))
    return boxes


# What the clickable zone layer carries per zone: its id (a click selects it), position and drawing,
# and the tooltip's words. The browser parses this JSON for every zone, so nothing more.
ZONE_DRAWING_FIELDS = ("zone_id", "lon", "lat", "radius_px", "line_width_px", "fill_color", "line_color")
ZONE_LAYER_FIELDS = (*ZONE_DRAWING_FIELDS, "precision", *re.findall(r"\{(\w+)\}", tooltip_text()["text"]))
ZONE_LAYER_FIELDS_COMPACT = (*ZONE_DRAWING_FIELDS, *re.findall(r"\{(\w+)\}", tooltip_text(compact=True)["text"]))
# What a label carries: where and what it says (and its zone, to find it).
LABEL_FIELDS = ("zone_id", "lon", "lat", "label", "label_offset", "label_anchor", "label_baseline")


def build_deck(points: list[dict], *, basemap: Mapping | None, selected_zone: str | None = None, online: bool = False,
               view: pdk.ViewState | None = None) -> pdk.Deck:
    """The map: province basemap, province names, precision rings, zones, selection ring, zone labels.

    ``points`` come from ``zone_points``. Offline (``online=False``) the deck names no map
    provider and no style, so nothing is fetched.
    """
    # The national view fits the zones and the whole country outline: a border cut at the canvas
    # edge reads as missing territory.
    view = view or fit_view([p["lat"] for p in points], [p["lon"] for p in points], bounds=basemap_bounds(basemap))
    compact = is_dense(len(points))
    fields = ZONE_LAYER_FIELDS_COMPACT if compact else ZONE_LAYER_FIELDS
    chosen_labels = None
    if len(points) > MAX_LABELLED_ZONES:
        largest = [points[i]["zone_id"] for i in label_order(points)[:MAX_LABELLED_ZONES]]
        chosen_labels = {*largest, selected_zone}
    labelled = place_labels(points, view, labelled=chosen_labels, selected_zone=selected_zone)
    layers = []
    if basemap is not None:
        layers += basemap_layers(basemap, view.zoom, label_boxes(labelled, view), online=online)
    if not compact:
        layers.append(pdk.Layer(
            # one record per ring, only what it draws: the deck's JSON carries every record of every layer
            "ScatterplotLayer", id=LAYER_RINGS,
            data=[{"lon": p["lon"], "lat": p["lat"], "r": r} for p in points for r in p["rings_px"]],
            get_position="[lon, lat]", get_radius="r",
            radius_units=PIXELS, filled=False, stroked=True, get_line_color=OUTLINE, line_width_units=PIXELS,
            get_line_width=RING_LINE_PX, pickable=False,
        ))
    layers.append(pdk.Layer(
        "ScatterplotLayer", id=LAYER_ZONES, data=[{k: p[k] for k in fields} for p in points],
        get_position="[lon, lat]", get_radius="radius_px",
        radius_units=PIXELS, filled=True, stroked=True, get_fill_color="fill_color", get_line_color="line_color",
        line_width_units=PIXELS, get_line_width="line_width_px", pickable=True, auto_highlight=True,
        highlight_color=[0, 0, 0, 40],
    ))
    chosen = [p for p in points if p["zone_id"] == selected_zone]
    if chosen:
        layers.append(
            pdk.Layer(
                "ScatterplotLayer", id=LAYER_SELECTED, data=[{k: p[k] for k in ("zone_id", "lon", "lat", "outer_radius_px")} for p in chosen],
                get_position="[lon, lat]",
                get_radius="outer_radius_px + 6", radius_units=PIXELS, filled=False, stroked=True,
                get_line_color=[0, 0, 0, 255], line_width_units=PIXELS, get_line_width=3, pickable=False,
            )
        )
    layers.append(
        pdk.Layer(
            "TextLayer", id=LAYER_ZONE_LABELS, data=[{k: p[k] for k in LABEL_FIELDS} for p in labelled],
            get_position="[lon, lat]", get_text="label",
            get_size=LABEL_SIZE_PX, size_units=PIXELS, get_color=[17, 24, 39, 255], get_pixel_offset="label_offset",
            get_text_anchor="label_anchor", get_alignment_baseline="label_baseline",
            font_family=LABEL_FONT, font_weight=600, character_set='"auto"',
            background=True, get_background_color=[255, 255, 255, 215], background_padding=[3, 1, 3, 1], pickable=False,
        )
    )
    if online:
        return pdk.Deck(layers=layers, initial_view_state=view, tooltip=tooltip_text(compact), map_provider="carto", map_style="light")
    # No map_style argument on purpose: see the module docstring.
    return pdk.Deck(layers=layers, initial_view_state=view, tooltip=tooltip_text(compact), map_provider=None)


class SerializedDeck(pdk.Deck):
    """A deck whose JSON is written once.

    ``st.pydeck_chart`` calls ``to_json()`` on every script run; pydeck's own writes indented JSON
    through Python's pure-Python encoder (1.4 s for 5,000 zones). This one is written compactly by
    the C encoder, once, and can be cached with the version it shows.
    """

    def __init__(self, deck: pdk.Deck):
        super().__init__(layers=[], map_provider=None, tooltip=deck._tooltip)  # the tooltip travels beside the JSON
        # ensure_ascii=False: the symbols (①, ◔, …) as UTF-8, not six-byte escapes
        self.json = json.dumps(deck, sort_keys=True, default=default_serialize, separators=(",", ":"), ensure_ascii=False)

    def to_json(self) -> str:
        return self.json

