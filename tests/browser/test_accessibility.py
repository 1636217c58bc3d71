"""Accessibility in a real chromium, to WCAG 2.2 AA as far as Streamlit allows: axe-core finds no
critical or serious violation on any page or presenter slide."""

from __future__ import annotations

import re

import pytest
from browsing import axe_violations, expect, screenshot, settle

pytestmark = pytest.mark.browser

PAGES = ["/", "/map", "/zone?zone=rashakai", "/timeline", "/changes", "/data"]
SLIDE = '[data-testid="sez-slide"]'


def _name(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "overview"


@pytest.mark.parametrize("path", PAGES, ids=[_name(p) for p in PAGES])
def test_page_has_no_serious_accessibility_violation(app_page, path):
    app_page.open(path)
    settle(app_page.page)
    violations = axe_violations(app_page.page, _name(path))
    assert not violations, f"axe on {path}:\n" + "\n".join(violations)
    app_page.assert_clean()


def test_every_presenter_slide_has_no_serious_accessibility_violation(app_page, slides):
    """Every slide with its control bar, and the set-up popover open on the last one."""
    page = app_page.page
    page.set_viewport_size({"width": 1280, "height": 720})
    found = []
    for number in range(1, slides + 1):
        app_page.open(f"/?present=1&slide={number}")
        expect(page.locator(SLIDE)).to_have_attribute("data-slide", str(number))
        settle(page)
        found += [f"slide {number}: {v}" for v in axe_violations(page, f"present-{number:02d}")]
    screenshot(page, "present/accessibility-last-slide")
    page.get_by_role("button", name=re.compile("Set up")).click()
    expect(page.get_by_test_id("stPopoverBody")).to_be_visible()
    found += [f"set-up popover: {v}" for v in axe_violations(page, "present-setup")]
    assert not found, "axe on presenter mode:\n" + "\n".join(found)
    app_page.assert_clean()
