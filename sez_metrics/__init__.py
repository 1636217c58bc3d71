"""sez_metrics: the SEZ progress dashboard's package, in layers.

- ``core``: schema, vocabulary, reading and validating CSVs, diff, metrics, timeline (pure).
- ``storage``: the versioned store (folder or PostgreSQL), publishing, copying, synthetic stores.
- ``steward``: steward accounts and the publish workspace.
- ``render``: charts, map, static images, presenter slides, briefing pack, exports.
- ``cli``: ``python -m sez_metrics``.
- ``app``: everything that imports Streamlit (with ``app.py`` and ``pages/``).
"""

__version__ = "0.1.0"
