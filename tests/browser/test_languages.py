"""Every page in Chinese and Urdu, on a projector's two screen sizes: in the language's script, set
in the fonts the app serves itself, right to left for Urdu, with no error and no request leaving
the machine.

Page texts are being translated page by page, so this checks that what is translated (the
navigation, the page's title) is in the language's script, not that no English word is left.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from browsing import cut_texts, screenshot

from sez_metrics.core import i18n, schema
from sez_metrics.render import webfonts
from sez_metrics.render.fonts import fonts_for

pytestmark = pytest.mark.browser

PAGES = {
    "overview": "/",
    "map": "/map",
    "zone": "/zone?zone=rashakai",
    "timeline": "/timeline",
    "changes": "/changes",
    "data": "/data",
}
SIZES = ((1920, 1080), (1280, 720))
SCRIPT = {
    "zh": re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]"),
    "ur": re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]"),
}
NAV_PAGES = 6  # every page's name in the sidebar navigation
STAGE_PAGES = ("overview", "zone")  # pages that show the zones' development stages

_TEXTS_JS = """
() => {
  const text = sel => [...document.querySelectorAll(sel)].map(e => e.innerText).join('\\n');
  return {nav: text('[data-testid="stSidebarNav"]'), title: text('[data-testid="stMain"] h1'),
          sidebar: text('[data-testid="stSidebarContent"]')};
}
"""
_DIRECTION_JS = """
() => {
  const dir = sel => { const e = document.querySelector(sel); return e ? getComputedStyle(e).direction : null; };
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"]')];
  const h1 = document.querySelector('[data-testid="stMain"] h1');
  return {main: dir('[data-testid="stMain"]'), sidebar: dir('[data-testid="stSidebarContent"]'),
          charts: charts.map(e => getComputedStyle(e).direction),
          titleFont: h1 ? getComputedStyle(h1).fontFamily : null};
}
"""
# Where the title's text sits in its heading: the gaps between the text and the heading's edges.
_TITLE_GAPS_JS = """
() => {
  const h1 = document.querySelector('[data-testid="stMain"] h1');
  const range = document.createRange();
  range.selectNodeContents(h1);
  const text = range.getBoundingClientRect(), box = h1.getBoundingClientRect();
  return {left: Math.round(text.left - box.left), right: Math.round(box.right - text.right)};
}
"""
_STYLED_JS = """
family => {
  const h1 = document.querySelector('[data-testid="stMain"] h1');
  return !!h1 && getComputedStyle(h1).fontFamily.includes(family);
}
"""
# The faces the page loaded (status "loaded"), once the browser has finished loading fonts.
_LOADED_FONTS_JS = """
async () => {
  await document.fonts.ready;
  return [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family.replace(/^["']|["']$/g, ''));
}
"""


@pytest.fixture(scope="module", autouse=True)
def web_fonts_built():
    """The served fonts exist (the setup builds them; built here too on a machine not set up yet)."""
    webfonts.build()
    assert not webfonts.missing()


def _open(app_page, path: str) -> None:
    """Open ``path`` and wait until every element is drawn: right after the first run reports "not
    running", Streamlit can still show skeletons in place of the page's elements."""
    app_page.open(path)
    app_page.page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=30_000)
    app_page.wait_ready()


def _path(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", ("zh", "ur"))
@pytest.mark.parametrize("name", list(PAGES))
def test_page_in_the_language_its_fonts_and_direction(app_page, name, lang, size):
    page = app_page.page
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    _open(app_page, _path(PAGES[name], lang))
    app_page.assert_clean()

    script = SCRIPT[lang]
    texts = page.evaluate(_TEXTS_JS)
    nav_words = [line for line in texts["nav"].splitlines() if script.search(line)]
    assert len(nav_words) >= NAV_PAGES, f"navigation not in {lang}: {texts['nav']!r}"
    assert script.search(texts["title"]), f"page title not in {lang}: {texts['title']!r}"
    assert len(script.findall(texts["sidebar"])) >= 8, f"sidebar holds no {lang} text: {texts['sidebar'][:300]!r}"
    if name in STAGE_PAGES:  # the zones' stages, in cards, tables and chart labels
        with i18n.use_language(lang):
            stages = {schema.STAGE.label(code) for code in schema.STAGE.values}
        shown = page.locator('[data-testid="stMain"]').text_content()
        assert [label for label in stages if label in shown], f"no stage label in {lang}: {sorted(stages)}"

    language, fonts = i18n.language(lang), fonts_for(lang)
    page.wait_for_function(_STYLED_JS, arg=fonts.primary.family, timeout=10_000)  # the language's stylesheet
    direction = page.evaluate(_DIRECTION_JS)
    assert direction["main"] == language.direction and direction["sidebar"] == language.direction, direction
    assert fonts.primary.family in direction["titleFont"], direction
    gaps = page.evaluate(_TITLE_GAPS_JS)  # the title starts on the language's side
    start, end = ("right", "left") if language.direction == "rtl" else ("left", "right")
    assert gaps[start] < 40 < gaps[end], f"title text not at the {start}: {gaps}"
    assert all(d == "ltr" for d in direction["charts"]), f"charts and the map keep their left-to-right axes: {direction}"

    loaded = page.evaluate(_LOADED_FONTS_JS)
    assert fonts.primary.family in loaded, f"{fonts.primary.family} did not load; loaded: {loaded}"
    sample = "拉沙卡伊" if lang == "zh" else "رشکئی"
    assert page.evaluate("([font, text]) => document.fonts.check(font, text)",
                         [f'20px "{fonts.primary.family}"', sample])
    served = {w.file_name for w in webfonts.faces_of(fonts.faces)}
    fetched = [u for u in app_page.requests if urlsplit(u).path.rsplit("/", 1)[-1] in served]
    assert fetched, f"no font file of {lang} was requested: {[u for u in app_page.requests if 'font' in u]}"
    base = urlsplit(app_page.base_url)
    assert all(urlsplit(u).netloc == base.netloc and "/app/static/fonts/" in urlsplit(u).path for u in fetched), fetched
    assert not app_page.foreign_requests

    screenshot(page, f"languages/{lang}-{width}x{height}-{name}")
    # Translated words run longer or taller than English ones: tiles, labels and choices wrap to
    # show them whole, none is cut short with an ellipsis.
    cut = cut_texts(page)
    assert not cut, f"text cut short on {name} in {lang} at {width}x{height}: {cut}"
    app_page.assert_clean()


def test_english_pages_fetch_no_web_font(app_page):
    """The served fonts are for Chinese and Urdu: an English page loads none of them."""
    _open(app_page, "/")
    app_page.assert_clean()
    served = {w.file_name for w in webfonts.WEB_FACES}
    assert not [u for u in app_page.requests if urlsplit(u).path.rsplit("/", 1)[-1] in served]
    assert app_page.page.evaluate(_DIRECTION_JS)["main"] == "ltr"


def test_the_sidebar_switch_changes_the_page_language(app_page):
    """Choosing another language in the sidebar turns the page over to it, and the choice is in the URL."""
    page = app_page.page
    _open(app_page, "/timeline?lang=zh")
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name="اردو").click()
    app_page.wait_ready()
    page.wait_for_function(_STYLED_JS, arg=fonts_for("ur").primary.family, timeout=10_000)
    assert SCRIPT["ur"].search(page.locator('[data-testid="stMain"] h1').inner_text())
    assert page.evaluate(_DIRECTION_JS)["main"] == "rtl"
    assert re.search(r"[?&]lang=ur(&|$)", page.url), page.url
    app_page.assert_clean()
