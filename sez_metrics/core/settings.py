"""Named limits and defaults. Every limit the product enforces lives here."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO_ROOT / "data"

# A steward's CSV larger than this is refused before it is parsed.
MAX_CSV_BYTES = 20 * 1024 * 1024
# A file a steward uploads on the Data page; the same as server.maxUploadSize in .streamlit/config.toml.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# What one browser session may hold in uploads at once (the server refuses more with HTTP 403).
# Three tables per update; re-uploads and a second update in the same session fit.
MAX_UPLOAD_FILES_PER_SESSION = 12
MAX_UPLOAD_BYTES_PER_SESSION = 25 * 1024 * 1024
# A CSV whose header has more columns than this is refused before its header is checked name by name
# (the widest table has a few dozen columns; a file of 600,000 columns would cost a minute of CPU).
MAX_COLUMNS = 200
# Costly computations (an uncached version diff, a chromium render of presenter figures) run at most
# this many at a time in the whole process; further requests wait their turn.
MAX_CONCURRENT_COSTLY = 1
# Briefing packs built at once in the process, in a slot of their own: a pack takes seconds, and a
# page's own costly work (a version diff no one asked for yet) never waits behind one.
MAX_CONCURRENT_PACKS = 1
# Distinct presenter zone selections drawn by chromium per hour; beyond it the browser draws the
# figure itself (Plotly), so varying ?zones= cannot start a chromium render per request.
MAX_PRESENTER_RENDERS_PER_HOUR = 24
# A single cell longer than this is reported (protects every consumer from giant strings).
MAX_CELL_CHARS = 10_000
# How far outside its stated province a zone's point may lie before the validator warns, by its
# location_precision (km, geodesic): a surveyed site, a point near the zone, the nearest town. The
# province polygons are simplified, so even a site gets a little room.
LOCATION_TOLERANCE_KM = {"site": 1.0, "approximate": 5.0, "town": 20.0}
# Stage or colonization disagreement tolerated between colonization_pct and plots (percentage points).
COLONIZATION_TOLERANCE_PCT = 1.0
# A zone's figures dated more than this many days before their version's as-of date are marked stale
# ("as of 2025-03 — 6 months older than this round") wherever they are shown.
STALE_FIGURES_DAYS = 30

# Password checks (argon2, ~64 MiB and ~0.1 s of CPU each) running at once in one server process;
# attempts beyond it are refused with "try again in a few seconds" rather than queued without bound.
MAX_CONCURRENT_PASSWORD_CHECKS = 4
# Connections from these addresses are reverse proxies: the client address is read from the
# X-Real-IP / X-Forwarded-For header they set (for the per-client sign-in limits). Comma list.
TRUSTED_PROXIES = frozenset(
    a.strip() for a in os.environ.get("SEZ_TRUSTED_PROXIES", "127.0.0.1,::1").split(",") if a.strip()
)
# A steward's sign-in ends after this many minutes without any action on the page…
STEWARD_IDLE_MINUTES = 30
# …and this many hours after signing in, however active (then sign in again).
STEWARD_MAX_HOURS = 8


def data_dir() -> Path:
    """The dataset folder: ``SEZ_DATA_DIR`` if set, else ``data/`` in the repository."""
    value = os.environ.get("SEZ_DATA_DIR", "").strip()
    return Path(value).expanduser().resolve() if value else DEFAULT_DATA_DIR


def store_location() -> Path | str:
    """The store in use: ``SEZ_STORE`` (a folder path or a ``postgresql://`` URL) if set, else the
    dataset folder (``data_dir``)."""
    value = os.environ.get("SEZ_STORE", "").strip()
    if not value:
        return data_dir()
    if value.lower().startswith(("postgresql://", "postgres://")):
        return value
    return Path(value).expanduser().resolve()


def basemap_dir() -> Path:
    """The folder whose ``basemap/`` holds the offline province polygons: the store's folder when the
    store is one, else the dataset folder (a database store keeps versions, not the basemap)."""
    location = store_location()
    return location if isinstance(location, Path) else data_dir()
