"""The presenter's timeline slides: one row per milestone a meeting discusses, its zone and name
beside its marker on a time axis every timeline slide shares, its date and how it stands; a few rows
to a slide, more slides when there are more rows.
"""

from __future__ import annotations

import math

import pandas as pd

from sez_metrics.core import i18n, timeline, vocabulary
from sez_metrics.core.i18n import _
from sez_metrics.render import present_fit
from sez_metrics.render import present_style as style
from sez_metrics.render.briefing.images import focus_items
from sez_metrics.render.briefing.story import Briefing, MilestoneLine
from sez_metrics.render.present_text import LONG_TITLE_CHARS, Words, slip_text, stamp_text
from sez_metrics.render.present_text import escape as _e


def timeline_rows(briefing: Briefing) -> list[tuple[str, MilestoneLine]]:
    """(who, milestone) of what a meeting discusses (``images.focus_items``: open, done since the
    compared version, the programme's meetings): the programme's first, then zone by zone, by date."""
    focus = set(focus_items(briefing)["milestone_id"])
    rows = [(_(vocabulary.PROGRAMME), m) for m in briefing.programme_events if m.milestone_id in focus]
    for zone in briefing.zones:
        rows += [(zone.short_name, m) for m in zone.milestones if m.milestone_id in focus]
    return rows


def timeline_pages(briefing: Briefing) -> list[list[tuple[str, MilestoneLine]]]:
    """The timeline's rows cut into as few slides as their measured heights fit in, the slides as
    even as they can be (at least one)."""
    return present_fit.memo(briefing, "timeline", lambda: _timeline_pages(briefing))


def _timeline_pages(briefing: Briefing) -> list[list[tuple[str, MilestoneLine]]]:
    rows = timeline_rows(briefing)
    if not rows:
        return [[]]
    heights, room = _row_heights(briefing, rows)
    return [[rows[i] for i in page] for page in present_fit.spread_by_height(heights, room)]


def _row_heights(briefing: Briefing, rows: list[tuple[str, MilestoneLine]]) -> tuple[list[float], float]:
    """Each row's height on a timeline slide, and the room for rows under the top bar, the axis, the
    legend and the note (measured in the current language)."""
    size = style.SMALLEST_TEXT_UNITS
    em = present_fit.px(size)
    line, data = present_fit.line_heights()
    when = max(present_fit.text_width(text, size) for _, m in rows for text in (m.done or m.due or "", slip_text(m))) + 1
    gaps = 2 * present_fit.px(style.TIMELINE_GAP_UNITS)
    name, track = style.TIMELINE_COLUMNS
    label = (present_fit.SLIDE_WIDTH_PX - gaps - when) * name / (name + track)
    padding = 2 * present_fit.px(style.TIMELINE_ROW_PADDING_UNITS) + 1
    when_height = 2 * data * em + (line - data) * 0.5 * em
    heights = [max(present_fit.text_height(f"{who} · {m.title}", label, size, data), when_height) + padding for who, m in rows]
    head = max(style.TIMELINE_AXIS_EM * em, line * em) + 0.1 * em + 2
    states = {_state_of(m).code: m for _, m in rows}
    legend = _legend_height([_(timeline.SLIP_STATES[code].label) for code in states] + [_reference_words(briefing).text()], em, line)
    title = _("Milestone timeline") + " (8/9)"
    room = (present_fit.body_height(title, stamp_text(briefing), len(title) > LONG_TITLE_CHARS) - head - legend - present_fit.px(style.NOTE_GAP_UNITS)
            - present_fit.note_height(_scope_words(briefing).text()))
    return heights, room


def _legend_height(labels: list[str], em: float, line: float) -> float:
    """The legend's wrapped rows: each state's mark and name, the gaps between them."""
    mark = style.TIMELINE_MARK_EM * em + 6
    widths = [mark + 0.3 * em + present_fit.text_width(text, style.SMALLEST_TEXT_UNITS) for text in labels]
    rows, used = 1, 0.0
    for w in widths:
        if used and used + 1.4 * em + w > present_fit.SLIDE_WIDTH_PX:
            rows, used = rows + 1, 0.0
        used += (1.4 * em if used else 0) + w
    return rows * max(mark, line * em) + (rows - 1) * 0.3 * em


def _state_of(m: MilestoneLine) -> timeline.SlipState:
    return timeline.SLIP_STATES.get(m.state) or timeline.SLIP_STATES["planned"]


def _reference_words(briefing: Briefing) -> Words:
    """The legend's name of the reference line."""
    template = _("Today ({date})") if briefing.reference.is_today else _("The data's as-of date ({date})")
    return Words(template, {"date": i18n.date_of(pd.Timestamp(briefing.reference.day))})


def _scope_words(briefing: Briefing) -> Words:
    """The note under the timeline, saying which milestones it shows."""
    if briefing.compare:
        return Words(_("Open milestones, those done since {label} and the programme's meetings; the full timeline is in the briefing pack."),
                     {"label": briefing.compare.label})
    return Words(_("Every milestone of the zones shown; the full timeline is in the briefing pack."))


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
        state = _state_of(m)
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
    legend += f'<span><span class="sez-tl-ref-key" aria-hidden="true">┃</span> {_reference_words(briefing).html()}</span>'
    scope = _scope_words(briefing).html()
    return (f'<div class="sez-timeline">{"".join(cells)}</div>'
            f'<div class="sez-note sez-tl-legend">{legend}</div><p class="sez-note">{scope}</p>')
