"""Named limits and defaults. Every limit the product enforces lives here."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = REPO_ROOT / "data"

# A steward's CSV larger than this is refused before it is parsed.
MAX_CSV_BYTES = 20 * 1024 * 1024
# A file a steward uploads on the Data page; the same as server.maxUploadSize in .streamlit/config.toml.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A single cell longer than this is reported (protects every consumer from giant strings).
MAX_CELL_CHARS = 10_000
# Stage or colonization disagreement tolerated between colonization_pct and plots (percentage points).
COLONIZATION_TOLERANCE_PCT = 1.0


def data_dir() -> Path:
    """The dataset folder: ``SEZ_DATA_DIR`` if set, else ``data/`` in the repository."""
    value = os.environ.get("SEZ_DATA_DIR", "").strip()
    return Path(value).expanduser().resolve() if value else DEFAULT_DATA_DIR
