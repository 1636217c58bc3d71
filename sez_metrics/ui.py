"""Streamlit helpers shared by every page: the dataset in use, the version picker, the as-of stamp.

The only module of the package that imports streamlit. Versions are immutable, so a loaded
version is cached once per process (``st.cache_resource``), shared by every session, keyed by
version id and content hash plus the files' stat so an edit on disk is never served from cache.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from sez_metrics.settings import data_dir
from sez_metrics.store import VERSION_FILES, Dataset, IntegrityProblem, LoadResult, StoreError, VersionInfo, VersionStore
from sez_metrics.text import md_escape

VERSION_STATE_KEY = "sez_version"


@dataclass
class PageContext:
    """What a page needs: the version shown, every version, and problems met loading it."""

    dataset: Dataset
    versions: list[VersionInfo]
    problems: list[IntegrityProblem]

    @property
    def info(self) -> VersionInfo:
        return self.dataset.info

    def previous_of(self, version_id: str) -> VersionInfo | None:
        ids = [v.id for v in self.versions]
        if version_id not in ids:
            return None
        i = ids.index(version_id)
        return self.versions[i - 1] if i > 0 else None


def _files_stamp(root: Path, versions: list[VersionInfo]) -> tuple:
    stamp = []
    for v in versions:
        for name in VERSION_FILES:
            try:
                st_ = os.stat(root / "versions" / v.id / name)
                stamp.append((v.id, name, st_.st_size, st_.st_mtime_ns))
            except OSError:
                stamp.append((v.id, name, -1, -1))
    return tuple(stamp)


@st.cache_resource(max_entries=32, show_spinner=False)
def _cached_load(root: str, version_id: str | None, chain_key: tuple, files_stamp: tuple) -> LoadResult:
    return VersionStore(root).load(version_id)


def load_version(version_id: str | None, root: Path | None = None) -> LoadResult:
    """Load (verified, cached across sessions) ``version_id`` or the latest intact version."""
    root = root or data_dir()
    store = VersionStore(root)
    versions = store.versions()
    chain_key = tuple((v.id, v.entry_hash) for v in versions)
    return _cached_load(str(root), version_id, chain_key, _files_stamp(root, versions))


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


def page_context(title: str, icon: str = "") -> PageContext:
    """Render the page title, the version picker and the as-of stamp; return the dataset shown.

    Stops the page with a clear message when the store cannot be read at all.
    """
    st.title(f"{icon} {title}".strip())
    root = data_dir()
    try:
        versions = VersionStore(root).versions()
        result = load_version(requested_version(), root)
    except StoreError as exc:
        st.error(f"The dataset cannot be read: {exc}", icon="🚫")
        st.stop()
    ctx = PageContext(result.dataset, versions, result.problems)
    _version_picker(ctx)
    for problem in result.problems:
        st.warning(f"⚠️ {problem.format_line()}", icon=None)
    if result.problems:
        st.warning(f"Showing {ctx.info.display} instead, the newest intact version.")
    as_of_stamp(ctx.info)
    return ctx


def _version_picker(ctx: PageContext) -> None:
    options = [v.id for v in reversed(ctx.versions)]
    labels = {v.id: f"{v.label} · {v.as_of}" for v in ctx.versions}
    latest = options[0] if options else None

    def _on_change() -> None:
        chosen = st.session_state["_version_picker"]
        st.session_state[VERSION_STATE_KEY] = None if chosen == latest else chosen
        if chosen == latest:
            st.query_params.pop("version", None)
        else:
            st.query_params["version"] = chosen

    index = options.index(ctx.info.id) if ctx.info.id in options else 0
    st.sidebar.selectbox(
        "Dataset version",
        options,
        index=index,
        format_func=lambda vid: labels.get(vid, vid) + ("  (latest)" if vid == latest else ""),
        key="_version_picker",
        on_change=_on_change,
        help="Every page shows this version. Pin it in a meeting by sharing the URL.",
    )


def as_of_stamp(info: VersionInfo) -> None:
    """The visible "Data as of DATE · version LABEL" line (data escaped)."""
    st.caption(f"📅 Data as of **{md_escape(info.as_of)}** · version **{md_escape(info.label)}** \\({md_escape(info.id)}\\)")
