"""What changed between two dataset versions: rows added and removed, cell changes, and their summary.

Rows are matched by their key (``zone_id`` in zones and status, ``milestone_id`` in milestones),
never by position, so reordering a file changes nothing. Values are compared typed (``10`` and
``10.0`` are the same number; two empty cells are equal). The summary in words is built by
``sez_metrics.core.change_summary``.

Pure: no streamlit, no file access.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from sez_metrics.core import schema
from sez_metrics.core.change_sentences import summarise
from sez_metrics.core.change_summary import ChangeItem, plain_value
from sez_metrics.core.dataset import Dataset, VersionInfo


@dataclass(frozen=True)
class CellChange:
    """One cell whose value differs: ``old`` and ``new`` are plain JSON values (dates as ISO text)."""

    table: str
    key: str
    column: str
    old: Any
    new: Any

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class VersionDiff:
    """Everything that changed from ``old`` to ``new``."""

    old: VersionInfo
    new: VersionInfo
    rows_added: dict[str, list[str]]
    rows_removed: dict[str, list[str]]
    cell_changes: list[CellChange]
    summary: list[ChangeItem]

    @property
    def zones_added(self) -> list[str]:
        return self.rows_added["zones"]

    @property
    def zones_removed(self) -> list[str]:
        return self.rows_removed["zones"]

    @property
    def milestones_added(self) -> list[str]:
        return self.rows_added["milestones"]

    @property
    def milestones_removed(self) -> list[str]:
        return self.rows_removed["milestones"]

    @property
    def is_empty(self) -> bool:
        return not (self.cell_changes or any(self.rows_added.values()) or any(self.rows_removed.values()))

    def summary_by_zone(self) -> dict[str | None, list[ChangeItem]]:
        """Summary items grouped by zone (``None`` = programme-wide events).

        Zones come in order of their most important change, then by name; items within a zone
        keep the summary's order.
        """
        groups: dict[str | None, list[ChangeItem]] = {}
        for item in self.summary:
            groups.setdefault(item.zone_id, []).append(item)
        order = sorted(groups, key=lambda z: (min(i.importance for i in groups[z]), z is None, groups[z][0].zone_name.lower()))
        return {z: groups[z] for z in order}

    def cell_counts(self) -> dict[str, int]:
        """Number of changed cells per table."""
        counts = {name: 0 for name in schema.TABLES}
        for change in self.cell_changes:
            counts[change.table] += 1
        return counts

    def cell_changes_frame(self) -> pd.DataFrame:
        """The cell changes as a table (table, key, column, old, new) for display or export."""
        columns = ["table", "key", "column", "old", "new"]
        return pd.DataFrame([(c.table, c.key, c.column, c.old, c.new) for c in self.cell_changes], columns=columns)

    def to_dict(self) -> dict:
        """Everything, as JSON-ready data."""
        return {
            "old": _info_dict(self.old),
            "new": _info_dict(self.new),
            "rows_added": self.rows_added,
            "rows_removed": self.rows_removed,
            "cell_counts": self.cell_counts(),
            "cell_changes": [c.to_dict() for c in self.cell_changes],
            "summary": [i.to_dict() for i in self.summary],
            "summary_by_zone": [
                {"zone_id": z, "zone_name": items[0].zone_name, "items": [i.to_dict() for i in items]}
                for z, items in self.summary_by_zone().items()
            ],
        }


def _info_dict(info: VersionInfo) -> dict:
    return {"id": info.id, "label": info.label, "as_of": info.as_of, "published_at": info.published_at, "author": info.author}



def _changed_mask(a: pd.Series, b: pd.Series) -> pd.Series:
    both_missing = a.isna().to_numpy() & b.isna().to_numpy()
    equal = (a == b).fillna(False).astype(bool).to_numpy()
    return pd.Series(~(equal | both_missing), index=a.index)


def _table_changes(table: schema.Table, old: pd.DataFrame, new: pd.DataFrame) -> tuple[list[str], list[str], list[CellChange]]:
    """Keys added, keys removed (each in file order) and changed cells of one table."""
    (key,) = table.key
    for frame, which in ((old, "old"), (new, "new")):
        if frame[key].duplicated().any():
            raise ValueError(f"{table.file_name} of the {which} version has duplicate {key} values")
    old_ids, new_ids = old[key].tolist(), new[key].tolist()  # in bulk: iterating Arrow-backed text is per cell
    old_keys, new_keys = set(old_ids), set(new_ids)
    added = [k for k in new_ids if k not in old_keys]
    removed = [k for k in old_ids if k not in new_keys]
    common = [k for k in new_ids if k in old_keys]
    a = old.set_index(key).loc[common]
    b = new.set_index(key).loc[common]
    changes: list[CellChange] = []
    for column in (c for c in table.column_names if c != key):
        mask = _changed_mask(a[column], b[column]).to_numpy()
        if mask.any():
            for k, old_value, new_value in zip(a.index[mask], a[column][mask].tolist(), b[column][mask].tolist(), strict=True):
                changes.append(CellChange(table.name, str(k), column, plain_value(old_value), plain_value(new_value)))
    return [str(k) for k in added], [str(k) for k in removed], changes



def diff_versions(old: Dataset, new: Dataset) -> VersionDiff:
    """Compare two versions (any two, in either order) keyed by zone_id and milestone_id."""
    added: dict[str, list[str]] = {}
    removed: dict[str, list[str]] = {}
    changes: dict[str, list[CellChange]] = {}
    for name, table in schema.TABLES.items():
        added[name], removed[name], changes[name] = _table_changes(table, old.table(name), new.table(name))
    cells = [c for name in schema.TABLES for c in changes[name]]
    return VersionDiff(old.info, new.info, added, removed, cells, summarise(old, new, added, removed, changes))


def empty_dataset() -> Dataset:
    """A version with no rows: what a first version is compared with."""
    from sez_metrics.core.dataset import dataset_from_files

    files = {t.file_name: (",".join(t.column_names) + "\n").encode() for t in schema.TABLES.values()}
    info = VersionInfo(id="(none)", label="Empty store", as_of="", published_at="", author="", note="", parent=None,
                       files={}, prev_hash=None, entry_hash="")
    return dataset_from_files(info, files)
