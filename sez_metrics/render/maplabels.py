"""Zone-map labels: how wide a label is, and where it goes around its marker.

One implementation for the dashboard map (``maplayers``) and the briefing pack's map
(``static_map``). It works on projected coordinates only: each caller projects its zones into the
pixels of its own view (x to the right, y down, the view spanning ``0..width`` × ``0..height``)
and hands the markers over in priority order.

Placement is greedy and deterministic: each label in turn takes the first of a fixed list of
candidate spots around its marker (right, left, below, above, the four corners; then the same a
little further out, with a leader line) that lies wholly inside the view and clear of every label
placed before it, preferring a spot that covers no other marker. A label with no such spot is
left out (its zone keeps its marker, tooltip and table row) rather than drawn over another one.

Widths come from the advance widths of DejaVu Sans, the first font both maps ask for (Debian's
``fonts-dejavu-core``, which chromium draws the dashboard and the pack with). Characters outside
the table count as one em, wider than most glyphs, so an estimate errs on the roomy side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Box = tuple[float, float, float, float]  # left, top, right, bottom (pixels, y down)

# Advance widths of DejaVu Sans (Book, then Bold) for the printable ASCII characters 32–126, in
# thousandths of an em, read from the fonts' hmtx tables.
_ASCII_BOOK = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632,
    575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685,
    611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579,
    278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
)
_ASCII_BOLD = (
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696,
    696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683,
    683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771,
    724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665,
    343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
)
# The symbols the labels carry (stage ①–⑥, utility and colonization marks) and a few punctuation
# marks: narrower than an em, and common on every label.
_SYMBOLS = {"·": 380, "–": 500, "—": 1000, "…": 1000, "✓": 838, "✗": 838, "⚠": 896,
            **dict.fromkeys("①②③④⑤⑥⑦⑧⑨", 896), **dict.fromkeys("◉○◌◎●◐◑◔◕", 873)}
_OTHER = 1000
LINE_HEIGHT_EM = 1.25


def text_width_px(text: str, font_px: float, *, bold: bool = False) -> float:
    """How wide ``text`` is drawn in DejaVu Sans at ``font_px`` (the widest line of several)."""
    table = _ASCII_BOLD if bold else _ASCII_BOOK

    def line_width(line: str) -> float:
        return sum(table[ord(c) - 32] if 32 <= ord(c) <= 126 else _SYMBOLS.get(c, _OTHER) for c in line)

    return max(line_width(line) for line in text.split("\n")) * font_px / 1000


@dataclass(frozen=True)
class LabelStyle:
    """How a map draws its labels: font size and weight, and the padding of the label's background."""

    font_px: float
    bold: bool = False
    pad_x: float = 3.0
    pad_y: float = 1.0

    def size(self, text: str) -> tuple[float, float]:
        """Width and height of ``text``'s label box (text and background), in pixels."""
        lines = text.count("\n") + 1
        return (text_width_px(text, self.font_px, bold=self.bold) + 2 * self.pad_x,
                lines * LINE_HEIGHT_EM * self.font_px + 2 * self.pad_y)

    def box(self, x: float, y: float, text: str, anchor: str = "middle", baseline: str = "center") -> Box:
        """The label box of ``text`` whose anchor point is (x, y): ``anchor`` start/middle/end puts the
        box's left edge, centre or right edge there; ``baseline`` top/center/bottom its top, middle or bottom."""
        width, height = self.size(text)
        left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        top = {"top": y, "center": y - height / 2, "bottom": y - height}[baseline]
        return left, top, left + width, top + height


@dataclass(frozen=True)
class Marker:
    """A zone's marker in view pixels: its centre, its drawn radius (rings included) and its label
    (None: an obstacle only, e.g. an unlabelled zone on a dense map)."""

    x: float
    y: float
    radius: float
    text: str | None


@dataclass(frozen=True)
class Placement:
    """Where a label goes: its anchor point's offset from the marker centre (pixels, y down), how the
    box hangs from that point, the box itself (view pixels), and whether it stands apart from its
    marker far enough to need a leader line."""

    dx: float
    dy: float
    anchor: str  # start | middle | end
    baseline: str  # top | center | bottom
    box: Box
    leader: bool

    @property
    def centre(self) -> tuple[float, float]:
        """The box's centre (view pixels)."""
        return (self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2


# (x sign, y sign, anchor, baseline): right, left, below, above, then the four corners.
SLOTS = (
    (1, 0, "start", "center"), (-1, 0, "end", "center"), (0, 1, "middle", "top"), (0, -1, "middle", "bottom"),
    (1, -1, "start", "bottom"), (1, 1, "start", "top"), (-1, -1, "end", "bottom"), (-1, 1, "end", "top"),
)
# Gaps between a marker's edge and its label, in pixels: the first ring of spots, then further out
# (with a leader line) when every near spot is taken.
GAPS = (4.0, 16.0, 32.0, 52.0)
# Corner spots sit on the diagonal, this much of the gap along each axis.
DIAGONAL = 0.72
# Space kept between two labels and between a label and the view's edge.
SPACING_PX = 2.0


def intersects(a: Box, b: Box) -> bool:
    """True when the two boxes share any area (touching edges do not count)."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _candidates(marker: Marker, style: LabelStyle):
    for ring, gap in enumerate(GAPS):
        reach = marker.radius + gap
        for sx, sy, anchor, baseline in SLOTS:
            factor = DIAGONAL if sx and sy else 1.0
            dx, dy = sx * reach * factor, sy * reach * factor
            box = style.box(marker.x + dx, marker.y + dy, marker.text, anchor, baseline)
            yield Placement(round(dx, 1), round(dy, 1), anchor, baseline, box, ring > 0)


def place_labels(markers: Sequence[Marker], width: float, height: float, style: LabelStyle, *,
                 obstacles: Sequence[Box] = ()) -> list[Placement | None]:
    """A spot for each marker's label, in the order given (the first gets the best spot).

    The view spans (0, 0)–(``width``, ``height``). Every placed box lies inside it and clear of
    every other placed box and of ``obstacles``; among such spots the first that covers no other
    marker wins, else the one covering least. Returns one entry per marker, aligned with
    ``markers``: None for a marker without text or whose label fits nowhere.
    """
    if not markers:
        return []
    xs = np.array([m.x for m in markers], dtype=float)
    ys = np.array([m.y for m in markers], dtype=float)
    rs = np.array([m.radius for m in markers], dtype=float)
    left, top, right, bottom = xs - rs, ys - rs, xs + rs, ys + rs
    placed: list[Box] = [tuple(o) for o in obstacles]
    out: list[Placement | None] = [None] * len(markers)
    for index, marker in enumerate(markers):
        if not marker.text:
            continue
        best: tuple[float, Placement] | None = None
        for candidate in _candidates(marker, style):
            b = candidate.box
            if b[0] < SPACING_PX or b[1] < SPACING_PX or b[2] > width - SPACING_PX or b[3] > height - SPACING_PX:
                continue
            padded = (b[0] - SPACING_PX, b[1] - SPACING_PX, b[2] + SPACING_PX, b[3] + SPACING_PX)
            if any(intersects(padded, p) for p in placed):
                continue
            w = np.clip(np.minimum(right, b[2]) - np.maximum(left, b[0]), 0, None)
            h = np.clip(np.minimum(bottom, b[3]) - np.maximum(top, b[1]), 0, None)
            covered = w * h
            covered[index] = 0.0  # its own marker: the spots are around it by construction
            cost = float(covered.sum())
            if best is None or cost < best[0]:
                best = (cost, candidate)
            if cost == 0:
                break
        if best is not None:
            out[index] = best[1]
            placed.append(best[1].box)
    return out
