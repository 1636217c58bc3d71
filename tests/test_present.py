"""Presenter mode's pure model: the slide sequence, URL parameters, and each slide's escaped HTML."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest
from support.hostile import HOSTILE_NAME, build_hostile_store

from sez_metrics.core import i18n
from sez_metrics.render import present, present_changes, present_fit, present_style, present_text, present_timeline
from sez_metrics.render.briefing import images as pack_images
from sez_metrics.render.briefing import pack as pack_files
from sez_metrics.render.briefing import story as storyline
from sez_metrics.storage.folder import VersionStore

GENERATED = date(2026, 1, 15)


def story_of(root, version_id=None, compare_id=None, zones=None) -> storyline.Briefing:
    inputs = pack_files.load_pack_inputs(root, version_id, compare_id)
    return storyline.build_briefing(inputs.dataset, inputs.compare, history=inputs.history, zone_ids=zones, generated_on=GENERATED)


def test_deck_walks_the_storyline(mini_store):
    deck = present.build_deck(story_of(mini_store))
    assert [(s.kind, s.zone_id) for s in deck] == [
        ("overview", None), ("map", None), ("zone", "rashakai"), ("zone", "aiic"), ("zone", "mirpur"),
        ("timeline", None), ("changes", None),
    ]
    assert [s.title for s in deck][:2] == ["Programme overview", "Where the zones are"]


def test_presenter_chooses_zones_and_their_order(mini_store):
    dataset = VersionStore(mini_store).load().dataset
    known, unknown = present.requested_zones("mirpur,rashakai,atlantis,,mirpur", dataset)
    assert (known, unknown) == (["mirpur", "rashakai"], ["atlantis"])
    deck = present.build_deck(story_of(mini_store, zones=known))
    assert [s.zone_id for s in deck if s.kind == "zone"] == ["mirpur", "rashakai"]
    assert present.requested_zones(None, dataset) == ([], [])


@pytest.mark.parametrize(("value", "number"), [("3", 3), (" 2 ", 2), ("0", 1), ("-4", 1), ("99", 7), ("x", 1), (None, 1), ("2.5", 1)])
def test_slide_number_stays_in_the_deck(value, number):
    assert present.slide_number(value, 7) == number


def test_every_slide_carries_the_as_of_stamp(mini_store):
    story = story_of(mini_store)
    deck = present.build_deck(story)
    for number, slide in enumerate(deck, start=1):
        bar = re.sub(r'<span class="sez-v" dir="auto">([^<]*)</span>', r"\1", present.stamp_html(story, slide, number, len(deck)))
        assert "As of 2022-10-15 · Before JCC-11 (v0002)" in bar
        assert f"{number} / {len(deck)}" in bar


def test_zone_slide_shows_capacities_changes_and_late_milestones_first(mini_store):
    story = story_of(mini_store)
    body = present.slide_body_html(story, present.Slide("zone", "AIIC", "aiic"), pack_images.BriefingImages())
    assert "Priority zone" in body and "Punjab · Faisalabad district" in body
    assert "40 of 40 MMCFD" in body and "◌ Estimated" in body
    assert "colonization 21 → 33 % (+12 points)" in body
    # In progress (due 2025) comes before the phase done in 2021.
    assert body.index("500/132 kV grid station") < body.index("Phase-I development")
    assert 'Source: <span class="sez-v" dir="auto">dailyintekhab (undated)</span>' in body


def test_first_version_slides_say_there_is_nothing_to_compare(mini_store):
    story = story_of(mini_store, "v0001")
    deck = present.build_deck(story)
    assert deck[-1].kind == "changes"
    body = present.slide_body_html(story, deck[-1], pack_images.BriefingImages())
    assert "nothing earlier to compare with" in body
    zone = present.slide_body_html(story, deck[2], pack_images.BriefingImages())
    assert "No earlier version to compare with." in zone


def test_long_change_summaries_run_over_several_slides_each_zone_under_its_heading(mini_store, monkeypatch):
    monkeypatch.setattr(present_fit, "SLIDE_HEIGHT_PX", 330)  # a short screen: the summary runs over
    story = story_of(mini_store)
    layout = present_changes.change_layout(story)
    pages = layout.pages
    assert len(pages) > 1 and all(len(page) <= layout.columns for page in pages)
    assert layout.columns in present_changes.CHANGE_COLUMN_CHOICES and layout.type in present_style.CHANGE_TYPE_UNITS
    listed = [i.detail for page in pages for column in page for _, items in column for i in items]
    major = [i.detail for _, items in story.changes for i in items if i.importance < storyline.MINOR_CHANGE_IMPORTANCE]
    assert listed == major  # nothing lost, nothing repeated, order kept
    # Every column starts with a zone's heading: no change is shown away from its zone.
    assert all(column and column[0][1] for page in pages for column in page)
    deck = present.build_deck(story)
    titles = [s.title for s in deck if s.kind == "changes"]
    assert titles == [f"What changed ({n}/{len(pages)})" for n in range(1, len(pages) + 1)]
    second = re.sub(r'<span class="sez-v" dir="auto">([^<]*)</span>', r"\1", present_changes.changes_html(story, 1))
    continued = [zone for zone, _ in pages[1][0][:1] if zone in {z for column in pages[0] for z, _ in column}]
    for zone in continued:
        assert f"{zone} (continued)" in second


def test_slides_are_cut_as_evenly_as_the_heights_allow():
    """No slide is left a stub while another is full: the tallest slide is as short as it can be."""
    heights = [5, 3, 7, 2, 2, 6, 1]
    pages = present_fit.spread_by_height(heights, 10)
    assert [list(p) for p in pages] == [[0, 1], [2, 3], [4, 5, 6]]  # 8, 9, 9: three slides, none over 10
    assert [i for p in pages for i in p] == list(range(len(heights)))
    assert [list(p) for p in present_fit.spread_by_height(heights, 26)] == [list(range(7))]
    # Cut greedily, nine rows of 4 and one of 1 would fill three slides of 12 and leave a stub of 1.
    rows = [4] * 9 + [1]
    filled = [sum(rows[i] for i in p) for p in present_fit.spread_by_height(rows, 12)]
    assert len(filled) == 4 and max(filled) <= 12 and min(filled) >= 6, filled


def test_only_minor_changes_are_listed_rather_than_an_empty_slide(mini_store):
    story = story_of(mini_store)
    minor_only = [(zone, [i for i in items if i.importance >= storyline.MINOR_CHANGE_IMPORTANCE]) for zone, items in story.changes]
    minor_only = [(zone, items) for zone, items in minor_only if items]
    assert minor_only, "the mini store has minor changes"
    story = dataclasses.replace(story, changes=minor_only)
    listed = [i for page in present_changes.change_pages(story) for column in page for _zone, items in column for i in items]
    assert listed == [i for _zone, items in minor_only for i in items]
    assert present_changes.minor_change_count(story) == 0  # nothing left over for the "also N edits" note
    body = present_changes.changes_html(story, 0)
    assert "<li>" in body and "listed in the briefing pack" not in body


def test_timeline_slides_name_every_marker(mini_store):
    story = story_of(mini_store)
    rows = present_timeline.timeline_rows(story)
    pages = present_timeline.timeline_pages(story)
    assert [r for page in pages for r in page] == rows
    heights, room = present_timeline._row_heights(story, rows)
    assert all(sum(heights[rows.index(r)] for r in page) <= room for page in pages)
    deck = present.build_deck(story)
    timeline_slides = [s for s in deck if s.kind == "timeline"]
    assert len(timeline_slides) == len(pages)
    for slide, page in zip(timeline_slides, pages, strict=True):
        body = present.slide_body_html(story, slide, pack_images.BriefingImages())
        assert body.count('<span class="sez-tl-mark" style="left:') == len(page)  # one marker per row …
        for who, line in page:
            assert f'<span class="sez-tl-zone">{who}</span> · {line.title}' in body  # … named beside it
            assert present_text.slip_text(line) in body


def test_map_slide_inlines_its_picture(mini_store):
    story = story_of(mini_store)
    images = pack_images.BriefingImages(files={"map.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>"})
    body = present.slide_body_html(story, present.Slide("map", "map"), images)
    sources = re.findall(r'src="([^"]+)"', body)
    assert len(sources) == 1 and sources[0].startswith("data:image/svg+xml;base64,")
    assert "Rashakai" in body


def test_the_map_picture_is_drawn_at_the_size_it_is_shown():
    """Shown ``calc(100vh - 19 units)`` high, the map's labels are at least 18 px at 1280×720."""
    from sez_metrics.render import present_map

    assert present_map.smallest_label_px() >= 18
    assert "calc(100vh - var(--sez-unit) * 19)" in present_style.presenter_css("en")


@pytest.mark.parametrize("code", ["zh", "ur"])
def test_slides_speak_the_language_of_the_run(mini_store, code):
    with i18n.use_language(code):
        story = story_of(mini_store)
        deck = present.build_deck(story)
        html_out = "".join(present.stamp_html(story, s, n, len(deck)) + present.slide_body_html(story, s, pack_images.BriefingImages())
                           for n, s in enumerate(deck, start=1))
    for english in ("Programme overview", "Where the zones are", "Milestone timeline", "What changed", "Zones by stage",
                    "Slippage", "Since ", "As of ", "on the changes slides", "the full timeline is in the briefing pack",
                    ">Milestones<", "<th>Milestone</th>", "<th>Zone</th>", "<th>Stage</th>", "Priority zone", "Source: ", "<th>Date</th>"):
        assert english not in html_out, english
    script = r"[\u4e00-\u9fff]" if code == "zh" else r"[\u0600-\u06ff]"
    assert re.search(script, html_out)


def test_the_stylesheet_sets_each_language_in_its_fonts_and_direction():
    from sez_metrics.render.fonts import fonts_for

    for code in i18n.LANGUAGES:
        css = present_style.presenter_css(code)
        assert fonts_for(code).css_families in css
    assert "direction: rtl" in present_style.presenter_css("ur") and "direction: rtl" not in present_style.presenter_css("zh")
    assert "--sez-line: 2.0" in present_style.presenter_css("ur")  # Nastaliq's taller line
    # The smallest type on a slide: 1.45 units, 18.6 px at 1280×720.
    assert present_style.SMALLEST_TEXT_UNITS * 12.8 >= 18


def test_slides_escape_hostile_data(tmp_path):
    root = build_hostile_store(tmp_path / "store")
    story = story_of(root)
    deck = present.build_deck(story)
    html_out = "".join(
        present.stamp_html(story, slide, n, len(deck)) + present.slide_body_html(story, slide, pack_images.BriefingImages())
        for n, slide in enumerate(deck, start=1)
    )
    for raw in (HOSTILE_NAME, "<script>", "<b>bold</b>", "<i>x</i>"):
        assert raw not in html_out
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_out
    assert "&lt;b&gt;bold&lt;/b&gt;" in html_out  # the milestone title, shown literally
    assert 'Source: <span class="sez-v" dir="auto">&lt;script&gt;alert(2)&lt;/script&gt;' in html_out  # the status row's source


def test_presenter_stylesheet_is_fixed_and_hides_the_chrome():
    css = present_style.presenter_css("en")
    for hidden in ('[data-testid="stSidebar"]', '[data-testid="stToolbar"]', '[data-testid="stHeader"]', '[data-testid="stAppDeployButton"]'):
        assert hidden in css
    assert "{" in css and "http" not in css and "url(" not in css and "@import" not in css
