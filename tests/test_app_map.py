"""The Map page (`/map`) in AppTest: offline deck, every zone drawn, measure and selection from the URL or a click."""

from __future__ import annotations

import json
import re

from support.hostile import HOSTILE_SHORT
from support.pages import run_page
from support.stores import latest_csv

from sez_metrics.core import palette

# The stores the page tests run on: any_store (mini, then the shipped data) and hostile_store.

PAGE = "map"


def _deck(at) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def _layer(spec: dict, layer_id: str) -> dict:
    return next(layer for layer in spec["layers"] if layer["id"] == layer_id)


def test_map_draws_every_zone_offline(any_store):
    at = run_page(PAGE)
    chart = at.get("deck_gl_json_chart")[0].proto
    spec = json.loads(chart.json)
    zones = latest_csv(any_store, "zones.csv")
    assert sorted(p["zone_id"] for p in _layer(spec, "zones")["data"]) == sorted(zones["zone_id"])
    assert "mapProvider" not in spec
    assert spec.get("mapStyle") in (None, "__MAP_STYLE__")  # pydeck's "none given" sentinel, dropped by Streamlit
    assert not re.search(r"https?://", chart.json)
    provinces = _layer(spec, "provinces")  # the seven units, drawn into an image
    assert provinces["@@type"] == "BitmapLayer" and provinces["image"].startswith("data:image/png;base64,")
    assert all(layer.get("id") for layer in spec["layers"])
    tooltip = json.loads(chart.tooltip)
    assert "text" in tooltip and "html" not in tooltip
    captions = " ".join(c.value for c in at.caption)
    assert "Natural Earth (public domain), simplified; not authoritative" in captions
    assert "no position is implied on disputed territory" in captions
    assert len(at.dataframe[0].value) == len(zones)


def test_measure_comes_from_the_url_and_colours_the_zones(any_store):
    at = run_page(PAGE, measure="gas")
    assert at.get("button_group")[0].value == "gas"
    status = latest_csv(any_store, "status.csv").set_index("zone_id")
    for point in _layer(_deck(at), "zones")["data"]:
        assert point["fill_color"][:3] == palette.hex_to_rgb(palette.UTILITY_COLOURS[status.loc[point["zone_id"], "gas"]])


def test_an_unknown_measure_is_named_and_stage_shown(mini_store):
    at = run_page(PAGE, measure="<b>x</b>")
    assert any("Unknown measure" in w.value for w in at.warning)
    assert at.get("button_group")[0].value == "stage"


def test_changing_the_measure_writes_the_url(mini_store):
    at = run_page(PAGE)
    at.get("button_group")[0].set_value("colonization").run()
    assert at.query_params["measure"] == "colonization"
    labels = _layer(_deck(at), "zone-labels")["data"]
    # Every zone with land shows its share; Mirpur (stage identified, no land yet) shows "n/a", never "0 %".
    assert all(p["label"].endswith("%") for p in labels if "Mirpur" not in p["label"])
    assert [p["label"] for p in labels if "Mirpur" in p["label"]] and all(
        p["label"].endswith("n/a") for p in labels if "Mirpur" in p["label"])


def test_a_click_selects_the_zone_and_offers_its_profile(any_store):
    zone_id = latest_csv(any_store, "zones.csv")["zone_id"].iloc[1]
    at = run_page(PAGE)
    assert not at.get("page_link")
    at.session_state["zone_map"] = {"selection": {"indices": {"zones": [1]}, "objects": {"zones": [{"zone_id": zone_id}]}}}
    at.run()
    assert not at.exception
    links = at.get("page_link")
    assert [(link.proto.page, link.proto.query_string) for link in links] == [("zone", f"zone={zone_id}")]
    assert at.query_params["zone"] == zone_id
    assert [p["zone_id"] for p in _layer(_deck(at), "zone-selected")["data"]] == [zone_id]


def test_zone_in_the_url_preselects_it(any_store):
    zones = latest_csv(any_store, "zones.csv")
    zone_id, name = zones["zone_id"].iloc[-1], zones["name"].iloc[-1]
    at = run_page(PAGE, zone=zone_id)
    assert [link.proto.query_string for link in at.get("page_link")] == [f"zone={zone_id}"]
    assert any(name in m.value.replace("\\", "") for m in at.markdown)
    assert [p["zone_id"] for p in _layer(_deck(at), "zone-selected")["data"]] == [zone_id]


def test_an_unknown_zone_in_the_url_selects_nothing(mini_store):
    at = run_page(PAGE, zone="atlantis")
    assert any("no zone" in w.value for w in at.warning)
    assert not at.get("page_link")
    assert "zone-selected" not in [layer["id"] for layer in _deck(at)["layers"]]


def test_a_pinned_version_is_kept_in_the_profile_link(mini_store):
    at = run_page(PAGE, zone="aiic", version="v0001")
    assert [link.proto.query_string for link in at.get("page_link")] == ["zone=aiic&version=v0001"]


def test_hostile_short_name_is_data_not_markup(hostile_store):
    at = run_page(PAGE, zone="rashakai")
    chart = at.get("deck_gl_json_chart")[0].proto
    labels = [p["label"] for p in _layer(json.loads(chart.json), "zone-labels")["data"]]
    assert any(HOSTILE_SHORT in label for label in labels)
    assert "html" not in json.loads(chart.tooltip)
    assert all(HOSTILE_SHORT not in m.value for m in at.markdown)  # markdown only ever gets it escaped
    assert HOSTILE_SHORT in at.dataframe[0].value["Zone"].tolist()


def test_the_legend_explains_colour_and_the_precision_rings(any_store):
    """The legend beside the map: the colour classes, and precision as rings (the map's own non-colour cue)."""
    at = run_page(PAGE, zone="rashakai")
    legend = " ".join(node.proto.body for node in at.get("html"))
    assert "Colour: Stage" in legend and "Rings: how sure the location is" in legend
    assert "Approximate (a few km) — one ring" in legend and "Nearest town only (10–20 km) — two rings" in legend
    # every marker filled with its stage colour; rings only around the points that are not surveyed sites
    spec = _deck(at)
    zones = latest_csv(any_store, "zones.csv").set_index("zone_id")
    rings = _layer(spec, "zone-rings")["data"]
    expected = sum({"site": 0, "approximate": 1, "town": 2}[p] for p in zones["location_precision"])
    assert len(rings) == expected
    assert all(p["fill_color"][3] == 255 for p in _layer(spec, "zones")["data"])
