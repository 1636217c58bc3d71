"""The pack's pictures: the zone map and the programme timeline, rendered once per pack.

Images come from ``static_map.static_images()`` (kaleido with Debian chromium, one browser for the
whole pack, a deadline on every step). Without a browser, or when it crashes or stalls, the pack is
still written without pictures, saying why ("pictures left out: …").

Figures are drawn in the storyline's language, their text set in that language's fonts
(``fonts.fonts_for``: chromium finds the Debian font files). A rendered picture is kept for the
process, keyed by the version (its manifest entry hash), the compared version, the language, the
reference date, the zones, the figure and the format: a second pack of the same version in the same
language renders nothing again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import pandas as pd

from sez_metrics.core import i18n, timeline, vocabulary
from sez_metrics.core.i18n import N_, _
from sez_metrics.render.briefing.story import Briefing
from sez_metrics.render.fonts import fonts_for
from sez_metrics.render.static_map import ImagesUnavailable, static_images, zone_map_figure

MAP_SIZE_PX = (1000, 900)
# The PDF's charts span the page's width (269 mm on A4 landscape with its margins): drawn this many
# pixels wide, their smallest labels (11 px: the timeline's date-line labels) print at 8 pt or more.
PDF_FIGURE_WIDTH_PX = 1040
PDF_MAP_SIZE_PX = (PDF_FIGURE_WIDTH_PX, 540)  # at the page's width, as tall as a page holds under its heading
# The most a page holds under its heading at the page's width (A4 landscape: 269 mm for
# PDF_FIGURE_WIDTH_PX, about 160 mm left under the heading): each part of the PDF's timeline is at
# most this tall, so it is placed at the page's width and its labels keep printing at 8 pt or more.
PDF_TIMELINE_PAGE_PX = 600


@dataclass
class BriefingImages:
    """Rendered figures by name and format (``"map.png"``, ``"timeline.svg"`` …); ``problems`` when missing."""

    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def get(self, name: str, fmt: str) -> bytes | None:
        return self.files.get(f"{name}.{fmt}")

    def parts(self, name: str, fmt: str) -> list[bytes]:
        """The pictures of a figure drawn in parts (``timeline_pages``), in order."""
        out = []
        while (data := self.files.get(f"{name}-{len(out) + 1}.{fmt}")) is not None:
            out.append(data)
        return out

    def has(self, name: str, fmt: str) -> bool:
        return f"{name}.{fmt}" in self.files or f"{name}-1.{fmt}" in self.files

    def put(self, name: str, fmt: str, data: bytes | tuple[bytes, ...]) -> None:
        """Keep a figure's picture, or the pictures of its parts (a tuple)."""
        if isinstance(data, tuple):
            for i, part in enumerate(data, start=1):
                self.files[f"{name}-{i}.{fmt}"] = part
        else:
            self.files[f"{name}.{fmt}"] = data


def map_figure(briefing: Briefing):
    """The zone map of the pack (only the zones the pack covers)."""
    ds = briefing.dataset
    shown = [b.zone_id for b in briefing.zones]
    zones = ds.zones[ds.zones["zone_id"].isin(shown)]
    return zone_map_figure(zones, ds.status, width=MAP_SIZE_PX[0], height=MAP_SIZE_PX[1], credit=False)


def page_map_figure(briefing: Briefing):
    """The zone map shaped for a landscape page (wider than tall), legend at its side."""
    ds = briefing.dataset
    zones = ds.zones[ds.zones["zone_id"].isin([b.zone_id for b in briefing.zones])]
    return zone_map_figure(zones, ds.status, width=PDF_MAP_SIZE_PX[0], height=PDF_MAP_SIZE_PX[1], credit=False)


def _timeline(briefing: Briefing, items: pd.DataFrame):
    from sez_metrics.render import figures

    return figures.programme_timeline(timeline.assess(items, briefing.reference.day), briefing.dataset.zones, **_reference(briefing))


def _shown_items(briefing: Briefing) -> pd.DataFrame:
    shown = tuple(b.zone_id for b in briefing.zones)
    return timeline.apply_filter(briefing.dataset.milestones, timeline.TimelineFilter(zones=shown))


def timeline_parts(briefing: Briefing, page_px: int = PDF_TIMELINE_PAGE_PX) -> list[list[str]]:
    """The programme timeline's rows (zone ids, "" for the programme's own row) cut into parts,
    whole rows each, top to bottom: as many rows as a part at most ``page_px`` tall holds (a row
    taller than that is a part of its own). Empty when there is no milestone to draw."""
    from sez_metrics.render import figures

    assessed = timeline.assess(_shown_items(briefing), briefing.reference.day)
    if assessed.empty:
        return []
    rows = figures.programme_rows(assessed, briefing.dataset.zones)
    x_range = figures.timeline_x_range(assessed, **_reference(briefing))
    _, _, bands = figures.lane_layout(assessed.reset_index(drop=True), rows, figures.span_of(x_range))
    parts: list[list[str]] = []
    height = page_px
    for (zone_id, _label), band in zip(rows, bands, strict=True):
        px = figures.row_px(band)
        if not parts or height + px > page_px:
            parts.append([])
            height = figures.TIMELINE_FRAME_PX
        parts[-1].append(zone_id)
        height += px
    return parts


def timeline_part_figures(briefing: Briefing) -> list:
    """The PDF's programme timeline as one figure per page (``timeline_parts``), every part on the
    whole timeline's dates, with the programme's meetings and reference lines drawn across each."""
    from sez_metrics.render import figures

    assessed = timeline.assess(_shown_items(briefing), briefing.reference.day)
    parts = timeline_parts(briefing)
    if not parts:
        return [timeline_figure(briefing)]
    reference = _reference(briefing)
    x_range = figures.timeline_x_range(assessed, **reference)
    events = figures.programme_events(assessed)
    zone_of = assessed["zone_id"].fillna("")
    return [figures.programme_timeline(assessed[zone_of.isin(part)], briefing.dataset.zones, x_range=x_range, events=events, **reference)
            for part in parts]


def _reference(briefing: Briefing) -> dict:
    return {"today": pd.Timestamp(briefing.generated_on), "as_of": pd.Timestamp(briefing.info.as_of),
            "today_chosen": briefing.reference.is_today}


def timeline_figure(briefing: Briefing):
    """The programme timeline of the pack's zones, every item, drawn as the Timeline page draws it.

    Slippage is measured to the pack's reference date (the version's as-of date unless today was
    chosen); a "today" line is drawn only when days late are counted to today.
    """
    return _timeline(briefing, _shown_items(briefing))


def focus_items(briefing: Briefing) -> pd.DataFrame:
    """The milestones a meeting discusses: still open, or done since the compared version's date, and
    the programme's meetings. Everything when there is nothing to compare with."""
    shown = tuple(b.zone_id for b in briefing.zones)
    items = timeline.apply_filter(briefing.dataset.milestones, timeline.TimelineFilter(zones=shown))
    if briefing.compare is None:
        return items
    since = pd.Timestamp(briefing.compare.as_of)
    open_items = items["status"].map(vocabulary.is_open)
    recent = items["done_date"] >= since
    meetings = (items["kind"] == "meeting") & (items["zone_id"].fillna("") == "")
    return items[open_items | recent | meetings]


def focus_timeline_figure(briefing: Briefing):
    """The timeline of what is open or moved since the compared version: the presenter's slide."""
    return _timeline(briefing, focus_items(briefing))


# Every figure a pack or a slide can show: how to build it and at which pixel size (None: its own height).
FIGURES = {
    "map": (map_figure, MAP_SIZE_PX),
    "timeline": (timeline_figure, (1400, None)),
    "timeline_focus": (focus_timeline_figure, (1700, 860)),
    "map_page": (page_map_figure, PDF_MAP_SIZE_PX),
    "timeline_page": (timeline_figure, (PDF_FIGURE_WIDTH_PX, None)),
    # several figures: kept as "timeline_pages-1.png", "timeline_pages-2.png" … (``BriefingImages.parts``)
    "timeline_pages": (timeline_part_figures, (PDF_FIGURE_WIDTH_PX, None)),
}


PICTURES_LEFT_OUT = N_("pictures left out")
_KEPT_IMAGES = 48  # pictures kept for the process (a pack has two or three)
_kept: OrderedDict[tuple, bytes] = OrderedDict()
_kept_lock = threading.Lock()


def _pack_key(briefing: Briefing) -> tuple:
    """What a pack's pictures depend on besides the figure and the format."""
    ref = briefing.reference
    return (briefing.info.entry_hash, briefing.compare.entry_hash if briefing.compare else None, briefing.language,
            str(ref.day), ref.is_today, briefing.generated_on if ref.is_today else None, tuple(b.zone_id for b in briefing.zones))


def forget_images() -> None:
    """Drop every picture kept for the process."""
    with _kept_lock:
        _kept.clear()


def in_language_fonts(fig, code: str):
    """``fig`` with its text set in language ``code``'s fonts (Chinese and Urdu glyphs, not boxes)."""
    fig.update_layout(font_family=fonts_for(code).css_families)
    return fig


def render_images(briefing: Briefing, formats: tuple[str, ...] = ("png", "svg"), names: tuple[str, ...] = ("map", "timeline")) -> BriefingImages:
    """Render the figures ``names`` in ``formats`` with one kaleido browser, in the storyline's language;
    reuse what this process already rendered for the same pack; record (not raise) failures."""
    code = briefing.language or i18n.current().code
    images = BriefingImages()
    wanted = [(name, fmt) for name in names for fmt in formats]
    key = _pack_key(briefing)
    with _kept_lock:
        for name, fmt in wanted:
            data = _kept.get((key, name, fmt))
            if data is not None:
                _kept.move_to_end((key, name, fmt))
                images.put(name, fmt, data)
    missing = [name for name in names if any(not images.has(name, fmt) for fmt in formats)]
    if not missing:
        return images
    with i18n.use_language(code):
        try:
            with static_images() as exporter:
                for name in missing:
                    build, (width, height) = FIGURES[name]
                    try:
                        built = build(briefing)
                        figs = [in_language_fonts(f, code) for f in (built if isinstance(built, list) else [built])]
                    except Exception as exc:  # a figure that cannot be built must not sink the whole pack
                        images.problems.append(_("{name} image unavailable: {error}").format(name=name, error=f"{type(exc).__name__}: {exc}"))
                        continue
                    for fmt in formats:
                        if images.has(name, fmt):
                            continue
                        scale = 2 if fmt == "png" else 1
                        drawn = tuple(exporter.image(fig, fmt, width=width, height=height or fig.layout.height, scale=scale) for fig in figs)
                        data = drawn if isinstance(built, list) else drawn[0]
                        images.put(name, fmt, data)
                        with _kept_lock:
                            _kept[(key, name, fmt)] = data
                            while len(_kept) > _KEPT_IMAGES:
                                _kept.popitem(last=False)
        except ImagesUnavailable as exc:  # no chromium, a crash, a stall: the pack is still useful without pictures
            images.problems.append(f"{_(PICTURES_LEFT_OUT)}: {exc}")
        except Exception as exc:
            images.problems.append(f"{_(PICTURES_LEFT_OUT)}: {type(exc).__name__}: {exc}")
    return images
