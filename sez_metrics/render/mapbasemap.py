"""The zone map's basemap: the offline province polygons as an image layer and their names.

The basemap is drawn from ``basemap/pakistan_admin1.geojson`` (Natural Earth; where it is:
``geo.basemap_path``) into a Web-Mercator PNG once per file, and shown as a ``BitmapLayer``:
polygon and path layers cost a browser without a GPU over a second of shader setup per page load,
the bitmap a fraction of that. The image has about three pixels per screen pixel at the national
view: borders stay sharp two zoom levels in, and grow softer and wider beyond (the image is scaled
with the map). Province names stay a ``TextLayer``, crisp at any zoom, placed clear of the zones'
markers and labels. Online tiles are an opt-in (env ``SEZ_ONLINE_BASEMAP=1``): the provinces then
only tint them.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pydeck as pdk
import shapely
from PIL import Image, ImageDraw
from shapely.geometry import shape
from shapely.ops import polylabel

from sez_metrics.core import geo
from sez_metrics.core.i18n import N_
from sez_metrics.render import maplabels
from sez_metrics.render.mapview import LABEL_FONT, PIXELS, fit_view, world_xy

ONLINE_BASEMAP_ENV = "SEZ_ONLINE_BASEMAP"
ATTRIBUTION = N_(  # shown as _(ATTRIBUTION)
    "Boundaries: Natural Earth (public domain), simplified; not authoritative. "
    "Zone points may be approximate; no position is implied on disputed territory."
)
LAYER_PROVINCES = "provinces"
LAYER_PROVINCE_LABELS = "province-labels"
PROVINCE_LABEL_SIZE_PX = 13
PROVINCE_LABEL_STYLE = maplabels.LabelStyle(PROVINCE_LABEL_SIZE_PX, pad_x=0, pad_y=0)


def basemap_bounds(basemap: Mapping | None) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of every feature of the basemap GeoJSON, or None without one."""
    if not basemap or not basemap.get("features"):
        return None
    # per-feature boxes, not a union of the shapes: the union took ~0.2 s on every rerun
    boxes = [shape(f["geometry"]).bounds for f in basemap["features"] if f.get("geometry")]
    if not boxes:
        return None
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


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
    x0, y1 = world_xy(west, south)
    x1, y0 = world_xy(east, north)
    width = BASEMAP_IMAGE_WIDTH_PX
    scale = width * BASEMAP_SUPERSAMPLE / (x1 - x0)  # drawing pixels per zoom-0 world pixel
    height = max(1, round((y1 - y0) * scale / BASEMAP_SUPERSAMPLE))
    canvas = Image.new("RGBA", (width * BASEMAP_SUPERSAMPLE, height * BASEMAP_SUPERSAMPLE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)  # writes pixels as given: a hole drawn transparent stays a hole

    def pixels(ring: shapely.LinearRing) -> list[tuple[float, float]]:
        coords = shapely.get_coordinates(ring)
        xs, ys = world_xy(coords[:, 0], coords[:, 1])
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
            x, y = (c * scale for c in world_xy(point.x, point.y))
            box = PROVINCE_LABEL_STYLE.box(x, y, text)
            if not any(maplabels.intersects(box, b) for b in placed):
                placed.append(box)
                out.append({"name": name, "label": text, "lon": round(point.x, 4), "lat": round(point.y, 4)})
                break
    return out


def online_basemap_requested(environ: Mapping[str, str] | None = None) -> bool:
    """True when the operator opted in to online map tiles (``SEZ_ONLINE_BASEMAP=1``)."""
    value = (os.environ if environ is None else environ).get(ONLINE_BASEMAP_ENV, "")
    return value.strip().lower() in ("1", "true", "yes", "on")


def basemap_layers(basemap: Mapping, zoom: float, obstacles: Sequence[maplabels.Box], *, online: bool = False) -> list[pdk.Layer]:
    """The province image (when the basemap has features) and the province names, clear of ``obstacles``
    (world pixels at ``zoom``: the zones' markers and labels)."""
    layers = []
    image = basemap_image(basemap, fill_alpha=BASEMAP_FILL_ALPHA_ONLINE if online else 255)
    if image is not None:
        # quoted: pydeck would otherwise turn the URL into an accessor expression
        layers.append(pdk.Layer("BitmapLayer", id=LAYER_PROVINCES, image=f'"{image.url}"', bounds=list(image.bounds),
                                pickable=False))
    layers.append(
        pdk.Layer(
            "TextLayer", id=LAYER_PROVINCE_LABELS, data=province_labels(basemap, zoom, obstacles),
            get_position="[lon, lat]", get_text="label", get_size=PROVINCE_LABEL_SIZE_PX, size_units=PIXELS,
            get_color=[95, 95, 95, 255], font_family=LABEL_FONT, font_weight=400,
            character_set='"auto"', pickable=False,
        )
    )
    return layers
