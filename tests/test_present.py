"""Presenter mode's pure model: the slide sequence, URL parameters, and each slide's escaped HTML."""

from __future__ import annotations

import re
from datetime import date

import pytest
from support.hostile import HOSTILE_NAME, build_hostile_store

from sez_metrics.render import present
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
        bar = present.stamp_html(story, slide, number, len(deck))
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
    assert "Source: dailyintekhab (undated)" in body


def test_first_version_slides_say_there_is_nothing_to_compare(mini_store):
    story = story_of(mini_store, "v0001")
    deck = present.build_deck(story)
    assert deck[-1].kind == "changes"
    body = present.slide_body_html(story, deck[-1], pack_images.BriefingImages())
    assert "nothing earlier to compare with" in body
    zone = present.slide_body_html(story, deck[2], pack_images.BriefingImages())
    assert "No earlier version to compare with." in zone


def test_long_change_summaries_run_over_several_slides(mini_store, monkeypatch):
    monkeypatch.setattr(present, "CHANGES_PER_SLIDE", 3)
    story = story_of(mini_store)
    pages = present.change_pages(story)
    assert len(pages) > 1 and all(sum(len(items) for _, items in page) <= 3 for page in pages)
    listed = [i.detail for page in pages for _, items in page for i in items]
    major = [i.detail for _, items in story.changes for i in items if i.importance < storyline.MINOR_CHANGE_IMPORTANCE]
    assert listed == major  # nothing lost, nothing repeated, order kept
    deck = present.build_deck(story)
    titles = [s.title for s in deck if s.kind == "changes"]
    assert titles == [f"What changed ({n}/{len(pages)})" for n in range(1, len(pages) + 1)]


def test_map_and_timeline_inline_their_images(mini_store):
    story = story_of(mini_store)
    images = pack_images.BriefingImages(files={"map.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>", "timeline_focus.svg": b"<svg/>"})
    for kind in ("map", "timeline"):
        body = present.slide_body_html(story, present.Slide(kind, kind), images)
        sources = re.findall(r'src="([^"]+)"', body)
        assert len(sources) == 1 and sources[0].startswith("data:image/svg+xml;base64,")
    assert "Rashakai" in present.slide_body_html(story, present.Slide("map", "map"), images)


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
    assert "Source: &lt;script&gt;alert(2)&lt;/script&gt;" in html_out  # the status row's source


def test_presenter_stylesheet_is_fixed_and_hides_the_chrome():
    css = present.PRESENTER_CSS
    for hidden in ('[data-testid="stSidebar"]', '[data-testid="stToolbar"]', '[data-testid="stHeader"]', '[data-testid="stAppDeployButton"]'):
        assert hidden in css
    assert "{" in css and "http" not in css and "url(" not in css and "@import" not in css
