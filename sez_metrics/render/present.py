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
import html
from dataclasses import dataclass

from sez_metrics.core import metrics, schema, vocabulary
from sez_metrics.core.change_summary import ChangeItem
from sez_metrics.core.dataset import Dataset
from sez_metrics.core.timeline import parse_multi
from sez_metrics.render.briefing.images import BriefingImages
from sez_metrics.render.briefing.story import MINOR_CHANGE_IMPORTANCE, NO_VALUE, Briefing, ZoneBrief, labelled

# What a zone slide's right-hand column has room for at 1280×720 (and, scaled, at 1920×1080) before
# the slide would scroll: at most 5 changes and 5 milestones, and in all 12 printed lines, each item
# counted as the lines it wraps to (a change's line holds ~72 characters, a milestone title's ~44).
ZONE_CHANGE_LINES = 5
ZONE_MILESTONE_LINES = 5
ZONE_RIGHT_COLUMN_LINES = 12
ZONE_CHANGE_MAX_LINES = 6  # of those, at most this many for the changes and their "… and N more"
CHANGE_CHARS_PER_LINE = 72
MILESTONE_TITLE_CHARS_PER_LINE = 44
OVERVIEW_OVERDUE_LINES = 3
LONG_TITLE_CHARS = 34  # longer slide titles are set smaller so they stay on one line beside the stamp
ZONE_TITLE_MAX_CHARS = 44  # beyond this a zone slide is headed by the zone's short name
CHANGES_PER_SLIDE = 15


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
    """The slides of the presentation, in order."""
    slides = [Slide("overview", "Programme overview"), Slide("map", "Where the zones are")]
    slides += [Slide("zone", z.short_name, z.zone_id) for z in briefing.zones]
    slides.append(Slide("timeline", "Milestone timeline"))
    pages = change_pages(briefing)
    for part in range(len(pages)):
        slides.append(Slide("changes", "What changed" + (f" ({part + 1}/{len(pages)})" if len(pages) > 1 else ""), part=part))
    return slides


def change_pages(briefing: Briefing) -> list[list[tuple[str, list[ChangeItem]]]]:
    """The change summary cut into slides of at most ``CHANGES_PER_SLIDE`` lines, zone groups kept whole
    where they fit. Edits of sources, notes and details are left to the briefing pack (counted on the
    last slide). Always at least one (possibly empty) page."""
    pages: list[list[tuple[str, list[ChangeItem]]]] = [[]]
    used = 0
    for zone, items in briefing.changes or []:
        major = [i for i in items if i.importance < MINOR_CHANGE_IMPORTANCE]
        while major:
            if used and used + min(len(major), CHANGES_PER_SLIDE) > CHANGES_PER_SLIDE:
                pages.append([])
                used = 0
            chunk, major = major[:CHANGES_PER_SLIDE], major[CHANGES_PER_SLIDE:]
            pages[-1].append((zone, chunk))
            used += len(chunk)
    return pages


def minor_change_count(briefing: Briefing) -> int:
    return sum(1 for _, items in briefing.changes or [] for i in items if i.importance >= MINOR_CHANGE_IMPORTANCE)


# --- slide bodies (HTML; every value escaped) -------------------------------------------------


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def stamp_html(briefing: Briefing, slide: Slide, number: int, count: int) -> str:
    """The slide's top bar: its title, and the pinned version's "as of" stamp with the slide counter."""
    info = briefing.info
    heading = slide_heading(briefing, slide)
    size = " sez-long" if len(heading) > LONG_TITLE_CHARS else ""
    return (
        '<div class="sez-slide-bar">'
        f'<div class="sez-slide-title{size}">{_e(heading)}</div>'
        f'<div class="sez-stamp" data-testid="sez-as-of-stamp">As of {_e(info.as_of)} · {_e(info.label)} ({_e(info.id)})'
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


def overview_html(briefing: Briefing) -> str:
    """Headline figures as tiles, zones by stage, and what is overdue."""
    tiles = [
        f'<div class="sez-tile"><div class="sez-tile-label">{_e(tile.label)}</div>'
        f'<div class="sez-tile-value">{_e(tile.value)}</div><div class="sez-tile-delta">{_e(tile.delta_text)}</div>'
        + (f'<div class="sez-flag">{_e(tile.flag_text)}</div>' if tile.flag_text else "") + "</div>"
        for tile in briefing.tiles
    ]
    stages = " · ".join(f"{s.symbol} {s.label} <b>{s.count}</b>" for s in briefing.stages if s.count)
    late = len(briefing.overdue)
    late_text = (f'<span class="sez-flag">⚠ {late} milestone{"s" if late != 1 else ""} overdue</span> at {_e(briefing.reference.name)}'
                 if late else f"No milestone overdue at {_e(briefing.reference.name)}")
    names = {z.zone_id: z.short_name for z in briefing.zones}
    worst = sorted(briefing.overdue, key=lambda m: m.due)[:OVERVIEW_OVERDUE_LINES]
    worst_items = "".join(
        f"<li><b>{_e(names.get(m.zone_id, vocabulary.PROGRAMME))}</b>: {_e(m.title)} — {_e(m.slip)}</li>" for m in worst
    )
    worst_list = f'<ul class="sez-overdue">{worst_items}</ul>' if worst_items else ""
    note = f'<p class="sez-note">⚠ {_e(briefing.flagged_note)}.</p>' if briefing.flagged_note else ""
    return (f'<div class="sez-tiles">{"".join(tiles)}</div>'
            f'<p class="sez-line">Zones by stage: {stages}</p><p class="sez-line">{late_text}</p>{worst_list}{note}')


def figure_alt(briefing: Briefing, kind: str) -> str:
    """The text alternative of a slide's figure (plain text: escape it for HTML), naming where its figures are in words."""
    if kind == "map":
        return "Map of the zones, coloured by stage; the table beside it lists each zone with its stage."
    late = len(briefing.overdue)
    return (f"Milestone timeline of the zones shown: {late} milestone{'s' if late != 1 else ''} overdue at "
            f"{briefing.reference.name}. Each zone's slide lists its milestones; the briefing pack has the full table.")


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
    return (f'<div class="sez-map"><div class="sez-map-figure">{figure_html(images.get("map", "svg"), figure_alt(briefing, "map"))}</div>'
            f'<table class="sez-table sez-map-list"><thead><tr><th>Zone</th><th>Stage</th></tr></thead><tbody>{rows}</tbody></table></div>'
            '<p class="sez-note">Colour and circled number: stage · a ring: approximate location (wider: nearest town only) · '
            "Boundaries: Natural Earth, approximate.</p>")


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
    return _fitting(late + upcoming + done, lambda m: wrapped_lines(m.title, MILESTONE_TITLE_CHARS_PER_LINE),
                    ZONE_MILESTONE_LINES, budget)


def zone_html(briefing: Briefing, zone: ZoneBrief) -> str:
    """A zone's slide: where it stands, what changed, its milestones, and the source in brief."""
    facts = "".join(
        f'<dt>{_e(f.label)}</dt><dd class="{"sez-flag" if f.label == "Confidence" and zone.flagged else ""}">{_e(f.value)}</dd>'
        for f in zone.status
    )
    changes = list(zone.changes)
    shown = _fitting(changes, lambda c: wrapped_lines(c, CHANGE_CHARS_PER_LINE), ZONE_CHANGE_LINES, ZONE_CHANGE_MAX_LINES - 1)
    change_lines = sum(wrapped_lines(c, CHANGE_CHARS_PER_LINE) for c in shown) + 1  # and its "… and N more" line
    if briefing.compare is None:
        change_items = "<li>No earlier version to compare with.</li>"
    else:
        change_items = "".join(f"<li>{_e(c)}</li>" for c in shown)
        more = []
        if len(changes) > len(shown):
            more.append(f"{len(changes) - len(shown)} more on the changes slides")
        if zone.minor_changes:
            more.append(f"{zone.minor_changes} edit(s) of sources or notes")
        if more:
            change_items += f'<li class="sez-muted">{"… and " if changes else ""}{"; ".join(more)}</li>'
        change_items = change_items or "<li>No change.</li>"
    milestones = "".join(
        f'<tr class="{"sez-late" if m.late else ""}"><td>{_e(m.title)}</td><td class="sez-date">{_e(m.done or m.due)}</td><td class="sez-slip">{_e(m.slip)}</td></tr>'
        for m in _milestones_for_slide(zone, ZONE_RIGHT_COLUMN_LINES - change_lines)
    ) or '<tr><td colspan="3">No milestone recorded.</td></tr>'
    priority = '<span class="sez-badge">Priority zone</span>' if zone.priority else ""
    province = next((f.value for f in zone.profile if f.label == "Province"), "")
    if len(zone.heading) > ZONE_TITLE_MAX_CHARS:
        province = f"{zone.name} · {province}"
    source = metrics.source_brief(zone.source) if zone.source else ""
    changes_title = f"Since {briefing.compare.label}" if briefing.compare else "Changes"
    source_line = f'<p class="sez-note">Source: {_e(source)}</p>' if source else ""
    return (
        f'<p class="sez-subtitle">{priority}{_e(province)}</p>'
        '<div class="sez-zone">'
        f'<div><h3>{_e(zone.status_heading(briefing.info.as_of))}</h3><dl class="sez-facts">{facts}</dl>{source_line}</div>'
        f'<div><h3>{_e(changes_title)}</h3><ul class="sez-changes">{change_items}</ul>'
        '<h3>Milestones</h3><table class="sez-table"><thead><tr><th>Milestone</th><th>Date</th><th>Slippage</th></tr></thead>'
        f"<tbody>{milestones}</tbody></table></div></div>"
    )


def timeline_html(briefing: Briefing, images: BriefingImages) -> str:
    """What is open or was done since the compared version, on the timeline (slippage to the version's date)."""
    scope = (f"Open milestones, those done since {briefing.compare.label} and the programme's meetings."
             if briefing.compare else "Every milestone of the zones shown.")
    return (f'<div class="sez-timeline">{figure_html(images.get("timeline_focus", "svg"), figure_alt(briefing, "timeline"))}</div>'
            f'<p class="sez-note">{_e(scope)} The full timeline is in the briefing pack.</p>')


def changes_html(briefing: Briefing, part: int = 0) -> str:
    """One slide of the change summary, grouped by zone, in columns."""
    if briefing.changes is None:
        return '<p class="sez-line">This is the first version: there is nothing earlier to compare with.</p>'
    pages = change_pages(briefing)
    minor = minor_change_count(briefing)
    compare = briefing.compare
    since = f'<p class="sez-subtitle">Since {_e(compare.label)} ({_e(compare.id)}, as of {_e(compare.as_of)})</p>'
    if not briefing.changes:
        return since + '<p class="sez-line">Nothing changed between these versions.</p>'
    blocks = [
        f'<div class="sez-change-zone"><h3>{_e(zone)}</h3><ul>' + "".join(f"<li>{_e(i.detail)}</li>" for i in items) + "</ul></div>"
        for zone, items in pages[min(part, len(pages) - 1)]
    ]
    tail = ""
    if minor and part >= len(pages) - 1:
        tail = f'<p class="sez-note">Also {minor} edit(s) of sources, notes and other details: listed in the briefing pack.</p>'
    return f'{since}<div class="sez-change-columns">{"".join(blocks)}</div>{tail}'


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
        return timeline_html(briefing, images)
    if slide.kind == "changes":
        return changes_html(briefing, slide.part)
    raise ValueError(f"unknown slide kind {slide.kind!r}")


# The presenter's stylesheet. A fixed string: no data ever goes into it. Sizes follow the
# viewport (the smaller of width and height), so one layout fits 1920×1080 and 1280×720.
PRESENTER_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarNav"],
[data-testid="stHeader"], header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], [data-testid="stAppDeployButton"], [data-testid="stMainMenu"], #MainMenu, footer,
[data-testid="stBottom"] { display: none !important; }
.stApp { --sez-unit: min(1vw, 1.78vh); }
[data-testid="stMain"] { margin-left: 0 !important; }
[data-testid="stMainBlockContainer"], .stMainBlockContainer, .block-container {
  padding: calc(var(--sez-unit) * 1.2) calc(var(--sez-unit) * 2.4) calc(var(--sez-unit) * 0.8) !important; max-width: 100% !important; }
[data-testid="stAppViewContainer"] { padding-top: 0 !important; }
.sez-slide { font-size: calc(var(--sez-unit) * 1.55); line-height: 1.35; color: #111827; }
/* Streamlit sets its own size on list items and definitions: the slide's scale wins. */
.sez-slide li, .sez-slide dt, .sez-slide dd, .sez-slide ul, .sez-slide dl { font-size: inherit !important; line-height: inherit; }
.sez-slide-bar { display: flex; justify-content: space-between; align-items: flex-end; gap: 2vw;
  border-bottom: 3px solid #0072B2; padding-bottom: calc(var(--sez-unit) * 0.5); margin-bottom: calc(var(--sez-unit) * 1); }
.sez-slide-title { font-size: calc(var(--sez-unit) * 3.1); font-weight: 700; line-height: 1.1; }
.sez-slide-title.sez-long { font-size: calc(var(--sez-unit) * 2.3); }
.sez-stamp { font-size: calc(var(--sez-unit) * 1.45); font-weight: 700; color: #fff; background: #0072B2;
  padding: calc(var(--sez-unit) * 0.35) calc(var(--sez-unit) * 0.9); border-radius: 6px; white-space: nowrap; }
.sez-counter { margin-left: calc(var(--sez-unit) * 1); font-weight: 400; }
.sez-subtitle { font-size: calc(var(--sez-unit) * 1.6); color: #4B5563; margin: 0 0 calc(var(--sez-unit) * 0.8); }
.sez-badge { background: #E69F00; color: #111827; font-weight: 700; padding: 0.1em 0.5em; border-radius: 4px; margin-right: 0.6em; }
.sez-tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: calc(var(--sez-unit) * 1); }
.sez-tile { background: #EEF2F6; border-radius: 8px; padding: calc(var(--sez-unit) * 0.8) calc(var(--sez-unit) * 1); }
.sez-tile-label { color: #374151; font-size: calc(var(--sez-unit) * 1.45); }
.sez-tile-value { font-size: calc(var(--sez-unit) * 3.2); font-weight: 700; line-height: 1.15; }
.sez-tile-delta { color: #4B5563; font-size: calc(var(--sez-unit) * 1.25); min-height: 1.3em; }
.sez-flag { color: #B54700; font-weight: 700; }
.sez-muted { color: #6B7280; }
.sez-line { font-size: calc(var(--sez-unit) * 1.7); margin: calc(var(--sez-unit) * 1) 0 0; }
.sez-overdue { margin: calc(var(--sez-unit) * 0.3) 0 0; padding-left: 1.2em; font-size: calc(var(--sez-unit) * 1.35); }
.sez-note { font-size: calc(var(--sez-unit) * 1.15); color: #4B5563; margin: calc(var(--sez-unit) * 0.6) 0 0; }
.sez-zone { display: grid; grid-template-columns: 1fr 1.45fr; gap: calc(var(--sez-unit) * 2.5); }
.sez-zone h3, .sez-change-zone h3 { font-size: calc(var(--sez-unit) * 1.75); color: #0072B2; margin: 0 0 calc(var(--sez-unit) * 0.4); padding: 0; }
.sez-facts { display: grid; grid-template-columns: auto 1fr; gap: calc(var(--sez-unit) * 0.35) calc(var(--sez-unit) * 1.2); margin: 0; padding: 0 !important; }
.sez-facts dt { color: #4B5563; margin: 0; padding: 0; } .sez-facts dd { margin: 0; padding: 0; font-weight: 700; }
.sez-date, .sez-slip { white-space: nowrap; }
.sez-changes { margin: 0 0 calc(var(--sez-unit) * 0.8); padding-left: 1.2em; font-size: calc(var(--sez-unit) * 1.4) !important; }
.sez-table { border-collapse: collapse; width: 100%; font-size: calc(var(--sez-unit) * 1.25); }
.sez-table th { text-align: left; background: #EEF2F6; } .sez-table th, .sez-table td { padding: 0.25em 0.5em; border-bottom: 1px solid #E5E7EB; vertical-align: top; }
.sez-late td { color: #B54700; font-weight: 700; }
.sez-map { display: grid; grid-template-columns: auto minmax(18vw, 1fr); gap: calc(var(--sez-unit) * 2); align-items: start; }
.sez-figure { display: block; max-width: 100%; height: auto; margin: 0 auto; }
.sez-map .sez-figure { max-height: calc(100vh - var(--sez-unit) * 19); width: auto; }
.sez-timeline .sez-figure { max-height: calc(100vh - var(--sez-unit) * 15); width: auto; }
.sez-change-columns { column-count: 3; column-gap: calc(var(--sez-unit) * 2.5); font-size: calc(var(--sez-unit) * 1.35); }
.sez-change-zone { margin-bottom: calc(var(--sez-unit) * 0.8); }
.sez-change-zone h3 { break-after: avoid; }
.sez-change-zone li { break-inside: avoid; }
.sez-change-zone ul { margin: 0; padding-left: 1.1em; }
/* The controls sit in the bottom right corner, small but at full contrast (WCAG 1.4.3): a faded bar
   is unreadable on a projector. */
.st-key-sez_present_nav { position: fixed; right: calc(var(--sez-unit) * 2.4); bottom: calc(var(--sez-unit) * 0.8); width: auto !important;
  z-index: 1000; background: #fff; border: 1px solid #D1D5DB; border-radius: 8px; padding: 4px 6px; }
[data-testid="stMainBlockContainer"], .stMainBlockContainer { padding-bottom: calc(var(--sez-unit) * 4.5) !important; }
.st-key-sez_present_page_down, .st-key-sez_present_page_up { display: none !important; }
</style>
"""
