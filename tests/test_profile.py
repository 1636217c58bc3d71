"""A zone's figures in words: capacities, colonization, the provenance table, the default zone, the history."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from support.stores import MINI, build_store

from sez_metrics.core import profile, timeline
from sez_metrics.storage.folder import VersionStore


@pytest.fixture
def mini(mini_store):
    store = VersionStore(mini_store)
    return [store.load(v.id).dataset for v in store.versions()]


def test_colonization_with_and_without_plots():
    assert profile.colonization_text(35.0) == "35 %"
    assert profile.colonization_text(24.7, 12, 40) == "24.7 % (12 of 40 plots allotted)"
    assert profile.colonization_text(math.nan) == "not reported"
    assert profile.plots_text(pd.NA, 40) == ""


def test_enterprises_and_utilities_read_as_officials_say_them():
    assert profile.enterprises_text(2, 15) == "2 of 15 operating"
    assert profile.enterprises_text(pd.NA, 15) == "15 admitted (operating not reported)"
    assert profile.enterprises_text(pd.NA, pd.NA) == ""
    text = profile.utility_text("interim", 50.0, 160.0, "MW")
    assert text.startswith("◕ Interim supply") and "50 of 160 MW" in text
    assert profile.utility_text("connected") == "✓ Connected"


def test_default_zone_is_the_first_priority_zone():
    zones = pd.DataFrame({"zone_id": ["a", "b", "c"], "priority": [False, True, True]})
    assert profile.default_zone(zones) == "b"
    assert profile.default_zone(zones.assign(priority=False)) == "a"
    assert profile.default_zone(zones.iloc[0:0]) is None


def test_zone_figures_carry_confidence_and_source(mini):
    latest = mini[-1]
    zone, status = profile.zone_row(latest, "rashakai")
    table = profile.zone_figures(zone, status).set_index("Figure")
    assert list(table.columns) == ["Value", "Confidence", "Source"]
    assert "50 of 160 MW" in table.loc["Electricity", "Value"]
    assert table.loc["Colonization", "Value"] == "35 %"
    assert table.loc["Enterprises", "Value"] == "2 of 15 operating"
    assert table.loc["Investment", "Value"] == "USD 146 million"
    assert table.loc["Stage", "Confidence"] == "◐ Reported"
    assert table.loc["Stage", "Source"] == "cpecinfo 2022-04-27"
    assert table.loc["Location precision", "Value"] == "◎ Approximate"
    assert table.loc["Area", "Source"] == profile.REFERENCE_SOURCE
    assert "Jobs" not in table.index  # not reported: no row rather than a misleading 0


def test_zone_figures_without_status_show_reference_data_only(mini):
    zone, _ = profile.zone_row(mini[-1], "mirpur")
    table = profile.zone_figures(zone, None)
    assert "Stage" not in set(table["Figure"])
    assert "Area" in set(table["Figure"])


def test_zone_history_follows_the_versions(mini):
    history = profile.zone_history(mini, "rashakai")
    assert history["version_id"].tolist() == ["v0001", "v0002"]
    assert history["colonization_pct"].tolist() == [20.0, 35.0]
    assert history["stage"].tolist() == ["under_development", "partly_operational"]
    table = profile.history_table(history)
    assert table["As of"].tolist() == ["2022-10-15", "2021-09-15"]  # newest first
    assert profile.zone_history(mini, "nowhere").empty


# --- the history read from per-version extracts -------------------------------------------------


def _extracts(root):
    store = VersionStore(root)
    extracts = []
    for version in store.versions():
        files, problems = store.read_version_files(version)
        extracts.append(None if problems else profile.history_extract(version, files))
    return extracts


def _expected_baseline(datasets, ids):
    whole = timeline.first_commitments([(ds.info.label, ds.milestones) for ds in datasets])
    return whole.loc[[i for i in whole.index if i in set(ids)]]


def _assert_same_baseline(got, expected):
    assert sorted(got.index) == sorted(expected.index)
    pd.testing.assert_frame_equal(got.sort_index(), expected.sort_index(), check_index_type=False)


def test_history_from_extracts_equals_the_history_of_loaded_versions(mini, mini_store):
    extracts = _extracts(mini_store)
    for zone_id in ("rashakai", "aiic", "mirpur", "nowhere"):
        history, unreadable = profile.history_from_extracts(extracts, zone_id)
        pd.testing.assert_frame_equal(history, profile.zone_history(mini, zone_id))
        assert unreadable == []
    ids = mini[-1].milestones["milestone_id"].tolist()
    baseline, unreadable = profile.first_commitments_from_extracts(extracts, ids[:3])
    _assert_same_baseline(baseline, _expected_baseline(mini, ids[:3]))
    assert unreadable == []


def test_history_from_extracts_at_scale_equals_the_history_of_loaded_versions(scale_store):
    store = VersionStore(scale_store)
    datasets = [store.load(v.id).dataset for v in store.versions()]
    extracts = _extracts(scale_store)
    zone_ids = datasets[-1].zones["zone_id"].tolist()
    assert len(zone_ids) == 1000
    for zone_id in zone_ids[::97]:
        history, _ = profile.history_from_extracts(extracts, zone_id)
        pd.testing.assert_frame_equal(history, profile.zone_history(datasets, zone_id))
        milestones = datasets[-1].milestones
        ids = milestones.loc[milestones["zone_id"] == zone_id, "milestone_id"].tolist()
        baseline, _ = profile.first_commitments_from_extracts(extracts, ids)
        _assert_same_baseline(baseline, _expected_baseline(datasets, ids))


def _store_with(tmp_path, edit) -> Path:
    """The mini store with ``edit(folder)`` applied to a copy of its second round (hashes made to match)."""
    second = tmp_path / "v2"
    shutil.copytree(MINI / "v2", second)
    edit(second)
    return build_store(tmp_path / "store", [(MINI / "v1", "Before JCC-10", "2021-09-15"), (second, "Before JCC-11", "2022-10-15")])


def test_ids_padded_with_spaces_are_found_as_the_loader_finds_them(tmp_path):
    def pad(folder):
        for name, column in (("status.csv", "zone_id"), ("milestones.csv", "milestone_id")):
            frame = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
            frame[column] = " " + frame[column] + "\t"
            frame.to_csv(folder / name, index=False)

    root = _store_with(tmp_path, pad)
    store = VersionStore(root)
    datasets = [store.load(v.id).dataset for v in store.versions()]
    extracts = _extracts(root)
    history, _ = profile.history_from_extracts(extracts, "rashakai")
    assert history["version_id"].tolist() == ["v0001", "v0002"]
    pd.testing.assert_frame_equal(history, profile.zone_history(datasets, "rashakai"))
    ids = datasets[-1].milestones["milestone_id"].tolist()
    baseline, _ = profile.first_commitments_from_extracts(extracts, ids)
    _assert_same_baseline(baseline, _expected_baseline(datasets, ids))


def test_a_row_that_does_not_convert_is_named_and_left_out(tmp_path):
    def spoil(folder):
        frame = pd.read_csv(folder / "status.csv", dtype=str, keep_default_na=False)
        frame.loc[frame["zone_id"] == "rashakai", "colonization_pct"] = "thirty"
        frame.to_csv(folder / "status.csv", index=False)

    extracts = _extracts(_store_with(tmp_path, spoil))
    history, unreadable = profile.history_from_extracts(extracts, "rashakai")
    assert unreadable == ["v0002"]
    assert history["version_id"].tolist() == ["v0001"]
    other, unreadable = profile.history_from_extracts(extracts, "aiic")  # another zone's row in v0002 converts
    assert other["version_id"].tolist() == ["v0001", "v0002"] and unreadable == []


@pytest.mark.parametrize("few_ids", [1000, 0], ids=["version-by-version", "one-pass"])
def test_a_date_that_does_not_convert_is_named_and_left_out(tmp_path, monkeypatch, few_ids):
    monkeypatch.setattr(profile, "_FEW_IDS", few_ids)  # both ways of finding the rows of the ids asked for
    def spoil(folder):
        frame = pd.read_csv(folder / "milestones.csv", dtype=str, keep_default_na=False)
        frame.loc[frame["milestone_id"] == "rashakai-gas", "due_date"] = "soon"
        frame.to_csv(folder / "milestones.csv", index=False)

    root = _store_with(tmp_path, spoil)
    extracts = _extracts(root)
    v1 = pd.read_csv(MINI / "v1" / "milestones.csv", dtype=str).set_index("milestone_id")
    ids = ["rashakai-gas", "jcc-06"]
    baseline, unreadable = profile.first_commitments_from_extracts(extracts, ids)
    assert unreadable == ["v0002"]
    assert baseline.loc["rashakai-gas", "first_due"] == pd.Timestamp(v1.loc["rashakai-gas", "due_date"])
    baseline, unreadable = profile.first_commitments_from_extracts(extracts[1:], ids)
    assert unreadable == ["v0002"] and "rashakai-gas" not in baseline.index and "jcc-06" in baseline.index


def test_a_file_without_an_optional_column_reads_as_the_loader_reads_it(tmp_path):
    def drop_note(folder):
        frame = pd.read_csv(folder / "status.csv", dtype=str, keep_default_na=False)
        frame.drop(columns=["note"]).to_csv(folder / "status.csv", index=False)

    root = _store_with(tmp_path, drop_note)
    store = VersionStore(root)
    datasets = [store.load(v.id).dataset for v in store.versions()]
    history, unreadable = profile.history_from_extracts(_extracts(root), "rashakai")
    pd.testing.assert_frame_equal(history, profile.zone_history(datasets, "rashakai"))
    assert unreadable == []


def test_a_version_whose_file_fails_its_hash_gives_no_extract(mini_store):
    path = mini_store / "versions" / "v0001" / "milestones.csv"
    data = bytearray(path.read_bytes())
    data[40] ^= 0x01
    path.write_bytes(bytes(data))
    extracts = _extracts(mini_store)
    assert extracts[0] is None and extracts[1] is not None
