"""Every page of the dashboard in a real chromium: loads clean, offline, with its charts and as-of stamp."""

from __future__ import annotations

import pytest
from browsing import DECK_CANVAS, PLOTLY_CHART, as_of_stamp, expect, screenshot

from sez_metrics.storage.folder import VersionStore

pytestmark = pytest.mark.browser

# (URL path, screenshot name, chart that must be drawn)
PAGES = [
    ("/", "overview", PLOTLY_CHART),
    ("/map", "map", DECK_CANVAS),
    ("/zone?zone=rashakai", "zone-rashakai", PLOTLY_CHART),
    ("/timeline", "timeline", PLOTLY_CHART),
    ("/changes", "changes", None),
    ("/data", "data", None),
]


@pytest.mark.parametrize(("path", "name", "chart"), PAGES, ids=[name for _, name, _ in PAGES])
def test_page_loads_clean_and_offline(app_page, path, name, chart):
    """The page renders without exception, error box, console error or request leaving the machine."""
    app_page.open(path)
    expect(as_of_stamp(app_page.page)).to_be_visible()
    if chart:
        app_page.expect_visible(chart, "chart visible")
    screenshot(app_page.page, name)
    app_page.assert_clean()


@pytest.mark.parametrize("path", ["/?version=v0001", "/map?version=v0001", "/timeline?version=v0001"])
def test_version_in_url_pins_the_data_shown(app_page, browser_data_dir, path):
    """A shared link with ?version= shows that version's as-of date, not the latest."""
    first = VersionStore(browser_data_dir).versions()[0]
    app_page.open(path)
    stamp = as_of_stamp(app_page.page)
    expect(stamp).to_contain_text(first.as_of)
    expect(stamp).to_contain_text(first.id)
    app_page.assert_clean()


def test_version_picker_pins_the_url(app_page, browser_data_dir):
    """Choosing an older version in the sidebar changes the as-of stamp and puts ?version= in the URL."""
    versions = VersionStore(browser_data_dir).versions()
    first = versions[0]
    page = app_page.page
    app_page.open("/")
    expect(as_of_stamp(page)).to_contain_text(versions[-1].as_of)
    # the sidebar's selects: the language switch and the version picker
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Dataset version").click()
    page.get_by_role("option").filter(has_text=first.id).filter(has_text=first.as_of).click()
    expect(as_of_stamp(page)).to_contain_text(first.as_of)
    expect(page).to_have_url(f"{app_page.base_url}/?version={first.id}")
    expect(page.get_by_test_id("stSidebar").get_by_text(first.label, exact=True)).to_be_visible()  # full label under the picker
    app_page.assert_clean()


def test_a_link_to_an_unknown_version_shows_one_clean_banner(app_page, browser_data_dir):
    """One warning, the id named once, and the latest version shown (it was two banners, one reading
    "version v0099: v0099: no such version; showing the latest intact one")."""
    latest = VersionStore(browser_data_dir).versions()[-1]
    app_page.open("/map?version=v0099")
    banners = app_page.page.get_by_test_id("stAlertContentWarning")
    expect(banners).to_have_count(1)
    text = banners.first.inner_text()
    assert text.count("v0099") == 1 and "There is no version" in text and latest.id in text, text
    expect(as_of_stamp(app_page.page)).to_contain_text(latest.as_of)
    app_page.assert_clean()
