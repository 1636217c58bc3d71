"""What fits on a slide: the slide's geometry (from the sizes the stylesheet is written in,
``present_style``) and the measured height of its texts (``textmeasure``), in the current language.

A slide is fitted on the smallest screen it is made for (1280×720): every size there is the same
share of the screen as at 1920×1080 except the presenter's controls, set in pixels, which take the
larger share of a small screen. Heights are in pixels of that screen.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from sez_metrics.core import i18n
from sez_metrics.render import present_style as style
from sez_metrics.render import textmeasure

SCREEN = (1280, 720)
UNIT_PX = min(SCREEN[0] / 100, SCREEN[1] * 0.0178)  # ``--sez-unit: min(1vw, 1.78vh)``
# The controls at the foot of the screen: one row of buttons in 18.5 px type, framed (measured in chromium).
CONTROLS_PX = 54
# Room kept free under a slide's content for what the measure cannot know (a line broken one word
# earlier, a rounding of each line box): one line of the slide's smallest type.
SAFETY_PX = style.SMALLEST_TEXT_UNITS * UNIT_PX * 1.3


def px(units: float) -> float:
    return units * UNIT_PX


SLIDE_WIDTH_PX = SCREEN[0] - 2 * px(style.PAGE_PADDING_UNITS[1])
# From the slide's top to the top of the controls.
SLIDE_HEIGHT_PX = SCREEN[1] - px(style.PAGE_PADDING_UNITS[0]) - px(style.CONTROL_BOTTOM_UNITS) - CONTROLS_PX


def lang() -> str:
    return i18n.current().code


def line_heights() -> tuple[float, float]:
    """The current language's line heights: its own words, and data."""
    return style.line_heights(lang())


def text_lines(text: str, width_px: float, size_units: float, *, bold: bool = False) -> int:
    return len(textmeasure.lines(text, width_px, px(size_units), lang(), bold=bold))


def text_height(text: str, width_px: float, size_units: float, line_height: float, *, bold: bool = False) -> float:
    return textmeasure.height(text, width_px, px(size_units), lang(), line_height, bold=bold)


def text_width(text: str, size_units: float, *, bold: bool = False) -> float:
    return textmeasure.width(text, px(size_units), lang(), bold=bold)


def columns(count: int, total_px: float = SLIDE_WIDTH_PX, gap_units: float = style.COLUMN_GAP_UNITS) -> float:
    """The width of each of ``count`` equal columns."""
    return (total_px - (count - 1) * px(gap_units)) / count


def bar_height(title: str, stamp: str, long_title: bool) -> float:
    """The top bar's height with the gap under it: the title beside the stamp (at most 48 % wide), either wrapping."""
    stamp_pad = px(style.STAMP_PADDING_UNITS[1]) * 2
    stamp_width = min(text_width(stamp, style.SMALLEST_TEXT_UNITS, bold=True) + stamp_pad + 1, SLIDE_WIDTH_PX * style.STAMP_MAX_SHARE)
    stamp_height = (text_height(stamp, stamp_width - stamp_pad, style.SMALLEST_TEXT_UNITS, style.STAMP_LINE_HEIGHT, bold=True)
                    + 2 * px(style.STAMP_PADDING_UNITS[0]))
    size = style.LONG_TITLE_UNITS if long_title else style.TITLE_UNITS
    title_width = SLIDE_WIDTH_PX - stamp_width - SCREEN[0] * 0.02
    title_height = text_height(title, title_width, size, style.TITLE_LINE_HEIGHT, bold=True)
    return max(stamp_height, title_height) + px(style.BAR_GAP_UNITS[0]) + style.BAR_RULE_PX + px(style.BAR_GAP_UNITS[1])


def body_height(title: str, stamp: str, long_title: bool) -> float:
    """The room under the top bar, above the controls, less the safety line."""
    return SLIDE_HEIGHT_PX - bar_height(title, stamp, long_title) - SAFETY_PX


def heading_height(text: str, width_px: float, line_height: float | None = None) -> float:
    """A zone's or a column's heading (bold; at the data's line height unless told) with the gap under it."""
    line = line_heights()[1] if line_height is None else line_height
    return text_height(text, width_px, style.HEADING_UNITS, line, bold=True) + px(style.HEADING_GAP_UNITS)


def list_height(items: list[str], width_px: float, size_units: float, line_height: float) -> float:
    """A bulleted list's items, each wrapped in the list's width less its indent."""
    inner = width_px - style.LIST_INDENT_EM * px(size_units)
    return sum(text_height(item, inner, size_units, line_height) for item in items)


def note_height(text: str, width_px: float = SLIDE_WIDTH_PX) -> float:
    """A note under the slide's content: the smallest type, its own line height, the gap above it (none: 0)."""
    if not text:
        return 0.0
    return text_height(text, width_px, style.SMALLEST_TEXT_UNITS, line_heights()[0]) + px(style.NOTE_GAP_UNITS)


def subtitle_height(text: str) -> float:
    return text_height(text, SLIDE_WIDTH_PX, style.TEXT_UNITS, line_heights()[1]) + px(style.SUBTITLE_GAP_UNITS)


@dataclass(frozen=True)
class Table:
    """A zone slide's milestone table: the name wraps, the date does not, the state has 32 % of the width."""

    width_px: float

    @property
    def size(self) -> float:
        return style.SMALLEST_TEXT_UNITS

    def _pad(self) -> float:
        return 2 * style.CELL_PADDING_EM[1] * px(self.size)

    def row_height(self, title: str, date: str, state: str) -> float:
        line, data = line_heights()
        slip_width = self.width_px * style.SLIP_COLUMN_SHARE - self._pad()
        date_width = text_width(date, self.size) + self._pad()
        title_width = self.width_px - slip_width - self._pad() - date_width - self._pad()
        inner = max(text_height(title, title_width, self.size, data), text_height(state, slip_width, self.size, line))
        return inner + 2 * style.CELL_PADDING_EM[0] * px(self.size) + 1

    def head_height(self) -> float:
        return px(self.size) * line_heights()[0] + 2 * style.CELL_PADDING_EM[0] * px(self.size) + 1


def spread_by_height(heights: list[float], room: float) -> list[range]:
    """Items of these heights cut, in order, into as few pages of at most ``room`` as they fit, the
    pages as even as they can be (the tallest page as short as it can be): no last page a stub."""
    count = len(heights)
    if not count:
        return [range(0)]
    pages = 1
    while True:
        cut = _balanced(heights, pages)
        if all(sum(heights[i] for i in page) <= room or len(page) == 1 for page in cut) or pages >= count:
            return cut
        pages += 1


def _balanced(heights: list[float], pages: int) -> list[range]:
    """``heights`` cut into ``pages`` consecutive runs whose tallest is as short as it can be."""
    count = len(heights)
    prefix = [0.0]
    for h in heights:
        prefix.append(prefix[-1] + h)
    # best[k][i]: the least tallest run cutting the first i items into k runs
    inf = float("inf")
    best = [[inf] * (count + 1) for _ in range(pages + 1)]
    where = [[0] * (count + 1) for _ in range(pages + 1)]
    best[0][0] = 0.0
    for k in range(1, pages + 1):
        for i in range(1, count + 1):
            for j in range(k - 1, i):
                value = max(best[k - 1][j], prefix[i] - prefix[j])
                if value < best[k][i]:
                    best[k][i], where[k][i] = value, j
    edges = [count]
    for k in range(pages, 0, -1):
        edges.append(where[k][edges[-1]])
    edges.reverse()
    return [range(edges[k], edges[k + 1]) for k in range(pages)]


_MEMO: dict[tuple[int, str, str], tuple[weakref.ref, object]] = {}


def memo(owner: object, name: str, compute):
    """``compute()`` once for each ``owner`` (a briefing), ``name`` and language: a slide's layout
    is measured once, not again for each slide drawn from it."""
    key = (id(owner), name, lang())
    hit = _MEMO.get(key)
    if hit is not None and hit[0]() is owner:
        return hit[1]
    value = compute()
    if len(_MEMO) > 256:
        _MEMO.clear()
    _MEMO[key] = (weakref.ref(owner), value)
    return value
