"""The JCC briefing pack: one storyline, pinned to one dataset version, rendered as PDF or HTML.

The storyline (``build_briefing``) is plain data: cover, headline figures, the map, one section
per zone (priority zones first), the programme timeline, the changes since an earlier version,
and an appendix naming the source and confidence of every figure shown. The presenter view walks
the same storyline on screen, so what is sent out matches what was shown.

Rendering:
- ``render_pdf`` writes A4 landscape pages with fpdf2 and DejaVu Sans (Debian ``fonts-dejavu-core``),
  so any Unicode text prints; characters the font lacks (CJK, emoji) print as "□". Urdu letters
  print but are not shaped (joined) — shaping needs HarfBuzz and is out of scope.
- ``render_html`` writes one self-contained file: inline CSS, images as ``data:`` URIs, every
  data value escaped, no reference to any other resource (it opens offline, from an e-mail).
- Images come from ``static_map.static_images()`` (kaleido with Debian chromium, one browser for
  the whole pack, a deadline on every step). Without a browser, or when it crashes or stalls, the
  pack is still written without pictures, saying why ("pictures left out: …").

Pure apart from ``write_briefing``/``cli_briefing`` (file output) and kaleido's browser.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd

from sez_metrics.core import metrics, schema, timeline, vocabulary
from sez_metrics.core.change_summary import ChangeItem
from sez_metrics.core.diff import VersionDiff, diff_versions
from sez_metrics.render.static_map import MAP_CREDIT, ImagesUnavailable, static_images, zone_map_figure
from sez_metrics.storage.store import Dataset, Store, StoreError, VersionInfo, open_store

MAP_SIZE_PX = (1000, 900)
PACK_TITLE = "CPEC Special Economic Zones — progress briefing"
FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html"}
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
MISSING_GLYPH = "□"
# Symbols of the dashboard that DejaVu Sans lacks, drawn with a look-alike it has.
PDF_SUBSTITUTES = {"⏱": "◷", "⏩": "»"}
NO_VALUE = "—"
# Change items less important than this (diff.IMPORTANCE: source/note/detail edits) are only
# counted on a zone's page; the change summary section lists them all.
MINOR_CHANGE_IMPORTANCE = 11


class BriefingError(Exception):
    """The pack cannot be made (unknown or damaged version, missing font); the message says why."""


# --- the storyline --------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One labelled value of a zone, as text (escape before using as markup)."""

    label: str
    value: str


@dataclass(frozen=True)
class MilestoneLine:
    """A milestone as the pack shows it, with its slippage at the pack's reference date."""

    milestone_id: str
    zone_id: str
    title: str
    kind: str
    category: str
    due: str
    done: str
    status: str
    slip: str  # "⚠ Overdue by 120 days", "✓ Done on time" …
    late: bool
    rescheduled: str  # "+180 days since Before JCC-10", or ""
    confidence: str
    source: str
    state: str = ""  # the slip state code (``timeline.SLIP_STATES``): "overdue", "cancelled" …
    days_late: int | None = None  # at the reference date (``vocabulary.days_late``); None when cancelled


@dataclass(frozen=True)
class ZoneBrief:
    """One zone's section: who and where, where it stands, its milestones and its changes."""

    zone_id: str
    name: str
    short_name: str
    priority: bool
    stage: str  # code; "" when the version has no status row for the zone
    profile: tuple[Fact, ...]
    status: tuple[Fact, ...]
    confidence: str  # code
    source: str
    status_as_of: str
    note: str
    milestones: tuple[MilestoneLine, ...]
    changes: tuple[str, ...]  # what a reader needs: stage, utilities, figures, dates, confidence
    minor_changes: int = 0  # edits of sources, notes and other details, counted only (listed in the change summary)
    stale: str = ""  # "6 months older than this round" (``vocabulary.older_text``), or ""

    def status_heading(self, version_as_of: str) -> str:
        """"Status as of 2025-03-31", with "— 6 months older than this round" when the figures are stale."""
        return f"Status as of {self.status_as_of or version_as_of}" + (f" — {self.stale}" if self.stale else "")

    @property
    def heading(self) -> str:
        symbol = schema.STAGE.symbol(self.stage) if self.stage else ""
        return f"{symbol} {self.name}".strip()

    @property
    def flagged(self) -> bool:
        return self.confidence in schema.FLAGGED_CONFIDENCE


@dataclass(frozen=True)
class SourceLine:
    """One row of the appendix: what is shown, for which zone, how sure, and where it comes from."""

    subject: str
    zone: str
    as_of: str
    confidence: str  # code
    source: str


@dataclass
class Briefing:
    """The whole storyline of one pack, pinned to ``info`` and compared with ``compare``."""

    info: VersionInfo
    compare: VersionInfo | None
    generated_on: date
    tiles: list[metrics.KpiTile]
    stages: list[metrics.StageCount]
    flagged_note: str
    overdue: list[MilestoneLine]
    zones: list[ZoneBrief]
    programme_events: list[MilestoneLine]
    changes: list[tuple[str, list[ChangeItem]]] | None  # by zone, most important first; None: nothing to compare with
    sources: list[SourceLine]
    dataset: Dataset = field(repr=False)
    title: str = PACK_TITLE
    reference: vocabulary.Reference | None = None  # the date days late are counted to (default: the as-of date)

    def __post_init__(self) -> None:
        if self.reference is None:
            self.reference = vocabulary.resolve_reference(self.info.as_of, vocabulary.AS_OF)

    @property
    def stamp(self) -> str:
        """The "as of" line printed on every page and slide."""
        return f"Data as of {self.info.as_of} · version {self.info.label} ({self.info.id})"

    @property
    def compare_text(self) -> str:
        if self.compare is None:
            return "No earlier version to compare with."
        return f"Changes since {self.compare.label} ({self.compare.id}, as of {self.compare.as_of})"


def labelled(enum: schema.Enumeration, code: object) -> str:
    """A code as "symbol Label" (plain text); "—" when empty."""
    if code is None or (isinstance(code, float) and pd.isna(code)) or code == "":
        return NO_VALUE
    return f"{enum.symbol(str(code))} {enum.label(str(code))}".strip()


def _date_text(value: object) -> str:
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).date().isoformat()


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def zone_order(dataset: Dataset, chosen: list[str] | None = None) -> list[str]:
    """Zone ids in briefing order: priority zones first, each group in zones.csv order.

    With ``chosen``, exactly those known zones in the order given (unknown ids are dropped).
    """
    known = list(dataset.zones["zone_id"])
    if chosen:
        seen: list[str] = []
        for zone_id in chosen:
            if zone_id in known and zone_id not in seen:
                seen.append(zone_id)
        return seen
    priority = dict(zip(dataset.zones["zone_id"], dataset.zones["priority"], strict=True))
    return [z for z in known if priority[z]] + [z for z in known if not priority[z]]


def _milestone_lines(dataset: Dataset, frame: pd.DataFrame, baseline: pd.DataFrame | None, reference: vocabulary.Reference) -> list[MilestoneLine]:
    if frame.empty:
        return []
    assessed = timeline.assess(frame, reference.day)
    lines = []
    for r in assessed.sort_values(["due_date", "milestone_id"], kind="stable").itertuples(index=False):
        rescheduled = ""
        if baseline is not None and r.milestone_id in baseline.index and not pd.isna(r.due_date):
            days = (r.due_date - baseline.loc[r.milestone_id, "first_due"]).days
            if days:
                rescheduled = f"{days:+,} days since {baseline.loc[r.milestone_id, 'first_version']}"
        lines.append(
            MilestoneLine(
                milestone_id=r.milestone_id,
                zone_id=_text(r.zone_id),
                title=_text(r.title),
                kind=schema.MILESTONE_KIND.label(r.kind),
                category=schema.MILESTONE_CATEGORY.label(r.category),
                due=_date_text(r.due_date),
                done=_date_text(r.done_date),
                status=labelled(schema.MILESTONE_STATUS, r.status),
                slip=r.slip_text,
                late=bool(r.late),
                rescheduled=rescheduled,
                confidence=r.confidence,
                source=_text(r.source),
                state=r.slip,
                days_late=None if pd.isna(r.days_late) else int(r.days_late),
            )
        )
    return lines


def _zone_brief(dataset: Dataset, zone: pd.Series, status: pd.Series | None, milestones: list[MilestoneLine], changes: list[ChangeItem]) -> ZoneBrief:
    fmt = metrics.format_number
    major = tuple(i.detail for i in changes if i.importance < MINOR_CHANGE_IMPORTANCE)
    minor = sum(1 for i in changes if i.importance >= MINOR_CHANGE_IMPORTANCE)
    district = _text(zone["district"])
    profile = [
        Fact("Province", f"{zone['province']}" + (f" · {district} district" if district else "")),
        Fact("Developer", _text(zone["developer"]) or NO_VALUE),
        Fact("Area", f"{fmt(zone['area_acres'], 0)} acres"),
        Fact("Programme", _text(zone["programme"]) or NO_VALUE),
        Fact("Priority zone", "Yes" if zone["priority"] else "No"),
        Fact("Notified", _date_text(zone["notified_on"]) or "Not yet notified"),
        Fact("Location", f"{labelled(schema.LOCATION_PRECISION, zone['location_precision'])} "
                         f"({fmt(zone['latitude'], 3)} N, {fmt(zone['longitude'], 3)} E)"),
    ]
    if status is None:
        return ZoneBrief(zone["zone_id"], zone["name"], zone["short_name"], bool(zone["priority"]), "", tuple(profile),
                         (Fact("Status", "No status reported in this version"),), "", "", "", "", tuple(milestones), major, minor)
    plots = ""
    if not pd.isna(status["plots_total"]):
        allotted = NO_VALUE if pd.isna(status["plots_allotted"]) else fmt(status["plots_allotted"], 0)
        plots = f" · {allotted} of {fmt(status['plots_total'], 0)} plots allotted"
    enterprises = NO_VALUE
    if not pd.isna(status["enterprises"]):
        enterprises = f"{fmt(status['enterprises'], 0)} admitted"
        if not pd.isna(status["enterprises_operating"]):
            enterprises += f", {fmt(status['enterprises_operating'], 0)} operating"

    def utility(stage_column: str, available: str, required: str, unit: str) -> str:
        capacity = metrics.capacity_text(status[available], status[required], unit)
        return labelled(schema.UTILITY_STAGE, status[stage_column]) + (f" · {capacity}" if capacity else "")

    basis = vocabulary.basis_label(status.get("colonization_basis"))

    def own(figure: str, value: str) -> str:
        """The figure with its own confidence (its column, else the row's): "… (◌ Estimated)"."""
        return f"{value} ({labelled(schema.CONFIDENCE, vocabulary.provenance(status, figure)[0])})" if value != NO_VALUE else value

    facts = [
        Fact("Stage", own("stage", labelled(schema.STAGE, status["stage"]))),
        Fact("Gas", own("gas", utility("gas", "gas_mmcfd_available", "gas_mmcfd_required", "MMCFD"))),
        Fact("Electricity", own("electricity", utility("electricity", "power_mw_available", "power_mw_required", "MW"))),
        Fact("Colonization", own("colonization", f"{fmt(status['colonization_pct'])} %{' ' + basis if basis else ''}{plots}")
             if vocabulary.colonization_value(status["stage"], status["colonization_pct"]) is not None
             else vocabulary.colonization_missing_text(status["stage"])),
        Fact("Enterprises", own("enterprises", enterprises)),
        Fact("Jobs", own("jobs", fmt(status["jobs"], 0))),
        Fact("Investment", NO_VALUE if pd.isna(status["investment_usd_m"])
             else own("investment", f"USD {fmt(status['investment_usd_m'])} million")),
        Fact("Confidence", labelled(schema.CONFIDENCE, status["confidence"])),  # the row's: each figure's own is beside it
    ]
    return ZoneBrief(
        zone_id=zone["zone_id"], name=zone["name"], short_name=zone["short_name"], priority=bool(zone["priority"]),
        stage=status["stage"], profile=tuple(profile), status=tuple(facts), confidence=status["confidence"],
        source=_text(status["source"]), status_as_of=_date_text(status["as_of"]), note=_text(status["note"]),
        milestones=tuple(milestones), changes=major, minor_changes=minor,
        stale=vocabulary.older_text(status["as_of"], dataset.info.as_of),
    )


def build_briefing(
    dataset: Dataset,
    compare: Dataset | None = None,
    *,
    history: list[Dataset] | None = None,
    zone_ids: list[str] | None = None,
    generated_on: date | None = None,
    diff: VersionDiff | None = None,
    reference: str = vocabulary.AS_OF,
) -> Briefing:
    """The storyline of a pack for ``dataset``, with changes since ``compare`` (None: none shown).

    ``history``: every version up to ``dataset`` (oldest first) to measure how far each milestone's
    committed date moved since it was first published; ``zone_ids``: which zones, in which order
    (default: priority zones first); ``diff``: a ready ``diff_versions(compare, dataset)``;
    ``reference``: count days late to the version's as-of date (``vocabulary.AS_OF``, default) or to
    the generation date (``vocabulary.TODAY``).
    """
    generated_on = generated_on or date.today()
    ref = vocabulary.resolve_reference(dataset.info.as_of, reference, generated_on)
    if compare is not None and diff is None:
        diff = diff_versions(compare, dataset)
    baseline = None
    if history:
        baseline = timeline.first_commitments([(d.info.label, d.milestones) for d in history])
    kpis_now = metrics.kpis(dataset)
    tiles = metrics.kpi_tiles(kpis_now, metrics.kpis(compare) if compare is not None else None)
    by_zone = diff.summary_by_zone() if diff is not None else {}
    zones = dataset.zones.set_index("zone_id", drop=False)
    status = dataset.status.set_index("zone_id", drop=False)
    milestones = dataset.milestones
    zone_of = milestones["zone_id"].fillna("")

    briefs = []
    for zone_id in zone_order(dataset, zone_ids):
        lines = _milestone_lines(dataset, milestones[zone_of == zone_id], baseline, ref)
        changes = by_zone.get(zone_id, [])
        row = status.loc[zone_id] if zone_id in status.index else None
        briefs.append(_zone_brief(dataset, zones.loc[zone_id], row, lines, changes))
    programme = _milestone_lines(dataset, milestones[zone_of == ""], baseline, ref)
    every_line = [m for b in briefs for m in b.milestones] + programme
    overdue = sorted((m for m in every_line if m.state == "overdue"), key=lambda m: m.due)

    changes = None
    if diff is not None:
        changes = [(items[0].zone_name, list(items)) for items in by_zone.values()]
    names = dict(zip(dataset.zones["zone_id"], dataset.zones["short_name"], strict=True))
    # The zone's figures grouped by their own confidence and source (most rows: one group, the row's).
    sources = []
    for b in briefs:
        if not b.stage:
            continue
        groups: dict[tuple[str, str], list[str]] = {}
        for figure in vocabulary.FIGURES:
            groups.setdefault(vocabulary.provenance(status.loc[b.zone_id], figure), []).append(figure)
        for (confidence, source), figures_of in groups.items():
            sources.append(SourceLine(", ".join(figures_of).capitalize(), b.short_name, b.status_as_of, confidence, source))
    # Milestones sharing a zone, a source and a confidence level share one appendix row.
    grouped: dict[tuple[str, str, str], list[MilestoneLine]] = {}
    for m in every_line:
        grouped.setdefault((m.zone_id, m.confidence, m.source), []).append(m)
    for (zone_id, confidence, source), group in grouped.items():
        label = "Milestone" if len(group) == 1 else f"{len(group)} milestones"
        dates = group[0].due if len(group) == 1 else f"{min(m.due for m in group)} to {max(m.due for m in group)}"
        sources.append(SourceLine(f"{label}: " + "; ".join(m.title for m in group),
                                  names.get(zone_id, zone_id) if zone_id else "Programme", dates, confidence, source))
    return Briefing(
        info=dataset.info,
        compare=compare.info if compare is not None else None,
        generated_on=generated_on,
        tiles=tiles,
        stages=metrics.stage_counts(dataset),
        flagged_note=metrics.flagged_footnote(dataset),
        overdue=overdue,
        zones=briefs,
        programme_events=programme,
        changes=changes,
        sources=sources,
        dataset=dataset,
        reference=ref,
    )


# --- images -----------------------------------------------------------------------------------


@dataclass
class BriefingImages:
    """Rendered figures by name and format (``"map.png"``, ``"timeline.svg"`` …); ``problems`` when missing."""

    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def get(self, name: str, fmt: str) -> bytes | None:
        return self.files.get(f"{name}.{fmt}")


def map_figure(briefing: Briefing):
    """The zone map of the pack (only the zones the pack covers)."""
    ds = briefing.dataset
    shown = [b.zone_id for b in briefing.zones]
    zones = ds.zones[ds.zones["zone_id"].isin(shown)]
    return zone_map_figure(zones, ds.status, width=MAP_SIZE_PX[0], height=MAP_SIZE_PX[1], credit=False)


def _timeline(briefing: Briefing, items: pd.DataFrame):
    from sez_metrics.render import figures

    assessed = timeline.assess(items, briefing.reference.day)
    return figures.programme_timeline(assessed, briefing.dataset.zones, today=pd.Timestamp(briefing.generated_on),
                                      as_of=pd.Timestamp(briefing.info.as_of), today_chosen=briefing.reference.is_today)


def timeline_figure(briefing: Briefing):
    """The programme timeline of the pack's zones, every item, drawn as the Timeline page draws it.

    Slippage is measured to the pack's reference date (the version's as-of date unless today was
    chosen); a "today" line is drawn only when days late are counted to today.
    """
    shown = tuple(b.zone_id for b in briefing.zones)
    return _timeline(briefing, timeline.apply_filter(briefing.dataset.milestones, timeline.TimelineFilter(zones=shown)))


def focus_items(briefing: Briefing) -> pd.DataFrame:
    """The milestones a meeting discusses: still open, or done since the compared version's date, and
    the programme's meetings. Everything when there is nothing to compare with."""
    shown = tuple(b.zone_id for b in briefing.zones)
    items = timeline.apply_filter(briefing.dataset.milestones, timeline.TimelineFilter(zones=shown))
    if briefing.compare is None:
        return items
    since = pd.Timestamp(briefing.compare.as_of)
    open_items = items["status"].map(vocabulary.is_open)
    recent = items["done_date"] >= since
    meetings = (items["kind"] == "meeting") & (items["zone_id"].fillna("") == "")
    return items[open_items | recent | meetings]


def focus_timeline_figure(briefing: Briefing):
    """The timeline of what is open or moved since the compared version: the presenter's slide."""
    return _timeline(briefing, focus_items(briefing))


# Every figure a pack or a slide can show: how to build it and at which pixel size (None: its own height).
FIGURES = {
    "map": (map_figure, MAP_SIZE_PX),
    "timeline": (timeline_figure, (1400, None)),
    "timeline_focus": (focus_timeline_figure, (1700, 860)),
}


PICTURES_LEFT_OUT = "pictures left out"


def render_images(briefing: Briefing, formats: tuple[str, ...] = ("png", "svg"), names: tuple[str, ...] = ("map", "timeline")) -> BriefingImages:
    """Render the figures ``names`` in ``formats`` with one kaleido browser; record (not raise) failures."""
    images = BriefingImages()
    try:
        with static_images() as exporter:
            for name in names:
                build, (width, height) = FIGURES[name]
                try:
                    fig = build(briefing)
                except Exception as exc:  # a figure that cannot be built must not sink the whole pack
                    images.problems.append(f"{name} image unavailable: {type(exc).__name__}: {exc}")
                    continue
                for fmt in formats:
                    scale = 2 if fmt == "png" else 1
                    images.files[f"{name}.{fmt}"] = exporter.image(fig, fmt, width=width, height=height or fig.layout.height, scale=scale)
    except ImagesUnavailable as exc:  # no chromium, a crash, a stall: the pack is still useful without pictures
        images.problems.append(f"{PICTURES_LEFT_OUT}: {exc}")
    except Exception as exc:
        images.problems.append(f"{PICTURES_LEFT_OUT}: {type(exc).__name__}: {exc}")
    return images


# --- PDF ----------------------------------------------------------------------------------------


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


INK, MUTED, ACCENT, FLAG = (17, 24, 39), (75, 85, 99), (0, 114, 178), (213, 94, 0)
OVERDUE_ROWS_PDF = 7  # what fits under the headline figures on one page
MAP_ASPECT = MAP_SIZE_PX[1] / MAP_SIZE_PX[0]


def _zone_precision(briefing: Briefing, zone_id: str) -> str:
    zones = briefing.dataset.zones
    return str(zones.loc[zones["zone_id"] == zone_id, "location_precision"].iloc[0])


def render_pdf(briefing: Briefing, images: BriefingImages | None = None) -> bytes:
    """The pack as PDF bytes (A4 landscape, every page stamped with the version and its date)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    _fonts_present()
    images = images or BriefingImages()
    b = briefing

    class _Pack(FPDF):
        def header(self) -> None:
            if self.page_no() == 1:
                return
            self.set_font("DejaVu", "", 9)
            self.set_text_color(*MUTED)
            self.cell(0, 6, pdf_safe(b.title), align="L")
            self.set_x(self.l_margin)
            self.set_font("DejaVu", "B", 9)
            self.set_text_color(*ACCENT)
            self.cell(0, 6, pdf_safe(b.stamp), align="R", new_x="LMARGIN", new_y="NEXT")
            self.set_draw_color(209, 213, 219)
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.ln(3)

        def footer(self) -> None:
            self.set_y(-11)
            self.set_font("DejaVu", "", 8)
            self.set_text_color(*MUTED)
            self.cell(0, 5, pdf_safe(f"{b.stamp} · generated {b.generated_on.isoformat()}"), align="L")
            self.set_x(self.l_margin)
            self.cell(0, 5, f"page {self.page_no()} of {{nb}}", align="R")

    pdf = _Pack(orientation="L", unit="mm", format="A4")
    pdf.set_margins(14, 12, 14)
    pdf.set_auto_page_break(True, margin=16)
    for style, file_name in FONT_FILES.items():
        pdf.add_font("DejaVu", style, str(FONT_DIR / file_name))
    pdf.set_title(pdf_safe(f"{b.title} — {b.info.label}"))
    pdf.set_author("SEZ progress dashboard")
    pdf.set_subject(pdf_safe(b.stamp))
    pdf.set_creation_date(datetime.combine(b.generated_on, datetime.min.time(), tzinfo=UTC))
    heading_style = FontFace(emphasis="BOLD", fill_color=(238, 242, 246), color=INK)

    def heading(text: str, size: int = 20) -> None:
        pdf.set_font("DejaVu", "B", size)
        pdf.set_text_color(*INK)
        pdf.multi_cell(0, size * 0.5, pdf_safe(text), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    def para(text: str, size: int = 11, colour=INK, bold: bool = False) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(0, size * 0.5, pdf_safe(text), align="L", new_x="LMARGIN", new_y="NEXT")

    def table(rows: list[list[str]], widths: tuple[float, ...], size: float = 9, width: float | None = None,
              align: str = "CENTER", padding: float = 1.2) -> None:
        pdf.set_font("DejaVu", "", size)
        pdf.set_text_color(*INK)
        with pdf.table(col_widths=widths, text_align="LEFT", headings_style=heading_style, line_height=size * 0.46,
                       padding=padding, borders_layout="HORIZONTAL_LINES", width=width, align=align,
                       cell_fill_color=(247, 248, 250), cell_fill_mode="ROWS") as t:
            for cells in rows:
                row = t.row()
                for cell in cells:
                    row.cell(pdf_safe(cell))

    def keep_room(mm: float) -> None:
        """Start a new page rather than leave a heading alone at the foot of this one."""
        if pdf.get_y() + mm > pdf.page_break_trigger:
            pdf.add_page()

    def picture(data: bytes | None, what: str, max_w: float, max_h: float, x: float | None = None) -> None:
        if data is None:
            why = "; ".join(images.problems) or "not rendered"
            para(f"[{what} not available: {why}]", 10, FLAG)
            return
        top = pdf.get_y()
        pdf.image(io.BytesIO(data), x=pdf.l_margin if x is None else x, y=top, w=max_w, h=max_h, keep_aspect_ratio=True, alt_text=what)
        pdf.set_y(top + max_h)

    # Cover
    pdf.add_page()
    pdf.ln(28)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + 40, pdf.get_y())
    pdf.set_line_width(0.2)
    pdf.set_draw_color(209, 213, 219)
    pdf.ln(8)
    heading(b.title, 28)
    pdf.ln(4)
    para(f"Version: {b.info.label} ({b.info.id})", 16, ACCENT, bold=True)
    para(f"Data as of {b.info.as_of}", 16, INK, bold=True)
    pdf.ln(3)
    para(f"Generated on {b.generated_on.isoformat()} from the pinned dataset version; published {b.info.published_at} by {b.info.author}.", 11, MUTED)
    para(b.compare_text + ".", 11, MUTED)
    pdf.ln(8)
    para("Contents: headline figures · map · one page per zone (priority zones first) · programme timeline · "
         "changes since the earlier version · sources and confidence.", 11, MUTED)
    legend = " · ".join(labelled(schema.CONFIDENCE, c) for c in schema.CONFIDENCE.values)
    para(f"Every figure carries its confidence: {legend}. Estimated and illustrative figures are flagged ⚠.", 11, MUTED)

    # Headline figures
    pdf.add_page()
    heading("Programme overview")
    tile_w, tile_h, gap = (pdf.epw - 3 * 5) / 4, 29, 4
    top = pdf.get_y()
    for i, tile in enumerate(b.tiles):
        x = pdf.l_margin + (i % 4) * (tile_w + gap)
        y = top + (i // 4) * (tile_h + gap)
        pdf.set_fill_color(238, 242, 246)
        pdf.rect(x, y, tile_w, tile_h, style="F")
        pdf.set_xy(x + 3, y + 2)
        pdf.set_font("DejaVu", "", 10)
        pdf.set_text_color(*MUTED)
        pdf.cell(tile_w - 6, 5, pdf_safe(tile.label))
        pdf.set_xy(x + 3, y + 8)
        pdf.set_font("DejaVu", "B", 18)
        pdf.set_text_color(*INK)
        pdf.cell(tile_w - 6, 9, pdf_safe(tile.value))
        pdf.set_xy(x + 3, y + 18)
        pdf.set_font("DejaVu", "", 9)
        pdf.set_text_color(*MUTED)
        delta = f"{tile.delta} since {b.compare.label}" if b.compare is not None and tile.direction != "none" else ""
        pdf.cell(tile_w - 6, 5, pdf_safe(delta))
        if tile.flagged:
            pdf.set_xy(x + 3, y + 23)
            pdf.set_text_color(*FLAG)
            pdf.cell(tile_w - 6, 5, pdf_safe(f"⚠ estimated: {tile.flagged} of {tile.basis} zones"))
    pdf.set_y(top + 2 * (tile_h + gap) + 2)
    para("Zones by stage: " + " · ".join(f"{s.symbol} {s.label} {s.count}" for s in b.stages), 11)
    if b.flagged_note:
        para(f"⚠ {b.flagged_note}: those zones' figures are flagged wherever they appear.", 10, FLAG)
    pdf.ln(3)
    if b.overdue:
        para(f"Overdue milestones at {b.reference.name} ({len(b.overdue)})", 12, INK, bold=True)
        pdf.ln(1)
        rows = [["Milestone", "Zone", "Committed", "Slippage", "Confidence"]]
        names = {z.zone_id: z.short_name for z in b.zones}
        rows += [[m.title, names.get(m.zone_id, "Programme"), m.due, m.slip, labelled(schema.CONFIDENCE, m.confidence)]
                 for m in b.overdue[:OVERDUE_ROWS_PDF]]
        table(rows, (5, 2, 1.4, 2.4, 1.4), 8.5, padding=0.9)
        if len(b.overdue) > OVERDUE_ROWS_PDF:
            para(f"… and {len(b.overdue) - OVERDUE_ROWS_PDF} more (see the zone pages).", 9, MUTED)
    else:
        para(f"No milestone is overdue at {b.reference.name}.", 11)

    # Map
    pdf.add_page()
    heading("Where the zones are")
    top = pdf.get_y()
    map_h = pdf.h - top - 26
    map_w = min(map_h / MAP_ASPECT, pdf.epw * 0.66)
    picture(images.get("map", "png"), "Map of the zones", map_w, map_h)
    bottom = pdf.get_y()
    pdf.set_y(top)
    side_w = pdf.epw - map_w - 6
    rows = [["Zone", "Stage", "Location"]]
    rows += [[z.short_name, labelled(schema.STAGE, z.stage) if z.stage else NO_VALUE,
              schema.LOCATION_PRECISION.label(_zone_precision(b, z.zone_id))] for z in b.zones]
    table(rows, (1.3, 1.5, 1.1), 9, width=side_w, align="RIGHT")
    pdf.set_y(max(bottom, pdf.get_y()) + 1)
    para(f"Colour and circled number: stage. A ring around a point: its location is approximate (wider: nearest town only). {MAP_CREDIT}", 8, MUTED)

    # Zones: status, profile and changes side by side, then the source, then the milestones.
    for z in b.zones:
        pdf.add_page()
        heading(z.heading + ("  · priority zone" if z.priority else ""), 16)
        top = pdf.get_y()
        gap = 6
        col_w = (pdf.epw - 2 * gap) / 3
        bottoms = []
        for column, (title, facts) in enumerate(((z.status_heading(b.info.as_of), z.status), ("Profile", z.profile))):
            x = pdf.l_margin + column * (col_w + gap)
            pdf.set_xy(x, top)
            pdf.set_font("DejaVu", "B", 11)
            pdf.set_text_color(*ACCENT)
            pdf.multi_cell(col_w, 6, pdf_safe(title), new_x="LEFT", new_y="NEXT")  # a stale heading takes two lines
            for fact in facts:
                pdf.set_x(x)
                pdf.set_font("DejaVu", "", 9)
                pdf.set_text_color(*MUTED)
                pdf.cell(25, 4.8, pdf_safe(fact.label))
                pdf.set_font("DejaVu", "B" if column == 0 else "", 9)
                pdf.set_text_color(*(FLAG if fact.label == "Confidence" and z.flagged else INK))
                pdf.multi_cell(col_w - 25, 4.8, pdf_safe(fact.value), align="L", new_x="LEFT", new_y="NEXT")
            bottoms.append(pdf.get_y())
        x = pdf.l_margin + 2 * (col_w + gap)
        pdf.set_xy(x, top)
        pdf.set_font("DejaVu", "B", 11)
        pdf.set_text_color(*ACCENT)
        pdf.cell(col_w, 6, pdf_safe(f"Changes since {b.compare.label}" if b.compare else "Changes"), new_x="LEFT", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        pdf.set_text_color(*INK)
        lines = [f"• {c}" for c in z.changes] if b.compare else ["No earlier version to compare with."]
        if b.compare and z.minor_changes:
            lines.append(f"• and {z.minor_changes} edit(s) of sources, notes or details (see the change summary)")
        pdf.multi_cell(col_w, 4.6, pdf_safe("\n".join(lines) or "No change."), align="L", new_x="LEFT", new_y="NEXT")
        bottoms.append(pdf.get_y())
        pdf.set_xy(pdf.l_margin, max(bottoms) + 2)
        if z.source:
            para(f"Source: {z.source}" + (f" · Note: {z.note}" if z.note else ""), 7, MUTED)
        pdf.ln(2)
        keep_room(30)
        para("Milestones", 11, INK, bold=True)
        if z.milestones:
            rows = [["Milestone", "Category", "Committed", "Done", "Slippage", "Confidence"]]
            rows += [[m.title, m.category, m.due, m.done or NO_VALUE,
                      m.slip + (f"; rescheduled {m.rescheduled}" if m.rescheduled else ""),
                      labelled(schema.CONFIDENCE, m.confidence)] for m in z.milestones]
            table(rows, (4.4, 1.4, 1.2, 1.2, 3.4, 1.3), 7.5, padding=0.8)
        else:
            para("No milestone recorded.", 9, MUTED)

    # Timeline
    pdf.add_page()
    heading("Programme timeline")
    picture(images.get("timeline", "png"), "Programme timeline", pdf.epw, pdf.h - pdf.get_y() - 20)

    # Changes, grouped by zone, most important first
    pdf.add_page()
    heading(b.compare_text)
    if b.changes is not None and not b.changes:
        para("No change between the two versions.", 11)
    for zone, items in b.changes or []:
        keep_room(16)
        para(zone, 11, ACCENT, bold=True)
        para("\n".join(f"• {t.detail}" for t in items), 9)
        pdf.ln(1.5)

    # Appendix
    pdf.add_page()
    heading("Appendix: sources and confidence")
    para(f"Dataset version {b.info.id} “{b.info.label}”, as of {b.info.as_of}, published {b.info.published_at} by {b.info.author}. "
         f"Note: {b.info.note}", 9, MUTED)
    para("File fingerprints (sha256): " + "; ".join(f"{n} {r.sha256[:16]}…" for n, r in sorted(b.info.files.items())), 8, MUTED)
    para("Headline figures are computed from the zones' status rows below; sums count only the zones that report a figure. "
         f"Map: {MAP_CREDIT}", 9, MUTED)
    pdf.ln(2)
    rows = [["Figure", "Zone", "As of / date", "Confidence", "Source"]]
    rows += [[s.subject, s.zone, s.as_of, labelled(schema.CONFIDENCE, s.confidence), s.source] for s in b.sources]
    table(rows, (2.8, 1.1, 1.2, 1.0, 5.0), 7, padding=0.8)
    return bytes(pdf.output())


# --- HTML ---------------------------------------------------------------------------------------

_CSS = """
:root { --ink:#111827; --muted:#4B5563; --accent:#0072B2; --flag:#D55E00; --panel:#EEF2F6; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: var(--ink); margin: 0; background: #fff; }
section { padding: 28px 40px 36px; border-bottom: 1px solid #D1D5DB; page-break-after: always; }
.stamp { color: var(--accent); font-weight: bold; font-size: 14px; text-align: right; margin: 0 0 12px; }
h1 { font-size: 36px; margin: 80px 0 16px; } h2 { font-size: 26px; margin: 0 0 14px; } h3 { font-size: 18px; margin: 18px 0 8px; }
.muted { color: var(--muted); } .flag { color: var(--flag); font-weight: bold; }
.cover .version { font-size: 22px; color: var(--accent); font-weight: bold; margin: 6px 0; }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; }
.tile { background: var(--panel); padding: 12px 14px; border-radius: 6px; }
.tile .label { color: var(--muted); font-size: 14px; } .tile .value { font-size: 28px; font-weight: bold; margin: 4px 0; }
.tile .delta { color: var(--muted); font-size: 13px; }
.facts { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
dl { display: grid; grid-template-columns: 9em 1fr; gap: 4px 10px; margin: 0; font-size: 15px; }
dt { color: var(--muted); } dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 6px 0 10px; }
th { background: var(--panel); text-align: left; } th, td { padding: 5px 7px; border-bottom: 1px solid #E5E7EB; vertical-align: top; }
img.figure { display: block; max-width: 100%; height: auto; margin: 0 auto; }
.late { color: var(--flag); font-weight: bold; }
@page { size: A4 landscape; margin: 12mm; }
@media print { section { border: none; padding: 0; } }
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _html_table(rows: list[list[str]], late_rows: set[int] | None = None) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in rows[0])
    body = []
    for i, cells in enumerate(rows[1:]):
        cls = ' class="late"' if late_rows and i in late_rows else ""
        body.append(f"<tr{cls}>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_html(briefing: Briefing, images: BriefingImages | None = None) -> str:
    """The pack as one self-contained HTML document (no external resource of any kind)."""
    images = images or BriefingImages()
    b = briefing
    stamp = f'<p class="stamp">{_e(b.stamp)}</p>'
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(b.title)} — {_e(b.info.label)}</title>",
        f"<style>{_CSS}</style></head><body>",
    ]

    def picture(data: bytes | None, what: str) -> str:
        if data is None:
            why = "; ".join(images.problems) or "not rendered"
            return f'<p class="flag">[{_e(what)} not available: {_e(why)}]</p>'
        return f'<img class="figure" alt="{_e(what)}" src="{_data_uri("image/svg+xml", data)}">'

    legend = " · ".join(labelled(schema.CONFIDENCE, c) for c in schema.CONFIDENCE.values)
    out.append(
        f'<section class="cover"><h1>{_e(b.title)}</h1>'
        f'<p class="version">Version: {_e(b.info.label)} ({_e(b.info.id)})</p>'
        f'<p class="version">Data as of {_e(b.info.as_of)}</p>'
        f'<p class="muted">Generated on {_e(b.generated_on.isoformat())} from the pinned dataset version; '
        f"published {_e(b.info.published_at)} by {_e(b.info.author)}.</p>"
        f'<p class="muted">{_e(b.compare_text)}.</p>'
        f'<p class="muted">Every figure carries its confidence: {_e(legend)}. Estimated and illustrative figures are flagged ⚠.</p>'
        "</section>"
    )

    tiles = []
    for tile in b.tiles:
        delta = f"{tile.delta} since {b.compare.label}" if b.compare is not None and tile.direction != "none" else ""
        flag = f'<div class="flag">⚠ estimated: {tile.flagged} of {tile.basis} zones</div>' if tile.flagged else ""
        tiles.append(
            f'<div class="tile" title="{_e(tile.help)}"><div class="label">{_e(tile.label)}</div>'
            f'<div class="value">{_e(tile.value)}</div><div class="delta">{_e(delta)}</div>{flag}</div>'
        )
    overview = [f'<section id="overview">{stamp}<h2>Programme overview</h2><div class="tiles">{"".join(tiles)}</div>']
    overview.append("<p>Zones by stage: " + _e(" · ".join(f"{s.symbol} {s.label} {s.count}" for s in b.stages)) + "</p>")
    if b.flagged_note:
        overview.append(f'<p class="flag">⚠ {_e(b.flagged_note)}: those zones\' figures are flagged wherever they appear.</p>')
    if b.overdue:
        names = {z.zone_id: z.short_name for z in b.zones}
        rows = [["Milestone", "Zone", "Committed", "Slippage", "Confidence"]]
        rows += [[m.title, names.get(m.zone_id, "Programme"), m.due, m.slip, labelled(schema.CONFIDENCE, m.confidence)] for m in b.overdue]
        overview.append(f"<h3>Overdue milestones at {_e(b.reference.name)} ({len(b.overdue)})</h3>{_html_table(rows)}")
    else:
        overview.append(f"<p>No milestone is overdue at {_e(b.reference.name)}.</p>")
    out.append("".join(overview) + "</section>")

    out.append(
        f'<section id="map">{stamp}<h2>Where the zones are</h2>{picture(images.get("map", "svg"), "Map of the zones")}'
        f'<p class="muted">Colour and circled number: stage. A ring around a point: its location is approximate '
        f"(wider: nearest town only). {_e(MAP_CREDIT)}</p></section>"
    )

    def facts(items: tuple[Fact, ...], flagged: bool) -> str:
        flag_attr = ' class="flag"'
        return "<dl>" + "".join(
            f"<dt>{_e(f.label)}</dt><dd{flag_attr if flagged and f.label == 'Confidence' else ''}>{_e(f.value)}</dd>" for f in items
        ) + "</dl>"

    for z in b.zones:
        part = [f'<section class="zone" id="zone-{_e(z.zone_id)}">{stamp}<h2>{_e(z.heading)}'
                f'{" <small class=muted>· priority zone</small>" if z.priority else ""}</h2>']
        part.append(
            f'<div class="facts"><div><h3>{_e(z.status_heading(b.info.as_of))}</h3>{facts(z.status, z.flagged)}</div>'
            f"<div><h3>Profile</h3>{facts(z.profile, False)}</div></div>"
        )
        if z.source:
            part.append(f'<p class="muted">Source: {_e(z.source)}' + (f" · Note: {_e(z.note)}" if z.note else "") + "</p>")
        if b.compare is not None:
            items = "".join(f"<li>{_e(c)}</li>" for c in z.changes)
            part.append(f"<h3>Changes since {_e(b.compare.label)}</h3>" + (f"<ul>{items}</ul>" if items else "<p>No change.</p>"))
        part.append("<h3>Milestones</h3>")
        if z.milestones:
            rows = [["Milestone", "Category", "Committed", "Done", "Status", "Slippage", "Confidence"]]
            rows += [[m.title, m.category, m.due, m.done or NO_VALUE, m.status,
                      m.slip + (f"; rescheduled {m.rescheduled}" if m.rescheduled else ""),
                      labelled(schema.CONFIDENCE, m.confidence)] for m in z.milestones]
            part.append(_html_table(rows, {i for i, m in enumerate(z.milestones) if m.late}))
        else:
            part.append('<p class="muted">No milestone recorded.</p>')
        out.append("".join(part) + "</section>")

    out.append(f'<section id="timeline">{stamp}<h2>Programme timeline</h2>{picture(images.get("timeline", "svg"), "Programme timeline")}</section>')

    changes = [f'<section id="changes">{stamp}<h2>{_e(b.compare_text)}</h2>']
    if b.changes is not None:
        if not b.changes:
            changes.append("<p>No change between the two versions.</p>")
        for zone, items in b.changes:
            changes.append(f"<h3>{_e(zone)}</h3><ul>" + "".join(f"<li>{_e(t.detail)}</li>" for t in items) + "</ul>")
    out.append("".join(changes) + "</section>")

    rows = [["Figure", "Zone", "As of / date", "Confidence", "Source"]]
    rows += [[s.subject, s.zone, s.as_of, labelled(schema.CONFIDENCE, s.confidence), s.source] for s in b.sources]
    fingerprints = "; ".join(f"{n} {r.sha256}" for n, r in sorted(b.info.files.items()))
    out.append(
        f'<section id="sources">{stamp}<h2>Appendix: sources and confidence</h2>'
        f'<p class="muted">Dataset version {_e(b.info.id)} “{_e(b.info.label)}”, as of {_e(b.info.as_of)}, published '
        f"{_e(b.info.published_at)} by {_e(b.info.author)}. Note: {_e(b.info.note)}</p>"
        f'<p class="muted">File fingerprints (sha256): {_e(fingerprints)}</p>'
        '<p class="muted">Headline figures are computed from the zones\' status rows below; sums count only the zones '
        f"that report a figure. Map: {_e(MAP_CREDIT)}</p>{_html_table(rows)}"
        f'<p class="muted">{_e(b.stamp)} · generated {_e(b.generated_on.isoformat())}</p></section>'
    )
    out.append("</body></html>")
    return "\n".join(out)


# --- files and command line -------------------------------------------------------------------


@dataclass
class PackInputs:
    """The datasets a pack needs, loaded and verified from a store."""

    dataset: Dataset
    compare: Dataset | None
    history: list[Dataset]


def _load_exact(store: Store, version_id: str) -> Dataset:
    result = store.load(version_id)
    if result.dataset.info.id != version_id or result.problems:
        reasons = "; ".join(p.format_line() for p in result.problems if p.version_id == version_id) or "failed verification"
        raise BriefingError(f"version {version_id} is damaged ({reasons}); run verify")
    return result.dataset


def load_pack_inputs(root: Path | str | Store, version_id: str | None = None, compare_id: str | None = None) -> PackInputs:
    """Load the pinned version (default: latest), the comparison (default: the one before) and the history.

    ``BriefingError`` for an unknown version, or when the pinned or compared version is damaged.
    """
    store = open_store(root)
    try:
        versions = store.versions()
    except StoreError as exc:
        raise BriefingError(str(exc)) from exc
    ids = [v.id for v in versions]
    if not ids:
        raise BriefingError(f"{store.location}: the store holds no version")
    version_id = version_id or ids[-1]
    for wanted in (version_id, compare_id):
        if wanted is not None and wanted not in ids:
            raise BriefingError(f"no version {wanted!r}; valid ids: {', '.join(ids)}")
    position = ids.index(version_id)
    if compare_id is None and position > 0:
        compare_id = ids[position - 1]
    dataset = _load_exact(store, version_id)
    compare = _load_exact(store, compare_id) if compare_id is not None else None
    # The history only dates when each milestone was first committed: a damaged older version
    # is left out of it rather than blocking the pack.
    history = []
    for vid in ids[:position]:
        if compare is not None and vid == compare.info.id:
            history.append(compare)
            continue
        try:
            history.append(_load_exact(store, vid))
        except BriefingError:
            continue
    return PackInputs(dataset, compare, [*history, dataset])


def pack_format(path: Path | str) -> str:
    """"pdf" or "html" from a file name; ``BriefingError`` for any other extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise BriefingError(f"{path}: the output must end in .pdf or .html")
    return FORMATS[suffix]


def make_pack(inputs: PackInputs, fmt: str, *, zone_ids: list[str] | None = None, generated_on: date | None = None,
              reference: str = vocabulary.AS_OF) -> tuple[bytes, Briefing, BriefingImages]:
    """Build the storyline, render its images once, and return the pack's bytes in ``fmt``."""
    briefing = build_briefing(inputs.dataset, inputs.compare, history=inputs.history, zone_ids=zone_ids, generated_on=generated_on,
                              reference=reference)
    images = render_images(briefing, ("png",) if fmt == "pdf" else ("svg",))
    data = render_pdf(briefing, images) if fmt == "pdf" else render_html(briefing, images).encode("utf-8")
    return data, briefing, images


def write_briefing(root: Path | str | Store, out: Path, version_id: str | None = None, compare_id: str | None = None,
                   reference: str = vocabulary.AS_OF) -> tuple[Briefing, BriefingImages]:
    """Write the pack for ``version_id`` to ``out`` (.pdf or .html), atomically, with the user's umask
    (a pack is meant to be shared)."""
    from sez_metrics.storage.fsutil import USER_UMASK, replace_atomically

    fmt = pack_format(out)
    data, briefing, images = make_pack(load_pack_inputs(root, version_id, compare_id), fmt, reference=reference)
    replace_atomically(out, data, mode=USER_UMASK)
    return briefing, images


def cli_briefing(args: argparse.Namespace) -> int:
    """``briefing [--version ID] [--compare ID] [--to asof|today] --out FILE``: exit 2 on an unknown version or extension."""
    from sez_metrics.core.chars import echo
    from sez_metrics.core.settings import store_location

    out = Path(args.out)
    try:
        pack_format(out)
        if not out.parent.is_dir():
            raise BriefingError(f"{out.parent}: no such folder")
        briefing, images = write_briefing(store_location(), out, args.version, args.compare, getattr(args, "to", vocabulary.AS_OF))
    except BriefingError as exc:
        echo(f"error: {exc}", err=True)
        return 2 if "damaged" not in str(exc) else 1
    for problem in images.problems:
        echo(f"warning: {problem}", err=True)
    echo(f"wrote {out} ({briefing.info.id}, {len(briefing.zones)} zones)")
    return 0
