"""The Zone profile page (`/zone?zone=ID`) in AppTest, checked against the CSVs read with plain pandas."""

from __future__ import annotations

import json

import pandas as pd
from support.hostile import HOSTILE_SOURCE
from support.pages import milestone_markers, plotly_specs, run_page
from support.stores import all_versions_csv, latest_csv

from sez_metrics.core import schema
from sez_metrics.core.text import md_escape

# The stores the page tests run on: any_store (mini, then the shipped data) and hostile_store.

PAGE = "zone"


def _number(text: str) -> str:
    """A CSV number as the dashboard writes it: thousands separated, at most one decimal, no trailing zeros."""
    value = f"{float(text):,.1f}"
    return value.rstrip("0").rstrip(".") if "." in value else value


def test_rashakai_figures_match_the_csv(any_store):
    at = run_page(PAGE, zone="rashakai")
    status = latest_csv(any_store, "status.csv").set_index("zone_id").loc["rashakai"]
    zone = latest_csv(any_store, "zones.csv").set_index("zone_id").loc["rashakai"]
    figures = at.table[0].value.set_index("Figure")

    assert schema.STAGE.label(status["stage"]) in figures.loc["Stage", "Value"]
    assert schema.UTILITY_STAGE.label(status["gas"]) in figures.loc["Gas", "Value"]
    assert schema.UTILITY_STAGE.label(status["electricity"]) in figures.loc["Electricity", "Value"]
    # Both stores report Rashakai's power as available vs required ("50 of 160 MW").
    expected = f"{_number(status['power_mw_available'])} of {_number(status['power_mw_required'])} MW"
    assert expected in figures.loc["Electricity", "Value"]
    assert figures.loc["Colonization", "Value"].startswith(f"{_number(status['colonization_pct'])} %")
    assert figures.loc["Area", "Value"] == f"{_number(zone['area_acres'])} acres"
    assert figures.loc["Developer", "Value"] == zone["developer"]
    assert schema.LOCATION_PRECISION.label(zone["location_precision"]) in figures.loc["Location precision", "Value"]
    def own(column: str, default: str) -> str:
        # the figure's own cell where the CSV has one, else the row's default
        value = status.get(column)
        return default if value is None or pd.isna(value) or str(value) == "" else str(value)

    for figure in ("Stage", "Gas", "Electricity", "Colonization"):
        key = figure.lower()
        confidence = own(f"{key}_confidence", status["confidence"])
        assert figures.loc[figure, "Source"] == own(f"{key}_source", status["source"])
        assert figures.loc[figure, "Confidence"].endswith(schema.CONFIDENCE.label(confidence))
        assert figures.loc[figure, "Confidence"].startswith(schema.CONFIDENCE.symbol(confidence))
    assert at.query_params["zone"] == "rashakai"
    headers = [h.value for h in at.header]
    assert zone["name"] in [h.replace("\\", "") for h in headers]
    # the source sits in the small caption, escaped: literal text, never a link
    assert any(md_escape(status["source"]) in c.value for c in at.caption)
    assert status["source"] not in [t.value for t in at.text]  # no second, larger copy of it


def test_history_covers_every_version_and_the_timeline_every_milestone(any_store):
    at = run_page(PAGE, zone="rashakai")
    specs = plotly_specs(at)
    assert len(specs) == 4  # colonization, stage, utilities, milestones
    versions = [s.set_index("zone_id") for s in all_versions_csv(any_store, "status.csv")]
    expected = [float(v.loc["rashakai", "colonization_pct"]) for v in versions if "rashakai" in v.index]
    assert specs[0]["data"][0]["y"] == expected
    milestones = latest_csv(any_store, "milestones.csv")
    ids = milestones.loc[milestones["zone_id"] == "rashakai", "milestone_id"]
    assert sorted(milestone_markers(specs[3])) == sorted(ids)
    ticktext = specs[1]["layout"]["yaxis"]["ticktext"]
    assert ticktext == [f"{c.symbol} {c.label}" for c in schema.STAGE.codes]


def test_a_pinned_version_shows_no_later_history(mini_store):
    at = run_page(PAGE, zone="rashakai", version="v0001")
    colonization = plotly_specs(at)[0]
    assert colonization["data"][0]["y"] == [20.0]


def test_no_zone_in_the_url_shows_the_first_priority_zone(any_store):
    zones = latest_csv(any_store, "zones.csv")
    first_priority = zones.loc[zones["priority"] == "true", "zone_id"].iloc[0]
    at = run_page(PAGE)
    assert at.selectbox(key="zone_pick").value == first_priority
    assert at.query_params["zone"] == first_priority


def test_an_unknown_zone_gets_a_message_and_the_selector(mini_store):
    at = run_page(PAGE, zone="atlantis")
    assert any("atlantis" in e.value for e in at.error)
    selector = at.selectbox(key="zone_pick")
    assert selector.value is None
    assert not at.get("plotly_chart")
    selector.set_value("aiic").run()
    assert not at.exception
    assert at.query_params["zone"] == "aiic"
    assert not at.error
    assert len(at.get("plotly_chart")) == 4


def test_choosing_a_zone_writes_the_url(mini_store):
    at = run_page(PAGE, zone="rashakai")
    at.selectbox(key="zone_pick").set_value("mirpur").run()
    assert at.query_params["zone"] == "mirpur"
    assert any("illustrative" in w.value.lower() for w in at.warning)  # Mirpur's figures are illustrative


def test_hostile_text_is_escaped_everywhere(hostile_store):
    at = run_page(PAGE, zone="rashakai")
    assert all(HOSTILE_SOURCE not in m.value for m in at.markdown)
    for spec in plotly_specs(at):
        assert "<img" not in str(spec) and "<script" not in str(spec)
    assert HOSTILE_SOURCE in at.table[0].value["Source"].tolist()


def _flip_a_byte(path, position: int = 40) -> None:
    data = bytearray(path.read_bytes())
    data[position] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_version_damaged_after_it_was_read_leaves_the_history_on_the_next_run(mini_store):
    at = run_page(PAGE, zone="rashakai")
    assert plotly_specs(at)[0]["data"][0]["y"] == [20.0, 35.0]
    # damage to any file of the version counts, not only to the status rows the history reads
    _flip_a_byte(mini_store / "versions" / "v0001" / "milestones.csv")
    at.run()
    assert not at.exception
    assert plotly_specs(at)[0]["data"][0]["y"] == [35.0]
    assert any("failed their integrity check: v0001" in w.value for w in at.warning)


def test_an_edited_manifest_entry_leaves_its_version_out_of_the_history(mini_store):
    at = run_page(PAGE, zone="rashakai")
    manifest = json.loads((mini_store / "manifest.json").read_text(encoding="utf-8"))
    manifest["versions"][0]["label"] = "Quietly relabelled"  # entry_hash no longer matches
    (mini_store / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    at.run()
    assert not at.exception
    assert plotly_specs(at)[0]["data"][0]["y"] == [35.0]
    assert any("failed their integrity check: v0001" in w.value for w in at.warning)


def test_at_a_thousand_zones_the_profile_shows_one_zone_and_its_first_commitments(scale_store):
    versions = all_versions_csv(scale_store, "status.csv")
    milestone_versions = all_versions_csv(scale_store, "milestones.csv")
    first = {}  # each item's due date in the first version that lists it
    for frame in milestone_versions:
        for mid, due in zip(frame["milestone_id"], frame["due_date"], strict=True):
            first.setdefault(mid, due)
    latest = milestone_versions[-1]
    rescheduled = latest[[first[m] != d for m, d in zip(latest["milestone_id"], latest["due_date"], strict=True)]]
    zone_id = rescheduled["zone_id"].iloc[len(rescheduled) // 2]  # a zone with an item whose date moved
    at = run_page(PAGE, zone=zone_id)
    assert len(at.selectbox(key="zone_pick").options) == 1000
    specs = plotly_specs(at)
    assert len(specs) == 4
    expected = [float(v.set_index("zone_id").loc[zone_id, "colonization_pct"]) for v in versions]
    assert specs[0]["data"][0]["y"] == expected
    milestones = latest_csv(scale_store, "milestones.csv")
    ours = milestones[milestones["zone_id"] == zone_id]
    assert sorted(milestone_markers(specs[3])) == sorted(ours["milestone_id"])  # this zone's items, not 4,000
    table = next(d.value for d in at.table if "Rescheduled by (days)" in d.value.columns)
    assert len(table) == len(ours)
    titles = dict(zip(ours["title"], ours["milestone_id"], strict=True))
    # how far each committed date moved from the first one published
    shown = {titles[t]: int(d) for t, d in zip(table["Milestone"], table["Rescheduled by (days)"], strict=True)}
    due = dict(zip(ours["milestone_id"], ours["due_date"], strict=True))
    assert shown == {mid: (pd.Timestamp(due[mid]) - pd.Timestamp(first[mid])).days for mid in ours["milestone_id"]}
    assert any(shown.values())  # the zone was chosen for an item whose date moved
    at.run()  # a rerun serves the same page
    assert not at.exception and plotly_specs(at)[0]["data"][0]["y"] == expected
