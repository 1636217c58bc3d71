"""sez_metrics: the SEZ progress dashboard's package, in layers.

Each layer imports only itself and the layers listed before it (``tests/test_layers.py``):

- ``core``: the domain, pure: schema and vocabulary, reading and validating CSVs, a version's
  typed tables, diff, metrics, timeline.
- ``storage``: the versioned store (folder or PostgreSQL), publishing, copying, synthetic stores.
- ``steward``: steward accounts and sign-in, and the upload → review → publish workspace.
- ``render``: charts, the map, static images, presenter slides, the briefing pack, exports.
- ``views``: what each page shows, as plain data (the pages' view models).
- ``cli``: ``python -m sez_metrics``.
- ``app``: everything that imports Streamlit (with ``app.py`` and ``pages/``).
"""

__version__ = "0.1.0"
