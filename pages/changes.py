"""Changes (`/changes?version=NEW&compare=OLD`): what changed between two dataset versions.

``version`` is the newer side (the picker shared by every page), ``compare`` the older side
(default: the version before it). Both pickers write the URL, so the view is a deep link.

A large update (thousands of zones) is shown in bounded portions: the zones with the most
important changes first ("Show more" adds zones), milestone moves and changed cells up to a row
limit, filters by zone, province and kind of change, and downloads of every change. What the
page shows (``sez_metrics.views.changes``) is computed once per pair of versions and shared by
every session.
"""

from __future__ import annotations

import streamlit as st

from sez_metrics.app import cached, context, widgets
from sez_metrics.core import schema
from sez_metrics.core.dataset import Dataset, VersionInfo
from sez_metrics.core.text import md_echo, md_escape
from sez_metrics.views import changes as view
from sez_metrics.views.changes import ChangeViews, Filters, describe

# (version, compare) the page defaulted to, so that a default follows when the version changes.
AUTO_COMPARE_KEY = "_changes_auto_compare"
ZONE_LIMIT_KEY = "_changes_zone_limit"
FILTER_KEYS = {"zone": "_changes_zone", "provinces": "_changes_provinces", "kinds": "_changes_kinds"}


def changes_page_views(old: Dataset, new: Dataset) -> ChangeViews | None:
    """Everything the page draws for ``old`` → ``new``; None when either version fails verification."""
    diff = cached.version_diff(old.info, new.info)
    return None if diff is None else view.change_views(old, new, diff)


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


def downloads(diff, views: ChangeViews) -> None:
    """Every change, whatever the page shows: each file is built when its button is clicked."""
    with st.container(horizontal=True):
        for button in view.downloads(diff, views):
            data = (lambda: view.diff_json(diff)) if button.name == "json" else (lambda name=button.name: views.file(name))
            st.download_button(button.label, data=data, file_name=button.file_name, mime=button.mime,
                               on_click="ignore", help=button.help, key=f"_changes_download_{button.name}")


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
    chosen_kinds = right.multiselect("Kind of change", kinds, key=FILTER_KEYS["kinds"], placeholder="every kind",
                                     format_func=lambda k: view.kind_option(views, k))
    chosen = view.choose(views, text, chosen_provinces, chosen_kinds)
    if chosen.active:
        st.caption("Zone and province narrow every section below; the kind of change narrows the summary.")
    return chosen


def _zone_limit(signature: tuple) -> int:
    """How many zones the summary shows: ``ZONES_SHOWN``, more after "Show more", reset by new filters."""
    saved = st.session_state.get(ZONE_LIMIT_KEY)
    if not saved or saved[0] != signature:
        st.session_state[ZONE_LIMIT_KEY] = (signature, view.ZONES_SHOWN)
    return st.session_state[ZONE_LIMIT_KEY][1]


def _show_more() -> None:
    signature, limit = st.session_state[ZONE_LIMIT_KEY]
    st.session_state[ZONE_LIMIT_KEY] = (signature, limit + view.ZONES_SHOWN)


def zone_sections(diff, views: ChangeViews, chosen: Filters, version: str | None) -> None:
    """One expander per zone, the zone with the most important change first; ``ZONES_SHOWN`` at a time."""
    # Plain values: the page's classes are redefined on every run, so their instances never compare equal across runs.
    limit = _zone_limit((diff.old.id, diff.new.id, chosen.text, chosen.provinces, chosen.kinds))
    shown = view.summary(diff, views, chosen, limit)
    if shown is None:
        st.info("No change matches the filters.", icon="🔎")
        return
    if shown.caption:
        st.caption(shown.caption)
    for section in shown.sections:
        with st.expander(section.title, expanded=section.expanded):
            st.markdown(section.markdown)
            if section.more:
                st.caption(f"… and {section.more:,} more changes of this zone: in the download (CSV).")
            if section.link:
                widgets.zone_link(section.group, f"Open {section.zone}", version)
    if shown.remaining:
        more = shown.more
        st.button(f"Show {more} more zone{'s' if more != 1 else ''}", on_click=_show_more, key="_changes_more", icon="⏬")


def movements_table(views: ChangeViews, chosen: Filters) -> None:
    moves = view.movements(views, chosen)
    if moves.empty:
        st.caption("No milestone of the zones chosen was completed, cancelled, moved or fell overdue.")
        return
    if len(moves) > view.MOVEMENT_ROWS:
        st.caption(f"Showing the first {view.MOVEMENT_ROWS:,} of {len(moves):,}: completed first, then the largest moves. "
                   "Filter by zone or province, or download them all.")
    st.dataframe(
        moves.head(view.MOVEMENT_ROWS).drop(columns=["zone_id", "milestone_id"]),
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
    tables = view.cell_tables(views, chosen)
    limit = view.CELL_ROWS
    for tab, table in zip(st.tabs([t.title for t in tables]), tables, strict=True):
        with tab:
            frame = table.cells
            file_name = schema.TABLES[table.name].file_name
            if frame.empty:
                st.caption(f"No cell of {file_name} changed" + (" in the zones chosen." if chosen.zone_ids is not None else "."))
            else:
                if len(frame) > limit:
                    st.caption(f"Showing the first {limit:,} of {len(frame):,} changed cells of {file_name}. "
                               "Filter by zone or province, or download every changed cell.")
                st.dataframe(frame.head(limit).drop(columns="zone_id"), hide_index=True, width="stretch")
            added_removed = table.rows
            if not added_removed.empty:
                if len(added_removed) > limit:
                    st.caption(f"Showing the first {limit:,} of {len(added_removed):,} rows added or removed; "
                               "the JSON download lists them all.")
                st.dataframe(added_removed.head(limit).drop(columns="zone_id"), hide_index=True)


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
    st.markdown(view.counts_line(diff, views))
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
# A "compare" the page chose itself for another version follows the version now shown.
honoured = view.compare_request(requested, st.session_state.get(AUTO_COMPARE_KEY), newer.id)
older = ctx.version_info(honoured) if honoured else None
if honoured and older is None:
    st.warning(f"There is no version {md_echo(honoured)}; comparing with the version before instead.", icon="⚠️")
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
