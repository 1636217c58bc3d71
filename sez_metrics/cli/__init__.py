"""``python -m sez_metrics <command>``: the steward's and the operator's command line."""
