"""Presenter slides read from the back of the room, in English, Chinese and Urdu: every slide at
1920×1080 and 1280×720 in a real chromium, measured, not judged by eye.

For each language the deck is stepped through once (one page, the keyboard's →) and every slide is
measured at both sizes: no error box, no console error, no request leaving the machine; no text on
the slide or its controls drawn smaller than 18 px (HTML text by its computed size; the map
picture's SVG text by its size times the picture's scale); the language's script on the slide;
right to left for Urdu; the slide fits the screen above its controls; and it is at least half full
(the union of its content boxes against the slide box: its width, from its top to the controls). Screenshots of every slide go to
test-artifacts/screenshots/present-lang/<lang>-<version>-<size>-<NN>-<kind>.png: look at them.
"""

from __future__ import annotations

import re

import pytest
from browsing import SCREENSHOTS, cut_texts, expect, settle

from sez_metrics.core import i18n
from sez_metrics.storage.folder import VersionStore

pytestmark = pytest.mark.browser

SIZES = [(1920, 1080), (1280, 720)]
SMALLEST_PX = 18
LEAST_FILLED = 0.5
SLIDE = '[data-testid="sez-slide"]'
SCRIPT = {"zh": re.compile(r"[\u4e00-\u9fff]"), "ur": re.compile(r"[\u0600-\u06ff]")}
CHROME = ['[data-testid="stSidebar"]', '[data-testid="stHeader"]', '[data-testid="stToolbar"]', '[data-testid="stMainMenu"]']

# Every visible text on the slide and its controls, with the size it is drawn at.
_MEASURE_JS = r"""
() => {
  const roots = [document.querySelector('[data-testid="sez-slide"]'), document.querySelector('.st-key-sez_present_nav'),
                 document.querySelector('[data-testid="stPopoverBody"]')].filter(Boolean);
  const texts = [];
  const seen = (r) => r.width > 0.5 && r.height > 0.5 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
  for (const root of roots) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const el = node.parentElement;
      if (!el || !el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
      const range = document.createRange(); range.selectNodeContents(node);
      const box = range.getBoundingClientRect();
      if (!seen(box)) continue;
      let size = parseFloat(getComputedStyle(el).fontSize);
      const svg = el.closest('svg');
      if (svg && el.getScreenCTM) { const m = el.getScreenCTM(); size *= Math.hypot(m.a, m.b); }
      texts.push({size, text: node.textContent.trim().slice(0, 40), where: el.tagName.toLowerCase() + '.' + (el.className.baseVal ?? el.className)});
    }
  }
  // Pictures: an SVG picture's text, at the picture's scale.
  for (const img of document.querySelectorAll('[data-testid="sez-slide"] img')) {
    if (!img.src.startsWith('data:image/svg+xml;base64,')) continue;
    const doc = new DOMParser().parseFromString(atob(img.src.split(',')[1]), 'image/svg+xml');
    const svg = doc.documentElement;
    const scale = img.getBoundingClientRect().height / parseFloat(svg.getAttribute('height'));
    for (const t of doc.querySelectorAll('text')) {
      if (!t.textContent.trim()) continue;
      const match = /font-size:\s*([\d.]+)px/.exec(t.getAttribute('style') || '') || [null, t.getAttribute('font-size')];
      texts.push({size: parseFloat(match[1]) * scale, text: t.textContent.trim().slice(0, 40), where: 'picture text'});
    }
  }
  const slide = document.querySelector('[data-testid="sez-slide"]');
  const bar = slide.getBoundingClientRect();
  const nav = document.querySelector('.st-key-sez_present_nav').getBoundingClientRect();
  // The filled share of the slide box (the slide's width, from its top to the controls): a 96×54
  // grid over it, a cell filled when a content box covers its centre.
  const boxes = [...slide.querySelectorAll('.sez-slide-bar, p, li, dt, dd, tr, h3, img, .sez-tile, .sez-tl-label, .sez-tl-track, .sez-tl-when, .sez-tl-head')]
    .map(e => e.getBoundingClientRect()).filter(seen);
  const area = {left: bar.left, right: bar.right, top: bar.top, bottom: Math.min(nav.top, innerHeight)};
  let filled = 0;
  for (let i = 0; i < 96; i++) for (let j = 0; j < 54; j++) {
    const x = area.left + (i + 0.5) * (area.right - area.left) / 96, y = area.top + (j + 0.5) * (area.bottom - area.top) / 54;
    if (boxes.some(b => x >= b.left && x <= b.right && y >= b.top && y <= b.bottom)) filled++;
  }
  const scrollers = [document.scrollingElement, ...document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"]')];
  return {texts, filled: filled / (96 * 54), text: slide.innerText, dir: slide.getAttribute('dir'), direction: getComputedStyle(slide).direction,
          slideBottom: bar.bottom, slideRight: bar.right, navTop: nav.top,
          overflow: Math.max(...scrollers.filter(Boolean).map(e => e.scrollHeight - e.clientHeight))};
}
"""


# The deck of the last round of data (JCC-14), and the newest shipped version, which only adds the
# zones' names in Chinese and Urdu: its "What changed" lists those minor changes.
DECK_VERSIONS = ("v0004", "newest")


def _version_id(browser_data_dir, deck_version: str) -> str:
    return VersionStore(browser_data_dir).versions()[-1].id if deck_version == "newest" else deck_version


def _deck(browser_data_dir, code: str, version_id: str):
    from sez_metrics.render import present
    from sez_metrics.render.briefing import pack as pack_files
    from sez_metrics.render.briefing import story as storyline

    inputs = pack_files.load_pack_inputs(browser_data_dir, version_id)
    with i18n.use_language(code):
        return present.build_deck(storyline.build_briefing(inputs.dataset, inputs.compare, history=inputs.history))


def _check(page, code: str, number: int, kind: str, width: int, height: int, version_id: str = "") -> tuple[float, list[str]]:
    """Measure the slide as shown now; return its smallest text size and what is wrong with it."""
    folder = SCREENSHOTS / "present-lang"
    folder.mkdir(parents=True, exist_ok=True)
    if page.viewport_size != {"width": width, "height": height}:
        page.set_viewport_size({"width": width, "height": height})
    settle(page)
    page.screenshot(path=str(folder / f"{code}-{version_id or 'setup'}-{width}x{height}-{number:02d}-{kind}.png"))
    seen = page.evaluate(_MEASURE_JS)
    where = f"{code} {version_id} slide {number} ({kind}) at {width}x{height}"
    problems = []
    small = [t for t in seen["texts"] if t["size"] < SMALLEST_PX - 0.05]
    if small:
        problems += [f"{where}: {t['size']:.1f} px {t['where']} {t['text']!r}" for t in small[:5]]
    if code in SCRIPT and not SCRIPT[code].search(seen["text"]):
        problems.append(f"{where}: no {code} script on the slide")
    rtl = i18n.language(code).direction == "rtl"
    if rtl != (seen["dir"] == "rtl" and seen["direction"] == "rtl"):
        problems.append(f"{where}: dir={seen['dir']}, direction {seen['direction']}")
    # Text cut short with an ellipsis (a control too narrow for its words at this size).
    problems += [f"{where}: text cut short: {text!r}" for text in cut_texts(page, (SLIDE, ".st-key-sez_present_nav"))]
    if seen["filled"] < LEAST_FILLED:
        problems.append(f"{where}: only {seen['filled']:.0%} of the screen filled")
    if seen["overflow"] > 2 or seen["slideRight"] > width + 1:
        problems.append(f"{where}: scrolls by {seen['overflow']} px")
    if seen["slideBottom"] > seen["navTop"] + 2:
        problems.append(f"{where}: runs under the controls")
    print(f"  {where}: fill {seen['filled']:.0%}")
    return min(t["size"] for t in seen["texts"]), problems


@pytest.mark.parametrize("deck_version", DECK_VERSIONS)
@pytest.mark.parametrize("code", list(i18n.LANGUAGES))
def test_every_slide_reads_from_the_back_of_the_room(app_page, browser_data_dir, code, deck_version, record_property):
    version_id = _version_id(browser_data_dir, deck_version)
    deck = _deck(browser_data_dir, code, version_id)
    latest = next(v for v in VersionStore(browser_data_dir).versions() if v.id == version_id)
    for old in (SCREENSHOTS / "present-lang").glob(f"{code}-{version_id}-*.png"):  # no screenshot of an earlier deck left to mislead
        old.unlink()
    page = app_page.page
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    app_page.open(f"/?present=1&slide=1&lang={code}&version={version_id}")
    problems, smallest = [], {size: 99.0 for size in SIZES}
    for number, slide in enumerate(deck, start=1):
        if number > 1:
            page.keyboard.press("ArrowRight")
        expect(page.locator(SLIDE)).to_have_attribute("data-slide", str(number))
        app_page.wait_ready()
        expect(page.locator(SLIDE)).to_have_attribute("data-kind", slide.kind)
        if slide.kind == "map":
            expect(page.locator(SLIDE).locator("img")).to_be_visible()
        expect(page.get_by_test_id("sez-as-of-stamp")).to_contain_text(latest.as_of)
        expect(page.get_by_test_id("sez-as-of-stamp")).to_contain_text(latest.id)
        for chrome in CHROME:
            assert not page.locator(chrome).first.is_visible(), f"{chrome} shows on slide {number}"
        sizes = SIZES if number % 2 else SIZES[::-1]  # one resize per slide
        for width, height in sizes:
            least, found = _check(page, code, number, slide.kind, width, height, version_id)
            smallest[(width, height)] = min(smallest[(width, height)], least)
            problems += found
    expect(page).to_have_url(re.compile(rf"[?&]lang={code}(&|$)") if code != "en" else re.compile(r"^(?!.*lang=)"))
    # The set-up popover: its switch and choices are controls too.
    page.get_by_role("button", name=re.compile("⚙")).click()
    expect(page.get_by_test_id("stPopoverBody")).to_be_visible()
    least, found = _check(page, code, len(deck), "setup", *SIZES[1], version_id)
    problems += [p for p in found if "filled" not in p]
    summary = ", ".join(f"{w}x{h}: {px:.1f} px" for (w, h), px in smallest.items())
    record_property("smallest_text", summary)
    kinds = {kind: sum(s.kind == kind for s in deck) for kind in dict.fromkeys(s.kind for s in deck)}
    print(f"{code} {version_id}: {len(deck)} slides {kinds}; smallest text {summary}; set-up {least:.1f} px")
    app_page.assert_clean()
    assert not problems, "\n".join(problems)


def test_the_set_up_switches_the_language_and_keeps_the_slide(app_page):
    page = app_page.page
    page.set_viewport_size({"width": 1280, "height": 720})
    app_page.open("/?present=1&slide=3")
    page.get_by_role("button", name=re.compile("Set up")).click()
    page.get_by_test_id("stPopoverBody").get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name="اردو").click()
    app_page.wait_ready()
    expect(page).to_have_url(re.compile(r"[?&]lang=ur(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]slide=3(&|$)"))
    slide = page.locator(SLIDE)
    expect(slide).to_have_attribute("dir", "rtl")
    assert SCRIPT["ur"].search(slide.inner_text())
    app_page.assert_clean()
