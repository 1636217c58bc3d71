"""A zone's figures in words: capacities, colonization, the provenance table, the default zone, the history."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sez_metrics import profile
from sez_metrics.store import VersionStore


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
