"""Presenter mode and the briefing-pack downloads, in the app.

``presenter_requested()`` tells the Overview page (``/``) to hand over to ``render_presenter()``,
which draws one slide of ``sez_metrics.render.present``'s deck full-screen: no sidebar, toolbar or
menu, large type, the pinned version's "as of" stamp on every slide, and previous/next controls
that keep the slide in the URL (a reload or a shared link lands on the same slide).

Storylines, pictures and packs are cached per process (``cached``), keyed by the store's fingerprint.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import streamlit as st

from sez_metrics.app import cached, serverguard
from sez_metrics.app.context import (
    REFERENCE_STATE_KEY,
    STORE_UNAVAILABLE_TEXT,
    PageContext,
    log_store_unavailable,
    set_page_title,
)
from sez_metrics.app.language import apply_language, language_switch
from sez_metrics.core import i18n, vocabulary
from sez_metrics.core.i18n import _
from sez_metrics.core.settings import store_location
from sez_metrics.core.text import md_echo, md_escape
from sez_metrics.render import present, present_map, present_style, static_map
from sez_metrics.render.briefing import images as pack_images
from sez_metrics.render.briefing import story as storyline
from sez_metrics.storage.store import VERSION_ID_PATTERN, StoreError, StoreUnavailable, open_store

PRESENT_PARAMS = ("present", "slide", "zones")
MIME = {"pdf": "application/pdf", "html": "text/html"}


def presenter_requested() -> bool:
    """True when the URL asks for presenter mode (``present=1``)."""
    return str(st.query_params.get("present", "")).strip().lower() in ("1", "true", "yes")


def reference_choice() -> str:
    """The reference date asked for (``to=today`` in the URL, or chosen on another page): as-of by default."""
    param = st.query_params.get(vocabulary.REFERENCE_PARAM)
    if param is not None:
        return vocabulary.reference_choice(param)
    return st.session_state.get(REFERENCE_STATE_KEY, vocabulary.AS_OF)


# --- download buttons -------------------------------------------------------------------------


def briefing_download_buttons(ctx: PageContext, compare_id: str | None = None) -> None:
    """The briefing-pack downloads for a page: the version the page shows, compared with ``compare_id``
    (default: the version before it)."""
    pack_download_buttons(ctx.info.id, compare_id)


def pack_download_buttons(version_id: str, compare_id: str | None = None, zone_ids: list[str] | None = None, *, root: Path | None = None) -> None:
    """Two buttons that download the briefing pack of ``version_id`` as PDF and as offline HTML.

    The pack is made only when a button is clicked (a few seconds: it draws the map and the
    timeline), then cached for the day.
    """
    try:
        request = cached.pack_request(version_id, compare_id, tuple(zone_ids or ()), reference_choice(), root)
    except StoreError:
        return
    reference = request.reference
    for fmt, label in (("pdf", _("⬇️ Briefing pack (PDF)")), ("html", _("⬇️ Briefing pack (HTML, offline)"))):
        st.download_button(
            label,
            data=lambda fmt=fmt: cached.briefing_pack(request, fmt),
            file_name=f"sez-briefing-{version_id}{'-today' if reference == vocabulary.TODAY else ''}.{fmt}",
            mime=MIME[fmt],
            on_click="ignore",
            key=f"sez_briefing_{fmt}_{version_id}",
            help=_("The storyline of presenter mode as a document to send out: cover, headline figures, map, "
                   "one page per zone, timeline, changes and sources. Made on demand (a few seconds)."),
        )
    missing = static_map.missing_browser()
    if missing:
        st.caption(_("Packs are made without pictures: {reason}.").format(reason=md_escape(missing)))


# --- presenter --------------------------------------------------------------------------------


def start_presenting(version_id: str | None = None) -> None:
    """Switch the URL to presenter mode on slide 1 (a widget callback, or before ``st.rerun``)."""
    st.query_params["present"] = "1"
    st.query_params["slide"] = "1"
    if version_id:
        st.query_params["version"] = version_id


def presenter_button(ctx: PageContext) -> None:
    """The "Present" button of a page: opens presenter mode pinned to the version the page shows."""
    st.button(_("🎥 Present"), on_click=start_presenting, args=(ctx.info.id,), key="sez_present_start",
              help=_("Full-screen slides for a meeting: large type, the version pinned, one slide per zone."))


def _stop_presenting(latest_id: str | None) -> None:
    for name in PRESENT_PARAMS:
        st.query_params.pop(name, None)
    if st.query_params.get("version") == latest_id:
        st.query_params.pop("version", None)


def _go_to(number: int) -> None:
    st.query_params["slide"] = str(number)


def _jumped() -> None:
    st.query_params["slide"] = str(st.session_state["sez_present_jump"])


def _zones_chosen() -> None:
    chosen = st.session_state["sez_present_zones"]
    if chosen:
        st.query_params["zones"] = ",".join(chosen)
    else:
        st.query_params.pop("zones", None)


def _compare_chosen() -> None:
    chosen = st.session_state["sez_present_compare"]
    if chosen:
        st.query_params["compare"] = chosen
    else:
        st.query_params.pop("compare", None)


def _fail(message: str, latest_id: str | None) -> None:
    set_page_title(_("Presenter mode"))
    st.html(present_style.presenter_css())
    st.error(message, icon="🚫")
    st.button(_("✕ Leave presenter mode"), on_click=_stop_presenting, args=(latest_id,), key="sez_present_exit_error")
    st.stop()


def render_presenter() -> None:
    """Draw the slide the URL asks for, with the presenter's controls; never returns to the page."""
    apply_language()  # again, as page_context does: a rerun of the page alone (tests) keeps the language too
    root = store_location()
    try:
        versions = open_store(root).versions()
    except StoreUnavailable as exc:
        log_store_unavailable(exc)
        _fail(STORE_UNAVAILABLE_TEXT, None)
    except StoreError as exc:
        _fail(_("The dataset cannot be read: {problem}").format(problem=md_escape(exc)), None)
    if not versions:
        _fail(_("The dataset holds no version yet."), None)
    ids = [v.id for v in versions]
    latest_id = ids[-1]
    version_id = st.query_params.get("version") or latest_id
    if version_id not in ids:
        # a version id is echoed as it is; anything else in the link could be markdown
        if VERSION_ID_PATTERN.fullmatch(version_id):
            _fail(_("There is no version {asked}. Valid versions: {valid}.").format(asked=repr(version_id), valid=", ".join(ids)), latest_id)
        _fail(_("There is no version in the link. Valid versions: {valid}.").format(valid=", ".join(ids)), latest_id)
    # Pin the version in the URL: a reload mid-meeting keeps showing the same data.
    st.query_params["version"] = version_id
    position = ids.index(version_id)
    compare_id = st.query_params.get("compare")
    if compare_id and compare_id not in ids:
        st.toast(_("No version “{version}” to compare with; using the one before.").format(version=md_echo(compare_id)), icon="⚠️")
        compare_id = None
    compare_id = compare_id or (ids[position - 1] if position > 0 else None)

    dataset_zones = None
    try:
        request = cached.pack_request(version_id, compare_id, (), reference_choice(), root)
        story = cached.briefing_story(request)
        dataset_zones = story.dataset
        zones, unknown = present.requested_zones(st.query_params.get("zones"), dataset_zones)
        if unknown:
            st.toast(_("Unknown zone(s) left out: {zones}").format(zones=md_echo(", ".join(unknown))), icon="⚠️")
        if zones:
            request = dataclasses.replace(request, zones=tuple(zones))
            story = cached.briefing_story(request)
    except storyline.BriefingError as exc:
        _fail(md_escape(exc), latest_id)

    deck = present.build_deck(story)
    number = present.slide_number(st.query_params.get("slide"), len(deck))
    if st.query_params.get("slide") != str(number):
        st.query_params["slide"] = str(number)
    slide = deck[number - 1]

    set_page_title(present.slide_heading(story, slide), _("Presenting {number}/{count}").format(number=number, count=len(deck)))
    lang = i18n.current()
    st.html(present_style.presenter_css(lang.code))
    images = pack_images.BriefingImages()
    # Each new (version, comparison, zones) costs a chromium render: past the hourly budget of
    # distinct ones, the viewer's browser draws the figure instead (below).
    if slide.kind == "map" and serverguard.PRESENTER_RENDERS.allow((version_id, compare_id, tuple(zones), lang.code)):
        images = cached.briefing_images(request)
    body = present.slide_body_html(story, slide, images)
    st.html(
        f'<div class="sez-slide" data-testid="sez-slide" data-slide="{number}" data-kind="{slide.kind}" '
        f'lang="{lang.code}" dir="{lang.direction}">{present.stamp_html(story, slide, number, len(deck))}{body}</div>'
    )
    if slide.kind == "map" and images.get("map", "svg") is None:
        # No browser to draw a static image: let Plotly draw the same figure in the page, at its own size.
        st.plotly_chart(present_map.slide_map_figure(story), width="content", config={"displaylogo": False, "displayModeBar": False},
                        alt=present.figure_alt(story, slide.kind))
    _controls(story, deck, number, ids, compare_id, latest_id)


def _controls(story: storyline.Briefing, deck: list[present.Slide], number: int, ids: list[str], compare_id: str | None, latest_id: str) -> None:
    count = len(deck)
    with st.container(horizontal=True, key="sez_present_nav", vertical_alignment="center", gap="small"):
        st.button(_("◀ Previous"), on_click=_go_to, args=(max(number - 1, 1),), disabled=number <= 1, key="sez_present_prev", shortcut="Left")
        st.session_state["sez_present_jump"] = number
        st.selectbox(
            _("Slide"), list(range(1, count + 1)), key="sez_present_jump", on_change=_jumped, label_visibility="collapsed",
            format_func=lambda n: f"{n}. {deck[n - 1].title}", width=380,
        )
        st.button(_("Next ▶"), on_click=_go_to, args=(min(number + 1, count),), disabled=number >= count, key="sez_present_next",
                  shortcut="Right", type="primary")
        # Presentation clickers send PageDown / PageUp: hidden twins of Next and Previous.
        st.button(_("next"), on_click=_go_to, args=(min(number + 1, count),), key="sez_present_page_down", shortcut="PageDown")
        st.button(_("previous"), on_click=_go_to, args=(max(number - 1, 1),), key="sez_present_page_up", shortcut="PageUp")
        with st.popover(_("⚙ Set up")):
            language_switch(st, key="sez_present_lang")
            zone_names = {row["zone_id"]: i18n.data_text(row, "short_name") for row in story.dataset.zones.to_dict("records")}
            st.session_state["sez_present_zones"] = [z.zone_id for z in story.zones]
            st.multiselect(
                _("Zone slides, in this order"), list(zone_names), key="sez_present_zones", on_change=_zones_chosen,
                format_func=lambda z: zone_names.get(z, z), help=_("Leave empty for every zone, priority zones first."),
            )
            earlier = [v for v in ids if v != story.info.id]
            if earlier:
                # The widget follows the URL through its state alone: a default index as well makes
                # Streamlit warn that the value was set twice.
                st.session_state["sez_present_compare"] = compare_id if compare_id in earlier else None
                st.selectbox(_("Changes since"), earlier, key="sez_present_compare", on_change=_compare_chosen)
            pack_download_buttons(story.info.id, compare_id, [z.zone_id for z in story.zones])
        st.button(_("✕ Exit"), on_click=_stop_presenting, args=(latest_id,), key="sez_present_exit", shortcut="Esc")
