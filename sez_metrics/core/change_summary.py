"""The change summary in words: one ``ChangeItem`` per change a person reads, most important first.

Zones added or removed, stage moves, utility moves (with capacities), colonization, enterprises,
investment and jobs, milestones completed, slipped, newly overdue, cancelled, added or removed,
and finally everything else that changed in a row ("details"), so that no change is missing from
it. This module holds the items, how values and lists read in each language, and the summary as
printed; the sentences themselves are built by ``sez_metrics.core.change_sentences``.
``ChangeItem.text`` is plain text (it holds CSV values): escape it before using it as markdown.
The change model itself (rows added and removed, cell changes) is ``sez_metrics.core.diff``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
from babel import Locale

from sez_metrics.core import i18n, schema, vocabulary
from sez_metrics.core.dataset import VersionInfo
from sez_metrics.core.i18n import MISSING, N_, _

if TYPE_CHECKING:
    from sez_metrics.core.diff import VersionDiff

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

# Human names of columns in "details" items (enumerations use the schema's labels for values);
# a column not named here reads as its name with spaces for underscores.
FIELD_LABELS: dict[str, str] = {
    "name": N_("name"),
    "short_name": N_("short name"),
    "area_acres": N_("area (acres)"),
    "location_precision": N_("location precision"),
    "latitude": N_("latitude"),
    "longitude": N_("longitude"),
    "notified_on": N_("notified on"),
    "priority": N_("priority zone"),
    "start_date": N_("start date"),
    "zone_id": N_("zone"),
    "as_of": N_("as of"),
    "province": N_("province"),
    "district": N_("district"),
    "developer": N_("developer"),
    "programme": N_("programme"),
    "category": N_("category"),
    "colonization_basis": N_("colonization basis"),
    "stage_confidence": N_("stage confidence"),
    "stage_source": N_("stage source"),
    "gas_confidence": N_("gas confidence"),
    "gas_source": N_("gas source"),
    "electricity_confidence": N_("electricity confidence"),
    "electricity_source": N_("electricity source"),
    "colonization_confidence": N_("colonization confidence"),
    "colonization_source": N_("colonization source"),
    "enterprises_confidence": N_("enterprises confidence"),
    "enterprises_source": N_("enterprises source"),
    "jobs_confidence": N_("jobs confidence"),
    "jobs_source": N_("jobs source"),
    "investment_confidence": N_("investment confidence"),
    "investment_source": N_("investment source"),
    "source": N_("source"),
    "note": N_("note"),
    "title": N_("title"),
    "kind": N_("kind"),
    "confidence": N_("confidence"),
}
# The summary's table names ("zones 3" in the counts line).
TABLE_NAMES: dict[str, str] = {"zones": N_("zones"), "status": N_("status"), "milestones": N_("milestones")}
# What a row of each table is called in a "details" item ("zone details: …").
_DETAILS_OF = {"zones": N_("zone details"), "status": N_("status")}
_UTILITY_NAMES = {"gas": N_("gas"), "electricity": N_("electricity")}
_QUANTITY_NAMES = {
    "supply": N_("supply"), "power": N_("power"),
    "supply required": N_("supply required"), "power required": N_("power required"),
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
    same without the zone, for views grouped by zone: both in English (the command line's and the
    JSON's words). ``in_language()`` is ``detail`` in the language of the run that asks, and
    ``zone_label()`` the zone's name in it. ``old``/``new`` are codes, numbers or ISO
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
    # Words ``detail`` in the current language; a summary shared by sessions of every language
    # holds the sentence, not its translation.
    words: Callable[[], str] | None = field(default=None, repr=False, compare=False)
    # The zone's short name per language code (``short_name_zh`` …), for ``zone_label``.
    zone_names: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def in_language(self) -> str:
        """``detail`` in the current language (data values such as names and titles as they are)."""
        return self.words() if self.words is not None else self.detail

    def zone_label(self) -> str:
        """The zone's short name in the current language, or the programme's name in it."""
        if self.zone_id is None:
            return _(vocabulary.PROGRAMME)
        return self.zone_names.get(i18n.current().code) or self.zone_name

    def to_dict(self) -> dict:
        facts = asdict(self)
        facts.pop("words")
        facts.pop("zone_names")
        return facts


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
    return figure_text(new) if old == new else f"{figure_text(old)} {arrow()} {figure_text(new)}"


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


def sentence_date(iso: Any) -> str:
    """An ISO date in a sentence: as it is in English (the command line's words), the locale's date otherwise."""
    if iso is None or i18n.current().code == i18n.SOURCE_LANGUAGE:
        return MISSING if iso is None else str(iso)
    try:
        return i18n.date_of(date.fromisoformat(str(iso)))
    except ValueError:
        return str(iso)


# How each language separates the items of a list, and the parts of a list of lists: locale data,
# not messages (Babel's list pattern of the language, and its semicolon).
_SEMICOLONS = {"zh": "；", "ur": "؛ "}


def list_separator() -> str:
    """", " in English, "、" in Chinese, "، " in Urdu (the locale's list pattern)."""
    middle = Locale.parse(i18n.current().locale).list_patterns["standard"]["middle"]
    return middle.replace("{0}", "").replace("{1}", "")


def semicolon() -> str:
    """"; " between groups of a list, in the current language's punctuation."""
    return _SEMICOLONS.get(i18n.current().code, "; ")


def arrow() -> str:
    """"→" from the value before to the value after, pointing the way the language reads ("←" in Urdu)."""
    return "←" if i18n.current().direction == "rtl" else "→"


def _joined(parts: list[str]) -> str:
    """Parts of one change, as a list in the current language ("a, b")."""
    return list_separator().join(parts)


def _with_delta(change: str, delta: float | None) -> str:
    """"enterprises 240 → 259 (+19)"; the change alone when there is no difference."""
    return f"{change} ({_signed(delta)})" if delta else change


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


def summary_heading(diff: VersionDiff) -> str:
    """The first line of every change summary: from which version to which."""
    return _("Changes from {old_id} “{old_label}” (as of {old_as_of}) to {new_id} “{new_label}” (as of {new_as_of})").format(
        old_id=diff.old.id, old_label=diff.old.label, old_as_of=diff.old.as_of,
        new_id=diff.new.id, new_label=diff.new.label, new_as_of=diff.new.as_of)


def summary_counts(diff: VersionDiff) -> str:
    """The last line of every change summary: how many cells and rows changed."""
    counts = diff.cell_counts()
    tables = list_separator().join(f"{_(TABLE_NAMES.get(t, t))} {n}" for t, n in counts.items())
    return _("{cells} cell change(s) ({tables}); zones added {zones_added}, removed {zones_removed}; "
             "milestones added {milestones_added}, removed {milestones_removed}").format(
        cells=len(diff.cell_changes), tables=tables, zones_added=len(diff.zones_added), zones_removed=len(diff.zones_removed),
        milestones_added=len(diff.milestones_added), milestones_removed=len(diff.milestones_removed))


def format_summary(diff: VersionDiff) -> list[str]:
    """The summary as plain-text lines, grouped by zone, ending with the counts."""
    lines = [summary_heading(diff)]
    groups = diff.summary_by_zone()
    if not groups:
        lines.append(_("No changes."))
    for items in groups.values():
        lines.append("")
        lines.append(items[0].zone_label())
        lines.extend(f"  - {item.in_language()}" for item in items)
    lines.append("")
    lines.append(summary_counts(diff))
    return lines
