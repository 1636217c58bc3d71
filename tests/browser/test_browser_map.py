"""The map in a real chromium: a click on a zone's marker selects that zone and leads to its profile."""

from __future__ import annotations

import re

import pytest
from browsing import DECK_CANVAS, deck_point, expect, wait_ready

from sez_metrics.store import VersionStore

pytestmark = pytest.mark.browser

ZONE = "rashakai"


@pytest.fixture
def zone_row(browser_data_dir):
    """The clicked zone as the latest version describes it (where it is, what it is called)."""
    zones = VersionStore(browser_data_dir).load().dataset.zones
    return zones.set_index("zone_id").loc[ZONE]


def test_click_on_a_zone_selects_it_and_opens_its_profile(app_page, zone_row):
    """Clicking the zone's marker shows the selection with an "Open profile" link that opens the zone page."""
    page = app_page.page
    app_page.open("/map")
    app_page.expect_visible(DECK_CANVAS, "map canvas visible")
    point = deck_point(page, float(zone_row["longitude"]), float(zone_row["latitude"]), ZONE)
    page.mouse.click(point["x"], point["y"])

    profile_link = page.get_by_role("link", name=re.compile(r"Open (the )?profile", re.IGNORECASE)).first
    expect(profile_link).to_be_visible()
    expect(profile_link).to_contain_text(str(zone_row["short_name"]))
    wait_ready(page, server_log=app_page.server_log)

    profile_link.click()
    expect(page).to_have_url(re.compile(rf"/zone\?(.*&)?zone={ZONE}(&|$)"))
    wait_ready(page, server_log=app_page.server_log)
    expect(page.get_by_role("heading", name=str(zone_row["name"]))).to_be_visible()
    app_page.assert_clean()
