"""The presenter's stylesheet: projector-sized type, the slide layouts, and each language's fonts and
writing direction.

Every size follows one unit, the smaller of 1 % of the screen's width and 1/56 of its height, so a
slide is laid out the same at 1920×1080 and 1280×720. The smallest text on a slide is
``SMALLEST_TEXT_UNITS`` units: 18.6 px at 1280×720, 27.8 px at 1920×1080, readable from the back of
a meeting room. A fixed string apart from the font table: no data ever goes into it.
"""

from __future__ import annotations

from string import Template

from sez_metrics.core import i18n
from sez_metrics.render.fonts import fonts_for

# The sizes of the slide, in units; the stylesheet below and the fitting of text to the slide
# (``present_fit``) both read them.
SMALLEST_TEXT_UNITS = 1.45
TEXT_UNITS = 1.6  # the slide's running text
TITLE_UNITS = 2.5
LONG_TITLE_UNITS = 2.1
TITLE_LINE_HEIGHT = 1.15
HEADING_UNITS = 1.75  # a zone's heading, a column's heading
HEADING_GAP_UNITS = 0.4  # under a heading
PAGE_PADDING_UNITS = (1.2, 2.4, 5.0)  # top, sides, bottom (room for the controls)
BAR_GAP_UNITS = (0.5, 1.0)  # the top bar: above its rule, below it
BAR_RULE_PX = 3
STAMP_PADDING_UNITS = (0.3, 0.9)
STAMP_LINE_HEIGHT = 1.25
STAMP_MAX_SHARE = 0.48
SUBTITLE_GAP_UNITS = 0.8
NOTE_GAP_UNITS = 0.6  # above a note
COLUMN_GAP_UNITS = 2.2  # between a zone slide's two columns, and the change slide's columns
ZONE_COLUMNS = (1.0, 1.15)  # the facts, then the changes and milestones (reversed for right to left)
LIST_INDENT_EM = 1.2
CELL_PADDING_EM = (0.15, 0.4)
FACT_GAP_UNITS = (0.2, 1.2)
SLIP_COLUMN_SHARE = 0.32
TIMELINE_COLUMNS = (1.55, 1.25)  # the milestone's name, its track; then its date and state (auto)
TIMELINE_GAP_UNITS = 1.2
TIMELINE_ROW_PADDING_UNITS = 0.35
TIMELINE_AXIS_EM = 1.4
TIMELINE_MARK_EM = 1.5
CHANGE_GROUP_GAP_UNITS = 0.8
TILE_GAP_UNITS = 0.8
TILE_PADDING_UNITS = (0.5, 0.8)
TILE_LINE_HEIGHT = 1.25
TILE_VALUE_UNITS = 2.6
LINE_GAP_UNITS = 0.7  # above a line of running text (the overview's)
OVERDUE_GAP_UNITS = 0.2
# The type of the change slides: the largest that takes no more slides (``present_fit``).
CHANGE_TYPE_UNITS = {"small": 1.45, "normal": 1.75, "large": 2.1}
# The controls' own size, at every screen size, and their height with their frame.
CONTROL_PX = 18.5
CONTROL_BOTTOM_UNITS = 0.6
# The line height of running text on a slide; a script that needs more (Nastaliq) gets its own
# (``fonts.LanguageFonts.line_height``) for the slide's own words: headings, labels, notes.
SLIDE_LINE_HEIGHT = 1.3
# Data (zone names, milestone titles, change details, figures) keeps the writing of its source,
# mostly Latin: in a right-to-left slide it runs in its own direction, at a line height between.
DATA_LINE_HEIGHT = {"ltr": SLIDE_LINE_HEIGHT, "rtl": 1.45}

_CSS = Template("""
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarNav"],
[data-testid="stHeader"], header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], [data-testid="stAppDeployButton"], [data-testid="stMainMenu"], #MainMenu, footer,
[data-testid="stBottom"] { display: none !important; }
:root { --sez-unit: min(1vw, 1.78vh); --sez-small: calc(var(--sez-unit) * $small); }
[data-testid="stMain"] { margin-left: 0 !important; }
[data-testid="stMainBlockContainer"], .stMainBlockContainer, .block-container {
  padding: calc(var(--sez-unit) * $pad_top) calc(var(--sez-unit) * $pad_side) calc(var(--sez-unit) * $pad_bottom) !important; max-width: 100% !important; }
[data-testid="stAppViewContainer"] { padding-top: 0 !important; }
.sez-slide { font-size: calc(var(--sez-unit) * $text); line-height: var(--sez-line); color: #111827; }
/* Streamlit sets its own size on list items and definitions: the slide's scale wins (and a class's own
   size below, written ``.sez-slide .class`` to outrank this). */
.sez-slide li, .sez-slide dt, .sez-slide dd, .sez-slide ul, .sez-slide dl, .sez-slide p, .sez-slide td, .sez-slide th {
  font-size: inherit !important; line-height: inherit; }
.sez-slide ul, .sez-slide ol { padding-inline-start: ${indent}em; padding-inline-end: 0; margin-inline: 0; }
/* Data runs in the direction of its own first letter (an English source in an Urdu slide stays readable). */
.sez-slide dd, .sez-slide li, .sez-slide td, .sez-tl-label, .sez-tl-when span, .sez-tile > div, .sez-slide-title, .sez-change-zone h3 {
  unicode-bidi: plaintext; }
/* Data and one-line labels beside it (a fact's name, a zone's heading) take the data's line height. */
.sez-slide li, .sez-slide td, .sez-tl-label, .sez-source, .sez-subtitle,
.sez-change-zone h3 { line-height: var(--sez-data-line) !important; }
/* How a milestone stands is the slide's own words: when it wraps, two lines of Nastaliq must not touch;
   the timeline's date and state are one line each, kept apart by a gap instead. */
.sez-slide td.sez-slip { line-height: var(--sez-line) !important; }
.sez-tl-when { line-height: var(--sez-data-line) !important; row-gap: calc((var(--sez-line) - var(--sez-data-line)) * 0.5em); }
.sez-v { unicode-bidi: isolate; }
.sez-slide-bar { display: flex; justify-content: space-between; align-items: flex-end; gap: 2vw;
  border-bottom: ${rule}px solid #0072B2; padding-bottom: calc(var(--sez-unit) * $bar_pad); margin-bottom: calc(var(--sez-unit) * $bar_gap); }
.sez-slide-title { font-size: calc(var(--sez-unit) * $title); font-weight: 700; line-height: $title_line; flex: 1 1 auto; min-width: 0; }
.sez-slide-title.sez-long { font-size: calc(var(--sez-unit) * $long_title); }
.sez-stamp { font-size: var(--sez-small); font-weight: 700; color: #fff; background: #005A8C;
  padding: calc(var(--sez-unit) * $stamp_v) calc(var(--sez-unit) * $stamp_h); border-radius: 6px; flex: 0 1 auto; max-width: $stamp_share%;
  text-align: end; line-height: $stamp_line; }
.sez-counter { margin-inline-start: calc(var(--sez-unit) * 1); font-weight: 400; white-space: nowrap; }
/* The counter reads left to right (dir="ltr"), so its own start is its left: in a right-to-left
   stamp the gap goes on its right, between it and the stamp's text. */
.sez-slide[dir="rtl"] .sez-counter { margin-inline-start: 0; margin-inline-end: calc(var(--sez-unit) * 1); }
.sez-slide .sez-subtitle { font-size: calc(var(--sez-unit) * $text) !important; color: #374151; margin: 0 0 calc(var(--sez-unit) * $subtitle_gap); }
.sez-badge { background: #E69F00; color: #111827; font-weight: 700; padding: 0.1em 0.5em; border-radius: 4px; margin-inline-end: 0.6em; }
.sez-tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: calc(var(--sez-unit) * $tile_gap); }
.sez-tile { background: #EEF2F6; border-radius: 8px; padding: calc(var(--sez-unit) * $tile_v) calc(var(--sez-unit) * $tile_h); line-height: $tile_line; }
.sez-tile-label { color: #374151; font-size: var(--sez-small); }
.sez-tile-value { font-size: calc(var(--sez-unit) * $tile_value); font-weight: 700; line-height: $title_line; }
.sez-tile-delta { color: #374151; font-size: var(--sez-small); }
.sez-tile .sez-flag { font-size: var(--sez-small); }
.sez-flag { color: #A63C00; font-weight: 700; }
.sez-muted { color: #4B5563; }
.sez-slide .sez-line { font-size: calc(var(--sez-unit) * $text) !important; margin: calc(var(--sez-unit) * $line_gap) 0 0; }
.sez-slide .sez-overdue { margin: calc(var(--sez-unit) * $overdue_gap) 0 0; font-size: var(--sez-small) !important; }
.sez-slide .sez-note { font-size: var(--sez-small) !important; color: #374151; margin: calc(var(--sez-unit) * $note_gap) 0 0; }
.sez-zone { display: grid; grid-template-columns: ${zone_a}fr ${zone_b}fr; gap: calc(var(--sez-unit) * $column_gap); }
.sez-zone h3, .sez-change-zone h3 { font-size: calc(var(--sez-unit) * $heading); color: #005A8C; margin: 0 0 calc(var(--sez-unit) * $heading_gap); padding: 0;
  line-height: var(--sez-line); }
.sez-slide .sez-facts { display: grid; grid-template-columns: auto 1fr; gap: calc(var(--sez-unit) * $fact_row) calc(var(--sez-unit) * $fact_col); margin: 0;
  padding: 0 !important; font-size: var(--sez-small) !important; }
.sez-facts dt { color: #374151; margin: 0; padding: 0; } .sez-facts dd { margin: 0; padding: 0; font-weight: 700; }
.sez-date { white-space: nowrap; } .sez-slip { width: $slip%; }
.sez-slide .sez-changes { margin: 0 0 calc(var(--sez-unit) * $note_gap); font-size: var(--sez-small) !important; }
.sez-slide .sez-table { border-collapse: collapse; width: 100%; font-size: var(--sez-small) !important; }
.sez-table th { text-align: start; background: #EEF2F6; }
.sez-table th, .sez-table td { padding: ${cell_v}em ${cell_h}em; border-bottom: 1px solid #E5E7EB; vertical-align: top; text-align: start; }
.sez-late td { color: #A63C00; font-weight: 700; }
.sez-map { display: grid; grid-template-columns: auto minmax(24vw, 1fr); gap: calc(var(--sez-unit) * 2); align-items: start; }
.sez-figure { display: block; max-width: 100%; margin: 0 auto; }
/* The slide map is drawn at the size it is shown at 1280×720 (``present.MAP_SLIDE_PX``): its labels are never scaled down. */
.sez-map .sez-figure { height: calc(100vh - var(--sez-unit) * 19); width: auto; min-height: 0; }
.sez-timeline { display: grid; grid-template-columns: minmax(0, ${tl_a}fr) minmax(0, ${tl_b}fr) auto; align-items: center;
  column-gap: calc(var(--sez-unit) * $tl_gap); font-size: var(--sez-small); }
.sez-tl-head { font-weight: 700; color: #374151; border-bottom: 2px solid #9CA3AF; align-self: end; padding-bottom: 0.1em; }
.sez-tl-label, .sez-tl-when, .sez-tl-track { border-bottom: 1px solid #E5E7EB; padding: calc(var(--sez-unit) * $tl_pad) 0; align-self: stretch; }
.sez-tl-label { display: flex; flex-direction: column; justify-content: center; }
.sez-tl-zone { color: #005A8C; font-weight: 700; }
.sez-tl-when { white-space: nowrap; display: flex; flex-direction: column; justify-content: center; }
.sez-tl-axis, .sez-tl-track { position: relative; }
.sez-tl-axis { height: ${tl_axis}em; }
.sez-tl-tick { position: absolute; bottom: 0.1em; transform: translateX(-50%); white-space: nowrap; }
.sez-tl-tick:first-child { transform: none; } .sez-tl-tick:last-child { transform: translateX(-100%); }
.sez-tl-track::before { content: ""; position: absolute; left: 0; right: 0; top: 50%; border-top: 2px solid #D1D5DB; }
.sez-tl-grid { position: absolute; top: 0; bottom: 0; border-left: 1px dashed #D1D5DB; }
.sez-tl-ref { position: absolute; top: 0; bottom: 0; border-left: 3px solid #111827; }
.sez-tl-mark { position: absolute; top: 50%; transform: translate(-50%, -50%); width: ${tl_mark}em; height: ${tl_mark}em; border-radius: 50%;
  display: flex; align-items: center; justify-content: center; color: #111827; background: #fff; font-weight: 700; border: 3px solid #111827; line-height: 1; }
.sez-tl-late { color: #A63C00; font-weight: 700; }
.sez-tl-legend { display: flex; flex-wrap: wrap; gap: 0.3em 1.4em; align-items: center; }
.sez-tl-legend .sez-tl-mark { position: static; transform: none; display: inline-flex; margin-inline-end: 0.3em; vertical-align: middle; }
.sez-change-columns { display: grid; gap: calc(var(--sez-unit) * $column_gap); }
.sez-change-columns.sez-columns-2 { grid-template-columns: repeat(2, minmax(0, 1fr)); }
.sez-change-columns.sez-columns-3 { grid-template-columns: repeat(3, minmax(0, 1fr)); }
$change_types
.sez-change-zone { margin-bottom: calc(var(--sez-unit) * $group_gap); }
/* Changes are sentences in the slide's language: its own line height (two lines of Nastaliq must not touch). */
.sez-slide .sez-change-zone li, .sez-slide .sez-changes li { line-height: var(--sez-line) !important; }
.sez-change-zone ul { margin: 0; }
/* The controls sit in the bottom corner, at the slide's smallest type and full contrast (WCAG 1.4.3):
   a faded bar is unreadable on a projector. */
.st-key-sez_present_nav { position: fixed; right: calc(var(--sez-unit) * $pad_side); bottom: calc(var(--sez-unit) * $nav_bottom); width: auto !important;
  z-index: 1000; background: #fff; border: 1px solid #6B7280; border-radius: 8px; padding: 4px 6px; opacity: 1 !important; }
/* The presenter's own controls: 18.5 px at every size (the slide list keeps its width and every name whole). */
.st-key-sez_present_nav *, [data-testid="stPopoverBody"] * { font-size: ${control}px !important; }
.st-key-sez_present_nav button { min-height: 0; padding-top: 0.15em; padding-bottom: 0.15em; }
.st-key-sez_present_page_down, .st-key-sez_present_page_up { display: none !important; }
""")


def presenter_css(code: str | None = None) -> str:
    """The presenter's ``<style>`` element for language ``code`` (default: the current one): its fonts,
    the line height its script needs, and its direction on the slide."""
    lang = i18n.language(code or i18n.current().code)
    fonts = fonts_for(lang.code)
    line, data_line = line_heights(lang.code)
    own = (f".sez-slide, .st-key-sez_present_nav, [data-testid=\"stPopoverBody\"] {{ font-family: {fonts.css_families}; }}\n"
           f":root {{ --sez-line: {line}; --sez-data-line: {data_line}; }}\n")
    if lang.direction == "rtl":
        # The controls move to the reading start of the line (bottom left for Urdu).
        own += ".st-key-sez_present_nav { right: auto; left: calc(var(--sez-unit) * 2.4); direction: rtl; }\n"
        # A zone's facts (labels in the schema's words) keep Nastaliq's line height: they get the wider column.
        own += f".sez-zone {{ grid-template-columns: {ZONE_COLUMNS[1]}fr {ZONE_COLUMNS[0]}fr; }}\n"
    return f"<style>{_css()}{own}</style>"


def _css() -> str:
    types = "\n".join(f".sez-change-columns.sez-type-{name} {{ font-size: calc(var(--sez-unit) * {units}); }}"
                      for name, units in CHANGE_TYPE_UNITS.items())
    top, side, bottom = PAGE_PADDING_UNITS
    return _CSS.substitute(
        small=SMALLEST_TEXT_UNITS, text=TEXT_UNITS, pad_top=top, pad_side=side, pad_bottom=bottom, indent=LIST_INDENT_EM,
        rule=BAR_RULE_PX, bar_pad=BAR_GAP_UNITS[0], bar_gap=BAR_GAP_UNITS[1], title=TITLE_UNITS, title_line=TITLE_LINE_HEIGHT,
        long_title=LONG_TITLE_UNITS, stamp_v=STAMP_PADDING_UNITS[0], stamp_h=STAMP_PADDING_UNITS[1], stamp_share=round(STAMP_MAX_SHARE * 100),
        stamp_line=STAMP_LINE_HEIGHT, subtitle_gap=SUBTITLE_GAP_UNITS, note_gap=NOTE_GAP_UNITS, zone_a=ZONE_COLUMNS[0], zone_b=ZONE_COLUMNS[1],
        column_gap=COLUMN_GAP_UNITS, heading=HEADING_UNITS, heading_gap=HEADING_GAP_UNITS, fact_row=FACT_GAP_UNITS[0],
        fact_col=FACT_GAP_UNITS[1], slip=round(SLIP_COLUMN_SHARE * 100), cell_v=CELL_PADDING_EM[0], cell_h=CELL_PADDING_EM[1],
        tl_a=TIMELINE_COLUMNS[0], tl_b=TIMELINE_COLUMNS[1], tl_gap=TIMELINE_GAP_UNITS, tl_pad=TIMELINE_ROW_PADDING_UNITS,
        tl_axis=TIMELINE_AXIS_EM, tl_mark=TIMELINE_MARK_EM, change_types=types, group_gap=CHANGE_GROUP_GAP_UNITS,
        nav_bottom=CONTROL_BOTTOM_UNITS, control=CONTROL_PX, tile_gap=TILE_GAP_UNITS, tile_v=TILE_PADDING_UNITS[0],
        tile_h=TILE_PADDING_UNITS[1], tile_line=TILE_LINE_HEIGHT, tile_value=TILE_VALUE_UNITS, line_gap=LINE_GAP_UNITS,
        overdue_gap=OVERDUE_GAP_UNITS)


def line_heights(code: str) -> tuple[float, float]:
    """The line heights of a slide in language ``code``: its own words (``--sez-line``), and data (``--sez-data-line``)."""
    lang = i18n.language(code)
    fonts = fonts_for(lang.code)
    return max(SLIDE_LINE_HEIGHT, fonts.line_height if lang.direction == "rtl" else SLIDE_LINE_HEIGHT), DATA_LINE_HEIGHT[lang.direction]
