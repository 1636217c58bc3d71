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
from sez_metrics.core import i18n, schema
from sez_metrics.core.change_summary import TABLE_NAMES
from sez_metrics.core.dataset import Dataset, VersionInfo
from sez_metrics.core.i18n import N_, _, ngettext
from sez_metrics.core.text import md_echo, md_escape
from sez_metrics.views import changes as view
from sez_metrics.views.changes import ChangeViews, Filters, describe

# (version, compare) the page defaulted to, so that a default follows when the version changes.
AUTO_COMPARE_KEY = "_changes_auto_compare"
ZONE_LIMIT_KEY = "_changes_zone_limit"
FILTER_KEYS = {"zone": "_changes_zone", "provinces": "_changes_provinces", "kinds": "_changes_kinds"}


def changes_page_views(old: Dataset, new: Dataset, lang: str) -> ChangeViews | None:
    """Everything the page draws for ``old`` → ``new`` in language ``lang`` (the current one); None when either
    version fails verification."""
    diff = cached.version_diff(old.info, new.info)
    return None if diff is None else view.change_views(old, new, diff)  # in the language of the first run asking: keyed by it


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
    left.selectbox(_("Compare from (older version)"), options, format_func=labels.get, key="_changes_from", on_change=on_from)
    right.selectbox(_("to (newer version)"), options, format_func=labels.get, key="_changes_to", on_change=on_to)


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
    text = left.text_input(_("Zone"), key=FILTER_KEYS["zone"], placeholder=_("name or id contains …"),
                           help=_("Shows the zones whose name or id contains this text."))
    chosen_provinces = middle.multiselect(_("Province"), provinces, key=FILTER_KEYS["provinces"], placeholder=_("every province"))
    chosen_kinds = right.multiselect(_("Kind of change"), kinds, key=FILTER_KEYS["kinds"], placeholder=_("every kind"),
                                     format_func=lambda k: view.kind_option(views, k))
    chosen = view.choose(views, text, chosen_provinces, chosen_kinds)
    if chosen.active:
        st.caption(_("Zone and province narrow every section below; the kind of change narrows the summary."))
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
        st.info(_("No change matches the filters."), icon="🔎")
        return
    if shown.caption:
        st.caption(shown.caption)
    for section in shown.sections:
        with st.expander(section.title, expanded=section.expanded):
            st.markdown(section.markdown)
            if section.more:
                st.caption(_("… and {n} more changes of this zone: in the download (CSV).").format(n=i18n.number(section.more, 0)))
            if section.link:
                widgets.zone_link(section.group, _("Open {zone}").format(zone=section.zone), version)
    if shown.remaining:
        more = shown.more
        st.button(ngettext("Show {n} more zone", "Show {n} more zones", more).format(n=i18n.number(more, 0)),
                  on_click=_show_more, key="_changes_more", icon="⏬")


def movements_table(views: ChangeViews, chosen: Filters) -> None:
    moves = view.movements(views, chosen)
    if moves.empty:
        st.caption(_("No milestone of the zones chosen was completed, cancelled, moved or fell overdue."))
        return
    if len(moves) > view.MOVEMENT_ROWS:
        st.caption(_("Showing the first {shown} of {total}: completed first, then the largest moves. "
                     "Filter by zone or province, or download them all.").format(
            shown=i18n.number(view.MOVEMENT_ROWS, 0), total=i18n.number(len(moves), 0)))
    st.dataframe(
        moves.head(view.MOVEMENT_ROWS).drop(columns=["zone_id", "milestone_id"]),
        hide_index=True,
        width="stretch",
        column_config={
            _(view.MOVED_BY): st.column_config.TextColumn(help=_("How far the due date moved, later or earlier.")),
            _(view.TIMING): st.column_config.TextColumn(
                help=_("Completed: done date against the date committed before (late, early or on time). Now overdue: "
                       "days late at the newer version's as-of date.")),
        },
    )


# Headers of the cell-level tables, in the words of the page (the CSV download keeps the column names).
CELL_HEADERS = {"table": N_("table"), "key": N_("key"), "zone": N_("zone"), "column": N_("column"), "old": N_("old"),
                "new": N_("new"), "row": N_("row"), "change": N_("change")}


def cell_frame(frame):
    """A cell-level table with its headers and table names in the current language."""
    if "table" in frame.columns:
        frame = frame.assign(table=frame["table"].map(lambda t: _(TABLE_NAMES.get(t, t))))
    return frame.rename(columns={c: _(CELL_HEADERS[c]) for c in frame.columns if c in CELL_HEADERS})


def cell_tables(views: ChangeViews, chosen: Filters) -> None:
    """Cell-level changes per table, then rows added and removed; ``CELL_ROWS`` at most each."""
    tables = view.cell_tables(views, chosen)
    limit = view.CELL_ROWS
    for tab, table in zip(st.tabs([t.title for t in tables]), tables, strict=True):
        with tab:
            frame = table.cells
            file_name = schema.TABLES[table.name].file_name
            if frame.empty:
                if chosen.zone_ids is not None:
                    st.caption(_("No cell of {file} changed in the zones chosen.").format(file=file_name))
                else:
                    st.caption(_("No cell of {file} changed.").format(file=file_name))
            else:
                if len(frame) > limit:
                    st.caption(_("Showing the first {shown} of {total} changed cells of {file}. "
                                 "Filter by zone or province, or download every changed cell.").format(
                        shown=i18n.number(limit, 0), total=i18n.number(len(frame), 0), file=file_name))
                st.dataframe(cell_frame(frame.head(limit).drop(columns="zone_id")), hide_index=True, width="stretch")
            added_removed = table.rows
            if not added_removed.empty:
                if len(added_removed) > limit:
                    st.caption(_("Showing the first {shown} of {total} rows added or removed; "
                                 "the JSON download lists them all.").format(
                        shown=i18n.number(limit, 0), total=i18n.number(len(added_removed), 0)))
                st.dataframe(cell_frame(added_removed.head(limit).drop(columns="zone_id")), hide_index=True)


def comparison(ctx: context.PageContext, older: VersionInfo) -> None:
    """Everything that changed from ``older`` to the version shown."""
    newer = ctx.info
    st.markdown("#### " + _("From {older} to {newer}").format(older=describe(older), newer=describe(newer)))
    order = [v.id for v in ctx.versions]
    if order.index(older.id) > order.index(newer.id):
        st.info(_("“Compare from” is newer than “to”: the changes below run backwards in time."), icon="↩️")
    diff = cached.version_diff(older, newer)
    old_dataset = cached.load_exact(older.id)
    views = cached.shared(changes_page_views, old_dataset, ctx.dataset, args=(i18n.current().code,)) if diff is not None and old_dataset is not None else None
    if views is None:
        st.error(_("Version {version} fails verification, so it cannot be compared. Run `verify` on the store.").format(
            version=md_escape(older.id)), icon="🚫")
        return
    st.markdown(view.counts_line(diff, views))
    if diff.is_empty:
        st.info(_("Nothing changed between these versions."), icon="ℹ️")
        return
    downloads(diff, views)
    chosen = filters(views)

    st.subheader(_("Summary by zone"))
    if not diff.summary:
        st.info(_("No change to summarise: only the as-of dates of the figures moved (see the cell-level changes)."), icon="ℹ️")
    else:
        st.caption(_("Most important change first: zones added or removed, stage, utilities, colonization, then milestones."))
        zone_sections(diff, views, chosen, ctx.pinned_version)

    st.subheader(_("Milestones completed, slipped or newly overdue"))
    if views.movements.empty:
        st.caption(_("No milestone was completed, cancelled, moved or fell overdue between these versions."))
    else:
        movements_table(views, chosen)

    st.subheader(_("Cell-level changes"))
    st.caption(_("Every changed cell, keyed by zone_id or milestone_id; values as stored in the CSV files."))
    cell_tables(views, chosen)


ctx = context.page_context(N_("Changes"), "🔁")
newer = ctx.info
requested = st.query_params.get("compare")
# A "compare" the page chose itself for another version follows the version now shown.
honoured = view.compare_request(requested, st.session_state.get(AUTO_COMPARE_KEY), newer.id)
older = ctx.version_info(honoured) if honoured else None
if honoured and older is None:
    st.warning(_("There is no version {version}; comparing with the version before instead.").format(version=md_echo(honoured)),
               icon="⚠️")
if older is None:
    older = ctx.previous_of(newer.id)
    st.session_state[AUTO_COMPARE_KEY] = (newer.id, older.id if older else None)
if older is not None:
    st.query_params["compare"] = older.id

version_pickers(ctx, older)
if older is None:
    st.info(
        _("{version} is the first version: there is nothing earlier to compare it with. "
          "Choose a later version under “to”.").format(version=describe(newer)),
        icon="ℹ️",
    )
elif older.id == newer.id:
    st.info(
        _("Both sides are the same version, {version}: nothing to compare. "
          "Choose an earlier version under “Compare from”.").format(version=describe(newer)),
        icon="ℹ️",
    )
else:
    comparison(ctx, older)
