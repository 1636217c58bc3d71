"""The change summary in words: one ``ChangeItem`` per change a person reads, most important first.

Zones added or removed, stage moves, utility moves (with capacities), colonization, enterprises,
investment and jobs, milestones completed, slipped, newly overdue, cancelled, added or removed,
and finally everything else that changed in a row ("details"), so that no change is missing from
it. ``ChangeItem.text`` is plain text (it holds CSV values): escape it before using it as markdown.
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
from sez_metrics.core.dataset import Dataset, VersionInfo
from sez_metrics.core.i18n import MISSING, N_, _

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

    def in_language(self) -> str:
        """``detail`` in the current language (data values such as names and titles as they are)."""
        return self.words() if self.words is not None else self.detail

    def zone_label(self) -> str:
        """The zone's short name, or the programme's name in the current language."""
        return _(vocabulary.PROGRAMME) if self.zone_id is None else self.zone_name

    def to_dict(self) -> dict:
        facts = asdict(self)
        facts.pop("words")
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


class _Summariser:
    """Builds the summary items of one diff; holds the zone names used in every sentence.

    Each item's words are a function, so that a summary computed once reads in the language of
    whoever reads it; ``detail`` and ``text`` are those words in English.
    """

    def __init__(self, old: Dataset, new: Dataset):
        self.old, self.new = old, new
        self.names: dict[str, str] = {}
        for frame in (old.zones, new.zones):  # new names win
            self.names.update(zip(frame["zone_id"].tolist(), frame["short_name"].tolist(), strict=True))
        self.items: list[ChangeItem] = []

    def zone_name(self, zone_id: str | None) -> str:
        return vocabulary.PROGRAMME if zone_id is None else self.names.get(zone_id, zone_id)

    def add(self, zone_id: str | None, kind: str, words: Callable[[], str], **facts: Any) -> None:
        name = self.zone_name(zone_id)
        with i18n.use_language(i18n.SOURCE_LANGUAGE):
            detail = words()
        self.items.append(ChangeItem(zone_id, name, kind, IMPORTANCE[kind], f"{name}: {detail}", detail, words=words, **facts))

    # zones ------------------------------------------------------------------------------------

    def zones(self, added: list[str], removed: list[str], changes: list[CellChange]) -> None:
        new_status = _rows(self.new.status, "zone_id", added)
        new_zones = _rows(self.new.zones, "zone_id", added)
        for zone_id in added:
            row, status = new_zones[zone_id], new_status.get(zone_id)

            def words(province=str(row["province"]), stage=status["stage"] if status else None) -> str:
                if stage is None:
                    return _("zone added ({province})").format(province=province)
                return _("zone added ({province}, stage {stage})").format(province=province, stage=schema.STAGE.label(stage))

            self.add(zone_id, "zone_added", words, new=zone_id)
        for zone_id in removed:
            self.add(zone_id, "zone_removed", lambda: _("zone removed"), old=zone_id)
        self._details(schema.ZONES, changes, covered={"zone_id"})

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
            self._investment(zone_id, o, n)
            self._jobs(zone_id, o, n)
            if o["confidence"] != n["confidence"]:
                def words(old=o["confidence"], new=n["confidence"]) -> str:
                    label = schema.CONFIDENCE.label
                    return _("figures now {new} (were {old})").format(new=label(new), old=label(old))

                self.add(zone_id, "confidence", words, subject="confidence", old=o["confidence"], new=n["confidence"])
        self._details(schema.STATUS, changes, covered=_STATUS_COVERED)

    def _stage(self, zone_id: str, o: dict, n: dict) -> None:
        if o["stage"] == n["stage"]:
            return
        steps = schema.STAGE.rank(n["stage"]) - schema.STAGE.rank(o["stage"])

        def words(old=o["stage"], new=n["stage"]) -> str:
            label = schema.STAGE.label
            if steps < 0:
                return _("stage {old} → {new} (moved back)").format(old=label(old), new=label(new))
            return _("stage {old} → {new}").format(old=label(old), new=label(new))

        self.add(zone_id, "stage", words, subject="stage", old=o["stage"], new=n["stage"], delta=float(steps))

    def _utility(self, zone_id: str, o: dict, n: dict, column: str, quantity: str, available: str, required: str, unit: str) -> None:
        moved = o[column] != n[column]
        if not moved and o[available] == n[available] and o[required] == n[required]:
            return
        steps = schema.UTILITY_STAGE.rank(n[column]) - schema.UTILITY_STAGE.rank(o[column])

        def part() -> str:
            if o[available] != n[available]:
                text = vocabulary.figure_change_text(_(_QUANTITY_NAMES[quantity]), o[available], n[available], unit)
                if n[available] is not None and n[required] is not None:
                    text = _("{change} of {required} {unit}").format(change=text, required=_from_to(o[required], n[required]),
                                                                   unit=unit)
                return text
            if o[required] != n[required]:
                return vocabulary.figure_change_text(_(_QUANTITY_NAMES[f"{quantity} required"]), o[required], n[required], unit)
            return ""

        with i18n.use_language(i18n.SOURCE_LANGUAGE):
            # a figure appeared or went: "gas supply figure no longer reported (was 5 MMCFD)"
            reported = "reported" in part()

        def words() -> str:
            label = schema.UTILITY_STAGE.label
            utility, change = _(_UTILITY_NAMES[column]), part()
            if moved:
                if steps < 0:
                    text = _("{utility} {old} → {new} (moved back)").format(utility=utility, old=label(o[column]), new=label(n[column]))
                else:
                    text = f"{utility} {label(o[column])} {arrow()} {label(n[column])}"
                return f"{text} ({change})" if change else text
            if reported:
                return _("{utility} {change}; still {state}").format(utility=utility, change=change, state=label(n[column]))
            return f"{utility} {label(n[column])} ({change})"

        self.add(zone_id, "utility", words, subject=column, old=o[column], new=n[column], delta=float(steps),
                 figures={"unit": unit, "available_old": o[available], "available_new": n[available],
                          "required_old": o[required], "required_new": n[required]})

    def _colonization(self, zone_id: str, o: dict, n: dict) -> None:
        keys = ("colonization_pct", "plots_total", "plots_allotted")
        if all(o[k] == n[k] for k in keys):
            return
        delta = _delta(o["colonization_pct"], n["colonization_pct"])

        def allotted(r: dict) -> str:
            return _("{allotted} of {total} allotted").format(allotted=figure_text(r["plots_allotted"]),
                                                             total=figure_text(r["plots_total"]))

        def words() -> str:
            parts = []
            if n["colonization_pct"] is None and not vocabulary.colonization_applies(n["stage"]):
                if o["colonization_pct"] is not None:
                    parts.append(_("colonization {not_applicable} (was {value} %)").format(
                        not_applicable=_(vocabulary.NOT_APPLICABLE), value=figure_text(o["colonization_pct"])))
                else:
                    parts.append(_("colonization {not_applicable}").format(not_applicable=_(vocabulary.NOT_APPLICABLE)))
            elif o["colonization_pct"] != n["colonization_pct"]:
                change = vocabulary.figure_change_text(_("colonization"), o["colonization_pct"], n["colonization_pct"], "%")
                parts.append(_("{change} ({delta} points)").format(change=change, delta=_signed(delta)) if delta else change)
            plots = ("plots_allotted", "plots_total")
            if any(o[k] != n[k] for k in plots):
                gone, new = all(n[k] is None for k in plots), all(o[k] is None for k in plots)
                if gone:
                    parts.append(_("plots figure no longer reported (was {allotted})").format(allotted=allotted(o)))
                elif new:
                    parts.append(_("plots now reported: {allotted}").format(allotted=allotted(n)))
                else:
                    parts.append(_("plots allotted {allotted} of {total}").format(
                        allotted=_from_to(o["plots_allotted"], n["plots_allotted"]), total=_from_to(o["plots_total"], n["plots_total"])))
            return _joined(parts)

        self.add(zone_id, "colonization", words, subject="colonization_pct", old=o["colonization_pct"],
                 new=n["colonization_pct"], delta=delta, figures={k + s: r[k] for k in keys[1:] for s, r in (("_old", o), ("_new", n))})

    def _enterprises(self, zone_id: str, o: dict, n: dict) -> None:
        if o["enterprises"] == n["enterprises"] and o["enterprises_operating"] == n["enterprises_operating"]:
            return

        def words() -> str:
            parts = []
            # "operating" alone reads as the enterprises' when their count did not change
            operating = N_("operating") if o["enterprises"] != n["enterprises"] else N_("enterprises operating")
            for column, name in (("enterprises", N_("enterprises")), ("enterprises_operating", operating)):
                if o[column] != n[column]:
                    change = vocabulary.figure_change_text(_(name), o[column], n[column])
                    parts.append(_with_delta(change, _delta(o[column], n[column])))
            return _joined(parts)

        self.add(zone_id, "enterprises", words, subject="enterprises", old=o["enterprises"], new=n["enterprises"],
                 delta=_delta(o["enterprises"], n["enterprises"]),
                 figures={"operating_old": o["enterprises_operating"], "operating_new": n["enterprises_operating"]})

    def _investment(self, zone_id: str, o: dict, n: dict) -> None:
        column = "investment_usd_m"
        if o[column] == n[column]:
            return
        delta = _delta(o[column], n[column])

        def words() -> str:
            if o[column] is not None and n[column] is not None:
                change = _("investment USD {old} → {new} million").format(old=figure_text(o[column]), new=figure_text(n[column]))
            else:
                change = vocabulary.figure_change_text(
                    _("investment"), o[column], n[column], quantity=lambda v: _("USD {amount} million").format(amount=figure_text(v)))
            return _with_delta(change, delta)

        self.add(zone_id, "investment", words, subject=column, old=o[column], new=n[column], delta=delta)

    def _jobs(self, zone_id: str, o: dict, n: dict) -> None:
        column = "jobs"
        if o[column] == n[column]:
            return
        delta = _delta(o[column], n[column])

        def words() -> str:
            if o[column] is not None and n[column] is not None:
                change = _("jobs {old} → {new}").format(old=figure_text(o[column]), new=figure_text(n[column]))
            else:
                change = vocabulary.figure_change_text(_("jobs"), o[column], n[column])
            return _with_delta(change, delta)

        self.add(zone_id, "jobs", words, subject=column, old=o[column], new=n[column], delta=delta)

    # milestones -------------------------------------------------------------------------------

    def milestones(self, added: list[str], removed: list[str], changes: list[CellChange]) -> None:
        changed = {c.key for c in changes}
        olds = _rows(self.old.milestones, "milestone_id", [*changed, *removed])
        news = _rows(self.new.milestones, "milestone_id", [*changed, *added])
        for mid in added:
            n = news[mid]

            def added_words(n=n) -> str:
                if n["done_date"]:
                    return _("milestone “{title}” added (done {date})").format(title=n["title"], date=sentence_date(n["done_date"]))
                return _("milestone “{title}” added (due {date})").format(title=n["title"], date=sentence_date(n["due_date"]))

            self.add(n["zone_id"] or None, "milestone_added", added_words, subject="milestone", milestone_id=mid, new=n["due_date"])
        for mid in removed:
            o = olds[mid]
            self.add(o["zone_id"] or None, "milestone_removed",
                     lambda title=o["title"]: _("milestone “{title}” removed").format(title=title),
                     subject="milestone", milestone_id=mid, old=o["due_date"])
        for mid in sorted(changed, key=lambda m: (news[m]["due_date"] or "", m)):
            self._milestone_progress(mid, olds[mid], news[mid])
        self._overdue()
        self._details(schema.MILESTONES, changes, covered=_MILESTONE_COVERED)

    def _milestone_progress(self, mid: str, o: dict, n: dict) -> None:
        """Completed, cancelled, slipped or brought forward (``vocabulary.movements``), then any
        other status change; falling overdue is ``_overdue``'s."""
        zone_id, title = n["zone_id"] or None, n["title"]
        label = schema.MILESTONE_STATUS.label
        facts = {"subject": "milestone", "milestone_id": mid}
        for move in vocabulary.movements(o, n, _as_of(self.old.info), _as_of(self.new.info)):
            if move.code in vocabulary.COMPLETED:
                def done_words(days=move.days) -> str:
                    timing = vocabulary.lateness_text(days)
                    if timing:
                        return _("“{title}” done on {date} ({timing})").format(title=title, date=sentence_date(n["done_date"]), timing=timing)
                    return _("“{title}” done on {date}").format(title=title, date=sentence_date(n["done_date"]))

                self.add(zone_id, "milestone_done", done_words, old=o["status"], new="done", days=move.days, movement=move.code, **facts)
                return
            if move.code == vocabulary.CANCELLED:
                self.add(zone_id, "milestone_cancelled",
                         lambda: _("“{title}” cancelled (was {status})").format(title=title, status=label(o["status"])),
                         old=o["status"], new="cancelled", movement=move.code, **facts)
                return
            if move.code in (vocabulary.SLIPPED, vocabulary.BROUGHT_FORWARD):
                slipped = move.code == vocabulary.SLIPPED
                kind = "milestone_slipped" if slipped else "milestone_rescheduled"

                def moved_words(days=move.days, slipped=slipped) -> str:
                    if slipped:
                        text = _("“{title}” due date slipped {days} ({old} → {new})")
                    else:
                        text = _("“{title}” due date brought forward {days} ({old} → {new})")
                    return text.format(title=title, days=vocabulary.days_text(days), old=sentence_date(o["due_date"]), new=sentence_date(n["due_date"]))

                self.add(zone_id, kind, moved_words, old=o["due_date"], new=n["due_date"], days=move.days, movement=move.code, **facts)
        if o["status"] != n["status"]:
            self.add(zone_id, "milestone_status", lambda: f"“{title}” {label(o['status'])} {arrow()} {label(n['status'])}",
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

            def words(n=n, days=move.days) -> str:
                if reference.is_today:
                    text = _("“{title}” now overdue (due {due}, {days} late at today {day})")
                else:
                    text = _("“{title}” now overdue (due {due}, {days} late at the data's as-of date {day})")
                return text.format(title=n["title"], due=sentence_date(n["due_date"]), days=vocabulary.days_text(days), day=sentence_date(reference.iso))

            self.add(n["zone_id"] or None, "milestone_overdue", words,
                     subject="milestone", milestone_id=mid, new=n["due_date"], days=move.days, movement=move.code)

    # details ----------------------------------------------------------------------------------

    def _details(self, table: schema.Table, changes: list[CellChange], covered: set[str]) -> None:
        """One item per row for the changed cells no other item describes."""
        rest: dict[str, list[CellChange]] = {}
        for change in changes:
            if change.column not in covered:
                rest.setdefault(change.key, []).append(change)
        titled = _rows(self.new.milestones, "milestone_id", list(rest)) if table is schema.MILESTONES else {}
        for key, cells in rest.items():
            def words(cells=cells, key=key) -> str:
                parts = []
                for c in cells:
                    name = FIELD_LABELS.get(c.column)
                    name = _(name) if name is not None else c.column.replace("_", " ")
                    old, new = _value_text(table, c.column, c.old), _value_text(table, c.column, c.new)
                    short = len(old) + len(new) <= 60
                    parts.append(f"{name} {old} {arrow()} {new}" if short else _("{name} updated").format(name=name))
                changed = semicolon().join(parts)
                if table is schema.MILESTONES:
                    return _("milestone “{title}”: {changes}").format(title=titled[key]["title"], changes=changed)
                return f"{_(_DETAILS_OF[table.name])}: {changed}"

            if table is schema.MILESTONES:
                zone_id, facts = titled[key]["zone_id"] or None, {"milestone_id": key, "subject": "milestone"}
            else:
                zone_id, facts = key, {"subject": table.name}
            self.add(zone_id, "details", words, figures={"columns": [c.column for c in cells]}, **facts)



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
