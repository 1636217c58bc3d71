"""The zone map's markers: what their colour shows, their size, how precision is drawn, the legend.

- fill = the chosen measure (Okabe–Ito for ordered categories, a single-hue ramp for
  colonization), always with the category symbol in the label, so colour is never the only cue;
- size = area (radius ∝ √area, at least ``MIN_RADIUS_PX`` so small zones stay visible);
- location precision = rings around the disk (layer ``zone-rings``), not colour: a surveyed
  ``site`` is a plain disk, an ``approximate`` point has one ring, a ``town`` point two (more
  rings, less certain). Every marker is filled whatever its precision: the largest zone shows the
  most colour.
A dense map (more zones than ``MAX_LABELLED_ZONES``) draws smaller markers without the ring layer
(precision is then the edge: dark for a site, white for an approximate point, a wider white edge
for a town).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from sez_metrics.core import palette, schema
from sez_metrics.core.i18n import N_, _

MIN_RADIUS_PX = 8.0
MAX_RADIUS_PX = 22.0
EDGE_PX = 1.5  # the dark edge of every marker on a map with rings
PRECISION_RINGS_PX = palette.PRECISION_RINGS_PX  # rings around a marker by location precision
RING_LINE_PX = palette.PRECISION_RING_LINE_PX
# A dense map (more zones than get a label) draws smaller markers without rings: at country scale
# thousands of 8–22 px markers only cover each other, and every pixel of every marker is drawn
# again on each frame (seconds per page load where WebGL runs without a GPU). Precision is then
# the marker's edge: its colour and width.
DENSE_MIN_RADIUS_PX = 3.5
DENSE_MAX_RADIUS_PX = 11.0
DENSE_EDGE = {"site": ((31, 41, 51), 1.0), "approximate": ((255, 255, 255), 1.5), "town": ((255, 255, 255), 2.5)}
OUTLINE = [31, 41, 51]
# Beyond this many zones only the largest (and the selected one) carry a label: label placement is
# quadratic, and thousands of labels would cover the country anyway (5,000 zones: minutes → ms).
MAX_LABELLED_ZONES = 60


@dataclass(frozen=True)
class Measure:
    """What the marker colour shows (``label``: shown as ``_(measure.label)``)."""

    code: str
    label: str
    column: str
    enum: schema.Enumeration | None  # None: a quantity (colonization %)


MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure("stage", N_("Stage"), "stage", schema.STAGE),
        Measure("gas", N_("Gas"), "gas", schema.UTILITY_STAGE),
        Measure("electricity", N_("Electricity"), "electricity", schema.UTILITY_STAGE),
        Measure("colonization", N_("Colonization"), "colonization_pct", None),
    )
}
DEFAULT_MEASURE = "stage"


@dataclass(frozen=True)
class LegendEntry:
    """One line of the map legend: a marker style, a symbol and words."""

    symbol: str
    label: str
    colour: str  # hex
    shape: str  # "disk", "ring", "two-rings"; dense map: "edge-dark", "edge-white", "edge-white-wide"


def _category_colour(measure: Measure, code: str) -> str:
    colours = palette.STAGE_COLOURS if measure.enum is schema.STAGE else palette.UTILITY_COLOURS
    return colours.get(code, palette.GREY)


def measure_colour(measure: Measure, value: object) -> str:
    """Hex colour of a zone's value of ``measure`` (grey when unknown)."""
    if measure.enum is None:
        index = palette.colonization_class(None if value is None or pd.isna(value) else float(value))
        return palette.GREY if index is None else palette.COLONIZATION_RAMP[index]
    return _category_colour(measure, str(value))


def measure_legend(measure: Measure) -> list[LegendEntry]:
    """Colour classes of ``measure``, least advanced first, each with its symbol and label."""
    if measure.enum is None:
        return [
            LegendEntry(palette.COLONIZATION_SYMBOLS[i], palette.colonization_class_label(i), colour, "disk")
            for i, colour in enumerate(palette.COLONIZATION_RAMP)
        ]
    return [LegendEntry(c.symbol, measure.enum.label(c.code), _category_colour(measure, c.code), "disk") for c in measure.enum.codes]


def precision_legend(dense: bool = False) -> list[LegendEntry]:
    """How the map shows location precision (rings; on a dense map the marker's edge)."""
    symbol = schema.LOCATION_PRECISION.symbol
    if dense:
        return [
            LegendEntry(symbol("site"), _("Surveyed site — dark edge"), palette.GREY, "edge-dark"),
            LegendEntry(symbol("approximate"), _("Approximate (a few km) — white edge"), palette.GREY, "edge-white"),
            LegendEntry(symbol("town"), _("Nearest town only (10–20 km) — wide white edge"), palette.GREY, "edge-white-wide"),
        ]
    return [
        LegendEntry(symbol("site"), _("Surveyed site — plain disk"), palette.GREY, "disk"),
        LegendEntry(symbol("approximate"), _("Approximate (a few km) — one ring"), palette.GREY, "ring"),
        LegendEntry(symbol("town"), _("Nearest town only (10–20 km) — two rings"), palette.GREY, "two-rings"),
    ]


def marker_radius(area_acres: float, max_area: float, dense: bool = False) -> float:
    """Marker radius in pixels: proportional to √area, never below ``MIN_RADIUS_PX`` (the
    ``DENSE_`` sizes on a ``dense`` map)."""
    smallest, largest = (DENSE_MIN_RADIUS_PX, DENSE_MAX_RADIUS_PX) if dense else (MIN_RADIUS_PX, MAX_RADIUS_PX)
    if not max_area or pd.isna(area_acres) or area_acres <= 0:
        return smallest
    return max(smallest, largest * math.sqrt(area_acres / max_area))



def is_dense(zone_count: int) -> bool:
    """A map of more zones than get a label: smaller markers, no rings, a compact tooltip."""
    return zone_count > MAX_LABELLED_ZONES



def marker_drawing(precision: str, colour: tuple[int, int, int], radius: float, dense: bool) -> dict:
    """How a marker is drawn: its disk filled with the measure's colour, and its precision as rings
    (or, on a dense map, as the disk's edge)."""
    if dense:
        edge, width = DENSE_EDGE.get(precision, DENSE_EDGE["town"])
        rings: tuple[float, ...] = ()
    else:
        edge, width = tuple(OUTLINE), EDGE_PX
        rings = PRECISION_RINGS_PX.get(precision, PRECISION_RINGS_PX["town"])
    return {
        # the stroke is centred on the radius: offset it to keep the disk's outer edge at `radius`
        "radius_px": radius - width / 2,
        "line_width_px": width,
        "fill_color": [*colour, 255],
        "line_color": [*edge, 255],
        "rings_px": [round(radius + r, 2) for r in rings],
        # what the marker covers, rings included: labels keep clear of it
        "outer_radius_px": radius + (rings[-1] + RING_LINE_PX / 2 if rings else 0.0),
    }
