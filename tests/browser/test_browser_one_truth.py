"""One truth on every screen, in a real chromium: a zone without land reads "not applicable" on the
Overview, its profile and its slide; days late are counted to the data's as-of date until today is
chosen in the sidebar, which carries to the other pages. Takes the screenshots of docs/screenshots
(into test-artifacts/; ``SEZ_UPDATE_DOCS_SCREENSHOTS=1`` copies them into docs/screenshots)."""

from __future__ import annotations

import os
import shutil

import pytest
from browsing import PLOTLY_CHART, REPO, AppPage, expect, screenshot
from support.stores import variant_store

from sez_metrics.core import vocabulary
from sez_metrics.storage.folder import VersionStore

pytestmark = pytest.mark.browser

DOCS = REPO / "docs" / "screenshots"
NA = vocabulary.NOT_APPLICABLE


@pytest.fixture(scope="module")
def na_store(tmp_path_factory):
    """The mini store with Mirpur (identified, colonization empty) made a priority zone: it gets a card."""
    return variant_store(tmp_path_factory.mktemp("na") / "store", [
        ("v1", "Before JCC-10", "2021-09-15", {}),
        ("v2", "Before JCC-11", "2022-10-15", {"zones.csv": [("Govt of AJK,CPEC,false", "Govt of AJK,CPEC,true")]}),
    ])


def test_not_applicable_on_every_page_and_slide(browser, serve, na_store):
    with serve(na_store, "not-applicable") as dashboard:
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        try:
            app = AppPage(context.new_page(), dashboard.base_url, server_log=dashboard.log_path).attach()
            page = app.page
            app.open("/")
            expect(page.get_by_text(f"Colonization: {NA}")).to_be_visible()
            expect(page.get_by_text("median of 2 zones with land").first).to_be_visible()
            expect(page.get_by_text("Colonization 0 %")).to_have_count(0)
            app.open("/zone?zone=mirpur")
            expect(page.get_by_text(NA).first).to_be_visible()
            app.open("/?present=1&slide=5")  # overview, map, Rashakai, AIIC, Mirpur
            slide = page.get_by_test_id("stHtml").filter(has_text="Mirpur")
            expect(slide.get_by_text(NA)).to_be_visible()
            app.assert_clean()
        finally:
            context.close()


def test_today_is_one_choice_that_every_page_follows(app_page, browser_data_dir):
    """The sidebar's choice writes to=today and the next page counts to today too."""
    as_of = VersionStore(browser_data_dir).latest().as_of
    page = app_page.page
    app_page.open("/timeline")
    expect(page.get_by_text(f"days late at the data's as-of date {as_of}").first).to_be_visible()
    expect(page.locator(PLOTLY_CHART).first).to_be_visible()
    page.get_by_test_id("stSidebar").get_by_text("Today (").click()
    app_page.wait_ready()
    assert "to=today" in page.url
    expect(page.get_by_text("days late at today").first).to_be_visible()
    page.get_by_test_id("stSidebar").get_by_role("link", name="Overview").click()
    app_page.wait_ready()
    expect(page.get_by_text("Due before today").first).to_be_visible()
    app_page.assert_clean()


@pytest.mark.parametrize(("path", "name"), [("/", "overview"), ("/zone?zone=rashakai", "zone"), ("/changes", "changes"),
                                                 ("/zone?zone=mohmand", "zone-mohmand"), ("/zone?zone=aiic", "zone-aiic")])
def test_screenshots_for_the_docs(app_page, path, name):
    app_page.open(path)
    if name != "changes":
        app_page.expect_visible(PLOTLY_CHART, "chart visible")
    saved = screenshot(app_page.page, f"one-truth-{name}")
    if os.environ.get("SEZ_UPDATE_DOCS_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(saved, DOCS / f"one-truth-{name}.png")
    app_page.assert_clean()
