"""The Zone profile's and the Timeline's view models, without Streamlit, on the shipped data and a
1,000-zone synthetic store."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from sez_metrics.core import profile, schema
from sez_metrics.core.timeline import SLIP_STATES, TimelineFilter
from sez_metrics.storage.folder import VersionStore
from sez_metrics.views import timeline as timeline_view
from sez_metrics.views import zone as zone_view


@pytest.fixture
def shipped(shipped_copy):
    store = VersionStore(shipped_copy)
    versions = store.versions()
    dataset = store.load(versions[-1].id).dataset
    extracts = [profile.history_extract(v, store.read_version_files(v)[0]) for v in versions]
    return dataset, extracts


# --- zone profile ----------------------------------------------------------------------------------


def test_zone_view_has_the_zones_history_and_milestones(shipped):
    dataset, extracts = shipped
    day = dataset.info.as_of
    view = zone_view.zone_view(extracts, ("v0009",), dataset, "dhabeji", day, day, False)
    assert list(view.history["version_id"]) == [x.info.id for x in extracts if "dhabeji" in x.status_rows]
    assert view.damaged == ("v0009",) and view.unreadable == ()
    ids = set(dataset.milestones.loc[dataset.milestones["zone_id"] == "dhabeji", "milestone_id"])
    assert set(view.items["milestone_id"]) == ids
    assert len(view.slippage) == len(ids) and "Zone" not in view.slippage.columns
    assert len(view.history_figures) == 3 and view.timeline_figure is not None
    overdue, late = zone_view.milestone_counts(view.items)
    assert overdue == int((view.items["slip"] == "overdue").sum()) and late >= overdue
    assert late == sum(SLIP_STATES[s].late for s in view.items["slip"])


def test_a_zone_without_milestones_has_no_timeline(shipped):
    dataset, extracts = shipped
    dataset.milestones = dataset.milestones[dataset.milestones["zone_id"] != "dhabeji"]
    view = zone_view.zone_view(extracts, (), dataset, "dhabeji", dataset.info.as_of, dataset.info.as_of, False)
    assert view.items.empty and view.timeline_figure is None and view.slippage is None
    assert not view.history.empty


def test_tiles_use_the_schemas_words_and_definitions(shipped):
    dataset, _ = shipped
    status = dataset.status.set_index("zone_id").loc["dhabeji"]
    tiles = {t.label: t for t in zone_view.tiles(status, None)}
    assert list(tiles) == ["Stage", "🔥 Gas", "⚡ Electricity", "Colonization", "Enterprises"]
    assert tiles["Stage"].value == f"{schema.STAGE.symbol(status['stage'])} {schema.STAGE.label(status['stage'])}"
    assert tiles["Stage"].help == zone_view.definition(schema.STAGE, status["stage"]) != ""
    assert tiles["🔥 Gas"].help == zone_view.definition(schema.UTILITY_STAGE, status["gas"])
    assert zone_view.definition(schema.STAGE, "no_such_code") == ""


def _row(stage: str, pct: float | None, label: str = "Before JCC-11") -> pd.Series:
    return pd.Series({"stage": stage, "colonization_pct": pct, "version_label": label})


def test_colonization_change_since_the_version_before():
    assert zone_view.colonization_delta(_row("operational", 41.0), _row("operational", 35.0)) == "▲ +6.0 pp since Before JCC-11"
    assert zone_view.colonization_delta(_row("operational", 30.0), _row("operational", 35.5)) == "▼ -5.5 pp since Before JCC-11"
    assert zone_view.colonization_delta(_row("operational", 35.0), _row("operational", 35.0)) == ""
    assert zone_view.colonization_delta(_row("operational", 35.0), None) == ""
    assert zone_view.colonization_delta(_row("operational", None), _row("operational", 35.0)) == ""


# --- timeline --------------------------------------------------------------------------------------


def test_timeline_view_counts_what_the_filter_keeps(shipped):
    dataset, _ = shipped
    day = dataset.info.as_of
    items = timeline_view.assessed(dataset, day)
    assert len(items) == len(dataset.milestones)
    everything = timeline_view.timeline_view(dataset, items, TimelineFilter(), day, False)
    assert everything.total == len(items) == len(everything.positions)
    assert everything.counts == items["slip"].value_counts().to_dict()
    assert everything.charted_zones is None  # nine zones: all drawn
    assert everything.shown_tile() == ("Items shown", f"{len(items)} of {len(items)}")
    one = timeline_view.timeline_view(dataset, items, TimelineFilter(zones=("dhabeji",), include_programme=False), day, False)
    kept = items.iloc[one.positions]
    assert set(kept["zone_id"]) == {"dhabeji"}
    assert len(kept) == int((dataset.milestones["zone_id"] == "dhabeji").sum())
    assert one.zone_count == 1 and one.late == int(kept["late"].sum())
    assert not one.positions.flags.writeable  # shared by every session
    none = timeline_view.timeline_view(dataset, items, TimelineFilter(zones=("no-such-zone",), include_programme=False),
                                       day, False)
    assert len(none.positions) == 0 and none.figure is None and none.counts == {} and none.late == 0


def test_slippage_table_and_its_download_follow_the_assessed_rows(shipped):
    dataset, extracts = shipped
    items = timeline_view.assessed(dataset, dataset.info.as_of)
    table = timeline_view.slippage(dataset, items, extracts)
    assert len(table) == len(items)
    assert list(table["Milestone"]) == list(items["title"])
    one = timeline_view.timeline_view(dataset, items, TimelineFilter(zones=("bostan",), include_programme=False),
                                      dataset.info.as_of, False)
    rows = list(csv.DictReader(io.StringIO(timeline_view.slippage_csv(table, one.positions).decode("utf-8-sig"))))
    assert len(rows) == len(one.positions) and {r["Zone"] for r in rows} == {"Bostan SEZ"}


def test_a_thousand_zones_chart_only_the_busiest_but_count_all(scale_store):
    store = VersionStore(scale_store)
    dataset = store.load(store.versions()[-1].id).dataset
    items = timeline_view.assessed(dataset, dataset.info.as_of)
    view = timeline_view.timeline_view(dataset, items, TimelineFilter(), dataset.info.as_of, False)
    assert view.zone_count == dataset.milestones["zone_id"].dropna().nunique() > timeline_view.MAX_CHART_ZONES
    assert view.charted_zones == timeline_view.MAX_CHART_ZONES
    assert len(view.positions) == len(items)
    label, value = view.shown_tile()  # "4,000 of 4,000" does not fit a tile: the total moves to the label
    assert label == f"Items shown (of {len(items):,})" and value == f"{len(items):,}"
