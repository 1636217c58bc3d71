"""The PDF's programme timeline: one picture per page of whole rows, each across the page's width.

``images.timeline_parts`` cuts the timeline's rows into parts no taller than a page holds; every
milestone is drawn in exactly one part, the rows in the whole timeline's order, and each part on the
whole timeline's dates. The PDF places one picture per part, each the page's width with its smallest
label at 8 pt or more (shipped data; real chromium).
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from sez_metrics.core import i18n, timeline
from sez_metrics.render import figures
from sez_metrics.render.briefing import images as pack_images
from sez_metrics.render.briefing import pack as pack_files
from sez_metrics.render.briefing import story as storyline
from sez_metrics.render.static_map import missing_browser

REPO = Path(__file__).parents[1]
GENERATED = date(2026, 1, 15)
A4_LANDSCAPE_TEXT_WIDTH_PT = (297 - 14 - 14) * 72 / 25.4


@pytest.fixture(scope="module")
def shipped_story():
    inputs = pack_files.load_pack_inputs(REPO / "data")
    with i18n.use_language("en"):
        return inputs, storyline.build_briefing(inputs.dataset, inputs.compare, history=inputs.history, generated_on=GENERATED)


def _markers(fig) -> list[str]:
    """The custom data of every state marker the figure draws: one per milestone."""
    return [str(c) for t in fig.data if isinstance(t.meta, dict) and t.meta.get("role") == figures.ROLE_MILESTONE
            for c in (t.customdata if t.customdata is not None else [None] * len(t.x))]


def test_the_parts_hold_every_row_once_in_order_and_fit_a_page(shipped_story):
    _, story = shipped_story
    with i18n.use_language("en"):
        parts = pack_images.timeline_parts(story)
        figs = pack_images.timeline_part_figures(story)
        whole = pack_images.timeline_figure(story)
        items = timeline.assess(pack_images._shown_items(story), story.reference.day)
        rows = [zone for zone, _ in figures.programme_rows(items, story.dataset.zones)]
    assert len(parts) > 1, "the shipped timeline is taller than a page"
    assert [zone for part in parts for zone in part] == rows
    assert len(figs) == len(parts)
    assert all(fig.layout.height <= pack_images.PDF_TIMELINE_PAGE_PX for fig in figs)
    counts = [figures.milestone_marker_count(fig) for fig in figs]
    assert all(counts) and sum(counts) == figures.milestone_marker_count(whole) == len(items)
    assert sorted(m for fig in figs for m in _markers(fig)) == sorted(_markers(whole))
    assert {tuple(fig.layout.xaxis.range) for fig in figs} == {tuple(whole.layout.xaxis.range)}
    assert [len(fig.layout.yaxis.ticktext) for fig in figs] == [len(part) for part in parts]


def test_a_part_taller_than_a_page_holds_one_row(shipped_story):
    _, story = shipped_story
    with i18n.use_language("en"):
        parts = pack_images.timeline_parts(story, page_px=1)
        rows = pack_images.timeline_parts(story, page_px=100_000)
    assert len(rows) == 1
    assert parts == [[zone] for zone in rows[0]]


@pytest.mark.skipif(missing_browser() is not None, reason="no chromium: the pack has no pictures")
def test_the_pdf_places_one_page_wide_picture_per_part(shipped_story):
    inputs, story = shipped_story
    data, _, images = pack_files.make_pack(inputs, "pdf", lang="en", generated_on=GENERATED)
    assert images.problems == []
    parts = images.parts("timeline_pages", "png")
    with i18n.use_language("en"):
        assert len(parts) == len(pack_images.timeline_parts(story))
    placed = []
    for page in PdfReader(io.BytesIO(data)).pages:
        text = page.extract_text()
        if "Programme timeline" not in text:
            continue
        operations = page.get_contents().get_data().decode("latin-1")
        drawn = re.findall(r"([\d.]+) 0 0 [\d.]+ [\d.]+ [\d.]+ cm\s*(/I\d+) Do", operations)
        assert len(drawn) == 1, "one timeline picture per page"
        width_pt, name = drawn[0]
        assert abs(float(width_pt) - A4_LANDSCAPE_TEXT_WIDTH_PT) < 1
        pixels = page["/Resources"]["/XObject"][name].get_object()["/Width"]
        assert (figures.FONT_SIZE - 4) * float(width_pt) / (pixels / 2) >= 8
        placed.append(page)
    assert len(placed) == len(parts)
