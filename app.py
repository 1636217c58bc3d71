"""SEZ progress dashboard: entry point. Page configuration and navigation only."""

import streamlit as st

from sez_metrics.app import context, serverguard, widgets

# Uploads only for signed-in stewards, clear_cache ignored: once per process, before any page runs.
serverguard.install()

# Each page adds its own name to the title (context.set_page_title).
st.set_page_config(page_title=context.APP_NAME, page_icon="🏭", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon="📊", url_path="overview", default=True),
    st.Page("pages/map.py", title="Map", icon="🗺️", url_path="map"),
    st.Page("pages/zone.py", title="Zone profile", icon="🏭", url_path="zone"),
    st.Page("pages/timeline.py", title="Timeline", icon="📅", url_path="timeline"),
    st.Page("pages/changes.py", title="Changes", icon="🔁", url_path="changes"),
    st.Page("pages/data.py", title="Data", icon="🗂️", url_path="data"),
]

context.focus_styles()  # before the page: presenter mode stops the script inside it
st.navigation(PAGES).run()
# After the page, so the footer sits below the page's own sidebar widgets (the version picker).
widgets.sidebar_footer()
