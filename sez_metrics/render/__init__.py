"""Turning a version into something to look at: charts, the map, static images, slides, the briefing pack, exports.

Pure: each renderer takes datasets and returns figures, bytes or escaped text; nothing imports Streamlit.
"""
