"""The slippage model: slip states, days late, filters, URL lists, first commitments, the slippage table."""

from __future__ import annotations

import pandas as pd
import pytest

from sez_metrics.core import timeline

TODAY = pd.Timestamp("2026-01-31")


def _items(*rows: tuple) -> pd.DataFrame:
    """Milestones from (id, zone, kind, category, start, due, done, status) tuples, typed like the store's."""
    columns = ["milestone_id", "zone_id", "kind", "category", "start_date", "due_date", "done_date", "status"]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("start_date", "due_date", "done_date"):
        frame[column] = pd.to_datetime(frame[column])
    frame["title"] = frame["milestone_id"].str.upper()
    frame["source"] = "minutes"
    frame["confidence"] = "official"
    return frame


CASES = _items(
    ("late-open", "rashakai", "milestone", "gas", None, "2025-12-01", None, "in_progress"),
    ("late-planned", "aiic", "milestone", "electricity", None, "2026-01-30", None, "planned"),
    ("done-late", "rashakai", "milestone", "gas", None, "2021-12-31", "2022-03-15", "done"),
    ("done-early", "aiic", "phase", "infrastructure", "2019-11-01", "2021-07-31", "2021-07-28", "done"),
    ("done-on-day", "", "meeting", "governance", None, "2016-12-29", "2016-12-29", "done"),
    ("ahead", "aiic", "milestone", "electricity", None, "2026-03-02", None, "in_progress"),
    ("planned-ahead", "mirpur", "milestone", "land", None, "2027-01-31", None, "planned"),
    ("flagged", "mirpur", "milestone", "land", None, "2026-06-30", None, "delayed"),
    ("flagged-past", "mirpur", "milestone", "water", None, "2025-01-31", None, "delayed"),
    ("dropped", "aiic", "milestone", "water", None, "2020-01-01", None, "cancelled"),
)


@pytest.fixture
def assessed() -> pd.DataFrame:
    return timeline.assess(CASES, TODAY).set_index("milestone_id")


@pytest.mark.parametrize(
    ("milestone", "state", "days", "late"),
    [
        ("late-open", "overdue", 61, True),
        ("late-planned", "overdue", 1, True),
        ("done-late", "done_late", 74, True),
        ("done-early", "done_on_time", 0, False),
        ("done-on-day", "done_on_time", 0, False),
        ("ahead", "in_progress", 0, False),
        ("planned-ahead", "planned", 0, False),
        ("flagged", "expected_late", 0, True),
        ("flagged-past", "overdue", 365, True),
    ],
)
def test_slip_state_and_days_late(assessed, milestone, state, days, late):
    row = assessed.loc[milestone]
    assert row["slip"] == state
    assert row["days_late"] == days
    assert bool(row["late"]) is late


def test_cancelled_items_count_no_lateness(assessed):
    row = assessed.loc["dropped"]
    assert row["slip"] == "cancelled"
    assert pd.isna(row["days_late"])
    assert pd.isna(row["end_date"])
    assert not row["late"]


def test_end_date_is_done_date_or_the_reference(assessed):
    assert assessed.loc["done-late", "end_date"] == pd.Timestamp("2022-03-15")
    assert assessed.loc["late-open", "end_date"] == TODAY
    assert assessed.loc["ahead", "end_date"] == TODAY


def test_reference_date_moves_open_items_only():
    early = timeline.assess(CASES, "2025-12-15").set_index("milestone_id")
    assert early.loc["late-open", "days_late"] == 14
    assert early.loc["late-planned", "slip"] == "planned"  # not yet due on 2025-12-15
    assert early.loc["done-late", "days_late"] == 74  # done items do not depend on the reference


def test_slip_text_says_it_in_words_with_a_symbol(assessed):
    assert assessed.loc["late-open", "slip_text"] == "⚠ Overdue by 61 days"
    assert assessed.loc["late-planned", "slip_text"] == "⚠ Overdue by 1 day"
    assert assessed.loc["done-late", "slip_text"] == "⏱ Done 74 days late"
    assert assessed.loc["ahead", "slip_text"] == "◑ In progress, due in 30 days"
    assert assessed.loc["flagged", "slip_text"].startswith("⚠ Expected to slip")
    assert assessed.loc["dropped", "slip_text"] == "✗ Cancelled"


def test_every_late_state_is_marked_by_a_symbol_not_colour_alone():
    for state in timeline.SLIP_STATES.values():
        assert state.symbol and state.label and state.colour.startswith("#")


def test_filter_zones_keeps_programme_events_unless_asked_not_to():
    chosen = timeline.apply_filter(CASES, timeline.TimelineFilter(zones=("aiic",)))
    assert set(chosen["milestone_id"]) == {"late-planned", "done-early", "ahead", "dropped", "done-on-day"}
    without = timeline.apply_filter(CASES, timeline.TimelineFilter(zones=("aiic",), include_programme=False))
    assert "done-on-day" not in set(without["milestone_id"])


def test_filter_by_category_and_status_applies_to_programme_rows_too():
    chosen = timeline.apply_filter(CASES, timeline.TimelineFilter(categories=("gas",), statuses=("done",)))
    assert list(chosen["milestone_id"]) == ["done-late"]
    governance = timeline.apply_filter(CASES, timeline.TimelineFilter(categories=("governance",)))
    assert list(governance["milestone_id"]) == ["done-on-day"]


def test_empty_filter_keeps_everything_and_hiding_programme_drops_it():
    assert len(timeline.apply_filter(CASES, timeline.TimelineFilter())) == len(CASES)
    assert len(timeline.apply_filter(CASES, timeline.TimelineFilter(include_programme=False))) == len(CASES) - 1


def test_parse_multi_reads_repeated_and_comma_forms():
    allowed = ["rashakai", "aiic", "mirpur"]
    assert timeline.parse_multi(["rashakai,aiic", "mirpur"], allowed) == (["rashakai", "aiic", "mirpur"], [])
    assert timeline.parse_multi([" aiic , ,aiic"], allowed) == (["aiic"], [])
    assert timeline.parse_multi(["aiic,nowhere", "<b>x</b>"], allowed) == (["aiic"], ["nowhere", "<b>x</b>"])
    assert timeline.parse_multi([], allowed) == ([], [])


def test_first_commitments_take_the_oldest_version_listing_each_item():
    v1 = _items(("grid", "aiic", "milestone", "electricity", None, "2025-01-31", None, "planned"))
    v2 = _items(
        ("grid", "aiic", "milestone", "electricity", None, "2025-06-30", None, "in_progress"),
        ("new", "aiic", "milestone", "gas", None, "2026-01-01", None, "planned"),
    )
    first = timeline.first_commitments([("Before JCC-10", v1), ("Before JCC-11", v2)])
    assert first.loc["grid", "first_due"] == pd.Timestamp("2025-01-31")
    assert first.loc["grid", "first_version"] == "Before JCC-10"
    assert first.loc["new", "first_version"] == "Before JCC-11"


def test_slippage_table_most_late_first_with_human_labels():
    zones = pd.DataFrame({"zone_id": ["rashakai", "aiic", "mirpur"], "short_name": ["Rashakai", "AIIC", "Mirpur"]})
    assessed = timeline.assess(CASES, TODAY)
    v1 = CASES.assign(due_date=CASES["due_date"].where(CASES["milestone_id"] != "late-open", pd.Timestamp("2025-10-01")))
    table = timeline.slippage_table(assessed, zones, timeline.first_commitments([("v1", v1), ("v2", CASES)]))
    assert list(table.columns) == list(timeline.SLIPPAGE_COLUMNS)
    assert len(table) == len(CASES)
    days = table["Days late"].tolist()
    assert days[:3] == [365, 74, 61]
    assert pd.isna(days[-1])  # the cancelled item sorts last
    first = table.iloc[0]
    assert (first["Zone"], first["Status"], first["Kind"]) == ("Mirpur", "⚠ Delayed", "Milestone")
    programme = table[table["Milestone"] == "DONE-ON-DAY"].iloc[0]
    assert programme["Zone"] == "Programme"
    moved = table[table["Milestone"] == "LATE-OPEN"].iloc[0]
    assert moved["Rescheduled by (days)"] == 61  # 2025-10-01 → 2025-12-01
    assert moved["Confidence"] == "● Official"


def test_busiest_zones_rank_by_late_items_ties_in_first_seen_order(assessed):
    frame = assessed.reset_index()
    # late: mirpur 2 (flagged, flagged-past), rashakai 2 (late-open, done-late), aiic 1 (late-planned)
    assert timeline.busiest_zones(frame, 3) == ["rashakai", "mirpur", "aiic"]
    assert timeline.busiest_zones(frame, 1) == ["rashakai"]
    assert "" not in timeline.busiest_zones(frame, 10)  # programme items belong to no zone


def test_table_rows_follow_the_slippage_order():
    zones = pd.DataFrame({"zone_id": ["rashakai", "aiic", "mirpur"], "short_name": ["Rashakai", "AIIC", "Mirpur"]})
    assessed = timeline.assess(CASES, TODAY)
    order = timeline.slippage_order(assessed)
    table = timeline.slippage_table(assessed, zones)
    assert table["Milestone"].tolist() == order["title"].tolist()
    assert sorted(order.index) == list(CASES.index)  # the file order is kept in the index


def test_filter_mask_is_what_apply_filter_keeps():
    chosen = timeline.TimelineFilter(zones=("aiic",), statuses=("done", "cancelled"))
    mask = timeline.filter_mask(CASES, chosen)
    assert CASES.loc[mask, "milestone_id"].tolist() == ["done-early", "done-on-day", "dropped"]
    assert timeline.apply_filter(CASES, chosen)["milestone_id"].tolist() == ["done-early", "done-on-day", "dropped"]


def test_first_commitments_of_no_version_is_empty():
    first = timeline.first_commitments([])
    assert first.empty and list(first.columns) == ["first_due", "first_version"]
