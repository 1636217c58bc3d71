"""Where things are on the zone map: Web-Mercator world pixels (deck.gl's), the initial view, and
the units and font every layer is drawn with.

deck.gl measures the world at zoom 0 as ``WORLD_PX`` pixels across; a point's screen position at
zoom z is its world pixel times 2**z. The projection is EPSG:3857 through pyproj
(``geo.to_web_mercator``), the one the pack's static map uses too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pydeck as pdk

from sez_metrics.core import geo

# The map's size on a 1440 × 900 screen (the page draws it this high in the wider of two columns,
# beside the selected zone's card): the initial view fits the country in it, and every label lies
# inside it (the browser tests check the drawn map is at least this big).
VIEW_WIDTH_PX = 600
VIEW_HEIGHT_PX = 560
WORLD_PX = 512  # the width of the whole world at zoom 0 in deck.gl (its tile size)
# pydeck turns every string argument of a layer into a data accessor (``"@@=…"``) unless it is
# quoted, so constant strings are written quoted.
PIXELS = '"pixels"'
LABEL_FONT = '"DejaVu Sans, Noto Sans, Arial, sans-serif"'


def world_xy(lon, lat):
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
    xs, ys = world_xy(lons, lats)  # all points in one call
    span_x, span_y = float(xs.max() - xs.min()), float(ys.max() - ys.min())
    zooms = [max_zoom]
    if span_x > 0:
        zooms.append(math.log2(max(width_px - 2 * padding_px, 50) / span_x))
    if span_y > 0:
        zooms.append(math.log2(max(height_px - 2 * padding_px, 50) / span_y))
    zoom = max(min_zoom, min(zooms))
    centre_x, centre_y = float(xs.max() + xs.min()) / 2, float(ys.max() + ys.min()) / 2
    return pdk.ViewState(latitude=round(_lat_of(centre_y), 4), longitude=round(_lon_of(centre_x), 4), zoom=round(zoom, 2))


def view_origin(view: pdk.ViewState, width_px: float, height_px: float) -> tuple[float, float, float]:
    """(left, top, scale): the view's top-left corner in world pixels at its zoom, and that zoom's scale."""
    scale = 2**view.zoom
    cx, cy = (c * scale for c in world_xy(view.longitude, view.latitude))
    return cx - width_px / 2, cy - height_px / 2, scale
