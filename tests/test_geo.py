"""Geodesy and projection against known values; the polygons read once per file version; the
geography libraries kept off the import path of the modules that only sometimes need them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sez_metrics.core import geo
from sez_metrics.render import mapview

ROOT = Path(__file__).resolve().parents[1]

# Islamabad (33.6844 N, 73.0479 E) to Karachi (24.8607 N, 67.0011 E) on the WGS 84 ellipsoid:
# 1,140,378.884 m by Vincenty's inverse formula (1975; iterated to 1e-13 rad, written out
# independently of pyproj). On a sphere of mean radius (haversine) it would be 1,142.48 km.
ISLAMABAD_KARACHI_M = 1_140_378.884
HALF_WORLD_M = 20037508.342789244  # π × 6378137 m: EPSG:3857's x at 180° E


def test_islamabad_karachi_geodesic_distance_matches_vincenty():
    assert geo.geodesic_km(33.6844, 73.0479, 24.8607, 67.0011) == pytest.approx(ISLAMABAD_KARACHI_M / 1000, abs=0.001)
    assert geo.geodesic_km(24.8607, 67.0011, 33.6844, 73.0479) == pytest.approx(ISLAMABAD_KARACHI_M / 1000, abs=0.001)


def test_web_mercator_known_coordinates_and_inverse():
    assert geo.to_web_mercator(180.0, 0.0) == pytest.approx((HALF_WORLD_M, 0.0), abs=1e-6)
    assert geo.to_web_mercator(-180.0, 0.0) == pytest.approx((-HALF_WORLD_M, 0.0), abs=1e-6)
    # the square world's top edge
    assert geo.to_web_mercator(0.0, 85.0511287798)[1] == pytest.approx(HALF_WORLD_M, abs=0.01)
    # one degree of longitude is 1/180 of the half world; y at 45° N is R·ln(tan(67.5°)) = 5,621,521.486 m
    x, y = geo.to_web_mercator(1.0, 45.0)
    assert x == pytest.approx(HALF_WORLD_M / 180, abs=1e-6)
    assert y == pytest.approx(5_621_521.486, abs=0.001)
    # beyond the web map's edge: drawn at the edge, not at infinity
    assert geo.to_web_mercator(0.0, 90.0)[1] == pytest.approx(HALF_WORLD_M, abs=0.01)
    assert geo.from_web_mercator(x, y) == pytest.approx((1.0, 45.0), abs=1e-9)
    xs, ys = geo.to_web_mercator([60.8, 77.9], [23.5, 37.2])  # arrays in, arrays out
    assert np.allclose(geo.from_web_mercator(xs, ys), ([60.8, 77.9], [23.5, 37.2]))


def test_dashboard_map_world_pixels_are_the_same_projection():
    """deck.gl's zoom-0 world is 512 px wide: EPSG:3857 scaled, y down."""
    assert mapview.world_xy(0.0, 0.0) == pytest.approx((256.0, 256.0))
    assert mapview.world_xy(180.0, 85.0511287798) == pytest.approx((512.0, 0.0), abs=1e-6)
    x, y = geo.to_web_mercator(73.0479, 33.6844)
    assert mapview.world_xy(73.0479, 33.6844) == pytest.approx((256 * (1 + x / HALF_WORLD_M), 256 * (1 - y / HALF_WORLD_M)))
    view = mapview.fit_view([33.6844], [73.0479])
    assert (view.latitude, view.longitude) == pytest.approx((33.6844, 73.0479), abs=1e-4)


def test_polygons_are_read_again_when_the_file_changes(tmp_path):
    path = tmp_path / "provinces.geojson"
    doc = json.loads(geo.BASEMAP_PATH.read_text(encoding="utf-8"))
    path.write_text(json.dumps(doc), encoding="utf-8")
    first = geo.province_polygons(path)
    assert geo.province_polygons(path) is first  # same file version: read once
    assert "Sindh" in first

    doc["features"] = [f for f in doc["features"] if f["properties"]["name"] != "Sindh"]
    path.write_text(json.dumps(doc), encoding="utf-8")
    os.utime(path, ns=(1, 1))  # even a file with an older time and the same name is a new version
    again = geo.province_polygons(path)
    assert "Sindh" not in again and len(again) == len(first) - 1
    assert geo.provinces_at([24.86], [67.01], path) == [None]  # Karachi: no Sindh polygon any more


def test_missing_or_nameless_basemap_is_a_basemap_error(tmp_path):
    with pytest.raises(geo.BasemapError, match="provinces.geojson"):
        geo.province_polygons(tmp_path / "provinces.geojson")
    nameless = tmp_path / "nameless.geojson"
    nameless.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": 1}, "geometry": {"type": "Point", "coordinates": [70, 30]}}]}))
    with pytest.raises(geo.BasemapError, match='no "name" property'):
        geo.province_polygons(nameless)


def test_geopandas_and_pyproj_are_not_imported_until_the_geography_is_needed():
    """Importing the validator or the map module costs neither; a province check loads geopandas."""
    code = (
        "import sys\n"
        "import sez_metrics.core.validate, sez_metrics.render.maplayers, sez_metrics.render.static_map, sez_metrics.storage.synth\n"
        "print(sorted(m for m in ('geopandas', 'pyproj', 'pyogrio') if m in sys.modules))\n"
        "from sez_metrics.core import geo\n"
        "geo.provinces_at([31.55], [74.34])\n"
        "print(sorted(m for m in ('geopandas', 'pyproj', 'pyogrio') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.splitlines() == ["[]", "['geopandas', 'pyogrio', 'pyproj']"]


def test_pack_map_draws_in_the_same_web_mercator_as_the_dashboard(mini_store):
    """The static map's axes are EPSG:3857 metres, as many per pixel across as up, and every zone's
    marker sits at the projected point of its row."""
    from sez_metrics.render.static_map import zone_map_figure
    from sez_metrics.storage.folder import VersionStore

    dataset = VersionStore(mini_store).load().dataset
    fig = zone_map_figure(dataset.zones, dataset.status, width=1000, height=900)
    margin = fig.layout.margin
    plot_w, plot_h = 1000 - margin.l - margin.r, 900 - margin.t - margin.b
    (x0, x1), (y0, y1) = fig.layout.xaxis.range, fig.layout.yaxis.range
    assert (x1 - x0) / plot_w == pytest.approx((y1 - y0) / plot_h, rel=1e-9)
    drawn = {(round(x), round(y)) for trace in fig.data if trace.legendgroup == "stage" for x, y in zip(trace.x, trace.y, strict=True)}
    expected = {tuple(round(c) for c in geo.to_web_mercator(lon, lat)) for lon, lat in zip(dataset.zones["longitude"], dataset.zones["latitude"], strict=True)}
    assert drawn == expected
    assert x0 < min(x for x, _ in drawn) and max(x for x, _ in drawn) < x1
