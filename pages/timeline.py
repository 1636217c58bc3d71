"""Timeline (`/timeline`): every zone's phases and milestones, programme events, and what slipped.

URL: ``zone=`` (repeatable or a comma list of zone ids), ``category=``, ``status=`` (likewise),
``programme=0`` hides programme-level events, ``to=asof`` counts days late up to the data's
as-of date instead of today.
"""

import pandas as pd
import streamlit as st

from sez_metrics import figures, schema, timeline, ui
from sez_metrics.text import md_escape

PLOTLY_CONFIG = {"displaylogo": False}
# widget key → URL parameter, for the multi-value filters.
FILTER_PARAMS = {"tl_zones": "zone", "tl_categories": "category", "tl_statuses": "status"}
# Without a zone filter, the chart draws at most this many zones (those with the most late items):
# thousands of swimlanes take minutes to lay out and cannot be read anyway.
MAX_CHART_ZONES = 25

ctx = ui.page_context("Timeline", "📅")
dataset = ctx.dataset
zones = dataset.zones
names = dict(zip(zones["zone_id"], zones["short_name"], strict=True))
today = pd.Timestamp.today().normalize()
as_of = pd.Timestamp(ctx.info.as_of)


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


def _reference_to_url() -> None:
    if st.session_state["tl_reference"] == "asof":
        st.query_params["to"] = "asof"
    else:
        st.query_params.pop("to", None)


allowed = {
    "tl_zones": list(names),
    "tl_categories": list(schema.MILESTONE_CATEGORY.values),
    "tl_statuses": list(schema.MILESTONE_STATUS.values),
}
for key, param in FILTER_PARAMS.items():
    known, unknown = timeline.parse_multi(st.query_params.get_all(param), allowed[key])
    if unknown:
        st.warning(f"Ignored unknown {param} value(s) in the link: {md_escape(', '.join(unknown))}.")
    st.session_state[key] = known
st.session_state["tl_programme"] = st.query_params.get("programme", "1") != "0"
st.session_state["tl_reference"] = "asof" if st.query_params.get("to") == "asof" else "today"

columns = st.columns([3, 2, 2])
columns[0].multiselect(
    "Zones", allowed["tl_zones"], format_func=names.get, key="tl_zones", on_change=_list_to_url, args=("tl_zones",),
    placeholder="All zones",
)
columns[1].multiselect(
    "Category", allowed["tl_categories"], format_func=schema.MILESTONE_CATEGORY.label, key="tl_categories",
    on_change=_list_to_url, args=("tl_categories",), placeholder="All categories",
)
columns[2].multiselect(
    "Status", allowed["tl_statuses"], format_func=lambda c: f"{schema.MILESTONE_STATUS.symbol(c)} {schema.MILESTONE_STATUS.label(c)}",
    key="tl_statuses", on_change=_list_to_url, args=("tl_statuses",), placeholder="All statuses",
)
options = st.columns([3, 4])
options[0].toggle(
    "Programme events (JCC meetings, agreements)", key="tl_programme", on_change=_programme_to_url,
    help="Programme-level items have no zone; they stay visible whatever zones are chosen.",
)
options[1].radio(
    "Count days late up to", ["today", "asof"], key="tl_reference", on_change=_reference_to_url, horizontal=True,
    format_func=lambda v: f"Today ({today:%Y-%m-%d})" if v == "today" else f"The data's as-of date ({as_of:%Y-%m-%d})",
)

chosen = timeline.TimelineFilter(
    zones=tuple(st.session_state["tl_zones"]),
    categories=tuple(st.session_state["tl_categories"]),
    statuses=tuple(st.session_state["tl_statuses"]),
    include_programme=st.session_state["tl_programme"],
)
reference = as_of if st.session_state["tl_reference"] == "asof" else today

# --- the timeline -------------------------------------------------------------------------------

assessed = timeline.assess(dataset.milestones, reference)
shown = timeline.apply_filter(assessed, chosen)
late = shown[shown["late"]]
tiles = st.columns(4)
tiles[0].metric("Items shown", f"{len(shown)} of {len(assessed)}")
tiles[1].metric("⚠ Overdue", int((shown["slip"] == "overdue").sum()), help="Open, and the committed date has passed.")
tiles[2].metric("⏱ Done late", int((shown["slip"] == "done_late").sum()), help="Done after the committed date.")
tiles[3].metric("⚠ Expected to slip", int((shown["slip"] == "expected_late").sum()), help="Marked delayed before the committed date.")

if shown.empty:
    st.info("No milestone matches these filters. Clear a filter to see more.")
else:
    drawn = shown
    zone_count = shown["zone_id"].replace("", pd.NA).nunique()
    if not chosen.zones and zone_count > MAX_CHART_ZONES:
        in_zone = shown["zone_id"].fillna("") != ""
        late_count = shown[in_zone & shown["late"]].groupby("zone_id").size()
        ranked = late_count.reindex(shown.loc[in_zone, "zone_id"].unique(), fill_value=0).sort_values(ascending=False, kind="stable")
        drawn = shown[~in_zone | shown["zone_id"].isin(ranked.index[:MAX_CHART_ZONES])]
        st.info(f"The chart shows the {MAX_CHART_ZONES} zones with the most late items, of {zone_count:,} zones; "
                "choose zones above to see others. The slippage table below lists every item.")
    figure = figures.programme_timeline(drawn, zones, today=today, as_of=as_of)
    st.plotly_chart(figure, config=PLOTLY_CONFIG, width="stretch")
    st.caption(
        "One row per zone, plus the programme row; phases are bars from start to the committed end. Each item has one marker "
        "at its done date (or its committed date while open): ✓ done on time · ⏱ done late · ⚠ overdue / expected to slip · "
        "◑ in progress · ○ planned · ✗ cancelled. ◇ marks the committed date when it differs from the done date; dotted red "
        "lines show the slip. Grey dotted lines are JCC meetings and agreements."
    )

# --- what slipped -----------------------------------------------------------------------------

st.subheader("Slippage")
st.caption(
    f"Most days late first; click a column to sort. Days late are counted to "
    f"{'the data’s as-of date' if st.session_state['tl_reference'] == 'asof' else 'today'} "
    f"({reference:%Y-%m-%d}) for open items. \"Rescheduled by\" compares the committed date with the one first published."
)
version_ids = [v.id for v in ctx.versions]
earlier = ctx.versions[: version_ids.index(ctx.info.id) + 1] if ctx.info.id in version_ids else [ctx.info]
history = [ds for v in earlier if (ds := ui.load_exact(v.id)) is not None]


def _first_commitments(*datasets) -> pd.DataFrame:
    return timeline.first_commitments([(ds.info.label, ds.milestones) for ds in datasets])


st.dataframe(
    # cached across sessions by the versions: a pass over every milestone of every version
    timeline.slippage_table(shown, zones, ui.derived(_first_commitments, *history)),
    hide_index=True,
    width="stretch",
    column_config=ui.slippage_column_config(),
)
if len(late):
    st.caption(f"⚠ {len(late)} of {len(shown)} item(s) shown are late.")
