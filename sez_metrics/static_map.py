"""Static images for offline documents: the zone map as a Plotly figure, and its export with kaleido.

The map is drawn on plain x/y axes in Web-Mercator metres (EPSG:3857, projected by pyproj through
``geo.to_web_mercator``, the projection of the dashboard's map) with the province polygons as
filled shapes, not with a Plotly ``geo`` trace: geo traces fetch their world topojson from a CDN
and expect clockwise rings (our basemap follows RFC 7946, counter-clockwise). Both axes have the
same metres per pixel, so the country has the shape it has on the dashboard.

Export runs Debian's chromium through kaleido. One browser serves every image of a document
(``static_images()``): the first image costs ~2 s, the next ones ~0.2 s each. MathJax is turned
off because kaleido would otherwise put a CDN script on its page.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from sez_metrics import geo, palette, schema

MAP_CREDIT = "Boundaries: Natural Earth (public domain), simplified; approximate, no position on disputed territory."
# An uncertain point gets a ring around it, wider the less sure we are (no ring: surveyed site).
PRECISION_RING_PX = {"site": 0, "approximate": 34, "town": 52}
LAND_FILL, LAND_LINE, PROVINCE_TEXT = "#E5E9EF", "#FFFFFF", "#6B7280"
LABEL_FONT_PX = 15
MARKER_PX = 18
PRECISION_LEGEND = {"site": "Surveyed site (no ring)", "approximate": "Approximate (ring)", "town": "Nearest town only (wide ring)"}


basemap_path = geo.basemap_path  # the province polygons of the data folder in use, else the repository's copy


@dataclass(frozen=True)
class _Frame:
    """Axis ranges (Web-Mercator metres) and the pixel size of the plot area: places lon/lat on the
    axes (``xy``) and in pixels for labels (``to_px``)."""

    x: tuple[float, float]
    y: tuple[float, float]
    width_px: float
    height_px: float

    @staticmethod
    def xy(lon, lat):
        """Axis coordinates (EPSG:3857 metres) of lon/lat degrees, scalars or arrays."""
        return geo.to_web_mercator(lon, lat)

    def to_px(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self.xy(lon, lat)
        return ((x - self.x[0]) / (self.x[1] - self.x[0]) * self.width_px,
                (self.y[1] - y) / (self.y[1] - self.y[0]) * self.height_px)


def _fit_frame(bounds: tuple[float, float, float, float], width_px: float, height_px: float, pad: float = 0.4) -> _Frame:
    """Ranges covering ``bounds`` (lon0, lat0, lon1, lat1, degrees) and ``pad`` degrees around them, with
    as many metres per pixel across as up (the projection's own shape)."""
    (x0, x1), (y0, y1) = _Frame.xy([bounds[0] - pad, bounds[2] + pad], [bounds[1] - pad, bounds[3] + pad])
    metres_per_px = max((x1 - x0) / width_px, (y1 - y0) / height_px)
    half_x, half_y = width_px * metres_per_px / 2, height_px * metres_per_px / 2
    mid_x, mid_y = (x0 + x1) / 2, (y0 + y1) / 2
    return _Frame((mid_x - half_x, mid_x + half_x), (mid_y - half_y, mid_y + half_y), width_px, height_px)


def _ring_coordinates(geometry) -> tuple[list[float | None], list[float | None]]:
    """Every exterior ring of a (multi)polygon in axis coordinates, separated by None so one trace fills them all."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        x, y = _Frame.xy(*polygon.exterior.coords.xy)
        xs.extend([*x.tolist(), None])
        ys.extend([*y.tolist(), None])
    return xs, ys


Box = tuple[float, float, float, float]


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _text_box(cx: float, cy: float, text: str, font_px: float) -> Box:
    width = max(len(line) for line in text.split("\n")) * font_px * 0.58 + 8
    height = (text.count("\n") + 1) * font_px * 1.25 + 4
    return (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)


# Directions tried for a label, in order, and the extra gaps (pixels) tried beyond the point's radius.
_DIRECTIONS = ((1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (-1, -1), (1, 1), (-1, 1))
_GAPS = (3, 30, 65)


def _place_labels(points: list[tuple[float, float]], radii: list[float], texts: list[str], frame: _Frame, font_px: float) -> list[tuple[float, float]]:
    """Greedy label placement: each label takes the first spot that hits no point and no earlier label.

    ``radii`` are the points' drawn radii (marker or uncertainty ring). Returns each label centre's
    offset from its point, in pixels (y down).
    """
    obstacles: list[Box] = [(x - r, y - r, x + r, y + r) for (x, y), r in zip(points, radii, strict=True)]
    placed: list[tuple[float, float]] = []
    for (x, y), radius, text in zip(points, radii, texts, strict=True):
        _, _, half_w, half_h = _text_box(0, 0, text, font_px)
        chosen = None
        for gap in _GAPS:
            for dx, dy in _DIRECTIONS:
                cx, cy = x + dx * (radius + gap + half_w), y + dy * (radius + gap + half_h)
                box = _text_box(cx, cy, text, font_px)
                inside = box[0] >= 0 and box[1] >= 0 and box[2] <= frame.width_px and box[3] <= frame.height_px
                if inside and not any(_overlaps(box, o) for o in obstacles):
                    chosen = (cx, cy, box)
                    break
            if chosen:
                break
        if chosen is None:  # crowded: keep the name next to its point rather than drop it
            cx, cy = x + radius + 3 + half_w, y
            chosen = (cx, cy, _text_box(cx, cy, text, font_px))
        obstacles.append(chosen[2])
        placed.append((chosen[0] - x, chosen[1] - y))
    return placed


def _province_label_spot(polygon, text: str, frame: _Frame, obstacles: list[Box], font_px: float) -> tuple[float, float] | None:
    """An interior point of ``polygon`` whose label box is clear of the zone labels, or None."""
    part = max(getattr(polygon, "geoms", [polygon]), key=lambda p: p.area)
    candidates = [part.representative_point()]
    minx, miny, maxx, maxy = part.bounds
    grid = [shapely.Point(x, y) for x in np.linspace(minx, maxx, 9) for y in np.linspace(miny, maxy, 9)]
    candidates += sorted((p for p in grid if part.contains(p)), key=lambda p: -part.exterior.distance(p))
    for point in candidates:
        cx, cy = frame.to_px(point.x, point.y)
        box = _text_box(cx, cy, text, font_px)
        if box[0] < 0 or box[2] > frame.width_px:
            continue
        if not any(_overlaps(box, o) for o in obstacles):
            obstacles.append(box)
            return point.x, point.y
    return None


def zone_map_figure(
    zones: pd.DataFrame,
    status: pd.DataFrame,
    *,
    width: int = 1000,
    height: int = 900,
    root: Path | None = None,
    title: str | None = None,
    credit: bool = True,
) -> go.Figure:
    """The zones on the province basemap: colour (``palette``) and circled number = stage; a ring = approximate location.

    Pure: builds a figure from the dataset; draws nothing from the internet. ``credit`` prints the
    basemap's credit line under the map (leave it off when the caller prints it).
    """
    provinces = geo.province_polygons(basemap_path(root))
    margin = {"l": 10, "r": 10, "t": 50 if title else 10, "b": 34 if credit else 10}
    plot_w, plot_h = width - margin["l"] - margin["r"], height - margin["t"] - margin["b"]
    all_bounds = shapely.GeometryCollection(list(provinces.values())).bounds
    frame = _fit_frame(all_bounds, plot_w, plot_h)
    fig = go.Figure()
    xs: list[float | None] = []
    ys: list[float | None] = []
    for polygon in provinces.values():
        px, py = _ring_coordinates(polygon)
        xs += px
        ys += py
    fig.add_trace(
        go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=LAND_FILL, line={"color": LAND_LINE, "width": 1.5},
                   hoverinfo="skip", showlegend=False)
    )

    merged = zones.merge(status[["zone_id", "stage"]], on="zone_id", how="left")
    merged["stage"] = merged["stage"].fillna("identified")
    # Priority zones are labelled first so they get the best spots.
    merged = merged.sort_values(["priority", "short_name"], ascending=[False, True], kind="stable").reset_index(drop=True)
    points = [frame.to_px(float(r.longitude), float(r.latitude)) for r in merged.itertuples()]
    texts = [f"{schema.STAGE.symbol(r.stage)} {r.short_name}" for r in merged.itertuples()]
    radii = [max(MARKER_PX / 2 + 2, PRECISION_RING_PX.get(p, 0) / 2) for p in merged["location_precision"]]
    offsets = _place_labels(points, radii, texts, frame, LABEL_FONT_PX)
    label_boxes = [_text_box(x + ox, y + oy, t, LABEL_FONT_PX) for (x, y), (ox, oy), t in zip(points, offsets, texts, strict=True)]
    label_boxes += [(x - r, y - r, x + r, y + r) for (x, y), r in zip(points, radii, strict=True)]

    for name, polygon in provinces.items():
        if polygon.area < 0.5:  # Islamabad Capital Territory: too small to carry its own name
            continue
        spot = _province_label_spot(polygon, name, frame, label_boxes, 13)
        if spot:
            x, y = frame.xy(*spot)
            fig.add_annotation(x=x, y=y, text=html.escape(name), showarrow=False,
                               font={"size": 13, "color": PROVINCE_TEXT}, opacity=0.9)

    for code in schema.LOCATION_PRECISION.values:
        rows = merged[merged["location_precision"] == code]
        ring = PRECISION_RING_PX[code]
        x, y = frame.xy(rows["longitude"], rows["latitude"])
        fig.add_trace(
            go.Scatter(
                x=x if ring else [None], y=y if ring else [None], mode="markers",
                marker={"symbol": "circle-open" if ring else "circle", "size": ring or 10, "color": "#4B5563",
                        "line": {"width": 1.5, "color": "#4B5563"}},
                name=PRECISION_LEGEND[code], legendgroup="precision", legendgrouptitle_text="Location",
                legendrank=2000, hoverinfo="skip",
            )
        )
    for stage in schema.STAGE.values:
        rows = merged[merged["stage"] == stage]
        if rows.empty:
            continue
        x, y = frame.xy(rows["longitude"], rows["latitude"])
        fig.add_trace(
            go.Scatter(
                x=x, y=y, mode="markers",
                marker={"color": palette.STAGE_COLOURS[stage], "size": MARKER_PX, "line": {"color": "#1F2937", "width": 1.5}},
                name=f"{schema.STAGE.symbol(stage)} {schema.STAGE.label(stage)}", legendgroup="stage",
                legendgrouptitle_text="Stage", legendrank=1000,
            )
        )
    for r, (ox, oy), text in zip(merged.itertuples(), offsets, texts, strict=True):
        box = _text_box(ox, oy, text, LABEL_FONT_PX)
        leader = max(box[0], -box[2], box[1], -box[3]) > 24  # label set apart: draw a line to its point
        placement = {"ax": ox, "ay": oy, "showarrow": True} if leader else {"xshift": ox, "yshift": -oy, "showarrow": False}
        x, y = frame.xy(float(r.longitude), float(r.latitude))
        fig.add_annotation(
            x=x, y=y, text=html.escape(text), arrowhead=0, arrowwidth=1,
            arrowcolor="#374151", standoff=10, font={"size": LABEL_FONT_PX, "color": "#111827"},
            bgcolor="rgba(255,255,255,0.85)", borderpad=2, **placement,
        )
    if credit:
        fig.add_annotation(x=0, y=0, xref="paper", yref="paper", yshift=-margin["b"] + 6, xanchor="left", yanchor="bottom",
                           text=html.escape(MAP_CREDIT), showarrow=False, font={"size": 11, "color": PROVINCE_TEXT})
    fig.update_layout(
        width=width, height=height, margin=margin, plot_bgcolor="#FFFFFF", paper_bgcolor="#FFFFFF",
        title={"text": html.escape(title), "x": 0.01, "font": {"size": 22}} if title else None,
        legend={"traceorder": "grouped", "x": 0.99, "y": 0.02, "xanchor": "right", "yanchor": "bottom", "bgcolor": "rgba(255,255,255,0.9)",
                "bordercolor": "#D1D5DB", "borderwidth": 1, "font": {"size": 13}, "groupclick": "toggleitem"},
        font={"family": "DejaVu Sans, Arial, sans-serif"},
    )
    fig.update_xaxes(range=list(frame.x), visible=False, fixedrange=True)
    fig.update_yaxes(range=list(frame.y), visible=False, fixedrange=True)
    return fig


class _Exporter:
    """Figure → image bytes through the process's one kaleido browser (calls serialised)."""

    _lock = threading.Lock()

    def image(self, fig: go.Figure, fmt: str = "png", *, width: int | None = None, height: int | None = None, scale: float = 1) -> bytes:
        """``fig`` as PNG or SVG bytes (size defaults to the figure's layout size)."""
        import kaleido

        layout = fig.layout
        opts = {"format": fmt, "width": width or layout.width or 1000, "height": height or layout.height or 600, "scale": scale}
        # kaleido's sync server hands results back through one shared queue: one caller at a time.
        with self._lock:
            return kaleido.calc_fig_sync(fig.to_plotly_json(), opts=opts)


_session_lock = threading.Lock()
_sessions = 0


@contextmanager
def static_images() -> Iterator[_Exporter]:
    """Keep one kaleido browser open for every image rendered inside the block.

    Nested or concurrent blocks share the browser; the last one out closes it.
    """
    import kaleido

    global _sessions
    with _session_lock:
        if _sessions == 0:
            kaleido.start_sync_server(mathjax=False, silence_warnings=True)
        _sessions += 1
    try:
        yield _Exporter()
    finally:
        with _session_lock:
            _sessions -= 1
            if _sessions == 0:
                kaleido.stop_sync_server(silence_warnings=True)
