"""The pack as PDF: A4 landscape pages with fpdf2 and DejaVu Sans, one function per section.

DejaVu Sans (Debian ``fonts-dejavu-core``) prints any Unicode text; characters the font lacks (CJK,
emoji) print as "□". Urdu letters print but are not shaped (joined) — shaping needs HarfBuzz and is
out of scope. Every page after the cover carries the pack's title and the pinned version's stamp;
every page's foot the stamp, the generation date and the page number.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from sez_metrics.core import schema, vocabulary
from sez_metrics.render.briefing.images import MAP_SIZE_PX, BriefingImages
from sez_metrics.render.briefing.story import NO_VALUE, Briefing, BriefingError, ZoneBrief, labelled
from sez_metrics.render.static_map import MAP_CREDIT

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
MISSING_GLYPH = "□"
# Symbols of the dashboard that DejaVu Sans lacks, drawn with a look-alike it has.
PDF_SUBSTITUTES = {"⏱": "◷", "⏩": "»"}

INK, MUTED, ACCENT, FLAG = (17, 24, 39), (75, 85, 99), (0, 114, 178), (213, 94, 0)
PANEL, RULE = (238, 242, 246), (209, 213, 219)
OVERDUE_ROWS_PDF = 7  # what fits under the headline figures on one page
MAP_ASPECT = MAP_SIZE_PX[1] / MAP_SIZE_PX[0]
SOURCE_COLUMNS = ["Figure", "Zone", "As of / date", "Confidence", "Source"]


@lru_cache(maxsize=1)
def _font_glyphs() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(FONT_DIR / FONT_FILES[""]).getBestCmap())


def pdf_safe(text: object) -> str:
    """``text`` with characters DejaVu Sans cannot draw replaced by "□" (and controls by spaces)."""
    glyphs = _font_glyphs()
    out = []
    for ch in str(text):
        if ch in "\n":
            out.append(ch)
        elif ord(ch) < 32:
            out.append(" ")
        else:
            ch = PDF_SUBSTITUTES.get(ch, ch)
            out.append(ch if ord(ch) in glyphs else MISSING_GLYPH)
    return "".join(out)


def _fonts_present() -> None:
    missing = [name for name in FONT_FILES.values() if not (FONT_DIR / name).is_file()]
    if missing:
        raise BriefingError(f"font {', '.join(missing)} not found in {FONT_DIR}: install the Debian package fonts-dejavu-core")


class PackPdf(FPDF):
    """The pack's pages: A4 landscape, DejaVu Sans, every page but the cover stamped with the version;
    the text helpers every section uses (headings, paragraphs, tables, pictures)."""

    def __init__(self, briefing: Briefing, images: BriefingImages):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.briefing = briefing
        self.images = images
        self.set_margins(14, 12, 14)
        self.set_auto_page_break(True, margin=16)
        for style, file_name in FONT_FILES.items():
            self.add_font("DejaVu", style, str(FONT_DIR / file_name))
        self.set_title(pdf_safe(f"{briefing.title} — {briefing.info.label}"))
        self.set_author("SEZ progress dashboard")
        self.set_subject(pdf_safe(briefing.stamp))
        self.set_creation_date(datetime.combine(briefing.generated_on, datetime.min.time(), tzinfo=UTC))

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font("DejaVu", "", 9)
        self.set_text_color(*MUTED)
        self.cell(0, 6, pdf_safe(self.briefing.title), align="L")
        self.set_x(self.l_margin)
        self.set_font("DejaVu", "B", 9)
        self.set_text_color(*ACCENT)
        self.cell(0, 6, pdf_safe(self.briefing.stamp), align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, pdf_safe(f"{self.briefing.stamp} · generated {self.briefing.generated_on.isoformat()}"), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"page {self.page_no()} of {{nb}}", align="R")

    def heading(self, text: str, size: int = 20) -> None:
        self.set_font("DejaVu", "B", size)
        self.set_text_color(*INK)
        self.multi_cell(0, size * 0.5, pdf_safe(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def para(self, text: str, size: float = 11, colour: tuple[int, int, int] = INK, bold: bool = False) -> None:
        self.set_font("DejaVu", "B" if bold else "", size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.5, pdf_safe(text), align="L", new_x="LMARGIN", new_y="NEXT")

    def rows_table(self, rows: list[list[str]], widths: tuple[float, ...], size: float = 9, width: float | None = None,
                   align: str = "CENTER", padding: float = 1.2) -> None:
        """A table whose first row is its heading, rows shaded alternately."""
        self.set_font("DejaVu", "", size)
        self.set_text_color(*INK)
        with self.table(col_widths=widths, text_align="LEFT", headings_style=FontFace(emphasis="BOLD", fill_color=PANEL, color=INK),
                        line_height=size * 0.46, padding=padding, borders_layout="HORIZONTAL_LINES", width=width, align=align,
                        cell_fill_color=(247, 248, 250), cell_fill_mode="ROWS") as t:
            for cells in rows:
                row = t.row()
                for cell in cells:
                    row.cell(pdf_safe(cell))

    def keep_room(self, mm: float) -> None:
        """Start a new page rather than leave a heading alone at the foot of this one."""
        if self.get_y() + mm > self.page_break_trigger:
            self.add_page()

    def picture(self, data: bytes | None, what: str, max_w: float, max_h: float) -> None:
        """The image fitted in ``max_w`` × ``max_h`` at the left margin, or a line saying why it is missing."""
        if data is None:
            why = "; ".join(self.images.problems) or "not rendered"
            self.para(f"[{what} not available: {why}]", 10, FLAG)
            return
        top = self.get_y()
        self.image(io.BytesIO(data), x=self.l_margin, y=top, w=max_w, h=max_h, keep_aspect_ratio=True, alt_text=what)
        self.set_y(top + max_h)


def _zone_precision(briefing: Briefing, zone_id: str) -> str:
    zones = briefing.dataset.zones
    return str(zones.loc[zones["zone_id"] == zone_id, "location_precision"].iloc[0])


def cover_page(pdf: PackPdf) -> None:
    b = pdf.briefing
    pdf.add_page()
    pdf.ln(28)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + 40, pdf.get_y())
    pdf.set_line_width(0.2)
    pdf.set_draw_color(*RULE)
    pdf.ln(8)
    pdf.heading(b.title, 28)
    pdf.ln(4)
    pdf.para(f"Version: {b.info.label} ({b.info.id})", 16, ACCENT, bold=True)
    pdf.para(f"Data as of {b.info.as_of}", 16, INK, bold=True)
    pdf.ln(3)
    pdf.para(f"Generated on {b.generated_on.isoformat()} from the pinned dataset version; published {b.info.published_at} by {b.info.author}.",
             11, MUTED)
    pdf.para(b.compare_text + ".", 11, MUTED)
    pdf.ln(8)
    pdf.para("Contents: headline figures · map · one page per zone (priority zones first) · programme timeline · "
             "changes since the earlier version · sources and confidence.", 11, MUTED)
    legend = " · ".join(labelled(schema.CONFIDENCE, c) for c in schema.CONFIDENCE.values)
    pdf.para(f"Every figure carries its confidence: {legend}. Estimated and illustrative figures are flagged ⚠.", 11, MUTED)


def _headline_tiles(pdf: PackPdf) -> None:
    """The headline tiles, four to a row: label, value, change and flag."""
    tile_w, tile_h, gap = (pdf.epw - 3 * 5) / 4, 29, 4
    top = pdf.get_y()
    for i, tile in enumerate(pdf.briefing.tiles):
        x = pdf.l_margin + (i % 4) * (tile_w + gap)
        y = top + (i // 4) * (tile_h + gap)
        pdf.set_fill_color(*PANEL)
        pdf.rect(x, y, tile_w, tile_h, style="F")
        for dy, height, style, size, colour, text in (
            (2, 5, "", 10, MUTED, tile.label),
            (8, 9, "B", 18, INK, tile.value),
            (18, 5, "", 9, MUTED, tile.delta_text),
        ):
            pdf.set_xy(x + 3, y + dy)
            pdf.set_font("DejaVu", style, size)
            pdf.set_text_color(*colour)
            pdf.cell(tile_w - 6, height, pdf_safe(text))
        if tile.flag_text:
            pdf.set_xy(x + 3, y + 23)
            pdf.set_text_color(*FLAG)
            pdf.cell(tile_w - 6, 5, pdf_safe(tile.flag_text))
    pdf.set_y(top + 2 * (tile_h + gap) + 2)


def overview_page(pdf: PackPdf) -> None:
    """Headline figures, zones by stage and the overdue milestones (the first few; the zone pages list them all)."""
    b = pdf.briefing
    pdf.add_page()
    pdf.heading("Programme overview")
    _headline_tiles(pdf)
    pdf.para("Zones by stage: " + " · ".join(f"{s.symbol} {s.label} {s.count}" for s in b.stages), 11)
    if b.flagged_note:
        pdf.para(f"⚠ {b.flagged_note}: those zones' figures are flagged wherever they appear.", 10, FLAG)
    pdf.ln(3)
    if not b.overdue:
        pdf.para(f"No milestone is overdue at {b.reference.name}.", 11)
        return
    pdf.para(f"Overdue milestones at {b.reference.name} ({len(b.overdue)})", 12, INK, bold=True)
    pdf.ln(1)
    rows = [["Milestone", "Zone", "Committed", "Slippage", "Confidence"]]
    names = {z.zone_id: z.short_name for z in b.zones}
    rows += [[m.title, names.get(m.zone_id, vocabulary.PROGRAMME), m.due, m.slip, labelled(schema.CONFIDENCE, m.confidence)]
             for m in b.overdue[:OVERDUE_ROWS_PDF]]
    pdf.rows_table(rows, (5, 2, 1.4, 2.4, 1.4), 8.5, padding=0.9)
    if len(b.overdue) > OVERDUE_ROWS_PDF:
        pdf.para(f"… and {len(b.overdue) - OVERDUE_ROWS_PDF} more (see the zone pages).", 9, MUTED)


def map_page(pdf: PackPdf) -> None:
    """The map, with the zones' stage and location precision listed beside it."""
    b = pdf.briefing
    pdf.add_page()
    pdf.heading("Where the zones are")
    top = pdf.get_y()
    map_h = pdf.h - top - 26
    map_w = min(map_h / MAP_ASPECT, pdf.epw * 0.66)
    pdf.picture(pdf.images.get("map", "png"), "Map of the zones", map_w, map_h)
    bottom = pdf.get_y()
    pdf.set_y(top)
    rows = [["Zone", "Stage", "Location"]]
    rows += [[z.short_name, labelled(schema.STAGE, z.stage) if z.stage else NO_VALUE,
              schema.LOCATION_PRECISION.label(_zone_precision(b, z.zone_id))] for z in b.zones]
    pdf.rows_table(rows, (1.3, 1.5, 1.1), 9, width=pdf.epw - map_w - 6, align="RIGHT")
    pdf.set_y(max(bottom, pdf.get_y()) + 1)
    pdf.para(f"Colour and circled number: stage. A ring around a point: its location is approximate (wider: nearest town only). {MAP_CREDIT}",
             8, MUTED)


ZONE_COLUMN_GAP = 6
FACT_LABEL_W = 25


def _zone_facts_column(pdf: PackPdf, zone: ZoneBrief, x: float, top: float, width: float, title: str, facts, bold: bool) -> float:
    """One column of labelled facts under its title; returns where it ends."""
    pdf.set_xy(x, top)
    pdf.set_font("DejaVu", "B", 11)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(width, 6, pdf_safe(title), new_x="LEFT", new_y="NEXT")  # a stale heading takes two lines
    for fact in facts:
        pdf.set_x(x)
        pdf.set_font("DejaVu", "", 9)
        pdf.set_text_color(*MUTED)
        pdf.cell(FACT_LABEL_W, 4.8, pdf_safe(fact.label))
        pdf.set_font("DejaVu", "B" if bold else "", 9)
        pdf.set_text_color(*(FLAG if fact.label == "Confidence" and zone.flagged else INK))
        pdf.multi_cell(width - FACT_LABEL_W, 4.8, pdf_safe(fact.value), align="L", new_x="LEFT", new_y="NEXT")
    return pdf.get_y()


def _zone_changes_column(pdf: PackPdf, zone: ZoneBrief, x: float, top: float, width: float) -> float:
    """The zone's changes since the compared version (minor edits counted); returns where it ends."""
    b = pdf.briefing
    pdf.set_xy(x, top)
    pdf.set_font("DejaVu", "B", 11)
    pdf.set_text_color(*ACCENT)
    pdf.cell(width, 6, pdf_safe(f"Changes since {b.compare.label}" if b.compare else "Changes"), new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(*INK)
    lines = [f"• {c}" for c in zone.changes] if b.compare else ["No earlier version to compare with."]
    if b.compare and zone.minor_changes:
        lines.append(f"• and {zone.minor_changes} edit(s) of sources, notes or details (see the change summary)")
    pdf.multi_cell(width, 4.6, pdf_safe("\n".join(lines) or "No change."), align="L", new_x="LEFT", new_y="NEXT")
    return pdf.get_y()


def zone_page(pdf: PackPdf, zone: ZoneBrief) -> None:
    """A zone: status, profile and changes side by side, then the source, then the milestones."""
    b = pdf.briefing
    pdf.add_page()
    pdf.heading(zone.heading + ("  · priority zone" if zone.priority else ""), 16)
    top = pdf.get_y()
    col_w = (pdf.epw - 2 * ZONE_COLUMN_GAP) / 3
    x_of = [pdf.l_margin + column * (col_w + ZONE_COLUMN_GAP) for column in range(3)]
    bottoms = [
        _zone_facts_column(pdf, zone, x_of[0], top, col_w, zone.status_heading(b.info.as_of), zone.status, bold=True),
        _zone_facts_column(pdf, zone, x_of[1], top, col_w, "Profile", zone.profile, bold=False),
        _zone_changes_column(pdf, zone, x_of[2], top, col_w),
    ]
    pdf.set_xy(pdf.l_margin, max(bottoms) + 2)
    if zone.source:
        pdf.para(f"Source: {zone.source}" + (f" · Note: {zone.note}" if zone.note else ""), 7, MUTED)
    pdf.ln(2)
    pdf.keep_room(30)
    pdf.para("Milestones", 11, INK, bold=True)
    if not zone.milestones:
        pdf.para("No milestone recorded.", 9, MUTED)
        return
    rows = [["Milestone", "Category", "Committed", "Done", "Slippage", "Confidence"]]
    rows += [[m.title, m.category, m.due, m.done or NO_VALUE,
              m.slip + (f"; rescheduled {m.rescheduled}" if m.rescheduled else ""),
              labelled(schema.CONFIDENCE, m.confidence)] for m in zone.milestones]
    pdf.rows_table(rows, (4.4, 1.4, 1.2, 1.2, 3.4, 1.3), 7.5, padding=0.8)


def timeline_page(pdf: PackPdf) -> None:
    pdf.add_page()
    pdf.heading("Programme timeline")
    pdf.picture(pdf.images.get("timeline", "png"), "Programme timeline", pdf.epw, pdf.h - pdf.get_y() - 20)


def changes_pages(pdf: PackPdf) -> None:
    """Every change since the compared version, grouped by zone, most important first."""
    b = pdf.briefing
    pdf.add_page()
    pdf.heading(b.compare_text)
    if b.changes is not None and not b.changes:
        pdf.para("No change between the two versions.", 11)
    for zone, items in b.changes or []:
        pdf.keep_room(16)
        pdf.para(zone, 11, ACCENT, bold=True)
        pdf.para("\n".join(f"• {t.detail}" for t in items), 9)
        pdf.ln(1.5)


def appendix_pages(pdf: PackPdf) -> None:
    """The version's provenance and the source and confidence of every figure shown."""
    b = pdf.briefing
    pdf.add_page()
    pdf.heading("Appendix: sources and confidence")
    pdf.para(f"Dataset version {b.info.id} “{b.info.label}”, as of {b.info.as_of}, published {b.info.published_at} by {b.info.author}. "
             f"Note: {b.info.note}", 9, MUTED)
    pdf.para("File fingerprints (sha256): " + "; ".join(f"{n} {r.sha256[:16]}…" for n, r in sorted(b.info.files.items())), 8, MUTED)
    pdf.para("Headline figures are computed from the zones' status rows below; sums count only the zones that report a figure. "
             f"Map: {MAP_CREDIT}", 9, MUTED)
    pdf.ln(2)
    rows = [SOURCE_COLUMNS] + [[s.subject, s.zone, s.as_of, labelled(schema.CONFIDENCE, s.confidence), s.source] for s in b.sources]
    pdf.rows_table(rows, (2.8, 1.1, 1.2, 1.0, 5.0), 7, padding=0.8)


def render_pdf(briefing: Briefing, images: BriefingImages | None = None) -> bytes:
    """The pack as PDF bytes (A4 landscape, every page stamped with the version and its date)."""
    _fonts_present()
    pdf = PackPdf(briefing, images or BriefingImages())
    cover_page(pdf)
    overview_page(pdf)
    map_page(pdf)
    for zone in briefing.zones:
        zone_page(pdf, zone)
    timeline_page(pdf)
    changes_pages(pdf)
    appendix_pages(pdf)
    return bytes(pdf.output())
