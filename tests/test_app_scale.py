"""Overview and Map on 1,000 synthetic zones: what a person sees stays bounded and readable.

Figures drawn per zone (a tick per zone, a tooltip naming every zone, a card per priority zone,
a label per zone) cost the browser seconds to minutes at thousands of zones; these tests check
the shape of the pages at scale and that their figures still agree with the CSV files.
"""

from __future__ import annotations

import io
import json

import pandas as pd
from support.pages import plotly_specs, run_page
from support.stores import latest_csv

from sez_metrics.render import maplayers, mapmarkers, mappoints
from sez_metrics.storage.folder import VersionStore


def test_overview_at_1000_zones_keeps_figures_bounded_and_right(scale_store):
    at = run_page()
    assert not at.exception
    status = latest_csv(scale_store, "status.csv")
    n = len(status)

    tiles = {m.label: m.value for m in at.metric}
    producing = int(status["stage"].isin(["partly_operational", "operational"]).sum())
    # "734 of 1,000" does not fit a tile: the count stays in the value, the total moves to the label
    assert tiles[f"Zones producing (of {n:,})"] == f"{producing:,}"
    assert tiles[f"Gas connected (of {n:,})"] == f"{int((status['gas'] == 'connected').sum()):,}"
    assert all(len(value) <= 9 for value in tiles.values()), tiles

    [stage_chart] = [s for s in plotly_specs(at) if s["data"][0].get("orientation") == "h"]
    bar = stage_chart["data"][0]
    assert sum(bar["x"]) == n
    assert stage_chart["layout"]["xaxis"].get("dtick") != 1  # one tick per zone: 1,000 labels to lay out
    longest = max(bar["customdata"], key=len)
    assert "more" in longest and len(longest) < 400

    assert any("Showing 24 of" in c.value for c in at.caption)
    assert sum(1 for link in at.get("page_link") if link.proto.label == "Zone profile") == 24


def test_overview_on_nine_zones_ticks_every_zone(shipped_copy):
    at = run_page()
    [stage_chart] = [s for s in plotly_specs(at) if s["data"][0].get("orientation") == "h"]
    assert stage_chart["layout"]["xaxis"]["dtick"] == 1
    assert all("more" not in text for text in stage_chart["data"][0]["customdata"])
    tiles = [m.value for m in at.metric]
    assert any(" of 9" in value for value in tiles)


def test_map_at_1000_zones_draws_every_zone_and_labels_the_largest(scale_store):
    at = run_page("map")
    assert not at.exception
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    layers = {layer["id"]: layer for layer in spec["layers"]}
    zones = latest_csv(scale_store, "zones.csv")
    assert sorted(p["zone_id"] for p in layers[maplayers.LAYER_ZONES]["data"]) == sorted(zones["zone_id"])
    labels = layers[maplayers.LAYER_ZONE_LABELS]["data"]
    # the largest zones are labelled, as many as fit the view without covering each other
    assert 10 <= len(labels) <= mapmarkers.MAX_LABELLED_ZONES, len(labels)
    latest = VersionStore(scale_store).load().dataset
    points = mappoints.zone_points(latest.zones, latest.status, mapmarkers.MEASURES["stage"])
    largest = {points[i]["zone_id"] for i in maplayers.label_order(points)[:mapmarkers.MAX_LABELLED_ZONES]}
    assert {label["zone_id"] for label in labels} <= largest
    # dense: smaller markers, no ring layer, a tooltip of the zone, its colour's measure and location
    assert maplayers.LAYER_RINGS not in layers
    assert max(p["radius_px"] + p["line_width_px"] / 2 for p in layers[maplayers.LAYER_ZONES]["data"]) <= mapmarkers.DENSE_MAX_RADIUS_PX
    tooltip = json.loads(at.get("deck_gl_json_chart")[0].proto.tooltip)["text"]
    assert "{tip}" in tooltip and "{gas_text}" not in tooltip
    names = dict(zip(zones["zone_id"], zones["name"], strict=True))
    for point in layers[maplayers.LAYER_ZONES]["data"]:
        name, province, measure, location = point["tip"].split("\n")
        assert name == names[point["zone_id"]] and measure.startswith("Stage: ") and location.startswith("Location: ")
    # the table is off by default; on, it lists the first 200 zones, and every zone on request
    assert not at.dataframe
    at.toggle(key="map_zone_table").set_value(True).run()
    assert len(at.dataframe[0].value) == 200
    assert any(f"Showing the first 200 of {len(zones):,} zones" in c.value for c in at.caption)
    (button,) = at.get("download_button")
    assert f"All {len(zones):,} zones" in button.proto.label
    at.toggle(key="map_all_zones").set_value(True).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert sorted(table["Zone"]) == sorted(zones["short_name"])

    # a second session on the same measure is served the same map (built once per process)
    again = run_page("map")
    assert again.get("deck_gl_json_chart")[0].proto.json == at.get("deck_gl_json_chart")[0].proto.json


def test_map_at_1000_zones_selection_and_measure_from_the_url(scale_store):
    zones = latest_csv(scale_store, "zones.csv")
    status = latest_csv(scale_store, "status.csv").set_index("zone_id")
    chosen = zones["zone_id"].iloc[500]
    at = run_page("map", zone=chosen, measure="colonization")
    assert not at.exception
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    layers = {layer["id"]: layer for layer in spec["layers"]}
    assert [p["zone_id"] for p in layers[maplayers.LAYER_SELECTED]["data"]] == [chosen]
    assert chosen in [p["zone_id"] for p in layers[maplayers.LAYER_ZONE_LABELS]["data"]]
    point = next(p for p in layers[maplayers.LAYER_ZONE_LABELS]["data"] if p["zone_id"] == chosen)
    pct = float(status.loc[chosen, "colonization_pct"]) if status.loc[chosen, "colonization_pct"] != "" else None
    if pct is not None and not pd.isna(pct):
        assert point["label"].endswith(f"{pct:g} %")


def test_map_table_download_at_1000_zones_has_every_zone_in_its_words(scale_store, download):
    zones = latest_csv(scale_store, "zones.csv")
    at = run_page("map", measure="gas")
    downloaded = pd.read_csv(io.BytesIO(download(at)), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert sorted(downloaded["Zone"]) == sorted(zones["short_name"])
    assert list(downloaded.columns[:2]) == ["Zone", "Gas"]  # the measure shown comes first, as on the page
