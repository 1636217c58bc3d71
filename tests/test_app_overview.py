"""The Overview page (`/`) against figures computed here, independently, from the CSV files with pandas."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from support.hostile import HOSTILE_LABEL, HOSTILE_NAME, HOSTILE_SHORT, HOSTILE_SOURCE, build_hostile_store
from support.pages import rendered_texts, run_page
from support.stores import variant_store

from sez_metrics.core.text import md_escape
from sez_metrics.storage.folder import VersionStore

STAGES = ["identified", "land_acquired", "notified", "under_development", "partly_operational", "operational"]
FLAGGED = ("estimated", "illustrative")



def overdue_table(at):
    """The overdue milestones table (a wrapped table; the stage chart's own table comes first on the page)."""
    return next(t.value for t in [*at.table, *at.dataframe] if "Milestone" in t.value.columns)


def figures_from_csv(folder: Path) -> dict[str, float]:
    """The headline figures of a version folder, computed with plain pandas."""
    zones = pd.read_csv(folder / "zones.csv")
    status = pd.read_csv(folder / "status.csv")
    status = status[status["zone_id"].isin(zones["zone_id"])]
    return {
        "Zones tracked": len(zones),
        "Zones producing": int(status["stage"].isin(["partly_operational", "operational"]).sum()),
        "Gas connected": int((status["gas"] == "connected").sum()),
        "Power connected": int((status["electricity"] == "connected").sum()),
        # A zone at stage "identified" holds no land: its colonization is not applicable, never a 0 in the median.
        "Median colonization": status.loc[status["stage"] != "identified", "colonization_pct"].median(),
        "Mean colonization": status.loc[status["stage"] != "identified", "colonization_pct"].mean(),
        "Enterprises": status["enterprises"].sum(),
        "Investment, USD m": status["investment_usd_m"].sum(),
        "with status": len(status),
    }


def number_in(text: str) -> float:
    """The (signed) number in a tile's value or delta: "2 of 9" → 2, "USD 1,234 m" → 1234, "-7.5 pts" → -7.5."""
    match = re.search(r"[-+±]?\d[\d,]*(?:\.\d+)?", text)
    assert match, text
    return float(match.group().replace(",", "").replace("±", "").replace("+", ""))


def assert_tiles_match(at, folder: Path, previous: Path | None) -> None:
    tiles = {m.label: m for m in at.metric}
    now = figures_from_csv(folder)
    before = figures_from_csv(previous) if previous else None
    n = now["with status"]
    for label in ("Zones producing", "Gas connected", "Power connected"):
        assert tiles[label].value == f"{now[label]} of {n}"
    assert int(tiles["Zones tracked"].value) == now["Zones tracked"]
    for label in ("Median colonization", "Mean colonization"):
        assert number_in(tiles[label].value) == pytest.approx(round(now[label], 1))
    assert number_in(tiles["Enterprises"].value) == now["Enterprises"]
    assert number_in(tiles["Investment, USD m"].value) == round(now["Investment, USD m"])
    for label, tile in tiles.items():
        if before is None:
            assert tile.delta == "—", label
        else:
            decimals = 0 if label in ("Enterprises", "Investment, USD m") else 1
            assert number_in(tile.delta) == pytest.approx(round(now[label] - before[label], decimals), abs=0.051), label


def version_folders(root: Path) -> list[tuple[str, Path, Path | None]]:
    infos = VersionStore(root).versions()
    folders = [root / "versions" / v.id for v in infos]
    return [(v.id, folders[i], folders[i - 1] if i else None) for i, v in enumerate(infos)]


# --- headline figures ------------------------------------------------------------------------


def test_tiles_equal_the_csv_figures_and_their_change_mini(mini_store):
    for version_id, folder, previous in version_folders(mini_store):
        at = run_page(version=version_id)
        assert not at.exception
        assert_tiles_match(at, folder, previous)


def test_tiles_equal_the_csv_figures_and_their_change_shipped(shipped_copy):
    for version_id, folder, previous in version_folders(shipped_copy):
        at = run_page(version=version_id)
        assert not at.exception, (version_id, at.exception)
        assert_tiles_match(at, folder, previous)


def test_figures_resting_on_estimates_are_badged_and_counted(mini_store):
    at = run_page()
    status = pd.read_csv(mini_store / "versions" / "v0002" / "status.csv")
    flagged = int(status["confidence"].isin(FLAGGED).sum())
    texts = [m.value for m in at.markdown]
    assert f":orange-badge[⚠ {flagged} of {len(status)} estimated]" in texts
    footnote = md_escape(f"{flagged} of {len(status)} zones' figures are estimated or illustrative")
    assert any(footnote in c.value for c in at.caption)


def test_first_version_has_no_change_to_show(mini_store):
    at = run_page(version="v0001")
    assert {m.delta for m in at.metric} == {"—"}
    assert any("first version" in i.value for i in at.info)


# --- stage chart -----------------------------------------------------------------------------


@pytest.mark.parametrize("store", ["mini", "shipped"])
def test_stage_chart_has_every_stage_in_order_with_counts(store, request):
    root = request.getfixturevalue("mini_store" if store == "mini" else "shipped_copy")
    latest = VersionStore(root).latest()
    status = pd.read_csv(root / "versions" / latest.id / "status.csv")
    at = run_page()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    bar = spec["data"][0]
    labels = [label.split(" ", 1)[1] for label in bar["y"]]
    assert labels == ["Identified", "Land acquired", "Notified", "Under development", "Partly operational", "Operational"]
    expected = [int((status["stage"] == s).sum()) for s in STAGES]
    assert list(bar["x"]) == expected and [int(t) for t in bar["text"]] == expected


# --- priority zones --------------------------------------------------------------------------


@pytest.mark.parametrize("store", ["mini", "shipped"])
def test_a_card_and_a_profile_link_per_priority_zone(store, request):
    root = request.getfixturevalue("mini_store" if store == "mini" else "shipped_copy")
    latest = VersionStore(root).latest()
    zones = pd.read_csv(root / "versions" / latest.id / "zones.csv")
    priority = list(zones.loc[zones["priority"], "zone_id"])
    at = run_page()
    links = [p.proto for p in at.get("page_link") if p.proto.page == "zone"]
    assert [link.query_string for link in links] == [f"zone={z}" for z in priority]
    assert any(s.value == f"Priority zones ({len(priority)})" for s in at.subheader)


def test_cards_show_capacity_and_confidence(mini_store):
    at = run_page()
    texts = [m.value for m in at.markdown]
    assert f"⚡ **Electricity:** {md_escape('◕ Interim supply · 50 of 160 MW')}" in texts
    assert any(t.startswith(":orange-badge[◌ Estimated]") for t in texts)  # aiic's figures are estimated
    assert any(t.startswith(":gray-badge[◐ Reported]") for t in texts)


def test_a_pinned_version_is_kept_in_the_zone_links(mini_store):
    at = run_page(version="v0001")
    links = [p.proto.query_string for p in at.get("page_link") if p.proto.page == "zone"]
    assert links and all(q.endswith("&version=v0001") for q in links)


# --- change summary --------------------------------------------------------------------------


def test_top_changes_since_the_previous_version_link_to_the_changes_page(mini_store):
    at = run_page()
    summary = next(m.value for m in at.markdown if m.value.startswith("- **"))
    assert f"- **Rashakai:** {md_escape('stage Under development → Partly operational')}" in summary.splitlines()
    link = next(p.proto for p in at.get("page_link") if p.proto.page == "changes")
    assert link.query_string == "compare=v0001"


# --- overdue milestones ----------------------------------------------------------------------


def test_overdue_milestones_are_listed_with_days_late(tmp_path, monkeypatch):
    # The 11th JCC moved to a date before the version's as-of date (2022-10-15), still planned.
    root = variant_store(
        tmp_path / "store",
        [("v1", "Before JCC-10", "2021-09-15", {}),
         ("v2", "Before JCC-11", "2022-10-15", {"milestones.csv": [("2022-10-27,,planned", "2022-09-27,,planned")]})],
    )
    monkeypatch.setenv("SEZ_DATA_DIR", str(root))
    at = run_page()
    assert any(s.value == "Overdue milestones (1)" for s in at.subheader)
    table = overdue_table(at)
    assert list(table["Milestone"]) == ["11th JCC meeting"]
    assert list(table["Days late"]) == [18]
    assert list(table["Zone"]) == ["Programme"]


def test_no_overdue_milestone_is_said_plainly(mini_store):
    at = run_page()
    assert any("No milestone is overdue" in s.value for s in at.success)


def test_overdue_count_matches_the_csv_shipped(shipped_copy):
    latest = VersionStore(shipped_copy).latest()
    m = pd.read_csv(shipped_copy / "versions" / latest.id / "milestones.csv", parse_dates=["due_date", "done_date"])
    late = m[(m["due_date"] < pd.Timestamp(latest.as_of)) & ~m["status"].isin(["done", "cancelled"]) & m["done_date"].isna()]
    at = run_page()
    assert any(s.value == f"Overdue milestones ({len(late)})" for s in at.subheader)
    if len(late):
        table = overdue_table(at)
        assert sorted(table["Milestone"]) == sorted(late["title"])
        assert list(table["Days late"]) == sorted(table["Days late"], reverse=True)


# --- hostile data ----------------------------------------------------------------------------


def test_markup_in_the_data_is_shown_as_text(tmp_path, monkeypatch):
    monkeypatch.setenv("SEZ_DATA_DIR", str(build_hostile_store(tmp_path / "store")))
    at = run_page()
    assert not at.exception
    texts = rendered_texts(at)
    for text in texts:
        assert "](javascript" not in text, text
        assert not re.search(r"(?<!\\)<(img|script|b|i)\b", text), text
    joined = "\n".join(texts)
    for value in (HOSTILE_NAME, HOSTILE_SHORT, HOSTILE_LABEL):
        assert md_escape(value) in joined, value
    assert md_escape("<script>alert(2)</script> **loud**") in joined  # the card's source, escaped
    assert HOSTILE_SOURCE not in joined
