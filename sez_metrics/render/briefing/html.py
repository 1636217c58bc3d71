"""The pack as one self-contained HTML document.

Inline CSS, images as ``data:`` URIs, the fonts of the pack's language embedded as subsets
(``htmlfonts``), every data value escaped, no reference to any other resource: it opens offline,
from an e-mail. ``<html lang dir>`` follow the language (Urdu right to left, with the taller lines
Nastaliq needs).
"""

from __future__ import annotations

import base64
import html

from sez_metrics.core import i18n, schema, vocabulary
from sez_metrics.core.i18n import _
from sez_metrics.render.briefing import htmlfonts
from sez_metrics.render.briefing.images import BriefingImages
from sez_metrics.render.briefing.story import NO_VALUE, Briefing, Fact, ZoneBrief, labelled
from sez_metrics.render.fonts import fonts_for, with_lookalikes
from sez_metrics.render.static_map import MAP_CREDIT

_CSS = """
:root { --ink:#111827; --muted:#4B5563; --accent:#0072B2; --flag:#D55E00; --panel:#EEF2F6; }
* { box-sizing: border-box; }
body { color: var(--ink); margin: 0; background: #fff; }
section { padding: 28px 40px 36px; border-bottom: 1px solid #D1D5DB; page-break-after: always; }
.stamp { color: var(--accent); font-weight: bold; font-size: 14px; text-align: end; margin: 0 0 12px; }
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
th { background: var(--panel); text-align: start; } th, td { padding: 5px 7px; border-bottom: 1px solid #E5E7EB; vertical-align: top; }
img.figure { display: block; max-width: 100%; height: auto; margin: 0 auto; }
.late { color: var(--flag); font-weight: bold; }
td, dd, li { unicode-bidi: plaintext; } /* English data in an Urdu pack keeps its own word order */
@page { size: A4 landscape; margin: 12mm; }
@media print { section { border: none; padding: 0; } }
"""


def _e(value: object) -> str:
    return html.escape(with_lookalikes("" if value is None else str(value)), quote=True)


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _html_table(rows: list[list[str]], late_rows: set[int] | None = None) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in rows[0])
    body = []
    for i, cells in enumerate(rows[1:]):
        cls = ' class="late"' if late_rows and i in late_rows else ""
        body.append(f"<tr{cls}>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _stamp(b: Briefing) -> str:
    return f'<p class="stamp">{_e(b.stamp)}</p>'


def _picture(images: BriefingImages, name: str, what: str) -> str:
    """The figure as SVG, else as the PDF's page-wide PNG (Chinese and Urdu packs: glyphs drawn in)."""
    for key, fmt, mime in ((name, "svg", "image/svg+xml"), (f"{name}_page", "png", "image/png"), (name, "png", "image/png")):
        data = images.get(key, fmt)
        if data is not None:
            return f'<img class="figure" alt="{_e(what)}" src="{_data_uri(mime, data)}">'
    why = "; ".join(images.problems) or _("not rendered")
    return f'<p class="flag">{_e(_("[{what} not available: {why}]").format(what=what, why=why))}</p>'


def _facts(items: tuple[Fact, ...], flagged: bool) -> str:
    flag_attr = ' class="flag"'
    confidence = _("Confidence")
    return "<dl>" + "".join(
        f"<dt>{_e(f.label)}</dt><dd{flag_attr if flagged and f.label == confidence else ''}>{_e(f.value)}</dd>" for f in items
    ) + "</dl>"


def _p(text: str, cls: str = "") -> str:
    return f'<p class="{cls}">{_e(text)}</p>' if cls else f"<p>{_e(text)}</p>"


def cover_section(b: Briefing) -> str:
    legend = " · ".join(labelled(schema.CONFIDENCE, c) for c in schema.CONFIDENCE.values)
    lines = [
        f'<section class="cover"><h1>{_e(b.title)}</h1>',
        _p(_("Version: {label} ({id})").format(label=b.info.label, id=b.info.id), "version"),
        _p(_("Data as of {date}").format(date=b.info.as_of), "version"),
        _p(_("Generated on {date} from the pinned dataset version; published {published} by {author}.").format(
            date=b.generated_on.isoformat(), published=b.info.published_at, author=b.info.author), "muted"),
        _p(b.compare_text, "muted"),
        _p(_("Every figure carries its confidence: {legend}. Estimated and illustrative figures are flagged ⚠.").format(legend=legend), "muted"),
    ]
    if b.language and b.language != i18n.SOURCE_LANGUAGE:
        lines.append(_p(_("Notes and sources are printed as their stewards wrote them, in the language they were written in."), "muted"))
    return "".join(lines) + "</section>"


def overview_section(b: Briefing) -> str:
    """Headline tiles, zones by stage and every overdue milestone."""
    tiles = [
        f'<div class="tile" title="{_e(tile.help)}"><div class="label">{_e(tile.label)}</div>'
        f'<div class="value">{_e(tile.value)}</div><div class="delta">{_e(tile.delta_text)}</div>'
        + (f'<div class="flag">{_e(tile.flag_text)}</div>' if tile.flag_text else "") + "</div>"
        for tile in b.tiles
    ]
    heading = _("Programme overview")
    out = [f'<section id="overview">{_stamp(b)}<h2>{_e(heading)}</h2><div class="tiles">{"".join(tiles)}</div>']
    stages = " · ".join(f"{s.symbol} {s.label} {i18n.number(s.count, 0)}" for s in b.stages)
    out.append(_p(_("Zones by stage: {stages}").format(stages=stages)))
    if b.flagged_note:
        out.append(_p(_("⚠ {note}: those zones' figures are flagged wherever they appear.").format(note=b.flagged_note), "flag"))
    if b.overdue:
        names = {z.zone_id: z.short_name for z in b.zones}
        rows = [[_("Milestone"), _("Zone"), _("Committed"), _("Slippage"), _("Confidence")]]
        rows += [[m.title, names.get(m.zone_id, _(vocabulary.PROGRAMME)), m.due, m.slip, labelled(schema.CONFIDENCE, m.confidence)]
                 for m in b.overdue]
        heading = _("Overdue milestones at {reference} ({count})").format(reference=b.reference.name, count=len(b.overdue))
        out.append(f"<h3>{_e(heading)}</h3>{_html_table(rows)}")
    else:
        out.append(_p(_("No milestone is overdue at {reference}.").format(reference=b.reference.name)))
    return "".join(out) + "</section>"


def map_section(b: Briefing, images: BriefingImages) -> str:
    caption = _("Colour and circled number: stage. A ring around a point: its location is approximate (wider: nearest town only).")
    heading = _("Where the zones are")
    return (f'<section id="map">{_stamp(b)}<h2>{_e(heading)}</h2>{_picture(images, "map", _("Map of the zones"))}'
            + _p(f"{caption} {_(MAP_CREDIT)}", "muted") + "</section>")


def zone_section(b: Briefing, z: ZoneBrief) -> str:
    """A zone: status and profile side by side, the source, the changes and the milestones."""
    priority = _("priority zone")
    profile = _("Profile")
    part = [f'<section class="zone" id="zone-{_e(z.zone_id)}">{_stamp(b)}<h2>{_e(z.heading)}'
            + (f" <small class=muted>· {_e(priority)}</small>" if z.priority else "") + "</h2>"]
    part.append(
        f'<div class="facts"><div><h3>{_e(z.status_heading(b.info.as_of))}</h3>{_facts(z.status, z.flagged)}</div>'
        f"<div><h3>{_e(profile)}</h3>{_facts(z.profile, False)}</div></div>"
    )
    if z.source:
        source = (_("Source: {source} · Note: {note}").format(source=z.source, note=z.note) if z.note
                  else _("Source: {source}").format(source=z.source))
        part.append(_p(source, "muted"))
    if b.compare is not None:
        items = "".join(f"<li>{_e(c)}</li>" for c in z.changes)
        since = _("Changes since {label}").format(label=b.compare.label)
        part.append(f"<h3>{_e(since)}</h3>" + (f"<ul>{items}</ul>" if items else _p(_("No change."))))
    milestones = _("Milestones")
    part.append(f"<h3>{_e(milestones)}</h3>")
    if z.milestones:
        rows = [[_("Milestone"), _("Category"), _("Committed"), _("Done"), _("Status"), _("Slippage"), _("Confidence")]]
        rows += [[m.title, m.category, m.due, m.done or NO_VALUE, m.status,
                  m.slip + ("; " + _("rescheduled {change}").format(change=m.rescheduled) if m.rescheduled else ""),
                  labelled(schema.CONFIDENCE, m.confidence)] for m in z.milestones]
        part.append(_html_table(rows, {i for i, m in enumerate(z.milestones) if m.late}))
    else:
        part.append(_p(_("No milestone recorded."), "muted"))
    return "".join(part) + "</section>"


def timeline_section(b: Briefing, images: BriefingImages) -> str:
    heading = _("Programme timeline")
    return f'<section id="timeline">{_stamp(b)}<h2>{_e(heading)}</h2>{_picture(images, "timeline", heading)}</section>'


def changes_section(b: Briefing) -> str:
    """Every change since the compared version, grouped by zone, most important first."""
    out = [f'<section id="changes">{_stamp(b)}<h2>{_e(b.compare_text)}</h2>']
    if b.changes is not None:
        if not b.changes:
            out.append(_p(_("No change between the two versions.")))
        for zone, items in b.changes:
            out.append(f"<h3>{_e(zone)}</h3><ul>" + "".join(f"<li>{_e(t.in_language())}</li>" for t in items) + "</ul>")
    return "".join(out) + "</section>"


def sources_section(b: Briefing) -> str:
    """The version's provenance and the source and confidence of every figure shown."""
    rows = [[_("Figure"), _("Zone"), _("As of / date"), _("Confidence"), _("Source")]]
    rows += [[s.subject, s.zone, s.as_of, labelled(schema.CONFIDENCE, s.confidence), s.source] for s in b.sources]
    fingerprints = "; ".join(f"{n} {r.sha256}" for n, r in sorted(b.info.files.items()))
    heading = _("Appendix: sources and confidence")
    return (
        f'<section id="sources">{_stamp(b)}<h2>{_e(heading)}</h2>'
        + _p(_("Dataset version {id} “{label}”, as of {date}, published {published} by {author}. Note: {note}").format(
            id=b.info.id, label=b.info.label, date=b.info.as_of, published=b.info.published_at, author=b.info.author, note=b.info.note), "muted")
        + _p(_("File fingerprints (sha256): {fingerprints}").format(fingerprints=fingerprints), "muted")
        + _p(_("Headline figures are computed from the zones' status rows below; sums count only the zones that report a figure.")
             + " " + _("Map: {credit}").format(credit=_(MAP_CREDIT)), "muted")
        + _html_table(rows)
        + _p(_("{stamp} · generated {date}").format(stamp=b.stamp, date=b.generated_on.isoformat()), "muted")
        + "</section>"
    )


def _body_css(code: str) -> str:
    fonts = fonts_for(code)
    return f"body {{ font-family: {fonts.css_families}; line-height: {fonts.line_height}; }}"


def render_html(briefing: Briefing, images: BriefingImages | None = None) -> str:
    """The pack as one self-contained HTML document (no external resource of any kind), in the
    language the storyline was built in, its fonts embedded."""
    images = images or BriefingImages()
    b = briefing
    code = b.language or i18n.current().code
    with i18n.use_language(code) as language:
        body = "\n".join([
            cover_section(b),
            overview_section(b),
            map_section(b, images),
            *(zone_section(b, z) for z in b.zones),
            timeline_section(b, images),
            changes_section(b),
            sources_section(b),
        ])
        title = f"{b.title} — {b.info.label}"
        fonts = htmlfonts.font_face_css(code, html.unescape(title + body))
        return "\n".join([
            "<!DOCTYPE html>",
            f'<html lang="{language.code}" dir="{language.direction}"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)}</title>",
            f"<style>{fonts}\n{_CSS}\n{_body_css(code)}</style></head><body>",
            body,
            "</body></html>",
        ])
