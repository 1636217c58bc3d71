"""Changes (`/changes?version=NEW&compare=OLD`): what changed between two dataset versions.

``version`` is the newer side (the picker shared by every page), ``compare`` the older side
(default: the version before it). Both pickers write the URL, so the view is a deep link.

A large update (thousands of zones) is shown in bounded portions: the zones with the most
important changes first ("Show more" adds zones), milestone moves and changed cells up to a row
limit, filters by zone, province and kind of change, and downloads of every change. What the
page shows is computed once per pair of versions and shared by every session.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from sez_metrics.app import cached, context, widgets
from sez_metrics.core import metrics, schema, vocabulary
from sez_metrics.core.diff import IMPORTANCE, PROGRAMME_NAME, VersionDiff
from sez_metrics.core.text import md_echo, md_escape
from sez_metrics.render import export
from sez_metrics.storage.store import Dataset, VersionInfo

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
    "zone_added": "Zone added",
    "zone_removed": "Zone removed",
    "stage": "Stage",
    "utility": "Gas or power",
    "colonization": "Colonization and plots",
    "enterprises": "Enterprises",
    "investment": "Investment",
    "jobs": "Jobs",
    "milestone_done": "Milestone done",
    "milestone_slipped": "Milestone slipped",
    "milestone_overdue": "Milestone now overdue",
    "milestone_cancelled": "Milestone cancelled",
    "milestone_added": "Milestone added",
    "milestone_removed": "Milestone removed",
    "milestone_rescheduled": "Milestone brought forward",
    "milestone_status": "Milestone status",
    "confidence": "Confidence of the figures",
    "details": "Other details",
}
# Zones whose most important change ranks at least this high are opened by default.
EXPAND_IMPORTANCE = 3
# (version, compare) the page defaulted to, so that a default follows when the version changes.
AUTO_COMPARE_KEY = "_changes_auto_compare"
TABLE_TITLES = {"status": "Status", "milestones": "Milestones", "zones": "Zones"}
# How much is drawn at once: thousands of expanders or a 30,000-row table take seconds to send and
# draw and nobody reads them; filters, "Show more" and the downloads reach the rest.
ZONES_SHOWN = 25  # zones in the summary, and how many more "Show more" adds
LINES_PER_ZONE = 50  # summary lines in one zone's section
MOVEMENT_ROWS = 200
CELL_ROWS = 500
ZONE_LIMIT_KEY = "_changes_zone_limit"
FILTER_KEYS = {"zone": "_changes_zone", "provinces": "_changes_provinces", "kinds": "_changes_kinds"}
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
    moves_counts: dict[str, int]  # ``metrics.movement_counts`` of ``movements``: the header counts what the table lists
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


def changes_page_views(old: Dataset, new: Dataset) -> ChangeViews | None:
    """Everything the page draws for ``old`` → ``new``; None when either version fails verification."""
    diff = cached.version_diff(old.info, new.info)
    if diff is None:
        return None
    lookup = pd.concat([old.zones, new.zones])[["zone_id", "short_name", "name", "province"]]
    lookup = lookup.drop_duplicates("zone_id", keep="last").set_index("zone_id")  # the newer names win
    province = lookup["province"].to_dict()
    lookup["search"] = (lookup.index + "\n" + lookup["short_name"].fillna("") + "\n" + lookup["name"].fillna("")).str.lower()

    items = pd.DataFrame(
        [(i.zone_id or PROGRAMME_GROUP, i.zone_id, i.zone_name, province.get(i.zone_id, ""), i.kind, i.importance, i.detail,
          i.milestone_id) for i in diff.summary],
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
            "table": frame["table"], "key": frame["key"], "zone": zone_ids.map(lambda z: names.get(z, PROGRAMME_NAME if not z else z)),
            "column": frame["column"], "old": frame["old"].map(_cell_text), "new": frame["new"].map(_cell_text),
            "zone_id": zone_ids,
        })
        added, removed = diff.rows_added[name], diff.rows_removed[name]
        keys = [*added, *removed]
        rows[name] = pd.DataFrame({
            "row": keys, "change": ["added"] * len(added) + ["removed"] * len(removed),
            "zone_id": [(zone_of.get(k, "") if zone_of is not None else k) for k in keys],
        })
    moves = metrics.milestone_movements(old, new)
    movements = pd.DataFrame({
        "Change": moves["movement"].map(metrics.MOVEMENTS),
        "Zone": moves["zone"],
        "Milestone": moves["title"],
        "Timing": moves["days"].map(lambda d: vocabulary.lateness_text(None if pd.isna(d) else int(d))).where(
            moves["movement"].isin([*vocabulary.COMPLETED, vocabulary.NEWLY_OVERDUE]), "—"),
        "Due before": moves["old_due"].map(_date_text),
        "Due now": moves["new_due"].map(_date_text),
        "Moved by": moves["shift_days"].map(_days_text),
        "Done on": moves["done_date"].map(_date_text),
        "zone_id": moves["zone_id"].fillna("").astype(str),
        "milestone_id": moves["milestone_id"],
    })
    counts = items["kind"].value_counts().to_dict()
    return ChangeViews(
        items=items,
        order=_zone_order(items),
        zones=lookup,
        known=frozenset(new.zones["zone_id"]),
        movements=movements,
        moves_counts=metrics.movement_counts(moves),
        cells=cells,
        rows=rows,
        kinds={k: counts[k] for k in IMPORTANCE if k in counts},
        provinces=sorted(set(lookup["province"].dropna())),
    )


def _zone_order(items: pd.DataFrame) -> pd.DataFrame:
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
    return f"{vocabulary.days_text(int(days))} {'later' if int(days) > 0 else 'earlier'}"


def _date_text(date: object) -> str:
    return "—" if pd.isna(date) else pd.Timestamp(date).strftime("%Y-%m-%d")


def _cell_text(value: object) -> str:
    """A stored value as text for the table: empty for an empty cell, 30 rather than 30.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- the page ----------------------------------------------------------------------------------


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


def version_pickers(ctx: context.PageContext, older: VersionInfo | None) -> None:
    """The two pickers: "compare from" writes ``?compare=``, "to" is the shared version picker."""
    options = [v.id for v in reversed(ctx.versions)]
    labels = {v.id: f"{v.id} · {v.label} · {v.as_of}" for v in ctx.versions}
    latest = ctx.latest.id if ctx.latest else None

    def on_from() -> None:
        st.query_params["compare"] = st.session_state["_changes_from"]
        st.session_state.pop(AUTO_COMPARE_KEY, None)  # a person's choice: keep it when "to" changes

    def on_to() -> None:
        context.show_version(st.session_state["_changes_to"], latest)

    # Widgets follow the URL (set their state, no index): a deep link must win over old state.
    st.session_state["_changes_from"] = older.id if older else ctx.info.id
    st.session_state["_changes_to"] = ctx.info.id
    left, right = st.columns(2)
    left.selectbox("Compare from (older version)", options, format_func=labels.get, key="_changes_from", on_change=on_from)
    right.selectbox("to (newer version)", options, format_func=labels.get, key="_changes_to", on_change=on_to)


def _plural(n: int, word: str) -> str:
    return f"**{n:,}** {word}{'s' if n != 1 else ''}"


def counts(diff: VersionDiff, views: ChangeViews) -> None:
    """The size of the change in one line (a row of tiles would truncate its labels on a projector)."""
    st.markdown(
        f"{_plural(views.zones_changed, 'zone')} changed · **{len(diff.cell_changes):,}** cells changed · "
        f"**{len(diff.zones_added):,}** zones added, **{len(diff.zones_removed):,}** removed · "
        f"{_plural(views.moves_counts['completed'], 'milestone')} completed, **{views.moves_counts['slipped']:,}** slipped, "
        f"**{views.moves_counts['newly_overdue']:,}** newly overdue, **{views.moves_counts['cancelled']:,}** cancelled"
    )


def downloads(diff: VersionDiff, views: ChangeViews) -> None:
    """Every change, whatever the page shows: each file is built when its button is clicked."""
    pair = f"{diff.old.id}_{diff.new.id}"
    buttons = [
        ("⬇️ Changes (CSV)", "summary", f"changes_{pair}.csv", "text/csv",
         f"All {len(diff.summary):,} lines of the summary: zone, province, kind of change and the change in words."),
        ("⬇️ Changed cells (CSV)", "cells", f"changed-cells_{pair}.csv", "text/csv",
         f"All {len(diff.cell_changes):,} changed cells: table, key, column, value before and after, and the zone."),
        ("⬇️ Milestone moves (CSV)", "moves", f"milestone-moves_{pair}.csv", "text/csv",
         f"All {len(views.movements):,} milestones completed, slipped, newly overdue, brought forward or cancelled."),
        ("⬇️ Everything (JSON)", "json", f"changes_{pair}.json", "application/json",
         "The summary, every changed cell and the rows added or removed, as the command `sez_metrics diff --json` gives them."),
    ]
    with st.container(horizontal=True):
        for label, name, file_name, mime, help_text in buttons:
            data = (lambda: diff_json(diff)) if name == "json" else (lambda name=name: views.file(name))
            st.download_button(label, data=data, file_name=file_name, mime=mime,
                               on_click="ignore", help=help_text, key=f"_changes_download_{name}")


def filters(views: ChangeViews) -> Filters:
    """Zone (name or id), province and kind of change."""
    provinces = views.provinces
    kinds = list(views.kinds)
    # A choice that this pair of versions does not offer is dropped (a widget refuses unknown values).
    for key, options in ((FILTER_KEYS["provinces"], provinces), (FILTER_KEYS["kinds"], kinds)):
        if key in st.session_state:
            st.session_state[key] = [v for v in st.session_state[key] if v in options]
    left, middle, right = st.columns([2, 2, 3])
    text = left.text_input("Zone", key=FILTER_KEYS["zone"], placeholder="name or id contains …",
                           help="Shows the zones whose name or id contains this text.")
    chosen_provinces = middle.multiselect("Province", provinces, key=FILTER_KEYS["provinces"], placeholder="every province")
    chosen_kinds = right.multiselect(
        "Kind of change", kinds, key=FILTER_KEYS["kinds"], placeholder="every kind",
        format_func=lambda k: f"{KIND_SYMBOLS.get(k, '•')} {KIND_LABELS.get(k, k)} ({views.kinds[k]:,})",
    )
    query = text.strip().lower()
    zone_ids: frozenset[str] | None = None
    if query or chosen_provinces:
        zones = views.zones
        mask = pd.Series(True, index=zones.index)
        if query:
            mask &= zones["search"].str.contains(query, regex=False)
        if chosen_provinces:
            mask &= zones["province"].isin(chosen_provinces)
        zone_ids = frozenset(zones.index[mask])
        if query and not chosen_provinces and query in PROGRAMME_NAME.lower():
            zone_ids |= {PROGRAMME_GROUP}
    chosen = Filters(text.strip(), tuple(chosen_provinces), tuple(chosen_kinds), zone_ids)
    if chosen.active:
        st.caption("Zone and province narrow every section below; the kind of change narrows the summary.")
    return chosen


def _zone_limit(signature: tuple) -> int:
    """How many zones the summary shows: ``ZONES_SHOWN``, more after "Show more", reset by new filters."""
    saved = st.session_state.get(ZONE_LIMIT_KEY)
    if not saved or saved[0] != signature:
        st.session_state[ZONE_LIMIT_KEY] = (signature, ZONES_SHOWN)
    return st.session_state[ZONE_LIMIT_KEY][1]


def _show_more() -> None:
    signature, limit = st.session_state[ZONE_LIMIT_KEY]
    st.session_state[ZONE_LIMIT_KEY] = (signature, limit + ZONES_SHOWN)


def zone_sections(diff: VersionDiff, views: ChangeViews, chosen: Filters, version: str | None) -> None:
    """One expander per zone, the zone with the most important change first; ``ZONES_SHOWN`` at a time."""
    items, order = views.items, views.order
    if chosen.active:
        mask = chosen.zone_mask(items["group"])
        if chosen.kinds:
            mask &= items["kind"].isin(chosen.kinds)
        items = items[mask]
        order = _zone_order(items)
    if order.empty:
        st.info("No change matches the filters.", icon="🔎")
        return
    # Plain values: the page's classes are redefined on every run, so their instances never compare equal across runs.
    limit = _zone_limit((diff.old.id, diff.new.id, chosen.text, chosen.provinces, chosen.kinds))
    shown = order.head(limit)
    zones_total, lines_total = int((order.index != PROGRAMME_GROUP).sum()), len(items)
    if len(shown) < len(order) or chosen.active:
        zones = f"{zones_total:,} zone{'s' if zones_total != 1 else ''}" + (" and the programme" if PROGRAMME_GROUP in order.index else "")
        st.caption(
            f"Showing {len(shown):,} of {zones} {'matching the filters' if chosen.active else 'changed'} · "
            f"{int(shown['n'].sum()):,} of {lines_total:,} changes"
            + (f" ({len(diff.summary):,} in all)" if chosen.active else "")
            + (". Narrow them with the filters above, show more below, or download them all." if len(shown) < len(order) else ".")
        )
    lines: dict[str, list[tuple[str, str]]] = {}
    for group, kind, detail in items.loc[items["group"].isin(shown.index), ["group", "kind", "detail"]].itertuples(index=False):
        lines.setdefault(group, []).append((kind, detail))
    for group, row in shown.iterrows():
        zone_lines = lines[group]
        label = f"{row['zone']} — {len(zone_lines)} change{'s' if len(zone_lines) != 1 else ''}"
        with st.expander(md_escape(label), expanded=row["top"] <= EXPAND_IMPORTANCE):
            body = "\n".join(_bullet(kind, detail) for kind, detail in zone_lines[:LINES_PER_ZONE])
            st.markdown(body)
            if len(zone_lines) > LINES_PER_ZONE:
                st.caption(f"… and {len(zone_lines) - LINES_PER_ZONE:,} more changes of this zone: in the download (CSV).")
            if group != PROGRAMME_GROUP and group in views.known:
                widgets.zone_link(group, f"Open {row['zone']}", version)
    if len(shown) < len(order):
        more = min(ZONES_SHOWN, len(order) - len(shown))
        st.button(f"Show {more} more zone{'s' if more != 1 else ''}", on_click=_show_more, key="_changes_more", icon="⏬")


def _bullet(kind: str, detail: str) -> str:
    return f"- {KIND_SYMBOLS.get(kind, '•')} {md_escape(detail)}"


def movements_table(views: ChangeViews, chosen: Filters) -> None:
    moves = views.movements
    if chosen.zone_ids is not None:
        moves = moves[chosen.zone_mask(moves["zone_id"])]
    if moves.empty:
        st.caption("No milestone of the zones chosen was completed, cancelled, moved or fell overdue.")
        return
    if len(moves) > MOVEMENT_ROWS:
        st.caption(f"Showing the first {MOVEMENT_ROWS:,} of {len(moves):,}: completed first, then the largest moves. "
                   "Filter by zone or province, or download them all.")
    st.dataframe(
        moves.head(MOVEMENT_ROWS).drop(columns=["zone_id", "milestone_id"]),
        hide_index=True,
        width="stretch",
        column_config={
            "Moved by": st.column_config.TextColumn(help="How far the due date moved, later or earlier."),
            "Timing": st.column_config.TextColumn(
                help="Completed: done date against the date committed before (late, early or on time). Now overdue: "
                     "days late at the newer version's as-of date."),
        },
    )


def cell_tables(views: ChangeViews, chosen: Filters) -> None:
    """Cell-level changes per table, then rows added and removed; ``CELL_ROWS`` at most each."""
    frames, rows = {}, {}
    for name in TABLE_TITLES:
        frames[name], rows[name] = views.cells[name], views.rows[name]
        if chosen.zone_ids is not None:
            frames[name] = frames[name][chosen.zone_mask(frames[name]["zone_id"])]
            rows[name] = rows[name][chosen.zone_mask(rows[name]["zone_id"])]
    totals = {name: len(views.cells[name]) for name in TABLE_TITLES}

    def title(name: str) -> str:
        shown = len(frames[name])
        return f"{TABLE_TITLES[name]} ({shown:,}" + (f" of {totals[name]:,})" if shown != totals[name] else ")")

    tabs = st.tabs([title(name) for name in TABLE_TITLES])
    for tab, name in zip(tabs, TABLE_TITLES, strict=True):
        with tab:
            frame = frames[name]
            file_name = schema.TABLES[name].file_name
            if frame.empty:
                st.caption(f"No cell of {file_name} changed" + (" in the zones chosen." if chosen.zone_ids is not None else "."))
            else:
                if len(frame) > CELL_ROWS:
                    st.caption(f"Showing the first {CELL_ROWS:,} of {len(frame):,} changed cells of {file_name}. "
                               "Filter by zone or province, or download every changed cell.")
                st.dataframe(frame.head(CELL_ROWS).drop(columns="zone_id"), hide_index=True, width="stretch")
            added_removed = rows[name]
            if not added_removed.empty:
                if len(added_removed) > CELL_ROWS:
                    st.caption(f"Showing the first {CELL_ROWS:,} of {len(added_removed):,} rows added or removed; "
                               "the JSON download lists them all.")
                st.dataframe(added_removed.head(CELL_ROWS).drop(columns="zone_id"), hide_index=True)


def describe(info: VersionInfo) -> str:
    return f"**{md_escape(info.label)}** \\({md_escape(info.id)}, as of {md_escape(info.as_of)}\\)"


def comparison(ctx: context.PageContext, older: VersionInfo) -> None:
    """Everything that changed from ``older`` to the version shown."""
    newer = ctx.info
    st.markdown(f"#### From {describe(older)} to {describe(newer)}")
    order = [v.id for v in ctx.versions]
    if order.index(older.id) > order.index(newer.id):
        st.info("“Compare from” is newer than “to”: the changes below run backwards in time.", icon="↩️")
    diff = cached.version_diff(older, newer)
    old_dataset = cached.load_exact(older.id)
    views = cached.shared(changes_page_views, old_dataset, ctx.dataset) if diff is not None and old_dataset is not None else None
    if views is None:
        st.error(f"Version {md_escape(older.id)} fails verification, so it cannot be compared. Run `verify` on the store.", icon="🚫")
        return
    counts(diff, views)
    if diff.is_empty:
        st.info("Nothing changed between these versions.", icon="ℹ️")
        return
    downloads(diff, views)
    chosen = filters(views)

    st.subheader("Summary by zone")
    if not diff.summary:
        st.info("No change to summarise: only the as-of dates of the figures moved (see the cell-level changes).", icon="ℹ️")
    else:
        st.caption("Most important change first: zones added or removed, stage, utilities, colonization, then milestones.")
        zone_sections(diff, views, chosen, ctx.pinned_version)

    st.subheader("Milestones completed, slipped or newly overdue")
    if views.movements.empty:
        st.caption("No milestone was completed, cancelled, moved or fell overdue between these versions.")
    else:
        movements_table(views, chosen)

    st.subheader("Cell-level changes")
    st.caption("Every changed cell, keyed by zone_id or milestone_id; values as stored in the CSV files.")
    cell_tables(views, chosen)


ctx = context.page_context("Changes", "🔁")
newer = ctx.info
requested = st.query_params.get("compare")
defaulted = st.session_state.get(AUTO_COMPARE_KEY)
if requested and defaulted and requested == defaulted[1] and defaulted[0] != newer.id:
    # The page chose that "compare" itself for another version: follow the version now shown.
    requested = None
older = ctx.version_info(requested) if requested else None
if requested and older is None:
    st.warning(f"There is no version {md_echo(requested)}; comparing with the version before instead.", icon="⚠️")
if older is None:
    older = ctx.previous_of(newer.id)
    st.session_state[AUTO_COMPARE_KEY] = (newer.id, older.id if older else None)
if older is not None:
    st.query_params["compare"] = older.id

version_pickers(ctx, older)
if older is None:
    st.info(
        f"{describe(newer)} is the first version: there is nothing earlier to compare it with. "
        "Choose a later version under “to”.",
        icon="ℹ️",
    )
elif older.id == newer.id:
    st.info(
        f"Both sides are the same version, {describe(newer)}: nothing to compare. "
        "Choose an earlier version under “Compare from”.",
        icon="ℹ️",
    )
else:
    comparison(ctx, older)
