"""The pack as a file: the pinned versions loaded and verified from a store, rendered, written.

``load_pack_inputs`` refuses an unknown or damaged version (``BriefingError`` with the command's exit
code); ``make_pack`` builds the storyline in the pack's language and renders its images once (kept
for the process: ``images``); ``write_briefing`` writes the file atomically.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sez_metrics.core import i18n, vocabulary
from sez_metrics.core.dataset import Dataset
from sez_metrics.render.briefing.html import render_html
from sez_metrics.render.briefing.images import BriefingImages, render_images
from sez_metrics.render.briefing.story import Briefing, BriefingError, build_briefing
from sez_metrics.storage.store import Store, StoreError, VersionDamaged, open_store

FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html"}


@dataclass
class PackInputs:
    """The datasets a pack needs, loaded and verified from a store."""

    dataset: Dataset
    compare: Dataset | None
    history: list[Dataset]


def _load_exact(store: Store, version_id: str) -> Dataset:
    try:
        return store.load(version_id).exact(version_id)
    except VersionDamaged as exc:
        raise BriefingError(str(exc), damaged=True) from exc


def load_pack_inputs(root: Path | str | Store, version_id: str | None = None, compare_id: str | None = None) -> PackInputs:
    """Load the pinned version (default: latest), the comparison (default: the one before) and the history.

    ``BriefingError`` for an unknown version, or when the pinned or compared version is damaged.
    """
    store = open_store(root)
    try:
        versions = store.versions()
    except StoreError as exc:
        raise BriefingError(str(exc)) from exc
    ids = [v.id for v in versions]
    if not ids:
        raise BriefingError(f"{store.location}: the store holds no version")
    version_id = version_id or ids[-1]
    for wanted in (version_id, compare_id):
        if wanted is not None and wanted not in ids:
            raise BriefingError(f"no version {wanted!r}; valid ids: {', '.join(ids)}")
    position = ids.index(version_id)
    if compare_id is None and position > 0:
        compare_id = ids[position - 1]
    dataset = _load_exact(store, version_id)
    compare = _load_exact(store, compare_id) if compare_id is not None else None
    # The history only dates when each milestone was first committed: a damaged older version
    # is left out of it rather than blocking the pack.
    history = []
    for vid in ids[:position]:
        if compare is not None and vid == compare.info.id:
            history.append(compare)
            continue
        try:
            history.append(_load_exact(store, vid))
        except BriefingError:
            continue
    return PackInputs(dataset, compare, [*history, dataset])


def pack_format(path: Path | str) -> str:
    """"pdf" or "html" from a file name; ``BriefingError`` for any other extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise BriefingError(f"{path}: the output must end in .pdf or .html")
    return FORMATS[suffix]


def pack_pictures(fmt: str, code: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The figures and formats a pack renders: the PDF's page-wide PNGs (the timeline one page-high
    part after another); the HTML's SVGs in English, and in Chinese and Urdu page-wide PNGs (an SVG
    in an ``<img>`` cannot use the page's embedded fonts, a PNG carries its glyphs; the map is the
    PDF's, the timeline one picture)."""
    if fmt == "pdf":
        return ("map_page", "timeline_pages"), ("png",)
    if code != i18n.SOURCE_LANGUAGE:
        return ("map_page", "timeline_page"), ("png",)
    return ("map", "timeline"), ("svg",)


def make_pack(inputs: PackInputs, fmt: str, *, zone_ids: list[str] | None = None, generated_on: date | None = None,
              reference: str = vocabulary.AS_OF, lang: str | None = None) -> tuple[bytes, Briefing, BriefingImages]:
    """Build the storyline in ``lang`` (default: the current language), render its images once, and
    return the pack's bytes in ``fmt``."""
    with i18n.use_language(lang or i18n.current().code) as language:
        briefing = build_briefing(inputs.dataset, inputs.compare, history=inputs.history, zone_ids=zone_ids, generated_on=generated_on,
                                  reference=reference)
        names, formats = pack_pictures(fmt, language.code)
        images = render_images(briefing, formats, names)
        if fmt == "pdf":
            from sez_metrics.render.briefing.pdf import render_pdf  # fpdf loads only when a PDF is made

            return render_pdf(briefing, images), briefing, images
        return render_html(briefing, images).encode("utf-8"), briefing, images


def write_briefing(root: Path | str | Store, out: Path, version_id: str | None = None, compare_id: str | None = None,
                   reference: str = vocabulary.AS_OF, lang: str | None = None) -> tuple[Briefing, BriefingImages]:
    """Write the pack for ``version_id`` to ``out`` (.pdf or .html) in ``lang``, atomically, with the
    user's umask (a pack is meant to be shared)."""
    from sez_metrics.storage.fsutil import USER_UMASK, replace_atomically

    fmt = pack_format(out)
    data, briefing, images = make_pack(load_pack_inputs(root, version_id, compare_id), fmt, reference=reference, lang=lang)
    replace_atomically(out, data, mode=USER_UMASK)
    return briefing, images
