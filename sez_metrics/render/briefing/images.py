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


@dataclass
class BriefingImages:
    """Rendered figures by name and format (``"map.png"``, ``"timeline.svg"`` …); ``problems`` when missing."""

    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def get(self, name: str, fmt: str) -> bytes | None:
        return self.files.get(f"{name}.{fmt}")


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

    assessed = timeline.assess(items, briefing.reference.day)
    return figures.programme_timeline(assessed, briefing.dataset.zones, today=pd.Timestamp(briefing.generated_on),
                                      as_of=pd.Timestamp(briefing.info.as_of), today_chosen=briefing.reference.is_today)


def timeline_figure(briefing: Briefing):
    """The programme timeline of the pack's zones, every item, drawn as the Timeline page draws it.

    Slippage is measured to the pack's reference date (the version's as-of date unless today was
    chosen); a "today" line is drawn only when days late are counted to today.
    """
    shown = tuple(b.zone_id for b in briefing.zones)
    return _timeline(briefing, timeline.apply_filter(briefing.dataset.milestones, timeline.TimelineFilter(zones=shown)))


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
                images.files[f"{name}.{fmt}"] = data
    missing = [name for name in names if any(f"{name}.{fmt}" not in images.files for fmt in formats)]
    if not missing:
        return images
    with i18n.use_language(code):
        try:
            with static_images() as exporter:
                for name in missing:
                    build, (width, height) = FIGURES[name]
                    try:
                        fig = in_language_fonts(build(briefing), code)
                    except Exception as exc:  # a figure that cannot be built must not sink the whole pack
                        images.problems.append(_("{name} image unavailable: {error}").format(name=name, error=f"{type(exc).__name__}: {exc}"))
                        continue
                    for fmt in formats:
                        if f"{name}.{fmt}" in images.files:
                            continue
                        scale = 2 if fmt == "png" else 1
                        data = exporter.image(fig, fmt, width=width, height=height or fig.layout.height, scale=scale)
                        images.files[f"{name}.{fmt}"] = data
                        with _kept_lock:
                            _kept[(key, name, fmt)] = data
                            while len(_kept) > _KEPT_IMAGES:
                                _kept.popitem(last=False)
        except ImagesUnavailable as exc:  # no chromium, a crash, a stall: the pack is still useful without pictures
            images.problems.append(f"{_(PICTURES_LEFT_OUT)}: {exc}")
        except Exception as exc:
            images.problems.append(f"{_(PICTURES_LEFT_OUT)}: {type(exc).__name__}: {exc}")
    return images
