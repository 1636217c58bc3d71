"""sez_metrics: the pure core of the SEZ progress dashboard (schema, validation, store, diff, metrics).

Nothing in this package imports streamlit except ``sez_metrics.ui``.
"""

__version__ = "0.1.0"
