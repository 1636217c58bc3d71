"""Helpers for the AppTest page tests: a page runner and plain-pandas readers of a store's CSVs.

Values the tests expect are read from the CSVs with plain pandas, never through the app's own
code. The stores the tests run on are fixtures in ``pagefixtures``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "app.py"
SHIPPED = REPO / "data"
HOSTILE = "<img src=x onerror=alert(1)>"


def run_page(page: str, **params: str | list[str]) -> AppTest:
    """Run the app, then ``page`` (e.g. ``"pages/map.py"``) with ``params`` as URL query parameters."""
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.run()
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def latest_csv(root: Path, name: str) -> pd.DataFrame:
    """A table of the store's latest version, read as plain strings ("" for empty cells)."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    latest = manifest["versions"][-1]["id"]
    return pd.read_csv(root / "versions" / latest / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def all_versions_csv(root: Path, name: str) -> list[pd.DataFrame]:
    """``name`` of every version, oldest first, as plain strings."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    return [
        pd.read_csv(root / "versions" / v["id"] / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        for v in manifest["versions"]
    ]


def plotly_specs(at: AppTest) -> list[dict]:
    """Every Plotly figure on the page, as its JSON spec."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def milestone_markers(spec: dict) -> list[str]:
    """The milestone ids drawn by a timeline figure (one state marker per item)."""
    ids: list[str] = []
    for trace in spec["data"]:
        meta = trace.get("meta") or {}
        if meta.get("role") == "milestone":
            assert len(meta["milestone_ids"]) == len(trace["x"])
            ids += meta["milestone_ids"]
    return ids
