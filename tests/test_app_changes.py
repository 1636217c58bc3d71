"""The Changes page (`/changes?version=NEW&compare=OLD`): deep links, pickers, summary by zone, cell tables."""

from __future__ import annotations

import re

import pytest
from apphelpers import HOSTILE_SHORT, HOSTILE_TITLE, SHIPPED, hostile_store, rendered_texts, run_page, variant_store

from sez_metrics.diff import diff_versions
from sez_metrics.store import VersionStore
from sez_metrics.text import md_escape

needs_shipped = pytest.mark.skipif(not (SHIPPED / "manifest.json").exists(), reason="the shipped dataset is not authored yet")


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
    assert list(moves["Change"]) == ["✓ Completed", "⚠ Slipped"]
    assert list(moves["Milestone"]) == ["Gas pipeline 30 MMCFD", "500/132 kV grid station"]
    assert moves["Moved by"].iloc[1] == "150 days" and moves["Days late"].iloc[0] == "74 days"
    assert moves["Days late"].iloc[1] == "—"  # not completed: a dash, never a grey "None"
    assert "None" not in moves.astype(str).to_numpy()


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


@needs_shipped
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
    monkeypatch.setenv("SEZ_DATA_DIR", str(hostile_store(tmp_path / "store")))
    at = run_page("changes", version="v0002", compare="v0001")
    assert not at.exception
    texts = rendered_texts(at)
    for text in texts:
        assert "](javascript" not in text, text
        assert not re.search(r"(?<!\\)<(img|script|b|i)\b", text), text
    joined = "\n".join(texts)
    assert md_escape(HOSTILE_SHORT) + " — " in joined  # the zone's expander label
    assert md_escape(HOSTILE_TITLE) in joined  # the milestone in the summary
