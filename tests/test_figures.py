"""Plotly figures: one marker per item, escaped text, ordered axes with human labels, reference lines."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from sez_metrics.core import profile, schema, timeline
from sez_metrics.render import figures, timeline_lanes
from sez_metrics.storage.folder import VersionStore

TODAY = pd.Timestamp("2026-11-22")
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def mini(mini_store):
    store = VersionStore(mini_store)
    return [store.load(v.id).dataset for v in store.versions()]


def _spec(fig) -> dict:
    return json.loads(fig.to_json())


def _traces(spec: dict, role: str) -> list[dict]:
    return [t for t in spec["data"] if (t.get("meta") or {}).get("role") == role]


def test_programme_timeline_draws_one_marker_per_item(mini):
    latest = mini[-1]
    items = timeline.assess(latest.milestones, TODAY)
    fig = figures.programme_timeline(items, latest.zones, today=TODAY, as_of=pd.Timestamp(latest.info.as_of))
    spec = _spec(fig)
    drawn = [mid for t in _traces(spec, "milestone") for mid in t["meta"]["milestone_ids"]]
    assert sorted(drawn) == sorted(latest.milestones["milestone_id"])
    assert figures.milestone_marker_count(fig) == len(latest.milestones)


def test_programme_rows_put_programme_first_then_zones_in_file_order(mini):
    latest = mini[-1]
    rows = figures.programme_rows(latest.milestones, latest.zones)
    assert rows == [("", "Programme"), ("rashakai", "Rashakai"), ("aiic", "AIIC Faisalabad")]
    spec = _spec(figures.programme_timeline(timeline.assess(latest.milestones, TODAY), latest.zones, today=TODAY, as_of=None))
    assert [re.sub("<.*?>", "", t) for t in spec["layout"]["yaxis"]["ticktext"]] == ["Programme", "Rashakai", "AIIC Faisalabad"]


def test_late_items_are_flagged_by_symbol_colour_and_words(mini):
    latest = mini[-1]
    items = timeline.assess(latest.milestones, TODAY)
    spec = _spec(figures.programme_timeline(items, latest.zones, today=TODAY, as_of=None))
    overdue = next(t for t in _traces(spec, "milestone") if t["meta"]["slip"] == "overdue")
    assert overdue["marker"]["symbol"] == "triangle-up"
    assert overdue["name"].startswith("⚠")
    labels = _traces(spec, "late-label")[0]["text"]
    late = items[items["late"]]
    assert len(labels) == len(late)
    assert any("74 d late" in label for label in labels)  # Rashakai gas: due 2021-12-31, done 2022-03-15


def test_committed_and_actual_dates_are_joined_when_they_differ(mini):
    latest = mini[-1]
    items = timeline.assess(latest.milestones, TODAY)
    spec = _spec(figures.zone_timeline(items[items["zone_id"] == "rashakai"], today=TODAY, as_of=None))
    committed = _traces(spec, "committed")[0]
    assert [x[:10] for x in committed["x"]] == ["2021-12-31"]
    slip = _traces(spec, "slip")[0]
    assert [x[:10] if x else None for x in slip["x"]] == ["2021-12-31", "2022-03-15", None]


def test_overdue_items_are_joined_to_today(mini):
    latest = mini[-1]
    items = timeline.assess(latest.milestones[latest.milestones["zone_id"] == "aiic"], TODAY)
    spec = _spec(figures.zone_timeline(items, today=TODAY, as_of=pd.Timestamp(latest.info.as_of)))
    slip = _traces(spec, "slip")[0]
    assert [x[:10] if x else None for x in slip["x"]] == ["2025-06-30", "2026-11-22", None]


def test_today_and_as_of_lines_are_drawn_and_labelled(mini):
    latest = mini[-1]
    items = timeline.assess(latest.milestones, TODAY)
    spec = _spec(figures.zone_timeline(items, today=TODAY, as_of=pd.Timestamp("2022-10-15")))
    lines = [s["x0"][:10] for s in spec["layout"]["shapes"] if s["type"] == "line"]
    assert "2026-11-22" in lines and "2022-10-15" in lines
    texts = [a["text"] for a in spec["layout"]["annotations"]]
    assert "Today 2026-11-22" in texts and "Data as of 2022-10-15" in texts


def test_meetings_are_vertical_lines_with_short_labels(mini):
    latest = mini[-1]
    items = timeline.assess(latest.milestones, TODAY)
    spec = _spec(figures.programme_timeline(items, latest.zones, today=TODAY, as_of=None))
    texts = {a["text"] for a in spec["layout"]["annotations"]}
    assert {"JCC-6", "JCC-11"} <= texts
    lines = {s["x0"][:10] for s in spec["layout"]["shapes"] if s["type"] == "line"}
    assert {"2016-12-29", "2022-10-27"} <= lines


@pytest.mark.parametrize(
    ("title", "label"),
    [
        ("11th JCC meeting", "JCC-11"),
        ("12th (Special) JCC (Beijing)", "JCC-12"),
        ("5th JWG on industrial cooperation", "JWG-5"),
        ("MoU on industrial cooperation signed at the 8th JCC", "MoU on industri…"),
        ("Short title", "Short title"),
    ],
)
def test_event_labels(title, label):
    assert figures.event_label(title) == label


def test_lanes_keep_overlapping_items_apart(mini):
    latest = mini[-1]
    items = timeline.assess(latest.milestones, TODAY).reset_index(drop=True)
    rows = figures.programme_rows(items, latest.zones)
    y, ticks, bands = figures.lane_layout(items, rows, span_days=4000)
    assert len(ticks) == len(bands) == len(rows)
    for (low, high), tick in zip(bands, ticks, strict=True):
        assert low < tick < high
    # Two items of one row that share a lane never overlap in time.
    spans = [timeline_lanes._item_span(items.iloc[i], 4000) for i in range(len(items))]
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if y[i] == y[j]:
                assert spans[i][1] < spans[j][0] or spans[j][1] < spans[i][0]


def test_text_from_the_csvs_is_escaped(mini):
    latest = mini[-1]
    milestones = latest.milestones.copy()
    milestones.loc[milestones["milestone_id"] == "rashakai-gas", "title"] = HOSTILE
    zones = latest.zones.copy()
    zones.loc[zones["zone_id"] == "rashakai", "short_name"] = HOSTILE
    items = timeline.assess(milestones, TODAY)
    for fig in (
        figures.programme_timeline(items, zones, today=TODAY, as_of=None),
        figures.zone_timeline(items[items["zone_id"] == "rashakai"], today=TODAY, as_of=None),
    ):
        text = fig.to_json()
        assert "<img" not in text
        assert "&lt;img src=x onerror=alert(1)&gt;" in text


def test_history_charts_use_ordered_axes_with_human_labels(mini):
    history = profile.zone_history(mini, "rashakai")
    stage = _spec(figures.stage_history(history))
    assert stage["layout"]["yaxis"]["ticktext"] == [f"{c.symbol} {c.label}" for c in schema.STAGE.codes]
    assert stage["data"][0]["y"] == [schema.STAGE.rank("under_development"), schema.STAGE.rank("partly_operational")]
    assert stage["data"][0]["line"]["shape"] == "hv"
    utility = _spec(figures.utility_history(history))
    assert [t["name"] for t in utility["data"]] == ["Gas", "Electricity"]
    assert utility["layout"]["yaxis"]["ticktext"][-1] == "✓ Connected"
    colonization = _spec(figures.colonization_history(history))
    assert colonization["data"][0]["y"] == [20.0, 35.0]
    assert "50 of 160 MW" in json.dumps(utility["data"][1]["customdata"])


def test_figures_reference_no_external_resource(mini):
    latest = mini[-1]
    items = timeline.assess(latest.milestones, TODAY)
    fig = figures.programme_timeline(items, latest.zones, today=TODAY, as_of=None)
    assert not re.search(r"https?://", fig.to_json().replace("http://www.w3.org", ""))


def test_empty_selection_gives_an_empty_figure_not_an_error(mini):
    latest = mini[-1]
    items = timeline.assess(latest.milestones.iloc[0:0], TODAY)
    assert figures.milestone_marker_count(figures.programme_timeline(items, latest.zones, today=TODAY, as_of=None)) == 0
    assert figures.milestone_marker_count(figures.zone_timeline(items, today=TODAY, as_of=None)) == 0
