"""Geography: a zone's point should fall in its declared province (a warning: points may be approximate)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from sez_metrics.core import geo, settings
from sez_metrics.core.validate import validate_version

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "validation"


def test_point_in_another_province_or_outside_all_beyond_its_precision_is_a_warning_saying_where():
    """Lines 2-3 lie beyond what their precision allows; line 4 (the ICT point near Rawat, 987 m into
    Punjab) is within an approximate point's few km, and line 5 (28.5 km into Khyber Pakhtunkhwa) is
    beyond even a town's 20 km."""
    report = validate_version({"zones.csv": (FIXTURES / "geo" / "point_outside_province.csv").read_bytes()})

    assert [(p.severity, p.code, p.line, p.column) for p in report.sorted()] == [
        ("warning", "point-outside-province", 2, "province"),
        ("warning", "point-outside-province", 3, "province"),
        ("warning", "point-outside-province", 6, "province"),
    ]
    assert report.ok
    in_other, offshore, town = report.sorted()
    assert ('lies in Khyber Pakhtunkhwa, 28.5 km outside "Punjab"; location precision: approximate '
            "(a point may be up to 5.0 km off)") in in_other.message
    assert 'lies in no province polygon, 141.0 km outside "Balochistan"; location precision: town' in offshore.message
    assert "location precision: town (a point may be up to 20.0 km off)" in town.message


@pytest.mark.parametrize(("lat", "lon", "warned_at"), [
    (33.49, 73.19, set()),  # ~1.0 km into Punjab: within every tolerance
    (33.47, 73.21, {"site"}),  # ~3.9 km
    (33.43, 73.25, {"site", "approximate"}),  # ~9.7 km
    (33.30, 73.36, {"site", "approximate", "town"}),  # ~27 km
])
def test_the_tolerance_follows_the_stated_precision(lat, lon, warned_at):
    """The same point south-east of Islamabad, declared in ICT, stated as a surveyed site, a point
    near the zone or the nearest town: it is news only beyond what its precision allows."""
    header = (FIXTURES / "geo" / "point_outside_province.csv").read_text().splitlines()[0]
    for precision in settings.LOCATION_TOLERANCE_KM:
        row = f"ict_miz,ICT zone,ICT,Islamabad Capital Territory,Islamabad,{lat},{lon},{precision},1000,,CPEC,false,"
        report = validate_version({"zones.csv": f"{header}\n{row}\n".encode()})
        codes = [p.code for p in report.warnings]
        assert codes == (["point-outside-province"] if precision in warned_at else []), (lat, lon, precision)


def test_shipped_ict_point_lies_over_the_line_but_within_its_precision():
    """The ICT point is Rawat town, 987 m (geodesic) inside Punjab; the site near Rawat is not
    published, so the point is stated as the nearest town and the validator does not warn."""
    latest = sorted((ROOT / "data" / "versions").iterdir())[-1]
    zones = (latest / "zones.csv").read_bytes()
    report = validate_version({"zones.csv": zones})

    assert report.warnings == []
    assert b"ict_miz," in zones and b",33.49,73.19,town," in zones
    assert 0.9 < geo.distance_to_province_km(33.49, 73.19, "Islamabad Capital Territory") < 1.0
    claimed_site = zones.replace(b",33.49,73.19,town,", b",33.49,73.19,site,")
    assert validate_version({"zones.csv": claimed_site}).warnings == []  # 987 m: within a site's 1 km
    assert settings.LOCATION_TOLERANCE_KM["site"] == 1.0


def test_provincial_capitals_fall_in_their_provinces():
    cities = {  # (lat, lon)
        "Punjab": (31.55, 74.34),  # Lahore
        "Sindh": (24.86, 67.01),  # Karachi
        "Balochistan": (30.18, 67.00),  # Quetta
        "Khyber Pakhtunkhwa": (34.01, 71.58),  # Peshawar
        "Islamabad Capital Territory": (33.69, 73.05),
    }
    lats, lons = zip(*cities.values(), strict=True)

    assert geo.provinces_at(lats, lons) == list(cities)


def test_distance_to_province_is_zero_inside_and_grows_outside():
    assert geo.distance_to_province_km(31.55, 74.34, "Punjab") == 0.0
    assert 400 < geo.distance_to_province_km(24.86, 67.01, "Punjab") < 500  # Karachi to the Punjab border


@pytest.mark.parametrize(("lat", "lon", "province"), [
    (33.49, 73.19, "Islamabad Capital Territory"),  # ~1 km: the shipped ICT point
    (34.119, 72.022, "Punjab"),  # ~28 km, north-west of the border
    (23.9, 64.5, "Balochistan"),  # offshore, ~141 km
])
def test_distance_to_province_is_the_geodesic_minimum_over_its_border(lat, lon, province):
    """The nearest point is nearest on the ellipsoid: no point of the densified border (every ~50 m)
    is closer, measured geodesically; and the nearest point lies on the border."""
    nearest = geo.nearest_in_province(lat, lon, province)
    polygon = geo.province_polygons()[province]
    assert polygon.boundary.distance(shapely.Point(nearest.lon, nearest.lat)) < 1e-6
    border = shapely.get_coordinates(shapely.segmentize(polygon.boundary, 0.0005))
    brute = geo.geodesic_km(np.full(len(border), lat), np.full(len(border), lon), border[:, 1], border[:, 0]).min()
    assert nearest.distance_km <= brute + 1e-6
    assert brute - nearest.distance_km < 0.05


def test_polygons_are_loaded_once():
    assert geo.province_polygons(geo.BASEMAP_PATH) is geo.province_polygons(geo.BASEMAP_PATH)


def test_unreadable_basemap_skips_the_check_with_a_warning(tmp_path, monkeypatch):
    (tmp_path / "basemap").mkdir()
    (tmp_path / "basemap" / "pakistan_admin1.geojson").write_text("{ not json")
    monkeypatch.setenv("SEZ_DATA_DIR", str(tmp_path))

    report = validate_version({"zones.csv": (FIXTURES / "valid" / "zones.csv").read_bytes()})

    assert [(p.severity, p.code, p.line) for p in report.problems] == [("warning", "geo-unavailable", 0)]
    message = report.problems[0].message
    assert "pakistan_admin1.geojson: not recognized as being in a supported file format (expected a GeoJSON FeatureCollection)" in message
    assert "DRIVER" not in message  # GDAL's advice on drivers means nothing to a steward


def test_nearest_point_takes_numpy_numbers_as_it_takes_floats():
    """numpy's repr ("np.float64(33.49)") must not reach the projection's definition."""
    plain = geo.nearest_in_province(33.49, 73.19, "Islamabad Capital Territory")
    assert geo.nearest_in_province(np.float64(33.49), np.float64(73.19), "Islamabad Capital Territory") == plain
    assert plain.distance_km == pytest.approx(0.987, abs=0.001)


def test_distances_of_points_all_over_the_country_match_a_brute_force_geodesic_minimum():
    """Far and near points, every province: within 20 m of the minimum over the border densified to ~50 m."""
    rng = np.random.default_rng(3)
    polygons = geo.province_polygons()
    names = sorted(polygons)
    borders = {n: shapely.get_coordinates(shapely.segmentize(polygons[n].boundary, 0.0005)) for n in names}
    for lat, lon, name in zip(rng.uniform(23.7, 37.0, 24), rng.uniform(60.9, 77.0, 24), rng.choice(names, 24), strict=True):
        got = geo.distance_to_province_km(lat, lon, name)
        border = borders[name]
        if got == 0:
            assert geo.provinces_at([lat], [lon])[0] is not None
            continue
        brute = geo.geodesic_km(np.full(len(border), lat), np.full(len(border), lon), border[:, 1], border[:, 0]).min()
        assert got == pytest.approx(brute, abs=0.02), (lat, lon, name)
