"""The presenter's map slide picture: the pack's zone map drawn at the size a 1280×720 screen shows
it, so that its zone labels are never scaled below the slides' smallest type.

The picture carries only the zones and their names (no legend, no province names: the table beside
it on the slide lists each zone with its stage, in the slide's own large type).
"""

from __future__ import annotations

from sez_metrics.render.briefing.images import PICTURES_LEFT_OUT, BriefingImages
from sez_metrics.render.briefing.story import Briefing
from sez_metrics.render.static_map import LABEL_FONT_PX, ImagesUnavailable, static_images, zone_map_figure

# The slide shows the picture ``calc(100vh - 19 units)`` high (``present_style``): 477 px at 1280×720,
# 715 px at 1920×1080. Drawn 390 px high, its labels are magnified at least 1.22 times.
MAP_SLIDE_PX = (430, 390)
SMALLEST_SHOWN_HEIGHT_PX = 720 - 12.8 * 19


def smallest_label_px() -> float:
    """The size the map's zone labels are shown at on the smallest screen the slides are made for."""
    return LABEL_FONT_PX * SMALLEST_SHOWN_HEIGHT_PX / MAP_SLIDE_PX[1]


def slide_map_figure(briefing: Briefing):
    """The zones of the briefing on the offline basemap, named, without legend or province names."""
    ds = briefing.dataset
    zones = ds.zones[ds.zones["zone_id"].isin([b.zone_id for b in briefing.zones])]
    fig = zone_map_figure(zones, ds.status, width=MAP_SLIDE_PX[0], height=MAP_SLIDE_PX[1], credit=False)
    fig.update_layout(showlegend=False)
    fig.layout.annotations = [a for a in fig.layout.annotations if (a.name or "").startswith("zone-label:")]
    return fig


def render_slide_images(briefing: Briefing) -> BriefingImages:
    """The map slide's picture as SVG (``map.svg``); without a browser, the reason in ``problems``."""
    images = BriefingImages()
    try:
        with static_images() as exporter:
            images.files["map.svg"] = exporter.image(slide_map_figure(briefing), "svg", width=MAP_SLIDE_PX[0], height=MAP_SLIDE_PX[1])
    except ImagesUnavailable as exc:
        images.problems.append(f"{PICTURES_LEFT_OUT}: {exc}")
    except Exception as exc:  # a figure that cannot be drawn leaves the slide to draw it in the page
        images.problems.append(f"{PICTURES_LEFT_OUT}: {type(exc).__name__}: {exc}")
    return images
