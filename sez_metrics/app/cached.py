"""Every cache of the dashboard: what a server process computes once and hands to every session.

Versions are immutable, so what is read or derived from one is kept per process, shared by every
session, and keyed by the store's one fingerprint (``Store.fingerprint``: a folder's file stamps,
a database's row versions). Whatever follows the store as a whole (the version served, a full
verify, a briefing) is keyed by its digest; what belongs to one version (its history extract)
by that version's part, its manifest entry hash and its files' sha256. A version published by
another server process or the command line therefore shows at the next rerun, and a file
changed behind the store's back is never served from a cache: it is read and verified again.

Streamlit's ``clear_cache`` message is ignored (``serverguard``): every key here names what it
holds, so nothing is ever stale. A cache whose result holds text people read (labels, a table's
words, a figure's titles) takes the language code as an argument: a Chinese and an English reader
never share a result.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from sez_metrics.app import serverguard
from sez_metrics.core import i18n, profile, vocabulary
from sez_metrics.core.dataset import Dataset, VersionInfo
from sez_metrics.core.diff import VersionDiff, diff_versions
from sez_metrics.core.settings import store_location
from sez_metrics.render import mapbasemap, maplayers, present_map
from sez_metrics.render.briefing import images as pack_images
from sez_metrics.render.briefing import pack as pack_files
from sez_metrics.render.briefing import story as storyline
from sez_metrics.storage.store import (
    IntegrityProblem,
    LoadResult,
    SharesVerdicts,
    Store,
    StoreError,
    StoreUnavailable,
    VersionDamaged,
    digest_of,
    open_store,
)

T = TypeVar("T")
# A full verify's verdict stands while the fingerprint is the same, and is redone at least this
# often (seconds), so damage the fingerprint cannot see (a disk's bit rot) is still found.
VERIFY_TTL = 600
# Versions whose history extracts are read at the same time: reading, hashing and parsing release
# the GIL, so two keep both cores of a small server busy.
HISTORY_READERS = 2


def _store(root: Path | str | None) -> Store:
    return open_store(root or store_location())


# --- versions ---------------------------------------------------------------------------------


# Room for every version of a long history: an LRU smaller than what pages read misses on every
# access (40 versions of 5,000 zones: ~20 s per rerun).
@st.cache_resource(max_entries=128, show_spinner=False)
def _cached_load(address: str, version_id: str | None, store_digest: str) -> LoadResult:
    return open_store(address).load(version_id)


def load_version(version_id: str | None, root: Path | None = None) -> LoadResult:
    """Load (verified, cached across sessions) ``version_id`` or the latest intact version."""
    store = _store(root)
    return _cached_load(store.address, version_id, store.fingerprint().digest)


def load_exact(version_id: str, root: Path | None = None) -> Dataset | None:
    """Version ``version_id`` itself (verified, cached), or None when it is missing or damaged."""
    try:
        result = load_version(version_id, root)
    except StoreUnavailable:
        raise
    except StoreError:
        return None
    try:
        return result.exact(version_id)
    except VersionDamaged:
        return None


@st.cache_resource(max_entries=8, ttl=VERIFY_TTL, show_spinner=False)
def _verified(address: str, store_digest: str) -> tuple:
    store = open_store(address)
    try:
        if isinstance(store, SharesVerdicts):
            store.adopt_verdicts()  # what other processes checked lately is not fetched again
        return tuple(store.verify()), None  # a database store's verify leaves its own verdicts for them
    except StoreUnavailable:
        raise  # not kept: the next run checks again
    except StoreError as exc:
        return (), exc


def verified(store: Store) -> tuple[tuple[IntegrityProblem, ...], StoreError | None]:
    """The store's full ``verify()`` (every file's hash, the chain), or the ``StoreError`` it raised.

    Kept per fingerprint of the store and redone at least every ``VERIFY_TTL`` seconds. A file
    already found intact with the stamp it still has is not hashed again (``storage.verdicts``):
    40 versions of 5,000 zones are 440 MB, most of it read by the history views already. On a
    database store, the verdicts other processes sealed and left in the database within that time
    count too (``storage.pgverdicts``), and this one's are left there for them.
    """
    return _verified(store.address, store.fingerprint().digest)


# --- history ----------------------------------------------------------------------------------


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
def _history_extract(address: str, version_id: str, entry_hash: str, version_stamp: str, _info: VersionInfo) -> profile.HistoryExtract | None:
    # Keyed by the entry's hash and the version's part of the fingerprint: the chain is checked
    # before every use, and a file changed in the store gets a new stamp, so it is read and hashed again.
    files, problems = open_store(address).read_version_files(_info)  # sizes and sha256 checked
    return None if problems else profile.history_extract(_info, files)


def version_history(upto: VersionInfo, root: Path | None = None) -> VersionHistory:
    """The verified history of every version up to ``upto``, from a small extract per version.

    Extracts (status rows as text, milestone ids and committed dates) are cached per version, so
    a history of 40 versions of 5,000 zones costs neither 40 full loads nor their memory; the
    ones not cached yet are read ``HISTORY_READERS`` at a time.
    """
    store = _store(root)
    try:  # checked on every call: an edited entry breaks the chain without touching any file
        versions = store.versions()
        chain = store.chain_problems(store.read_manifest_entries())
        fingerprint = store.fingerprint()
    except StoreUnavailable:
        raise
    except StoreError:
        versions, chain, fingerprint = [upto], {upto.id: ["manifest"]}, None
    ids = [v.id for v in versions]
    infos = versions[: ids.index(upto.id) + 1] if upto.id in ids else [upto]
    intact = [info for info in infos if not chain.get(info.id)]
    keys = [(info.id, info.entry_hash, fingerprint.version(info.id) if fingerprint else "") for info in intact]

    def extract(position: int) -> profile.HistoryExtract | None:
        return _history_extract(store.address, *keys[position], _info=intact[position])

    with ThreadPoolExecutor(max_workers=HISTORY_READERS, thread_name_prefix="sez-history") as readers:
        found = dict(zip((info.id for info in intact), readers.map(extract, range(len(intact))), strict=True))
    extracts = tuple(found[info.id] for info in intact if found[info.id] is not None)
    damaged = tuple(sorted(info.id for info in infos if found.get(info.id) is None))
    return VersionHistory(digest_of((store.address, keys, damaged)), extracts, damaged)


# --- derived data -----------------------------------------------------------------------------


@st.cache_resource(max_entries=16, show_spinner=False)
def _cached_diff(address: str, old_id: str, old_hash: str, new_id: str, new_hash: str, lang: str) -> VersionDiff | None:
    # Keyed by version id and content hash: a version's content never changes under its id,
    # and if the files were tampered with, their hash no longer matches and load_exact refuses.
    # Computed once per pair (the cache is per key and clear_cache is ignored, see serverguard) and
    # one at a time: requests for many pairs queue instead of taking every core.
    old, new = load_exact(old_id, address), load_exact(new_id, address)
    if old is None or new is None:
        return None
    with serverguard.costly():
        return diff_versions(old, new)


def version_diff(old: VersionInfo, new: VersionInfo, root: Path | None = None) -> VersionDiff | None:
    """What changed from ``old`` to ``new`` (cached across sessions, per language: its summary is
    words); None when either is damaged."""
    return _cached_diff(_store(root).address, old.id, old.content_hash, new.id, new.content_hash, i18n.current().code)


@st.cache_data(max_entries=256, show_spinner=False)
def _cached_derived(name: str, lang: str, keys: tuple[tuple[str, str], ...], _compute: Callable, _datasets: tuple[Dataset, ...]) -> Any:
    return _compute(*_datasets)


def derived(compute: Callable[..., T], *datasets: Dataset) -> T:
    """``compute(*datasets)``, cached across sessions by the function's name and each version's id and content hash.

    For figures derived from whole versions (KPIs, cards, milestone moves): a rerun of a page
    then costs a cache lookup. Pass only datasets as loaded from the store (never modified
    copies): the cache key is the version, not the frame. Results are copies, safe to change.
    Kept per language too (``i18n.current()``): results may hold words.
    """
    name = f"{compute.__module__}.{compute.__qualname__}"
    keys = tuple((d.info.id, d.info.content_hash) for d in datasets)
    return _cached_derived(name, i18n.current().code, keys, compute, datasets)


# Entries are per version (and measure, filter, reference day): up to ~15 MB each at 5,000 zones,
# so the bound is what caps the memory of a long-running server; an evicted entry is rebuilt in < 1 s.
@st.cache_resource(max_entries=64, show_spinner=False)
def _cached_shared(name: str, lang: str, keys: tuple[tuple[str, str], ...], args: tuple, _compute: Callable,
                   _datasets: tuple[Dataset, ...]) -> Any:
    return _compute(*_datasets, *args)


def shared(compute: Callable[..., T], *datasets: Dataset, args: tuple = ()) -> T:
    """``compute(*datasets, *args)``, computed once per process and handed to every session as is.

    Like ``derived`` but without the copy ``st.cache_data`` makes on every read, which for a
    5,000-zone frame or a 6 MB map costs more than the cache saves. The result is shared by all
    sessions: treat it as read-only (build new frames from it, never assign into it). ``args``
    are small hashable values (a measure code, a zone id) that select among results. Kept per
    language too (``i18n.current()``): results may hold words.
    """
    # The file too: functions defined in page scripts all live in a module named "__main__".
    name = f"{compute.__code__.co_filename}:{compute.__module__}.{compute.__qualname__}"
    keys = tuple((d.info.id, d.info.content_hash) for d in datasets)
    return _cached_shared(name, i18n.current().code, keys, tuple(args), compute, datasets)


@st.cache_resource(max_entries=64, show_spinner=False)
def _cached_view(name: str, lang: str, key: tuple, _compute: Callable, _inputs: tuple) -> Any:
    return _compute(*key, *_inputs)


def view(compute: Callable[..., T], *key: Any, inputs: tuple = ()) -> T:
    """``compute(*key, *inputs)`` once per process for ``key``, handed to every session as is (read-only).

    ``key`` holds small hashable values that stand for everything the result depends on (a
    history's key, a version's id and content hash, a zone id, a day); ``inputs`` the objects
    they stand for (a history, a dataset), which are not hashed. Kept per language too
    (``i18n.current()``): views hold words.
    """
    name = f"{compute.__code__.co_filename}:{compute.__module__}.{compute.__qualname__}"
    return _cached_view(name, i18n.current().code, tuple(key), compute, tuple(inputs))


# A map's deck is about 6 MB of JSON at 5,000 zones: a bound of its own caps their memory.
MAP_CACHE_ENTRIES = 16


@st.cache_resource(max_entries=MAP_CACHE_ENTRIES, show_spinner=False)
def zone_deck(version_id: str, content_hash: str, measure_code: str, selected: str | None, online: bool,
              basemap_file: str, basemap_mtime_ns: int | None, lang: str, _points: list[dict]) -> maplayers.SerializedDeck:
    """The map's deck, serialized, once per version, measure, selection, basemap file and language
    (its tooltips and labels are words): building and writing its JSON takes about a second at
    5,000 zones, and every session showing the same map shares it. ``_points`` are the version's
    zone points for the measure in language ``lang`` (``mappoints.zone_points``)."""
    deck = maplayers.build_deck(_points, basemap=mapbasemap.load_basemap(Path(basemap_file)), selected_zone=selected, online=online)
    return maplayers.SerializedDeck(deck)


# --- briefing packs and presenter slides ------------------------------------------------------


@dataclass(frozen=True)
class PackRequest:
    """One briefing: which versions and zones, the store as it stood (its fingerprint's digest),
    the day it is made on, the reference date of days late and the language it is read in."""

    address: str
    version_id: str
    compare_id: str | None
    zones: tuple[str, ...]
    store_digest: str
    today: date
    reference: str = vocabulary.AS_OF
    lang: str = i18n.SOURCE_LANGUAGE


def pack_request(version_id: str, compare_id: str | None, zones: tuple[str, ...] = (), reference: str = vocabulary.AS_OF,
                 root: Path | None = None) -> PackRequest:
    """The request for a briefing of the store as it is now, made today, in the session's language."""
    store = _store(root)
    return PackRequest(store.address, version_id, compare_id, tuple(zones), store.fingerprint().digest, date.today(), reference,
                       i18n.current().code)


@st.cache_resource(max_entries=16, show_spinner=False)
def briefing_story(request: PackRequest) -> storyline.Briefing:
    """The storyline of a briefing (presenter mode's slides, a pack's pages)."""
    inputs = pack_files.load_pack_inputs(request.address, request.version_id, request.compare_id)
    with i18n.use_language(request.lang):
        return storyline.build_briefing(inputs.dataset, inputs.compare, history=inputs.history, zone_ids=list(request.zones) or None,
                                       generated_on=request.today, reference=request.reference)


@st.cache_resource(max_entries=8, show_spinner=False)
def briefing_images(request: PackRequest) -> pack_images.BriefingImages:
    """The map slide's picture of a briefing in the request's language, drawn by chromium."""
    story = briefing_story(request)
    with serverguard.costly():  # one chromium render at a time, however many selections are asked for
        return present_map.render_slide_images(story)


class _WithoutPictures(Exception):
    """A pack made without its pictures: handed out, never cached, so the next click tries again."""

    def __init__(self, data: bytes) -> None:
        super().__init__("pack without pictures")
        self.data = data


@st.cache_data(max_entries=8, show_spinner=False)
def _cached_pack(request: PackRequest, fmt: str) -> bytes:
    inputs = pack_files.load_pack_inputs(request.address, request.version_id, request.compare_id)
    with serverguard.pack_slot():  # not costly(): no page waits behind a pack
        data, _, images = pack_files.make_pack(inputs, fmt, zone_ids=list(request.zones) or None, generated_on=request.today,
                                             reference=request.reference, lang=request.lang)
    if images.problems:
        raise _WithoutPictures(data)  # st.cache_data keeps no result of a call that raised
    return data


def briefing_pack(request: PackRequest, fmt: str) -> bytes:
    """The briefing pack as a file (``fmt``: pdf or html); one made without its pictures (no
    browser to draw them) is handed out but not kept."""
    try:
        return _cached_pack(request, fmt)
    except _WithoutPictures as degraded:
        return degraded.data
