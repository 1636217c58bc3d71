"""The change summary's sentences: one ``ChangeItem`` per change a person reads, most important first.

Zones added or removed, stage moves, utility moves (with capacities), colonization, enterprises,
investment and jobs, milestones completed, slipped, newly overdue, cancelled, added or removed,
and finally everything else that changed in a row ("details"), so that no change is missing.
Each item's words are a function of the current language (``ChangeItem.in_language``); its
``text`` and ``detail`` are those words in English. The items, their values and how a summary is
printed are ``sez_metrics.core.change_summary``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sez_metrics.core import i18n, schema, vocabulary
from sez_metrics.core.change_summary import (
    _DETAILS_OF,
    _MILESTONE_COVERED,
    _QUANTITY_NAMES,
    _STATUS_COVERED,
    _UTILITIES,
    _UTILITY_NAMES,
    FIELD_LABELS,
    IMPORTANCE,
    ChangeItem,
    _as_of,
    _delta,
    _from_to,
    _joined,
    _rows,
    _signed,
    _value_text,
    _with_delta,
    arrow,
    figure_text,
    semicolon,
    sentence_date,
)
from sez_metrics.core.dataset import Dataset
from sez_metrics.core.i18n import N_, _

if TYPE_CHECKING:
    from sez_metrics.core.diff import CellChange


class _Summariser:
    """Builds the summary items of one diff; holds the zone names used in every sentence.

    Each item's words are a function, so that a summary computed once reads in the language of
    whoever reads it; ``detail`` and ``text`` are those words in English.
    """

    def __init__(self, old: Dataset, new: Dataset):
        self.old, self.new = old, new
        self.names: dict[str, str] = {}
        # Each zone's short name in every language (``short_name_zh`` …; English where there is none).
        self.names_by_language: dict[str, dict[str, str]] = {}
        for frame in (old.zones, new.zones):  # new names win
            self.names.update(zip(frame["zone_id"].tolist(), frame["short_name"].tolist(), strict=True))
            for row in frame.to_dict("records"):
                for code in i18n.LANGUAGES:
                    with i18n.use_language(code):
                        self.names_by_language.setdefault(row["zone_id"], {})[code] = i18n.data_text(row, "short_name")
        self.items: list[ChangeItem] = []

    def zone_name(self, zone_id: str | None) -> str:
        return vocabulary.PROGRAMME if zone_id is None else self.names.get(zone_id, zone_id)

    def add(self, zone_id: str | None, kind: str, words: Callable[[], str], **facts: Any) -> None:
        name = self.zone_name(zone_id)
        with i18n.use_language(i18n.SOURCE_LANGUAGE):
            detail = words()
        self.items.append(ChangeItem(zone_id, name, kind, IMPORTANCE[kind], f"{name}: {detail}", detail, words=words,
                                     zone_names=self.names_by_language.get(zone_id, {}), **facts))

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
                parts = _translated_name_parts(cells)
                for c in cells:
                    if c.column in _TRANSLATED_NAME_COLUMNS:
                        continue
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



# A zone's names in the other languages and their sources (``name_zh``, ``short_name_ur_source`` …):
# one short part per language, its name quoted only in the reader's own language, since a Chinese
# reader gains nothing from an Urdu name (and the other way round).
_TRANSLATED_NAME_COLUMNS = {
    f"{base}_{code}{suffix}" for code in schema.NAME_SCRIPTS for base in ("name", "short_name") for suffix in ("", "_source")
}
_NAME_WORDS = {
    "zh": {"added": N_("Chinese name added"), "added_value": N_("Chinese name added ({name})"),
           "changed": N_("Chinese name changed"), "changed_value": N_("Chinese name changed ({old} → {new})"),
           "removed": N_("Chinese name removed")},
    "ur": {"added": N_("Urdu name added"), "added_value": N_("Urdu name added ({name})"),
           "changed": N_("Urdu name changed"), "changed_value": N_("Urdu name changed ({old} → {new})"),
           "removed": N_("Urdu name removed")},
}


def _translated_name_parts(cells: list[CellChange]) -> list[str]:
    """The parts saying which of a zone's names in other languages were added, changed or removed."""
    parts = []
    for code, words in _NAME_WORDS.items():
        mine = {c.column: c for c in cells if c.column in _TRANSLATED_NAME_COLUMNS and c.column.rsplit("_", 2)[-1] == code
                or c.column in (f"name_{code}_source", f"short_name_{code}_source")}
        if not mine:
            continue
        change = mine.get(f"name_{code}") or mine.get(f"short_name_{code}")
        own = i18n.current().code == code
        values: dict[str, Any] = {}
        if change is None or not _present_text(change.old) and not _present_text(change.new):
            what = "changed"  # only a source changed
        elif not _present_text(change.old):
            what, values = ("added_value", {"name": change.new}) if own else ("added", {})
        elif not _present_text(change.new):
            what = "removed"
        else:
            what, values = ("changed_value", {"old": change.old, "new": change.new}) if own else ("changed", {})
        message = words[what]  # a marked constant: translated here, extracted where it is written
        parts.append(_(message).format(**values))
    return parts


def _present_text(value: Any) -> bool:
    return value is not None and value == value and str(value).strip() != ""


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
