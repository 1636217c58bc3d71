"""The Streamlit side: page context, cached loads, widgets, presenter mode, server guards.

The only subpackage that imports Streamlit (``tests/test_layers.py`` checks it).
"""
