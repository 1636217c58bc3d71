"""Diff between two versions: keyed rows, typed cell comparison, and the plain-language summary."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.stores import FIXTURES, build_store

from sez_metrics.core.change_summary import IMPORTANCE
from sez_metrics.core.diff import diff_versions
from sez_metrics.storage.folder import VersionStore

STORE_FIXTURES = FIXTURES / "store"
REPO = Path(__file__).parents[1]


@pytest.fixture
def two_versions(tmp_path) -> VersionStore:
    """base (as of 2024-06-30) → next (as of 2025-01-15): every kind of change at least once."""
    root = build_store(tmp_path / "store", [(STORE_FIXTURES / "base", "Base", "2024-06-30"), (STORE_FIXTURES / "next", "Next", "2025-01-15")])
    return VersionStore(root)


def _diff(store: VersionStore, old: str = "v0001", new: str = "v0002"):
    return diff_versions(store.load(old).dataset, store.load(new).dataset)


def _texts(diff) -> list[str]:
    return [item.text for item in diff.summary]


def test_rows_added_and_removed_are_keyed(two_versions):
    diff = _diff(two_versions)
    assert diff.zones_added == ["moqpondass"]
    assert diff.zones_removed == ["mirpur"]
    assert diff.milestones_added == ["jcc-14", "moqpondass-notify"]
    assert diff.milestones_removed == ["mirpur-notify"]
    assert diff.rows_added["status"] == ["moqpondass"]


def test_cell_changes_name_table_key_column_and_both_values(two_versions):
    diff = _diff(two_versions)
    cells = {(c.table, c.key, c.column): (c.old, c.new) for c in diff.cell_changes}
    assert cells[("status", "dhabeji", "stage")] == ("under_development", "partly_operational")
    assert cells[("status", "dhabeji", "jobs")] == (None, 800)
    assert cells[("zones", "dhabeji", "area_acres")] == (1530.0, 1600.0)
    assert cells[("milestones", "dhabeji-phase2", "due_date")] == ("2025-06-30", "2025-12-31")
    # Rows of added or removed zones are row changes, not cell changes.
    assert not any(c.key in ("mirpur", "moqpondass") for c in diff.cell_changes)
    assert diff.cell_counts() == {"zones": 1, "status": 15, "milestones": 5}
    frame = diff.cell_changes_frame()
    assert list(frame.columns) == ["table", "key", "column", "old", "new"]
    assert len(frame) == 21


def test_summary_speaks_plainly_with_schema_labels(two_versions):
    texts = _texts(_diff(two_versions))
    expected = [
        "Moqpondass: zone added (Gilgit-Baltistan, stage Land acquired)",
        "Mirpur: zone removed",
        "Dhabeji: stage Under development → Partly operational",
        "Dhabeji: gas Under construction → Connected (supply 0 → 15 MMCFD of 15 MMCFD)",
        "Dhabeji: electricity Interim supply (power 10 → 50 MW of 160 MW)",
        "Bostan: electricity Under construction (power required 20 → 30 MW)",
        "Dhabeji: colonization 10 → 25 % (+15 points), plots allotted 20 → 50 of 200",
        "Dhabeji: enterprises 5 → 9 (+4), operating 0 → 2 (+2)",
        "Dhabeji: investment USD 100 → 120 million (+20)",
        "Dhabeji: jobs now reported: 800",  # a figure first reported, not a rise from nothing
        "Dhabeji: “Gas connection 15 MMCFD” done on 2025-01-10 (10 days late)",
        "Dhabeji: “Phase-II development” due date slipped 184 days (2025-06-30 → 2025-12-31)",
        "Bostan: “Boundary wall” cancelled (was Planned)",
        "Bostan: “Electricity line” now overdue (due 2024-09-30, 107 days late at the data's as-of date 2025-01-15)",
        "Programme: milestone “14th JCC meeting” added (due 2025-06-30)",
        "Mirpur: milestone “SEZ notification” removed",
        "Dhabeji: figures now Official (were Estimated)",
        "Dhabeji: zone details: area (acres) 1,530 → 1,600",
        "Bostan: status: note — → demand revised",
    ]
    for text in expected:
        assert text in texts, text


def test_summary_is_ordered_by_importance(two_versions):
    diff = _diff(two_versions)
    ranks = [item.importance for item in diff.summary]
    assert ranks == sorted(ranks)
    kinds = [item.kind for item in diff.summary]
    for earlier, later in [("stage", "utility"), ("utility", "colonization"), ("colonization", "enterprises"),
                           ("investment", "milestone_done"), ("milestone_done", "milestone_slipped"),
                           ("milestone_slipped", "milestone_overdue"), ("milestone_overdue", "milestone_added"),
                           ("milestone_added", "details")]:
        assert kinds.index(earlier) < kinds.index(later), (earlier, later)
    assert all(item.importance == IMPORTANCE[item.kind] for item in diff.summary)


def test_every_changed_cell_appears_in_the_summary(two_versions):
    """Nothing changed is silent: each changed row is covered by at least one summary item."""
    diff = _diff(two_versions)
    summarised = {item.milestone_id or item.zone_id for item in diff.summary}
    for change in diff.cell_changes:
        if change.column == "as_of":
            continue  # moves with every update; in the cell changes only
        assert change.key in summarised, change


def test_overdue_only_when_newly_overdue(two_versions):
    diff = _diff(two_versions)
    overdue = [i for i in diff.summary if i.kind == "milestone_overdue"]
    # dhabeji-grid was already overdue in the old version; bostan-power became overdue with no
    # changed cell, only because the new version's as_of passed its due date.
    assert [(i.milestone_id, i.days) for i in overdue] == [("bostan-power", 107)]


def test_structured_fields_carry_the_facts(two_versions):
    items = {(i.kind, i.zone_id, i.subject): i for i in _diff(two_versions).summary}
    stage = items[("stage", "dhabeji", "stage")]
    assert (stage.old, stage.new, stage.delta, stage.zone_name) == ("under_development", "partly_operational", 1.0, "Dhabeji")
    power = items[("utility", "dhabeji", "electricity")]
    assert power.figures == {"unit": "MW", "available_old": 10.0, "available_new": 50.0, "required_old": 160.0, "required_new": 160.0}
    colonization = items[("colonization", "dhabeji", "colonization_pct")]
    assert colonization.delta == 15.0
    slipped = next(i for i in _diff(two_versions).summary if i.kind == "milestone_slipped")
    assert (slipped.milestone_id, slipped.days, slipped.old, slipped.new) == ("dhabeji-phase2", 184, "2025-06-30", "2025-12-31")
    assert slipped.detail == "“Phase-II development” due date slipped 184 days (2025-06-30 → 2025-12-31)"
    assert slipped.text == "Dhabeji: " + slipped.detail


def test_summary_by_zone_groups_most_important_first(two_versions):
    groups = _diff(two_versions).summary_by_zone()
    assert list(groups) == ["mirpur", "moqpondass", "dhabeji", "bostan", None]
    assert all(item.zone_id == zone for zone, items in groups.items() for item in items)
    assert groups[None][0].zone_name == "Programme"


def test_reverse_diff_says_moved_back(two_versions):
    texts = _texts(_diff(two_versions, "v0002", "v0001"))
    assert "Dhabeji: stage Partly operational → Under development (moved back)" in texts
    assert "Dhabeji: colonization 25 → 10 % (−15 points), plots allotted 50 → 20 of 200" in texts
    assert "Dhabeji: “Phase-II development” due date brought forward 184 days (2025-12-31 → 2025-06-30)" in texts


def test_same_version_is_an_empty_diff(two_versions):
    diff = _diff(two_versions, "v0002", "v0002")
    assert diff.is_empty and diff.summary == [] and diff.summary_by_zone() == {}


def test_row_order_and_number_spelling_are_not_changes(tmp_path):
    """Rows matched by key, values compared typed: reordered rows and 10 vs 10.0 change nothing."""
    respelled = tmp_path / "respelled"
    respelled.mkdir()
    for name in ("zones.csv", "status.csv", "milestones.csv"):
        header, *rows = (STORE_FIXTURES / "base" / name).read_text().splitlines()
        text = "\n".join([header, *reversed(rows)]) + "\n"
        if name == "status.csv":
            text = text.replace(",10,160,", ",10.0,160.00,")
        (respelled / name).write_text(text)
    store = VersionStore(build_store(tmp_path / "store", [(STORE_FIXTURES / "base", "a", "2024-06-30"), (respelled, "b", "2024-06-30")]))
    assert store.versions()[0].files["status.csv"].sha256 != store.versions()[1].files["status.csv"].sha256
    diff = _diff(store)
    assert diff.is_empty
    assert diff.summary == []


def test_mini_store_power_capacity_example(mini_store):
    texts = _texts(_diff(VersionStore(mini_store)))
    assert "Rashakai: electricity Interim supply (power 10 → 50 MW of 160 MW)" in texts
    assert "Rashakai: gas Under construction → Connected (supply 0 → 30 MMCFD of 30 MMCFD)" in texts
    assert "AIIC Faisalabad: “500/132 kV grid station” due date slipped 150 days (2025-01-31 → 2025-06-30)" in texts


def test_to_dict_is_complete_json(two_versions):
    diff = _diff(two_versions)
    data = json.loads(json.dumps(diff.to_dict()))
    assert data["old"]["id"] == "v0001" and data["new"]["as_of"] == "2025-01-15"
    assert data["rows_added"]["zones"] == ["moqpondass"]
    assert len(data["cell_changes"]) == len(diff.cell_changes)
    assert data["summary"][0] == diff.summary[0].to_dict()
    assert [g["zone_id"] for g in data["summary_by_zone"]] == list(diff.summary_by_zone())


# --- command line ---------------------------------------------------------------------------


def _cli(store: VersionStore, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SEZ_DATA_DIR": str(store.root)}
    return subprocess.run([sys.executable, "-m", "sez_metrics", "diff", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)


def test_cli_prints_summary_grouped_by_zone(two_versions):
    run = _cli(two_versions, "v0001", "v0002")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "Changes from v0001 “Base” (as of 2024-06-30) to v0002 “Next” (as of 2025-01-15)"
    dhabeji = lines.index("Dhabeji")
    assert lines[dhabeji + 1] == "  - stage Under development → Partly operational"
    assert lines[-1] == ("21 cell change(s) (zones 1, status 15, milestones 5); zones added 1, removed 1; "
                         "milestones added 2, removed 1")


def test_cli_json_prints_everything(two_versions):
    run = _cli(two_versions, "v0001", "v0002", "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert {"summary", "cell_changes", "rows_added", "rows_removed", "summary_by_zone"} <= set(data)


def test_cli_unknown_version_lists_valid_ids(two_versions):
    run = _cli(two_versions, "v0001", "v0009")
    assert run.returncode == 2
    assert run.stderr.strip() == "error: no version 'v0009'; valid ids: v0001, v0002"
    assert "Traceback" not in run.stderr


def test_cli_refuses_a_damaged_version_instead_of_diffing_another(two_versions):
    path = two_versions.versions_dir / "v0002" / "status.csv"
    data = bytearray(path.read_bytes())
    data[200] ^= 0x01
    path.write_bytes(bytes(data))
    run = _cli(two_versions, "v0001", "v0002")
    assert run.returncode == 1
    assert "version v0002 is damaged" in run.stderr and "status.csv" in run.stderr


def test_a_figure_no_longer_reported_is_not_read_as_supply_lost(tmp_path):
    """A capacity that goes blank says the figure is no longer reported, with what it was; one that
    appears says it is now reported; a completion before its date is "N days early", never "-N"."""
    from support.stores import variant_store

    root = variant_store(tmp_path / "store", [
        ("v1", "Before JCC-10", "2021-09-15", {}),
        ("v2", "Before JCC-11", "2022-10-15", {"status.csv": [("aiic,2022-10-15,partly_operational,connected,40,40,",
                                                              "aiic,2022-10-15,partly_operational,interim,,40,")]}),
    ])
    store = VersionStore(root)
    texts = [i.text for i in diff_versions(store.load("v0001").dataset, store.load("v0002").dataset).summary]
    assert "AIIC Faisalabad: gas supply figure no longer reported (was 5 MMCFD); still Interim supply" in texts
    assert not any("→ —" in t or "— →" in t for t in texts)
    assert not any(re.search(r"-\d+ days", t) for t in texts)
