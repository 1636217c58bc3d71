"""The presenter's stylesheet: projector-sized type, the slide layouts, and each language's fonts and
writing direction.

Every size follows one unit, the smaller of 1 % of the screen's width and 1/56 of its height, so a
slide is laid out the same at 1920×1080 and 1280×720. The smallest text on a slide is
``SMALLEST_TEXT_UNITS`` units: 18.6 px at 1280×720, 27.8 px at 1920×1080, readable from the back of
a meeting room. A fixed string apart from the font table: no data ever goes into it.
"""

from __future__ import annotations

from sez_metrics.core import i18n
from sez_metrics.render.fonts import fonts_for

SMALLEST_TEXT_UNITS = 1.45
# The line height of running text on a slide; a script that needs more (Nastaliq) gets its own
# (``fonts.LanguageFonts.line_height``) for the slide's own words: headings, labels, notes.
SLIDE_LINE_HEIGHT = 1.3
# Data (zone names, milestone titles, change details, figures) keeps the writing of its source,
# mostly Latin: in a right-to-left slide it runs in its own direction, at a line height between.
DATA_LINE_HEIGHT = {"ltr": SLIDE_LINE_HEIGHT, "rtl": 1.45}

_CSS = """
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarNav"],
[data-testid="stHeader"], header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], [data-testid="stAppDeployButton"], [data-testid="stMainMenu"], #MainMenu, footer,
[data-testid="stBottom"] { display: none !important; }
:root { --sez-unit: min(1vw, 1.78vh); --sez-small: calc(var(--sez-unit) * 1.45); }
[data-testid="stMain"] { margin-left: 0 !important; }
[data-testid="stMainBlockContainer"], .stMainBlockContainer, .block-container {
  padding: calc(var(--sez-unit) * 1.2) calc(var(--sez-unit) * 2.4) calc(var(--sez-unit) * 0.8) !important; max-width: 100% !important; }
[data-testid="stAppViewContainer"] { padding-top: 0 !important; }
.sez-slide { font-size: calc(var(--sez-unit) * 1.6); line-height: var(--sez-line); color: #111827; }
/* Streamlit sets its own size on list items and definitions: the slide's scale wins. */
.sez-slide li, .sez-slide dt, .sez-slide dd, .sez-slide ul, .sez-slide dl, .sez-slide p, .sez-slide td, .sez-slide th {
  font-size: inherit !important; line-height: inherit; }
.sez-slide ul, .sez-slide ol { padding-inline-start: 1.2em; padding-inline-end: 0; margin-inline: 0; }
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
  border-bottom: 3px solid #0072B2; padding-bottom: calc(var(--sez-unit) * 0.5); margin-bottom: calc(var(--sez-unit) * 1); }
.sez-slide-title { font-size: calc(var(--sez-unit) * 2.5); font-weight: 700; line-height: 1.15; flex: 1 1 auto; min-width: 0; }
.sez-slide-title.sez-long { font-size: calc(var(--sez-unit) * 2.1); }
.sez-stamp { font-size: var(--sez-small); font-weight: 700; color: #fff; background: #005A8C;
  padding: calc(var(--sez-unit) * 0.3) calc(var(--sez-unit) * 0.9); border-radius: 6px; flex: 0 1 auto; max-width: 48%;
  text-align: end; line-height: 1.25; }
.sez-counter { margin-inline-start: calc(var(--sez-unit) * 1); font-weight: 400; white-space: nowrap; }
.sez-subtitle { font-size: calc(var(--sez-unit) * 1.6) !important; color: #374151; margin: 0 0 calc(var(--sez-unit) * 0.8); }
.sez-badge { background: #E69F00; color: #111827; font-weight: 700; padding: 0.1em 0.5em; border-radius: 4px; margin-inline-end: 0.6em; }
.sez-tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: calc(var(--sez-unit) * 0.8); }
.sez-tile { background: #EEF2F6; border-radius: 8px; padding: calc(var(--sez-unit) * 0.5) calc(var(--sez-unit) * 0.8); line-height: 1.25; }
.sez-tile-label { color: #374151; font-size: var(--sez-small); }
.sez-tile-value { font-size: calc(var(--sez-unit) * 2.6); font-weight: 700; line-height: 1.15; }
.sez-tile-delta { color: #374151; font-size: var(--sez-small); }
.sez-tile .sez-flag { font-size: var(--sez-small); }
.sez-flag { color: #A63C00; font-weight: 700; }
.sez-muted { color: #4B5563; }
.sez-line { font-size: calc(var(--sez-unit) * 1.6) !important; margin: calc(var(--sez-unit) * 0.7) 0 0; }
.sez-overdue { margin: calc(var(--sez-unit) * 0.2) 0 0; font-size: var(--sez-small) !important; }
.sez-note { font-size: var(--sez-small) !important; color: #374151; margin: calc(var(--sez-unit) * 0.6) 0 0; }
.sez-zone { display: grid; grid-template-columns: 1fr 1.15fr; gap: calc(var(--sez-unit) * 2.2); }
.sez-zone h3, .sez-change-zone h3 { font-size: calc(var(--sez-unit) * 1.75); color: #005A8C; margin: 0 0 calc(var(--sez-unit) * 0.4); padding: 0;
  line-height: var(--sez-line); }
.sez-facts { display: grid; grid-template-columns: auto 1fr; gap: calc(var(--sez-unit) * 0.2) calc(var(--sez-unit) * 1.2); margin: 0;
  padding: 0 !important; font-size: var(--sez-small) !important; }
.sez-facts dt { color: #374151; margin: 0; padding: 0; } .sez-facts dd { margin: 0; padding: 0; font-weight: 700; }
.sez-date { white-space: nowrap; } .sez-slip { width: 32%; }
.sez-changes { margin: 0 0 calc(var(--sez-unit) * 0.6); font-size: var(--sez-small) !important; }
.sez-table { border-collapse: collapse; width: 100%; font-size: var(--sez-small) !important; }
.sez-table th { text-align: start; background: #EEF2F6; }
.sez-table th, .sez-table td { padding: 0.15em 0.4em; border-bottom: 1px solid #E5E7EB; vertical-align: top; text-align: start; }
.sez-late td { color: #A63C00; font-weight: 700; }
.sez-map { display: grid; grid-template-columns: auto minmax(24vw, 1fr); gap: calc(var(--sez-unit) * 2); align-items: start; }
.sez-figure { display: block; max-width: 100%; margin: 0 auto; }
/* The slide map is drawn at the size it is shown at 1280×720 (``present.MAP_SLIDE_PX``): its labels are never scaled down. */
.sez-map .sez-figure { height: calc(100vh - var(--sez-unit) * 19); width: auto; min-height: 0; }
.sez-timeline { display: grid; grid-template-columns: minmax(0, 1.55fr) minmax(0, 1.25fr) auto; align-items: center;
  column-gap: calc(var(--sez-unit) * 1.2); font-size: var(--sez-small); }
.sez-tl-head { font-weight: 700; color: #374151; border-bottom: 2px solid #9CA3AF; align-self: end; padding-bottom: 0.1em; }
.sez-tl-label, .sez-tl-when, .sez-tl-track { border-bottom: 1px solid #E5E7EB; padding: calc(var(--sez-unit) * 0.35) 0; align-self: stretch; }
.sez-tl-label { display: flex; flex-direction: column; justify-content: center; }
.sez-tl-zone { color: #005A8C; font-weight: 700; }
.sez-tl-when { white-space: nowrap; display: flex; flex-direction: column; justify-content: center; }
.sez-tl-axis, .sez-tl-track { position: relative; }
.sez-tl-axis { height: 1.4em; }
.sez-tl-tick { position: absolute; bottom: 0.1em; transform: translateX(-50%); white-space: nowrap; }
.sez-tl-tick:first-child { transform: none; } .sez-tl-tick:last-child { transform: translateX(-100%); }
.sez-tl-track::before { content: ""; position: absolute; left: 0; right: 0; top: 50%; border-top: 2px solid #D1D5DB; }
.sez-tl-grid { position: absolute; top: 0; bottom: 0; border-left: 1px dashed #D1D5DB; }
.sez-tl-ref { position: absolute; top: 0; bottom: 0; border-left: 3px solid #111827; }
.sez-tl-mark { position: absolute; top: 50%; transform: translate(-50%, -50%); width: 1.5em; height: 1.5em; border-radius: 50%;
  display: flex; align-items: center; justify-content: center; color: #111827; background: #fff; font-weight: 700; border: 3px solid #111827; line-height: 1; }
.sez-tl-late { color: #A63C00; font-weight: 700; }
.sez-tl-legend { display: flex; flex-wrap: wrap; gap: 0.3em 1.4em; align-items: center; }
.sez-tl-legend .sez-tl-mark { position: static; transform: none; display: inline-flex; margin-inline-end: 0.3em; vertical-align: middle; }
.sez-change-columns { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: calc(var(--sez-unit) * 2.2); font-size: calc(var(--sez-unit) * 1.55); }
.sez-change-columns.sez-type-large { font-size: calc(var(--sez-unit) * 1.85); }
.sez-change-zone { margin-bottom: calc(var(--sez-unit) * 0.8); }
.sez-change-zone ul { margin: 0; }
/* The controls sit in the bottom corner, at the slide's smallest type and full contrast (WCAG 1.4.3):
   a faded bar is unreadable on a projector. */
.st-key-sez_present_nav { position: fixed; right: calc(var(--sez-unit) * 2.4); bottom: calc(var(--sez-unit) * 0.6); width: auto !important;
  z-index: 1000; background: #fff; border: 1px solid #6B7280; border-radius: 8px; padding: 4px 6px; opacity: 1 !important; }
/* The presenter's own controls: 18.5 px at every size (the slide list keeps its width and every name whole). */
.st-key-sez_present_nav *, [data-testid="stPopoverBody"] * { font-size: 18.5px !important; }
.st-key-sez_present_nav button { min-height: 0; padding-top: 0.15em; padding-bottom: 0.15em; }
[data-testid="stMainBlockContainer"], .stMainBlockContainer { padding-bottom: calc(var(--sez-unit) * 5) !important; }
.st-key-sez_present_page_down, .st-key-sez_present_page_up { display: none !important; }
"""


def presenter_css(code: str | None = None) -> str:
    """The presenter's ``<style>`` element for language ``code`` (default: the current one): its fonts,
    the line height its script needs, and its direction on the slide."""
    lang = i18n.language(code or i18n.current().code)
    fonts = fonts_for(lang.code)
    line = max(SLIDE_LINE_HEIGHT, fonts.line_height if lang.direction == "rtl" else SLIDE_LINE_HEIGHT)
    own = (f".sez-slide, .st-key-sez_present_nav, [data-testid=\"stPopoverBody\"] {{ font-family: {fonts.css_families}; }}\n"
           f":root {{ --sez-line: {line}; --sez-data-line: {DATA_LINE_HEIGHT[lang.direction]}; }}\n")
    if lang.direction == "rtl":
        # The controls move to the reading start of the line (bottom left for Urdu).
        own += ".st-key-sez_present_nav { right: auto; left: calc(var(--sez-unit) * 2.4); direction: rtl; }\n"
        # A zone's facts (labels in the schema's words) keep Nastaliq's line height: they get the wider column.
        own += ".sez-zone { grid-template-columns: 1.15fr 1fr; }\n"
    return f"<style>{_CSS}{own}</style>"
