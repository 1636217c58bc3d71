"""Static images for offline documents: the zone map as a Plotly figure, and its export with kaleido.

The map is drawn on plain x/y axes (longitude, latitude) with the province polygons as filled
shapes, not with a Plotly ``geo`` trace: geo traces fetch their world topojson from a CDN and
expect clockwise rings (our basemap follows RFC 7946, counter-clockwise). A fixed aspect ratio
of 1/cos(mid-latitude) keeps the country's shape right at this scale.

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

from sez_metrics import geo, maplabels, palette, schema
from sez_metrics.settings import data_dir

MAP_CREDIT = "Boundaries: Natural Earth (public domain), simplified; approximate, no position on disputed territory."
LAND_FILL, LAND_LINE, PROVINCE_TEXT = "#E5E9EF", "#FFFFFF", "#6B7280"
LABEL_FONT_PX = 15
# A zone label: an annotation with a 2-px pad inside a 1-px border (Plotly's defaults).
LABEL_STYLE = maplabels.LabelStyle(LABEL_FONT_PX, pad_x=3, pad_y=3)
PROVINCE_FONT_PX = 13
PROVINCE_STYLE = maplabels.LabelStyle(PROVINCE_FONT_PX, pad_x=0, pad_y=0)
MARKER_PX = 18
# An uncertain point gets rings around its marker (palette.PRECISION_RINGS_PX, as on the dashboard).
PRECISION_LEGEND = {"site": "Surveyed site (no ring)", "approximate": "Approximate (one ring)", "town": "Nearest town only (two rings)"}
RING_COLOUR = "#1F2933"


def basemap_path(root: Path | None = None) -> Path:
    """The province polygons of the data folder in use, else the repository's copy."""
    candidate = (root or data_dir()) / "basemap" / "pakistan_admin1.geojson"
    return candidate if candidate.is_file() else geo.BASEMAP_PATH


@dataclass(frozen=True)
class _Frame:
    """Axis ranges and the pixel size of the plot area: converts lon/lat to pixels for labels."""

    lon: tuple[float, float]
    lat: tuple[float, float]
    width_px: float
    height_px: float

    def to_px(self, lon: float, lat: float) -> tuple[float, float]:
        x = (lon - self.lon[0]) / (self.lon[1] - self.lon[0]) * self.width_px
        y = (self.lat[1] - lat) / (self.lat[1] - self.lat[0]) * self.height_px
        return x, y


def _fit_frame(bounds: tuple[float, float, float, float], width_px: float, height_px: float, pad: float = 0.4) -> _Frame:
    """Ranges covering ``bounds`` (lon0, lat0, lon1, lat1) with a true-looking aspect in the plot area."""
    lon0, lat0, lon1, lat1 = bounds[0] - pad, bounds[1] - pad, bounds[2] + pad, bounds[3] + pad
    stretch = 1 / np.cos(np.radians((lat0 + lat1) / 2))  # one degree of latitude drawn this much taller
    px_per_lon = min(width_px / (lon1 - lon0), height_px / ((lat1 - lat0) * stretch))
    half_lon = width_px / px_per_lon / 2
    half_lat = height_px / (px_per_lon * stretch) / 2
    mid_lon, mid_lat = (lon0 + lon1) / 2, (lat0 + lat1) / 2
    return _Frame((mid_lon - half_lon, mid_lon + half_lon), (mid_lat - half_lat, mid_lat + half_lat), width_px, height_px)


def _ring_coordinates(geometry) -> tuple[list[float | None], list[float | None]]:
    """Every exterior ring of a (multi)polygon, separated by None so one trace fills them all."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        x, y = polygon.exterior.coords.xy
        xs.extend([*x, None])
        ys.extend([*y, None])
    return xs, ys


def _outer_radius(precision: str) -> float:
    """How far a marker reaches from its centre, its precision rings included (pixels)."""
    rings = palette.PRECISION_RINGS_PX.get(precision, palette.PRECISION_RINGS_PX["town"])
    return MARKER_PX / 2 + (rings[-1] + palette.PRECISION_RING_LINE_PX / 2 if rings else 1.5)


def _province_label_spot(polygon, text: str, frame: _Frame, obstacles: list[maplabels.Box]) -> tuple[float, float] | None:
    """An interior point of ``polygon`` whose label box is clear of the zone labels, or None."""
    part = max(getattr(polygon, "geoms", [polygon]), key=lambda p: p.area)
    candidates = [part.representative_point()]
    minx, miny, maxx, maxy = part.bounds
    grid = [shapely.Point(x, y) for x in np.linspace(minx, maxx, 9) for y in np.linspace(miny, maxy, 9)]
    candidates += sorted((p for p in grid if part.contains(p)), key=lambda p: -part.exterior.distance(p))
    for point in candidates:
        cx, cy = frame.to_px(point.x, point.y)
        box = PROVINCE_STYLE.box(cx, cy, text)
        if box[0] < 0 or box[2] > frame.width_px:
            continue
        if not any(maplabels.intersects(box, o) for o in obstacles):
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
    """The zones on the province basemap: colour (``palette``) and circled number = stage; rings = how approximate the location is.

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
    texts = [f"{schema.STAGE.symbol(r.stage)} {r.short_name}" for r in merged.itertuples()]
    markers = [maplabels.Marker(*frame.to_px(float(r.longitude), float(r.latitude)), _outer_radius(r.location_precision), text)
               for r, text in zip(merged.itertuples(), texts, strict=True)]
    spots = maplabels.place_labels(markers, frame.width_px, frame.height_px, LABEL_STYLE)
    label_boxes = [spot.box for spot in spots if spot is not None]
    label_boxes += [(m.x - m.radius, m.y - m.radius, m.x + m.radius, m.y + m.radius) for m in markers]

    for name, polygon in provinces.items():
        if polygon.area < 0.5:  # Islamabad Capital Territory: too small to carry its own name
            continue
        spot = _province_label_spot(polygon, name, frame, label_boxes)
        if spot:
            fig.add_annotation(x=spot[0], y=spot[1], text=html.escape(name), showarrow=False,
                               font={"size": PROVINCE_FONT_PX, "color": PROVINCE_TEXT}, opacity=0.9)

    for code in schema.LOCATION_PRECISION.values:
        rows = merged[merged["location_precision"] == code]
        rings = palette.PRECISION_RINGS_PX[code]
        # One trace per ring; the legend shows the outer one of each precision, or a plain disk.
        for i, offset in enumerate(rings or (None,)):
            fig.add_trace(
                go.Scatter(
                    x=rows["longitude"] if offset else [None], y=rows["latitude"] if offset else [None], mode="markers",
                    marker={"symbol": "circle-open" if offset else "circle", "size": MARKER_PX + 2 * offset if offset else 10,
                            "color": RING_COLOUR, "line": {"width": palette.PRECISION_RING_LINE_PX, "color": RING_COLOUR}},
                    name=PRECISION_LEGEND[code], legendgroup="precision", legendgrouptitle_text="Location",
                    legendrank=2000, hoverinfo="skip", showlegend=i == len(rings or (None,)) - 1,
                )
            )
    for stage in schema.STAGE.values:
        rows = merged[merged["stage"] == stage]
        if rows.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=rows["longitude"], y=rows["latitude"], mode="markers",
                marker={"color": palette.STAGE_COLOURS[stage], "size": MARKER_PX, "line": {"color": "#1F2937", "width": 1.5}},
                name=f"{schema.STAGE.symbol(stage)} {schema.STAGE.label(stage)}", legendgroup="stage",
                legendgrouptitle_text="Stage", legendrank=1000,
            )
        )
    for r, marker, spot in zip(merged.itertuples(), markers, spots, strict=True):
        if spot is None:  # no room anywhere: the zone keeps its marker, and its row in the pack's table
            continue
        cx, cy = spot.centre
        # the box centred where the placement put it; a label set apart gets a line to its point
        placement = ({"ax": cx - marker.x, "ay": cy - marker.y, "showarrow": True, "standoff": marker.radius} if spot.leader
                     else {"xshift": cx - marker.x, "yshift": marker.y - cy, "showarrow": False})
        fig.add_annotation(
            x=float(r.longitude), y=float(r.latitude), text=html.escape(marker.text), arrowhead=0, arrowwidth=1,
            arrowcolor="#374151", font={"size": LABEL_FONT_PX, "color": "#111827"}, xanchor="center", yanchor="middle",
            bgcolor="rgba(255,255,255,0.85)", borderpad=2, borderwidth=1, bordercolor="rgba(255,255,255,0)",
            name=f"zone-label:{r.zone_id}", **placement,
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
    fig.update_xaxes(range=list(frame.lon), visible=False, fixedrange=True)
    fig.update_yaxes(range=list(frame.lat), visible=False, fixedrange=True)
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
