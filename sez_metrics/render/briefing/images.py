"""The pack's pictures: the zone map and the programme timeline, rendered once per pack.

Images come from ``static_map.static_images()`` (kaleido with Debian chromium, one browser for the
whole pack, a deadline on every step). Without a browser, or when it crashes or stalls, the pack is
still written without pictures, saying why ("pictures left out: …").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from sez_metrics.core import timeline, vocabulary
from sez_metrics.render.briefing.story import Briefing
from sez_metrics.render.static_map import ImagesUnavailable, static_images, zone_map_figure

MAP_SIZE_PX = (1000, 900)


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
}


PICTURES_LEFT_OUT = "pictures left out"


def render_images(briefing: Briefing, formats: tuple[str, ...] = ("png", "svg"), names: tuple[str, ...] = ("map", "timeline")) -> BriefingImages:
    """Render the figures ``names`` in ``formats`` with one kaleido browser; record (not raise) failures."""
    images = BriefingImages()
    try:
        with static_images() as exporter:
            for name in names:
                build, (width, height) = FIGURES[name]
                try:
                    fig = build(briefing)
                except Exception as exc:  # a figure that cannot be built must not sink the whole pack
                    images.problems.append(f"{name} image unavailable: {type(exc).__name__}: {exc}")
                    continue
                for fmt in formats:
                    scale = 2 if fmt == "png" else 1
                    images.files[f"{name}.{fmt}"] = exporter.image(fig, fmt, width=width, height=height or fig.layout.height, scale=scale)
    except ImagesUnavailable as exc:  # no chromium, a crash, a stall: the pack is still useful without pictures
        images.problems.append(f"{PICTURES_LEFT_OUT}: {exc}")
    except Exception as exc:
        images.problems.append(f"{PICTURES_LEFT_OUT}: {type(exc).__name__}: {exc}")
    return images
