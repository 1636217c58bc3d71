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
from dataclasses import dataclass

from sez_metrics.core import i18n, metrics, schema, vocabulary
from sez_metrics.core.dataset import Dataset
from sez_metrics.core.i18n import _, ngettext
from sez_metrics.core.timeline import parse_multi
from sez_metrics.render import present_fit, present_style, present_timeline
from sez_metrics.render.briefing.images import BriefingImages
from sez_metrics.render.briefing.story import NO_VALUE, Briefing, ZoneBrief, labelled
from sez_metrics.render.present_changes import change_pages, changes_html
from sez_metrics.render.present_text import LONG_TITLE_CHARS, Words, numbered, slip_text, stamp_text, stamp_words
from sez_metrics.render.present_text import escape as _e
from sez_metrics.render.present_text import sentence as _t

# A zone slide's right-hand column: at most this many changes (taking at most this share of the
# column) and milestones; the zone's profile (developer, area, programme, notified: the storyline's
# ``profile`` facts 1–3 and 5) under them when there is room.
ZONE_CHANGE_LINES = 4
ZONE_CHANGE_SHARE = 0.4
ZONE_MILESTONE_LINES = 4
OVERVIEW_OVERDUE_LINES = 2
ZONE_SOURCE_CHARS = 55  # the source in brief under a zone's facts
ZONE_TITLE_MAX_CHARS = 40  # beyond this a zone slide is headed by the zone's short name


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


def build_deck(briefing: Briefing) -> list[Slide]:
    """The slides of the presentation, in order (titles in the current language)."""
    slides = [Slide("overview", _("Programme overview")), Slide("map", _("Where the zones are"))]
    slides += [Slide("zone", z.short_name, z.zone_id) for z in briefing.zones]
    rows = present_timeline.timeline_pages(briefing)
    slides += [Slide("timeline", numbered(_("Milestone timeline"), part, len(rows)), part=part) for part in range(len(rows))]
    pages = change_pages(briefing)
    slides += [Slide("changes", numbered(_("What changed"), part, len(pages)), part=part) for part in range(len(pages))]
    return slides


# --- slide bodies (HTML; every value escaped: ``present_text``) ---------------------------------


def stamp_html(briefing: Briefing, slide: Slide, number: int, count: int) -> str:
    """The slide's top bar: its title, and the pinned version's "as of" stamp with the slide counter."""
    heading = slide_heading(briefing, slide)
    size = " sez-long" if len(heading) > LONG_TITLE_CHARS else ""
    stamp = stamp_words(briefing).html()
    return (
        '<div class="sez-slide-bar">'
        f'<div class="sez-slide-title{size}">{_e(heading)}</div>'
        f'<div class="sez-stamp" data-testid="sez-as-of-stamp">{stamp}'
        f'<span class="sez-counter" dir="ltr">{number} / {count}</span></div></div>'
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


def _overdue_text(briefing: Briefing) -> str:
    """"⚠ 7 milestones overdue at the data's as-of date (15 Sept 2025)"."""
    late, ref = len(briefing.overdue), briefing.reference
    when = i18n.date_of(ref.day)
    if not late:
        return (_("No milestone overdue today ({date})") if ref.is_today
                else _("No milestone overdue at the data's as-of date ({date})")).format(date=when)
    text = (ngettext("⚠ {n} milestone overdue today ({date})", "⚠ {n} milestones overdue today ({date})", late) if ref.is_today
            else ngettext("⚠ {n} milestone overdue at the data's as-of date ({date})",
                          "⚠ {n} milestones overdue at the data's as-of date ({date})", late))
    return text.format(n=i18n.number(late, 0), date=when)


def _overdue_line(briefing: Briefing) -> str:
    """The overdue line as HTML (flagged when something is overdue)."""
    text = _e(_overdue_text(briefing))
    return f'<span class="sez-flag">{text}</span>' if briefing.overdue else text


def _overview_room(briefing: Briefing) -> float:
    """The room the overview leaves for its list of the worst overdue milestones: under the tiles,
    the zones by stage, the overdue line and the note on flagged figures."""
    title = _("Programme overview")
    room = present_fit.body_height(title, stamp_text(briefing), len(title) > LONG_TITLE_CHARS)
    width = present_fit.columns(4, gap_units=present_style.TILE_GAP_UNITS) - 2 * present_fit.px(present_style.TILE_PADDING_UNITS[1])
    small, line = present_style.SMALLEST_TEXT_UNITS, present_style.TILE_LINE_HEIGHT

    def tile(t) -> float:
        texts = [t.label, t.delta_text] + ([t.flag_text] if t.flag_text else [])
        return (sum(present_fit.text_height(text, width, small, line) for text in texts)
                + present_fit.text_height(t.value, width, present_style.TILE_VALUE_UNITS, present_style.TITLE_LINE_HEIGHT, bold=True)
                + 2 * present_fit.px(present_style.TILE_PADDING_UNITS[0]))

    rows = [briefing.tiles[k:k + 4] for k in range(0, len(briefing.tiles), 4)]
    room -= sum(max(tile(t) for t in row) for row in rows) + present_fit.px(present_style.TILE_GAP_UNITS) * (len(rows) - 1)
    stages = " · ".join(f"{s.symbol} {s.label} {i18n.number(s.count, 0)}" for s in briefing.stages if s.count)
    own = present_fit.line_heights()[0]
    for text in (f"{_('Zones by stage:')} {stages}", _overdue_text(briefing)):
        room -= present_fit.text_height(text, present_fit.SLIDE_WIDTH_PX, present_style.TEXT_UNITS, own) + present_fit.px(present_style.LINE_GAP_UNITS)
    room -= present_fit.px(present_style.OVERDUE_GAP_UNITS)
    if briefing.flagged_note:
        room -= present_fit.note_height(f"⚠ {briefing.flagged_note}.")
    return room


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
    by_stage = _e(_("Zones by stage:"))
    worst = _fitting(sorted(briefing.overdue, key=lambda m: m.due), lambda m: present_fit.list_height(
        [f"{names.get(m.zone_id, _(vocabulary.PROGRAMME))}: {m.title} — {slip_text(m)}"], present_fit.SLIDE_WIDTH_PX,
        present_style.SMALLEST_TEXT_UNITS, present_fit.line_heights()[1]), OVERVIEW_OVERDUE_LINES, _overview_room(briefing), least=0)
    worst_items = "".join(
        f"<li><b>{_e(names.get(m.zone_id, _(vocabulary.PROGRAMME)))}</b>: {_e(m.title)} — {_e(slip_text(m))}</li>" for m in worst
    )
    worst_list = f'<ul class="sez-overdue">{worst_items}</ul>' if worst_items else ""
    note = f'<p class="sez-note" dir="auto">⚠ {_e(briefing.flagged_note)}.</p>' if briefing.flagged_note else ""
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


def _fitting(items: list, height_of, most: int, budget: float, least: int = 1) -> list:
    """The first items (at most ``most``, at least ``least``) whose measured heights fit in ``budget``."""
    shown, used = [], 0.0
    for item in items[:most]:
        used += height_of(item)
        if len(shown) >= least and used > budget:
            break
        shown.append(item)
    return shown


def _milestone_order(zone: ZoneBrief) -> list:
    """The milestones worth a slide's few lines: the late ones first, then the next ones due, then the latest done."""
    late = [m for m in zone.milestones if m.late and not m.done]
    upcoming = [m for m in zone.milestones if not m.done and not m.late and m.state != "cancelled"]
    done = [m for m in reversed(zone.milestones) if m.done]
    return late + upcoming + done


def _zone_columns() -> tuple[float, float]:
    """The widths of a zone slide's facts column and its changes-and-milestones column."""
    total = present_fit.SLIDE_WIDTH_PX - present_fit.px(present_style.COLUMN_GAP_UNITS)
    facts, rest = present_style.ZONE_COLUMNS
    if i18n.current().direction == "rtl":
        facts, rest = rest, facts
    return total * facts / (facts + rest), total * rest / (facts + rest)


def _facts_height(facts: list[tuple[str, str]], width: float) -> float:
    """A definition grid of (label, value): the labels' column as wide as the widest, the values wrap."""
    if not facts:
        return 0.0
    size, line = present_style.SMALLEST_TEXT_UNITS, present_fit.line_heights()[0]
    labels = max(present_fit.text_width(label, size) for label, _v in facts) + 1
    values = max(width - labels - present_fit.px(present_style.FACT_GAP_UNITS[1]), width * 0.3)
    rows = [max(present_fit.text_height(label, labels, size, line), present_fit.text_height(value, values, size, line, bold=True))
            for label, value in facts]
    return sum(rows) + present_fit.px(present_style.FACT_GAP_UNITS[0]) * (len(rows) - 1)


def _zone_change_lines(briefing: Briefing, zone: ZoneBrief, shown: list[str]) -> tuple[list[str], str]:
    """The change lines of a zone slide showing the changes ``shown``, and its "… and N more" line (or "")."""
    if briefing.compare is None:
        return [_("No earlier version to compare with.")], ""
    changes = list(zone.changes)
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
    more = more.format(n=i18n.number(rest, 0), m=i18n.number(minor, 0)) if more else ""
    if not shown and not more:
        return [_("No change.")], ""
    return list(shown), more


def zone_html(briefing: Briefing, zone: ZoneBrief) -> str:
    """A zone's slide: where it stands, what changed, its milestones, and the source in brief."""
    confidence = _("Confidence")
    facts = "".join(
        f'<dt>{_e(f.label)}</dt><dd class="{"sez-flag" if f.label == confidence and zone.flagged else ""}">{_e(f.value)}</dd>'
        for f in zone.status
    )
    changes = list(zone.changes)
    heading = slide_heading(briefing, Slide("zone", zone.short_name, zone.zone_id))
    province = zone.profile[0].value if zone.profile else ""  # the storyline puts the province first
    if len(zone.heading) > ZONE_TITLE_MAX_CHARS:
        province = f"{zone.name} · {province}"
    badge = _("Priority zone")
    room = (present_fit.body_height(heading, stamp_text(briefing), len(heading) > LONG_TITLE_CHARS)
            - present_fit.subtitle_height(f"{badge} {province}" if zone.priority else province))
    _facts_width, width = _zone_columns()
    line = present_fit.line_heights()[0]
    small = present_style.SMALLEST_TEXT_UNITS
    since = Words(_("Since {label}"), {"label": briefing.compare.label}) if briefing.compare else Words(_("Changes"))
    changes_title_text = since.text()
    milestones_heading = _("Milestones")
    room -= (present_fit.heading_height(changes_title_text, width, line) + present_fit.heading_height(milestones_heading, width, line)
             + present_fit.px(present_style.NOTE_GAP_UNITS))

    def change_height(text: str) -> float:
        return present_fit.list_height([text], width, small, line)

    table = present_fit.Table(width)

    def row_height(m) -> float:
        return table.row_height(m.title, m.done or m.due, slip_text(m))

    shown = _fitting(changes, change_height, ZONE_CHANGE_LINES, room * ZONE_CHANGE_SHARE)
    while True:
        change_texts, more = _zone_change_lines(briefing, zone, shown)
        left = room - present_fit.list_height(change_texts + ([more] if more else []), width, small, line) - table.head_height()
        chosen = _fitting(_milestone_order(zone), row_height, ZONE_MILESTONE_LINES, left)
        left -= sum(row_height(m) for m in chosen)
        if left >= 0 or not shown:
            break
        shown = shown[:-1]  # a long milestone needs the room: the change waits for the changes slides
    change_items = "".join(f"<li>{_e(c)}</li>" for c in change_texts)
    if more:
        change_items += f'<li class="sez-muted">{_e(more)}</li>'
    room = left
    about, about_heading = "", _("About the zone")
    profile = zone.profile[1:4] + zone.profile[5:6]
    if profile and room >= present_fit.heading_height(about_heading, width, line) + _facts_height([(f.label, f.value) for f in profile], width):
        # a zone with little to report: who develops it, how big, since when
        facts_of = "".join(f"<dt>{_e(f.label)}</dt><dd>{_e(f.value)}</dd>" for f in profile)
        about = f'<h3>{_e(about_heading)}</h3><dl class="sez-facts">{facts_of}</dl>'
    none_recorded = _("No milestone recorded.")
    milestones = "".join(
        f'<tr class="{"sez-late" if m.late else ""}"><td>{_e(m.title)}</td><td class="sez-date">{_e(m.done or m.due)}</td>'
        f'<td class="sez-slip">{_e(slip_text(m))}</td></tr>'
        for m in chosen
    ) or f'<tr><td colspan="3">{_e(none_recorded)}</td></tr>'
    priority = f'<span class="sez-badge">{_e(badge)}</span>' if zone.priority else ""
    source = metrics.source_brief(zone.source, ZONE_SOURCE_CHARS) if zone.source else ""
    changes_title = since.html()
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
