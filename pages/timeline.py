"""Timeline (`/timeline`): every zone's phases and milestones, programme events, and what slipped.

What depends only on the version and the reference date (slip states, the slippage table, the
first commitments) is computed once per process and shared by every session; what depends on the
filters (the rows kept, the chart) once per filter. A rerun then costs cache lookups and drawing.

URL: ``zone=`` (repeatable or a comma list of zone ids), ``category=``, ``status=`` (likewise),
``programme=0`` hides programme-level events; ``to=today`` (the sidebar's shared reference date
control) counts days late up to today instead of the data's as-of date.
"""

import functools

import pandas as pd
import streamlit as st

from sez_metrics.app import cached, context, widgets
from sez_metrics.core import i18n, schema, timeline, vocabulary
from sez_metrics.core.i18n import _
from sez_metrics.core.text import md_echo, md_escape
from sez_metrics.views import timeline as view_model

PLOTLY_CONFIG = {"displaylogo": False}
# widget key → URL parameter, for the multi-value filters.
FILTER_PARAMS = {"tl_zones": "zone", "tl_categories": "category", "tl_statuses": "status"}
ctx = context.page_context("Timeline", "📅")
dataset = ctx.dataset
zones = dataset.zones
names = dict(zip(zones["zone_id"], (i18n.data_text(z, "short_name") for z in zones.to_dict("records")), strict=True))
reference = ctx.reference
today = pd.Timestamp.today().normalize()


# --- filters: read from the URL, written back when a widget changes --------------------------


def _list_to_url(key: str) -> None:
    values = st.session_state[key]
    if values:
        st.query_params[FILTER_PARAMS[key]] = ",".join(values)
    else:
        st.query_params.pop(FILTER_PARAMS[key], None)


def _programme_to_url() -> None:
    if st.session_state["tl_programme"]:
        st.query_params.pop("programme", None)
    else:
        st.query_params["programme"] = "0"


allowed = {
    "tl_zones": list(names),
    "tl_categories": list(schema.MILESTONE_CATEGORY.values),
    "tl_statuses": list(schema.MILESTONE_STATUS.values),
}
for key, param in FILTER_PARAMS.items():
    known, unknown = timeline.parse_multi(st.query_params.get_all(param), allowed[key])
    if unknown:
        st.warning(_("Ignored unknown {parameter} value(s) in the link: {values}.").format(parameter=param, values=md_echo(", ".join(unknown))))
    st.session_state[key] = known
st.session_state["tl_programme"] = st.query_params.get("programme", "1") != "0"

columns = st.columns([3, 2, 2])
columns[0].multiselect(
    _("Zones"), allowed["tl_zones"], format_func=names.get, key="tl_zones", on_change=_list_to_url, args=("tl_zones",),
    placeholder=_("All zones"),
)
columns[1].multiselect(
    _("Category"), allowed["tl_categories"], format_func=schema.MILESTONE_CATEGORY.label, key="tl_categories",
    on_change=_list_to_url, args=("tl_categories",), placeholder=_("All categories"),
)
columns[2].multiselect(
    _("Status"), allowed["tl_statuses"], format_func=lambda c: vocabulary.coded_text(schema.MILESTONE_STATUS, c),
    key="tl_statuses", on_change=_list_to_url, args=("tl_statuses",), placeholder=_("All statuses"),
)
st.toggle(
    _("Programme events (JCC meetings, agreements)"), key="tl_programme", on_change=_programme_to_url,
    help=_("Programme-level items have no zone; they stay visible whatever zones are chosen."),
)

chosen = timeline.TimelineFilter(
    zones=tuple(st.session_state["tl_zones"]),
    categories=tuple(st.session_state["tl_categories"]),
    statuses=tuple(st.session_state["tl_statuses"]),
    include_programme=st.session_state["tl_programme"],
)


# --- derived data, shared by every session (read-only) -----------------------------------------


def _slippage(ds, reference_day: str, history_key: str) -> pd.DataFrame:
    """The full slippage table of the version; ``history_key`` stands for its verified history."""
    items = cached.shared(view_model.assessed, ds, args=(reference_day,))
    return view_model.slippage(ds, items, cached.version_history(ds.info).extracts)


def _view(ds, reference_day: str, today_day: str, today_chosen: bool, chosen_key: tuple) -> view_model.View:
    items = cached.shared(view_model.assessed, ds, args=(reference_day,))
    return view_model.timeline_view(ds, items, timeline.TimelineFilter(*chosen_key), today_day, today_chosen)


reference_day = reference.iso
chosen_key = (chosen.zones, chosen.categories, chosen.statuses, chosen.include_programme)
view = cached.shared(_view, dataset, args=(reference_day, f"{today:%Y-%m-%d}", reference.is_today, chosen_key))

# --- the timeline -------------------------------------------------------------------------------

shown_count = len(view.positions)
late_count = view.late
tiles = st.columns(4)
tiles[0].metric(*view.shown_tile())
tiles[1].metric(_("⚠ Overdue"), i18n.number(view.counts.get("overdue", 0), 0),
                help=_("Open, and the committed date is before {reference}.").format(reference=reference.name))
tiles[2].metric(_("⏱ Done late"), i18n.number(view.counts.get("done_late", 0), 0), help=_("Done after the committed date."))
st.caption(_("Overdue and days late are counted to {reference} (choose the date in the sidebar).").format(
    reference=md_escape(reference.name)))
tiles[3].metric(_("⚠ Expected to slip"), i18n.number(view.counts.get("expected_late", 0), 0),
                help=_("Marked delayed before the committed date."))

if view.figure is None:
    st.info(_("No milestone matches these filters. Clear a filter to see more."))
else:
    if view.charted_zones is not None:
        st.info(_("The chart shows the {charted} zones with the most late items, of {n} zones; choose zones above to see others. "
                  "The slippage table below covers every zone.").format(charted=view.charted_zones, n=i18n.number(view.zone_count, 0)))
    st.plotly_chart(view.figure, config=PLOTLY_CONFIG, width="stretch",
                    alt=_("Timeline of {n} milestones and phases, {late} late; every item with its dates and days late is in the "
                          "Slippage table below.").format(n=i18n.number(shown_count, 0), late=i18n.number(late_count, 0)))
    st.caption(_(
        "One row per zone, plus the programme row; phases are bars from start to the committed end. Each item has one marker "
        "at its done date (or its committed date while open): ✓ done on time · ⏱ done late · ⚠ overdue / expected to slip · "
        "◑ in progress · ○ planned · ✗ cancelled. ◇ marks the committed date when it differs from the done date; dotted red "
        "lines show the slip. Grey dotted lines are JCC meetings and agreements."
    ))

# --- what slipped -----------------------------------------------------------------------------

st.subheader(_("Slippage"))
st.caption(_(
    "Most days late first: {days_late_at} for open items (\"Done or reference date\" is the done "
    "date, or that date while open; change it in the sidebar). "
    "\"Rescheduled by\" is how far the committed date has moved from the one first published; the CSV download "
    "also has that first date, and each item's kind and category."
).format(days_late_at=md_escape(reference.phrase())))
table = cached.shared(_slippage, dataset, args=(reference_day, cached.version_history(ctx.info).key))

rows = view.positions
if shown_count > view_model.TABLE_ROWS:
    if st.toggle(_("Show all {n} rows").format(n=i18n.number(shown_count, 0)), key="tl_all_rows",
                 help=_("Listing every row takes longer to load; the download below always has every row.")):
        st.caption(_("Listing all {n} items.").format(n=i18n.number(shown_count, 0)))
    else:
        rows = rows[:view_model.TABLE_ROWS]
        st.caption(_("Showing {shown} of {n} items. Narrow them with the filters above, show all, or download every row as CSV.").format(
            shown=i18n.number(len(rows), 0), n=i18n.number(shown_count, 0)))
listed = table.take(rows).reset_index(drop=True)
if len(listed) <= view_model.TABLE_ROWS:
    widgets.wrapped_slippage_table(listed, key="slippage")  # long milestone titles wrap, read in full
else:  # every row asked for: a sortable grid (a wrapped table of thousands of rows takes a browser a minute)
    st.dataframe(widgets.shown_columns(listed), hide_index=True, width="stretch", column_config=widgets.slippage_column_config())
if shown_count:
    st.download_button(
        _("⬇️ Slippage table, all {n} rows (CSV)").format(n=i18n.number(shown_count, 0)),
        # built when clicked: a CSV of tens of thousands of rows on every rerun would slow the page
        functools.partial(view_model.slippage_csv, table, view.positions),
        file_name=f"slippage_{ctx.info.id}.csv",
        mime="text/csv",
        on_click="ignore",
    )
if late_count:
    st.caption(_("⚠ {late} of {n} item(s) shown are late.").format(late=i18n.number(late_count, 0), n=i18n.number(shown_count, 0)))
