"""Presenter mode in a real chromium at projector sizes: every slide fits the screen, shows no app
chrome, carries the as-of stamp, and steps with the keyboard. Screenshots of every slide at
1920×1080 and 1280×720 go to test-artifacts/screenshots/present/ (look at them)."""

from __future__ import annotations

import re

import pytest
from browsing import SCREENSHOTS, expect, settle

from sez_metrics.storage.folder import VersionStore

pytestmark = pytest.mark.browser

SCREENS = [(1920, 1080), (1280, 720)]
SLIDE = '[data-testid="sez-slide"]'
NAV = ".st-key-sez_present_nav"
CHROME = ['[data-testid="stSidebar"]', '[data-testid="stHeader"]', '[data-testid="stToolbar"]',
          '[data-testid="stAppDeployButton"]', '[data-testid="stMainMenu"]', '[data-testid="stSidebarCollapsedControl"]']

_GEOMETRY_JS = """
() => {
  const slide = document.querySelector('[data-testid="sez-slide"]').getBoundingClientRect();
  const stamp = document.querySelector('[data-testid="sez-as-of-stamp"]').getBoundingClientRect();
  const nav = document.querySelector('.st-key-sez_present_nav').getBoundingClientRect();
  const scrollers = [document.scrollingElement, ...document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"]')];
  const overflow = Math.max(...scrollers.filter(Boolean).map(e => e.scrollHeight - e.clientHeight));
  const images = [...document.querySelectorAll('[data-testid="sez-slide"] img')].map(i => ({w: i.naturalWidth, shown: i.getBoundingClientRect().width}));
  return {slideBottom: slide.bottom, slideRight: slide.right, stampTop: stamp.top, stampRight: stamp.right,
          navTop: nav.top, navLeft: nav.left, overflow, images, width: innerWidth, height: innerHeight};
}
"""


@pytest.mark.parametrize(("width", "height"), SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_every_slide_fits_the_screen_without_chrome(app_page, browser_data_dir, slides, width, height):
    page = app_page.page
    page.set_viewport_size({"width": width, "height": height})
    latest = VersionStore(browser_data_dir).versions()[-1]
    folder = SCREENSHOTS / "present"
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(1, slides + 1):
        app_page.open(f"/?present=1&slide={number}")
        slide = page.locator(SLIDE)
        expect(slide).to_be_visible()
        expect(slide).to_have_attribute("data-slide", str(number))
        kind = slide.get_attribute("data-kind")
        if kind in ("map", "timeline"):
            expect(slide.locator("img")).to_be_visible()
        settle(page)
        page.screenshot(path=str(folder / f"{width}x{height}-{number:02d}-{kind}.png"))
        for chrome in CHROME:
            assert not page.locator(chrome).first.is_visible(), f"{chrome} shows on slide {number}"
        stamp = page.get_by_test_id("sez-as-of-stamp")
        expect(stamp).to_contain_text(f"As of {latest.as_of}")
        expect(stamp).to_contain_text(f"({latest.id})")
        box = page.evaluate(_GEOMETRY_JS)
        where = f"slide {number} ({kind}) at {width}x{height}"
        assert box["overflow"] <= 2, f"{where} scrolls by {box['overflow']} px"
        assert box["stampTop"] >= 0 and box["stampRight"] <= width, f"{where}: the stamp is off screen"
        assert box["slideRight"] <= width + 1, f"{where} is wider than the screen"
        # The controls float in the bottom right corner: the slide must end above them.
        assert box["slideBottom"] <= box["navTop"] + 2, f"{where} runs under the controls"
        for image in box["images"]:
            assert image["shown"] >= width * 0.35, f"{where}: figure shown only {image['shown']} px wide"
    app_page.assert_clean()


def test_keyboard_and_controls_step_through_slides(app_page):
    page = app_page.page
    page.set_viewport_size({"width": 1280, "height": 720})
    app_page.open("/?present=1&slide=3")
    expect(page.locator(SLIDE)).to_have_attribute("data-slide", "3")
    page.keyboard.press("ArrowRight")
    expect(page.locator(SLIDE)).to_have_attribute("data-slide", "4")
    expect(page).to_have_url(re.compile(r"[?&]slide=4(&|$)"))
    page.keyboard.press("PageDown")  # what a presentation clicker sends
    expect(page.locator(SLIDE)).to_have_attribute("data-slide", "5")
    page.keyboard.press("ArrowLeft")
    expect(page.locator(SLIDE)).to_have_attribute("data-slide", "4")
    page.get_by_role("button", name=re.compile("Next")).click()
    expect(page.locator(SLIDE)).to_have_attribute("data-slide", "5")
    # A reload lands on the same slide with the same pinned version.
    page.reload()
    expect(page.locator(SLIDE)).to_have_attribute("data-slide", "5")
    expect(page).to_have_url(re.compile(r"[?&]version=v\d{4}"))
    app_page.assert_clean()


def test_exit_brings_the_dashboard_back(app_page):
    page = app_page.page
    app_page.open("/?present=1&slide=2")
    page.get_by_role("button", name=re.compile("Exit")).click()
    expect(page.get_by_test_id("stSidebar")).to_be_visible()
    expect(page.locator(SLIDE)).to_have_count(0)
    app_page.assert_clean()


@pytest.mark.parametrize(("label", "magic"), [("PDF", b"%PDF-"), ("HTML", b"<!DOCTYPE html>")])
def test_the_pack_downloads_from_the_overview(app_page, browser_data_dir, tmp_path, label, magic):
    """The sidebar button makes the pack on demand (deferred download) and the browser receives it."""
    latest = VersionStore(browser_data_dir).versions()[-1]
    page = app_page.page
    app_page.open("/")
    button = page.get_by_test_id("stSidebar").get_by_role("button", name=re.compile(f"Briefing pack \\({label}"))
    with page.expect_download(timeout=120_000) as download:
        button.click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.name == f"sez-briefing-{latest.id}.{label.lower()}"
    assert target.read_bytes().startswith(magic)
    app_page.assert_clean()
