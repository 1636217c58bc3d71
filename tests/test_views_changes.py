"""The Changes page's view model, without Streamlit: display frames, filters, the summary sections,
cell tables and downloads of a real diff (the base → next fixture, every kind of change once, and
the shipped data)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from support.stores import FIXTURES, build_store

from sez_metrics.core.diff import diff_versions
from sez_metrics.core.vocabulary import PROGRAMME
from sez_metrics.storage.folder import VersionStore
from sez_metrics.views import changes as view

STORE_FIXTURES = FIXTURES / "store"


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    root = build_store(tmp_path_factory.mktemp("changes") / "store",
                       [(STORE_FIXTURES / "base", "Base", "2024-06-30"), (STORE_FIXTURES / "next", "Next", "2025-01-15")])
    store = VersionStore(root)
    old, new = store.load("v0001").dataset, store.load("v0002").dataset
    diff = diff_versions(old, new)
    return old, new, diff, view.change_views(old, new, diff)


def _csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_zones_are_ordered_by_their_most_important_change_with_the_programme_last(pair):
    _, _, diff, views = pair
    # Zones added or removed rank first, then Dhabeji (a stage change), Bostan (utilities), then the programme.
    assert list(views.order.index) == ["mirpur", "moqpondass", "dhabeji", "bostan", view.PROGRAMME_GROUP]
    assert views.order.loc[view.PROGRAMME_GROUP, "zone"] == PROGRAMME
    assert views.zones_changed == 4
    assert int(views.order["n"].sum()) == len(diff.summary)
    # The order is the diff's own summary_by_zone order.
    assert [items[0].zone_name for items in diff.summary_by_zone().values()] == list(views.order["zone"])


def test_kinds_count_summary_lines_in_importance_order(pair):
    _, _, diff, views = pair
    assert sum(views.kinds.values()) == len(diff.summary)
    assert views.kinds["utility"] == 3 and views.kinds["milestone_added"] == 2
    assert list(views.kinds)[:2] == ["zone_added", "zone_removed"]
    assert view.kind_option(views, "utility") == "🔌 Gas or power (3)"


def test_movements_list_each_milestone_move_with_its_zone(pair):
    _, _, _, views = pair
    moves = views.movements.set_index("milestone_id")
    assert moves.loc["dhabeji-phase2", "Moved by"] == "184 days later"
    assert moves.loc["dhabeji-phase2", "Due before"] == "2025-06-30"
    assert moves.loc["dhabeji-phase2", "Timing"] == "—"
    assert moves.loc["dhabeji-gas", "Timing"] == "10 days late"
    assert moves.loc["dhabeji-gas", "Done on"] == "2025-01-10"
    assert moves.loc["bostan-power", "Timing"] == "107 days late"
    assert moves.loc["bostan-boundary", "zone_id"] == "bostan"
    assert views.moves_counts == {"completed": 1, "slipped": 1, "newly_overdue": 1, "brought_forward": 0, "cancelled": 1}


def test_cells_and_rows_carry_the_zone_of_a_milestone(pair):
    _, _, diff, views = pair
    assert sum(len(frame) for frame in views.cells.values()) == len(diff.cell_changes)
    milestones = views.cells["milestones"]
    assert set(milestones.loc[milestones["key"] == "dhabeji-gas", "zone_id"]) == {"dhabeji"}
    done = milestones[(milestones["key"] == "dhabeji-gas") & (milestones["column"] == "done_date")].iloc[0]
    assert (done["old"], done["new"]) == ("", "2025-01-10")  # an empty cell is empty text, not "None"
    area = views.cells["zones"].iloc[0]
    assert (area["column"], area["old"], area["new"]) == ("area_acres", "1530", "1600")  # 1530.0 shown as stored
    rows = views.rows["milestones"].set_index("row")
    assert rows.loc["jcc-14", "zone_id"] == "" and rows.loc["mirpur-notify", "change"] == "removed"


def test_no_filter_shows_every_zone_without_a_caption(pair):
    _, _, diff, views = pair
    chosen = view.choose(views, "", [], [])
    assert not chosen.active and chosen.zone_ids is None
    shown = view.summary(diff, views, chosen, view.ZONES_SHOWN)
    assert shown.caption == "" and shown.remaining == 0
    titles = [s.title for s in shown.sections]
    assert titles[2] == "Dhabeji — 12 changes"
    dhabeji = shown.sections[2]
    assert dhabeji.expanded and dhabeji.link
    assert dhabeji.markdown.splitlines()[0] == "- 🏗️ stage Under development → Partly operational"
    assert not shown.sections[0].link  # Mirpur was removed: no profile to open
    programme = shown.sections[-1]
    assert programme.group == view.PROGRAMME_GROUP and not programme.link and not programme.expanded


def test_a_limit_shows_the_most_important_zones_and_counts_the_rest(pair):
    _, _, diff, views = pair
    shown = view.summary(diff, views, view.choose(views, "", [], []), 2)
    assert [s.group for s in shown.sections] == ["mirpur", "moqpondass"]
    assert shown.remaining == 3 and shown.more == 3
    assert shown.caption.startswith("Showing 2 of 4 zones and the programme changed · 4 of 21 changes.")


def test_province_and_text_filters_narrow_every_section(pair):
    _, _, diff, views = pair
    chosen = view.choose(views, "", ["Sindh"], [])
    assert chosen.zone_ids == {"dhabeji"}
    shown = view.summary(diff, views, chosen, view.ZONES_SHOWN)
    assert [s.group for s in shown.sections] == ["dhabeji"]
    assert shown.caption == "Showing 1 of 1 zone matching the filters · 12 of 12 changes (21 in all)."
    assert set(view.movements(views, chosen)["zone_id"]) == {"dhabeji"}
    titles = [t.title for t in view.cell_tables(views, chosen)]
    assert titles[0].startswith("Status (") and " of " in titles[0]
    assert all(set(t.cells["zone_id"]) <= {"dhabeji"} for t in view.cell_tables(views, chosen))

    by_name = view.choose(views, "  BOST ", [], [])  # case and spaces ignored
    assert by_name.text == "BOST" and by_name.zone_ids == {"bostan"}
    programme = view.choose(views, "program", [], [])
    assert view.PROGRAMME_GROUP in programme.zone_ids
    assert view.PROGRAMME_GROUP not in view.choose(views, "program", ["Sindh"], []).zone_ids
    assert view.summary(diff, views, view.choose(views, "no such zone", [], []), 25) is None


def test_kind_filter_narrows_the_summary_only(pair):
    _, _, diff, views = pair
    chosen = view.choose(views, "", [], ["utility"])
    assert chosen.active and chosen.zone_ids is None
    shown = view.summary(diff, views, chosen, view.ZONES_SHOWN)
    assert [s.group for s in shown.sections] == ["bostan", "dhabeji"]  # same rank: by name
    assert all(line.startswith("- 🔌 ") for s in shown.sections for line in s.markdown.splitlines())
    assert len(view.movements(views, chosen)) == len(views.movements)


def test_summary_text_is_escaped_markdown():
    assert view.bullet("details", "note *bold* [link](x)") == "- ✏️ note \\*bold\\* \\[link\\]\\(x\\)"


def test_downloads_hold_every_change(pair):
    _, _, diff, views = pair
    summary = _csv_rows(views.file("summary"))
    assert len(summary) == len(diff.summary)
    assert summary[0]["zone_id"] == "mirpur" and summary[0]["kind"] == "zone_removed"
    cells = _csv_rows(views.file("cells"))
    assert len(cells) == len(diff.cell_changes)
    assert list(cells[0]) == ["table", "key", "column", "old", "new", "zone_id"]
    moves = _csv_rows(views.file("moves"))
    assert {m["milestone_id"] for m in moves} == set(views.movements["milestone_id"])
    assert views.file("summary") is views.file("summary")  # built once, kept
    assert json.loads(view.diff_json(diff)) == json.loads(json.dumps(diff.to_dict()))
    buttons = view.downloads(diff, views)
    assert [b.file_name for b in buttons] == ["changes_v0001_v0002.csv", "changed-cells_v0001_v0002.csv",
                                               "milestone-moves_v0001_v0002.csv", "changes_v0001_v0002.json"]
    assert f"All {len(diff.summary)} lines" in buttons[0].help


def test_counts_line_and_version_descriptions(pair):
    _, _, diff, views = pair
    assert view.counts_line(diff, views) == (
        "**4** zones changed · **21** cells changed · **1** zones added, **1** removed · "
        "**1** milestone completed, **1** slipped, **1** newly overdue, **1** cancelled")
    assert view.describe(diff.new) == "**Next** \\(v0002, as of 2025\\-01\\-15\\)"


def test_a_compare_the_page_chose_follows_the_version_shown():
    assert view.compare_request("v0001", ("v0002", "v0001"), "v0003") is None  # chosen for v0002, now v0003
    assert view.compare_request("v0001", ("v0002", "v0001"), "v0002") == "v0001"
    assert view.compare_request("v0001", None, "v0003") == "v0001"  # a person's choice stays
    assert view.compare_request("", None, "v0003") is None


def test_shipped_data_every_summary_line_is_in_one_section(shipped_copy):
    store = VersionStore(shipped_copy)
    *_, before, latest = store.versions()
    old, new = store.load(before.id).dataset, store.load(latest.id).dataset
    diff = diff_versions(old, new)
    views = view.change_views(old, new, diff)
    shown = view.summary(diff, views, view.choose(views, "", [], []), len(views.order))
    lines = sum(len(s.markdown.splitlines()) + s.more for s in shown.sections)
    assert lines == len(diff.summary)
    assert {s.group for s in shown.sections} == set(views.items["group"])
    for province in views.provinces:
        chosen = view.choose(views, "", [province], [])
        expected = set(views.zones.index[views.zones["province"] == province])
        assert chosen.zone_ids == expected
        assert set(view.movements(views, chosen)["zone_id"]) <= expected
