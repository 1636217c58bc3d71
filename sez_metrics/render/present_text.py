"""The words and measures the presenter's slides share: escaping a value and isolating it inside a
translated sentence, how a milestone stands in the current language, and how many lines a slide
holds in the current script.
"""

from __future__ import annotations

import html
import math

from sez_metrics.core import i18n, timeline
from sez_metrics.core.i18n import N_, _, ngettext
from sez_metrics.render import present_style
from sez_metrics.render.briefing.story import MilestoneLine
from sez_metrics.render.fonts import fonts_for

# A right-to-left slide sets its data lines taller (``present_style.DATA_LINE_HEIGHT``): fewer fit.
BASE_LINE_HEIGHT = present_style.SLIDE_LINE_HEIGHT


def escape(value: object) -> str:
    """``value`` as HTML text (nothing of a CSV cell ever reaches a slide as markup)."""
    return html.escape("" if value is None else str(value), quote=True)


def sentence(template: str, **values: object) -> str:
    """A translated sentence as HTML: the sentence escaped, each value escaped and isolated in a span
    of its own direction (``dir="auto"``, what ``<bdi>`` does), so that an English version label keeps
    its order inside an Urdu sentence (and the other way round)."""
    return escape(template).format(**{name: f'<span class="sez-v" dir="auto">{escape(value)}</span>' for name, value in values.items()})


def line_budget(lines: int, *, headed: bool = False) -> int:
    """``lines`` of the slide's type, as many as fit in the current language's line height of data
    (``headed``: in a column whose headings and labels are in the language's own, taller, lines)."""
    lang = i18n.current()
    height = fonts_for(lang.code).line_height if headed and lang.direction == "rtl" else present_style.DATA_LINE_HEIGHT[lang.direction]
    return max(1, int(lines * BASE_LINE_HEIGHT / max(height, BASE_LINE_HEIGHT)))


def spread(count: int, most: int) -> list[range]:
    """``count`` items cut, in order, into as few pages of at most ``most`` as they fit, evenly."""
    pages = max(1, math.ceil(count / most))
    edges = [round(count * k / pages) for k in range(pages + 1)]
    return [range(edges[k], edges[k + 1]) for k in range(pages)]


# The timeline's states (``timeline.SLIP_STATES``), marked here for the catalogues: the slides name them.
SLIP_STATE_LABELS = (N_("Overdue"), N_("Expected to slip"), N_("Done late"), N_("In progress"), N_("Planned"),
                     N_("Done on time"), N_("Cancelled"))


def slip_text(line: MilestoneLine) -> str:
    """How a milestone stands, in the current language: "⚠ Overdue: 120 days late", "✓ Done on time"."""
    state = timeline.SLIP_STATES.get(line.state)
    if state is None:
        return line.slip
    if state.late and line.days_late:
        return ngettext("{symbol} {state}: {n} day late", "{symbol} {state}: {n} days late", line.days_late).format(
            symbol=state.symbol, state=_(state.label), n=i18n.number(line.days_late, 0))
    return f"{state.symbol} {_(state.label)}"
