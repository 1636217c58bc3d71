"""Tables in a real chromium: long milestone titles and sources wrap and are shown in full, never cut.

The Overview, Zone and Timeline tables are ``st.table`` (HTML), so each cell's text is in the page;
a cell is read in full when its text is all there, nothing overflows it, and the table itself
needs no sideways scrolling (a column pushed off the table's right edge is cut as surely).
"""

from __future__ import annotations

import time

import pytest
from browsing import READY_TIMEOUT_MS, screenshot

from sez_metrics.core import milestone_tables
from sez_metrics.storage.folder import VersionStore

pytestmark = pytest.mark.browser

TABLE = '[data-testid="stTable"]'

# For each cell containing the text: its text, and whether it or its table overflows (is cut).
_CELL_JS = r"""
(text) => {
  const norm = s => s.replace(/\u2060/g, '').replace(/\s+/g, ' ').trim();  // md_escape's word joiners keep URLs text
  const cells = [...document.querySelectorAll('[data-testid="stTable"] td')].filter(td => norm(td.innerText) === norm(text));
  return cells.map(td => {
    const table = td.closest('[data-testid="stTable"]');
    const scroller = [table, ...table.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1
      && ['auto', 'scroll', 'hidden'].includes(getComputedStyle(e).overflowX));
    const cell = td.getBoundingClientRect(), box = table.getBoundingClientRect();
    return {text: td.innerText, overflows: td.scrollWidth > td.clientWidth + 1, lines: Math.round(cell.height / parseFloat(getComputedStyle(td).lineHeight || 20)),
            insideTable: cell.left >= box.left - 1 && cell.right <= box.right + 1, tableScrolls: scroller.length > 0};
  });
}
"""


@pytest.fixture(scope="module")
def latest(browser_data_dir):
    return VersionStore(browser_data_dir).load().dataset


def _assert_shown_in_full(app_page, text: str, where: str) -> None:
    try:  # a long page's tables are laid out after the run finishes
        app_page.page.wait_for_function(f"(text) => ({_CELL_JS})(text).length > 0", arg=text, timeout=READY_TIMEOUT_MS)
    except Exception as exc:  # Playwright's TimeoutError
        raise AssertionError(f"{where}: no table cell shows the whole text {text!r}") from exc
    # then until the layout has settled: a wide table's columns are sized while its page still
    # renders (two equal measurements 300 ms apart)
    cells, deadline = None, time.monotonic() + READY_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        measured = app_page.page.evaluate(_CELL_JS, text)
        if measured == cells:
            break
        cells = measured
        app_page.page.wait_for_timeout(300)
    for cell in cells:
        assert not cell["overflows"], f"{where}: the cell of {text!r} is cut: {cell}"
        assert cell["insideTable"] and not cell["tableScrolls"], f"{where}: the table must scroll sideways to show {text!r}: {cell}"


def test_the_longest_milestone_title_is_shown_in_full_on_the_timeline(app_page, latest):
    titles = latest.milestones["title"].astype(str)
    longest = max(titles, key=len)
    app_page.open("/timeline")
    app_page.page.locator(TABLE).first.wait_for()
    _assert_shown_in_full(app_page, longest, "timeline")
    cells = app_page.page.evaluate(_CELL_JS, longest)
    assert cells[0]["lines"] >= 2, f"a {len(longest)}-character title should wrap: {cells[0]}"
    screenshot(app_page.page, "timeline-wrapped-table")
    app_page.assert_clean()


def test_overdue_titles_are_shown_in_full_on_the_overview(app_page, latest):
    overdue = milestone_tables.overdue_milestones(latest)
    assert not overdue.empty, "the shipped data has overdue milestones"
    app_page.open("/")
    app_page.page.locator(TABLE).first.wait_for()
    for title in overdue["title"].astype(str).head(10):
        _assert_shown_in_full(app_page, title, "overview")
    app_page.assert_clean()


def test_zone_sources_and_milestones_are_shown_in_full(app_page, latest):
    zone = "rashakai"
    app_page.open(f"/zone?zone={zone}")
    app_page.page.locator(TABLE).first.wait_for()
    source = str(latest.status.set_index("zone_id").loc[zone, "source"])
    _assert_shown_in_full(app_page, source, "zone figures")
    titles = latest.milestones.loc[latest.milestones["zone_id"] == zone, "title"].astype(str)
    _assert_shown_in_full(app_page, max(titles, key=len), "zone milestones")
    app_page.assert_clean()
