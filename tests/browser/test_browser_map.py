"""The map in a real chromium: a click on a zone's marker selects that zone and leads to its profile."""

from __future__ import annotations

import re
import time

import pytest
from browsing import DECK_CANVAS, SCREENSHOTS, deck_colour, deck_point, expect, screenshot, settle, wait_ready

from sez_metrics.render import mapbasemap, maplabels, maplayers, mapmarkers, mappoints, mapview
from sez_metrics.storage.folder import VersionStore

pytestmark = pytest.mark.browser

ZONE = "rashakai"
# A click's rerun took up to 8 s on a busy machine (0.6 s when idle).
CLICK_EFFECT_TIMEOUT_S = 15


@pytest.fixture
def zone_row(browser_data_dir):
    """The clicked zone as the latest version describes it (where it is, what it is called)."""
    zones = VersionStore(browser_data_dir).load().dataset.zones
    return zones.set_index("zone_id").loc[ZONE]


def select_on_map(app_page, lon: float, lat: float, zone_id: str, attempts: int = 3) -> None:
    """Click the zone's marker until the page takes the selection (the URL names the zone).

    The point is computed from the map as drawn just before each click. A click can land in a
    rerun that redraws the page (a server's first request reruns once), so it is retried, as a
    person would; the attempts needed are recorded in the page timings.
    """
    page = app_page.page
    selected = re.compile(rf"[?&]zone={re.escape(zone_id)}(&|$)")
    for attempt in range(1, attempts + 1):
        point = deck_point(page, lon, lat, zone_id)
        started = time.perf_counter()
        page.mouse.click(point["x"], point["y"])
        while not selected.search(page.url) and time.perf_counter() - started < CLICK_EFFECT_TIMEOUT_S:
            page.wait_for_timeout(100)  # polling the URL the selection writes
        if not selected.search(page.url):
            continue
        app_page.timings.append(
            (app_page.path, f"click → selection (attempt {attempt})", time.perf_counter() - started)
        )
        return
    raise AssertionError(f"{attempts} clicks on {zone_id} at the map never selected it")


def test_click_on_a_zone_selects_it_and_opens_its_profile(app_page, zone_row):
    """Clicking the zone's marker shows the selection with an "Open profile" link that opens the zone page."""
    page = app_page.page
    app_page.open("/map")
    app_page.expect_visible(DECK_CANVAS, "map canvas visible")
    select_on_map(app_page, float(zone_row["longitude"]), float(zone_row["latitude"]), ZONE)

    profile_link = page.get_by_role("link", name=re.compile(r"Open (the )?profile", re.IGNORECASE)).first
    expect(profile_link).to_be_visible()
    expect(profile_link).to_contain_text(str(zone_row["short_name"]))
    wait_ready(page, server_log=app_page.server_log)
    page.mouse.move(0, 0)  # no hover tooltip over the map in the screenshot
    screenshot(page, "map-zone-selected")

    profile_link.click()
    expect(page).to_have_url(re.compile(rf"/zone\?(.*&)?zone={ZONE}(&|$)"))
    wait_ready(page, server_log=app_page.server_log)
    expect(page.get_by_role("heading", name=str(zone_row["name"]))).to_be_visible()
    app_page.assert_clean()


def test_the_offline_basemap_is_drawn_under_the_zones(app_page, zone_row):
    """The province image lines up with the map: its fill inside the country, the page white outside it."""
    page = app_page.page
    app_page.open("/map")
    app_page.expect_visible(DECK_CANVAS, "map canvas visible")
    deck_point(page, float(zone_row["longitude"]), float(zone_row["latitude"]), ZONE)  # layers set up
    page.mouse.move(0, 0)  # no tooltip over the map
    inside, outside = (63.6, 28.2), (62.2, 33.6)  # western Balochistan (no zone or label there); Afghanistan
    deadline = time.monotonic() + CLICK_EFFECT_TIMEOUT_S
    while True:  # the image decodes asynchronously after the layers are set up
        colours = deck_colour(page, *inside), deck_colour(page, *outside)
        drawn = all(abs(a - b) <= 6 for a, b in zip(colours[0], mapbasemap.BASEMAP_FILL, strict=True))
        if drawn or time.monotonic() > deadline:
            break
        page.wait_for_timeout(200)  # polling the drawn map
    screenshot(page, "map-basemap")
    assert drawn, f"inside Balochistan the map shows {colours[0]}, not the basemap fill {mapbasemap.BASEMAP_FILL}"
    assert colours[1] == (255, 255, 255), f"outside the country the map shows {colours[1]}"
    app_page.assert_clean()


CARD = ".st-key-zone_card"  # pages/map.py CARD_KEY
MAP_SCREENSHOT = SCREENSHOTS / "map-1440x900.png"


def test_the_selected_zone_card_is_beside_the_map_without_scrolling(app_page, zone_row):
    """At 1440 × 900 a zone chosen by the URL shows its card to the right of the map, wholly on screen,
    and the map is drawn at least as large as the view its labels were placed in."""
    page = app_page.page
    assert page.viewport_size == {"width": 1440, "height": 900}
    app_page.open(f"/map?zone={ZONE}")
    app_page.expect_visible(DECK_CANVAS, "map canvas visible")
    deck_point(page, float(zone_row["longitude"]), float(zone_row["latitude"]), ZONE)  # layers drawn
    settle(page)
    page.mouse.move(0, 0)  # no hover tooltip over the map in the screenshot
    MAP_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(MAP_SCREENSHOT))  # the screen as a person sees it, unscrolled

    canvas = page.locator(DECK_CANVAS).first.bounding_box()
    card = page.locator(CARD)
    expect(card).to_contain_text(str(zone_row["name"]))
    box = card.bounding_box()
    assert box["x"] >= canvas["x"] + canvas["width"], f"the card {box} is not beside the map {canvas}"
    assert box["y"] < canvas["y"] + canvas["height"], f"the card {box} starts below the map {canvas}"
    assert box["y"] >= 0 and box["y"] + box["height"] <= 900 and box["x"] + box["width"] <= 1440, f"the card {box} is off screen"
    for figure in ("Stage:", "Gas:", "Electricity:", "Colonization:"):
        expect(card.get_by_text(figure)).to_be_in_viewport(ratio=1)
    expect(card.get_by_role("link", name=re.compile("Open (the )?profile"))).to_be_in_viewport(ratio=1)
    # the map as large as the view the labels were fitted to (else a label could be cut at its edge)
    assert canvas["width"] >= mapview.VIEW_WIDTH_PX and canvas["height"] >= mapview.VIEW_HEIGHT_PX, canvas
    assert canvas["y"] + mapview.VIEW_HEIGHT_PX <= 900, f"the map {canvas} runs below the screen"
    app_page.assert_clean()


_MEASURE_TEXT_JS = """
([font, texts]) => {
  const context = document.createElement('canvas').getContext('2d');
  context.font = font;
  return texts.map(t => context.measureText(t).width);
}
"""


def test_label_widths_are_estimated_no_narrower_than_the_browser_draws_them(app_page, browser_data_dir):
    """The width the labels are placed with covers the width chromium draws them in (the map's font and weight)."""
    page = app_page.page
    app_page.open("/map")
    app_page.expect_visible(DECK_CANVAS, "map canvas visible")
    dataset = VersionStore(browser_data_dir).load().dataset
    texts = sorted({p["label"] for code in mapmarkers.MEASURES
                    for p in mappoints.zone_points(dataset.zones, dataset.status, mapmarkers.MEASURES[code])})
    font = f"600 {maplayers.LABEL_SIZE_PX}px {mapview.LABEL_FONT.strip(chr(34))}"
    drawn = page.evaluate(_MEASURE_TEXT_JS, [font, texts])
    for text, width in zip(texts, drawn, strict=True):
        estimate = maplabels.text_width_px(text, maplayers.LABEL_SIZE_PX, bold=True)
        assert estimate >= width - 0.5, f"{text!r}: drawn {width:.1f} px wide, estimated {estimate:.1f}"
