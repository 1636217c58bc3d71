"""The Changes page (`/changes?version=NEW&compare=OLD`): deep links, pickers, summary by zone, cell tables."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from support.hostile import HOSTILE_SHORT, HOSTILE_TITLE, build_hostile_store
from support.pages import rendered_texts, run_page
from support.stores import latest_csv, variant_store

from sez_metrics.core.diff import diff_versions
from sez_metrics.core.text import md_escape
from sez_metrics.storage.folder import VersionStore


def expander(at, zone_name: str):
    matches = [e for e in at.expander if e.label.startswith(md_escape(zone_name) + " — ")]
    assert len(matches) == 1, [e.label for e in at.expander]
    return matches[0]


def counts_line(at) -> str:
    return next(m.value for m in at.markdown if "cells changed" in m.value)


def bullets(block) -> list[str]:
    return [line for m in block.markdown for line in m.value.splitlines()]


@pytest.fixture
def three_versions(tmp_path, monkeypatch):
    """v0001 and v0002 of the mini store, then v0003 re-issuing v0001's files unchanged (a step back)."""
    root = variant_store(
        tmp_path / "store",
        [("v1", "Before JCC-10", "2021-09-15", {}), ("v2", "Before JCC-11", "2022-10-15", {}),
         ("v1", "Re-issue of the JCC-10 figures", "2021-09-15", {})],
    )
    monkeypatch.setenv("SEZ_DATA_DIR", str(root))
    return root


def test_deep_link_shows_the_summary_by_zone(mini_store):
    at = run_page("changes", version="v0002", compare="v0001")
    assert not at.exception
    rashakai = expander(at, "Rashakai")
    assert f"- 🏗️ {md_escape('stage Under development → Partly operational')}" in bullets(rashakai)
    assert any(md_escape("gas Interim supply → Connected") in line for line in bullets(expander(at, "AIIC Faisalabad")))
    assert any(md_escape("milestone “11th JCC meeting” added") in line for line in bullets(expander(at, "Programme")))
    # Zones in order of their most important change: Rashakai's stage move outranks AIIC's gas connection.
    assert [e.label.split(" — ")[0] for e in at.expander] == ["Rashakai", "AIIC Faisalabad", "Programme"]
    assert at.selectbox(key="_changes_from").value == "v0001" and at.selectbox(key="_changes_to").value == "v0002"


def test_default_compares_the_previous_version_and_writes_it_to_the_url(mini_store):
    at = run_page("changes")
    assert at.query_params["compare"] == "v0001"
    assert "version" not in at.query_params
    heading = next(m.value for m in at.markdown if m.value.startswith("#### From"))
    assert md_escape("Before JCC-10") in heading and md_escape("Before JCC-11") in heading


def test_counts_and_cell_changes_equal_the_diff(mini_store):
    store = VersionStore(mini_store)
    diff = diff_versions(store.load("v0001").dataset, store.load("v0002").dataset)
    at = run_page("changes", version="v0002", compare="v0001")
    line = counts_line(at)
    assert f"**{len(diff.cell_changes)}** cells changed" in line
    assert "**2** zones changed" in line and "**1** milestone completed, **1** slipped" in line
    status = at.dataframe[1].value  # after the milestones table
    row = status[(status["key"] == "rashakai") & (status["column"] == "stage")]
    assert list(row[["table", "old", "new"]].iloc[0]) == ["status", "under_development", "partly_operational"]
    assert "30" in list(status.loc[status["column"] == "gas_mmcfd_available", "new"])  # 30, not 30.0


def test_milestones_completed_or_slipped(mini_store):
    at = run_page("changes", version="v0002", compare="v0001")
    moves = at.dataframe[0].value
    # Done 74 days after the date committed before: completed late (the movement codes of vocabulary).
    assert list(moves["Change"]) == ["⏱ Completed late", "⚠ Slipped"]
    assert list(moves["Milestone"]) == ["Gas pipeline 30 MMCFD", "500/132 kV grid station"]
    assert moves["Moved by"].iloc[1] == "150 days later" and moves["Timing"].iloc[0] == "74 days late"
    assert moves["Timing"].iloc[1] == "—"  # not completed: a dash, never a grey "None"
    assert "None" not in moves.astype(str).to_numpy()
    assert not moves.astype(str).apply(lambda c: c.str.contains(r"^-\d|-\d+ days")).to_numpy().any()  # no negative lateness


def test_header_counts_equal_the_movements_table_and_the_diff(shipped_copy):
    """The header's completed / slipped / newly overdue counts are the table's rows of each kind, and
    the diff's items of each kind: one classification (vocabulary.movements)."""
    from sez_metrics.core import milestone_tables, vocabulary

    store = VersionStore(shipped_copy)
    ids = [v.id for v in store.versions()]
    for old_id, new_id in zip(ids, ids[1:], strict=False):
        old, new = store.load(old_id).dataset, store.load(new_id).dataset
        at = run_page("changes", version=new_id, compare=old_id)
        line = counts_line(at)
        table = at.dataframe[0].value if at.dataframe else None
        changes = list(table["Change"]) if table is not None and "Change" in table else []
        labels = milestone_tables.MOVEMENTS
        completed = sum(changes.count(labels[c]) for c in vocabulary.COMPLETED)
        slipped, overdue = changes.count(labels[vocabulary.SLIPPED]), changes.count(labels[vocabulary.NEWLY_OVERDUE])
        assert f"completed, **{slipped:,}** slipped, **{overdue:,}** newly overdue" in line, (new_id, line)
        assert (f"**{completed:,}** milestone{'s' if completed != 1 else ''} completed") in line, (new_id, line)
        diff = diff_versions(old, new)
        kinds = [i.kind for i in diff.summary]
        assert kinds.count("milestone_slipped") == slipped
        # The diff counts newly overdue among every milestone (added ones too); the table among those in both.
        both = set(old.milestones["milestone_id"]) & set(new.milestones["milestone_id"])
        assert sum(1 for i in diff.summary if i.kind == "milestone_overdue" and i.milestone_id in both) == overdue
        assert kinds.count("milestone_done") == completed


def test_same_version_on_both_sides_is_a_friendly_note(mini_store):
    at = run_page("changes", version="v0002", compare="v0002")
    assert not at.exception
    assert any("same version" in i.value for i in at.info)
    assert not at.expander and not at.dataframe


def test_the_first_version_has_nothing_to_compare_with(mini_store):
    at = run_page("changes", version="v0001")
    assert any("first version" in i.value for i in at.info)
    assert "compare" not in at.query_params


def test_an_unknown_compare_version_falls_back_to_the_previous(mini_store):
    at = run_page("changes", compare="v0042")
    assert any("v0042" in w.value for w in at.warning)
    assert at.query_params["compare"] == "v0001"
    assert at.expander


def test_comparing_backwards_says_so_and_reverses_the_moves(mini_store):
    at = run_page("changes", version="v0001", compare="v0002")
    assert any("backwards" in i.value for i in at.info)
    assert any(md_escape("stage Partly operational → Under development (moved back)") in line for line in bullets(expander(at, "Rashakai")))


def test_pickers_write_the_url(three_versions):
    at = run_page("changes")
    assert (at.query_params["compare"], at.selectbox(key="_changes_to").value) == ("v0002", "v0003")
    at.selectbox(key="_changes_from").select("v0001").run()
    assert at.query_params["compare"] == "v0001"
    assert any("Nothing changed" in i.value for i in at.info)  # v0003 repeats v0001's files
    assert "**0** cells changed" in counts_line(at)
    at.selectbox(key="_changes_to").select("v0002").run()
    assert at.query_params["version"] == "v0002" and at.query_params["compare"] == "v0001"  # a chosen compare stays
    assert md_escape("2022-10-15") in at.caption[0].value
    assert expander(at, "Rashakai")


def test_a_default_compare_follows_the_version(three_versions):
    at = run_page("changes")
    assert at.query_params["compare"] == "v0002"
    at.sidebar.selectbox(key="_version_picker").select("v0002").run()
    assert at.query_params["compare"] == "v0001"
    assert expander(at, "Rashakai")


def test_every_consecutive_pair_of_the_shipped_data(shipped_copy):
    store = VersionStore(shipped_copy)
    infos = store.versions()
    for older, newer in zip(infos, infos[1:], strict=False):
        at = run_page("changes", version=newer.id, compare=older.id)
        assert not at.exception, (older.id, newer.id, at.exception)
        diff = diff_versions(store.load(older.id).dataset, store.load(newer.id).dataset)
        texts = "\n".join(line for e in at.expander for line in bullets(e))
        for item in diff.summary:
            assert md_escape(item.detail) in texts, item.text
        assert f"**{len(diff.cell_changes)}** cells changed" in counts_line(at)


def test_markup_in_the_data_is_shown_as_text(tmp_path, monkeypatch):
    monkeypatch.setenv("SEZ_DATA_DIR", str(build_hostile_store(tmp_path / "store")))
    at = run_page("changes", version="v0002", compare="v0001")
    assert not at.exception
    texts = rendered_texts(at)
    for text in texts:
        assert "](javascript" not in text, text
        assert not re.search(r"(?<!\\)<(img|script|b|i)\b", text), text
    joined = "\n".join(texts)
    assert md_escape(HOSTILE_SHORT) + " — " in joined  # the zone's expander label
    assert md_escape(HOSTILE_TITLE) in joined  # the milestone in the summary


# --- at scale: 1,000 zones ---------------------------------------------------------------------

KIND_SYMBOL = {"enterprises": "🏢", "jobs": "👷", "colonization": "🏭", "investment": "💰", "stage": "🏗️", "utility": "🔌",
               "milestone_done": "✅", "milestone_slipped": "⚠️", "milestone_status": "🔄", "milestone_cancelled": "✖️",
               "milestone_overdue": "⏰", "milestone_added": "🆕", "milestone_removed": "🗑️", "milestone_rescheduled": "📅",
               "confidence": "🔎", "details": "✏️", "zone_added": "➕", "zone_removed": "➖"}
SHOWN_ZONES = 25  # the summary's default portion, and what "Show more" adds
MAX_MOVE_ROWS, MAX_CELL_ROWS = 200, 500


@pytest.fixture
def scale_diff(scale_store):
    store = VersionStore(scale_store)
    *_, older, newer = store.versions()
    return diff_versions(store.load(older.id).dataset, store.load(newer.id).dataset)


def zone_label(items) -> str:
    return md_escape(f"{items[0].zone_name} — {len(items)} change{'s' if len(items) != 1 else ''}")


def test_at_scale_the_summary_shows_the_most_important_zones_first_and_more_on_request(scale_store, scale_diff):
    groups = list(scale_diff.summary_by_zone().values())
    assert len(groups) > 2 * SHOWN_ZONES  # the store is big enough for the bound to matter
    at = run_page("changes")
    assert not at.exception

    assert [e.label for e in at.expander] == [zone_label(items) for items in groups[:SHOWN_ZONES]]
    for block, items in zip(at.expander, groups[:SHOWN_ZONES], strict=True):
        assert bullets(block) == [f"- {KIND_SYMBOL[i.kind]} {md_escape(i.detail)}" for i in items]
    shown = sum(len(items) for items in groups[:SHOWN_ZONES])
    zones = len([z for z in scale_diff.summary_by_zone() if z is not None])
    assert any(
        c.value.startswith(f"Showing 25 of {zones:,} zones changed · {shown:,} of {len(scale_diff.summary):,} changes")
        for c in at.caption
    ), [c.value for c in at.caption]
    assert f"**{zones:,}** zones changed · **{len(scale_diff.cell_changes):,}** cells changed" in counts_line(at)
    # every table is bounded; the cell tables say how many they leave out
    moves, *cells = at.dataframe
    assert 0 < len(moves.value) <= MAX_MOVE_ROWS
    assert all(len(table.value) <= MAX_CELL_ROWS for table in cells)
    status_cells = sum(1 for c in scale_diff.cell_changes if c.table == "status")
    assert status_cells > MAX_CELL_ROWS
    assert any(f"of {status_cells:,} changed cells of status.csv" in c.value for c in at.caption)

    at.button(key="_changes_more").click().run()
    assert [e.label for e in at.expander] == [zone_label(items) for items in groups[: 2 * SHOWN_ZONES]]


def test_at_scale_the_downloads_hold_every_change(scale_store, scale_diff, download):
    at = run_page("changes")
    summary = list(csv.DictReader(io.StringIO(download(at, "Changes (CSV)").decode("utf-8-sig"))))
    assert len(summary) == len(scale_diff.summary)
    assert [(r["zone_id"], r["kind"], r["change"]) for r in summary] == [
        (i.zone_id or "", i.kind, i.detail) for i in scale_diff.summary
    ]
    cells = list(csv.DictReader(io.StringIO(download(at, "Changed cells (CSV)").decode("utf-8-sig"))))
    assert len(cells) == len(scale_diff.cell_changes)
    assert {(r["table"], r["key"], r["column"]) for r in cells} == {(c.table, c.key, c.column) for c in scale_diff.cell_changes}
    everything = json.loads(download(at, "Everything (JSON)"))
    assert everything == json.loads(json.dumps(scale_diff.to_dict()))


def test_at_scale_a_zone_beyond_the_first_portion_is_reached_by_the_zone_filter(scale_store, scale_diff):
    groups = scale_diff.summary_by_zone()
    zone_id = [z for z in groups if z is not None][-1]  # the least important zone: far below the first 25
    at = run_page("changes")
    at.text_input(key="_changes_zone").input(zone_id).run()
    assert not at.exception
    assert [e.label for e in at.expander] == [zone_label(groups[zone_id])]
    assert bullets(at.expander[0]) == [f"- {KIND_SYMBOL[i.kind]} {md_escape(i.detail)}" for i in groups[zone_id]]
    # the cell tables narrow to the zone too (milestone keys begin with their zone's id)
    cell_tables = [t.value for t in at.dataframe if "column" in t.value.columns]
    expected = {(c.table, c.key, c.column) for c in scale_diff.cell_changes if c.key.startswith(zone_id)}
    shown = {(t, k, c) for table in cell_tables for t, k, c in table[["table", "key", "column"]].itertuples(index=False)}
    assert expected and shown == expected


def test_at_scale_province_and_kind_filters(scale_store, scale_diff):
    zones = latest_csv(scale_store, "zones.csv")
    province = zones["province"].value_counts().index[-1]  # the smallest province
    in_province = {md_escape(name) for name in zones.loc[zones["province"] == province, "short_name"]}
    at = run_page("changes")
    at.multiselect(key="_changes_provinces").select(province).run()
    names = [e.label.split(" — ")[0] for e in at.expander]
    assert names and set(names) <= in_province
    at.multiselect(key="_changes_provinces").unselect(province).run()
    at.multiselect(key="_changes_kinds").select("milestone_done").run()
    done = [i for i in scale_diff.summary if i.kind == "milestone_done"]
    lines = [line for e in at.expander for line in bullets(e)]
    assert lines and all(line.startswith("- ✅ ") for line in lines)
    assert any(f" of {len(done):,} changes ({len(scale_diff.summary):,} in all)" in c.value for c in at.caption)
