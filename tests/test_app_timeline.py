"""The Timeline page (`/timeline`) in AppTest: markers per milestone, URL filters, the slippage table."""

from __future__ import annotations

import io
import json

import pandas as pd
from support.hostile import HOSTILE_TITLE
from support.pages import milestone_markers, plotly_specs, run_page
from support.stores import latest_csv

from sez_metrics.core import timeline

# The stores the page tests run on: any_store (mini, then the shipped data) and hostile_store.

PAGE = "timeline"


def _expected(milestones: pd.DataFrame, zones=(), categories=(), statuses=(), programme=True) -> list[str]:
    """The rows a filter keeps, by plain pandas: programme events stay unless hidden; other filters apply to all."""
    is_programme = milestones["zone_id"] == ""
    keep = milestones["zone_id"].isin(zones) if zones else ~is_programme
    if programme:
        keep |= is_programme
    if categories:
        keep &= milestones["category"].isin(categories)
    if statuses:
        keep &= milestones["status"].isin(statuses)
    return sorted(milestones.loc[keep, "milestone_id"])


def test_every_milestone_has_one_marker(any_store):
    at = run_page(PAGE)
    milestones = latest_csv(any_store, "milestones.csv")
    (spec,) = plotly_specs(at)
    assert sorted(milestone_markers(spec)) == sorted(milestones["milestone_id"])
    table = at.table[0].value
    assert len(table) == len(milestones)
    days = table["Days late"].dropna().tolist()
    assert days == sorted(days, reverse=True)  # most days late first
    assert table["Days late"].isna().sum() == (milestones["status"] == "cancelled").sum()


def test_filters_from_the_url_apply(any_store):
    milestones = latest_csv(any_store, "milestones.csv")
    zones = latest_csv(any_store, "zones.csv")["zone_id"].tolist()[:2]
    at = run_page(PAGE, zone=",".join(zones), category="gas,electricity,governance", status="done,in_progress")
    expected = _expected(milestones, zones, ("gas", "electricity", "governance"), ("done", "in_progress"))
    assert expected, "the filter should keep something in both stores"
    (spec,) = plotly_specs(at)
    assert sorted(milestone_markers(spec)) == expected
    assert len(at.table[0].value) == len(expected)
    assert at.multiselect(key="tl_zones").value == zones


def test_repeated_zone_parameters_work_like_a_comma_list(any_store):
    milestones = latest_csv(any_store, "milestones.csv")
    zones = latest_csv(any_store, "zones.csv")["zone_id"].tolist()[:2]
    at = run_page(PAGE, zone=zones, programme="0")
    (spec,) = plotly_specs(at)
    assert sorted(milestone_markers(spec)) == _expected(milestones, zones, programme=False)
    assert at.toggle(key="tl_programme").value is False


def test_unknown_filter_values_are_named_and_ignored(mini_store):
    at = run_page(PAGE, zone="atlantis,aiic", status="<b>bogus</b>")
    warnings = " ".join(w.value for w in at.warning)
    assert "atlantis" in warnings and "bogus" in warnings
    assert at.multiselect(key="tl_zones").value == ["aiic"]
    assert at.multiselect(key="tl_statuses").value == []


def test_changing_a_filter_writes_the_url(mini_store):
    at = run_page(PAGE)
    at.multiselect(key="tl_zones").set_value(["aiic", "rashakai"]).run()
    assert at.query_params["zone"] == "aiic,rashakai"
    at.multiselect(key="tl_categories").set_value(["gas"]).run()
    assert at.query_params["category"] == "gas"
    (spec,) = plotly_specs(at)
    assert sorted(milestone_markers(spec)) == ["rashakai-gas"]
    at.multiselect(key="tl_categories").set_value([]).run()
    assert "category" not in at.query_params


def test_meetings_are_vertical_lines_and_the_reference_date_is_marked(mini_store):
    at = run_page(PAGE)
    (spec,) = plotly_specs(at)
    texts = [a["text"] for a in spec["layout"]["annotations"]]
    assert "JCC-6" in texts and "JCC-11" in texts
    # Pinned to the data's as-of date (the default), no "Today" line suggests days late count to today.
    assert "Data as of 2022-10-15" in texts
    assert not any(t.startswith("Today ") for t in texts)
    (spec,) = plotly_specs(run_page(PAGE, to="today"))
    texts = [a["text"] for a in spec["layout"]["annotations"]]
    assert any(t.startswith("Today ") for t in texts) and "Data as of 2022-10-15" in texts


def test_days_late_up_to_the_as_of_date_by_default_and_to_today_by_choice(mini_store):
    at = run_page(PAGE)
    table = at.table[0].value.set_index("Milestone")
    # 11th JCC: due 2022-10-27, after the version's as-of date 2022-10-15: not yet late then.
    assert table.loc["11th JCC meeting", "Days late"] == 0
    assert table.loc["Gas pipeline 30 MMCFD", "Days late"] == 74
    assert "days late at the data's as-of date 2022-10-15" in _plain_captions(at)
    at.sidebar.radio(key="_reference_control").set_value("today").run()
    assert at.query_params["to"] == "today"
    assert at.table[0].value.set_index("Milestone").loc["11th JCC meeting", "Days late"] > 1000
    assert "days late at today" in _plain_captions(at)
    # An old link's to=asof still means the as-of date.
    old = run_page(PAGE, to="asof").table[0].value.set_index("Milestone")
    assert old.loc["Gas pipeline 30 MMCFD", "Days late"] == 74


def _plain_captions(at) -> str:
    """The captions' text with markdown escapes removed."""
    return " ".join(c.value for c in at.caption).replace("\\", "")


def test_delayed_items_are_flagged_with_symbol_and_words(mini_store):
    at = run_page(PAGE, to="today")  # counted to today, both open items are past their dates
    table = at.table[0].value
    overdue = table[table["Slip"].str.startswith("⚠ Overdue")]
    assert set(overdue["Milestone"]) == {"11th JCC meeting", "500/132 kV grid station"}
    (spec,) = plotly_specs(at)
    late_labels = next(t for t in spec["data"] if (t.get("meta") or {}).get("role") == "late-label")["text"]
    assert len(late_labels) == 3 and all("d late" in label for label in late_labels)


def test_hostile_titles_are_escaped(hostile_store):
    at = run_page(PAGE)
    (spec,) = plotly_specs(at)
    assert "<img" not in str(spec)
    assert "<b>bold</b>" not in str(spec) and "&lt;b&gt;bold&lt;/b&gt;" in str(spec)  # plotly would draw <b> as bold
    assert HOSTILE_TITLE in at.table[0].value["Milestone"].tolist()


# --- at scale: bounded defaults, everything still reachable ---------------------------------------

CHART_ZONES, TABLE_ROWS = 25, 200  # the page's MAX_CHART_ZONES and TABLE_ROWS


def _as_of(root) -> pd.Timestamp:
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    return pd.Timestamp(manifest["versions"][-1]["as_of"])


def _lateness(milestones: pd.DataFrame, reference: pd.Timestamp) -> pd.DataFrame:
    """Days late and late-or-not of each item, by plain pandas from the CSV's text."""
    due = pd.to_datetime(milestones["due_date"])
    done = pd.to_datetime(milestones["done_date"].replace("", None))
    status = milestones["status"]
    is_open = status.isin(["planned", "in_progress", "delayed"])
    days = pd.Series(0, index=milestones.index, dtype="Int64")
    days[status == "done"] = (done - due).dt.days.clip(lower=0)[status == "done"].fillna(0)
    overdue = is_open & (due < reference)
    days[overdue] = (reference - due).dt.days[overdue]
    days[status == "cancelled"] = pd.NA
    late = overdue | (status == "delayed") | ((status == "done") & (done > due))
    return pd.DataFrame({"zone_id": milestones["zone_id"], "days": days, "late": late})


def _captions(at) -> str:
    return " ".join(c.value for c in at.caption)


def test_at_scale_the_chart_draws_the_zones_with_most_late_items(scale_store):
    milestones = latest_csv(scale_store, "milestones.csv")
    at = run_page(PAGE, to="asof")
    (spec,) = plotly_specs(at)
    drawn = milestone_markers(spec)
    zone_of = dict(zip(milestones["milestone_id"], milestones["zone_id"], strict=True))
    drawn_zones = {zone_of[m] for m in drawn} - {""}
    assert len(drawn_zones) == CHART_ZONES
    # every item of a drawn zone is drawn, and nothing else
    assert sorted(drawn) == sorted(milestones.loc[milestones["zone_id"].isin(drawn_zones), "milestone_id"])
    late_per_zone = _lateness(milestones, _as_of(scale_store)).groupby("zone_id")["late"].sum()
    assert late_per_zone[list(drawn_zones)].min() >= late_per_zone.drop(list(drawn_zones)).max()
    zone_count = milestones["zone_id"].replace("", pd.NA).nunique()
    assert any(f"{CHART_ZONES} zones with the most late items, of {zone_count:,} zones" in i.value for i in at.info)


def test_at_scale_the_table_lists_the_most_late_rows_and_says_how_many(scale_store):
    milestones = latest_csv(scale_store, "milestones.csv")
    at = run_page(PAGE, to="asof")
    table = at.table[0].value
    assert len(table) == TABLE_ROWS
    assert f"Showing {TABLE_ROWS} of {len(milestones):,} items" in _captions(at)
    expected = _lateness(milestones, _as_of(scale_store))["days"].dropna().sort_values(ascending=False)
    assert table["Days late"].tolist() == expected.head(TABLE_ROWS).tolist()
    assert at.metric[0].value == f"{len(milestones):,}" and f"of {len(milestones):,}" in at.metric[0].label


def test_at_scale_every_row_is_reachable_by_show_all_and_the_download(scale_store, download):
    milestones = latest_csv(scale_store, "milestones.csv")
    at = run_page(PAGE)
    (button,) = at.get("download_button")
    assert f"all {len(milestones):,} rows" in button.proto.label
    downloaded = pd.read_csv(io.BytesIO(download(at)), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(downloaded) == len(milestones)
    assert sorted(downloaded["Milestone"]) == sorted(milestones["title"])
    at.toggle(key="tl_all_rows").set_value(True).run()
    assert not at.exception
    assert not at.table  # thousands of rows: a sortable grid, not a wrapped table
    table = at.dataframe[0].value
    assert sorted(table["Milestone"]) == sorted(milestones["title"])
    assert f"Listing all {len(milestones):,} items" in _captions(at) and "Showing" not in _captions(at)


def test_at_scale_a_zone_outside_the_chart_is_one_filter_away(scale_store):
    milestones = latest_csv(scale_store, "milestones.csv")
    default = run_page(PAGE)
    (spec,) = plotly_specs(default)
    drawn = set(milestone_markers(spec))
    zone = next(z for z in milestones["zone_id"] if z and not milestones.loc[milestones["zone_id"] == z, "milestone_id"].isin(drawn).any())
    at = run_page(PAGE, zone=zone)
    expected = sorted(milestones.loc[milestones["zone_id"] == zone, "milestone_id"])
    (spec,) = plotly_specs(at)
    assert sorted(milestone_markers(spec)) == expected
    assert len(at.table[0].value) == len(expected)
    assert not at.info and "Showing" not in _captions(at)


def test_a_short_table_is_listed_whole_with_its_download(mini_store, download):
    milestones = latest_csv(mini_store, "milestones.csv")
    at = run_page(PAGE, zone="aiic", programme="0")
    expected = milestones[milestones["zone_id"] == "aiic"]
    assert len(at.table[0].value) == len(expected)
    assert not [t for t in at.toggle if t.key == "tl_all_rows"] and "Showing" not in _captions(at)
    downloaded = pd.read_csv(io.BytesIO(download(at)), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert sorted(downloaded["Milestone"]) == sorted(expected["title"])
    # the download has every column; the page shows those that fit a screen, in the same order
    shown = at.table[0].value.columns.tolist()
    assert list(downloaded.columns) == list(timeline.SLIPPAGE_COLUMNS)
    assert shown == [c for c in downloaded.columns if c in shown] and {"Milestone", "Slip", "Source"} <= set(shown)
