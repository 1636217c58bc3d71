"""Milestone slippage: how late each milestone, phase and programme event is, and the filters.

The slippage of an item is measured from its committed date (``due_date``) to the date it was
done, or — while it is open — to a reference date (normally today). Every item gets a *slip
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

import pandas as pd

from sez_metrics import palette, schema


@dataclass(frozen=True)
class SlipState:
    """How an item stands against its committed date, as shown in charts and tables."""

    code: str
    symbol: str
    label: str
    colour: str
    late: bool


SLIP_STATES: dict[str, SlipState] = {
    s.code: s
    for s in (
        SlipState("overdue", "⚠", "Overdue", palette.VERMILLION, True),
        SlipState("expected_late", "⚠", "Expected to slip", palette.VERMILLION, True),
        SlipState("done_late", "⏱", "Done late", palette.ORANGE, True),
        SlipState("in_progress", "◑", "In progress", palette.BLUE, False),
        SlipState("planned", "○", "Planned", palette.GREY, False),
        SlipState("done_on_time", "✓", "Done on time", palette.BLUISH_GREEN, False),
        SlipState("cancelled", "✗", "Cancelled", palette.BLACK, False),
    )
}

OPEN_STATUSES = ("planned", "in_progress", "delayed")


def _state_of(status: str, due: pd.Timestamp, done: pd.Timestamp, reference: pd.Timestamp) -> tuple[str, int | None]:
    if status == "cancelled":
        return "cancelled", None
    if status == "done":
        finished = done if not pd.isna(done) else due
        late = (finished - due).days
        return ("done_late", late) if late > 0 else ("done_on_time", 0)
    if due < reference:
        return "overdue", (reference - due).days
    if status == "delayed":
        return "expected_late", 0
    return ("in_progress" if status == "in_progress" else "planned"), 0


def assess(milestones: pd.DataFrame, reference: pd.Timestamp | str) -> pd.DataFrame:
    """``milestones`` with each item's slippage measured to ``reference`` (normally today).

    Adds ``slip`` (a ``SLIP_STATES`` code), ``late`` (bool), ``days_late`` (Int64, ≥ 0, <NA> for
    cancelled items), ``end_date`` (done date, or ``reference`` while open; NaT when cancelled)
    and ``slip_text`` (symbol + words, e.g. "⚠ Overdue by 120 days").
    """
    reference = pd.Timestamp(reference).normalize()
    out = milestones.copy()
    states, days, ends, texts = [], [], [], []
    for row in out.itertuples(index=False):
        state, late = _state_of(row.status, row.due_date, row.done_date, reference)
        states.append(state)
        days.append(late)
        if state == "cancelled":
            ends.append(pd.NaT)
        elif row.status == "done":
            ends.append(row.done_date if not pd.isna(row.done_date) else row.due_date)
        else:
            ends.append(reference)
        texts.append(slip_text(state, late, (row.due_date - reference).days))
    out["slip"] = states
    out["late"] = [SLIP_STATES[s].late for s in states]
    out["days_late"] = pd.array(days, dtype="Int64")
    out["end_date"] = pd.to_datetime(pd.Series(ends, index=out.index, dtype="datetime64[ns]"))
    out["slip_text"] = texts
    return out


def slip_text(state: str, days_late: int | None, days_to_due: int) -> str:
    """Plain words for a slip state, with its symbol, e.g. "⚠ Overdue by 120 days"."""
    s = SLIP_STATES[state]
    if state == "overdue":
        return f"{s.symbol} Overdue by {_days(days_late)}"
    if state == "done_late":
        return f"{s.symbol} Done {_days(days_late)} late"
    if state == "expected_late":
        return f"{s.symbol} Expected to slip (due in {_days(days_to_due)})"
    if state in ("in_progress", "planned"):
        return f"{s.symbol} {s.label}, due in {_days(days_to_due)}"
    return f"{s.symbol} {s.label}"


def _days(n: int | None) -> str:
    n = int(n or 0)
    return f"{n:,} day" if n == 1 else f"{n:,} days"


@dataclass(frozen=True)
class TimelineFilter:
    """What the programme timeline shows; an empty tuple means "all"."""

    zones: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    include_programme: bool = True


def apply_filter(milestones: pd.DataFrame, chosen: TimelineFilter) -> pd.DataFrame:
    """The rows of ``milestones`` that ``chosen`` keeps.

    The zone filter narrows zone items only: programme-level events (empty ``zone_id``: JCC
    meetings, agreements) are kept while ``include_programme`` is on, because they are the
    context every zone's dates are read against. Category and status filters apply to all rows.
    """
    programme = milestones["zone_id"].fillna("") == ""
    keep = ~programme if not chosen.zones else milestones["zone_id"].isin(chosen.zones)
    if chosen.include_programme:
        keep = keep | programme
    if chosen.categories:
        keep &= milestones["category"].isin(chosen.categories)
    if chosen.statuses:
        keep &= milestones["status"].isin(chosen.statuses)
    return milestones[keep]


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
    rows: dict[str, tuple[pd.Timestamp, str]] = {}
    for label, frame in history:
        for mid, due in zip(frame["milestone_id"], frame["due_date"], strict=True):
            rows.setdefault(mid, (due, label))
    return pd.DataFrame(
        {"first_due": [v[0] for v in rows.values()], "first_version": [v[1] for v in rows.values()]},
        index=pd.Index(list(rows), name="milestone_id"),
    )


# The figures that answer "what is late, by how much" come first; context after.
SLIPPAGE_COLUMNS = (
    "Milestone", "Zone", "Days late", "Slip", "Committed (due)", "Done or today", "Status",
    "Rescheduled by (days)", "First committed", "Kind", "Category", "Confidence", "Source",
)


def slippage_table(assessed: pd.DataFrame, zones: pd.DataFrame, baseline: pd.DataFrame | None = None) -> pd.DataFrame:
    """The slippage table shown under the timeline, in human labels, most days late first.

    ``assessed`` comes from ``assess``; ``baseline`` (optional) from ``first_commitments``.
    """
    short = dict(zip(zones["zone_id"], zones["short_name"], strict=True))
    frame = assessed.reset_index(drop=True)
    if baseline is not None and len(baseline):
        first_due = frame["milestone_id"].map(baseline["first_due"])
    else:
        first_due = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    moved = (frame["due_date"] - first_due).dt.days.astype("Int64")
    table = pd.DataFrame(
        {
            "Milestone": frame["title"],
            "Zone": [short.get(z, z) if z else "Programme" for z in frame["zone_id"].fillna("")],
            "Kind": frame["kind"].map(schema.MILESTONE_KIND.label),
            "Category": frame["category"].map(schema.MILESTONE_CATEGORY.label),
            "Committed (due)": frame["due_date"],
            "Done or today": frame["end_date"],
            "Days late": frame["days_late"],
            "Status": frame["status"].map(lambda c: f"{schema.MILESTONE_STATUS.symbol(c)} {schema.MILESTONE_STATUS.label(c)}"),
            "Slip": frame["slip_text"],
            "First committed": first_due,
            "Rescheduled by (days)": moved,
            "Confidence": frame["confidence"].map(confidence_text),
            "Source": frame["source"],
        },
        columns=list(SLIPPAGE_COLUMNS),
    )
    order = table.assign(_late=table["Days late"].fillna(-1)).sort_values(
        ["_late", "Committed (due)"], ascending=[False, True], kind="stable"
    )
    return order.drop(columns="_late").reset_index(drop=True)


def confidence_text(code: str) -> str:
    """Symbol and label of a confidence code, e.g. "◐ Reported"."""
    return f"{schema.CONFIDENCE.symbol(code)} {schema.CONFIDENCE.label(code)}".strip()
