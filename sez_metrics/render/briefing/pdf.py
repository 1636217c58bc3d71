"""The pack as PDF: A4 landscape pages with fpdf2, one function per section, in the pack's language.

Fonts (``pdffonts``): DejaVu Sans for English, Noto Sans CJK SC for Chinese, Noto Naskh Arabic for
Urdu (right to left, shaped by HarfBuzz), embedded as subsets; a character no face of the language
has prints as "□". Every page after the cover carries the pack's title and the pinned version's
stamp; every page's foot the stamp, the generation date and the page number. No text is smaller
than 8 pt, and every chart spans the page's width, its pictures rendered at a pixel size whose
smallest label still prints at 8 pt or more (a tall timeline continues on the next pages).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from functools import lru_cache

from fpdf import FPDF
from fpdf.fonts import FontFace

from sez_metrics.core import i18n, schema, vocabulary
from sez_metrics.core.i18n import _
from sez_metrics.render.briefing import pdffonts, pdflines, pdfruns  # noqa: F401  (pdflines: its speed-ups apply on import)
from sez_metrics.render.briefing.images import BriefingImages
from sez_metrics.render.briefing.story import NO_VALUE, Briefing, BriefingError, ZoneBrief, labelled
from sez_metrics.render.fonts import LOOKALIKES
from sez_metrics.render.static_map import MAP_CREDIT

MISSING_GLYPH = "□"
MIN_TEXT_PT = 8  # the smallest text the pack prints, pictures' labels included

INK, MUTED, ACCENT, FLAG = (17, 24, 39), (75, 85, 99), (0, 114, 178), (213, 94, 0)
PANEL, RULE = (238, 242, 246), (209, 213, 219)
OVERDUE_ROWS_PDF = 7  # at most, under the headline figures: fewer when they do not fit the page (Urdu's lines are taller)


def source_columns() -> list[str]:
    return [_("Figure"), _("Zone"), _("As of / date"), _("Confidence"), _("Source")]


def pdf_safe(text: object, code: str | None = None) -> str:
    """``text`` with characters no face of the language (default: the current one) can draw
    replaced by "□", and controls by spaces."""
    return _pdf_safe(str(text), code or i18n.current().code)


@lru_cache(maxsize=16384)
def _pdf_safe(text: str, code: str) -> str:
    glyphs = pdffonts.glyphs_of(code)
    out = []
    for ch in text:
        if ch in "\n":
            out.append(ch)
        elif ord(ch) < 32:
            out.append(" ")
        else:
            ch = LOOKALIKES.get(ch, ch)
            out.append(ch if ord(ch) in glyphs else MISSING_GLYPH)
    return "".join(out)


def _fonts_present(code: str) -> None:
    missing = pdffonts.missing_fonts(code)
    if missing:
        raise BriefingError(f"font {', '.join(missing)} not found: install the Debian packages fonts-dejavu-core, "
                            "fonts-noto-cjk and fonts-noto-core")


class PackPdf(pdfruns.FaceRules, FPDF):
    """The pack's pages: A4 landscape in the pack's language (right to left for Urdu), every page but
    the cover stamped with the version; the text helpers every section uses."""

    def __init__(self, briefing: Briefing, images: BriefingImages):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.briefing = briefing
        self.images = images
        self.code = briefing.language or i18n.current().code
        self.rtl = i18n.language(self.code).direction == "rtl"
        self.start, self.end = ("R", "L") if self.rtl else ("L", "R")
        self.set_margins(14, 12, 14)
        self.set_auto_page_break(True, margin=16)
        self.family = pdffonts.set_up(self, self.code)
        self.line_factor = pdffonts.line_height(self.code)
        self.set_title(self.safe(f"{briefing.title} — {briefing.info.label}"))
        self.set_author("SEZ progress dashboard")
        self.set_subject(self.safe(briefing.stamp))
        self.set_lang({"zh": "zh-CN", "ur": "ur-PK"}.get(self.code, self.code))
        self.set_creation_date(datetime.combine(briefing.generated_on, datetime.min.time(), tzinfo=UTC))

    def safe(self, text: object) -> str:
        return pdf_safe(text, self.code)

    def use(self, style: str, size: float) -> None:
        self.set_font(self.family, style, max(size, MIN_TEXT_PT))

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.use("", 9)
        self.set_text_color(*MUTED)
        self.cell(0, 6, self.safe(self.briefing.title), align=self.start)
        self.set_x(self.l_margin)
        self.use("B", 9)
        self.set_text_color(*ACCENT)
        self.cell(0, 6, self.safe(self.briefing.stamp), align=self.end, new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-11)
        self.use("", 8)
        self.set_text_color(*MUTED)
        b = self.briefing
        self.cell(0, 5, self.safe(_("{stamp} · generated {date}").format(stamp=b.stamp, date=b.generated_on.isoformat())), align=self.start)
        self.set_x(self.l_margin)
        self.cell(0, 5, self.safe(_("page {page} of {pages}").format(page=self.page_no(), pages=self.pages_total)), align=self.end)

    pages_total = "{nb}"

    def heading(self, text: str, size: int = 20) -> None:
        self.use("B", size)
        self.set_text_color(*INK)
        self.multi_cell(0, size * self.line_factor, self.safe(text), align=self.start, new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def para(self, text: str, size: float = 11, colour: tuple[int, int, int] = INK, bold: bool = False) -> None:
        self.use("B" if bold else "", size)
        self.set_text_color(*colour)
        self.multi_cell(0, max(size, MIN_TEXT_PT) * self.line_factor, self.safe(text), align=self.start, new_x="LMARGIN", new_y="NEXT")

    def rows_table(self, rows: list[list[str]], widths: tuple[float, ...], size: float = 9, width: float | None = None,
                   align: str = "CENTER", padding: float = 1.2) -> None:
        """A table whose first row is its heading, rows shaded alternately; columns run right to left in Urdu."""
        if self.rtl:
            rows, widths = [list(reversed(r)) for r in rows], tuple(reversed(widths))
        self.use("", size)
        self.set_text_color(*INK)
        with self.table(col_widths=widths, text_align="RIGHT" if self.rtl else "LEFT",
                        headings_style=FontFace(emphasis="BOLD", fill_color=PANEL, color=INK),
                        line_height=max(size, MIN_TEXT_PT) * self.line_factor * 0.92, padding=padding, borders_layout="HORIZONTAL_LINES",
                        width=width, align=align, cell_fill_color=(247, 248, 250), cell_fill_mode="ROWS") as t:
            for cells in rows:
                row = t.row()
                for cell in cells:
                    text = self.safe(cell)  # every cell names its family: none inherits the last one's
                    row.cell(text, style=FontFace(family=pdfruns.family_for(text, self.code)))

    def fits_on_page(self, draw) -> bool:
        """Whether what ``draw`` sets ends on this page: set with writing off, as fpdf2 measures a
        table's rows (nothing is kept, the position and the pages are restored)."""
        page = self.page
        with self._disable_writing():
            draw()
            return self.page == page

    def keep_room(self, mm: float) -> None:
        """Start a new page rather than leave a heading alone at the foot of this one."""
        if self.get_y() + mm > self.page_break_trigger:
            self.add_page()

    def missing_picture(self, what: str) -> None:
        why = "; ".join(self.images.problems) or _("not rendered")
        self.para(_("[{what} not available: {why}]").format(what=what, why=why), 10, FLAG)

    def picture_across(self, data: bytes, what: str, max_h: float) -> None:
        """A chart across the page's width (rendered ``PDF_FIGURE_WIDTH_PX`` wide), at most ``max_h`` mm tall."""
        from PIL import Image

        top = self.get_y()
        width_px, height_px = Image.open(io.BytesIO(data)).size
        height = min(self.epw * height_px / width_px, max_h)
        self.image(io.BytesIO(data), x=self.l_margin, y=top, w=self.epw, h=height, keep_aspect_ratio=True, alt_text=what)
        self.set_y(top + height)


def _zone_precision(briefing: Briefing, zone_id: str) -> str:
    zones = briefing.dataset.zones
    return str(zones.loc[zones["zone_id"] == zone_id, "location_precision"].iloc[0])


def cover_page(pdf: PackPdf) -> None:
    b = pdf.briefing
    pdf.add_page()
    pdf.ln(28)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    x0 = pdf.w - pdf.r_margin - 40 if pdf.rtl else pdf.l_margin
    pdf.line(x0, pdf.get_y(), x0 + 40, pdf.get_y())
    pdf.set_line_width(0.2)
    pdf.set_draw_color(*RULE)
    pdf.ln(8)
    pdf.heading(b.title, 28)
    pdf.ln(4)
    pdf.para(_("Version: {label} ({id})").format(label=b.info.label, id=b.info.id), 16, ACCENT, bold=True)
    pdf.para(_("Data as of {date}").format(date=b.info.as_of), 16, INK, bold=True)
    pdf.ln(3)
    pdf.para(_("Generated on {date} from the pinned dataset version; published {published} by {author}.").format(
        date=b.generated_on.isoformat(), published=b.info.published_at, author=b.info.author), 11, MUTED)
    pdf.para(b.compare_text, 11, MUTED)
    pdf.ln(8)
    pdf.para(_("Contents: headline figures · map · one page per zone (priority zones first) · programme timeline · "
               "changes since the earlier version · sources and confidence."), 11, MUTED)
    legend = " · ".join(labelled(schema.CONFIDENCE, c) for c in schema.CONFIDENCE.values)
    pdf.para(_("Every figure carries its confidence: {legend}. Estimated and illustrative figures are flagged ⚠.").format(legend=legend),
             11, MUTED)
    if pdf.code != i18n.SOURCE_LANGUAGE:
        pdf.para(_("Notes and sources are printed as their stewards wrote them, in the language they were written in."), 11, MUTED)


TILE_H, TILE_GAP = 31, 4


def tile_width(pdf: PackPdf) -> float:
    """A headline tile's width: four to a row across the page."""
    return (pdf.epw - 3 * TILE_GAP) / 4


def tile_lines(pdf: PackPdf) -> list[tuple[float, float, str, float, tuple[int, int, int], list[str]]]:
    """What each headline tile prints, line by line: (offset from the tile's top, height, style,
    size, colour, the tiles' texts). The change is the figure's alone ("±0"): the version it is
    counted from is named once above the tiles (a tile has no room for a version's label)."""
    tiles = pdf.briefing.tiles
    lines = [(2, 5, "", 10, MUTED, [t.label for t in tiles]), (8, 9, "B", 18, INK, [t.value for t in tiles]),
             (18, 5, "", 9, MUTED, [t.delta for t in tiles])]
    if any(t.flag_text for t in tiles):
        lines.append((24, 5, "", 9, FLAG, [t.flag_text for t in tiles]))
    return lines


def _headline_tiles(pdf: PackPdf) -> None:
    """The headline tiles, four to a row: label, value, change and flag, under the version the
    changes are counted from."""
    if any(tile.delta for tile in pdf.briefing.tiles):
        pdf.para(pdf.briefing.compare_text, 9, MUTED)
        pdf.ln(1)
    tile_w, lines = tile_width(pdf), tile_lines(pdf)
    top = pdf.get_y()
    for i in range(len(pdf.briefing.tiles)):
        column = 3 - i % 4 if pdf.rtl else i % 4
        x = pdf.l_margin + column * (tile_w + TILE_GAP)
        y = top + (i // 4) * (TILE_H + TILE_GAP)
        pdf.set_fill_color(*PANEL)
        pdf.rect(x, y, tile_w, TILE_H, style="F")
        for dy, height, style, size, colour, texts in lines:
            if not texts[i]:
                continue
            pdf.set_xy(x + 3, y + dy)
            pdf.use(style, size)
            pdf.set_text_color(*colour)
            pdf.cell(tile_w - 6, height, pdf.safe(texts[i]), align=pdf.start)
    pdf.set_y(top + 2 * (TILE_H + TILE_GAP) + 2)


def overview_page(pdf: PackPdf) -> None:
    """Headline figures, zones by stage and the overdue milestones (the first few; the zone pages list them all)."""
    b = pdf.briefing
    pdf.add_page()
    pdf.heading(_("Programme overview"))
    _headline_tiles(pdf)
    stages = " · ".join(f"{s.symbol} {s.label} {i18n.number(s.count, 0)}" for s in b.stages)
    pdf.para(_("Zones by stage: {stages}").format(stages=stages), 11)
    if b.flagged_note:
        pdf.para(_("⚠ {note}: those zones' figures are flagged wherever they appear.").format(note=b.flagged_note), 10, FLAG)
    pdf.ln(3)
    if not b.overdue:
        pdf.para(_("No milestone is overdue at {reference}.").format(reference=b.reference.name), 11)
        return
    pdf.para(_("Overdue milestones at {reference} ({count})").format(reference=b.reference.name, count=len(b.overdue)), 12, INK, bold=True)
    pdf.ln(1)
    names = {z.zone_id: z.short_name for z in b.zones}
    rows = [[m.title, names.get(m.zone_id, _(vocabulary.PROGRAMME)), m.due, m.slip, labelled(schema.CONFIDENCE, m.confidence)]
            for m in b.overdue]

    def overdue_list(shown: int) -> None:
        pdf.rows_table([[_("Milestone"), _("Zone"), _("Committed"), _("Slippage"), _("Confidence")], *rows[:shown]],
                       (5, 2, 1.4, 2.4, 1.4), 8.5, padding=0.9)
        if len(rows) > shown:
            pdf.para(_("… and {count} more (see the zone pages).").format(count=len(rows) - shown), 9, MUTED)

    shown = min(len(rows), OVERDUE_ROWS_PDF)
    while shown > 1 and not pdf.fits_on_page(lambda shown=shown: overdue_list(shown)):
        shown -= 1
    overdue_list(shown)


def map_page(pdf: PackPdf) -> None:
    """The map across the page, then the zones' stage and location precision."""
    b = pdf.briefing
    pdf.add_page()
    pdf.heading(_("Where the zones are"))
    data = pdf.images.get("map_page", "png") or pdf.images.get("map", "png")
    if data is None:
        pdf.missing_picture(_("Map of the zones"))
    else:
        pdf.picture_across(data, _("Map of the zones"), pdf.h - pdf.get_y() - 24)
    pdf.para(_("Colour and circled number: stage. A ring around a point: its location is approximate (wider: nearest town only).")
             + f" {_(MAP_CREDIT)}", 8, MUTED)
    pdf.ln(2)
    pdf.keep_room(40)
    rows = [[_("Zone"), _("Stage"), _("Location")]]
    rows += [[z.short_name, labelled(schema.STAGE, z.stage) if z.stage else NO_VALUE,
              schema.LOCATION_PRECISION.label(_zone_precision(b, z.zone_id))] for z in b.zones]
    pdf.rows_table(rows, (1.3, 1.5, 1.1), 9)


ZONE_COLUMN_GAP = 6
FACT_LABEL_W = 25


def _zone_facts_column(pdf: PackPdf, zone: ZoneBrief, x: float, top: float, width: float, title: str, facts, bold: bool) -> float:
    """One column of labelled facts under its title; returns where it ends."""
    pdf.set_xy(x, top)
    pdf.use("B", 11)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(width, 11 * pdf.line_factor + 0.5, pdf.safe(title), align=pdf.start, new_x="LEFT", new_y="NEXT")
    label_x, value_x = (x + width - FACT_LABEL_W, x) if pdf.rtl else (x, x + FACT_LABEL_W)
    line = 9 * pdf.line_factor + 0.3
    for fact in facts:
        y = pdf.get_y()
        pdf.set_xy(label_x, y)
        pdf.use("", 9)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(FACT_LABEL_W, line, pdf.safe(fact.label), align=pdf.start, new_x="LEFT", new_y="NEXT")
        label_end = pdf.get_y()
        pdf.set_xy(value_x, y)
        pdf.use("B" if bold else "", 9)
        pdf.set_text_color(*(FLAG if fact.label == _("Confidence") and zone.flagged else INK))
        pdf.multi_cell(width - FACT_LABEL_W, line, pdf.safe(fact.value), align=pdf.start, new_x="LEFT", new_y="NEXT")
        pdf.set_y(max(label_end, pdf.get_y()))
    return pdf.get_y()


def _zone_changes_column(pdf: PackPdf, zone: ZoneBrief, x: float, top: float, width: float) -> float:
    """The zone's changes since the compared version (minor edits counted); returns where it ends."""
    b = pdf.briefing
    pdf.set_xy(x, top)
    pdf.use("B", 11)
    pdf.set_text_color(*ACCENT)
    title = _("Changes since {label}").format(label=b.compare.label) if b.compare else _("Changes")
    pdf.multi_cell(width, 11 * pdf.line_factor + 0.5, pdf.safe(title), align=pdf.start, new_x="LEFT", new_y="NEXT")
    pdf.use("", 9)
    pdf.set_text_color(*INK)
    lines = [f"• {c}" for c in zone.changes] if b.compare else [_("No earlier version to compare with.")]
    if b.compare and zone.minor_changes:
        lines.append("• " + _("and {count} edit(s) of sources, notes or details (see the change summary)").format(count=zone.minor_changes))
    pdf.multi_cell(width, 9 * pdf.line_factor + 0.1, pdf.safe("\n".join(lines) or _("No change.")), align=pdf.start, new_x="LEFT", new_y="NEXT")
    return pdf.get_y()


def zone_page(pdf: PackPdf, zone: ZoneBrief) -> None:
    """A zone: status, profile and changes side by side, then the source, then the milestones."""
    b = pdf.briefing
    pdf.add_page()
    pdf.heading(zone.heading + ("  · " + _("priority zone") if zone.priority else ""), 16)
    top = pdf.get_y()
    col_w = (pdf.epw - 2 * ZONE_COLUMN_GAP) / 3
    x_of = [pdf.l_margin + column * (col_w + ZONE_COLUMN_GAP) for column in range(3)]
    if pdf.rtl:
        x_of.reverse()
    bottoms = [
        _zone_facts_column(pdf, zone, x_of[0], top, col_w, zone.status_heading(b.info.as_of), zone.status, bold=True),
        _zone_facts_column(pdf, zone, x_of[1], top, col_w, _("Profile"), zone.profile, bold=False),
        _zone_changes_column(pdf, zone, x_of[2], top, col_w),
    ]
    pdf.set_xy(pdf.l_margin, max(bottoms) + 2)
    if zone.source:  # the source and the note each a paragraph of its own: in Urdu each reads from its label on
        pdf.para(_("Source: {source}").format(source=zone.source), 8, MUTED)
        if zone.note:
            pdf.para(_("Note: {note}").format(note=zone.note), 8, MUTED)
    pdf.ln(2)
    pdf.keep_room(30)
    pdf.para(_("Milestones"), 11, INK, bold=True)
    if not zone.milestones:
        pdf.para(_("No milestone recorded."), 9, MUTED)
        return
    rows = [[_("Milestone"), _("Category"), _("Committed"), _("Done"), _("Slippage"), _("Confidence")]]
    rows += [[m.title, m.category, m.due, m.done or NO_VALUE,
              m.slip + ("; " + _("rescheduled {change}").format(change=m.rescheduled) if m.rescheduled else ""),
              labelled(schema.CONFIDENCE, m.confidence)] for m in zone.milestones]
    pdf.rows_table(rows, (4.4, 1.4, 1.2, 1.2, 3.4, 1.3), 8, padding=0.8)


def timeline_page(pdf: PackPdf) -> None:
    """The programme timeline across the page, one picture of whole rows per page
    (``images.timeline_part_figures``); a single timeline picture is fitted to the page."""
    pdf.add_page()
    pdf.heading(_("Programme timeline"))
    parts = pdf.images.parts("timeline_pages", "png")
    if not parts:
        single = pdf.images.get("timeline_page", "png") or pdf.images.get("timeline", "png")
        parts = [single] if single is not None else []
    if not parts:
        pdf.missing_picture(_("Programme timeline"))
        return
    for i, part in enumerate(parts):
        if i:
            pdf.add_page()
            pdf.heading(_("Programme timeline (continued)"), 14)
        pdf.picture_across(part, _("Programme timeline"), pdf.page_break_trigger - pdf.get_y())


def changes_pages(pdf: PackPdf) -> None:
    """Every change since the compared version, grouped by zone, most important first."""
    b = pdf.briefing
    pdf.add_page()
    pdf.heading(b.compare_text)
    if b.changes is not None and not b.changes:
        pdf.para(_("No change between the two versions."), 11)
    for zone, items in b.changes or []:
        pdf.keep_room(16)
        pdf.para(zone, 11, ACCENT, bold=True)
        pdf.para("\n".join(f"• {t.in_language()}" for t in items), 9)
        pdf.ln(1.5)


def appendix_pages(pdf: PackPdf) -> None:
    """The version's provenance and the source and confidence of every figure shown."""
    b = pdf.briefing
    pdf.add_page()
    pdf.heading(_("Appendix: sources and confidence"))
    pdf.para(_("Dataset version {id} “{label}”, as of {date}, published {published} by {author}. Note: {note}").format(
        id=b.info.id, label=b.info.label, date=b.info.as_of, published=b.info.published_at, author=b.info.author, note=b.info.note), 9, MUTED)
    pdf.para(_("File fingerprints (sha256): {fingerprints}").format(
        fingerprints="; ".join(f"{n} {r.sha256[:16]}…" for n, r in sorted(b.info.files.items()))), 8, MUTED)
    pdf.para(_("Headline figures are computed from the zones' status rows below; sums count only the zones that report a figure.")
             + " " + _("Map: {credit}").format(credit=_(MAP_CREDIT)), 9, MUTED)
    pdf.ln(2)
    rows = [source_columns()] + [[s.subject, s.zone, s.as_of, labelled(schema.CONFIDENCE, s.confidence), s.source] for s in b.sources]
    pdf.rows_table(rows, (2.8, 1.1, 1.2, 1.0, 5.0), 8, padding=0.8)


def render_pdf(briefing: Briefing, images: BriefingImages | None = None) -> bytes:
    """The pack as PDF bytes (A4 landscape, every page stamped with the version and its date), in
    the language the storyline was built in."""
    code = briefing.language or i18n.current().code
    _fonts_present(code)
    with i18n.use_language(code):
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
