"""The pack as one self-contained HTML document.

Inline CSS, images as ``data:`` URIs, every data value escaped, no reference to any other resource:
it opens offline, from an e-mail.
"""

from __future__ import annotations

import base64
import html

from sez_metrics.core import schema, vocabulary
from sez_metrics.render.briefing.images import BriefingImages
from sez_metrics.render.briefing.story import NO_VALUE, Briefing, Fact, ZoneBrief, labelled
from sez_metrics.render.static_map import MAP_CREDIT

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


def _stamp(b: Briefing) -> str:
    return f'<p class="stamp">{_e(b.stamp)}</p>'


def _picture(images: BriefingImages, name: str, what: str) -> str:
    data = images.get(name, "svg")
    if data is None:
        why = "; ".join(images.problems) or "not rendered"
        return f'<p class="flag">[{_e(what)} not available: {_e(why)}]</p>'
    return f'<img class="figure" alt="{_e(what)}" src="{_data_uri("image/svg+xml", data)}">'


def _facts(items: tuple[Fact, ...], flagged: bool) -> str:
    flag_attr = ' class="flag"'
    return "<dl>" + "".join(
        f"<dt>{_e(f.label)}</dt><dd{flag_attr if flagged and f.label == 'Confidence' else ''}>{_e(f.value)}</dd>" for f in items
    ) + "</dl>"


def cover_section(b: Briefing) -> str:
    legend = " · ".join(labelled(schema.CONFIDENCE, c) for c in schema.CONFIDENCE.values)
    return (
        f'<section class="cover"><h1>{_e(b.title)}</h1>'
        f'<p class="version">Version: {_e(b.info.label)} ({_e(b.info.id)})</p>'
        f'<p class="version">Data as of {_e(b.info.as_of)}</p>'
        f'<p class="muted">Generated on {_e(b.generated_on.isoformat())} from the pinned dataset version; '
        f"published {_e(b.info.published_at)} by {_e(b.info.author)}.</p>"
        f'<p class="muted">{_e(b.compare_text)}.</p>'
        f'<p class="muted">Every figure carries its confidence: {_e(legend)}. Estimated and illustrative figures are flagged ⚠.</p>'
        "</section>"
    )


def overview_section(b: Briefing) -> str:
    """Headline tiles, zones by stage and every overdue milestone."""
    tiles = [
        f'<div class="tile" title="{_e(tile.help)}"><div class="label">{_e(tile.label)}</div>'
        f'<div class="value">{_e(tile.value)}</div><div class="delta">{_e(tile.delta_text)}</div>'
        + (f'<div class="flag">{_e(tile.flag_text)}</div>' if tile.flag_text else "") + "</div>"
        for tile in b.tiles
    ]
    out = [f'<section id="overview">{_stamp(b)}<h2>Programme overview</h2><div class="tiles">{"".join(tiles)}</div>']
    out.append("<p>Zones by stage: " + _e(" · ".join(f"{s.symbol} {s.label} {s.count}" for s in b.stages)) + "</p>")
    if b.flagged_note:
        out.append(f'<p class="flag">⚠ {_e(b.flagged_note)}: those zones\' figures are flagged wherever they appear.</p>')
    if b.overdue:
        names = {z.zone_id: z.short_name for z in b.zones}
        rows = [["Milestone", "Zone", "Committed", "Slippage", "Confidence"]]
        rows += [[m.title, names.get(m.zone_id, vocabulary.PROGRAMME), m.due, m.slip, labelled(schema.CONFIDENCE, m.confidence)] for m in b.overdue]
        out.append(f"<h3>Overdue milestones at {_e(b.reference.name)} ({len(b.overdue)})</h3>{_html_table(rows)}")
    else:
        out.append(f"<p>No milestone is overdue at {_e(b.reference.name)}.</p>")
    return "".join(out) + "</section>"


def map_section(b: Briefing, images: BriefingImages) -> str:
    return (
        f'<section id="map">{_stamp(b)}<h2>Where the zones are</h2>{_picture(images, "map", "Map of the zones")}'
        f'<p class="muted">Colour and circled number: stage. A ring around a point: its location is approximate '
        f"(wider: nearest town only). {_e(MAP_CREDIT)}</p></section>"
    )


def zone_section(b: Briefing, z: ZoneBrief) -> str:
    """A zone: status and profile side by side, the source, the changes and the milestones."""
    part = [f'<section class="zone" id="zone-{_e(z.zone_id)}">{_stamp(b)}<h2>{_e(z.heading)}'
            f'{" <small class=muted>· priority zone</small>" if z.priority else ""}</h2>']
    part.append(
        f'<div class="facts"><div><h3>{_e(z.status_heading(b.info.as_of))}</h3>{_facts(z.status, z.flagged)}</div>'
        f"<div><h3>Profile</h3>{_facts(z.profile, False)}</div></div>"
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
    return "".join(part) + "</section>"


def timeline_section(b: Briefing, images: BriefingImages) -> str:
    return f'<section id="timeline">{_stamp(b)}<h2>Programme timeline</h2>{_picture(images, "timeline", "Programme timeline")}</section>'


def changes_section(b: Briefing) -> str:
    """Every change since the compared version, grouped by zone, most important first."""
    out = [f'<section id="changes">{_stamp(b)}<h2>{_e(b.compare_text)}</h2>']
    if b.changes is not None:
        if not b.changes:
            out.append("<p>No change between the two versions.</p>")
        for zone, items in b.changes:
            out.append(f"<h3>{_e(zone)}</h3><ul>" + "".join(f"<li>{_e(t.detail)}</li>" for t in items) + "</ul>")
    return "".join(out) + "</section>"


def sources_section(b: Briefing) -> str:
    """The version's provenance and the source and confidence of every figure shown."""
    rows = [["Figure", "Zone", "As of / date", "Confidence", "Source"]]
    rows += [[s.subject, s.zone, s.as_of, labelled(schema.CONFIDENCE, s.confidence), s.source] for s in b.sources]
    fingerprints = "; ".join(f"{n} {r.sha256}" for n, r in sorted(b.info.files.items()))
    return (
        f'<section id="sources">{_stamp(b)}<h2>Appendix: sources and confidence</h2>'
        f'<p class="muted">Dataset version {_e(b.info.id)} “{_e(b.info.label)}”, as of {_e(b.info.as_of)}, published '
        f"{_e(b.info.published_at)} by {_e(b.info.author)}. Note: {_e(b.info.note)}</p>"
        f'<p class="muted">File fingerprints (sha256): {_e(fingerprints)}</p>'
        '<p class="muted">Headline figures are computed from the zones\' status rows below; sums count only the zones '
        f"that report a figure. Map: {_e(MAP_CREDIT)}</p>{_html_table(rows)}"
        f'<p class="muted">{_e(b.stamp)} · generated {_e(b.generated_on.isoformat())}</p></section>'
    )


def render_html(briefing: Briefing, images: BriefingImages | None = None) -> str:
    """The pack as one self-contained HTML document (no external resource of any kind)."""
    images = images or BriefingImages()
    b = briefing
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(b.title)} — {_e(b.info.label)}</title>",
        f"<style>{_CSS}</style></head><body>",
        cover_section(b),
        overview_section(b),
        map_section(b, images),
        *(zone_section(b, z) for z in b.zones),
        timeline_section(b, images),
        changes_section(b),
        sources_section(b),
        "</body></html>",
    ]
    return "\n".join(out)
