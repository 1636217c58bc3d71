"""The zone map as a pydeck ``Deck``: an offline province basemap, zone markers and labels.

Offline by default. pydeck's default ``Deck`` (and ``map_style=None`` in Streamlit) fetches a
Carto style from the internet; ``map_provider=None`` without a ``map_style`` argument fetches
nothing — pydeck then writes the sentinel ``"mapStyle": "__MAP_STYLE__"``, which Streamlit drops
instead of substituting Carto. The basemap is drawn from ``basemap/pakistan_admin1.geojson``
(Natural Earth) into a Web-Mercator PNG once per file, and shown as a ``BitmapLayer``: polygon
and path layers cost a browser without a GPU over a second of shader setup per page load, the
bitmap a fraction of that. The image has about three pixels per screen pixel at the national
view: borders stay sharp two zoom levels in, and grow softer and wider beyond (the image is
scaled with the map). Province names stay a ``TextLayer``, crisp at any zoom. Online tiles are an
opt-in (env ``SEZ_ONLINE_BASEMAP=1``).

Zone markers (layer ``zones``, the one a click selects):
- fill = the chosen measure (Okabe–Ito for ordered categories, a single-hue ramp for
  colonization), always with the category symbol in the label, so colour is never the only cue;
- size = area (radius ∝ √area, at least ``MIN_RADIUS_PX`` so small zones stay visible);
- location precision = rings around the disk (layer ``zone-rings``), not colour: a surveyed
  ``site`` is a plain disk, an ``approximate`` point has one ring, a ``town`` point two (more
  rings, less certain). Every marker is filled whatever its precision: the largest zone shows the
  most colour.
A dense map (more zones than ``MAX_LABELLED_ZONES``) draws smaller markers without the ring
layer (precision is then the edge: dark for a site, white for an approximate point, a wider white
edge for a town), labels only the largest zones, and has a compact tooltip (zone, the colour's measure,
location; the zone's card has every figure): the browser parses and draws every marker's record.
Labels are placed by ``maplabels`` (shared with the pack's static map) in the initial view, at
the map's size on a 1440 × 900 screen. Every layer has an ``id`` (Streamlit's selection needs
it). Tooltips are text templates, never HTML.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pydeck as pdk
import shapely
from PIL import Image, ImageDraw
from pydeck.bindings.json_tools import default_serialize
from shapely.geometry import shape
from shapely.ops import polylabel

from sez_metrics.core import geo, schema, vocabulary
from sez_metrics.core.profile import (
    colonization_text,
    precision_text,
    stage_text,
    status_colonization_text,
    utility_text,
)
from sez_metrics.core.timeline import confidence_text
from sez_metrics.render import maplabels, palette

ONLINE_BASEMAP_ENV = "SEZ_ONLINE_BASEMAP"
BASEMAP_FILE = geo.BASEMAP_FILE
ATTRIBUTION = (
    "Boundaries: Natural Earth (public domain), simplified; not authoritative. "
    "Zone points may be approximate; no position is implied on disputed territory."
)

LAYER_PROVINCES = "provinces"
LAYER_PROVINCE_LABELS = "province-labels"
LAYER_RINGS = "zone-rings"
LAYER_ZONES = "zones"
LAYER_SELECTED = "zone-selected"
LAYER_ZONE_LABELS = "zone-labels"

MIN_RADIUS_PX = 8.0
MAX_RADIUS_PX = 22.0
EDGE_PX = 1.5  # the dark edge of every marker on a map with rings
PRECISION_RINGS_PX = palette.PRECISION_RINGS_PX  # rings around a marker by location precision
RING_LINE_PX = palette.PRECISION_RING_LINE_PX
# A dense map (more zones than get a label) draws smaller markers without rings: at country scale
# thousands of 8–22 px markers only cover each other, and every pixel of every marker is drawn
# again on each frame (seconds per page load where WebGL runs without a GPU). Precision is then
# the marker's edge: its colour and width.
DENSE_MIN_RADIUS_PX = 3.5
DENSE_MAX_RADIUS_PX = 11.0
DENSE_EDGE = {"site": ((31, 41, 51), 1.0), "approximate": ((255, 255, 255), 1.5), "town": ((255, 255, 255), 2.5)}
OUTLINE = [31, 41, 51]
LABEL_SIZE_PX = 15
LABEL_STYLE = maplabels.LabelStyle(LABEL_SIZE_PX, bold=True, pad_x=3, pad_y=1)  # the TextLayer's weight and background padding
# Beyond this many zones only the largest (and the selected one) carry a label: label placement is
# quadratic, and thousands of labels would cover the country anyway (5,000 zones: minutes → ms).
MAX_LABELLED_ZONES = 60
# pydeck turns every string argument of a layer into a data accessor (``"@@=…"``) unless it is
# quoted, so constant strings are written quoted.
PIXELS = '"pixels"'
LABEL_FONT = '"DejaVu Sans, Noto Sans, Arial, sans-serif"'
PROVINCE_LABEL_SIZE_PX = 13
PROVINCE_LABEL_STYLE = maplabels.LabelStyle(PROVINCE_LABEL_SIZE_PX, pad_x=0, pad_y=0)
# The map's size on a 1440 × 900 screen (the page draws it this high in the wider of two columns,
# beside the selected zone's card): the initial view fits the country in it, and every label lies
# inside it (the browser tests check the drawn map is at least this big).
VIEW_WIDTH_PX = 600
VIEW_HEIGHT_PX = 560
WORLD_PX = 512  # the width of the whole world at zoom 0 in deck.gl (its tile size)


@dataclass(frozen=True)
class Measure:
    """What the marker colour shows."""

    code: str
    label: str
    column: str
    enum: schema.Enumeration | None  # None: a quantity (colonization %)


MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure("stage", "Stage", "stage", schema.STAGE),
        Measure("gas", "Gas", "gas", schema.UTILITY_STAGE),
        Measure("electricity", "Electricity", "electricity", schema.UTILITY_STAGE),
        Measure("colonization", "Colonization", "colonization_pct", None),
    )
}
DEFAULT_MEASURE = "stage"


@dataclass(frozen=True)
class LegendEntry:
    """One line of the map legend: a marker style, a symbol and words."""

    symbol: str
    label: str
    colour: str  # hex
    shape: str  # "disk", "ring", "two-rings"; dense map: "edge-dark", "edge-white", "edge-white-wide"


def _category_colour(measure: Measure, code: str) -> str:
    colours = palette.STAGE_COLOURS if measure.enum is schema.STAGE else palette.UTILITY_COLOURS
    return colours.get(code, palette.GREY)


def measure_colour(measure: Measure, value: object) -> str:
    """Hex colour of a zone's value of ``measure`` (grey when unknown)."""
    if measure.enum is None:
        index = palette.colonization_class(None if value is None or pd.isna(value) else float(value))
        return palette.GREY if index is None else palette.COLONIZATION_RAMP[index]
    return _category_colour(measure, str(value))


def measure_legend(measure: Measure) -> list[LegendEntry]:
    """Colour classes of ``measure``, least advanced first, each with its symbol and label."""
    if measure.enum is None:
        return [
            LegendEntry(palette.COLONIZATION_SYMBOLS[i], palette.colonization_class_label(i), colour, "disk")
            for i, colour in enumerate(palette.COLONIZATION_RAMP)
        ]
    return [LegendEntry(c.symbol, c.label, _category_colour(measure, c.code), "disk") for c in measure.enum.codes]


def precision_legend(dense: bool = False) -> list[LegendEntry]:
    """How the map shows location precision (rings; on a dense map the marker's edge)."""
    symbol = schema.LOCATION_PRECISION.symbol
    if dense:
        return [
            LegendEntry(symbol("site"), "Surveyed site — dark edge", palette.GREY, "edge-dark"),
            LegendEntry(symbol("approximate"), "Approximate (a few km) — white edge", palette.GREY, "edge-white"),
            LegendEntry(symbol("town"), "Nearest town only (10–20 km) — wide white edge", palette.GREY, "edge-white-wide"),
        ]
    return [
        LegendEntry(symbol("site"), "Surveyed site — plain disk", palette.GREY, "disk"),
        LegendEntry(symbol("approximate"), "Approximate (a few km) — one ring", palette.GREY, "ring"),
        LegendEntry(symbol("town"), "Nearest town only (10–20 km) — two rings", palette.GREY, "two-rings"),
    ]


def marker_radius(area_acres: float, max_area: float, dense: bool = False) -> float:
    """Marker radius in pixels: proportional to √area, never below ``MIN_RADIUS_PX`` (the
    ``DENSE_`` sizes on a ``dense`` map)."""
    smallest, largest = (DENSE_MIN_RADIUS_PX, DENSE_MAX_RADIUS_PX) if dense else (MIN_RADIUS_PX, MAX_RADIUS_PX)
    if not max_area or pd.isna(area_acres) or area_acres <= 0:
        return smallest
    return max(smallest, largest * math.sqrt(area_acres / max_area))


def _value_text(measure: Measure, status: pd.Series | None) -> tuple[str, str]:
    """(short label suffix for the map label, words for the legend/tooltip)."""
    if status is None:
        return "?", "no status reported"
    if measure.enum is None:
        pct = vocabulary.colonization_value(status["stage"], status["colonization_pct"])
        short = f"{pct:g} %" if pct is not None else ("n/a" if not vocabulary.colonization_applies(status["stage"]) else "?")
        return short, colonization_text(status["colonization_pct"], stage=status["stage"])
    code = str(status[measure.column])
    return measure.enum.symbol(code), f"{measure.enum.symbol(code)} {measure.enum.label(code)}"


def _with_confidence(text: str, status: pd.Series, figure: str) -> str:
    """A figure's words with its own confidence: "◕ Interim supply · 5 of 40 MMCFD (◌ Estimated)"."""
    return f"{text} ({confidence_text(vocabulary.provenance(status, figure)[0])})"


def is_dense(zone_count: int) -> bool:
    """A map of more zones than get a label: smaller markers, no rings, a compact tooltip."""
    return zone_count > MAX_LABELLED_ZONES


def zone_points(zones: pd.DataFrame, status: pd.DataFrame, measure: Measure, as_of: str | None = None) -> list[dict]:
    """One record per zone for the marker, ring, label and tooltip layers (plain Python values).

    ``as_of``: the version's as-of date; figures older by more than ``settings.STALE_FIGURES_DAYS``
    carry ``stale_text`` ("as of 2025-03 — 6 months older than this round")."""
    # records, not iterrows: a Series per row cost ~1 s per 5,000 zones
    status_by_zone = {row["zone_id"]: row for row in status.to_dict("records")}
    max_area = float(zones["area_acres"].max()) if len(zones) else 0.0
    dense = is_dense(len(zones))
    records = []
    for z in zones.to_dict("records"):
        s = status_by_zone.get(z["zone_id"])
        precision = str(z["location_precision"])
        value = None if s is None else s[measure.column]
        if s is not None and measure.enum is None:  # colonization: no colour of a share where none applies
            value = vocabulary.colonization_value(s["stage"], value)
        colour = palette.hex_to_rgb(measure_colour(measure, value))
        radius = marker_radius(float(z["area_acres"]), max_area, dense)
        symbol, value_words = _value_text(measure, s)
        if measure.enum is None:
            label = f"{z['short_name']} · {symbol}"
        else:
            label = f"{symbol} {z['short_name']}"
        records.append(
            {
                "zone_id": str(z["zone_id"]),
                "short_name": str(z["short_name"]),
                "name": str(z["name"]),
                "province": str(z["province"]),
                "lon": float(z["longitude"]),
                "lat": float(z["latitude"]),
                "precision": precision,
                "precision_text": precision_text(precision),
                "area_text": f"{float(z['area_acres']):,.0f} acres",
                "measure_text": value_words,
                # each figure with its own confidence (the figure's column, else the row's)
                "stage_text": _with_confidence(stage_text(s["stage"]), s, "stage") if s is not None else vocabulary.NOT_REPORTED,
                "gas_text": _with_confidence(utility_text(s["gas"], s["gas_mmcfd_available"], s["gas_mmcfd_required"], "MMCFD"), s, "gas")
                if s is not None else vocabulary.NOT_REPORTED,
                "electricity_text": _with_confidence(utility_text(s["electricity"], s["power_mw_available"], s["power_mw_required"], "MW"),
                                                     s, "electricity") if s is not None else vocabulary.NOT_REPORTED,
                "colonization_text": _with_confidence(status_colonization_text(s), s, "colonization") if s is not None else vocabulary.NOT_REPORTED,
                "confidence_text": confidence_text(s["confidence"]) if s is not None else "—",
                "stale_text": vocabulary.stale_text(s["as_of"], as_of) if s is not None and as_of else "",
                "label": label,
                # the compact tooltip's words, one field (a dense map's JSON carries it for every zone)
                "tip": f"{z['name']}\n{z['province']}\n{measure.label}: {value_words}\nLocation: {precision_text(precision)}",
                **_marker_drawing(precision, colour, radius, dense),
            }
        )
    return records


def _marker_drawing(precision: str, colour: tuple[int, int, int], radius: float, dense: bool) -> dict:
    """How a marker is drawn: its disk filled with the measure's colour, and its precision as rings
    (or, on a dense map, as the disk's edge)."""
    if dense:
        edge, width = DENSE_EDGE.get(precision, DENSE_EDGE["town"])
        rings: tuple[float, ...] = ()
    else:
        edge, width = tuple(OUTLINE), EDGE_PX
        rings = PRECISION_RINGS_PX.get(precision, PRECISION_RINGS_PX["town"])
    return {
        # the stroke is centred on the radius: offset it to keep the disk's outer edge at `radius`
        "radius_px": radius - width / 2,
        "line_width_px": width,
        "fill_color": [*colour, 255],
        "line_color": [*edge, 255],
        "rings_px": [round(radius + r, 2) for r in rings],
        # what the marker covers, rings included: labels keep clear of it
        "outer_radius_px": radius + (rings[-1] + RING_LINE_PX / 2 if rings else 0.0),
    }


def tooltip_text(compact: bool = False) -> dict[str, str]:
    """The zone tooltip: a plain-text template (pydeck ``tooltip={"text": …}``, never ``html``).

    ``compact``: the zone, the colour's measure and the location only, for maps of many zones;
    every figure of a zone is one click away (its card), and the words of all figures of
    thousands of zones would make most of the map's weight in the browser.
    """
    text = ("{tip}\nClick the zone for all its figures" if compact else
            "{name}\n{province}\nStage: {stage_text}\nGas: {gas_text}\nElectricity: {electricity_text}\n"
            "Colonization: {colonization_text}\nArea: {area_text}\nLocation: {precision_text}\nConfidence: {confidence_text}\n{stale_text}")
    return {"text": text, "style": {"fontSize": "15px", "maxWidth": "420px", "whiteSpace": "pre-line"}}


# --- view and label placement ---------------------------------------------------------------


def _world_xy(lon, lat):
    """Web Mercator position at zoom 0, in pixels (0–512 for a 512-px world, deck.gl's tile size);
    scalars or arrays. The projection is EPSG:3857 through pyproj (``geo.to_web_mercator``)."""
    x, y = geo.to_web_mercator(lon, lat)
    return _world_px(x), _world_px(-y)


def _world_px(metres):
    """EPSG:3857 metres (y pointing down) → zoom-0 world pixels."""
    return WORLD_PX * (metres / geo.WEB_MERCATOR_HALF_WORLD_M + 1) / 2


def _lat_of(y: float) -> float:
    """Latitude of a zoom-0 world pixel row."""
    return geo.from_web_mercator(0.0, -(2 * y / WORLD_PX - 1) * geo.WEB_MERCATOR_HALF_WORLD_M)[1]


def _lon_of(x: float) -> float:
    """Longitude of a zoom-0 world pixel column."""
    return geo.from_web_mercator((2 * x / WORLD_PX - 1) * geo.WEB_MERCATOR_HALF_WORLD_M, 0.0)[0]


def fit_view(lats: Sequence[float], lons: Sequence[float], *, bounds: Sequence[float] | None = None,
             width_px: int = VIEW_WIDTH_PX, height_px: int = VIEW_HEIGHT_PX,
             padding_px: int = 60, max_zoom: float = 9.0, min_zoom: float = 3.0) -> pdk.ViewState:
    """A view that shows every point, and the ``bounds`` box (min lon, min lat, max lon, max lat) if
    given, with ``padding_px`` to spare (one point alone: centred at ``max_zoom``)."""
    lats, lons = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
    if len(lats) != len(lons):
        raise ValueError(f"fit_view: {len(lats)} latitudes but {len(lons)} longitudes")
    if bounds is not None:
        min_lon, min_lat, max_lon, max_lat = bounds
        lats, lons = np.append(lats, [min_lat, max_lat]), np.append(lons, [min_lon, max_lon])
    if not len(lats):
        return pdk.ViewState(latitude=30.2, longitude=69.4, zoom=4.3)  # Pakistan
    xs, ys = _world_xy(lons, lats)  # all points in one call
    span_x, span_y = float(xs.max() - xs.min()), float(ys.max() - ys.min())
    zooms = [max_zoom]
    if span_x > 0:
        zooms.append(math.log2(max(width_px - 2 * padding_px, 50) / span_x))
    if span_y > 0:
        zooms.append(math.log2(max(height_px - 2 * padding_px, 50) / span_y))
    zoom = max(min_zoom, min(zooms))
    centre_x, centre_y = float(xs.max() + xs.min()) / 2, float(ys.max() + ys.min()) / 2
    return pdk.ViewState(latitude=round(_lat_of(centre_y), 4), longitude=round(_lon_of(centre_x), 4), zoom=round(zoom, 2))


def basemap_bounds(basemap: Mapping | None) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of every feature of the basemap GeoJSON, or None without one."""
    if not basemap or not basemap.get("features"):
        return None
    # per-feature boxes, not a union of the shapes: the union took ~0.2 s on every rerun
    boxes = [shape(f["geometry"]).bounds for f in basemap["features"] if f.get("geometry")]
    if not boxes:
        return None
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def _view_origin(view: pdk.ViewState, width_px: float, height_px: float) -> tuple[float, float, float]:
    """(left, top, scale): the view's top-left corner in world pixels at its zoom, and that zoom's scale."""
    scale = 2**view.zoom
    cx, cy = (c * scale for c in _world_xy(view.longitude, view.latitude))
    return cx - width_px / 2, cy - height_px / 2, scale


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
    left, top, scale = _view_origin(view, width_px, height_px)
    order = label_order(points, selected_zone)
    markers = []
    for i in order:
        p = points[i]
        x, y = (c * scale for c in _world_xy(p["lon"], p["lat"]))
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
    left, top, scale = _view_origin(view, width_px, height_px)
    boxes = []
    for p in labelled:
        x, y = (c * scale for c in _world_xy(p["lon"], p["lat"]))
        r = p["outer_radius_px"]
        boxes.append((x - r, y - r, x + r, y + r))
        b = p["label_box"]
        boxes.append((b[0] + left, b[1] + top, b[2] + left, b[3] + top))
    return boxes


# --- basemap ---------------------------------------------------------------------------------


basemap_path = geo.basemap_path  # the province polygons: in the data folder, else the repository's copy


def file_mtime_ns(path: Path) -> int | None:
    """The file's modification time, None when it is missing: part of cache keys for the basemap."""
    try:
        return Path(path).stat().st_mtime_ns
    except OSError:
        return None


def load_basemap(path: Path) -> dict | None:
    """The province polygons as GeoJSON, or None when they are missing or unreadable. Read by
    ``geo.provinces`` (geopandas, once per file version), as the validator reads them."""
    try:
        return geo.provinces(Path(path)).geojson
    except geo.BasemapError:
        return None


# The basemap image: province fill and borders, drawn at twice this width and scaled down (smooth
# edges), then reduced to a few colours (a ~70 KB PNG instead of ~340 KB).
BASEMAP_IMAGE_WIDTH_PX = 2048
BASEMAP_SUPERSAMPLE = 2
BASEMAP_COLOURS = 32
BASEMAP_FILL = (238, 236, 228)
BASEMAP_BORDER = (120, 120, 120)
BASEMAP_BORDER_PX = 1.2  # on screen, at the national view
BASEMAP_FILL_ALPHA_ONLINE = 90  # over online tiles the provinces only tint the map


@dataclass(frozen=True)
class BasemapImage:
    """The province polygons as a PNG in Web-Mercator space, and where it lies."""

    url: str  # data:image/png;base64,…
    bounds: tuple[float, float, float, float]  # west, south, east, north (degrees)
    width_px: int
    height_px: int


def basemap_image(basemap: Mapping, *, fill_alpha: int = 255) -> BasemapImage | None:
    """The basemap drawn as an image for a ``BitmapLayer`` (cached per GeoJSON content), None without features.

    The image spans the basemap's bounds; its rows are evenly spaced in Web-Mercator y, as the map
    projects them, so the bitmap lines up with the zone markers at every zoom.
    """
    return _basemap_image(json.dumps(basemap, sort_keys=True, separators=(",", ":")), fill_alpha)


@functools.lru_cache(maxsize=4)
def _basemap_image(geojson: str, fill_alpha: int) -> BasemapImage | None:
    basemap = json.loads(geojson)
    bounds = basemap_bounds(basemap)
    if bounds is None:
        return None
    west, south, east, north = bounds
    x0, y1 = _world_xy(west, south)
    x1, y0 = _world_xy(east, north)
    width = BASEMAP_IMAGE_WIDTH_PX
    scale = width * BASEMAP_SUPERSAMPLE / (x1 - x0)  # drawing pixels per zoom-0 world pixel
    height = max(1, round((y1 - y0) * scale / BASEMAP_SUPERSAMPLE))
    canvas = Image.new("RGBA", (width * BASEMAP_SUPERSAMPLE, height * BASEMAP_SUPERSAMPLE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)  # writes pixels as given: a hole drawn transparent stays a hole

    def pixels(ring: shapely.LinearRing) -> list[tuple[float, float]]:
        coords = shapely.get_coordinates(ring)
        xs, ys = _world_xy(coords[:, 0], coords[:, 1])
        return list(zip(((xs - x0) * scale).tolist(), ((ys - y0) * scale).tolist(), strict=True))

    rings = []
    for feature in basemap.get("features", []):
        if not feature.get("geometry"):
            continue
        geometry = shape(feature["geometry"])
        for polygon in getattr(geometry, "geoms", [geometry]):
            if not isinstance(polygon, shapely.Polygon) or polygon.is_empty:
                continue
            outer = pixels(polygon.exterior)
            draw.polygon(outer, fill=(*BASEMAP_FILL, fill_alpha))
            holes = [pixels(ring) for ring in polygon.interiors]
            for hole in holes:
                draw.polygon(hole, fill=(0, 0, 0, 0))
            rings += [outer, *holes]
    # Border width: BASEMAP_BORDER_PX on screen at the national view, which fits these bounds.
    view = fit_view([], [], bounds=bounds)
    screen_width = (x1 - x0) * 2**view.zoom
    border = max(1, round(BASEMAP_BORDER_PX * width * BASEMAP_SUPERSAMPLE / screen_width))
    for ring in rings:
        draw.line(ring, fill=(*BASEMAP_BORDER, 255), width=border, joint="curve")
    image = canvas.resize((width, height), Image.Resampling.LANCZOS)
    image = image.quantize(BASEMAP_COLOURS, method=Image.Quantize.FASTOCTREE)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return BasemapImage(url, bounds, width, height)


# Short names where the full name would not fit inside the unit at country scale.
PROVINCE_SHORT = {"Islamabad Capital Territory": "ICT", "Azad Jammu and Kashmir": "AJK"}


def _label_candidates(polygon: shapely.Polygon, step: float = 0.4) -> list[shapely.Point]:
    """Points inside ``polygon`` to try for its label: the pole of inaccessibility, then a grid nearest to it."""
    best = polylabel(polygon, tolerance=0.01)
    minx, miny, maxx, maxy = polygon.bounds
    grid = [
        shapely.Point(minx + i * step, miny + j * step)
        for i in range(int((maxx - minx) / step) + 1)
        for j in range(int((maxy - miny) / step) + 1)
    ]
    inside = [p for p in grid if polygon.contains(p)]
    return [best, *sorted(inside, key=best.distance)]


def province_labels(basemap: Mapping, zoom: float, obstacles: Sequence[tuple[float, float, float, float]] = ()) -> list[dict]:
    """A label point inside each province that keeps clear of the zones' markers and labels.

    Tries the pole of inaccessibility of the unit's largest part first, then points nearest to
    it; a unit whose name fits nowhere at ``zoom`` gets no label (the zones matter more).
    """
    scale = 2**zoom
    placed = list(obstacles)
    out = []
    for feature in basemap.get("features", []):
        name = str(feature.get("properties", {}).get("name", ""))
        if not name:
            continue
        geom = shape(feature["geometry"])
        parts = list(geom.geoms) if isinstance(geom, shapely.MultiPolygon) else [geom]
        text = PROVINCE_SHORT.get(name, name)
        for point in _label_candidates(max(parts, key=lambda g: g.area)):
            x, y = (c * scale for c in _world_xy(point.x, point.y))
            box = PROVINCE_LABEL_STYLE.box(x, y, text)
            if not any(maplabels.intersects(box, b) for b in placed):
                placed.append(box)
                out.append({"name": name, "label": text, "lon": round(point.x, 4), "lat": round(point.y, 4)})
                break
    return out


# --- the deck --------------------------------------------------------------------------------


def online_basemap_requested(environ: Mapping[str, str] | None = None) -> bool:
    """True when the operator opted in to online map tiles (``SEZ_ONLINE_BASEMAP=1``)."""
    value = (os.environ if environ is None else environ).get(ONLINE_BASEMAP_ENV, "")
    return value.strip().lower() in ("1", "true", "yes", "on")


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
        image = basemap_image(basemap, fill_alpha=BASEMAP_FILL_ALPHA_ONLINE if online else 255)
        if image is not None:
            # quoted: pydeck would otherwise turn the URL into an accessor expression
            layers.append(pdk.Layer("BitmapLayer", id=LAYER_PROVINCES, image=f'"{image.url}"', bounds=list(image.bounds),
                                    pickable=False))
        layers.append(
            pdk.Layer(
                "TextLayer", id=LAYER_PROVINCE_LABELS, data=province_labels(basemap, view.zoom, label_boxes(labelled, view)),
                get_position="[lon, lat]", get_text="label", get_size=PROVINCE_LABEL_SIZE_PX, size_units=PIXELS,
                get_color=[95, 95, 95, 255], font_family=LABEL_FONT, font_weight=400,
                character_set='"auto"', pickable=False,
            )
        )
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


def zone_table(points: list[dict], measure: Measure) -> pd.DataFrame:
    """The accessible table under the map: every zone and its figures in words, the measure shown first."""
    columns = {
        "Zone": "short_name", "Province": "province", "Stage": "stage_text", "Gas": "gas_text",
        "Electricity": "electricity_text", "Colonization": "colonization_text", "Area": "area_text",
        "Location": "precision_text", "Confidence": "confidence_text", "zone_id": "zone_id",
    }
    order = ["Zone", measure.label] + [c for c in columns if c not in ("Zone", measure.label)]
    return pd.DataFrame({c: [p[columns[c]] for p in points] for c in order})
