"""Where a zone's point lies: the offline province polygons and point-in-province checks.

The polygons (``data/basemap/pakistan_admin1.geojson``, Natural Earth, simplified) carry a
``name`` property equal to our province codes. They are approximate (hundreds of metres), and so
are many zone points: callers treat a mismatch as a warning, never as an error.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.ops import nearest_points

from sez_metrics import settings

BASEMAP_FILE = Path("basemap") / "pakistan_admin1.geojson"
BASEMAP_PATH = settings.DEFAULT_DATA_DIR / BASEMAP_FILE
EARTH_RADIUS_KM = 6371.0088


def basemap_path() -> Path:
    """The polygons of the data folder in use (``SEZ_DATA_DIR``), else those shipped in the repository."""
    candidate = settings.data_dir() / BASEMAP_FILE
    return candidate if candidate.is_file() else BASEMAP_PATH


class BasemapError(Exception):
    """The province polygons cannot be read."""


@lru_cache(maxsize=4)
def province_polygons(path: Path = BASEMAP_PATH) -> dict[str, shapely.Geometry]:
    """Province name → (multi)polygon in lon/lat, read once per process; prepared for fast tests."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        polygons = {str(f["properties"]["name"]): shape(f["geometry"]) for f in doc["features"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError, shapely.errors.ShapelyError) as exc:
        raise BasemapError(f"{path}: {exc}") from exc
    for polygon in polygons.values():
        shapely.prepare(polygon)
    return polygons


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def provinces_at(latitudes, longitudes, path: Path = BASEMAP_PATH) -> list[str | None]:
    """The province each point falls in (a point on a shared border takes the first), or None."""
    lat = np.asarray(latitudes, dtype=float)
    lon = np.asarray(longitudes, dtype=float)
    found: list[str | None] = [None] * len(lat)
    for name, polygon in province_polygons(path).items():
        for i in np.flatnonzero(shapely.intersects_xy(polygon, lon, lat)):
            if found[i] is None:
                found[i] = name
    return found


def distance_to_province_km(latitude: float, longitude: float, province: str, path: Path = BASEMAP_PATH) -> float:
    """Distance from a point to the nearest edge of ``province`` (0 inside), in kilometres.

    The nearest point is found in degrees, then measured on the sphere: close enough for a
    warning that says "12 km from Sindh".
    """
    polygon = province_polygons(path)[province]
    point = shapely.Point(longitude, latitude)
    if polygon.intersects(point):
        return 0.0
    nearest = nearest_points(polygon, point)[0]
    return haversine_km(latitude, longitude, nearest.y, nearest.x)


@dataclass(frozen=True)
class ProvinceMismatch:
    """A point that does not fall in its declared province."""

    index: int
    declared: str
    found: str | None
    distance_km: float


def province_mismatches(latitudes, longitudes, declared, path: Path = BASEMAP_PATH) -> list[ProvinceMismatch]:
    """Every point (by position) outside its declared province, with where it lies instead.

    Declared names that are not polygons (invalid codes, reported elsewhere) are skipped.
    """
    polygons = province_polygons(path)
    lat = np.asarray(latitudes, dtype=float)
    lon = np.asarray(longitudes, dtype=float)
    want = np.asarray(declared, dtype=object)
    outside = np.zeros(len(lat), dtype=bool)
    for name, polygon in polygons.items():
        mine = want == name
        outside[mine] = ~shapely.intersects_xy(polygon, lon[mine], lat[mine])
    positions = np.flatnonzero(outside)
    found = provinces_at(lat[positions], lon[positions], path)
    return [
        ProvinceMismatch(int(i), str(want[i]), got, distance_to_province_km(float(lat[i]), float(lon[i]), str(want[i]), path))
        for i, got in zip(positions, found, strict=True)
    ]
