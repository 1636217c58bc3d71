"""The presenter's "What changed" slides: the change summary, each zone's changes under its heading,
in three or two columns and one of the slide type sizes (``present_style.CHANGE_TYPE_UNITS``),
whichever takes the fewest slides and fills them best (measured: ``present_fit``); a zone's group
that runs on is continued under its heading again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sez_metrics.core import i18n
from sez_metrics.core.change_summary import ChangeItem
from sez_metrics.core.i18n import _, ngettext
from sez_metrics.render import present_fit, present_style
from sez_metrics.render.briefing.story import MINOR_CHANGE_IMPORTANCE, Briefing
from sez_metrics.render.present_text import LONG_TITLE_CHARS, Words, numbered, stamp_text
from sez_metrics.render.present_text import escape as _e

CHANGE_COLUMN_CHOICES = (3, 2)


ChangeGroup = tuple[str, list[ChangeItem]]


@dataclass(frozen=True)
class ChangeLayout:
    """How the change summary is set: columns to a slide, the type, and the slides' columns of groups."""

    columns: int
    type: str
    pages: list[list[list[ChangeGroup]]]


def listed_changes(briefing: Briefing) -> list[tuple[str, ChangeItem]]:
    """The changes the slides list, zone by zone: the major ones; when there are none, the minor ones
    (edits of sources, notes and details), rather than an empty slide."""
    every = [(zone, i) for zone, group in briefing.changes or [] for i in group]
    major = [(zone, i) for zone, i in every if i.importance < MINOR_CHANGE_IMPORTANCE]
    return major or every


def _continued(zone: str) -> Words:
    """The heading of a zone's group that runs on from the column or slide before."""
    return Words(_("{zone} (continued)"), {"zone": zone})


def _since(briefing: Briefing) -> Words:
    """The subtitle: the version the changes are counted from (none for the first version)."""
    compare = briefing.compare
    if compare is None:
        return Words("")
    return Words(_("Since {label} ({id}, as of {date})"), {"label": compare.label, "id": compare.id, "date": compare.as_of})


def _item_heights(changes: list[tuple[str, ChangeItem]], count: int, size: float) -> list[float]:
    width = present_fit.columns(count)
    line = present_fit.line_heights()[0]
    return [present_fit.list_height([i.in_language()], width, size, line) for _, i in changes]


def _pack_changes(changes: list[tuple[str, ChangeItem]], heights: list[float], count: int, limit: float, room: float) -> list[list[list[ChangeGroup]]]:
    """Changes (zone, item) of these heights in order into columns of about ``limit`` px (never more
    than ``room``), ``count`` to a slide. A zone's group goes whole into a column when it fits in
    one; a column that starts inside a zone's group repeats its heading ("… (continued)")."""
    width = present_fit.columns(count)
    gap = present_fit.px(present_style.CHANGE_GROUP_GAP_UNITS)
    pages: list[list[list[ChangeGroup]]] = [[[]]]
    used, seen = 0.0, set()
    for k, (zone, item) in enumerate(changes):
        column = pages[-1][-1]
        continuing = bool(column) and column[-1][0] == zone
        heading = 0.0 if continuing else present_fit.heading_height(_continued(zone).text() if zone in seen else zone, width) + gap
        need = heading + heights[k]
        if column and not continuing:
            rest = sum(h for (z, _i), h in zip(changes[k:], heights[k:], strict=True) if z == zone) + heading
            move = used + need > limit or (used + rest > limit and rest <= limit)
        else:
            move = bool(column) and used + need > (limit if not continuing else room)
        if move:
            if len(pages[-1]) == count:
                pages.append([[]])
            else:
                pages[-1].append([])
            column, used = pages[-1][-1], 0.0
            heading = present_fit.heading_height(_continued(zone).text() if zone in seen else zone, width) + gap
            need = heading + heights[k]
            continuing = False
        if not continuing:
            column.append((zone, []))
        column[-1][1].append(item)
        seen.add(zone)
        used += need
    return pages


def _column_heights(page: list[list[ChangeGroup]], count: int, size: float) -> list[float]:
    width = present_fit.columns(count)
    line = present_fit.line_heights()[0]
    return [sum(present_fit.heading_height(zone, width) + present_fit.list_height([i.in_language() for i in items], width, size, line)
                for zone, items in column) for column in page]


def change_layout(briefing: Briefing) -> ChangeLayout:
    """The change summary cut into slides of three or two columns, each change under its zone's
    heading (a zone continued in the next column or slide is headed again), in the type and columns
    that take the fewest slides and fill the emptiest of them best, columns and slides filled evenly.
    Always at least one (possibly empty) page."""
    return present_fit.memo(briefing, "changes", lambda: _change_layout(briefing))


def change_pages(briefing: Briefing) -> list[list[list[ChangeGroup]]]:
    return change_layout(briefing).pages


def _change_layout(briefing: Briefing) -> ChangeLayout:
    changes = listed_changes(briefing)
    if not changes:
        return ChangeLayout(CHANGE_COLUMN_CHOICES[0], "normal", [[[]]])
    since = _since(briefing).text()
    title = numbered(_("What changed"), 8, 9)
    room = (present_fit.body_height(title, stamp_text(briefing), len(title) > LONG_TITLE_CHARS)
            - present_fit.subtitle_height(since) - present_fit.note_height(_minor_tail(minor_change_count(briefing)) or ""))
    area = present_fit.SLIDE_WIDTH_PX * present_fit.SLIDE_HEIGHT_PX
    options = []
    for count in CHANGE_COLUMN_CHOICES:
        for order, (name, size) in enumerate(present_style.CHANGE_TYPE_UNITS.items()):
            heights = _item_heights(changes, count, size)
            fewest = _pack_changes(changes, heights, count, room, room)
            pages = fewest
            total = sum(sum(_column_heights(page, count, size)) for page in fewest)
            step = present_fit.px(size)
            limit = total / (count * len(fewest))
            while limit < room:  # the shortest columns that take no more slides: even columns and slides
                pages = _pack_changes(changes, heights, count, limit, room)
                if len(pages) <= len(fewest):
                    break
                limit += step
            else:
                pages = fewest
            width = present_fit.columns(count)
            fills = [sum(h * width for h in _column_heights(page, count, size)) / area for page in pages]
            options.append((len(pages), -round(min(fills), 2), -order, count, name, pages))
    pages_count, _fill, _order, count, name, pages = min(options, key=lambda o: o[:3])
    return ChangeLayout(count, name, pages)


def change_type(briefing: Briefing) -> str:
    """The type the change slides are set in (``present_style.CHANGE_TYPE_UNITS``)."""
    return change_layout(briefing).type


def _minor_tail(minor: int) -> str:
    if not minor:
        return ""
    return ngettext("Also {n} edit of sources, notes and other details: listed in the briefing pack.",
                    "Also {n} edits of sources, notes and other details: listed in the briefing pack.", minor).format(n=i18n.number(minor, 0))


def minor_change_count(briefing: Briefing) -> int:
    """The minor changes the change slides leave to the briefing pack (none when they list them)."""
    listed = {id(i) for _, i in listed_changes(briefing)}
    return sum(1 for _, items in briefing.changes or [] for i in items if i.importance >= MINOR_CHANGE_IMPORTANCE and id(i) not in listed)


def changes_html(briefing: Briefing, part: int = 0) -> str:
    """One slide of the change summary: each zone's changes under its heading, in columns, never split
    from it (a zone continued from the slide before says so)."""
    if briefing.changes is None:
        first = _("This is the first version: there is nothing earlier to compare with.")
        return f'<p class="sez-line">{_e(first)}</p>'
    layout = change_layout(briefing)
    pages = layout.pages
    minor = minor_change_count(briefing)
    since = f'<p class="sez-subtitle">{_since(briefing).html()}</p>'
    if not briefing.changes:
        unchanged = _("Nothing changed between these versions.")
        return since + f'<p class="sez-line">{_e(unchanged)}</p>'
    part = min(part, len(pages) - 1)
    seen = {zone for page in pages[:part] for column in page for zone, _items in column}
    columns = []
    for column in pages[part]:
        blocks = []
        for zone, items in column:
            heading = _continued(zone).html() if zone in seen else _e(zone)
            seen.add(zone)
            blocks.append(f'<div class="sez-change-zone"><h3>{heading}</h3><ul>'
                          + "".join(f"<li>{_e(i.in_language())}</li>" for i in items) + "</ul></div>")
        columns.append(f'<div class="sez-change-column">{"".join(blocks)}</div>')
    tail = ""
    if minor and part >= len(pages) - 1:
        tail = f'<p class="sez-note">{_e(_minor_tail(minor))}</p>'
    return (f'{since}<div class="sez-change-columns sez-columns-{layout.columns} sez-type-{layout.type}">{"".join(columns)}</div>'
            f"{tail}")
