"""Presenter mode in a real chromium: it steps with the keyboard and the controls, leaves for the dashboard,
and hands out the pack. (Every slide at projector sizes, in every language: test_present_languages.py.)"""

from __future__ import annotations

import re

import pytest
from browsing import expect

from sez_metrics.storage.folder import VersionStore

pytestmark = pytest.mark.browser

SLIDE = '[data-testid="sez-slide"]'
# Every slide fits the screen at 1920×1080 and 1280×720, in every language, with its stamp and no
# app chrome: test_present_languages.py (one pass through the deck per language).


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
