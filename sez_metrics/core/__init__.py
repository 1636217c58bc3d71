"""The domain: schema and vocabulary, reading and validating CSVs, and the figures computed from a version.

Pure functions over bytes and frames: no store, no rendering, no Streamlit.
"""
