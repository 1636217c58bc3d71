"""Static images for offline documents: the zone map as a Plotly figure, and its export with kaleido.

The map is drawn on plain x/y axes in Web-Mercator metres (EPSG:3857, projected by pyproj through
``geo.to_web_mercator``, the projection of the dashboard's map) with the province polygons as
filled shapes, not with a Plotly ``geo`` trace: geo traces fetch their world topojson from a CDN
and expect clockwise rings (our basemap follows RFC 7946, counter-clockwise). Both axes have the
same metres per pixel, so the country has the shape it has on the dashboard.

Export runs Debian's chromium through kaleido. One browser serves every image of a document
(``static_images()``): the first image costs ~2 s, the next ones ~0.2 s each. MathJax is turned
off because kaleido would otherwise put a CDN script on its page. Pictures are optional: no
browser, a crash or a stall raises ``ImagesUnavailable`` within a bounded time, never a hang.
"""

from __future__ import annotations

import html
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from sez_metrics.core import geo, i18n, palette, schema, vocabulary
from sez_metrics.core.i18n import N_, _
from sez_metrics.render import maplabels

MAP_CREDIT = N_("Boundaries: Natural Earth (public domain), simplified; approximate, no position on disputed territory.")
LAND_FILL, LAND_LINE, PROVINCE_TEXT = "#E5E9EF", "#FFFFFF", "#6B7280"
LABEL_FONT_PX = 15
# A zone label: an annotation with a 2-px pad inside a 1-px border (Plotly's defaults).
LABEL_STYLE = maplabels.LabelStyle(LABEL_FONT_PX, pad_x=3, pad_y=3)
PROVINCE_FONT_PX = 13
PROVINCE_STYLE = maplabels.LabelStyle(PROVINCE_FONT_PX, pad_x=0, pad_y=0)
MARKER_PX = 18
# An uncertain point gets rings around its marker (palette.PRECISION_RINGS_PX, as on the dashboard).
PRECISION_LEGEND = {"site": N_("Surveyed site (no ring)"), "approximate": N_("Approximate (one ring)"),
                    "town": N_("Nearest town only (two rings)")}
RING_COLOUR = "#1F2933"



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
    provinces = geo.province_polygons(geo.basemap_path(root))
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
    texts = [f"{schema.STAGE.symbol(r['stage'])} {i18n.data_text(r, 'short_name')}" for r in merged.to_dict("records")]
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
            x, y = frame.xy(*spot)
            fig.add_annotation(x=x, y=y, text=html.escape(name), showarrow=False,
                               font={"size": PROVINCE_FONT_PX, "color": PROVINCE_TEXT}, opacity=0.9)

    for code in schema.LOCATION_PRECISION.values:
        rows = merged[merged["location_precision"] == code]
        rings = palette.PRECISION_RINGS_PX[code]
        x, y = frame.xy(rows["longitude"], rows["latitude"])
        # One trace per ring; the legend shows the outer one of each precision, or a plain disk.
        for i, offset in enumerate(rings or (None,)):
            fig.add_trace(
                go.Scatter(
                    x=x if offset else [None], y=y if offset else [None], mode="markers",
                    marker={"symbol": "circle-open" if offset else "circle", "size": MARKER_PX + 2 * offset if offset else 10,
                            "color": RING_COLOUR, "line": {"width": palette.PRECISION_RING_LINE_PX, "color": RING_COLOUR}},
                    name=_(PRECISION_LEGEND[code]), legendgroup="precision", legendgrouptitle_text=_("Location"),
                    legendrank=2000, hoverinfo="skip", showlegend=i == len(rings or (None,)) - 1,
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
                name=vocabulary.coded_text(schema.STAGE, stage), legendgroup="stage",
                legendgrouptitle_text=_("Stage"), legendrank=1000,
            )
        )
    for r, marker, spot in zip(merged.itertuples(), markers, spots, strict=True):
        if spot is None:  # no room anywhere: the zone keeps its marker, and its row in the pack's table
            continue
        cx, cy = spot.centre
        # the box centred where the placement put it; a label set apart gets a line to its point
        placement = ({"ax": cx - marker.x, "ay": cy - marker.y, "showarrow": True, "standoff": marker.radius} if spot.leader
                     else {"xshift": cx - marker.x, "yshift": marker.y - cy, "showarrow": False})
        x, y = frame.xy(float(r.longitude), float(r.latitude))
        fig.add_annotation(
            x=x, y=y, text=html.escape(marker.text), arrowhead=0, arrowwidth=1,
            arrowcolor="#374151", font={"size": LABEL_FONT_PX, "color": "#111827"}, xanchor="center", yanchor="middle",
            bgcolor="rgba(255,255,255,0.85)", borderpad=2, borderwidth=1, bordercolor="rgba(255,255,255,0)",
            name=f"zone-label:{r.zone_id}", **placement,
        )
    if credit:
        fig.add_annotation(x=0, y=0, xref="paper", yref="paper", yshift=-margin["b"] + 6, xanchor="left", yanchor="bottom",
                           text=html.escape(_(MAP_CREDIT)), showarrow=False, font={"size": 11, "color": PROVINCE_TEXT})
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


class ImagesUnavailable(RuntimeError):
    """No browser, or the browser failed or stalled: a document goes out without its pictures."""


# Chromium reaches out on its own even headless (update, sign-in and search hosts: DNS queries at
# every start, on top of Debian's --disable-background-networking). No image needs a host name:
# kaleido's page and plotly.js are local files.
OFFLINE_CHROMIUM_FLAGS = (
    "--disable-background-networking",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--no-pings",
    "--disable-domain-reliability",
)
# A bound on each step, so that a stalled browser can never park the caller (a CLI run, a
# session thread of the server): starting takes ~2 s, an image ~0.2 s (a 5,000-zone map ~1 s).
STEP_TIMEOUT_ENV = "SEZ_IMAGE_TIMEOUT_S"
DEFAULT_STEP_TIMEOUT_S = 30.0
# After a failure: how long closing the browser and its thread may take before they are left to die.
CLOSE_TIMEOUT_S = 5.0


def step_timeout_s() -> float:
    """Seconds one step (starting the browser, one image) may take; ``SEZ_IMAGE_TIMEOUT_S`` overrides."""
    try:
        value = float(os.environ.get(STEP_TIMEOUT_ENV, ""))
    except ValueError:
        return DEFAULT_STEP_TIMEOUT_S
    return value if value > 0 else DEFAULT_STEP_TIMEOUT_S


def browser_path() -> str | None:
    """The chromium kaleido would start (``BROWSER_PATH`` first, then PATH), if it is an executable file."""
    from choreographer.browsers.chromium import Chromium

    path = Chromium.find_browser(skip_local=True)
    return path if path and os.path.isfile(path) and os.access(path, os.X_OK) else None


def missing_browser() -> str | None:
    """Why documents will have no pictures, when no browser is installed (None when one is)."""
    if browser_path() is not None:
        return None
    where = os.environ.get("BROWSER_PATH")
    found = f"no browser at BROWSER_PATH={where}" if where else "chromium is not installed on this machine"
    return f"{found} (Debian: apt-get install chromium)"


def _offline_chromium_class():
    from choreographer.browsers.chromium import Chromium

    class OfflineChromium(Chromium):
        def get_cli(self):
            return [*super().get_cli(), *OFFLINE_CHROMIUM_FLAGS]

    return OfflineChromium


class _Browser:
    """One kaleido browser driven from its own thread and event loop, every call with a deadline.

    kaleido's own sync server waits without limit (a browser that never starts or stops answering
    parks its caller for ever). Here the caller waits at most ``timeout_s`` per step; on a failure
    the browser's process group is killed and the thread ends, so nothing is left waiting.
    """

    def __init__(self, path: str, timeout_s: float) -> None:
        import asyncio
        import logging

        # kaleido and choreographer log a failing browser as warnings and tracebacks; the caller
        # reports it once, in one line.
        for name in ("choreographer", "kaleido", "browser_proc"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        self.timeout_s = timeout_s
        self.broken: str | None = None
        self._kaleido = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="sez-image-browser", daemon=True)
        self._thread.start()
        self._call(self._open(path), "starting chromium")

    async def _open(self, path: str) -> None:
        import kaleido

        self._kaleido = kaleido.Kaleido(path=path, browser_cls=_offline_chromium_class(), mathjax=False, timeout=self.timeout_s)
        await self._kaleido.open()

    def _call(self, coroutine, what: str):
        import asyncio
        import concurrent.futures

        if self.broken:
            coroutine.close()
            raise ImagesUnavailable(self.broken)
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(self.timeout_s)
        except concurrent.futures.TimeoutError:  # close() cancels the stalled task
            self.broken = f"{what} took longer than {self.timeout_s:g} s"
        except Exception as exc:
            detail = exc.args[0] if exc.args and isinstance(exc.args[0], str) else type(exc).__name__
            self.broken = f"{what} failed: {detail.splitlines()[0] if detail else type(exc).__name__}"
        self.close()
        raise ImagesUnavailable(self.broken)

    def image(self, fig: dict, opts: dict) -> bytes:
        return self._call(self._kaleido.calc_fig(fig, opts=opts), "drawing an image")

    def _kill_process(self) -> None:
        import signal

        process = getattr(self._kaleido, "subprocess", None)
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # choreographer starts it in its own session
            except ProcessLookupError:
                pass

    async def _shut_down(self) -> None:
        """Cancel what is still running (a stalled render, kaleido's watchdog), then close the browser."""
        import asyncio

        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if self.broken:
            for task in others:
                task.cancel()
            self._kill_process()
        if self._kaleido is not None:
            try:
                await asyncio.wait_for(self._kaleido.close(), CLOSE_TIMEOUT_S)
            except (Exception, asyncio.CancelledError):  # best effort: the process is killed below anyway
                self._kill_process()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        if others:
            await asyncio.wait(others, timeout=CLOSE_TIMEOUT_S)
        for task in others:
            if task.done() and not task.cancelled():
                task.exception()  # already reported as the reason pictures are missing

    def close(self) -> None:
        """Close the browser (killing it if it does not close in time) and end the thread."""
        import asyncio
        import concurrent.futures

        if not self._thread.is_alive():
            return
        future = asyncio.run_coroutine_threadsafe(self._shut_down(), self._loop)
        try:
            future.result(3 * CLOSE_TIMEOUT_S)
        except (concurrent.futures.TimeoutError, Exception):
            self._kill_process()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(CLOSE_TIMEOUT_S)
        if not self._thread.is_alive():
            self._loop.close()


class _Exporter:
    """Figure → image bytes through the process's one image browser (calls serialised)."""

    _lock = threading.Lock()

    def __init__(self, browser: _Browser | None, problem: str | None) -> None:
        self._browser = browser
        self._problem = problem

    def image(self, fig: go.Figure, fmt: str = "png", *, width: int | None = None, height: int | None = None, scale: float = 1) -> bytes:
        """``fig`` as PNG or SVG bytes (size defaults to the figure's layout size).

        ``ImagesUnavailable`` without a browser, or when it fails or takes too long.
        """
        if self._browser is None:
            raise ImagesUnavailable(self._problem or "no browser")
        layout = fig.layout
        opts = {"format": fmt, "width": width or layout.width or 1000, "height": height or layout.height or 600, "scale": scale}
        # One caller at a time (one tab); a caller waits at most for the one image before it.
        if not self._lock.acquire(timeout=2 * self._browser.timeout_s + CLOSE_TIMEOUT_S):
            raise ImagesUnavailable("the image browser stayed busy")
        try:
            return self._browser.image(fig.to_plotly_json(), opts)
        finally:
            self._lock.release()


_session_lock = threading.Lock()
_sessions = 0
_browser: _Browser | None = None
_browser_problem: str | None = None


@contextmanager
def static_images() -> Iterator[_Exporter]:
    """Keep one browser open for every image rendered inside the block.

    Nested or concurrent blocks share the browser; the last one out closes it. Without a usable
    browser the block still runs: its ``image()`` raises ``ImagesUnavailable`` at once.
    """
    global _sessions, _browser, _browser_problem
    with _session_lock:
        if _sessions == 0:
            _browser, _browser_problem = None, None
            path = browser_path()
            if path is None:
                _browser_problem = missing_browser()
            else:
                try:
                    _browser = _Browser(path, step_timeout_s())
                except ImagesUnavailable as exc:
                    _browser_problem = str(exc)
        _sessions += 1
        exporter = _Exporter(_browser, _browser_problem)
    try:
        yield exporter
    finally:
        with _session_lock:
            _sessions -= 1
            if _sessions == 0 and _browser is not None:
                _browser.close()
                _browser = None
