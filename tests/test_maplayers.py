"""The zone map: offline deck, layer ids, markers by measure/area/precision, view fitting, labels, tooltips."""

from __future__ import annotations

import base64
import io
import json
import math
import re

import pandas as pd
import pytest
import shapely
from PIL import Image
from shapely.geometry import shape
from shapely.ops import polylabel

from sez_metrics.core import geo, palette, schema
from sez_metrics.render import mapbasemap, maplabels, maplayers, mapmarkers, mappoints, mapview
from sez_metrics.storage.folder import VersionStore

BASEMAP = geo.BASEMAP_PATH
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def latest(mini_store):
    return VersionStore(mini_store).load().dataset


@pytest.fixture
def basemap():
    return mapbasemap.load_basemap(BASEMAP)


def _deck_json(deck) -> dict:
    return json.loads(deck.to_json())


def _layer(spec: dict, layer_id: str) -> dict:
    return next(layer for layer in spec["layers"] if layer["id"] == layer_id)


def test_offline_deck_names_no_map_provider_style_or_url(latest, basemap):
    points = mappoints.zone_points(latest.zones, latest.status, mapmarkers.MEASURES["stage"])
    deck = maplayers.build_deck(points, basemap=basemap)
    text = deck.to_json()
    spec = json.loads(text)
    assert "mapProvider" not in spec
    # pydeck's "no style given" sentinel, which Streamlit drops; any real style would be fetched.
    assert spec.get("mapStyle") in (None, "__MAP_STYLE__")
    assert not re.search(r"https?://", text)


def test_online_basemap_is_an_explicit_opt_in(latest, basemap):
    points = mappoints.zone_points(latest.zones, latest.status, mapmarkers.MEASURES["stage"])
    spec = _deck_json(maplayers.build_deck(points, basemap=basemap, online=True))
    assert spec["mapProvider"] == "carto" and "cartocdn" in spec["mapStyle"]
    assert mapbasemap.online_basemap_requested({}) is False
    assert mapbasemap.online_basemap_requested({"SEZ_ONLINE_BASEMAP": "1"}) is True
    assert mapbasemap.online_basemap_requested({"SEZ_ONLINE_BASEMAP": "0"}) is False


def test_every_layer_has_an_id_and_only_zones_are_pickable(latest, basemap):
    points = mappoints.zone_points(latest.zones, latest.status, mapmarkers.MEASURES["stage"])
    spec = _deck_json(maplayers.build_deck(points, basemap=basemap, selected_zone="aiic"))
    ids = [layer["id"] for layer in spec["layers"]]
    assert ids == ["provinces", "province-labels", "zone-rings", "zones", "zone-selected", "zone-labels"]
    assert [layer["id"] for layer in spec["layers"] if layer.get("pickable")] == ["zones"]
    provinces = _layer(spec, "provinces")
    assert provinces["@@type"] == "BitmapLayer"
    assert provinces["image"].startswith("data:image/png;base64,")  # a URL, not turned into an accessor
    assert provinces["bounds"] == list(mapbasemap.basemap_bounds(basemap))
    assert [p["zone_id"] for p in _layer(spec, "zone-selected")["data"]] == ["aiic"]


def test_constant_strings_are_not_turned_into_accessors(latest, basemap):
    points = mappoints.zone_points(latest.zones, latest.status, mapmarkers.MEASURES["stage"])
    spec = _deck_json(maplayers.build_deck(points, basemap=basemap))
    zones, labels = _layer(spec, "zones"), _layer(spec, "zone-labels")
    assert zones["radiusUnits"] == "pixels" and zones["lineWidthUnits"] == "pixels"
    assert labels["characterSet"] == "auto" and not labels["fontFamily"].startswith("@@=")
    assert zones["getFillColor"] == "@@=fill_color"  # a real accessor stays one


def test_all_zones_are_in_the_scatter_layer(latest, basemap):
    points = mappoints.zone_points(latest.zones, latest.status, mapmarkers.MEASURES["gas"])
    spec = _deck_json(maplayers.build_deck(points, basemap=basemap))
    assert {p["zone_id"] for p in _layer(spec, "zones")["data"]} == set(latest.zones["zone_id"])


@pytest.mark.parametrize("measure", list(mapmarkers.MEASURES))
def test_marker_colour_follows_the_measure(latest, measure):
    chosen = mapmarkers.MEASURES[measure]
    points = {p["zone_id"]: p for p in mappoints.zone_points(latest.zones, latest.status, chosen)}
    for row in latest.status.itertuples(index=False):
        value = getattr(row, chosen.column)
        if chosen.enum is None and row.stage == "identified":
            expected = palette.GREY  # no land yet: colonization does not apply, no colour of a share
        elif chosen.enum is None:
            expected = palette.COLONIZATION_RAMP[palette.colonization_class(value)]
        else:
            expected = (palette.STAGE_COLOURS if measure == "stage" else palette.UTILITY_COLOURS)[value]
        point = points[row.zone_id]
        # every marker is filled with its colour, opaque, whatever its precision
        assert point["fill_color"] == [*palette.hex_to_rgb(expected), 255], row.zone_id


def test_labels_carry_the_symbol_so_colour_is_not_the_only_cue(latest):
    points = {p["zone_id"]: p for p in mappoints.zone_points(latest.zones, latest.status, mapmarkers.MEASURES["gas"])}
    assert points["rashakai"]["label"] == f"{schema.UTILITY_STAGE.symbol('connected')} Rashakai"
    points = {p["zone_id"]: p for p in mappoints.zone_points(latest.zones, latest.status, mapmarkers.MEASURES["colonization"])}
    assert points["aiic"]["label"] == "AIIC Faisalabad · 33 %"


def test_precision_is_drawn_differently():
    zones = pd.DataFrame(
        {
            "zone_id": ["a", "b", "c"], "short_name": ["A", "B", "C"], "name": ["A", "B", "C"], "province": ["Sindh"] * 3,
            "latitude": [25.0, 26.0, 27.0], "longitude": [67.0, 68.0, 69.0],
            "location_precision": ["site", "approximate", "town"], "area_acres": [100.0, 100.0, 100.0],
        }
    )
    status = pd.DataFrame(columns=["zone_id"])
    site, approximate, town = mappoints.zone_points(zones, status, mapmarkers.MEASURES["stage"])
    # the same filled disk with the same edge; precision is the number of rings around it
    assert site["fill_color"] == approximate["fill_color"] == town["fill_color"]
    assert site["fill_color"][3] == 255 and site["line_color"][:3] == mapmarkers.OUTLINE
    assert (len(site["rings_px"]), len(approximate["rings_px"]), len(town["rings_px"])) == (0, 1, 2)
    assert all(r > site["radius_px"] for r in town["rings_px"])  # outside the disk: they hide none of its colour
    assert site["stage_text"] == "not reported"  # a zone without a status row still draws
    assert [e.shape for e in mapmarkers.precision_legend()] == ["disk", "ring", "two-rings"]
    spec = _deck_json(maplayers.build_deck([site, approximate, town], basemap=None))
    assert sorted(r["r"] for r in _layer(spec, "zone-rings")["data"]) == sorted([*approximate["rings_px"], *town["rings_px"]])


def test_dense_map_shows_precision_by_the_markers_edge():
    zones = pd.DataFrame(
        {
            "zone_id": [f"z{i}" for i in range(90)], "short_name": ["Z"] * 90, "name": ["Z"] * 90, "province": ["Sindh"] * 90,
            "latitude": [25.0] * 90, "longitude": [67.0] * 90,
            "location_precision": ["site", "approximate", "town"] * 30, "area_acres": [100.0] * 90,
        }
    )
    site, approximate, town = mappoints.zone_points(zones, pd.DataFrame(columns=["zone_id"]), mapmarkers.MEASURES["stage"])[:3]
    assert site["fill_color"] == approximate["fill_color"] == town["fill_color"]
    assert site["line_color"][:3] == mapmarkers.OUTLINE and approximate["line_color"][:3] == [255, 255, 255]
    assert town["line_width_px"] > approximate["line_width_px"]
    assert not site["rings_px"] and not town["rings_px"]
    assert [e.shape for e in mapmarkers.precision_legend(dense=True)] == ["edge-dark", "edge-white", "edge-white-wide"]


def test_marker_size_is_sqrt_of_area_with_a_minimum():
    assert mapmarkers.marker_radius(3217, 3217) == mapmarkers.MAX_RADIUS_PX
    assert mapmarkers.marker_radius(3217 / 4, 3217) == pytest.approx(mapmarkers.MAX_RADIUS_PX / 2)
    assert mapmarkers.marker_radius(1, 3217) == mapmarkers.MIN_RADIUS_PX
    assert mapmarkers.marker_radius(math.nan, 3217) == mapmarkers.MIN_RADIUS_PX


def test_view_fits_all_zones():
    lats, lons = [24.8, 36.3, 30.4], [67.3, 74.6, 67.0]
    view = mapview.fit_view(lats, lons)
    assert 24.8 < view.latitude < 36.3 and 67.0 < view.longitude < 74.6
    scale = 2**view.zoom
    xs = [mapview.world_xy(lo, la)[0] * scale for la, lo in zip(lats, lons, strict=True)]
    ys = [mapview.world_xy(lo, la)[1] * scale for la, lo in zip(lats, lons, strict=True)]
    assert max(xs) - min(xs) <= mapview.VIEW_WIDTH_PX and max(ys) - min(ys) <= mapview.VIEW_HEIGHT_PX


def test_view_of_one_zone_is_centred_and_not_infinitely_zoomed():
    view = mapview.fit_view([34.119], [72.022])
    assert (view.latitude, view.longitude) == pytest.approx((34.119, 72.022), abs=1e-3)
    assert view.zoom == 9.0
    empty = mapview.fit_view([], [])
    assert 3 <= empty.zoom <= 6


def test_labels_do_not_overlap_each_other_or_leave_the_initial_view(latest):
    points = mappoints.zone_points(latest.zones, latest.status, mapmarkers.MEASURES["stage"])
    view = mapview.fit_view([p["lat"] for p in points], [p["lon"] for p in points])
    placed = maplayers.place_labels(points, view)
    assert len(placed) == len(points)
    boxes = [p["label_box"] for p in placed]
    for i in range(len(boxes)):
        assert 0 <= boxes[i][0] and boxes[i][2] <= mapview.VIEW_WIDTH_PX and 0 <= boxes[i][1] and boxes[i][3] <= mapview.VIEW_HEIGHT_PX
        for j in range(i + 1, len(boxes)):
            assert not maplabels.intersects(boxes[i], boxes[j])


def test_the_selected_zone_is_labelled_first(latest):
    points = mappoints.zone_points(latest.zones, latest.status, mapmarkers.MEASURES["stage"])
    smallest = min(points, key=lambda p: p["outer_radius_px"])["zone_id"]
    assert maplayers.label_order(points, smallest)[0] == next(i for i, p in enumerate(points) if p["zone_id"] == smallest)
    by_size = maplayers.label_order(points)
    assert [points[i]["outer_radius_px"] for i in by_size] == sorted((p["outer_radius_px"] for p in points), reverse=True)


def test_province_labels_lie_inside_their_province(basemap):
    labels = mapbasemap.province_labels(basemap, zoom=5.0)
    shapes = {f["properties"]["name"]: shape(f["geometry"]) for f in basemap["features"]}
    assert {"Punjab", "Sindh", "Balochistan", "Khyber Pakhtunkhwa"} <= {label["name"] for label in labels}
    for label in labels:
        assert shapes[label["name"]].contains(shapely.Point(label["lon"], label["lat"]))


def _decoded(image: mapbasemap.BasemapImage) -> Image.Image:
    assert image.url.startswith("data:image/png;base64,")
    decoded = Image.open(io.BytesIO(base64.b64decode(image.url.split(",", 1)[1])))
    assert decoded.size == (image.width_px, image.height_px)
    return decoded.convert("RGBA")


def _pixel_of(image: mapbasemap.BasemapImage, lon: float, lat: float) -> tuple[int, int]:
    """Where (lon, lat) falls in the image: x linear in longitude, y linear in Web-Mercator y."""
    west, south, east, north = image.bounds
    x0, y1 = mapview.world_xy(west, south)
    x1, y0 = mapview.world_xy(east, north)
    x, y = mapview.world_xy(lon, lat)
    return (min(image.width_px - 1, int((x - x0) / (x1 - x0) * image.width_px)),
            min(image.height_px - 1, int((y - y0) / (y1 - y0) * image.height_px)))


def _near(colour, expected, tolerance=12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


def test_basemap_image_draws_each_province_where_the_map_projects_it(basemap):
    """Inside every province: the fill; outside the country: transparent; on a shared border: the border grey."""
    image = mapbasemap.basemap_image(basemap)
    pixels = _decoded(image)
    assert image.bounds == mapbasemap.basemap_bounds(basemap)
    shapes = {f["properties"]["name"]: shape(f["geometry"]) for f in basemap["features"]}
    for name, province in shapes.items():
        # a point well inside (the pole of inaccessibility of the largest part), away from any border
        inside = polylabel(max(getattr(province, "geoms", [province]), key=lambda g: g.area), tolerance=0.01)
        assert _near(pixels.getpixel(_pixel_of(image, inside.x, inside.y)), (*mapbasemap.BASEMAP_FILL, 255)), name
    country = shapely.union_all(list(shapes.values()))
    for lon, lat in ((62.0, 33.5), (76.5, 24.5), (61.0, 36.5)):  # Afghanistan, India, Turkmenistan side
        assert not country.buffer(0.2).contains(shapely.Point(lon, lat))
        assert pixels.getpixel(_pixel_of(image, lon, lat))[3] == 0, (lon, lat)
    border = shapes["Sindh"].boundary.intersection(shapes["Balochistan"].boundary)
    on_border = border.interpolate(0.5, normalized=True)
    drawn = pixels.getpixel(_pixel_of(image, on_border.x, on_border.y))
    assert drawn[3] > 240 and sum(drawn[:3]) < sum(mapbasemap.BASEMAP_FILL) - 60, drawn


def test_basemap_image_is_cached_small_and_tints_over_online_tiles(basemap):
    image = mapbasemap.basemap_image(basemap)
    assert mapbasemap.basemap_image(json.loads(json.dumps(basemap))) is image  # same content, drawn once
    assert len(image.url) < 200_000  # a few colours: tens of kilobytes, sent with every map
    assert image.width_px == mapbasemap.BASEMAP_IMAGE_WIDTH_PX
    online = mapbasemap.basemap_image(basemap, fill_alpha=mapbasemap.BASEMAP_FILL_ALPHA_ONLINE)
    inside = shape(next(f for f in basemap["features"] if f["properties"]["name"] == "Punjab")["geometry"]).representative_point()
    alpha = _decoded(online).getpixel(_pixel_of(online, inside.x, inside.y))[3]
    assert abs(alpha - mapbasemap.BASEMAP_FILL_ALPHA_ONLINE) <= 8
    assert mapbasemap.basemap_image({"type": "FeatureCollection", "features": []}) is None


def test_missing_basemap_gives_none_not_an_error(tmp_path):
    assert mapbasemap.load_basemap(tmp_path / "nope.geojson") is None
    (tmp_path / "bad.geojson").write_text("{not json")
    assert mapbasemap.load_basemap(tmp_path / "bad.geojson") is None


def test_tooltip_is_plain_text_and_hostile_names_stay_data(latest, basemap):
    zones = latest.zones.copy()
    zones.loc[zones["zone_id"] == "rashakai", "short_name"] = HOSTILE
    points = mappoints.zone_points(zones, latest.status, mapmarkers.MEASURES["stage"])
    deck = maplayers.build_deck(points, basemap=basemap)
    tooltip = mappoints.tooltip_text()
    assert "html" not in tooltip and "{stage_text}" in tooltip["text"]
    spec = _deck_json(deck)
    assert any(HOSTILE in p["label"] for p in _layer(spec, "zone-labels")["data"])
    assert all(not str(v).startswith("@@") for p in _layer(spec, "zones")["data"] for v in p.values())


def test_zone_table_lists_every_zone_with_the_measure_first(latest):
    points = mappoints.zone_points(latest.zones, latest.status, mapmarkers.MEASURES["electricity"])
    table = mappoints.zone_table(points, mapmarkers.MEASURES["electricity"])
    assert list(table.columns[:2]) == ["Zone", "Electricity"]
    assert table["zone_id"].tolist() == latest.zones["zone_id"].tolist()
    assert table.columns.is_unique


def test_national_view_fits_the_country_outline_as_well_as_the_zones(latest, basemap):
    """Zones alone left Balochistan's western border outside the canvas; the outline must fit too."""
    points = mappoints.zone_points(latest.zones, latest.status, mapmarkers.MEASURES[mapmarkers.DEFAULT_MEASURE])
    min_lon, min_lat, max_lon, max_lat = mapbasemap.basemap_bounds(basemap)
    assert min_lon < min(p["lon"] for p in points)  # the outline reaches further west than any zone
    view = _deck_json(maplayers.build_deck(points, basemap=basemap))["initialViewState"]
    scale = 2 ** view["zoom"]
    centre_x, centre_y = (c * scale for c in mapview.world_xy(view["longitude"], view["latitude"]))
    for lon, lat in ((min_lon, min_lat), (max_lon, max_lat)):
        x, y = (c * scale for c in mapview.world_xy(lon, lat))
        assert abs(x - centre_x) <= mapview.VIEW_WIDTH_PX / 2 - 40
        assert abs(y - centre_y) <= mapview.VIEW_HEIGHT_PX / 2 - 40


def test_serialized_deck_carries_the_same_map_as_pydeck_writes_it(latest, basemap):
    """The compact, cacheable JSON holds exactly what pydeck's own (indented) JSON holds, tooltip included."""
    points = mappoints.zone_points(latest.zones, latest.status, mapmarkers.MEASURES["gas"])
    deck = maplayers.build_deck(points, basemap=basemap, selected_zone=points[0]["zone_id"])
    serialized = maplayers.SerializedDeck(deck)
    assert json.loads(serialized.to_json()) == json.loads(deck.to_json())
    assert "\n" not in serialized.to_json()  # compact: a third of the bytes for the browser
    assert serialized._tooltip == mappoints.tooltip_text()
