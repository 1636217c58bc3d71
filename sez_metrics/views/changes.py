"""The Changes page's view: what changed between two versions, as display frames and texts.

A large update (thousands of zones) is shown in bounded portions: the zones with the most
important changes first, milestone moves and changed cells up to a row limit, filters by zone,
province and kind of change, and downloads of every change. ``change_views`` is computed once per
pair of versions and shared read-only by every session.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from sez_metrics.core import i18n, milestone_tables, schema, vocabulary
from sez_metrics.core.change_summary import IMPORTANCE, sentence_date
from sez_metrics.core.dataset import Dataset, VersionInfo
from sez_metrics.core.diff import VersionDiff
from sez_metrics.core.i18n import N_, _, ngettext
from sez_metrics.core.text import md_escape
from sez_metrics.render import export

# A symbol per kind of change, so a list can be scanned without reading every line.
KIND_SYMBOLS = {
    "zone_added": "➕",
    "zone_removed": "➖",
    "stage": "🏗️",
    "utility": "🔌",
    "colonization": "🏭",
    "enterprises": "🏢",
    "investment": "💰",
    "jobs": "👷",
    "milestone_done": "✅",
    "milestone_slipped": "⚠️",
    "milestone_overdue": "⏰",
    "milestone_cancelled": "✖️",
    "milestone_added": "🆕",
    "milestone_removed": "🗑️",
    "milestone_rescheduled": "📅",
    "milestone_status": "🔄",
    "confidence": "🔎",
    "details": "✏️",
}
KIND_LABELS = {
    "zone_added": N_("Zone added"),
    "zone_removed": N_("Zone removed"),
    "stage": N_("Stage"),
    "utility": N_("Gas or power"),
    "colonization": N_("Colonization and plots"),
    "enterprises": N_("Enterprises"),
    "investment": N_("Investment"),
    "jobs": N_("Jobs"),
    "milestone_done": N_("Milestone done"),
    "milestone_slipped": N_("Milestone slipped"),
    "milestone_overdue": N_("Milestone now overdue"),
    "milestone_cancelled": N_("Milestone cancelled"),
    "milestone_added": N_("Milestone added"),
    "milestone_removed": N_("Milestone removed"),
    "milestone_rescheduled": N_("Milestone brought forward"),
    "milestone_status": N_("Milestone status"),
    "confidence": N_("Confidence of the figures"),
    "details": N_("Other details"),
}
# Zones whose most important change ranks at least this high are opened by default.
EXPAND_IMPORTANCE = 3
TABLE_TITLES = {"status": N_("Status"), "milestones": N_("Milestones"), "zones": N_("Zones")}
# Column headers of the milestone moves (the page gives two of them a help text).
MOVED_BY, TIMING = N_("Moved by"), N_("Timing")
# How much is drawn at once: thousands of expanders or a 30,000-row table take seconds to send and
# draw and nobody reads them; filters, "Show more" and the downloads reach the rest.
ZONES_SHOWN = 25  # zones in the summary, and how many more "Show more" adds
LINES_PER_ZONE = 50  # summary lines in one zone's section
MOVEMENT_ROWS = 200
CELL_ROWS = 500
PROGRAMME_GROUP = ""  # the group key of programme-wide items (their zone_id is None)


# --- what the page shows, computed once per pair of versions ---------------------------------


@dataclass(frozen=True)
class ChangeViews:
    """Display frames of one diff, shared read-only by every session.

    ``items``: one row per summary item in summary order (``group`` is the zone id, or "" for
    programme-wide items); ``order``: the zones in display order (most important change first);
    ``cells``, ``rows`` and ``movements`` carry a ``zone_id`` column for the zone filters.
    The CSV downloads are built on first request and kept (a few MB at 5,000 zones); the diff
    itself is not held, so that it leaves memory with the diff cache.
    """

    items: pd.DataFrame
    order: pd.DataFrame
    zones: pd.DataFrame
    known: frozenset[str]
    movements: pd.DataFrame
    moves_counts: dict[str, int]  # ``milestone_tables.movement_counts`` of ``movements``: the header counts what the table lists
    cells: dict[str, pd.DataFrame]
    rows: dict[str, pd.DataFrame]
    kinds: dict[str, int]
    provinces: list[str]
    _files: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def zones_changed(self) -> int:
        return int((self.order.index != PROGRAMME_GROUP).sum())

    def file(self, name: str) -> bytes:
        """The bytes of CSV download ``name`` (``summary``, ``cells`` or ``moves``)."""
        with self._lock:
            if name not in self._files:
                self._files[name] = _DOWNLOADS[name](self)
            return self._files[name]


def change_views(old: Dataset, new: Dataset, diff: VersionDiff) -> ChangeViews:
    """Everything the page draws for ``old`` → ``new``, whose diff is ``diff``, in the current
    language (the summary's words, the labels and the moves' headers: one result per language)."""
    lookup = pd.concat([old.zones, new.zones])[["zone_id", "short_name", "name", "province"]]
    lookup = lookup.drop_duplicates("zone_id", keep="last").set_index("zone_id")  # the newer names win
    province = lookup["province"].to_dict()
    lookup["search"] = (lookup.index + "\n" + lookup["short_name"].fillna("") + "\n" + lookup["name"].fillna("")).str.lower()

    items = pd.DataFrame(
        [(i.zone_id or PROGRAMME_GROUP, i.zone_id, i.zone_label(), province.get(i.zone_id, ""), i.kind, i.importance,
          i.in_language(), i.milestone_id) for i in diff.summary],
        columns=["group", "zone_id", "zone", "province", "kind", "importance", "detail", "milestone_id"],
    )
    milestone_zone = {
        **dict(zip(old.milestones["milestone_id"], old.milestones["zone_id"].fillna(""), strict=True)),
        **dict(zip(new.milestones["milestone_id"], new.milestones["zone_id"].fillna(""), strict=True)),
    }
    names = items.drop_duplicates("group").set_index("group")["zone"].to_dict()
    names.update(lookup["short_name"].to_dict())
    cells, rows = {}, {}
    all_cells = diff.cell_changes_frame()
    for name in TABLE_TITLES:
        frame = all_cells[all_cells["table"] == name].reset_index(drop=True)
        zone_of = milestone_zone if name == "milestones" else None
        zone_ids = frame["key"].map(lambda k, z=zone_of: z.get(k, "") if z is not None else k)
        cells[name] = pd.DataFrame({
            "table": frame["table"], "key": frame["key"], "zone": zone_ids.map(lambda z: names.get(z, _(vocabulary.PROGRAMME) if not z else z)),
            "column": frame["column"], "old": frame["old"].map(_cell_text), "new": frame["new"].map(_cell_text),
            "zone_id": zone_ids,
        })
        added, removed = diff.rows_added[name], diff.rows_removed[name]
        keys = [*added, *removed]
        rows[name] = pd.DataFrame({
            "row": keys, "change": [_("added")] * len(added) + [_("removed")] * len(removed),
            "zone_id": [(zone_of.get(k, "") if zone_of is not None else k) for k in keys],
        })
    moves = milestone_tables.milestone_movements(old, new)
    movements = pd.DataFrame({
        _("Change"): moves["movement"].map(lambda m: _(milestone_tables.MOVEMENTS[m])),
        _("Zone"): moves["zone"],
        _("Milestone"): moves["title"],
        _(TIMING): moves["days"].map(lambda d: vocabulary.lateness_text(None if pd.isna(d) else int(d))).where(
            moves["movement"].isin([*vocabulary.COMPLETED, vocabulary.NEWLY_OVERDUE]), "—"),
        _("Due before"): moves["old_due"].map(_date_text),
        _("Due now"): moves["new_due"].map(_date_text),
        _(MOVED_BY): moves["shift_days"].map(_days_text),
        _("Done on"): moves["done_date"].map(_date_text),
        "zone_id": moves["zone_id"].fillna("").astype(str),
        "milestone_id": moves["milestone_id"],
    })
    counts = items["kind"].value_counts().to_dict()
    return ChangeViews(
        items=items,
        order=zone_order(items),
        zones=lookup,
        known=frozenset(new.zones["zone_id"]),
        movements=movements,
        moves_counts=milestone_tables.movement_counts(moves),
        cells=cells,
        rows=rows,
        kinds={k: counts[k] for k in IMPORTANCE if k in counts},
        provinces=sorted(set(lookup["province"].dropna())),
    )


def zone_order(items: pd.DataFrame) -> pd.DataFrame:
    """The zones of ``items`` in display order: most important change first, programme after zones
    of the same rank, then by name (as ``VersionDiff.summary_by_zone``)."""
    if items.empty:
        return pd.DataFrame({"zone": [], "top": [], "n": []}, index=pd.Index([], name="group"))
    groups = items.groupby("group", sort=False).agg(zone=("zone", "first"), top=("importance", "min"), n=("kind", "size"))
    groups["programme"] = groups.index == PROGRAMME_GROUP
    groups["name"] = groups["zone"].str.lower()
    return groups.sort_values(["top", "programme", "name"], kind="stable")


def _summary_csv(views: ChangeViews) -> bytes:
    items = views.items
    return export.spreadsheet_csv(pd.DataFrame({
        "zone_id": items["zone_id"], "zone": items["zone"], "province": items["province"], "kind": items["kind"],
        "change": items["detail"], "milestone_id": items["milestone_id"],
    }))


def _cells_csv(views: ChangeViews) -> bytes:
    frame = pd.concat([views.cells[name] for name in schema.TABLES if name in views.cells])
    return export.spreadsheet_csv(frame[["table", "key", "column", "old", "new", "zone_id"]])


def _moves_csv(views: ChangeViews) -> bytes:
    return export.spreadsheet_csv(views.movements)


def diff_json(diff: VersionDiff) -> bytes:
    """Everything, as ``sez_metrics diff --json`` prints it (24 MB at 5,000 zones: built per click, not kept)."""
    return json.dumps(diff.to_dict(), indent=2, ensure_ascii=False).encode("utf-8")


_DOWNLOADS: dict[str, Callable[[ChangeViews], bytes]] = {"summary": _summary_csv, "cells": _cells_csv, "moves": _moves_csv}


# A missing number or date reads "—": st.dataframe would show an empty cell as a grey "None".
def _days_text(days: object) -> str:
    """How far a due date moved: "30 days later", "30 days earlier", or "—"."""
    if pd.isna(days):
        return "—"
    text = _("{days} later") if int(days) > 0 else _("{days} earlier")
    return text.format(days=vocabulary.days_text(int(days)))


def _date_text(date: object) -> str:
    return "—" if pd.isna(date) else pd.Timestamp(date).strftime("%Y-%m-%d")


def _cell_text(value: object) -> str:
    """A stored value as text for the table: empty for an empty cell, 30 rather than 30.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- the comparison chosen -------------------------------------------------------------------


def compare_request(requested: str | None, defaulted: tuple[str, str | None] | None, newer_id: str) -> str | None:
    """The ``compare`` version to honour: None when the page itself chose ``requested`` as the default
    for another version (``defaulted`` is that (version, compare) pair), so the default follows."""
    if requested and defaulted and requested == defaulted[1] and defaulted[0] != newer_id:
        return None
    return requested or None


def describe(info: VersionInfo) -> str:
    """A version in markdown: its label in bold, then its id and as-of date."""
    return _("**{label}** \\({version}, as of {as_of}\\)").format(
        label=md_escape(info.label), version=md_escape(info.id), as_of=md_escape(sentence_date(info.as_of)))


def _n(value: int) -> str:
    return i18n.number(value, 0)


def counts_line(diff: VersionDiff, views: ChangeViews) -> str:
    """The size of the change in one markdown line (a row of tiles would truncate its labels on a projector)."""
    moves = views.moves_counts
    zones = views.zones_changed
    return " · ".join([
        ngettext("**{n}** zone changed", "**{n}** zones changed", zones).format(n=_n(zones)),
        _("**{n}** cells changed").format(n=_n(len(diff.cell_changes))),
        _("**{added}** zones added, **{removed}** removed").format(added=_n(len(diff.zones_added)), removed=_n(len(diff.zones_removed))),
        ngettext("**{completed}** milestone completed, **{slipped}** slipped, **{overdue}** newly overdue, **{cancelled}** cancelled",
                 "**{completed}** milestones completed, **{slipped}** slipped, **{overdue}** newly overdue, **{cancelled}** cancelled",
                 moves["completed"]).format(completed=_n(moves["completed"]), slipped=_n(moves["slipped"]),
                                            overdue=_n(moves["newly_overdue"]), cancelled=_n(moves["cancelled"])),
    ])


@dataclass(frozen=True)
class Download:
    label: str
    name: str  # ``summary``, ``cells``, ``moves`` (``ChangeViews.file``) or ``json`` (``diff_json``)
    file_name: str
    mime: str
    help: str


def downloads(diff: VersionDiff, views: ChangeViews) -> list[Download]:
    """The download buttons: every change, whatever the page shows."""
    pair = f"{diff.old.id}_{diff.new.id}"
    return [
        Download(_("⬇️ Changes (CSV)"), "summary", f"changes_{pair}.csv", "text/csv",
                 _("All {n} lines of the summary: zone, province, kind of change and the change in words.").format(
                     n=_n(len(diff.summary)))),
        Download(_("⬇️ Changed cells (CSV)"), "cells", f"changed-cells_{pair}.csv", "text/csv",
                 _("All {n} changed cells: table, key, column, value before and after, and the zone.").format(
                     n=_n(len(diff.cell_changes)))),
        Download(_("⬇️ Milestone moves (CSV)"), "moves", f"milestone-moves_{pair}.csv", "text/csv",
                 _("All {n} milestones completed, slipped, newly overdue, brought forward or cancelled.").format(
                     n=_n(len(views.movements)))),
        Download(_("⬇️ Everything (JSON)"), "json", f"changes_{pair}.json", "application/json",
                 _("The summary, every changed cell and the rows added or removed, as the command `sez_metrics diff --json` "
                   "gives them.")),
    ]


def kind_option(views: ChangeViews, kind: str) -> str:
    """A kind of change as the filter lists it: symbol, label and how many lines have it."""
    label = _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind
    return f"{KIND_SYMBOLS.get(kind, '•')} {label} ({_n(views.kinds[kind])})"


# --- filters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The filters chosen: ``zone_ids`` is None when neither zone nor province narrows the view."""

    text: str
    provinces: tuple[str, ...]
    kinds: tuple[str, ...]
    zone_ids: frozenset[str] | None

    @property
    def active(self) -> bool:
        return self.zone_ids is not None or bool(self.kinds)

    def zone_mask(self, zone_ids: pd.Series) -> pd.Series:
        return zone_ids.isin(self.zone_ids) if self.zone_ids is not None else pd.Series(True, index=zone_ids.index)


def choose(views: ChangeViews, text: str, provinces: list[str] | tuple[str, ...], kinds: list[str] | tuple[str, ...]) -> Filters:
    """The filters for a zone text (name or id contains it, case-insensitive), provinces and kinds of change.

    The programme's own changes match a text that is part of the programme's name, unless a
    province is chosen too.
    """
    query = text.strip().lower()
    zone_ids: frozenset[str] | None = None
    if query or provinces:
        zones = views.zones
        mask = pd.Series(True, index=zones.index)
        if query:
            mask &= zones["search"].str.contains(query, regex=False)
        if provinces:
            mask &= zones["province"].isin(provinces)
        zone_ids = frozenset(zones.index[mask])
        if query and not provinces and (query in vocabulary.PROGRAMME.lower() or query in _(vocabulary.PROGRAMME).lower()):
            zone_ids |= {PROGRAMME_GROUP}
    return Filters(text.strip(), tuple(provinces), tuple(kinds), zone_ids)


@dataclass(frozen=True)
class ZoneSection:
    """One zone's expander in the summary: its title, bullets (markdown) and whether it opens."""

    group: str
    title: str
    expanded: bool
    markdown: str
    more: int  # lines of this zone left out (in the download)
    link: bool  # the zone exists in the newer version: link to its profile
    zone: str


@dataclass(frozen=True)
class Summary:
    """The summary by zone under the filters, ``limit`` zones of it."""

    sections: list[ZoneSection]
    caption: str  # empty when everything is shown and nothing is filtered
    remaining: int  # zones left after the ones shown

    @property
    def more(self) -> int:
        """How many zones "Show more" adds."""
        return min(ZONES_SHOWN, self.remaining)


def summary(diff: VersionDiff, views: ChangeViews, chosen: Filters, limit: int) -> Summary | None:
    """The zone sections the summary shows, most important change first; None when no change matches."""
    items, order = views.items, views.order
    if chosen.active:
        mask = chosen.zone_mask(items["group"])
        if chosen.kinds:
            mask &= items["kind"].isin(chosen.kinds)
        items = items[mask]
        order = zone_order(items)
    if order.empty:
        return None
    shown = order.head(limit)
    zones_total, lines_total = int((order.index != PROGRAMME_GROUP).sum()), len(items)
    caption = ""
    if len(shown) < len(order) or chosen.active:
        if PROGRAMME_GROUP in order.index:
            zones = ngettext("{n} zone and the programme", "{n} zones and the programme", zones_total)
        else:
            zones = ngettext("{n} zone", "{n} zones", zones_total)
        zones = zones.format(n=_n(zones_total))
        more = len(shown) < len(order)
        if chosen.active:
            showing = _("Showing {shown} of {zones} matching the filters").format(shown=_n(len(shown)), zones=zones)
            caption = (_("{showing} · {shown} of {total} changes ({all} in all). Narrow them with the filters above, show "
                         "more below, or download them all.") if more
                       else _("{showing} · {shown} of {total} changes ({all} in all)."))
        else:
            showing = _("Showing {shown} of {zones} changed").format(shown=_n(len(shown)), zones=zones)
            caption = (_("{showing} · {shown} of {total} changes. Narrow them with the filters above, show more below, "
                         "or download them all.") if more
                       else _("{showing} · {shown} of {total} changes."))
        caption = caption.format(showing=showing, shown=_n(int(shown["n"].sum())), total=_n(lines_total),
                                 all=_n(len(diff.summary)))
    lines: dict[str, list[tuple[str, str]]] = {}
    for group, kind, detail in items.loc[items["group"].isin(shown.index), ["group", "kind", "detail"]].itertuples(index=False):
        lines.setdefault(group, []).append((kind, detail))
    sections = []
    for group, row in shown.iterrows():
        zone_lines = lines[group]
        title = ngettext("{zone} — {n} change", "{zone} — {n} changes", len(zone_lines)).format(
            zone=row["zone"], n=_n(len(zone_lines)))
        sections.append(ZoneSection(
            group=group, title=md_escape(title), expanded=bool(row["top"] <= EXPAND_IMPORTANCE),
            markdown="\n".join(bullet(kind, detail) for kind, detail in zone_lines[:LINES_PER_ZONE]),
            more=max(0, len(zone_lines) - LINES_PER_ZONE), link=group != PROGRAMME_GROUP and group in views.known,
            zone=row["zone"],
        ))
    return Summary(sections, caption, len(order) - len(shown))


def bullet(kind: str, detail: str) -> str:
    """One summary line as a markdown bullet: the kind's symbol, then the change in words (escaped)."""
    return f"- {KIND_SYMBOLS.get(kind, '•')} {md_escape(detail)}"


def movements(views: ChangeViews, chosen: Filters) -> pd.DataFrame:
    """The milestone moves of the zones chosen (every column, ``zone_id`` and ``milestone_id`` included)."""
    moves = views.movements
    if chosen.zone_ids is not None:
        moves = moves[chosen.zone_mask(moves["zone_id"])]
    return moves


@dataclass(frozen=True)
class CellTable:
    """One table's changed cells and rows added or removed, under the zone filters."""

    name: str
    title: str  # the tab's title, with the count shown (of the count in all)
    cells: pd.DataFrame
    rows: pd.DataFrame


def cell_tables(views: ChangeViews, chosen: Filters) -> list[CellTable]:
    """Cell-level changes per table, then rows added and removed, for the zones chosen."""
    tables = []
    for name, heading in TABLE_TITLES.items():
        cells, rows = views.cells[name], views.rows[name]
        if chosen.zone_ids is not None:
            cells = cells[chosen.zone_mask(cells["zone_id"])]
            rows = rows[chosen.zone_mask(rows["zone_id"])]
        total = len(views.cells[name])
        if len(cells) != total:
            title = _("{table} ({shown} of {total})").format(table=_(heading), shown=_n(len(cells)), total=_n(total))
        else:
            title = f"{_(heading)} ({_n(len(cells))})"
        tables.append(CellTable(name, title, cells, rows))
    return tables
