"""SEZ progress dashboard: entry point. Page configuration and navigation only."""

import streamlit as st

from sez_metrics.app import context, language, presenter, serverguard, widgets
from sez_metrics.core.i18n import _

# Uploads only for signed-in stewards, clear_cache ignored: once per process, before any page runs.
serverguard.install()

# Each page adds its own name to the title (context.set_page_title).
st.set_page_config(page_title=context.APP_NAME, page_icon="🏭", layout="wide")

# The session's language first: every text after this, the navigation's too, is read in it.
language.apply_language()
language.language_styles()  # its fonts and, for Urdu, right to left

PAGES = [
    st.Page("pages/overview.py", title=_("Overview"), icon="📊", url_path="overview", default=True),
    st.Page("pages/map.py", title=_("Map"), icon="🗺️", url_path="map"),
    st.Page("pages/zone.py", title=_("Zone profile"), icon="🏭", url_path="zone"),
    st.Page("pages/timeline.py", title=_("Timeline"), icon="📅", url_path="timeline"),
    st.Page("pages/changes.py", title=_("Changes"), icon="🔁", url_path="changes"),
    st.Page("pages/data.py", title=_("Data"), icon="🗂️", url_path="data"),
]

if not presenter.presenter_requested():  # the presenter's set-up has its own switch
    language.language_switch()
context.focus_styles()  # before the page: presenter mode stops the script inside it
st.navigation(PAGES).run()
# After the page, so the footer sits below the page's own sidebar widgets (the version picker).
widgets.sidebar_footer()
