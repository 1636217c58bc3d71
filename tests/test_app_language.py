"""The session's language: from the URL (``?lang=zh``), kept across pages, switched in the sidebar;
an unknown code never reaches the page."""

import pytest

from sez_metrics.app.language import SWITCH_KEY
from sez_metrics.core import i18n
from tests.support.pages import run_page

pytestmark = pytest.mark.usefixtures("mini_store")


def _title(at) -> str:
    return at.title[0].value


def _lang(at) -> str | None:
    """The URL's ``lang`` (AppTest gives a value or a list of one)."""
    value = at.query_params.get("lang")
    return value[0] if isinstance(value, list) else value


@pytest.mark.parametrize(("code", "title"), [("en", "📊 Overview"), ("zh", "📊 概览"), ("ur", "📊 جائزہ")])
def test_the_url_chooses_the_language(code, title):
    at = run_page(lang=code)
    assert _title(at) == title
    assert at.sidebar.selectbox(key=SWITCH_KEY).value == code
    assert _lang(at) == (None if code == "en" else code)


def test_an_unknown_language_shows_english_and_leaves_the_url():
    at = run_page(lang="<b>xx</b>")
    assert _title(at) == "📊 Overview"
    assert _lang(at) is None


def test_the_sidebar_switch_changes_the_language_and_the_url():
    at = run_page()
    at.sidebar.selectbox(key=SWITCH_KEY).select("ur").run()
    assert not at.exception
    assert _title(at) == "📊 جائزہ"
    assert _lang(at) == "ur"
    at = run_page(lang="ur")  # AppTest reruns only the page, without app.py's switch: a new visit
    at.sidebar.selectbox(key=SWITCH_KEY).select("en").run()
    assert _title(at) == "📊 Overview"
    assert _lang(at) is None


def test_the_language_is_kept_when_the_page_changes():
    at = run_page(lang="zh")
    at.query_params.clear()  # a sidebar link drops the query
    at.switch_page("pages/map.py").run()
    assert not at.exception
    assert _title(at).endswith(i18n.gettext("zh", "Map"))
    assert _lang(at) == "zh"
