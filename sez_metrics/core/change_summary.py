"""The change summary in words: one ``ChangeItem`` per change a person reads, most important first.

Zones added or removed, stage moves, utility moves (with capacities), colonization, enterprises,
investment and jobs, milestones completed, slipped, newly overdue, cancelled, added or removed,
and finally everything else that changed in a row ("details"), so that no change is missing from
it. ``ChangeItem.text`` is plain text (it holds CSV values): escape it before using it as markdown.
The change model itself (rows added and removed, cell changes) is ``sez_metrics.core.diff``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from sez_metrics.core import schema, vocabulary
from sez_metrics.core.dataset import Dataset, VersionInfo
from sez_metrics.core.i18n import MISSING

if TYPE_CHECKING:
    from sez_metrics.core.diff import CellChange, VersionDiff

# Lower = more important. Kinds sharing a number are equally important.
IMPORTANCE: dict[str, int] = {
    "zone_added": 0,
    "zone_removed": 0,
    "stage": 1,
    "utility": 2,
    "colonization": 3,
    "enterprises": 4,
    "investment": 4,
    "jobs": 4,
    "milestone_done": 5,
    "milestone_slipped": 6,
    "milestone_overdue": 7,
    "milestone_cancelled": 7,
    "milestone_added": 8,
    "milestone_removed": 8,
    "milestone_rescheduled": 9,
    "milestone_status": 9,
    "confidence": 10,
    "details": 11,
}

# Human names of columns in "details" items (enumerations use the schema's labels for values).
FIELD_LABELS: dict[str, str] = {
    "name": "name",
    "short_name": "short name",
    "area_acres": "area (acres)",
    "location_precision": "location precision",
    "latitude": "latitude",
    "longitude": "longitude",
    "notified_on": "notified on",
    "priority": "priority zone",
    "start_date": "start date",
    "zone_id": "zone",
    "as_of": "as of",
}

_UTILITIES = (
    # (stage column, quantity name, available column, required column, unit)
    ("gas", "supply", "gas_mmcfd_available", "gas_mmcfd_required", "MMCFD"),
    ("electricity", "power", "power_mw_available", "power_mw_required", "MW"),
)
# Status columns each summarised by a dedicated item; the rest go to "details" (as_of moves with
# every update and would only add noise, so it stays in the cell changes).
_STATUS_COVERED = {
    "zone_id", "as_of", "stage", "colonization_pct", "plots_total", "plots_allotted", "enterprises",
    "enterprises_operating", "investment_usd_m", "jobs", "confidence",
} | {c for u in _UTILITIES for c in (u[0], u[2], u[3])}
_MILESTONE_COVERED = {"milestone_id", "due_date", "done_date", "status"}


@dataclass(frozen=True)
class ChangeItem:
    """One line of the change summary, in plain language, with its structured facts.

    ``text`` names the zone ("Dhabeji: gas Under construction → Connected"); ``detail`` is the
    same without the zone, for views grouped by zone. ``old``/``new`` are codes, numbers or ISO
    dates; ``delta`` a numeric difference (rank steps for stages); ``days`` a date difference;
    ``figures`` any further numbers the text quotes (capacities, plots, operating enterprises);
    ``movement`` the milestone's ``vocabulary`` movement code (the Changes page counts by it).
    """

    zone_id: str | None
    zone_name: str
    kind: str
    importance: int
    text: str
    detail: str
    subject: str = ""
    milestone_id: str | None = None
    old: Any = None
    new: Any = None
    delta: float | None = None
    days: int | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    movement: str = ""  # a milestone's ``vocabulary`` movement code, "" for other items

    def to_dict(self) -> dict:
        return asdict(self)


# --- values -----------------------------------------------------------------------------------


def plain_value(value: Any) -> Any:
    """A cell as a plain JSON value: None when empty, ISO text for dates, int/float/bool/str."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return plain_value(value.item())
    return value


def figure_text(value: Any) -> str:
    """``10`` for 10.0, ``1,234.5`` for 1234.5, the dash for a missing value (``vocabulary.number_text``)."""
    return vocabulary.number_text(value, 2)


def _signed(delta: float) -> str:
    return ("+" if delta > 0 else "−" if delta < 0 else "±") + figure_text(abs(delta))


def _from_to(old: Any, new: Any) -> str:
    """``160`` when unchanged, ``160 → 200`` when changed."""
    return figure_text(new) if old == new else f"{figure_text(old)} → {figure_text(new)}"


def _delta(old: Any, new: Any) -> float | None:
    if isinstance(old, (int, float)) and isinstance(new, (int, float)) and not isinstance(old, bool):
        return float(new - old)
    return None


def _value_text(table: schema.Table, column: str, value: Any) -> str:
    if value is None or value == "":
        return MISSING
    col = table.column(column)
    if col.enum is not None:
        return col.enum.label(str(value))
    return figure_text(value)


def _days_between(earlier: str | None, later: str | None) -> int | None:
    if earlier is None or later is None:
        return None
    return (date.fromisoformat(later) - date.fromisoformat(earlier)).days


def _as_of(info: VersionInfo) -> str | None:
    try:
        return date.fromisoformat(info.as_of).isoformat()
    except ValueError:
        return None


# --- rows and cells ---------------------------------------------------------------------------


def _rows(frame: pd.DataFrame, key: str, keys: list[str]) -> dict[str, dict[str, Any]]:
    """The rows with the given keys, as plain dicts."""
    if not keys:
        return {}
    subset = frame[frame[key].isin(keys)]
    return {str(r[key]): {c: plain_value(v) for c, v in r.items()} for r in subset.to_dict("records")}


# --- summary ----------------------------------------------------------------------------------


class _Summariser:
    """Builds the summary items of one diff; holds the zone names used in every sentence."""

    def __init__(self, old: Dataset, new: Dataset):
        self.old, self.new = old, new
        self.names: dict[str, str] = {}
        for frame in (old.zones, new.zones):  # new names win
            self.names.update(zip(frame["zone_id"].tolist(), frame["short_name"].tolist(), strict=True))
        self.items: list[ChangeItem] = []

    def zone_name(self, zone_id: str | None) -> str:
        return vocabulary.PROGRAMME if zone_id is None else self.names.get(zone_id, zone_id)

    def add(self, zone_id: str | None, kind: str, detail: str, **facts: Any) -> None:
        name = self.zone_name(zone_id)
        self.items.append(ChangeItem(zone_id, name, kind, IMPORTANCE[kind], f"{name}: {detail}", detail, **facts))

    # zones ------------------------------------------------------------------------------------

    def zones(self, added: list[str], removed: list[str], changes: list[CellChange]) -> None:
        new_status = _rows(self.new.status, "zone_id", added)
        new_zones = _rows(self.new.zones, "zone_id", added)
        for zone_id in added:
            row, status = new_zones[zone_id], new_status.get(zone_id)
            where = f"{row['province']}" + (f", stage {schema.STAGE.label(status['stage'])}" if status else "")
            self.add(zone_id, "zone_added", f"zone added ({where})", new=zone_id)
        for zone_id in removed:
            self.add(zone_id, "zone_removed", "zone removed", old=zone_id)
        self._details(schema.ZONES, changes, covered={"zone_id"}, what="zone details")

    # status -----------------------------------------------------------------------------------

    def status(self, changes: list[CellChange]) -> None:
        changed = sorted({c.key for c in changes})
        olds = _rows(self.old.status, "zone_id", changed)
        news = _rows(self.new.status, "zone_id", changed)
        for zone_id in changed:
            o, n = olds[zone_id], news[zone_id]
            self._stage(zone_id, o, n)
            for utility in _UTILITIES:
                self._utility(zone_id, o, n, *utility)
            self._colonization(zone_id, o, n)
            self._enterprises(zone_id, o, n)
            self._figure(zone_id, o, n, "investment", "investment_usd_m", "investment", "{name} USD {old} → {new} million",
                         quantity=lambda v: f"USD {figure_text(v)} million")
            self._figure(zone_id, o, n, "jobs", "jobs", "jobs")
            if o["confidence"] != n["confidence"]:
                label = schema.CONFIDENCE.label
                self.add(zone_id, "confidence", f"figures now {label(n['confidence'])} (were {label(o['confidence'])})",
                         subject="confidence", old=o["confidence"], new=n["confidence"])
        self._details(schema.STATUS, changes, covered=_STATUS_COVERED, what="status")

    def _stage(self, zone_id: str, o: dict, n: dict) -> None:
        if o["stage"] == n["stage"]:
            return
        steps = schema.STAGE.rank(n["stage"]) - schema.STAGE.rank(o["stage"])
        back = " (moved back)" if steps < 0 else ""
        self.add(zone_id, "stage", f"stage {schema.STAGE.label(o['stage'])} → {schema.STAGE.label(n['stage'])}{back}",
                 subject="stage", old=o["stage"], new=n["stage"], delta=float(steps))

    def _utility(self, zone_id: str, o: dict, n: dict, column: str, quantity: str, available: str, required: str, unit: str) -> None:
        moved = o[column] != n[column]
        if not moved and o[available] == n[available] and o[required] == n[required]:
            return
        label = schema.UTILITY_STAGE.label
        steps = schema.UTILITY_STAGE.rank(n[column]) - schema.UTILITY_STAGE.rank(o[column])
        part = ""
        if o[available] != n[available]:
            part = vocabulary.figure_change_text(quantity, o[available], n[available], unit)
            if n[available] is not None and n[required] is not None:
                part += f" of {_from_to(o[required], n[required])} {unit}"
        elif o[required] != n[required]:
            part = vocabulary.figure_change_text(f"{quantity} required", o[required], n[required], unit)
        if moved:
            text = f"{column} {label(o[column])} → {label(n[column])}" + (" (moved back)" if steps < 0 else "")
            text += f" ({part})" if part else ""
        elif "reported" in part:  # a figure appeared or went: "gas supply figure no longer reported (was 5 MMCFD)"
            text = f"{column} {part}; still {label(n[column])}"
        else:
            text = f"{column} {label(n[column])} ({part})"
        self.add(zone_id, "utility", text, subject=column, old=o[column], new=n[column], delta=float(steps),
                 figures={"unit": unit, "available_old": o[available], "available_new": n[available],
                          "required_old": o[required], "required_new": n[required]})

    def _colonization(self, zone_id: str, o: dict, n: dict) -> None:
        keys = ("colonization_pct", "plots_total", "plots_allotted")
        if all(o[k] == n[k] for k in keys):
            return
        delta = _delta(o["colonization_pct"], n["colonization_pct"])
        parts = []
        if n["colonization_pct"] is None and not vocabulary.colonization_applies(n["stage"]):
            parts.append(f"colonization {vocabulary.NOT_APPLICABLE}" + (f" (was {figure_text(o['colonization_pct'])} %)"
                                                                         if o["colonization_pct"] is not None else ""))
        elif o["colonization_pct"] != n["colonization_pct"]:
            parts.append(vocabulary.figure_change_text("colonization", o["colonization_pct"], n["colonization_pct"], "%")
                         + (f" ({_signed(delta)} points)" if delta else ""))
        plots = ("plots_allotted", "plots_total")
        if any(o[k] != n[k] for k in plots):
            def allotted(r: dict) -> str:
                return f"{figure_text(r['plots_allotted'])} of {figure_text(r['plots_total'])} allotted"
            gone, new = all(n[k] is None for k in plots), all(o[k] is None for k in plots)
            if gone:
                parts.append(f"plots figure no longer reported (was {allotted(o)})")
            elif new:
                parts.append(f"plots now reported: {allotted(n)}")
            else:
                parts.append(f"plots allotted {_from_to(o['plots_allotted'], n['plots_allotted'])}"
                             f" of {_from_to(o['plots_total'], n['plots_total'])}")
        self.add(zone_id, "colonization", ", ".join(parts), subject="colonization_pct", old=o["colonization_pct"],
                 new=n["colonization_pct"], delta=delta, figures={k + s: r[k] for k in keys[1:] for s, r in (("_old", o), ("_new", n))})

    def _enterprises(self, zone_id: str, o: dict, n: dict) -> None:
        parts = []
        for column, name in (("enterprises", "enterprises"), ("enterprises_operating", "operating")):
            if o[column] != n[column]:
                delta = _delta(o[column], n[column])
                parts.append(vocabulary.figure_change_text(name, o[column], n[column]) + (f" ({_signed(delta)})" if delta else ""))
        if not parts:
            return
        if parts[0].startswith("operating"):
            parts[0] = "enterprises " + parts[0]
        self.add(zone_id, "enterprises", ", ".join(parts), subject="enterprises", old=o["enterprises"], new=n["enterprises"],
                 delta=_delta(o["enterprises"], n["enterprises"]),
                 figures={"operating_old": o["enterprises_operating"], "operating_new": n["enterprises_operating"]})

    def _figure(self, zone_id: str, o: dict, n: dict, kind: str, column: str, name: str, template: str = "{name} {old} → {new}",
                quantity=None) -> None:
        if o[column] == n[column]:
            return
        delta = _delta(o[column], n[column])
        if o[column] is not None and n[column] is not None:
            text = template.format(name=name, old=figure_text(o[column]), new=figure_text(n[column]))
        else:
            text = vocabulary.figure_change_text(name, o[column], n[column], quantity=quantity)
        text += f" ({_signed(delta)})" if delta else ""
        self.add(zone_id, kind, text, subject=column, old=o[column], new=n[column], delta=delta)

    # milestones -------------------------------------------------------------------------------

    def milestones(self, added: list[str], removed: list[str], changes: list[CellChange]) -> None:
        changed = {c.key for c in changes}
        olds = _rows(self.old.milestones, "milestone_id", [*changed, *removed])
        news = _rows(self.new.milestones, "milestone_id", [*changed, *added])
        for mid in added:
            n = news[mid]
            when = f"done {n['done_date']}" if n["done_date"] else f"due {n['due_date']}"
            self.add(n["zone_id"] or None, "milestone_added", f"milestone “{n['title']}” added ({when})",
                     subject="milestone", milestone_id=mid, new=n["due_date"])
        for mid in removed:
            o = olds[mid]
            self.add(o["zone_id"] or None, "milestone_removed", f"milestone “{o['title']}” removed",
                     subject="milestone", milestone_id=mid, old=o["due_date"])
        for mid in sorted(changed, key=lambda m: (news[m]["due_date"] or "", m)):
            self._milestone_progress(mid, olds[mid], news[mid])
        self._overdue()
        self._details(schema.MILESTONES, changes, covered=_MILESTONE_COVERED, what="milestone")

    def _milestone_progress(self, mid: str, o: dict, n: dict) -> None:
        """Completed, cancelled, slipped or brought forward (``vocabulary.movements``), then any
        other status change; falling overdue is ``_overdue``'s."""
        zone_id, title = n["zone_id"] or None, f"“{n['title']}”"
        label = schema.MILESTONE_STATUS.label
        facts = {"subject": "milestone", "milestone_id": mid}
        for move in vocabulary.movements(o, n, _as_of(self.old.info), _as_of(self.new.info)):
            if move.code in vocabulary.COMPLETED:
                timing = vocabulary.lateness_text(move.days)
                self.add(zone_id, "milestone_done", f"{title} done on {n['done_date'] or MISSING}" + (f" ({timing})" if timing else ""),
                         old=o["status"], new="done", days=move.days, movement=move.code, **facts)
                return
            if move.code == vocabulary.CANCELLED:
                self.add(zone_id, "milestone_cancelled", f"{title} cancelled (was {label(o['status'])})",
                         old=o["status"], new="cancelled", movement=move.code, **facts)
                return
            if move.code in (vocabulary.SLIPPED, vocabulary.BROUGHT_FORWARD):
                slipped = move.code == vocabulary.SLIPPED
                kind, verb = ("milestone_slipped", "slipped") if slipped else ("milestone_rescheduled", "brought forward")
                self.add(zone_id, kind, f"{title} due date {verb} {vocabulary.days_text(move.days)} ({o['due_date']} → {n['due_date']})",
                         old=o["due_date"], new=n["due_date"], days=move.days, movement=move.code, **facts)
        if o["status"] != n["status"]:
            self.add(zone_id, "milestone_status", f"{title} {label(o['status'])} → {label(n['status'])}",
                     old=o["status"], new=n["status"], **facts)

    def _overdue(self) -> None:
        """Milestones overdue at the new version's as-of date that were not overdue at the old
        one's (or did not exist): ``vocabulary.movements``. Overdue-ness depends on the as-of date
        too, so a milestone with no changed cell can fall overdue.
        """
        old_as_of, new_as_of = _as_of(self.old.info), _as_of(self.new.info)
        if new_as_of is None:
            return
        ms = self.new.milestones
        candidates = ms.loc[vocabulary.overdue_mask(ms, new_as_of), "milestone_id"]
        news = _rows(ms, "milestone_id", list(candidates))
        olds = _rows(self.old.milestones, "milestone_id", list(candidates))
        reference = vocabulary.resolve_reference(new_as_of)
        for mid in sorted(news, key=lambda m: (news[m]["due_date"], m)):
            n, o = news[mid], olds.get(mid)
            move = next((m for m in vocabulary.movements(o, n, old_as_of, new_as_of) if m.code == vocabulary.NEWLY_OVERDUE), None)
            if move is None:
                continue
            self.add(n["zone_id"] or None, "milestone_overdue",
                     f"“{n['title']}” now overdue (due {n['due_date']}, {vocabulary.days_text(move.days)} late at {reference.name})",
                     subject="milestone", milestone_id=mid, new=n["due_date"], days=move.days, movement=move.code)

    # details ----------------------------------------------------------------------------------

    def _details(self, table: schema.Table, changes: list[CellChange], covered: set[str], what: str) -> None:
        """One item per row for the changed cells no other item describes."""
        rest: dict[str, list[CellChange]] = {}
        for change in changes:
            if change.column not in covered:
                rest.setdefault(change.key, []).append(change)
        titled = _rows(self.new.milestones, "milestone_id", list(rest)) if table is schema.MILESTONES else {}
        for key, cells in rest.items():
            parts = []
            for c in cells:
                name = FIELD_LABELS.get(c.column, c.column.replace("_", " "))
                old, new = _value_text(table, c.column, c.old), _value_text(table, c.column, c.new)
                short = len(old) + len(new) <= 60
                parts.append(f"{name} {old} → {new}" if short else f"{name} updated")
            if table is schema.MILESTONES:
                row = titled[key]
                zone_id, text = row["zone_id"] or None, f"milestone “{row['title']}”: " + "; ".join(parts)
                facts: dict[str, Any] = {"milestone_id": key, "subject": "milestone"}
            else:
                zone_id, text, facts = key, f"{what}: " + "; ".join(parts), {"subject": table.name}
            self.add(zone_id, "details", text, figures={"columns": [c.column for c in cells]}, **facts)




def summarise(old: Dataset, new: Dataset, added: dict[str, list[str]], removed: dict[str, list[str]],
              changes: dict[str, list[CellChange]]) -> list[ChangeItem]:
    """The summary items of the changes from ``old`` to ``new``, most important first, then by zone name."""
    summariser = _Summariser(old, new)
    summariser.zones(added["zones"], removed["zones"], changes["zones"])
    summariser.status(changes["status"])
    summariser.milestones(added["milestones"], removed["milestones"], changes["milestones"])
    zone_rank = {z: i for i, z in enumerate(sorted(summariser.names, key=lambda z: summariser.names[z].lower()))}
    return sorted(
        summariser.items,
        key=lambda i: (i.importance, i.zone_id is None, zone_rank.get(i.zone_id, len(zone_rank)) if i.zone_id else 0),
    )


def summary_heading(diff: VersionDiff) -> str:
    """The first line of every change summary: from which version to which."""
    return (f"Changes from {diff.old.id} “{diff.old.label}” (as of {diff.old.as_of}) "
            f"to {diff.new.id} “{diff.new.label}” (as of {diff.new.as_of})")


def summary_counts(diff: VersionDiff) -> str:
    """The last line of every change summary: how many cells and rows changed."""
    counts = diff.cell_counts()
    return (
        f"{len(diff.cell_changes)} cell change(s) (" + ", ".join(f"{t} {n}" for t, n in counts.items()) + "); "
        f"zones added {len(diff.zones_added)}, removed {len(diff.zones_removed)}; "
        f"milestones added {len(diff.milestones_added)}, removed {len(diff.milestones_removed)}"
    )


def format_summary(diff: VersionDiff) -> list[str]:
    """The summary as plain-text lines, grouped by zone, ending with the counts."""
    lines = [summary_heading(diff)]
    groups = diff.summary_by_zone()
    if not groups:
        lines.append("No changes.")
    for items in groups.values():
        lines.append("")
        lines.append(items[0].zone_name)
        lines.extend(f"  - {item.detail}" for item in items)
    lines.append("")
    lines.append(summary_counts(diff))
    return lines
