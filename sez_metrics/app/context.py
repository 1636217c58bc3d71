"""What every page starts with: the version shown and the reference date (from the URL, kept across
pages), the sidebar's version picker, the as-of stamp, the page's title, and the one message for a
store that cannot be read.

``page_context`` returns them as a ``PageContext``; the version itself comes from ``cached``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from sez_metrics.app import cached, language
from sez_metrics.core import vocabulary
from sez_metrics.core.dataset import Dataset, VersionInfo
from sez_metrics.core.i18n import N_, _
from sez_metrics.core.settings import store_location
from sez_metrics.core.text import md_echo, md_escape
from sez_metrics.storage.store import NO_SUCH_VERSION, IntegrityProblem, StoreError, StoreUnavailable, open_store

VERSION_STATE_KEY = "sez_version"
REFERENCE_STATE_KEY = "sez_reference"
REFERENCE_WIDGET_KEY = "_reference_control"
APP_NAME = N_("SEZ progress dashboard")


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
    return " · ".join(p for p in parts if p) + f" — {_(APP_NAME)}"


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
    language.apply_language()  # app.py did already; again for a page run on its own (AppTest's reruns)
    title = _(title)
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
        result = cached.load_version(requested, root)
    except StoreUnavailable as exc:
        store_unavailable(exc)
    except StoreError as exc:
        st.error(_("The dataset cannot be read: {reason}").format(reason=md_escape(exc)), icon="🚫")
        st.stop()
    ctx = PageContext(result.dataset, versions, result.problems)
    _version_picker(ctx)
    ctx.reference = reference_control(ctx.info)
    if result.problems or unknown is not None:
        fallback_banner(result.problems, ctx.info, unknown=[unknown] if unknown is not None else [])
    as_of_stamp(ctx.info, ctx.latest)
    return ctx


# Shown as _(STORE_UNAVAILABLE_TEXT).
STORE_UNAVAILABLE_TEXT = N_("The data store is unavailable right now, so no data can be shown. The dashboard reconnects by "
                            "itself: reload this page in a minute. An operator can see why in the server log.")


def log_store_unavailable(exc: StoreError) -> None:
    """The reason goes to the server log only: it names the database's host and account."""
    logging.getLogger(__name__).warning("store unavailable: %s", exc)


def store_unavailable(exc: StoreError) -> None:
    """Stop the page with the one message for a store that cannot be reached (its database is down).

    Nothing is cached from a failed read: the first rerun after the store is back shows the page.
    """
    log_store_unavailable(exc)
    st.error(_(STORE_UNAVAILABLE_TEXT), icon="🔌")
    st.stop()


def fallback_banner(problems: list[IntegrityProblem], shown: VersionInfo, unknown: list[str] = ()) -> None:
    """One banner when the version asked for is not the one shown: why, and what is shown instead."""
    unknown = [*unknown, *(p.version_id for p in problems if p.message == NO_SUCH_VERSION)]
    damaged = [p for p in problems if p.message != NO_SUCH_VERSION]
    # the id may come from the URL: shortened and escaped, like every echo of a link's value
    parts = [_("There is no version “{version}”.").format(version=md_echo(version_id)) for version_id in unknown]
    if damaged:
        parts.append(_("Failed the integrity check:") + "\n" + "\n".join(f"- {md_escape(p.format_line())}" for p in damaged))
    shown_text = md_escape(shown.display)
    parts.append(_("Showing {version}, the newest intact version.").format(version=shown_text) if damaged
                 else _("Showing {version}, the latest version.").format(version=shown_text))
    st.warning("\n\n".join(parts), icon="⚠️")


def _version_option_label(ctx: PageContext) -> dict[str, str]:
    latest = ctx.latest.id if ctx.latest else None
    # Id and date only: labels are free text, and a narrow sidebar cut "2025-09-15 · Update before
    # JCC-1…"; the full label of the version shown is in the caption under the picker.
    return {v.id: _("{version} (latest)").format(version=f"{v.id} · {v.as_of}") if v.id == latest else f"{v.id} · {v.as_of}"
            for v in ctx.versions}


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
        _("Dataset version"),
        options,
        format_func=lambda vid: labels.get(vid, vid),
        key="_version_picker",
        on_change=_on_change,
        help=_("Every page shows this version. Pin it in a meeting by sharing the URL."),
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
    today_label = _("Today ({date})").format(date=f"{today:%Y-%m-%d}")
    as_of_label = _("The data's as-of date ({date})").format(date=info.as_of)
    st.sidebar.radio(
        _("Count days late and overdue to"),
        [vocabulary.AS_OF, vocabulary.TODAY],
        key=REFERENCE_WIDGET_KEY,
        on_change=_reference_to_url,
        format_func=lambda v: today_label if v == vocabulary.TODAY else as_of_label,
        help=_("Every overdue count and days-late figure on every page is counted to this date."),
    )
    return vocabulary.resolve_reference(info.as_of, choice, today)


def as_of_stamp(info: VersionInfo, latest: VersionInfo | None = None) -> None:
    """The visible "Data as of DATE · version LABEL" line (data escaped; the date as YYYY-MM-DD in
    every language, as in the data).

    With ``latest`` given, says whether the version shown is the latest, or names the latest.
    """
    line = _("📅 Data as of **{as_of}** · version **{label}** \\({id}\\)").format(
        as_of=md_escape(info.as_of), label=md_escape(info.label), id=md_escape(info.id))
    if latest is not None:
        if latest.id == info.id:
            line += " · " + _("latest")
        else:
            line += " · " + _("⏪ an earlier version; the latest is {label} \\(as of {as_of}\\)").format(
                label=md_escape(latest.label), as_of=md_escape(latest.as_of))
    st.caption(line)
