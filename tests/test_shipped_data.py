"""The shipped dataset in data/: intact, valid in every version, and telling the real story.

These tests read the repository's own data folder (never written to) with the real store and
validator, so a steward's bad publish or a hand edit of a published file fails the suite.
"""

from __future__ import annotations

import pandas as pd
import pytest
from support.stores import SHIPPED

from sez_metrics.core import schema
from sez_metrics.core.validate import validate_version
from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.store import VERSION_FILES

NINE_ZONES = {
    "rashakai": "Khyber Pakhtunkhwa",
    "dhabeji": "Sindh",
    "aiic": "Punjab",
    "bostan": "Balochistan",
    "moqpondass": "Gilgit-Baltistan",
    "mirpur": "Azad Jammu and Kashmir",
    "mohmand": "Khyber Pakhtunkhwa",
    "ict_miz": "Islamabad Capital Territory",
    "psm_park": "Sindh",
}
PRIORITY_ZONES = {"rashakai", "dhabeji", "aiic", "bostan"}


@pytest.fixture(scope="module")
def store() -> VersionStore:
    if not (SHIPPED / "manifest.json").exists():
        pytest.fail("the shipped dataset (data/manifest.json) is missing")
    return VersionStore(SHIPPED)


@pytest.fixture(scope="module")
def datasets(store):
    """Every shipped version, loaded and hash-verified, oldest first."""
    loaded = []
    for info in store.versions():
        result = store.load(info.id)
        assert not result.problems, [p.format_line() for p in result.problems]
        assert result.dataset.info.id == info.id
        loaded.append(result.dataset)
    return loaded


def test_at_least_four_reporting_rounds(store):
    versions = store.versions()
    assert len(versions) >= 4
    as_ofs = [v.as_of for v in versions]
    assert as_ofs == sorted(as_ofs), "rounds are published in reporting order"
    # The rounds were compiled in 2026 from dated sources: label and note say so, not "published then".
    for v in versions[:4]:
        assert v.label.startswith("Round before JCC-") and v.label.endswith("(reconstructed 2026)"), v.label
        assert v.note.startswith(f"Reconstructed 2026 from public sources dated up to {v.as_of} "), v.note


def test_store_is_intact(store):
    assert store.verify() == []


def test_every_version_validates_without_errors(store, datasets):
    previous = None
    for dataset in datasets:
        info = dataset.info
        files = {name: (store.versions_dir / info.id / name).read_bytes() for name in VERSION_FILES}
        report = validate_version(files, as_of=info.as_of, previous=previous)
        assert report.errors == [], [p.format_line() for p in report.errors]
        # No round cites a source published after its date, marks an estimate as sourced, dates an
        # event by its report, or places a point further out than its precision allows.
        assert report.warnings == [], [p.format_line() for p in report.warnings]
        previous = dataset


def test_latest_has_at_least_forty_milestones(datasets):
    latest = datasets[-1]
    assert len(latest.milestones) >= 40
    programme = latest.milestones[latest.milestones["zone_id"] == ""]
    assert {"jcc-06", "jcc-07", "jcc-08", "jcc-09", "jcc-10", "jcc-11", "jcc-12"} <= set(programme["milestone_id"])
    # The 14th JCC was first dated in a report of 22 Sep 2025, a week after the last round's as-of.
    assert "jcc-14" not in set(programme["milestone_id"])


def test_all_nine_zones_with_their_provinces(datasets):
    for dataset in datasets:
        zones = dataset.zones.set_index("zone_id")
        assert dict(zones["province"]) == NINE_ZONES, dataset.info.id
        assert set(zones.index[zones["priority"]]) == PRIORITY_ZONES
        assert set(dataset.status["zone_id"]) == set(NINE_ZONES)
        assert (dataset.status["as_of"] == pd.Timestamp(dataset.info.as_of)).all()


def test_dhabeji_gas_line_shows_its_missed_deadline(datasets):
    committed = pd.Timestamp("2021-12-31")
    for dataset in datasets:
        rows = dataset.milestones[dataset.milestones["milestone_id"] == "dhabeji-gas-pipeline"]
        assert len(rows) == 1, dataset.info.id
        gas = rows.iloc[0]
        assert gas["due_date"] == committed
        as_of = pd.Timestamp(dataset.info.as_of)
        if as_of > committed:
            slipped = gas["status"] == "delayed" or (gas["status"] == "done" and gas["done_date"] > committed)
            assert slipped, f"{dataset.info.id}: Dhabeji gas line should show slippage, is {gas['status']}"


def test_confidence_present_and_flagged_where_estimated(datasets):
    allowed = set(schema.CONFIDENCE.values)
    for dataset in datasets:
        for table in (dataset.status, dataset.milestones):
            assert table["confidence"].isin(allowed).all(), dataset.info.id
            assert (table["source"].str.len() > 0).all(), dataset.info.id
        for level in schema.FLAGGED_CONFIDENCE:
            flagged = dataset.status[dataset.status["confidence"] == level]
            assert flagged["note"].str.contains(level.upper()).all(), f"a row marked {level} says what is {level}"
        # The one placeholder: Bostan's colonization (allotments never published), in every round.
        illustrative = dataset.status[dataset.status["confidence"] == "illustrative"]
        assert list(illustrative["zone_id"]) == ["bostan"], dataset.info.id


def test_milestones_are_never_done_after_their_round_and_ids_are_stable(datasets):
    seen: set[str] = set()
    for dataset in datasets:
        milestones = dataset.milestones
        as_of = pd.Timestamp(dataset.info.as_of)
        assert (milestones["done_date"].dropna() <= as_of).all(), dataset.info.id
        assert ((milestones["status"] == "done") == milestones["done_date"].notna()).all(), dataset.info.id
        open_items = milestones[milestones["status"].isin(["planned", "in_progress"])]
        assert (open_items["due_date"] >= as_of).all(), f"{dataset.info.id}: an overdue item must be delayed"
        ids = set(milestones["milestone_id"])
        assert seen <= ids, f"{dataset.info.id} dropped milestone ids {sorted(seen - ids)}"
        seen = ids


def test_stages_never_move_backwards(datasets):
    for older, newer in zip(datasets, datasets[1:], strict=False):
        before = older.status.set_index("zone_id")
        after = newer.status.set_index("zone_id")
        for column, enumeration in (("stage", schema.STAGE), ("gas", schema.UTILITY_STAGE), ("electricity", schema.UTILITY_STAGE)):
            for zone_id in after.index:
                old_rank = enumeration.rank(before.at[zone_id, column])
                new_rank = enumeration.rank(after.at[zone_id, column])
                assert new_rank >= old_rank, f"{newer.info.id} {zone_id} {column} went backwards"


def test_the_store_is_what_the_build_script_makes_of_the_sources():
    """data/manifest.json and data/versions/ are rebuilt from data/sources/ through the real publish
    path; a hand edit of either side, or sources changed without a rebuild, fails here."""
    import subprocess
    import sys

    script = SHIPPED.parent / "scripts" / "build-shipped-data.py"
    run = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip().splitlines()[-1] == "ok: data/ is what data/sources/ builds"


def test_no_round_shows_a_colonization_built_from_allocations_or_a_change_of_measure(datasets):
    """Mohmand's share stays the last measured one (106 of 290 plots) rather than allocations over an
    outdated denominator; AIIC's stays the Senate's 585 of 2,800 acres rather than an undated share
    of saleable land; Rashakai's investment is a commitment, never the $400m 'expected'."""
    for dataset in datasets:
        status = dataset.status.set_index("zone_id")
        assert not status.at["mohmand", "colonization_pct"] > 36.6, dataset.info.id  # blank (unknown) in v0004
        assert status.at["aiic", "colonization_pct"] == pytest.approx(20.9), dataset.info.id
        assert status.at["rashakai", "investment_usd_m"] == 360, dataset.info.id
        zones = dataset.zones.set_index("zone_id")
        assert pd.isna(zones.at["mohmand", "notified_on"]), "no gazette notification of Mohmand was found"


def _build_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_shipped_data", SHIPPED.parent / "scripts" / "build-shipped-data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_known_gaps_list_every_estimated_or_illustrative_figure_of_the_latest_version(datasets):
    build = _build_script()
    readme = (SHIPPED / "README.md").read_text(encoding="utf-8")
    gaps = build.known_gaps()
    assert build.readme_with_gaps(readme, gaps) == readme, "data/README.md Known gaps is stale: run scripts/build-shipped-data.py"
    latest = datasets[-1]
    names = dict(zip(latest.zones["zone_id"], latest.zones["short_name"], strict=True))
    flagged = latest.status[latest.status["confidence"].isin(schema.FLAGGED_CONFIDENCE)]
    for zone_id, level in zip(flagged["zone_id"], flagged["confidence"], strict=True):
        assert f"- {names[zone_id]} (row {level}):" in gaps
    for title in latest.milestones.loc[latest.milestones["confidence"].isin(schema.FLAGGED_CONFIDENCE), "title"]:
        assert f": {title} (" in gaps


def test_per_figure_provenance_is_in_every_round_and_names_real_rows(datasets):
    """Every entry of per_figure.csv names a shipped round and zone, cites nothing published after
    that round, and is what the published status table carries figure by figure; colonization is
    blank (not applicable) for every zone without land."""
    build = _build_script()
    rows = build.read_per_figure()
    by_id = {d.info.id: d for d in datasets}
    from sez_metrics.core.row_rules import source_dates

    for row in rows:
        dataset = by_id[row["version"]]
        assert row["zone_id"] in set(dataset.status["zone_id"]), row
        assert all(d <= dataset.info.as_of for d in source_dates(row["source"])), row
        status = dataset.status.set_index("zone_id")
        carried = status.at[row["zone_id"], f"{row['figure']}_confidence"]
        assert ("" if pd.isna(carried) else carried) == row["confidence"], row
        if row["basis"]:
            assert status.at[row["zone_id"], "colonization_basis"] == row["basis"], row
    for dataset in datasets:
        status = dataset.status.set_index("zone_id")
        identified = status[status["stage"] == "identified"]
        assert identified["colonization_pct"].isna().all(), dataset.info.id
    latest = datasets[-1].status.set_index("zone_id")
    assert latest.at["rashakai", "colonization_basis"] == "gross_area"
    assert latest.at["bostan", "colonization_confidence"] == "illustrative"
    assert latest.at["rashakai", "colonization_pct"] == 24.7
    # Mohmand's expanded zone has no published plot count: no current share
    assert pd.isna(latest.at["mohmand", "colonization_pct"])
