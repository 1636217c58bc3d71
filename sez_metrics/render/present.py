"""Presenter mode: the slide sequence of a JCC screen-share, and each slide's body as escaped HTML.

The deck walks the briefing pack's storyline (``sez_metrics.render.briefing.story``), so what is shown on
screen matches the pack that is sent out: programme overview, map, one slide per zone (priority
zones first, or the presenter's own choice and order), the milestone timeline, and the changes
since an earlier version. Everything here is pure: the URL parameters come in as strings, the
slides go out as data and HTML strings in which every CSV value is escaped. The Streamlit side
lives in ``sez_metrics.app.presenter``.

URL contract (on ``/``): ``present=1`` turns the mode on; ``slide=N`` (1-based) is the slide
shown; ``zones=a,b,c`` chooses the zone slides and their order; ``compare=ID`` the version the
changes are measured from (default: the one before); ``version=ID`` pins the data.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass

from sez_metrics.core import i18n, metrics, schema, vocabulary
from sez_metrics.core.change_summary import ChangeItem
from sez_metrics.core.dataset import Dataset
from sez_metrics.core.i18n import _, ngettext
from sez_metrics.core.timeline import parse_multi
from sez_metrics.render import present_timeline
from sez_metrics.render.briefing.images import BriefingImages
from sez_metrics.render.briefing.story import MINOR_CHANGE_IMPORTANCE, NO_VALUE, Briefing, ZoneBrief, labelled
from sez_metrics.render.present_text import escape as _e
from sez_metrics.render.present_text import line_budget, slip_text
from sez_metrics.render.present_text import sentence as _t

# What a zone slide's right-hand column has room for at 1280×720 (and, scaled, at 1920×1080) before
# the slide would scroll: at most 4 changes and 4 milestones, and in all 14 printed lines, each item
# counted as the lines it wraps to (a change's line holds ~55 characters, a milestone title's ~28).
ZONE_CHANGE_LINES = 4
ZONE_MILESTONE_LINES = 4
ZONE_RIGHT_COLUMN_LINES = 14
ZONE_CHANGE_MAX_LINES = 6  # of those, at most this many for the changes and their "… and N more"
CHANGE_CHARS_PER_LINE = 55
MILESTONE_TITLE_CHARS_PER_LINE = 28
MILESTONE_ROW_LINES = 2  # a milestone's row: at least its date and how it stands, on two lines
# Room for this many more lines: the zone's profile (developer, area, programme, notified; the
# storyline's ``profile`` facts 1–3 and 5) fills the column.
ZONE_PROFILE_LINES = 6
OVERVIEW_OVERDUE_LINES = 2
ZONE_SOURCE_CHARS = 55  # the source in brief under a zone's facts: one line
LONG_TITLE_CHARS = 34  # longer slide titles are set smaller so they stay on one line beside the stamp
ZONE_TITLE_MAX_CHARS = 40  # beyond this a zone slide is headed by the zone's short name
# "What changed": three columns of printed lines (a zone's heading counts 2); a zone's group that runs
# on is continued under its heading again. Set large when that takes no more slides.
CHANGE_COLUMNS = 3
# The type sizes (``present_style``): characters per line and lines per column of each.
CHANGE_TYPES = {"normal": (35, 18), "large": (29, 15)}
CHANGE_HEADING_LINES = 2  # a zone's heading, in lines of change text


@dataclass(frozen=True)
class Slide:
    """One slide: what it shows (``kind``), its title, and the zone of a zone slide."""

    kind: str  # "overview", "map", "zone", "timeline", "changes"
    title: str
    zone_id: str | None = None
    part: int = 0  # which page of a long change summary (0-based)


def requested_zones(value: str | None, dataset: Dataset) -> tuple[list[str], list[str]]:
    """The zone ids a ``zones=`` parameter asks for, in its order: (known, unknown)."""
    if not value:
        return [], []
    return parse_multi([value], list(dataset.zones["zone_id"]))


def slide_number(value: str | None, count: int) -> int:
    """The 1-based slide a ``slide=`` parameter asks for, kept within 1..count (1 when unreadable)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), max(count, 1))


def _numbered(title: str, part: int, count: int) -> str:
    """A slide title, with "(2/3)" when its content takes several slides (digits: the same in every language)."""
    return title if count <= 1 else f"{title} ({part + 1}/{count})"


def build_deck(briefing: Briefing) -> list[Slide]:
    """The slides of the presentation, in order (titles in the current language)."""
    slides = [Slide("overview", _("Programme overview")), Slide("map", _("Where the zones are"))]
    slides += [Slide("zone", z.short_name, z.zone_id) for z in briefing.zones]
    rows = present_timeline.timeline_pages(briefing)
    slides += [Slide("timeline", _numbered(_("Milestone timeline"), part, len(rows)), part=part) for part in range(len(rows))]
    pages = change_pages(briefing)
    slides += [Slide("changes", _numbered(_("What changed"), part, len(pages)), part=part) for part in range(len(pages))]
    return slides


ChangeGroup = tuple[str, list[ChangeItem]]


def _columns_of(items: list[tuple[str, ChangeItem, int]], target: int, most: int) -> list[list[list[ChangeGroup]]]:
    """Changes (zone, item, lines) in order into columns of about ``target`` lines (up to ``most`` to
    finish a zone's group), ``CHANGE_COLUMNS`` to a slide; a column that starts inside a zone's group
    repeats its heading (2 lines)."""
    pages: list[list[list[ChangeGroup]]] = [[[]]]
    used = 0
    for zone, item, lines in items:
        column = pages[-1][-1]
        heading = 0 if column and column[-1][0] == zone else CHANGE_HEADING_LINES
        if column and used + heading + lines > (most if not heading else target):
            if len(pages[-1]) == CHANGE_COLUMNS:
                pages.append([[]])
            else:
                pages[-1].append([])
            column, used, heading = pages[-1][-1], 0, CHANGE_HEADING_LINES
        if heading:
            column.append((zone, []))
        column[-1][1].append(item)
        used += heading + lines
    return pages


def change_pages(briefing: Briefing) -> list[list[list[ChangeGroup]]]:
    """The change summary cut into slides of ``CHANGE_COLUMNS`` columns, each change under its zone's
    heading (a zone continued in the next column or slide is headed again), columns and slides
    filled evenly. Edits of sources, notes and details are left to the briefing pack (counted on the
    last slide). Always at least one (possibly empty) page."""
    return _change_layout(briefing)[1]


def change_type(briefing: Briefing) -> str:
    """The type the change slides are set in: "large" when the changes fill as few slides in it."""
    return _change_layout(briefing)[0]


def _change_layout(briefing: Briefing) -> tuple[str, list[list[list[ChangeGroup]]]]:
    changes = [(zone, i) for zone, group in briefing.changes or [] for i in group if i.importance < MINOR_CHANGE_IMPORTANCE]
    if not changes:
        return "normal", [[[]]]
    layouts = []
    for size, (chars, column_lines) in CHANGE_TYPES.items():
        most = line_budget(column_lines)
        items = [(zone, i, wrapped_lines(i.in_language(), chars)) for zone, i in changes]
        fewest = len(_columns_of(items, most, most))
        total = sum(lines for _, _, lines in items) + CHANGE_HEADING_LINES * len({zone for zone, _ in changes})
        pages = next((p for target in range(math.ceil(total / (CHANGE_COLUMNS * fewest)), most + 1)
                      if len(p := _columns_of(items, target, most)) <= fewest), _columns_of(items, most, most))
        layouts.append((len(pages), -len(layouts), size, pages))
    _count, _order, size, pages = min(layouts)  # the fewest slides; the large type when it takes no more
    return size, pages


def minor_change_count(briefing: Briefing) -> int:
    return sum(1 for _, items in briefing.changes or [] for i in items if i.importance >= MINOR_CHANGE_IMPORTANCE)


# --- slide bodies (HTML; every value escaped: ``present_text``) ---------------------------------


def stamp_html(briefing: Briefing, slide: Slide, number: int, count: int) -> str:
    """The slide's top bar: its title, and the pinned version's "as of" stamp with the slide counter."""
    info = briefing.info
    heading = slide_heading(briefing, slide)
    size = " sez-long" if len(heading) > LONG_TITLE_CHARS else ""
    stamp = _t(_("As of {date} · {label} ({id})"), date=info.as_of, label=info.label, id=info.id)
    return (
        '<div class="sez-slide-bar">'
        f'<div class="sez-slide-title{size}">{_e(heading)}</div>'
        f'<div class="sez-stamp" data-testid="sez-as-of-stamp">{stamp}'
        f'<span class="sez-counter">{number} / {count}</span></div></div>'
    )


def slide_heading(briefing: Briefing, slide: Slide) -> str:
    if slide.kind == "zone":
        zone = zone_of(briefing, slide.zone_id)
        if zone is None:
            return slide.title
        # A long official name would wrap beside the stamp: the short name heads the slide instead.
        return zone.heading if len(zone.heading) <= ZONE_TITLE_MAX_CHARS else f"{schema.STAGE.symbol(zone.stage)} {zone.short_name}".strip()
    return slide.title


def zone_of(briefing: Briefing, zone_id: str | None) -> ZoneBrief | None:
    return next((z for z in briefing.zones if z.zone_id == zone_id), None)


def _overdue_line(briefing: Briefing) -> str:
    """"⚠ 7 milestones overdue at the data's as-of date (15 Sept 2025)", as HTML."""
    late, ref = len(briefing.overdue), briefing.reference
    when = i18n.date_of(ref.day)
    if not late:
        text = (_("No milestone overdue today ({date})") if ref.is_today
                else _("No milestone overdue at the data's as-of date ({date})")).format(date=when)
        return _e(text)
    text = (ngettext("⚠ {n} milestone overdue today ({date})", "⚠ {n} milestones overdue today ({date})", late) if ref.is_today
            else ngettext("⚠ {n} milestone overdue at the data's as-of date ({date})",
                          "⚠ {n} milestones overdue at the data's as-of date ({date})", late))
    return f'<span class="sez-flag">{_e(text.format(n=i18n.number(late, 0), date=when))}</span>'


def overview_html(briefing: Briefing) -> str:
    """Headline figures as tiles, zones by stage, and what is overdue."""
    tiles = [
        f'<div class="sez-tile"><div class="sez-tile-label">{_e(tile.label)}</div>'
        f'<div class="sez-tile-value">{_e(tile.value)}</div><div class="sez-tile-delta">{_e(tile.delta_text)}</div>'
        + (f'<div class="sez-flag">{_e(tile.flag_text)}</div>' if tile.flag_text else "") + "</div>"
        for tile in briefing.tiles
    ]
    stages = " · ".join(f"{_e(s.symbol)} {_e(s.label)} <b>{_e(i18n.number(s.count, 0))}</b>" for s in briefing.stages if s.count)
    names = {z.zone_id: z.short_name for z in briefing.zones}
    worst = sorted(briefing.overdue, key=lambda m: m.due)[:OVERVIEW_OVERDUE_LINES]
    worst_items = "".join(
        f"<li><b>{_e(names.get(m.zone_id, _(vocabulary.PROGRAMME)))}</b>: {_e(m.title)} — {_e(slip_text(m))}</li>" for m in worst
    )
    worst_list = f'<ul class="sez-overdue">{worst_items}</ul>' if worst_items else ""
    note = f'<p class="sez-note" dir="auto">⚠ {_e(briefing.flagged_note)}.</p>' if briefing.flagged_note else ""
    by_stage = _e(_("Zones by stage:"))
    return (f'<div class="sez-tiles">{"".join(tiles)}</div>'
            f'<p class="sez-line">{by_stage} {stages}</p><p class="sez-line">{_overdue_line(briefing)}</p>{worst_list}{note}')


def figure_alt(briefing: Briefing, kind: str) -> str:
    """The text alternative of a slide's figure (plain text: escape it for HTML), naming where its figures are in words."""
    return _("Map of the zones, coloured by stage; the table beside it lists each zone with its stage.")


def figure_html(svg: bytes | None, what: str) -> str:
    """A rendered figure, inlined (no request leaves the page), sized by CSS to fit the screen."""
    if svg is None:
        return ""
    data = base64.b64encode(svg).decode("ascii")
    return f'<img class="sez-figure" alt="{_e(what)}" src="data:image/svg+xml;base64,{data}">'


def map_html(briefing: Briefing, images: BriefingImages) -> str:
    """The offline map beside a list of the zones with their stage."""
    rows = "".join(
        f"<tr><td>{_e(z.short_name)}</td><td>{_e(labelled(schema.STAGE, z.stage) if z.stage else NO_VALUE)}</td></tr>"
        for z in briefing.zones
    )
    head = (_e(_("Zone")), _e(_("Stage")))
    key = _("Colour and circled number: stage · a ring: approximate location (wider: nearest town only) · "
            "Boundaries: Natural Earth, approximate.")
    return (f'<div class="sez-map"><div class="sez-map-figure">{figure_html(images.get("map", "svg"), figure_alt(briefing, "map"))}</div>'
            f'<table class="sez-table sez-map-list"><thead><tr><th>{head[0]}</th><th>{head[1]}</th></tr></thead>'
            f'<tbody>{rows}</tbody></table></div><p class="sez-note">{_e(key)}</p>')


def wrapped_lines(text: str, chars_per_line: int) -> int:
    """How many lines ``text`` takes when wrapped at about ``chars_per_line`` characters."""
    return max(1, -(-len(text) // chars_per_line))


def _fitting(items: list, lines_of, most: int, budget: int) -> list:
    """The first items (at most ``most``, at least one) whose wrapped lines fit in ``budget``."""
    shown, used = [], 0
    for item in items[:most]:
        used += lines_of(item)
        if shown and used > budget:
            break
        shown.append(item)
    return shown


def _milestones_for_slide(zone: ZoneBrief, budget: int = ZONE_RIGHT_COLUMN_LINES) -> list:
    """The milestones worth a slide's few lines: the late ones first, then the next ones due, then the
    latest done; as many as fit in ``budget`` wrapped lines."""
    late = [m for m in zone.milestones if m.late and not m.done]
    upcoming = [m for m in zone.milestones if not m.done and not m.late and m.state != "cancelled"]
    done = [m for m in reversed(zone.milestones) if m.done]
    return _fitting(late + upcoming + done, lambda m: max(MILESTONE_ROW_LINES, wrapped_lines(m.title, MILESTONE_TITLE_CHARS_PER_LINE)),
                    ZONE_MILESTONE_LINES, budget)


def zone_html(briefing: Briefing, zone: ZoneBrief) -> str:
    """A zone's slide: where it stands, what changed, its milestones, and the source in brief."""
    confidence = _("Confidence")
    facts = "".join(
        f'<dt>{_e(f.label)}</dt><dd class="{"sez-flag" if f.label == confidence and zone.flagged else ""}">{_e(f.value)}</dd>'
        for f in zone.status
    )
    changes = list(zone.changes)
    shown = _fitting(changes, lambda c: wrapped_lines(c, CHANGE_CHARS_PER_LINE), ZONE_CHANGE_LINES, line_budget(ZONE_CHANGE_MAX_LINES, headed=True) - 1)
    change_lines = sum(wrapped_lines(c, CHANGE_CHARS_PER_LINE) for c in shown) + 1  # and its "… and N more" line
    if briefing.compare is None:
        nothing = _e(_("No earlier version to compare with."))
        change_items = f"<li>{nothing}</li>"
    else:
        change_items = "".join(f"<li>{_e(c)}</li>" for c in shown)
        rest, minor = len(changes) - len(shown), zone.minor_changes
        more = ""
        if rest and minor:
            more = ngettext("… and {n} more on the changes slides; {m} edit(s) of sources or notes",
                            "… and {n} more on the changes slides; {m} edit(s) of sources or notes", rest)
        elif rest:
            more = ngettext("… and {n} more on the changes slides", "… and {n} more on the changes slides", rest)
        elif minor and changes:
            more = ngettext("… and {m} edit of sources or notes", "… and {m} edits of sources or notes", minor)
        elif minor:
            more = ngettext("{m} edit of sources or notes", "{m} edits of sources or notes", minor)
        if more:
            change_items += f'<li class="sez-muted">{_e(more.format(n=i18n.number(rest, 0), m=i18n.number(minor, 0)))}</li>'
        no_change = _e(_("No change."))
        change_items = change_items or f"<li>{no_change}</li>"
    budget = line_budget(ZONE_RIGHT_COLUMN_LINES, headed=True) - change_lines
    chosen = _milestones_for_slide(zone, budget)
    room = budget - sum(max(MILESTONE_ROW_LINES, wrapped_lines(m.title, MILESTONE_TITLE_CHARS_PER_LINE)) for m in chosen)
    about, about_heading = "", _("About the zone")
    if room >= ZONE_PROFILE_LINES:  # a zone with little to report: who develops it, how big, since when
        facts_of = "".join(f"<dt>{_e(f.label)}</dt><dd>{_e(f.value)}</dd>" for f in zone.profile[1:4] + zone.profile[5:6])
        about = f'<h3>{_e(about_heading)}</h3><dl class="sez-facts">{facts_of}</dl>'
    none_recorded, milestones_heading = _("No milestone recorded."), _("Milestones")
    milestones = "".join(
        f'<tr class="{"sez-late" if m.late else ""}"><td>{_e(m.title)}</td><td class="sez-date">{_e(m.done or m.due)}</td>'
        f'<td class="sez-slip">{_e(slip_text(m))}</td></tr>'
        for m in chosen
    ) or f'<tr><td colspan="3">{_e(none_recorded)}</td></tr>'
    badge = _("Priority zone")
    priority = f'<span class="sez-badge">{_e(badge)}</span>' if zone.priority else ""
    province = zone.profile[0].value if zone.profile else ""  # the storyline puts the province first
    if len(zone.heading) > ZONE_TITLE_MAX_CHARS:
        province = f"{zone.name} · {province}"
    source = metrics.source_brief(zone.source, ZONE_SOURCE_CHARS) if zone.source else ""
    changes_title = _t(_("Since {label}"), label=briefing.compare.label) if briefing.compare else _e(_("Changes"))
    source_text = _t(_("Source: {source}"), source=source)
    source_line = f'<p class="sez-note sez-source">{source_text}</p>' if source else ""
    head = "".join(f"<th>{_e(t)}</th>" for t in (_("Milestone"), _("Date"), _("Slippage")))
    return (
        f'<p class="sez-subtitle">{priority}{_e(province)}</p>'
        '<div class="sez-zone">'
        f'<div><h3>{_e(zone.status_heading(briefing.info.as_of))}</h3><dl class="sez-facts">{facts}</dl>{source_line}</div>'
        f'<div><h3>{changes_title}</h3><ul class="sez-changes">{change_items}</ul>'
        f'<h3>{_e(milestones_heading)}</h3><table class="sez-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{milestones}</tbody></table>{about}</div></div>"
    )


def changes_html(briefing: Briefing, part: int = 0) -> str:
    """One slide of the change summary: each zone's changes under its heading, in columns, never split
    from it (a zone continued from the slide before says so)."""
    if briefing.changes is None:
        first = _("This is the first version: there is nothing earlier to compare with.")
        return f'<p class="sez-line">{_e(first)}</p>'
    pages = change_pages(briefing)
    minor = minor_change_count(briefing)
    compare = briefing.compare
    since = _t(_("Since {label} ({id}, as of {date})"), label=compare.label, id=compare.id, date=compare.as_of)
    since = f'<p class="sez-subtitle">{since}</p>'
    if not briefing.changes:
        unchanged = _("Nothing changed between these versions.")
        return since + f'<p class="sez-line">{_e(unchanged)}</p>'
    part = min(part, len(pages) - 1)
    seen = {zone for page in pages[:part] for column in page for zone, _items in column}
    columns = []
    for column in pages[part]:
        blocks = []
        for zone, items in column:
            heading = _t(_("{zone} (continued)"), zone=zone) if zone in seen else _e(zone)
            seen.add(zone)
            blocks.append(f'<div class="sez-change-zone"><h3>{heading}</h3><ul>'
                          + "".join(f"<li>{_e(i.in_language())}</li>" for i in items) + "</ul></div>")
        columns.append(f'<div class="sez-change-column">{"".join(blocks)}</div>')
    tail = ""
    if minor and part >= len(pages) - 1:
        tail = ngettext("Also {n} edit of sources, notes and other details: listed in the briefing pack.",
                        "Also {n} edits of sources, notes and other details: listed in the briefing pack.", minor)
        tail = f'<p class="sez-note">{_e(tail.format(n=i18n.number(minor, 0)))}</p>'
    return f'{since}<div class="sez-change-columns sez-type-{change_type(briefing)}">{"".join(columns)}</div>{tail}'


def slide_body_html(briefing: Briefing, slide: Slide, images: BriefingImages) -> str:
    """The body of ``slide`` as HTML (no figure image when ``images`` lacks it: the caller draws one)."""
    if slide.kind == "overview":
        return overview_html(briefing)
    if slide.kind == "map":
        return map_html(briefing, images)
    if slide.kind == "zone":
        zone = zone_of(briefing, slide.zone_id)
        return zone_html(briefing, zone) if zone else ""
    if slide.kind == "timeline":
        return present_timeline.timeline_html(briefing, slide.part)
    if slide.kind == "changes":
        return changes_html(briefing, slide.part)
    raise ValueError(f"unknown slide kind {slide.kind!r}")
