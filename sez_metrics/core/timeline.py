"""Milestone slippage: how late each milestone, phase and programme event is, and the filters.

The slippage of an item is measured from its committed date (``due_date``) to the date it was
done, or — while it is open — to the reference date (``vocabulary.Reference``: the version's
as-of date unless today is chosen). Every item gets a *slip
state* with a symbol, a label and a colour, so "late" is never shown by colour alone:

=================  =====================================================================
overdue            open (planned / in progress / delayed) and its committed date has passed
expected_late      marked ``delayed`` although its committed date is still ahead
done_late          done after its committed date
in_progress        in progress, committed date still ahead
planned            planned, committed date still ahead
done_on_time       done on or before its committed date
cancelled          dropped; no lateness is counted
=================  =====================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sez_metrics.core import i18n, palette, schema, vocabulary
from sez_metrics.core.i18n import N_, _


@dataclass(frozen=True)
class SlipState:
    """How an item stands against its committed date, as shown in charts and tables (``label`` is
    marked for translation: show it with ``_(state.label)``)."""

    code: str
    symbol: str
    label: str
    colour: str
    late: bool


SLIP_STATES: dict[str, SlipState] = {
    s.code: s
    for s in (
        SlipState("overdue", "⚠", N_("Overdue"), palette.VERMILLION, True),
        SlipState("expected_late", "⚠", N_("Expected to slip"), palette.VERMILLION, True),
        SlipState("done_late", "⏱", N_("Done late"), palette.ORANGE, True),
        SlipState("in_progress", "◑", N_("In progress"), palette.BLUE, False),
        SlipState("planned", "○", N_("Planned"), palette.GREY, False),
        SlipState("done_on_time", "✓", N_("Done on time"), palette.BLUISH_GREEN, False),
        SlipState("cancelled", "✗", N_("Cancelled"), palette.BLACK, False),
    )
}

OPEN_STATUSES = vocabulary.OPEN_STATUSES


def assess(milestones: pd.DataFrame, reference: pd.Timestamp | str) -> pd.DataFrame:
    """``milestones`` with each item's slippage measured to ``reference`` (``vocabulary.Reference.day``).

    Adds ``slip`` (a ``SLIP_STATES`` code), ``late`` (bool), ``days_late`` (Int64, ≥ 0, <NA> for
    cancelled items), ``end_date`` (done date, or ``reference`` while open; NaT when cancelled)
    and ``slip_text`` (symbol + words, e.g. "⚠ Overdue by 120 days"). Column-wise, so tens of
    thousands of items take milliseconds.
    """
    reference = pd.Timestamp(reference).normalize()
    out = milestones.copy()
    status = out["status"].to_numpy(dtype=object)
    due = out["due_date"].astype("datetime64[ns]")
    done = out["done_date"].astype("datetime64[ns]")
    cancelled = status == "cancelled"
    is_done = status == "done"
    finished = done.where(done.notna(), due)  # a done item without a done date counts as done on its due date
    done_days = (finished - due).dt.days.to_numpy(dtype=float, na_value=np.nan)
    overdue_days = (reference - due).dt.days.to_numpy(dtype=float, na_value=np.nan)
    to_due = (due - reference).dt.days.fillna(0).astype(int).to_numpy()
    open_ = ~cancelled & ~is_done
    done_late = is_done & (done_days > 0)
    overdue = vocabulary.overdue_mask(out, reference).to_numpy()
    states = np.select(
        [cancelled, done_late, is_done, overdue, open_ & (status == "delayed"), open_ & (status == "in_progress")],
        ["cancelled", "done_late", "done_on_time", "overdue", "expected_late", "in_progress"],
        "planned",
    ).astype(object)
    days = np.select([cancelled, done_late, overdue], [np.nan, done_days, overdue_days], 0.0)
    ends = finished.where(is_done, reference).where(~cancelled)  # done date · reference while open · NaT if cancelled
    out["slip"] = states.tolist()
    out["late"] = [SLIP_STATES[s].late for s in states]
    out["days_late"] = pd.array(days, dtype="Int64")
    out["end_date"] = ends
    late_days = [None if d != d else int(d) for d in days]  # NaN (cancelled) → None
    out["slip_text"] = [slip_text(s, d, t) for s, d, t in zip(states, late_days, to_due.tolist(), strict=True)]
    return out


def slip_text(state: str, days_late: int | None, days_to_due: int) -> str:
    """Plain words for a slip state, with its symbol, e.g. "⚠ Overdue by 120 days"."""
    s = SLIP_STATES[state]
    if state == "overdue":
        return _("{symbol} Overdue by {days}").format(symbol=s.symbol, days=_days(days_late))
    if state == "done_late":
        return _("{symbol} Done {lateness}").format(symbol=s.symbol, lateness=vocabulary.lateness_text(days_late))
    if state == "expected_late":
        return _("{symbol} Expected to slip (due in {days})").format(symbol=s.symbol, days=_days(days_to_due))
    if state in ("in_progress", "planned"):
        return _("{symbol} {state}, due in {days}").format(symbol=s.symbol, state=_(s.label), days=_days(days_to_due))
    return f"{s.symbol} {_(s.label)}"


def _days(n: int | None) -> str:
    return vocabulary.days_text(n or 0)


@dataclass(frozen=True)
class TimelineFilter:
    """What the programme timeline shows; an empty tuple means "all"."""

    zones: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    include_programme: bool = True


def filter_mask(milestones: pd.DataFrame, chosen: TimelineFilter) -> pd.Series:
    """True for the rows of ``milestones`` that ``chosen`` keeps (see ``apply_filter``)."""
    programme = milestones["zone_id"].fillna("") == ""
    keep = ~programme if not chosen.zones else milestones["zone_id"].isin(chosen.zones)
    if chosen.include_programme:
        keep = keep | programme
    if chosen.categories:
        keep &= milestones["category"].isin(chosen.categories)
    if chosen.statuses:
        keep &= milestones["status"].isin(chosen.statuses)
    return keep


def apply_filter(milestones: pd.DataFrame, chosen: TimelineFilter) -> pd.DataFrame:
    """The rows of ``milestones`` that ``chosen`` keeps.

    The zone filter narrows zone items only: programme-level events (empty ``zone_id``: JCC
    meetings, agreements) are kept while ``include_programme`` is on, because they are the
    context every zone's dates are read against. Category and status filters apply to all rows.
    """
    return milestones[filter_mask(milestones, chosen)]


def busiest_zones(assessed: pd.DataFrame, limit: int) -> list[str]:
    """The ``limit`` zones with the most late items in ``assessed``, most first.

    Ties keep the order in which the zones first appear; programme-level items (no zone) are
    not counted. Zones without a late item come after those with one.
    """
    zoned = assessed.loc[assessed["zone_id"].fillna("") != "", ["zone_id", "late"]]
    late_count = zoned.groupby("zone_id", sort=False)["late"].sum()
    return late_count.sort_values(ascending=False, kind="stable").index[:limit].tolist()


def parse_multi(values: Iterable[str], allowed: Sequence[str]) -> tuple[list[str], list[str]]:
    """Values of a repeatable / comma-separated URL parameter: (known values, unknown values).

    ``["rashakai,aiic", "bostan"]`` → ``["rashakai", "aiic", "bostan"]``; duplicates dropped,
    order kept.
    """
    known: list[str] = []
    unknown: list[str] = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if not part:
                continue
            target = known if part in allowed else unknown
            if part not in target:
                target.append(part)
    return known, unknown


def first_commitments(history: Sequence[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """Each milestone's first published committed date across versions (oldest first).

    ``history`` is ``[(version label, milestones frame), …]`` oldest first. Returns a frame
    indexed by ``milestone_id`` with ``first_due`` and ``first_version`` — the baseline
    against which a rescheduled ``due_date`` is measured.
    """
    labels = [label for label, _ in history]
    listed = [
        pd.DataFrame({"milestone_id": frame["milestone_id"].to_numpy(), "first_due": frame["due_date"].to_numpy(), "version": k})
        for k, (_, frame) in enumerate(history)
    ]
    if not listed:
        return pd.DataFrame(
            {"first_due": pd.Series(dtype="datetime64[ns]"), "first_version": pd.Series(dtype=object)},
            index=pd.Index([], name="milestone_id"),
        )
    first = pd.concat(listed, ignore_index=True).drop_duplicates("milestone_id", keep="first")
    return pd.DataFrame(
        {"first_due": first["first_due"].to_numpy(), "first_version": [labels[k] for k in first["version"]]},
        index=pd.Index(first["milestone_id"].to_numpy(), name="milestone_id"),
    )


# The figures that answer "what is late, by how much" come first; context after. The names stay
# English in the frame (the CSV download's header); a page shows each as ``_(column)``.
SLIPPAGE_COLUMNS = (
    N_("Milestone"), N_("Zone"), N_("Days late"), N_("Slip"), N_("Committed (due)"), N_("Done or reference date"), N_("Status"),
    N_("Rescheduled by (days)"), N_("First committed"), N_("Kind"), N_("Category"), N_("Confidence"), N_("Source"),
)


def slippage_order(assessed: pd.DataFrame) -> pd.DataFrame:
    """``assessed`` in the slippage table's order: most days late first (cancelled last), then
    earliest committed date. The index is kept, so ``sort_index()`` restores the file order."""
    return assessed.assign(_late=assessed["days_late"].fillna(-1)).sort_values(
        ["_late", "due_date"], ascending=[False, True], kind="stable"
    ).drop(columns="_late")


def _labels(codes: pd.Series, label) -> pd.Series:
    """``label(code)`` for each code, computed once per distinct code."""
    return codes.map({code: label(code) for code in pd.unique(codes)})


def slippage_table(assessed: pd.DataFrame, zones: pd.DataFrame, baseline: pd.DataFrame | None = None) -> pd.DataFrame:
    """The slippage table shown under the timeline, in human labels, most days late first.

    ``assessed`` comes from ``assess``; ``baseline`` (optional) from ``first_commitments``.
    Rows come in ``slippage_order``: row *k* of the table is row *k* of
    ``slippage_order(assessed)``.
    """
    short = dict(zip(zones["zone_id"], (i18n.data_text(z, "short_name") for z in zones.to_dict("records")), strict=True))
    frame = slippage_order(assessed).reset_index(drop=True)
    if baseline is not None and len(baseline):
        first_due = frame["milestone_id"].map(baseline["first_due"])
    else:
        first_due = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    moved = (frame["due_date"] - first_due).dt.days.astype("Int64")
    table = pd.DataFrame(
        {
            "Milestone": frame["title"],
            "Zone": [short.get(z, z) if z else _(vocabulary.PROGRAMME) for z in frame["zone_id"].fillna("")],
            "Kind": _labels(frame["kind"], schema.MILESTONE_KIND.label),
            "Category": _labels(frame["category"], schema.MILESTONE_CATEGORY.label),
            "Committed (due)": frame["due_date"],
            "Done or reference date": frame["end_date"],
            "Days late": frame["days_late"],
            "Status": _labels(frame["status"], lambda c: vocabulary.coded_text(schema.MILESTONE_STATUS, c)),
            "Slip": frame["slip_text"],
            "First committed": first_due,
            "Rescheduled by (days)": moved,
            "Confidence": _labels(frame["confidence"], confidence_text),
            "Source": frame["source"],
        },
        columns=list(SLIPPAGE_COLUMNS),
    )
    return table


def confidence_text(code: str) -> str:
    """Symbol and label of a confidence code, e.g. "◐ Reported"."""
    return vocabulary.coded_text(schema.CONFIDENCE, code)
