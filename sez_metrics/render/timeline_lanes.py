"""The programme timeline's swimlanes: its rows (the programme, then the zones), the lane of each
item within its row so that nothing hides behind anything else, and the height each row takes.

Pure: frames and dates in, positions out (``figures.programme_timeline`` draws them; the PDF pack
cuts its timeline into page-high parts of whole rows with ``row_px``).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sez_metrics.core import i18n, vocabulary
from sez_metrics.core.i18n import _

PROGRAMME_ROW = vocabulary.PROGRAMME  # shown as _(PROGRAMME_ROW)


def _lanes(intervals: Sequence[tuple[pd.Timestamp, pd.Timestamp]]) -> list[int]:
    """Greedy lane assignment so that overlapping phases in one row do not hide each other."""
    lane_ends: list[pd.Timestamp] = []
    lanes = [0] * len(intervals)
    for index in sorted(range(len(intervals)), key=lambda i: intervals[i][0]):
        start, end = intervals[index]
        for lane, lane_end in enumerate(lane_ends):
            if start > lane_end:
                lanes[index], lane_ends[lane] = lane, end
                break
        else:
            lanes[index] = len(lane_ends)
            lane_ends.append(end)
    return lanes


def programme_rows(items: pd.DataFrame, zones: pd.DataFrame) -> list[tuple[str, str]]:
    """(zone_id, row label) of the timeline's rows, top to bottom: "Programme", then zones in file order."""
    present = set(items["zone_id"].fillna(""))
    rows = [("", _(PROGRAMME_ROW))] if "" in present else []
    rows += [(z["zone_id"], i18n.data_text(z, "short_name")) for z in zones.to_dict("records") if z["zone_id"] in present]
    rows += [(z, z) for z in sorted(present - {""} - set(zones["zone_id"]))]  # a milestone of an unknown zone stays visible
    return rows


LANE_HEIGHT = 0.42  # y units between two lanes of one row (a row with one lane is 1 unit tall)
LANE_PX = 34
PLOT_WIDTH_PX = 1100  # assumed width of the plot area, to reserve room for "N d late" labels


def _item_span(r, span_days: float) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The dates an item occupies in its lane: its bar or slip line, its marker and its label."""
    marker = pd.Timedelta(days=span_days * 14 / PLOT_WIDTH_PX)
    dates = [d for d in (r.start_date if r.kind == "phase" else pd.NaT, r.due_date, r.done_date, r.end_date if r.slip == "overdue" else pd.NaT) if not pd.isna(d)]
    low, high = min(dates) - marker, max(dates) + marker
    if r.late:
        high += pd.Timedelta(days=span_days * 110 / PLOT_WIDTH_PX)
    return low, high


def lane_layout(items: pd.DataFrame, rows: Sequence[tuple[str, str]], span_days: float) -> tuple[list[float], list[float], list[tuple[float, float]]]:
    """Swimlanes: the y of each item, the y of each row's label, and each row's (top, bottom).

    Within a row, items whose bars, slip lines, markers or labels would overlap go to separate
    lanes (greedy, earliest first), so nothing hides behind anything else.
    """
    zone_of = items["zone_id"].fillna("").tolist()
    records = list(items.itertuples(index=False))
    members_of: dict[str, list[int]] = {}
    for i, z in enumerate(zone_of):
        members_of.setdefault(z, []).append(i)
    y = [0.0] * len(items)
    ticks: list[float] = []
    bands: list[tuple[float, float]] = []
    top = 0.0
    for zid, _label in rows:
        members = members_of.get(zid, [])
        lanes = _lanes([_item_span(records[i], span_days) for i in members])
        for i, lane in zip(members, lanes, strict=True):
            y[i] = top + lane * LANE_HEIGHT
        depth = (max(lanes, default=0)) * LANE_HEIGHT
        ticks.append(top + depth / 2)
        bands.append((top - 0.5, top + depth + 0.5))
        top += depth + 1.0
    return y, ticks, bands


def span_of(x_range: Sequence[pd.Timestamp]) -> int:
    """The days a timeline's date range spans (at least 1)."""
    return max((x_range[1] - x_range[0]).days, 1)


def row_px(band: tuple[float, float]) -> float:
    """The height in pixels a row of the programme timeline takes, from its band (``lane_layout``)."""
    low, high = band
    return LANE_PX * ((high - low - 1.0) / LANE_HEIGHT + 1) + 18
