"""Headline figures (sez_metrics.core.metrics) against the mini fixture store and small hand-written tables."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from support.stores import MINI

from sez_metrics.core import metrics, milestone_tables, schema, vocabulary
from sez_metrics.core.dataset import Dataset
from sez_metrics.core.stored_csv import parse_csv_bytes
from sez_metrics.core.typed import to_typed
from sez_metrics.storage.folder import VersionStore


@pytest.fixture
def versions(mini_store) -> tuple[Dataset, Dataset]:
    store = VersionStore(mini_store)
    return store.load("v0001").dataset, store.load("v0002").dataset


def with_milestones(dataset: Dataset, csv_text: str, as_of: str | None = None) -> Dataset:
    """``dataset`` with its milestones replaced by ``csv_text`` (and optionally another as-of date)."""
    header = ",".join(schema.MILESTONES.column_names)
    frame = to_typed(schema.MILESTONES, parse_csv_bytes(f"{header}\n{csv_text.strip()}\n".encode(), schema.MILESTONES))
    info = dataclasses.replace(dataset.info, as_of=as_of) if as_of else dataset.info
    return Dataset(info, dataset.zones, dataset.status, frame)


# --- formatting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [(20.0, 1, "20"), (22.666, 1, "22.7"), (1234567.0, 0, "1,234,567"), (None, 1, "—"), (float("nan"), 1, "—"), (-0.04, 1, "0")],
)
def test_format_number(value, decimals, text):
    assert vocabulary.number_text(value, decimals) == text


@pytest.mark.parametrize(
    ("available", "required", "text"),
    [
        (10.0, 160.0, "10 of 160 MW"),
        (None, 600.0, "needs 600 MW (available not reported)"),
        (50.0, float("nan"), "50 MW available"),
        (None, None, ""),
        (0.0, 30.0, "0 of 30 MW"),
    ],
)
def test_capacity_text_says_how_much_of_what_is_needed(available, required, text):
    assert vocabulary.capacity_text(available, required, "MW") == text


# --- KPIs ----------------------------------------------------------------------------------


def test_kpis_match_plain_pandas_on_the_csv(versions):
    status = pd.read_csv(MINI / "v2" / "status.csv")
    zones = pd.read_csv(MINI / "v2" / "zones.csv")
    k = metrics.kpis(versions[1])
    assert k.zones_tracked == len(zones)
    assert k.zones_with_status == len(status)
    assert k.stage_counts == {c: int((status["stage"] == c).sum()) for c in schema.STAGE.values}
    assert k.producing == int(status["stage"].isin(["partly_operational", "operational"]).sum())
    assert k.gas_connected == int((status["gas"] == "connected").sum())
    assert k.electricity_connected == int((status["electricity"] == "connected").sum())
    with_land = status.loc[status["stage"] != "identified", "colonization_pct"]  # mirpur: identified, no land yet
    assert k.colonization_median == pytest.approx(with_land.median())
    assert k.colonization_mean == pytest.approx(with_land.mean())
    assert k.colonization_reporting == with_land.notna().sum() and k.colonization_not_applicable == 1
    assert k.enterprises == int(status["enterprises"].sum())
    assert k.investment_usd_m == pytest.approx(status["investment_usd_m"].sum())
    assert k.investment_reporting == int(status["investment_usd_m"].notna().sum()) == 1


def test_kpis_name_the_zones_whose_figures_are_estimated(versions):
    k = metrics.kpis(versions[1])
    # aiic is estimated and mirpur illustrative in v2; only rashakai (reported) reports investment.
    assert set(k.flagged["gas_connected"]) == {"aiic", "mirpur"}
    assert k.flagged["investment_usd_m"] == ()
    assert k.flagged["zones_tracked"] == ()


def test_sums_are_none_when_no_zone_reports_the_figure(versions):
    old = versions[0]
    empty = Dataset(old.info, old.zones, old.status.assign(investment_usd_m=float("nan")), old.milestones)
    k = metrics.kpis(empty)
    assert k.investment_usd_m is None and k.investment_reporting == 0
    tile = next(t for t in metrics.kpi_tiles(k, None) if t.key == "investment_usd_m")
    assert tile.value == "—"


def test_kpi_deltas_between_versions(versions):
    old, new = (metrics.kpis(d) for d in versions)
    deltas = metrics.kpi_deltas(old, new)
    assert deltas["gas_connected"] == 2
    assert deltas["electricity_connected"] == 0
    def median_with_land(folder: str) -> float:
        status = pd.read_csv(MINI / folder / "status.csv")
        return status.loc[status["stage"] != "identified", "colonization_pct"].median()

    # Mirpur (identified, no land yet) has no colonization: the median is over the zones with land.
    assert deltas["colonization_median"] == pytest.approx(median_with_land("v2") - median_with_land("v1"))
    assert deltas["investment_usd_m"] == pytest.approx(146 - 128)
    assert all(v is None for v in metrics.kpi_deltas(None, new).values())


def test_kpi_tiles_show_signed_changes_and_a_dash_without_a_previous_version(versions):
    old, new = (metrics.kpis(d) for d in versions)
    tiles = {t.key: t for t in metrics.kpi_tiles(new, old)}
    assert (tiles["gas_connected"].value, tiles["gas_connected"].delta, tiles["gas_connected"].direction) == ("2 of 3", "+2", "up")
    assert (tiles["electricity_connected"].delta, tiles["electricity_connected"].direction) == ("±0", "flat")
    assert tiles["colonization_median"].delta == "+13.5 pts"  # (33 + 34) / 2 - (20 + 27) / 2 over the two zones with land
    assert tiles["colonization_median"].note == "median of 2 zones with land"
    assert (tiles["investment_usd_m"].value, tiles["investment_usd_m"].delta) == ("146", "+18")
    assert tiles["gas_connected"].flagged == 2 and tiles["gas_connected"].basis == 3
    first = metrics.kpi_tiles(old, None)
    assert {t.delta for t in first} == {"—"} and {t.direction for t in first} == {"none"}


def test_a_falling_figure_has_a_minus_sign(versions):
    old, new = (metrics.kpis(d) for d in versions)
    tiles = {t.key: t for t in metrics.kpi_tiles(old, new)}  # backwards in time
    assert (tiles["enterprises"].delta, tiles["enterprises"].direction) == ("-52", "down")


def test_flagged_footnote_counts_zones_and_names_the_levels(versions):
    assert metrics.flagged_footnote(versions[1]) == "2 of 3 zones' figures are estimated or illustrative"
    old = versions[0]
    official = Dataset(old.info, old.zones, old.status.assign(confidence="official"), old.milestones)
    assert metrics.flagged_footnote(official) == ""


# --- stages and cards ----------------------------------------------------------------------


def test_stage_counts_cover_every_stage_in_order(versions):
    counts = metrics.stage_counts(versions[1])
    assert [c.code for c in counts] == list(schema.STAGE.values)
    by_code = {c.code: c for c in counts}
    assert by_code["partly_operational"].count == 2
    assert set(by_code["partly_operational"].zones) == {"Rashakai", "AIIC Faisalabad"}
    assert by_code["operational"].count == 0
    assert by_code["identified"].display == "① Identified"


def test_zone_cards_are_the_priority_zones_with_capacities(versions):
    cards = metrics.zone_cards(versions[1])
    assert [c.zone_id for c in cards] == ["rashakai", "aiic"]  # mirpur is not a priority zone
    assert cards[1].power_capacity == "needs 600 MW (available not reported)"  # available power not reported
    rashakai = cards[0]
    assert rashakai.power_capacity == "50 of 160 MW"
    assert rashakai.gas_capacity == "30 of 30 MMCFD"
    assert rashakai.colonization_pct == 35.0 and not rashakai.flagged
    assert cards[1].flagged  # aiic is estimated in v2
    assert len(metrics.zone_cards(versions[1], priority_only=False)) == 3


# --- milestones ----------------------------------------------------------------------------

OVERDUE_CSV = """
late-a,rashakai,Grid station,milestone,electricity,,2022-01-01,,delayed,src,official
late-b,,JCC meeting,meeting,governance,,2022-09-30,,planned,src,reported
done-late,aiic,Road,milestone,infrastructure,,2022-01-01,2022-03-01,done,src,official
dropped,aiic,Spur,milestone,gas,,2021-01-01,,cancelled,src,official
due-today,aiic,Fence,milestone,infrastructure,,2022-10-15,,in_progress,src,estimated
future,mirpur,Notification,milestone,governance,,2023-01-01,,planned,src,illustrative
"""


def test_overdue_milestones_are_due_before_as_of_and_still_open(versions):
    dataset = with_milestones(versions[1], OVERDUE_CSV)  # as of 2022-10-15
    overdue = milestone_tables.overdue_milestones(dataset)
    assert list(overdue["milestone_id"]) == ["late-a", "late-b"]  # most days late first
    assert list(overdue["days_late"]) == [(pd.Timestamp("2022-10-15") - pd.Timestamp("2022-01-01")).days, 15]
    assert list(overdue["zone"]) == ["Rashakai", vocabulary.PROGRAMME]


def test_overdue_milestones_on_another_date(versions):
    dataset = with_milestones(versions[1], OVERDUE_CSV)
    assert list(milestone_tables.overdue_milestones(dataset, "2023-06-01")["milestone_id"]) == ["late-a", "late-b", "due-today", "future"]
    assert milestone_tables.overdue_milestones(dataset, "2021-12-31").empty


MOVES_OLD = """
m-done,rashakai,Gas pipeline,milestone,gas,,2022-01-31,,in_progress,src,reported
m-slip,aiic,Grid station,milestone,electricity,,2023-01-31,,planned,src,official
m-early,aiic,Road,milestone,infrastructure,,2023-06-30,,planned,src,official
m-cancel,aiic,Spur,milestone,gas,,2023-03-31,,planned,src,official
m-same,mirpur,Notification,milestone,governance,,2023-01-01,,planned,src,official
m-gone,mirpur,Survey,milestone,land,,2023-01-01,,planned,src,official
"""
MOVES_NEW = """
m-done,rashakai,Gas pipeline,milestone,gas,,2022-01-31,2022-03-02,done,src,reported
m-slip,aiic,Grid station,milestone,electricity,,2023-07-31,,delayed,src,official
m-early,aiic,Road,milestone,infrastructure,,2023-05-31,,in_progress,src,official
m-cancel,aiic,Spur,milestone,gas,,2023-03-31,,cancelled,src,official
m-same,mirpur,Notification,milestone,governance,,2023-01-01,,planned,src,official
m-new,mirpur,Boundary wall,milestone,infrastructure,,2023-09-01,,planned,src,official
"""


def test_milestone_movements_between_versions(versions):
    old = with_milestones(versions[0], MOVES_OLD)
    new = with_milestones(versions[1], MOVES_NEW)
    moves = milestone_tables.milestone_movements(old, new).set_index("milestone_id")
    assert list(moves.index) == ["m-done", "m-slip", "m-early", "m-cancel"]  # completed, slipped, forward, cancelled
    assert moves.loc["m-done", "movement"] == "completed_late"
    assert moves.loc["m-done", "days"] == 30  # 2022-03-02 against the committed 2022-01-31
    assert pd.isna(moves.loc["m-done", "shift_days"])
    assert (moves.loc["m-slip", "movement"], moves.loc["m-slip", "shift_days"]) == ("slipped", 181)
    assert (moves.loc["m-early", "movement"], moves.loc["m-early", "shift_days"]) == ("brought_forward", -30)
    assert moves.loc["m-cancel", "movement"] == "cancelled"
    assert moves.loc["m-slip", "zone"] == "AIIC Faisalabad"


def test_no_movement_between_a_version_and_itself(versions):
    moves = milestone_tables.milestone_movements(versions[1], versions[1])
    assert moves.empty and list(moves.columns) == milestone_tables.MOVEMENT_COLUMNS


@pytest.mark.parametrize(
    ("source", "brief"),
    [
        ("nation 2024-03-11 https://www.nation.com.pk/a-b; thenews 2023-02-13 www.thenews.com.pk/x", "nation 2024-03-11; thenews 2023-02-13"),
        ("Senate reply 2021-07-16", "Senate reply 2021-07-16"),
        ("a" * 200, "a" * 89 + "…"),
    ],
)
def test_source_brief_drops_web_addresses_and_stays_short(source, brief):
    assert metrics.source_brief(source) == brief
