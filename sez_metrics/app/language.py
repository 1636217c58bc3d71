"""The language a session reads the dashboard in: from the URL (``?lang=zh``), kept across pages, chosen
in the sidebar (and in the presenter's set-up), and the page direction and fonts that go with it.

``app.py`` calls ``apply_language()`` first on every run, so every page, widget and message after it
speaks the session's language (``sez_metrics.core.i18n`` holds it for the run).
"""

from __future__ import annotations

import streamlit as st

from sez_metrics.core import i18n
from sez_metrics.render import webfonts

LANG_STATE_KEY = "sez_lang"
SWITCH_KEY = "_language_switch"
# The switch's label is in all three languages: whoever opens the page can find it.
SWITCH_LABEL = " · ".join(("Language", "语言", "زبان"))


def requested_language() -> str:
    """The language code the URL asks for, else the one this session chose before, else English.

    An unknown code is dropped from the URL (the page then shows in the session's language): a link's
    text is anyone's to choose, and it never reaches the page.
    """
    from_url = st.query_params.get(i18n.LANG_PARAM)
    if from_url is not None:
        code = str(from_url).strip().lower()
        if code in i18n.LANGUAGES:
            st.session_state[LANG_STATE_KEY] = code
            if code == i18n.SOURCE_LANGUAGE:
                st.query_params.pop(i18n.LANG_PARAM, None)  # English is the default: no parameter
            return code
        st.query_params.pop(i18n.LANG_PARAM, None)
    remembered = st.session_state.get(LANG_STATE_KEY) or i18n.SOURCE_LANGUAGE
    if remembered != i18n.SOURCE_LANGUAGE:
        st.query_params[i18n.LANG_PARAM] = remembered  # page switches drop the query: put it back
    return remembered


def choose_language(code: str) -> None:
    """Switch the session to ``code`` (the sidebar's and the presenter set-up's switch call this)."""
    code = i18n.language(code).code
    st.session_state[LANG_STATE_KEY] = code
    if code == i18n.SOURCE_LANGUAGE:
        st.query_params.pop(i18n.LANG_PARAM, None)
    else:
        st.query_params[i18n.LANG_PARAM] = code


def language_switch(container=None, key: str = SWITCH_KEY) -> None:
    """A select box of the three languages, each named in itself."""
    where = container if container is not None else st.sidebar
    current = i18n.current().code
    codes = list(i18n.LANGUAGES)
    st.session_state[key] = current  # follows the URL when the language came from a link

    def _on_change() -> None:
        choose_language(st.session_state[key])

    where.selectbox(SWITCH_LABEL, codes, format_func=lambda c: i18n.LANGUAGES[c].name, key=key,
                    on_change=_on_change)


def apply_language() -> i18n.Language:
    """Set this run's language from the URL or the session and return it."""
    code = requested_language()
    return i18n.set_language(code)


def language_styles(language: i18n.Language | None = None) -> None:
    """Set the page in the language's fonts (served from ``static/fonts``), line height and direction.

    Nothing for English. ``app.py`` calls it once per run, after ``apply_language``. The browser's
    ``<html lang dir>`` stay as Streamlit writes them (``en``, no ``dir``): changing them needs a
    script, and the app runs none of its own; the direction is set on the page's blocks instead.
    """
    language = language or i18n.current()
    css = webfonts.page_css(language.code, language.direction)
    if css:
        st.html(css)
