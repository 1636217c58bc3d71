"""Presenter mode's pure model: the slide sequence, URL parameters, and each slide's escaped HTML."""

from __future__ import annotations

import re
from datetime import date

import pytest
from support.hostile import HOSTILE_NAME, build_hostile_store

from sez_metrics.core import i18n
from sez_metrics.render import present, present_style, present_text, present_timeline
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
    monkeypatch.setattr(present, "CHANGE_TYPES", {"normal": (35, 6), "large": (29, 5)})
    story = story_of(mini_store)
    pages = present.change_pages(story)
    assert len(pages) > 1 and all(len(page) <= present.CHANGE_COLUMNS for page in pages)
    listed = [i.detail for page in pages for column in page for _, items in column for i in items]
    major = [i.detail for _, items in story.changes for i in items if i.importance < storyline.MINOR_CHANGE_IMPORTANCE]
    assert listed == major  # nothing lost, nothing repeated, order kept
    # Every column starts with a zone's heading: no change is shown away from its zone.
    assert all(column and column[0][1] for page in pages for column in page)
    deck = present.build_deck(story)
    titles = [s.title for s in deck if s.kind == "changes"]
    assert titles == [f"What changed ({n}/{len(pages)})" for n in range(1, len(pages) + 1)]
    second = re.sub(r'<span class="sez-v" dir="auto">([^<]*)</span>', r"\1", present.changes_html(story, 1))
    continued = [zone for zone, _ in pages[1][0][:1] if zone in {z for column in pages[0] for z, _ in column}]
    for zone in continued:
        assert f"{zone} (continued)" in second


def test_change_slides_are_filled_evenly():
    """No slide of the change summary is left nearly empty while another is full."""
    sizes = [5, 3, 7, 2, 2, 6, 1]
    pages = present_text.spread(len(sizes), 3)
    assert [len(p) for p in pages] == [2, 3, 2]
    assert [i for p in pages for i in p] == list(range(len(sizes)))


def test_timeline_slides_name_every_marker(mini_store):
    story = story_of(mini_store)
    rows = present_timeline.timeline_rows(story)
    pages = present_timeline.timeline_pages(story)
    assert [r for page in pages for r in page] == rows
    assert all(len(page) <= present_timeline.TIMELINE_ROWS_PER_SLIDE for page in pages)
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
