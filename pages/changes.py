"""Changes (`/changes?version=NEW&compare=OLD`): what changed between two dataset versions.

``version`` is the newer side (the picker shared by every page), ``compare`` the older side
(default: the version before it). Both pickers write the URL, so the view is a deep link.
"""

import pandas as pd
import streamlit as st

from sez_metrics import metrics, schema, ui
from sez_metrics.diff import ChangeItem, VersionDiff
from sez_metrics.store import Dataset, VersionInfo
from sez_metrics.text import md_escape, neutralise_formula

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
# Zones whose most important change ranks at least this high are opened by default.
EXPAND_IMPORTANCE = 3
# (version, compare) the page defaulted to, so that a default follows when the version changes.
AUTO_COMPARE_KEY = "_changes_auto_compare"
TABLE_TITLES = {"status": "Status", "milestones": "Milestones", "zones": "Zones"}


def version_pickers(ctx: ui.PageContext, older: VersionInfo | None) -> None:
    """The two pickers: "compare from" writes ``?compare=``, "to" is the shared version picker."""
    options = [v.id for v in reversed(ctx.versions)]
    labels = {v.id: f"{v.id} · {v.label} · {v.as_of}" for v in ctx.versions}
    latest = ctx.latest.id if ctx.latest else None

    def on_from() -> None:
        st.query_params["compare"] = st.session_state["_changes_from"]
        st.session_state.pop(AUTO_COMPARE_KEY, None)  # a person's choice: keep it when "to" changes

    def on_to() -> None:
        ui.show_version(st.session_state["_changes_to"], latest)

    # Widgets follow the URL (set their state, no index): a deep link must win over old state.
    st.session_state["_changes_from"] = older.id if older else ctx.info.id
    st.session_state["_changes_to"] = ctx.info.id
    left, right = st.columns(2)
    left.selectbox("Compare from (older version)", options, format_func=labels.get, key="_changes_from", on_change=on_from)
    right.selectbox("to (newer version)", options, format_func=labels.get, key="_changes_to", on_change=on_to)


def counts(diff: VersionDiff, movements: pd.DataFrame) -> None:
    """The size of the change in one line (a row of tiles would truncate its labels on a projector)."""
    done = int((movements["movement"] == "completed").sum())
    slipped = int((movements["movement"] == "slipped").sum())
    zones = len([z for z in diff.summary_by_zone() if z is not None])
    st.markdown(
        f"**{zones}** zone{'s' if zones != 1 else ''} changed · **{len(diff.cell_changes)}** cells changed · "
        f"**{len(diff.zones_added)}** zones added, **{len(diff.zones_removed)}** removed · "
        f"**{done}** milestone{'s' if done != 1 else ''} completed, **{slipped}** slipped"
    )


def zone_sections(diff: VersionDiff, newer: Dataset, version: str | None) -> None:
    """One expander per zone, the zone with the most important change first."""
    known = set(newer.zones["zone_id"])
    for zone_id, items in diff.summary_by_zone().items():
        name = items[0].zone_name
        top = min(i.importance for i in items)
        label = f"{name} — {len(items)} change{'s' if len(items) != 1 else ''}"
        with st.expander(md_escape(label), expanded=top <= EXPAND_IMPORTANCE):
            st.markdown("\n".join(_bullet(item) for item in items))
            if zone_id is not None and zone_id in known:
                ui.zone_link(zone_id, f"Open {name}", version)


def _bullet(item: ChangeItem) -> str:
    return f"- {KIND_SYMBOLS.get(item.kind, '•')} {md_escape(item.detail)}"


def movements_table(movements: pd.DataFrame) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                "Change": movements["movement"].map(metrics.MOVEMENTS),
                "Zone": movements["zone"],
                "Milestone": movements["title"],
                "Due before": movements["old_due"].map(_date_text),
                "Due now": movements["new_due"].map(_date_text),
                "Moved by": movements["shift_days"].map(_days_text),
                "Done on": movements["done_date"].map(_date_text),
                "Days late": movements["days_late"].map(_days_text),
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "Moved by": st.column_config.TextColumn(help="How far the due date moved (later is positive)."),
            "Days late": st.column_config.TextColumn(help="Done date minus the date committed before; negative: early."),
        },
    )


# A missing number or date reads "—": st.dataframe would show an empty cell as a grey "None".
def _days_text(days: object) -> str:
    return "—" if pd.isna(days) else f"{int(days)} days"


def _date_text(date: object) -> str:
    return "—" if pd.isna(date) else pd.Timestamp(date).strftime("%Y-%m-%d")


def _cell_text(value: object) -> str:
    """A stored value as text for the table: empty for an empty cell, 30 rather than 30.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def cell_tables(diff: VersionDiff) -> None:
    """Cell-level changes per table, then rows added and removed."""
    frame = diff.cell_changes_frame()
    frame["old"] = frame["old"].map(_cell_text)
    frame["new"] = frame["new"].map(_cell_text)
    cell_counts = diff.cell_counts()
    tabs = st.tabs([f"{TABLE_TITLES[name]} ({cell_counts[name]})" for name in TABLE_TITLES])
    for tab, name in zip(tabs, TABLE_TITLES, strict=True):
        with tab:
            rows = frame[frame["table"] == name]
            if rows.empty:
                st.caption(f"No cell of {schema.TABLES[name].file_name} changed.")
            else:
                st.dataframe(rows, hide_index=True, width="stretch")
            added, removed = diff.rows_added[name], diff.rows_removed[name]
            if added or removed:
                st.dataframe(
                    pd.DataFrame({"row": [*added, *removed], "change": ["added"] * len(added) + ["removed"] * len(removed)}),
                    hide_index=True,
                )
    st.download_button(
        "⬇️ Download the cell changes (CSV)",
        frame.map(neutralise_formula).to_csv(index=False).encode("utf-8"),
        file_name=f"changes_{diff.old.id}_{diff.new.id}.csv",
        mime="text/csv",
    )


def describe(info: VersionInfo) -> str:
    return f"**{md_escape(info.label)}** \\({md_escape(info.id)}, as of {md_escape(info.as_of)}\\)"


def comparison(ctx: ui.PageContext, older: VersionInfo) -> None:
    """Everything that changed from ``older`` to the version shown."""
    newer = ctx.info
    st.markdown(f"#### From {describe(older)} to {describe(newer)}")
    order = [v.id for v in ctx.versions]
    if order.index(older.id) > order.index(newer.id):
        st.info("“Compare from” is newer than “to”: the changes below run backwards in time.", icon="↩️")
    diff = ui.version_diff(older, newer)
    old_dataset = ui.load_exact(older.id)
    if diff is None or old_dataset is None:
        st.error(f"Version {md_escape(older.id)} fails verification, so it cannot be compared. Run `verify` on the store.", icon="🚫")
        return
    movements = ui.derived(metrics.milestone_movements, old_dataset, ctx.dataset)
    counts(diff, movements)

    st.subheader("Summary by zone")
    if not diff.summary:
        st.info("Nothing changed between these versions.", icon="ℹ️")
    else:
        st.caption("Most important change first: zones added or removed, stage, utilities, colonization, then milestones.")
        zone_sections(diff, ctx.dataset, ctx.pinned_version)

    st.subheader("Milestones completed or slipped")
    if movements.empty:
        st.caption("No milestone was completed, cancelled or moved between these versions.")
    else:
        movements_table(movements)

    st.subheader("Cell-level changes")
    st.caption("Every changed cell, keyed by zone_id or milestone_id; values as stored in the CSV files.")
    cell_tables(diff)


ctx = ui.page_context("Changes", "🔁")
newer = ctx.info
requested = st.query_params.get("compare")
defaulted = st.session_state.get(AUTO_COMPARE_KEY)
if requested and defaulted and requested == defaulted[1] and defaulted[0] != newer.id:
    # The page chose that "compare" itself for another version: follow the version now shown.
    requested = None
older = ctx.version_info(requested) if requested else None
if requested and older is None:
    st.warning(f"There is no version {md_escape(requested)}; comparing with the version before instead.", icon="⚠️")
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
