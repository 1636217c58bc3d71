"""The Zone profile's view: one zone's headline tiles, its history across versions and its milestones.

``zone_view`` depends only on the versions, the zone and the day, so the page builds it once and
shares it read-only; ``tiles`` turns the zone's status row (and the one of the version before)
into the headline's plain-text tiles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from sez_metrics.core import i18n, profile, schema, timeline, vocabulary
from sez_metrics.core.dataset import Dataset
from sez_metrics.core.i18n import _
from sez_metrics.render import figures


@dataclass(frozen=True)
class ZoneView:
    """Everything below the headline that depends only on the versions, the zone and the day.

    Built once per (versions, zone, day) and shared by every session: read-only.
    """

    history: pd.DataFrame
    damaged: tuple[str, ...]  # versions that fail their integrity check
    unreadable: tuple[str, ...]  # versions whose rows of this zone do not convert to their types
    history_table: pd.DataFrame
    history_figures: tuple[go.Figure, ...]
    items: pd.DataFrame
    timeline_figure: go.Figure | None
    slippage: pd.DataFrame | None


def zone_view(extracts: Sequence[profile.HistoryExtract], damaged: Sequence[str], dataset: Dataset, zone_id: str,
              day: str, today_day: str, today_chosen: bool) -> ZoneView:
    """The zone's history over ``extracts`` (the verified versions up to ``dataset``; ``damaged`` the
    ones left out), its milestones assessed to ``day``, and their charts and tables, in the current
    language (a cache of it is kept per language)."""
    history, unreadable = profile.history_from_extracts(extracts, zone_id)
    milestones = dataset.milestones
    items = timeline.assess(milestones[milestones["zone_id"] == zone_id], pd.Timestamp(day))
    timeline_figure = slippage = None
    if not items.empty:
        baseline, unreadable_dates = profile.first_commitments_from_extracts(extracts, items["milestone_id"].tolist())
        unreadable = sorted(set(unreadable) | set(unreadable_dates))
        zones = dataset.zones
        names = dict(zip(zones["zone_id"], (i18n.data_text(z, "short_name") for z in zones.to_dict("records")), strict=True))
        timeline_figure = figures.zone_timeline(items, today=pd.Timestamp(today_day), as_of=pd.Timestamp(dataset.info.as_of),
                                                zone_names=names, today_chosen=today_chosen)
        slippage = timeline.slippage_table(items, zones, baseline).drop(columns=["Zone"])
    has_history = not history.empty
    return ZoneView(
        history=history,
        damaged=tuple(damaged),
        unreadable=tuple(unreadable),
        history_table=profile.history_table(history) if has_history else history,
        history_figures=(
            (figures.colonization_history(history), figures.stage_history(history), figures.utility_history(history))
            if has_history else ()
        ),
        items=items,
        timeline_figure=timeline_figure,
        slippage=slippage,
    )


def definition(enum: schema.Enumeration, code: str) -> str:
    """The schema's definition of ``code`` in ``enum`` (empty when it has none), in the current language
    when the catalogue has it."""
    found = next((c.definition for c in enum.codes if c.code == code), "")
    if not found:
        return ""
    translated = _(found)
    # a definition the catalogue does not have yet is left out rather than shown in English
    return "" if translated == found and i18n.current().code != i18n.SOURCE_LANGUAGE else translated


@dataclass(frozen=True)
class Tile:
    """One headline tile, plain text: the page escapes it."""

    label: str
    value: str
    detail: str
    help: str


def colonization_delta(status: pd.Series, previous: pd.Series | None) -> str:
    """How colonization moved since the version before: "▲ +2.5 pp since <label>", or empty."""
    now_pct = vocabulary.colonization_value(status["stage"], status["colonization_pct"])
    before_pct = None if previous is None else vocabulary.colonization_value(previous["stage"], previous["colonization_pct"])
    if now_pct is None or before_pct is None:
        return ""
    change = now_pct - before_pct
    if not change:
        return ""
    return _("{arrow} {change} pp since {version}").format(arrow="▲" if change > 0 else "▼", change=f"{change:+.1f}",
                                                          version=previous["version_label"])


def tiles(status: pd.Series, previous: pd.Series | None) -> tuple[Tile, ...]:
    """Stage, gas, electricity, colonization and enterprises of a zone's status row; ``previous`` is
    the zone's row in its history before this one (for the colonization change), or None."""
    investment = "" if pd.isna(status["investment_usd_m"]) else _("Investment: USD {amount} million").format(
        amount=vocabulary.number_text(status["investment_usd_m"]))
    plots = profile.plots_text(status["plots_allotted"], status["plots_total"])
    not_reported = _("capacity not reported")
    return (
        Tile(_("Stage"), profile.stage_text(status["stage"]), "", definition(schema.STAGE, status["stage"])),
        Tile(_("🔥 Gas"), profile.utility_text(status["gas"]),
             vocabulary.capacity_text(status["gas_mmcfd_available"], status["gas_mmcfd_required"], "MMCFD") or not_reported,
             definition(schema.UTILITY_STAGE, status["gas"])),
        Tile(_("⚡ Electricity"), profile.utility_text(status["electricity"]),
             vocabulary.capacity_text(status["power_mw_available"], status["power_mw_required"], "MW") or not_reported,
             definition(schema.UTILITY_STAGE, status["electricity"])),
        Tile(_("Colonization"), profile.colonization_text(status["colonization_pct"], stage=status["stage"], basis=status["colonization_basis"]),
             " · ".join(t for t in (plots, colonization_delta(status, previous)) if t),
             _("Share of saleable land or plots allotted to enterprises.")),
        Tile(_("Enterprises"), profile.enterprises_text(status["enterprises_operating"], status["enterprises"]) or _(vocabulary.NOT_REPORTED),
             investment, _("Enterprises admitted to the zone, and how many produce.")),
    )


def milestone_counts(items: pd.DataFrame) -> tuple[int, int]:
    """(overdue, late in all: overdue, done late or expected to slip) of assessed items."""
    return int((items["slip"] == "overdue").sum()), int(items["late"].sum())
