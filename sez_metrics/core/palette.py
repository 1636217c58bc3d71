"""Colours of the dashboard: one colour-blind-safe palette shared by the map and the charts.

Categories use the Okabe–Ito palette (distinguishable with the common colour-vision
deficiencies); ordered categories run from vermillion (least advanced) to bluish green
(complete), so red-to-green is never the only cue: every colour also comes with the
enumeration's symbol and label. Colonization, a quantity, uses a single-hue (blue) ramp.
"""

from __future__ import annotations

from sez_metrics.core import schema

# Okabe & Ito (2008), "Color Universal Design".
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#7A7A7A"

STAGE_COLOURS: dict[str, str] = {
    "identified": VERMILLION,
    "land_acquired": ORANGE,
    "notified": YELLOW,
    "under_development": SKY_BLUE,
    "partly_operational": BLUE,
    "operational": BLUISH_GREEN,
}

UTILITY_COLOURS: dict[str, str] = {
    "not_started": VERMILLION,
    "approved": ORANGE,
    "under_construction": YELLOW,
    "interim": SKY_BLUE,
    "connected": BLUISH_GREEN,
}

# ColorBrewer "Blues", its lightest step dropped so the first class still shows on the beige
# basemap: light = little of the zone allotted, dark = most of it. Each class has a pie symbol.
COLONIZATION_RAMP: tuple[str, ...] = ("#C6DBEF", "#9ECAE1", "#6BAED6", "#3182BD", "#08519C")
COLONIZATION_SYMBOLS: tuple[str, ...] = ("○", "◔", "◑", "◕", "●")
# Upper bounds (inclusive) of the colonization classes, in percent.
COLONIZATION_BREAKS: tuple[float, ...] = (10, 25, 50, 75, 100)

# Location precision is drawn as rings around a zone's marker, on the dashboard map and the
# pack's map alike: none for a surveyed site, one for an approximate point, two for a town (more
# rings, less certain). Each ring's distance from the marker's edge, in pixels.
PRECISION_RINGS_PX: dict[str, tuple[float, ...]] = {"site": (), "approximate": (4.5,), "town": (4.5, 9.5)}
PRECISION_RING_LINE_PX = 2.0

assert set(STAGE_COLOURS) == set(schema.STAGE.values)
assert set(PRECISION_RINGS_PX) == set(schema.LOCATION_PRECISION.values)
assert set(UTILITY_COLOURS) == set(schema.UTILITY_STAGE.values)


def colonization_class(pct: float | None) -> int | None:
    """Index of the colonization class ``pct`` falls in (0 = least), None when unknown."""
    if pct is None or pct != pct:  # NaN
        return None
    for index, upper in enumerate(COLONIZATION_BREAKS):
        if pct <= upper:
            return index
    return len(COLONIZATION_BREAKS) - 1


def colonization_class_label(index: int) -> str:
    """Human label of a colonization class, e.g. ``"10–25 %"``."""
    lower = 0 if index == 0 else COLONIZATION_BREAKS[index - 1]
    upper = COLONIZATION_BREAKS[index]
    return f"{lower:g}–{upper:g} %"


def hex_to_rgb(colour: str) -> list[int]:
    """``"#0072B2"`` → ``[0, 114, 178]`` (deck.gl wants RGB(A) lists)."""
    value = colour.lstrip("#")
    return [int(value[i : i + 2], 16) for i in (0, 2, 4)]
