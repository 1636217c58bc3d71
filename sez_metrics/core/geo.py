"""Where a zone's point lies: the offline province polygons, point-in-province checks, distances on
the ellipsoid and the Web-Mercator projection of the maps.

The polygons (``data/basemap/pakistan_admin1.geojson``, Natural Earth, simplified) carry a
``name`` property equal to our province codes. They are approximate (hundreds of metres), and so
are many zone points: callers treat a mismatch as a warning, never as an error.

The geography is done by the field's libraries: geopandas reads the polygons (pyogrio engine,
once per file version), a spatial index (STRtree) finds the province of each point, distances are
measured on the WGS 84 ellipsoid by pyproj, and both maps (dashboard and briefing pack) project
through the one pyproj transformer here. geopandas and pyproj are imported when first needed: a
process that never looks at the geography does not pay for them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely
import shapely.ops

from sez_metrics.core import settings

if TYPE_CHECKING:
    import geopandas

BASEMAP_FILE = Path("basemap") / "pakistan_admin1.geojson"
BASEMAP_PATH = settings.DEFAULT_DATA_DIR / BASEMAP_FILE
WGS84 = "EPSG:4326"
WEB_MERCATOR = "EPSG:3857"
# EPSG:3857 spans ±π × 6378137 m in x; y reaches the same value at this latitude (the square
# world of web maps), beyond which the projection runs to infinity.
WEB_MERCATOR_HALF_WORLD_M = 20037508.342789244
WEB_MERCATOR_MAX_LAT = 85.0511287798066


def basemap_path(data_root: Path | None = None) -> Path:
    """The polygons of ``data_root`` (default: the data folder in use, ``settings.basemap_dir``), else those
    shipped in the repository. The one rule for every reader: validator, dashboard map, pack map."""
    candidate = Path(data_root if data_root is not None else settings.basemap_dir()) / BASEMAP_FILE
    return candidate if candidate.is_file() else BASEMAP_PATH


class BasemapError(Exception):
    """The province polygons cannot be read."""


# --- the polygons ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Provinces:
    """The province polygons of one basemap file: a GeoDataFrame indexed by name, and a dict view."""

    frame: geopandas.GeoDataFrame  # index: province name; CRS EPSG:4326
    polygons: dict[str, shapely.Geometry]
    geojson: dict  # the same features as a GeoJSON FeatureCollection (property "name"), for the web map


def _file_key(path: Path) -> tuple[str, int, int]:
    try:
        stat = Path(path).stat()
    except OSError as exc:
        raise BasemapError(f"{path}: {exc.strerror or exc}") from exc
    return str(path), stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=4)
def _read_provinces(path: str, mtime_ns: int, size: int) -> Provinces:
    """Read once per file version (path, modification time, size): a replaced file is read again."""
    import geopandas
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        frame = geopandas.read_file(path, engine="pyogrio")
    except (OSError, ValueError, DataSourceError, DataLayerError) as exc:
        # GDAL's first sentence, without the path it repeats or its advice on drivers
        reason = str(exc).split(";")[0].replace(f"'{path}' ", "").strip().rstrip(".") or type(exc).__name__
        raise BasemapError(f"{path}: {reason} (expected a GeoJSON FeatureCollection)") from exc
    if "name" not in frame.columns:
        raise BasemapError(f"{path}: the features have no \"name\" property (the province code)")
    if frame.crs is None:
        frame = frame.set_crs(WGS84)  # GeoJSON is lon/lat on WGS 84 by definition (RFC 7946)
    elif not frame.crs.equals(WGS84):
        frame = frame.to_crs(WGS84)
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    frame = frame.assign(name=frame["name"].astype(str)).set_index("name")[["geometry"]]
    geometries = frame.geometry.to_numpy()
    shapely.prepare(geometries)  # in place: point tests on these polygons reuse the preparation
    geojson = frame.reset_index().to_geo_dict(drop_id=True)
    return Provinces(frame, dict(zip(frame.index, geometries, strict=True)), geojson)


def provinces(path: Path = BASEMAP_PATH) -> Provinces:
    """The province polygons of ``path`` (read on first use and when the file changes)."""
    return _read_provinces(*_file_key(path))


def province_polygons(path: Path = BASEMAP_PATH) -> dict[str, shapely.Geometry]:
    """Province name → (multi)polygon in lon/lat, prepared for fast point tests."""
    return provinces(path).polygons


@dataclass(frozen=True)
class _Join:
    """Points joined with the provinces containing them (their border included)."""

    point_at: np.ndarray  # one pair per (point, province containing it)
    province_at: np.ndarray
    names: np.ndarray  # province names, in file order

    def first(self, count: int) -> list[str | None]:
        """For each of ``count`` points, the first province (file order) containing it, or None."""
        first = np.full(count, len(self.names))
        np.minimum.at(first, self.point_at, self.province_at)
        return [None if j == len(self.names) else str(self.names[j]) for j in first.tolist()]


def _join(lat: np.ndarray, lon: np.ndarray, path: Path) -> _Join:
    """The spatial join of points with the province polygons, through an STRtree of the points.

    The polygons are the query side: GEOS prepares each polygon once and tests the points against
    it (the other way round, 5,000 points cost ~70 ms instead of ~3 ms).
    """
    import geopandas

    frame = provinces(path).frame
    points = geopandas.GeoSeries(geopandas.points_from_xy(lon, lat), crs=WGS84)
    province_at, point_at = points.sindex.query(frame.geometry, predicate="intersects")
    return _Join(point_at, province_at, np.asarray(frame.index, dtype=object))


def provinces_at(latitudes, longitudes, path: Path = BASEMAP_PATH) -> list[str | None]:
    """The province each point falls in (a point on a shared border takes the first), or None."""
    lat = np.asarray(latitudes, dtype=float)
    lon = np.asarray(longitudes, dtype=float)
    return _join(lat, lon, path).first(len(lat))


# --- distances ---------------------------------------------------------------------------------


@functools.cache
def _geod():
    from pyproj import Geod

    return Geod(ellps="WGS84")


def geodesic_km(lat1, lon1, lat2, lon2):
    """Distance along the WGS 84 ellipsoid (Karney's geodesic, pyproj), in kilometres; arrays or scalars."""
    _, _, metres = _geod().inv(lon1, lat1, lon2, lat2)
    return metres / 1000


def _equidistant_from(lat: float, lon: float):
    """A transformer lon/lat → azimuthal equidistant metres centred on the point: distances *from the
    centre* are true ellipsoidal distances there. (A PROJ pipeline: building it takes microseconds,
    where a CRS-to-CRS search takes ~20 ms.)"""
    from pyproj import Transformer

    return Transformer.from_pipeline(
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
        f"+step +proj=aeqd +lat_0={float(lat)!r} +lon_0={float(lon)!r} +ellps=WGS84"
    )


def _transformed(geometry: shapely.Geometry, transform: Callable) -> shapely.Geometry:
    return shapely.transform(geometry, lambda xy: np.column_stack(transform(xy[:, 0], xy[:, 1])))


@dataclass(frozen=True)
class Nearest:
    """The point of a province nearest to a point outside it, and how far it is."""

    distance_km: float
    lat: float
    lon: float


def nearest_in_province(latitude: float, longitude: float, province: str, path: Path = BASEMAP_PATH) -> Nearest:
    """The point of ``province`` nearest to the given one on the ellipsoid (the point itself inside)."""
    return _nearest(province_polygons(path)[province], float(latitude), float(longitude))


def _nearest(polygon: shapely.Geometry, latitude: float, longitude: float) -> Nearest:
    """The border of ``polygon`` is projected to an azimuthal equidistant plane centred on the point,
    where the plane distance from the centre is the geodesic distance; the nearest point found there
    is measured again with ``geodesic_km``. Only the part of the border that can hold the nearest
    point is projected (projecting costs ~5 µs a vertex): the part no farther than the border point
    nearest in degrees.
    """
    if shapely.intersects_xy(polygon, longitude, latitude):
        return Nearest(0.0, latitude, longitude)
    border = shapely.boundary(polygon)
    rough = shapely.ops.nearest_points(border, shapely.Point(longitude, latitude))[0]
    reach_km = float(geodesic_km(latitude, longitude, rough.y, rough.x))  # the nearest point is no farther
    border = shapely.clip_by_rect(border, *_geodesic_disc_bounds(latitude, longitude, reach_km))
    # GeoJSON edges are straight in lon/lat (RFC 7946), not in the plane: a vertex every 0.1° keeps
    # the difference under ~2 m
    border = shapely.segmentize(border, 0.1)
    plane = _equidistant_from(latitude, longitude)
    near = shapely.ops.nearest_points(_transformed(border, plane.transform), shapely.Point(0.0, 0.0))[0]
    lon, lat = plane.transform(near.x, near.y, direction="INVERSE")
    return Nearest(float(geodesic_km(latitude, longitude, lat, lon)), float(lat), float(lon))


def _geodesic_disc_bounds(latitude: float, longitude: float, radius_km: float) -> tuple[float, float, float, float]:
    """(west, south, east, north) around every point within ``radius_km`` of the given one: the box of
    36 points at 1.1 × the radius (and 100 m more) in every 10° of azimuth."""
    azimuths = np.arange(0.0, 360.0, 10.0)
    lons, lats, _ = _geod().fwd(np.full(36, longitude), np.full(36, latitude), azimuths,
                                np.full(36, radius_km * 1100.0 + 100.0))
    return float(lons.min()), float(lats.min()), float(lons.max()), float(lats.max())


def distance_to_province_km(latitude: float, longitude: float, province: str, path: Path = BASEMAP_PATH) -> float:
    """Geodesic distance from a point to the nearest point of ``province`` (0 inside), in kilometres."""
    return nearest_in_province(latitude, longitude, province, path).distance_km


@dataclass(frozen=True)
class ProvinceMismatch:
    """A point that does not fall in its declared province."""

    index: int
    declared: str
    found: str | None
    distance_km: float  # geodesic, to the nearest point of the declared province


def province_mismatches(latitudes, longitudes, declared, path: Path = BASEMAP_PATH) -> list[ProvinceMismatch]:
    """Every point (by position) outside its declared province, with where it lies instead.

    One spatial join for all points; distances only for the points outside. Declared names that
    are not polygons (invalid codes, reported elsewhere) are skipped.
    """
    lat = np.asarray(latitudes, dtype=float)
    lon = np.asarray(longitudes, dtype=float)
    want = np.asarray(declared, dtype=object)
    join = _join(lat, lon, path)
    inside = np.zeros(len(lat), dtype=bool)
    inside[join.point_at[join.names[join.province_at] == want[join.point_at]]] = True
    outside = np.flatnonzero(np.isin(want, join.names) & ~inside)
    found = join.first(len(lat))
    polygons = province_polygons(path)
    return [
        ProvinceMismatch(i, str(want[i]), found[i], _nearest(polygons[str(want[i])], float(lat[i]), float(lon[i])).distance_km)
        for i in outside.tolist()
    ]


# --- Web Mercator ----------------------------------------------------------------------------


@functools.cache
def _web_mercator():
    from pyproj import Transformer

    return Transformer.from_crs(WGS84, WEB_MERCATOR, always_xy=True)


def to_web_mercator(lon, lat):
    """(x, y) in EPSG:3857 metres of lon/lat degrees (scalars or arrays); latitudes beyond the web
    map's edge (±85.05°) are drawn at the edge."""
    lat = np.clip(np.asarray(lat, dtype=float), -WEB_MERCATOR_MAX_LAT, WEB_MERCATOR_MAX_LAT)
    x, y = _web_mercator().transform(np.asarray(lon, dtype=float), lat)
    return (float(x), float(y)) if np.ndim(x) == 0 else (x, y)


def from_web_mercator(x, y):
    """(lon, lat) in degrees of EPSG:3857 metres (scalars or arrays)."""
    lon, lat = _web_mercator().transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float), direction="INVERSE")
    return (float(lon), float(lat)) if np.ndim(lon) == 0 else (lon, lat)


def geometry_to_web_mercator(geometry: shapely.Geometry) -> shapely.Geometry:
    """A lon/lat geometry in EPSG:3857 metres."""
    return _transformed(geometry, to_web_mercator)
