"""The milestone tables of the Overview and Changes pages: what is overdue, and how each milestone
moved between two versions (counted by ``vocabulary``'s rules, never by display text).

Pure functions of ``Dataset`` objects (no streamlit).
"""

from __future__ import annotations

import pandas as pd

from sez_metrics.core import i18n, vocabulary
from sez_metrics.core.dataset import Dataset
from sez_metrics.core.i18n import N_, _


def _zone_names(dataset: Dataset) -> dict[str, str]:
    """Short names by zone id (tables on a projector need the short form)."""
    return dict(zip(dataset.zones["zone_id"], (i18n.data_text(z, "short_name") for z in dataset.zones.to_dict("records")), strict=True))


def version_as_of(dataset: Dataset) -> pd.Timestamp:
    """The reporting date of ``dataset``'s version."""
    return pd.Timestamp(dataset.info.as_of)


OVERDUE_COLUMNS = ["zone_id", "zone", "milestone_id", "title", "category", "due_date", "days_late", "status", "confidence"]


def overdue_milestones(dataset: Dataset, as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """Milestones overdue at ``as_of`` (default: the version's as-of date): ``vocabulary.is_overdue``.

    Columns ``OVERDUE_COLUMNS``; most days late first, days late counted to that date
    (``vocabulary.days_late``). Programme-level events are named ``vocabulary.PROGRAMME`` in the
    ``zone`` column.
    """
    as_of = version_as_of(dataset) if as_of is None else pd.Timestamp(as_of)
    m = dataset.milestones
    late = m[vocabulary.overdue_mask(m, as_of)]
    names = _zone_names(dataset)
    out = pd.DataFrame(
        {
            "zone_id": late["zone_id"],
            "zone": late["zone_id"].map(lambda z: names.get(z, z) if z else _(vocabulary.PROGRAMME)),
            "milestone_id": late["milestone_id"],
            "title": late["title"],
            "category": late["category"],
            "due_date": late["due_date"],
            "days_late": vocabulary.days_late_series(late, as_of).astype("int64"),
            "status": late["status"],
            "confidence": late["confidence"],
        },
        columns=OVERDUE_COLUMNS,
    )
    return out.sort_values(["days_late", "milestone_id"], ascending=[False, True]).reset_index(drop=True)


MOVEMENT_COLUMNS = [
    "movement", "zone_id", "zone", "milestone_id", "title", "old_due", "new_due", "shift_days", "done_date", "days",
]
# Each movement code as a table shows it, in the order a reader wants them.
# Marked with N_ and translated where shown (``_(MOVEMENTS[code])``).
MOVEMENTS = {
    vocabulary.COMPLETED_LATE: N_("⏱ Completed late"),
    vocabulary.COMPLETED_ON_TIME: N_("✓ Completed on time"),
    vocabulary.COMPLETED_EARLY: N_("✓ Completed early"),
    vocabulary.SLIPPED: N_("⚠ Slipped"),
    vocabulary.NEWLY_OVERDUE: N_("⏰ Now overdue"),
    vocabulary.BROUGHT_FORWARD: N_("⏩ Brought forward"),
    vocabulary.CANCELLED: N_("✗ Cancelled"),
}


def milestone_movements(old: Dataset, new: Dataset, old_reference=None, new_reference=None) -> pd.DataFrame:
    """Milestones present in both versions that were completed, slipped, fell overdue, were brought
    forward or cancelled, classified by ``vocabulary.movements`` (the rule the diff uses too).

    References default to each version's as-of date. ``days``: for a completion, done date minus
    the due date committed in ``old`` (negative: early; show it with ``vocabulary.lateness_text``);
    for newly overdue, days late at the new reference date. ``shift_days``: how far the due date
    moved (empty when it did not). A milestone both slipped and newly overdue has a row for each.
    Columns ``MOVEMENT_COLUMNS``, ordered as ``MOVEMENTS`` then by largest shift.
    """
    old_reference = version_as_of(old) if old_reference is None else old_reference
    new_reference = version_as_of(new) if new_reference is None else new_reference
    both = old.milestones.merge(new.milestones, on="milestone_id", suffixes=("_old", "_new"))
    names = _zone_names(new)
    records = []
    for r in both.itertuples(index=False):
        o = {"status": r.status_old, "due_date": r.due_date_old, "done_date": r.done_date_old}
        n = {"status": r.status_new, "due_date": r.due_date_new, "done_date": r.done_date_new}
        found = vocabulary.movements(o, n, old_reference, new_reference)
        if not found:
            continue
        shift = None if pd.isna(r.due_date_old) or pd.isna(r.due_date_new) else (r.due_date_new - r.due_date_old).days
        zone_id = r.zone_id_new
        for move in found:
            records.append(
                {
                    "movement": move.code,
                    "zone_id": zone_id,
                    "zone": names.get(zone_id, zone_id) if zone_id else vocabulary.PROGRAMME,
                    "milestone_id": r.milestone_id,
                    "title": r.title_new,
                    "old_due": r.due_date_old,
                    "new_due": r.due_date_new,
                    "shift_days": shift or None,
                    "done_date": r.done_date_new,
                    "days": move.days,
                }
            )
    out = pd.DataFrame.from_records(records, columns=MOVEMENT_COLUMNS)
    out["shift_days"] = out["shift_days"].astype("Int64")
    out["days"] = out["days"].astype("Int64")
    rank = {m: i for i, m in enumerate(MOVEMENTS)}
    out = out.assign(_rank=out["movement"].map(rank), _abs=out["shift_days"].abs().fillna(0))
    out = out.sort_values(["_rank", "_abs", "milestone_id"], ascending=[True, False, True])
    return out.drop(columns=["_rank", "_abs"]).reset_index(drop=True)


def movement_counts(moves: pd.DataFrame) -> dict[str, int]:
    """How many milestones of each kind a movements table lists: ``completed`` (on time, late or
    early), ``slipped``, ``newly_overdue``, ``brought_forward``, ``cancelled``."""
    codes = moves["movement"]
    return {
        "completed": int(codes.isin(vocabulary.COMPLETED).sum()),
        "slipped": int((codes == vocabulary.SLIPPED).sum()),
        "newly_overdue": int((codes == vocabulary.NEWLY_OVERDUE).sum()),
        "brought_forward": int((codes == vocabulary.BROUGHT_FORWARD).sum()),
        "cancelled": int((codes == vocabulary.CANCELLED).sum()),
    }
