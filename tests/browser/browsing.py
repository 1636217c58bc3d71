"""Helpers for driving the dashboard in a real browser: readiness, clean-page checks, screenshots, map clicks.

Streamlit renders asynchronously: a page is ready when the app reports its script run finished
(``data-test-script-state="notRunning"``, Streamlit's own e2e convention) and no spinner is left.
Charts then draw in the browser, so tests wait for the chart element they need, never a fixed time.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # playwright is imported lazily so a machine without it can still collect (and skip)
    from playwright.sync_api import ConsoleMessage, Locator, Page, Request, Route

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Generous: chromium draws WebGL in software on CI machines without a GPU.
READY_TIMEOUT_MS = 45_000

APP = '[data-testid="stApp"]'
EXCEPTION_BOX = '[data-testid="stException"]'
# st.error renders <div data-testid="stAlertContainer"><div data-testid="stAlertContentError">…
ERROR_ALERT = '[data-testid="stAlertContentError"]'
PLOTLY_CHART = '[data-testid="stPlotlyChart"]'
DECK_CANVAS = '[data-testid="stDeckGlJsonChart"] canvas'

# A deep link to a non-default page makes the frontend probe ``/<page>/_stcore/{health,host-config}``
# before it finds the server root: two 404s Streamlit itself causes, harmless (see stack_facts).
_HARMLESS_404 = re.compile(r"^https?://[^/]+/[a-z0-9_-]+/_stcore/(health|host-config)$")


def expect(target: Page | Locator):
    """Playwright's ``expect`` (auto-retrying assertions, up to the ready timeout), imported on first use."""
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=READY_TIMEOUT_MS)
    return playwright_expect(target)


def is_local(url: str) -> bool:
    """True for requests that stay on this machine (or never leave the page: data:, blob:)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


@dataclass
class AppPage:
    """A browser tab on the dashboard that records console errors, page errors and non-local requests."""

    page: Page
    base_url: str
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    timings: list[tuple[str, str, float]] = field(default_factory=list)
    opened_at: float = 0.0
    server_log: Path | None = None

    def attach(self) -> AppPage:
        """Start recording; requests to any host but this machine are aborted and recorded."""
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc}"))
        self.page.on("websocket", lambda ws: None if is_local(ws.url) else self.foreign_requests.append(ws.url))
        self.page.route("**/*", self._route)
        return self

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "") if message.location else ""
        if message.text.startswith(
            "Failed to load resource: the server responded with a status of 404"
        ) and _HARMLESS_404.match(where):
            return
        self.console_errors.append(f"{message.text} @ {where}")

    def _route(self, route: Route, request: Request) -> None:
        self.requests.append(request.url)
        if is_local(request.url):
            route.continue_()
        else:
            self.foreign_requests.append(request.url)
            route.abort("blockedbyclient")

    def open(self, path: str) -> float:
        """Navigate to ``path`` (``/map?zone=x``) and wait until the page is ready; return seconds taken."""
        self.opened_at = time.perf_counter()
        self.page.goto(self.base_url + path)
        wait_ready(self.page, server_log=self.server_log)
        seconds = time.perf_counter() - self.opened_at
        self.timings.append((path, "ready", seconds))
        return seconds

    def wait_ready(self) -> None:
        """Wait for the current run to finish (after a click), failing on exception or error boxes."""
        wait_ready(self.page, server_log=self.server_log)

    def expect_visible(self, selector: str, what: str) -> float:
        """Wait until the first element matching ``selector`` is visible; record seconds since navigation."""
        expect(self.page.locator(selector).first).to_be_visible(timeout=READY_TIMEOUT_MS)
        seconds = time.perf_counter() - self.opened_at
        self.timings.append((self.path, what, seconds))
        return seconds

    @property
    def path(self) -> str:
        """The current URL without scheme and host (what a person would type after the server)."""
        return self.page.url.removeprefix(self.base_url) or "/"

    def assert_clean(self) -> None:
        """No console error, no request that left the machine, no exception or error box on the page."""
        assert_no_error_boxes(self.page, self.server_log)
        assert not self.foreign_requests, f"requests left the machine: {self.foreign_requests}"
        assert not self.console_errors, "console errors:\n" + "\n".join(self.console_errors)


# WCAG 2.0, 2.1 and 2.2 at levels A and AA: what the dashboard is held to.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_FAILING_IMPACTS = ("critical", "serious")
# Violations inside Streamlit's own widgets that the app cannot fix: (rule id, CSS selector of the
# element, why). Each is left out of the check for that rule and those elements only.
AXE_EXEMPT: list[tuple[str, str, str]] = []

_MATCHES_JS = "([target, selector]) => { const e = document.querySelector(target); return !!e && e.matches(selector); }"


def axe_violations(page: Page, name: str) -> list[str]:
    """Run axe-core (bundled with axe-playwright-python, nothing fetched) on the page as it is now.

    Returns one line per critical or serious violation and element, minus the ``AXE_EXEMPT`` ones;
    the full result goes to test-artifacts/axe/<name>.json.
    """
    import json

    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    result = Axe().run(page, options=options).response
    folder = ARTIFACTS / "axe"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(result["violations"], indent=1))
    found = []
    for violation in result["violations"]:
        if violation["impact"] not in AXE_FAILING_IMPACTS:
            continue
        exempt = [selector for rule, selector, _ in AXE_EXEMPT if rule == violation["id"]]
        for node in violation["nodes"]:
            target = node["target"][0] if len(node["target"]) == 1 else None  # elements inside an iframe: never exempt
            if target and any(page.evaluate(_MATCHES_JS, [target, selector]) for selector in exempt):
                continue
            why = " ".join(node.get("failureSummary", "").split())
            found.append(f"{violation['id']} ({violation['impact']}) at {node['target']}: {node['html'][:160]} — {why}")
    return found


def sidebar_navigation(page: Page) -> Locator:
    """The page links Streamlit draws at the top of the sidebar."""
    return page.get_by_test_id("stSidebarNav")


def as_of_stamp(page: Page) -> Locator:
    """The "Data as of DATE · version LABEL (ID)" caption every page shows."""
    return page.get_by_test_id("stCaptionContainer").filter(has_text="Data as of").first


# Ready = the app is connected, its script is not running and no spinner shows, continuously for
# a short window: a script that calls st.rerun() passes through "notRunning" for an instant.
_IDLE_JS = """
(windowMs) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const idle = app && app.dataset.testConnectionState === 'CONNECTED'
    && app.dataset.testScriptState === 'notRunning' && !document.querySelector('[data-testid="stSpinner"]');
  const now = performance.now();
  if (!idle) { window.__sezIdleSince = null; return false; }
  if (window.__sezIdleSince == null) window.__sezIdleSince = now;
  return now - window.__sezIdleSince >= windowMs;
}
"""
IDLE_WINDOW_MS = 500


def wait_ready(page: Page, timeout_ms: int = READY_TIMEOUT_MS, server_log: Path | None = None) -> None:
    """Wait until the script run finished and no spinner shows; then fail on any exception or error box.

    ``server_log``: the server's output, whose last traceback explains an exception box (the page
    itself shows a redacted message).
    """
    page.evaluate("() => { window.__sezIdleSince = null; }")
    page.wait_for_function(_IDLE_JS, arg=IDLE_WINDOW_MS, polling=50, timeout=timeout_ms)
    assert_no_error_boxes(page, server_log)


def last_traceback(server_log: Path | None) -> str:
    """The last Python traceback the server logged, or an empty string."""
    if server_log is None or not server_log.exists():
        return ""
    text = server_log.read_text(errors="replace")
    start = text.rfind("Traceback (most recent call last):")
    return "" if start < 0 else "\n".join(text[start:].splitlines()[:60])


def assert_no_error_boxes(page: Page, server_log: Path | None = None) -> None:
    """The page shows no Streamlit exception box and no st.error alert."""
    exceptions = page.locator(EXCEPTION_BOX)
    if exceptions.count():
        raise AssertionError(f"Streamlit exception on {page.url}; server log says:\n{last_traceback(server_log)}")
    errors = page.locator(ERROR_ALERT)
    assert errors.count() == 0, f"error box on {page.url}: {errors.first.inner_text()}"


_CONTENT_HEIGHT_JS = """
() => {
  const boxes = [document.scrollingElement, ...document.querySelectorAll(
    '[data-testid="stMain"], [data-testid="stAppViewContainer"], [data-testid="stSidebarContent"]')];
  return Math.ceil(Math.max(...boxes.filter(Boolean).map(e => e.scrollHeight)));
}
"""

# Resolves once the layout (page height, chart sizes) has not changed for a few animation frames:
# charts re-lay themselves out after a viewport change.
_SETTLE_JS = """
() => new Promise(resolve => {
  const signature = () => [document.documentElement.scrollHeight,
    ...[...document.querySelectorAll('[data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"] canvas')]
      .map(e => { const r = e.getBoundingClientRect(); return `${r.width}x${r.height}`; })].join('|');
  let last = signature(), stable = 0, frames = 0;
  const tick = () => {
    const now = signature();
    stable = now === last ? stable + 1 : 0;
    last = now;
    if (stable >= 6 || ++frames > 180) resolve(stable >= 6); else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})
"""


def settle(page: Page) -> None:
    """Wait until chart sizes and page height stop changing (a few animation frames)."""
    page.evaluate(_SETTLE_JS)


# Texts cut short with an ellipsis: an element that clips its text (text-overflow: ellipsis) and
# whose text is wider than its box. ``roots`` are CSS selectors of where to look.
_CUT_TEXTS_JS = r"""
(roots) => [...new Set(roots.flatMap(sel => [...document.querySelectorAll(sel)]))]
  .flatMap(root => [root, ...root.querySelectorAll('*')])
  .filter(e => e.textContent.trim() && e.checkVisibility() && getComputedStyle(e).textOverflow === 'ellipsis'
               && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.textContent.trim().slice(0, 60))
"""


def cut_texts(page: Page, roots: tuple[str, ...] = ('[data-testid="stMain"]', '[data-testid="stSidebar"]')) -> list[str]:
    """The texts under ``roots`` that the page shows cut short with an ellipsis ("2（共…")."""
    return sorted(set(page.evaluate(_CUT_TEXTS_JS, list(roots))))


def screenshot(page: Page, name: str) -> Path:
    """Save a screenshot of the whole page under test-artifacts/screenshots/<name>.png.

    Streamlit scrolls inside an inner container, so a full-page screenshot alone would show only
    the viewport: the viewport is first made as tall as the content.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or {"width": 1440, "height": 900}
    for _ in range(5):
        height = page.evaluate(_CONTENT_HEIGHT_JS)
        if height == size["height"]:
            break
        size = {"width": size["width"], "height": max(height, 600)}
        page.set_viewport_size(size)
        settle(page)
    settle(page)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# deck.gl keeps its Deck instance in a React ref of the DeckGL component; walking up the React fiber
# tree from the canvas reaches it, and its viewport projects [lon, lat] to canvas pixels exactly as
# drawn (whatever view the page chose). The pick check makes sure the zone's layer is drawn there.
_DECK_POINT_JS = """
([lon, lat, zoneId]) => {
  const canvas = document.querySelector('[data-testid="stDeckGlJsonChart"] canvas');
  if (!canvas) return {error: 'no deck.gl canvas'};
  const isDeck = d => d && typeof d.getViewports === 'function' && typeof d.pickMultipleObjects === 'function';
  let deck = null;
  for (let el = canvas; el && !deck; el = el.parentElement) {
    const key = Object.keys(el).find(k => k.startsWith('__reactFiber$'));
    if (!key) continue;
    for (let f = el[key]; f && !deck; f = f.return) {
      const found = [];
      if (f.ref && f.ref.current) found.push(f.ref.current.deck);
      for (let h = f.memoizedState; h && typeof h === 'object' && 'next' in h; h = h.next) {
        const s = h.memoizedState;
        if (s && typeof s === 'object' && s.current) found.push(s.current.deck);
      }
      deck = found.find(isDeck) || null;
    }
  }
  if (!deck) return {error: 'deck.gl instance not reachable from the canvas'};
  const viewport = deck.getViewports()[0];
  if (!viewport || !viewport.width) return {error: 'deck.gl viewport not laid out yet'};
  const [x, y] = viewport.project([lon, lat]);
  const zoneOf = o => o && (o.zone_id || (o.properties && o.properties.zone_id));
  let picked;
  try {
    picked = deck.pickMultipleObjects({x, y, radius: 2, depth: 10}).map(p => zoneOf(p.object)).filter(Boolean);
  } catch (e) {  // deck.gl asserts while it is still setting up its layers: not pickable yet
    return {error: String(e)};
  }
  const box = canvas.getBoundingClientRect();
  const px = box.left + x, py = box.top + y;
  return {x: px, y: py, inside: x >= 0 && y >= 0 && x <= box.width && y <= box.height
            && px >= 0 && py >= 0 && px <= window.innerWidth && py <= window.innerHeight,
          picked, hit: picked.length > 0 && picked[0] === zoneId};
}
"""


def deck_point(page: Page, lon: float, lat: float, zone_id: str, timeout_s: float = 30.0) -> dict:
    """The page pixel where the map draws ``zone_id`` at (lon, lat), once it is pickable there."""
    page.locator(DECK_CANVAS).first.scroll_into_view_if_needed()
    deadline = time.monotonic() + timeout_s
    point: dict = {}
    while time.monotonic() < deadline:
        point = page.evaluate(_DECK_POINT_JS, [lon, lat, zone_id])
        if point.get("hit") and point.get("inside"):
            return point
        page.wait_for_timeout(100)  # polling: layers load and draw asynchronously
    raise AssertionError(f"zone {zone_id!r} never became clickable on the map: {point}")


def deck_colour(page: Page, lon: float, lat: float) -> tuple[int, int, int]:
    """The colour the page shows where the map projects (lon, lat): the map as a person sees it."""
    from PIL import Image  # only the browser tests need it

    point = page.evaluate(_DECK_POINT_JS, [lon, lat, ""])
    if "x" not in point or not point["inside"]:
        raise AssertionError(f"({lon}, {lat}) is not on the visible map: {point}")
    shot = page.screenshot(clip={"x": point["x"] - 1, "y": point["y"] - 1, "width": 3, "height": 3})
    return Image.open(io.BytesIO(shot)).convert("RGB").getpixel((1, 1))


def stop_server(process: subprocess.Popen, term_grace_s: float = 10, kill_grace_s: float = 5) -> None:
    """Stop a server started with ``start_new_session=True`` and everything it started (its own
    process group): SIGTERM, then SIGKILL if it is still there after ``term_grace_s``.

    (A server run under strace needs a longer grace: strace ignores SIGTERM while it traces and
    exits with the server.)"""
    for sig, grace in ((signal.SIGTERM, term_grace_s), (signal.SIGKILL, kill_grace_s)):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue
