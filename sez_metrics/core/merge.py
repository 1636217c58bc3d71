"""Two stewards' updates meeting: a three-way cell merge, and a guard against silent reverts.

Cells are addressed by table, row key (``zone_id`` or ``milestone_id``) and column, and compared
typed, as the diff compares them (``10`` equals ``10.0``). A row's presence is a cell of its own
(column ``ROW``), so adding and removing rows merge and revert like values do.

- ``three_way``: the steward's changes since the version their file was built from (base) applied
  on top of the latest version (theirs). A cell changed on one side only takes that side's value;
  changed identically on both is fine; changed differently is a conflict, and nothing is merged.
  The model is the cell-level three-way merge of daff and Dolt.
- ``find_reverts``: which cells of an upload would restore a value that a version published after
  the one the file derives from replaced. Where the file derives from is found by comparing it
  with the history (the version it differs least from, newest first), never taken from what the
  steward says: a file built from v0004 and resubmitted as "based on v0005" is still caught.

Pure: reads nothing but what it is given (``find_reverts`` loads versions through a callable).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sez_metrics.core import schema
from sez_metrics.core.change_summary import figure_text
from sez_metrics.core.dataset import Dataset, VersionInfo
from sez_metrics.core.diff import VersionDiff, _table_changes
from sez_metrics.core.stored_csv import parse_csv_bytes

ROW = "(row)"  # the pseudo-column of a row's presence
PRESENT = "present"


@dataclass(frozen=True, order=True)
class Cell:
    table: str
    key: str
    column: str


def _show(value: Any) -> str:
    return figure_text(value)  # as the diff writes values: "—" for an empty cell


def row_text(value: Any) -> str:
    return "present" if value == PRESENT else "absent"


def changed_cells(old: Dataset, new: Dataset) -> dict[Cell, tuple[Any, Any]]:
    """Every cell (and row presence) that differs from ``old`` to ``new``: cell → (old, new)."""
    changes: dict[Cell, tuple[Any, Any]] = {}
    for name, table in schema.TABLES.items():
        added, removed, cells = _table_changes(table, old.table(name), new.table(name))
        _collect(changes, name, added, removed, cells)
    return changes


def cells_of_diff(diff: VersionDiff) -> dict[Cell, tuple[Any, Any]]:
    """``changed_cells`` of the two versions a diff compared, taken from the diff (no second pass)."""
    changes: dict[Cell, tuple[Any, Any]] = {}
    for name in schema.TABLES:
        _collect(changes, name, diff.rows_added[name], diff.rows_removed[name], [c for c in diff.cell_changes if c.table == name])
    return changes


def _collect(changes: dict, name: str, added: list[str], removed: list[str], cells) -> None:
    for key in added:
        changes[Cell(name, key, ROW)] = (None, PRESENT)
    for key in removed:
        changes[Cell(name, key, ROW)] = (PRESENT, None)
    for c in cells:
        changes[Cell(name, c.key, c.column)] = (c.old, c.new)


def _label(cell: Cell, names: Mapping[str, str]) -> str:
    """``Dhabeji colonization_pct`` (zones and status: the zone's short name), ``m-1 due_date``."""
    who = names.get(cell.key, cell.key) if cell.table in ("zones", "status") else cell.key
    prefix = f"{cell.table} " if cell.table == "zones" and cell.column == ROW else ""
    return f"{prefix}{who} {cell.column}"


# --- three-way merge --------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    cell: Cell
    yours: Any
    theirs: Any

    def text(self) -> str:
        """``id column: yours → theirs`` (for a row: whether it is there, or changed)."""
        if self.cell.column == ROW:
            return f"{self.cell.key} {ROW} ({self.cell.table}): {self.yours} → {self.theirs}"
        return f"{self.cell.key} {self.cell.column}: {_show(self.yours)} → {_show(self.theirs)}"


@dataclass
class MergeResult:
    """The merged files (when no conflict), the conflicts, and which cells came from which side."""

    files: dict[str, bytes]
    conflicts: list[Conflict]
    origin: dict[str, str] = field(default_factory=dict)  # file name → "theirs", "yours" or "merged"
    yours: dict[Cell, tuple[Any, Any]] = field(default_factory=dict)  # the steward's changes since base
    theirs: dict[Cell, tuple[Any, Any]] = field(default_factory=dict)  # the changes published since base

    @property
    def ok(self) -> bool:
        return not self.conflicts


def _row_summary(changes: dict[Cell, tuple[Any, Any]], table: str, key: str) -> str:
    columns = sorted(c.column for c in changes if c.table == table and c.key == key and c.column != ROW)
    return "changed " + ", ".join(columns) if columns else "unchanged"


def three_way(base: Dataset, theirs: Dataset, yours: Dataset,
              theirs_files: Mapping[str, bytes], yours_files: Mapping[str, bytes]) -> MergeResult:
    """Merge ``yours`` (changes since ``base``) onto ``theirs``; files are only built without conflict."""
    mine, published = changed_cells(base, yours), changed_cells(base, theirs)
    conflicts: list[Conflict] = []
    for cell in sorted(mine.keys() & published.keys()):
        if mine[cell][1] != published[cell][1]:
            conflicts.append(Conflict(cell, mine[cell][1], published[cell][1]))
    # A row removed on one side and changed on the other is a conflict too.
    for side, other, yours_removed in ((mine, published, True), (published, mine, False)):
        for cell, (_, new) in side.items():
            if cell.column == ROW and new is None and cell not in other:
                changed = _row_summary(other, cell.table, cell.key)
                if changed != "unchanged":
                    removed = "removed"
                    conflicts.append(Conflict(cell, removed if yours_removed else changed, changed if yours_removed else removed))
    conflicts.sort(key=lambda c: c.cell)
    result = MergeResult({}, conflicts, yours=mine, theirs=published)
    if conflicts:
        return result
    for name, table in schema.TABLES.items():
        file_name = table.file_name
        if not any(c.table == name for c in mine):
            result.files[file_name], result.origin[file_name] = bytes(theirs_files[file_name]), "theirs"
        elif not any(c.table == name for c in published):
            result.files[file_name], result.origin[file_name] = bytes(yours_files[file_name]), "yours"
        else:
            result.origin[file_name] = "merged"
            result.files[file_name] = _merged_csv(table, theirs_files[file_name], yours_files[file_name],
                                                  {c: v for c, v in mine.items() if c.table == name})
    return result


def _merged_csv(table: schema.Table, theirs: bytes, yours: bytes, mine: dict[Cell, tuple[Any, Any]]) -> bytes:
    """``theirs`` with the steward's cells, added rows (at the end) and removed rows applied."""
    (key,) = table.key
    t, y = parse_csv_bytes(theirs, table), parse_csv_bytes(yours, table)
    columns = [c for c in table.column_names if c in t.columns or c in y.columns]
    t_rows = {r[key]: r for r in t.to_dict("records")}
    y_rows = {r[key]: r for r in y.to_dict("records")}
    removed = {c.key for c, (_, new) in mine.items() if c.column == ROW and new is None}
    added = [k for k in y[key].tolist() if Cell(table.name, k, ROW) in mine and k not in removed and k not in t_rows]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for k in t[key].tolist():
        if k in removed:
            continue
        row = dict(t_rows[k])
        for column in columns:
            if Cell(table.name, k, column) in mine:
                row[column] = y_rows[k].get(column, "")
        writer.writerow([row.get(c, "") for c in columns])
    for k in added:
        writer.writerow([y_rows[k].get(c, "") for c in columns])
    return out.getvalue().encode("utf-8")


# --- reverts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Revert:
    """A cell the upload sets back to ``value``, undoing ``undone``: (version, old, new) each."""

    cell: Cell
    value: Any
    undone: tuple[tuple[VersionInfo, Any, Any], ...]

    def text(self, names: Mapping[str, str]) -> str:
        """``Dhabeji colonization_pct: your 0 would undo v0005's 0 → 5 by A, 2026-05-01``."""
        parts = []
        for info, old, new in self.undone:
            if self.cell.column == ROW:
                what = "addition" if new == PRESENT else "removal"
                parts.append(f"{info.id}'s {what} of it by {info.author}, {info.published_at[:10]}")
            else:
                parts.append(f"{info.id}'s {_show(old)} → {_show(new)} by {info.author}, {info.published_at[:10]}")
        if self.cell.column == ROW:
            yours = "your file lacks this row" if self.value is None else "your file has this row again"
            return f"{_label(self.cell, names)}: {yours}, which would undo " + "; ".join(parts)
        return f"{_label(self.cell, names)}: your {_show(self.value)} would undo " + "; ".join(parts)


@dataclass
class RevertCheck:
    """The version the upload derives from (by comparison with the history) and its reverts."""

    derived_from: str
    reverts: list[Revert] = field(default_factory=list)


def find_reverts(history: list[VersionInfo], load: Callable[[str], Dataset], upload: Dataset,
                 changes: dict[Cell, tuple[Any, Any]] | None = None) -> RevertCheck:
    """Cells of ``upload`` that restore a value some version after the one it derives from replaced.

    ``history`` is every version, oldest first (the last is the latest); ``load`` gives a version's
    dataset; ``changes`` are the upload's changes against the latest (computed when not given).
    Walking back from the latest, each version's distance from the upload (cells differing) is
    counted; the nearest version, the newest among equals, is the one the file derives from. The
    walk stops once a version differs from the latest in more cells than the best distance outside
    the upload's own changes: no older version can then be nearer (short of history reverting
    itself).
    """
    latest_info = history[-1]
    latest = load(latest_info.id)
    upload_changes = changed_cells(latest, upload) if changes is None else changes
    ups = {c: new for c, (_, new) in upload_changes.items()}
    latest_value: dict[Cell, Any] = {}  # the latest's value of every cell met on the walk
    away: dict[Cell, Any] = {}  # cells where the version walked to differs from the latest: its value
    trail: dict[Cell, list[tuple[VersionInfo, Any, Any]]] = {c: [] for c in ups}
    best, best_distance = latest_info.id, len(ups)
    best_away: dict[Cell, Any] = {}
    best_trail: dict[Cell, int] = {}  # how many of each cell's changes lie after the best version
    newer = latest
    for index in range(len(history) - 2, -1, -1):
        if not ups:
            break
        info, later = history[index], history[index + 1]
        older = load(info.id)
        for cell, (old, new) in changed_cells(older, newer).items():
            latest_value.setdefault(cell, new)  # first met: the newer version still agrees with the latest
            if cell in trail:
                trail[cell].append((later, old, new))
            if old == latest_value[cell]:
                away.pop(cell, None)
            else:
                away[cell] = old
        newer = older
        differing = sum(1 for c, v in ups.items() if away.get(c, _LATEST) != v) + sum(1 for c in away if c not in ups)
        if differing < best_distance:
            best, best_distance, best_away = info.id, differing, dict(away)
            best_trail = {c: len(steps) for c, steps in trail.items()}
        if sum(1 for c in away if c not in ups) > best_distance:
            break
    check = RevertCheck(best)
    if best == latest_info.id:
        return check
    for cell, value in sorted(ups.items()):
        if cell in best_away and best_away[cell] == value:
            undone = tuple(reversed(trail[cell][:best_trail.get(cell, 0)]))
            check.reverts.append(Revert(cell, value, undone))
    return check


_LATEST = object()  # "this cell still holds the latest's value"


def zone_names(*datasets: Dataset) -> dict[str, str]:
    names: dict[str, str] = {}
    for d in datasets:
        names.update(zip(d.zones["zone_id"].tolist(), d.zones["short_name"].tolist(), strict=True))
    return names
