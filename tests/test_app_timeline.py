"""The Timeline page (`/timeline`) in AppTest: markers per milestone, URL filters, the slippage table."""

from __future__ import annotations

import pandas as pd
from pagetest import HOSTILE, latest_csv, milestone_markers, plotly_specs, run_page

# The stores the page tests run on: any_store (mini, then the shipped data) and hostile_store.
pytest_plugins = ("pagefixtures",)

PAGE = "pages/timeline.py"


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
    table = at.dataframe[0].value
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
    assert len(at.dataframe[0].value) == len(expected)
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


def test_meetings_are_vertical_lines_and_today_is_marked(mini_store):
    at = run_page(PAGE)
    (spec,) = plotly_specs(at)
    texts = [a["text"] for a in spec["layout"]["annotations"]]
    assert "JCC-6" in texts and "JCC-11" in texts
    assert any(t.startswith("Today ") for t in texts)
    assert any(t == "Data as of 2022-10-15" for t in texts)


def test_days_late_up_to_the_as_of_date(mini_store):
    at = run_page(PAGE, to="asof")
    table = at.dataframe[0].value.set_index("Milestone")
    # 11th JCC: due 2022-10-27, after the version's as-of date 2022-10-15: not yet late then.
    assert table.loc["11th JCC meeting", "Days late"] == 0
    assert table.loc["Gas pipeline 30 MMCFD", "Days late"] == 74
    at.radio(key="tl_reference").set_value("today").run()
    assert "to" not in at.query_params
    assert at.dataframe[0].value.set_index("Milestone").loc["11th JCC meeting", "Days late"] > 1000


def test_delayed_items_are_flagged_with_symbol_and_words(mini_store):
    at = run_page(PAGE)
    table = at.dataframe[0].value
    overdue = table[table["Slip"].str.startswith("⚠ Overdue")]
    assert set(overdue["Milestone"]) == {"11th JCC meeting", "500/132 kV grid station"}
    (spec,) = plotly_specs(at)
    late_labels = next(t for t in spec["data"] if (t.get("meta") or {}).get("role") == "late-label")["text"]
    assert len(late_labels) == 3 and all("d late" in label for label in late_labels)


def test_hostile_titles_are_escaped(hostile_store):
    at = run_page(PAGE)
    (spec,) = plotly_specs(at)
    assert "<img" not in str(spec)
    assert HOSTILE in at.dataframe[0].value["Milestone"].tolist()
