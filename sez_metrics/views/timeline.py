"""The Timeline page's view: every zone's milestones assessed to a reference date, what one filter
keeps, the chart of it, and the slippage table.

``assessed`` and ``slippage`` depend only on the version and the reference date; ``timeline_view``
on the filter too. The page computes each once and shares it read-only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sez_metrics.core import i18n, profile, timeline
from sez_metrics.core.dataset import Dataset
from sez_metrics.core.i18n import _
from sez_metrics.render import export, figures

# Without a zone filter, the chart draws at most this many zones (those with the most late items):
# thousands of swimlanes take minutes to lay out and cannot be read anyway.
MAX_CHART_ZONES = 25
# The slippage table lists at most this many rows (most days late first) unless "show all" is on;
# every row is in the CSV download.
TABLE_ROWS = 200
# A tile's value is cut beyond about nine characters of large type.
TILE_VALUE_CHARS = 9


def assessed(ds: Dataset, reference_day: str) -> pd.DataFrame:
    """Every item of the version assessed to ``reference_day``, in the slippage table's order."""
    return timeline.slippage_order(timeline.assess(ds.milestones, pd.Timestamp(reference_day)))


def slippage(ds: Dataset, items: pd.DataFrame, extracts: Sequence[profile.HistoryExtract]) -> pd.DataFrame:
    """The full slippage table of ``items`` (``assessed`` of ``ds``); row k is row k of ``items``.

    "First committed" dates come from ``extracts``, the verified history up to the version (a
    version that fails its integrity check is left out, as everywhere else).
    """
    baseline, _unreadable = profile.first_commitments_from_extracts(extracts, ds.milestones["milestone_id"].tolist())
    return timeline.slippage_table(items, ds.zones, baseline)


@dataclass(frozen=True)
class View:
    """What one filter shows: the rows kept (positions in ``assessed``), counts, and the chart."""

    positions: np.ndarray
    total: int
    counts: dict[str, int]
    zone_count: int
    charted_zones: int | None  # the zones drawn when the chart is cut to the busiest ones, else None
    figure: go.Figure | None

    @property
    def late(self) -> int:
        """Items shown that are late: overdue, done late or expected to slip."""
        return sum(n for code, n in self.counts.items() if timeline.SLIP_STATES[code].late)

    def shown_tile(self) -> tuple[str, str]:
        """The "Items shown" tile's label and value: "12 of 40", or the total in the label when that is too long."""
        shown, total = i18n.number(len(self.positions), 0), i18n.number(self.total, 0)
        value = _("{count} of {total}").format(count=shown, total=total)
        if len(value) <= TILE_VALUE_CHARS:
            return _("Items shown"), value
        return _("Items shown (of {total})").format(total=total), shown


def timeline_view(ds: Dataset, items: pd.DataFrame, chosen: timeline.TimelineFilter, today_day: str,
                  today_chosen: bool) -> View:
    """What ``chosen`` keeps of ``items`` (``assessed`` of ``ds``), and the chart of it."""
    keep = timeline.filter_mask(items, chosen).to_numpy()
    shown = items[keep].sort_index()  # file order, as the chart draws it
    counts = {code: int(n) for code, n in shown["slip"].value_counts().items()}
    in_zone = shown["zone_id"].fillna("") != ""
    zone_count = int(shown.loc[in_zone, "zone_id"].nunique())
    drawn, charted = shown, None
    if not chosen.zones and zone_count > MAX_CHART_ZONES:
        busiest = timeline.busiest_zones(shown, MAX_CHART_ZONES)
        drawn, charted = shown[~in_zone | shown["zone_id"].isin(busiest)], len(busiest)
    figure = None
    if not shown.empty:
        figure = figures.programme_timeline(drawn, ds.zones, today=pd.Timestamp(today_day), as_of=pd.Timestamp(ds.info.as_of),
                                            today_chosen=today_chosen)
    positions = np.flatnonzero(keep)
    positions.flags.writeable = False  # shared by every session
    return View(positions, len(items), counts, zone_count, charted, figure)


def slippage_csv(table: pd.DataFrame, positions: np.ndarray) -> bytes:
    """The rows at ``positions`` of the slippage table, as a spreadsheet-safe CSV (its header in the
    current language)."""
    rows = table.take(positions)
    return export.spreadsheet_csv(rows.rename(columns={column: _(column) for column in rows.columns}))
