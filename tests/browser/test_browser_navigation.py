"""Navigation in a real chromium: the app's own page list on every page, even on a server's first request."""

from __future__ import annotations

import re

import pytest
from browsing import expect, sidebar_navigation

pytestmark = pytest.mark.browser

# The titles app.py gives its pages and their URL paths; Streamlit's fallback for a pages/ folder
# would list file names instead.
PAGE_LINKS = {
    "Overview": "",
    "Map": "map",
    "Zone profile": "zone",
    "Timeline": "timeline",
    "Changes": "changes",
    "Data": "data",
}
PAGE_TITLES = list(PAGE_LINKS)


def assert_app_navigation(page) -> None:
    navigation = sidebar_navigation(page)
    for title in PAGE_TITLES:
        expect(navigation.get_by_role("link", name=title)).to_be_visible()
    expect(navigation.get_by_role("link", name="app", exact=True)).to_have_count(0)


@pytest.mark.parametrize("path", ["/timeline?zone=rashakai", "/map"])
def test_deep_link_as_first_request_gets_the_apps_navigation(fresh_app_page, path):
    """A shared link opened right after the server starts shows the app's pages and wide layout."""
    fresh_app_page.open(path)
    assert_app_navigation(fresh_app_page.page)
    expect(fresh_app_page.page.locator(".stApp.streamlit-wide")).to_have_count(1)
    # and the server stays that way for the next visitor
    fresh_app_page.open("/changes")
    assert_app_navigation(fresh_app_page.page)
    fresh_app_page.assert_clean()


def test_sidebar_links_open_each_page(app_page):
    """Each navigation link opens its page with the page's own title."""
    page = app_page.page
    app_page.open("/")
    for title, url_path in [*list(PAGE_LINKS.items())[1:], ("Overview", "")]:
        sidebar_navigation(page).get_by_role("link", name=title).click()
        expect(page).to_have_url(re.compile(rf"^{re.escape(app_page.base_url)}/{url_path}(\?.*)?$"))
        app_page.wait_ready()
    app_page.assert_clean()
