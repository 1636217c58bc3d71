"""What each page shows, as plain data: frames, strings and small dataclasses built from datasets.

One module per page (``changes``, ``data``, ``zone``, ``timeline``); the page script reads its
state (URL, widgets), calls the view and draws what it returns. Nothing here imports Streamlit.
"""
