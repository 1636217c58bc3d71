"""Geography: a zone's point should fall in its declared province (a warning: points may be approximate)."""

from __future__ import annotations

from pathlib import Path

from sez_metrics import geo
from sez_metrics.validate import validate_version

FIXTURES = Path(__file__).parent / "fixtures" / "validation"


def test_point_in_another_province_or_outside_all_is_a_warning_saying_where():
    report = validate_version({"zones.csv": (FIXTURES / "geo" / "province_mismatch.csv").read_bytes()})

    assert [(p.severity, p.code, p.line, p.column) for p in report.sorted()] == [
        ("warning", "province-mismatch", 2, "province"),
        ("warning", "province-mismatch", 3, "province"),
    ]
    assert report.ok
    in_other, offshore = report.sorted()
    assert 'lies in Khyber Pakhtunkhwa, 28.5 km from "Punjab"' in in_other.message
    assert "outside every province polygon" in offshore.message
    assert 'km from "Balochistan"' in offshore.message


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


def test_polygons_are_loaded_once():
    assert geo.province_polygons(geo.BASEMAP_PATH) is geo.province_polygons(geo.BASEMAP_PATH)


def test_unreadable_basemap_skips_the_check_with_a_warning(tmp_path, monkeypatch):
    (tmp_path / "basemap").mkdir()
    (tmp_path / "basemap" / "pakistan_admin1.geojson").write_text("{ not json")
    monkeypatch.setenv("SEZ_DATA_DIR", str(tmp_path))

    report = validate_version({"zones.csv": (FIXTURES / "valid" / "zones.csv").read_bytes()})

    assert [(p.severity, p.code, p.line) for p in report.problems] == [("warning", "geo-unavailable", 0)]
