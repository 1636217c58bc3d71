"""The presenter's timeline slides: one row per milestone a meeting discusses, its zone and name
beside its marker on a time axis every timeline slide shares, its date and how it stands; a few rows
to a slide, more slides when there are more rows.
"""

from __future__ import annotations

import math

import pandas as pd

from sez_metrics.core import i18n, timeline, vocabulary
from sez_metrics.core.i18n import _
from sez_metrics.render.briefing.images import focus_items
from sez_metrics.render.briefing.story import Briefing, MilestoneLine
from sez_metrics.render.present_text import escape as _e
from sez_metrics.render.present_text import line_budget, sentence, slip_text, spread

# This many milestones to a slide, every one named beside its marker.
TIMELINE_ROWS_PER_SLIDE = 6


def timeline_rows(briefing: Briefing) -> list[tuple[str, MilestoneLine]]:
    """(who, milestone) of what a meeting discusses (``images.focus_items``: open, done since the
    compared version, the programme's meetings): the programme's first, then zone by zone, by date."""
    focus = set(focus_items(briefing)["milestone_id"])
    rows = [(_(vocabulary.PROGRAMME), m) for m in briefing.programme_events if m.milestone_id in focus]
    for zone in briefing.zones:
        rows += [(zone.short_name, m) for m in zone.milestones if m.milestone_id in focus]
    return rows


def timeline_pages(briefing: Briefing) -> list[list[tuple[str, MilestoneLine]]]:
    """The timeline's rows cut into slides of at most ``TIMELINE_ROWS_PER_SLIDE``, evenly (at least one)."""
    rows = timeline_rows(briefing)
    if not rows:
        return [[]]
    return [[rows[i] for i in page] for page in spread(len(rows), line_budget(TIMELINE_ROWS_PER_SLIDE))]


def _years(rows: list[tuple[str, MilestoneLine]], reference: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp, list[int]]:
    """The axis of the timeline slides: from 1 January of the first year to the end of the last, and its tick years."""
    days = [pd.Timestamp(m.done or m.due) for _, m in rows if (m.done or m.due)] + [reference]
    first, last = min(days).year, max(days).year
    step = max(1, math.ceil((last - first + 1) / 5))
    first -= (first % step)
    ticks = list(range(first, last + 1, step))
    end = ticks[-1] + step
    return pd.Timestamp(first, 1, 1), pd.Timestamp(end, 1, 1), ticks + [end]


def _at(day: pd.Timestamp, start: pd.Timestamp, end: pd.Timestamp) -> str:
    return f"{100 * (day - start) / (end - start):.2f}%"


def timeline_html(briefing: Briefing, part: int = 0) -> str:
    """One timeline slide: each milestone's zone and name, its marker on a time axis shared by every
    timeline slide (the reference date drawn across), its date and how it stands."""
    pages = timeline_pages(briefing)
    rows = pages[min(part, len(pages) - 1)]
    if not rows:
        nothing = _("No milestone to show for the zones chosen.")
        return f'<p class="sez-line">{_e(nothing)}</p>'
    reference = pd.Timestamp(briefing.reference.day)
    start, end, ticks = _years(timeline_rows(briefing), reference)
    grid = "".join(f'<span class="sez-tl-grid" style="left:{_at(pd.Timestamp(y, 1, 1), start, end)}"></span>' for y in ticks)
    ref_line = f'<span class="sez-tl-ref" style="left:{_at(reference, start, end)}"></span>'
    axis = "".join(f'<span class="sez-tl-tick" style="left:{_at(pd.Timestamp(y, 1, 1), start, end)}">{y}</span>' for y in ticks)
    what, when = _("Milestone"), _("Date")
    cells = [f'<div class="sez-tl-head">{_e(what)}</div><div class="sez-tl-head sez-tl-axis" dir="ltr">{axis}</div>'
             f'<div class="sez-tl-head">{_e(when)}</div>']
    states = {}
    for who, m in rows:
        state = timeline.SLIP_STATES.get(m.state) or timeline.SLIP_STATES["planned"]
        states[state.code] = state
        day = pd.Timestamp(m.done or m.due)
        mark = (f'<span class="sez-tl-mark" style="left:{_at(day, start, end)};border-color:{state.colour}" '
                f'aria-hidden="true">{_e(state.symbol)}</span>')
        late = " sez-tl-late" if m.late else ""
        cells.append(f'<div class="sez-tl-label"><span><span class="sez-tl-zone">{_e(who)}</span> · {_e(m.title)}</span></div>'
                     f'<div class="sez-tl-track" dir="ltr">{grid}{ref_line}{mark}</div>'
                     f'<div class="sez-tl-when{late}"><span>{_e(m.done or m.due)}</span><span>{_e(slip_text(m))}</span></div>')
    legend = "".join(f'<span><span class="sez-tl-mark" style="border-color:{s.colour}" aria-hidden="true">{_e(s.symbol)}</span>'
                     f"{_e(_(s.label))}</span>" for s in states.values())
    ref_name = sentence(_("Today ({date})") if briefing.reference.is_today else _("The data's as-of date ({date})"), date=i18n.date_of(reference))
    legend += f'<span><span class="sez-tl-ref-key" aria-hidden="true">┃</span> {ref_name}</span>'
    scope = (sentence(_("Open milestones, those done since {label} and the programme's meetings; the full timeline is in the briefing pack."),
                label=briefing.compare.label) if briefing.compare
             else _e(_("Every milestone of the zones shown; the full timeline is in the briefing pack.")))
    return (f'<div class="sez-timeline">{"".join(cells)}</div>'
            f'<div class="sez-note sez-tl-legend">{legend}</div><p class="sez-note">{scope}</p>')
