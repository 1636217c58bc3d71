"""The words and measures the presenter's slides share: escaping a value and isolating it inside a
translated sentence, and how a milestone stands in the current language (what fits on a slide:
``present_fit``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from sez_metrics.core import i18n, timeline
from sez_metrics.core.i18n import N_, _, ngettext
from sez_metrics.render.briefing.story import Briefing, MilestoneLine

LONG_TITLE_CHARS = 34  # longer slide titles are set smaller so they stay on one line beside the stamp
# The version stamp on every slide, and a slide counter as wide as any deck's (for measuring the top
# bar before the deck is counted).
STAMP = N_("As of {date} · {label} ({id})")
COUNTER_PLACEHOLDER = "99 / 99"


def stamp_words(briefing: Briefing) -> Words:
    """The version stamp every slide carries: as of when, which version."""
    info = briefing.info
    return Words(_(STAMP), {"date": info.as_of, "label": info.label, "id": info.id})


def stamp_text(briefing: Briefing, counter: str = COUNTER_PLACEHOLDER) -> str:
    """The stamp with its slide counter, as plain text (for measuring)."""
    return f"{stamp_words(briefing).text()} {counter}"


def numbered(title: str, part: int, count: int) -> str:
    """A slide title, with "(2/3)" when its content takes several slides (digits: the same in every language)."""
    return title if count <= 1 else f"{title} ({part + 1}/{count})"


@dataclass(frozen=True)
class Words:
    """A translated sentence and the values that go into it, read two ways from one source: as plain
    text (what the slide's fitting measures) and as HTML (what the slide shows, ``sentence``)."""

    template: str
    values: dict[str, object] = field(default_factory=dict)

    def text(self) -> str:
        return self.template.format(**self.values)

    def html(self) -> str:
        return sentence(self.template, **self.values)


def escape(value: object) -> str:
    """``value`` as HTML text (nothing of a CSV cell ever reaches a slide as markup)."""
    return html.escape("" if value is None else str(value), quote=True)


def sentence(template: str, **values: object) -> str:
    """A translated sentence as HTML: the sentence escaped, each value escaped and isolated in a span
    of its own direction (``dir="auto"``, what ``<bdi>`` does), so that an English version label keeps
    its order inside an Urdu sentence (and the other way round)."""
    return escape(template).format(**{name: f'<span class="sez-v" dir="auto">{escape(value)}</span>' for name, value in values.items()})


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
