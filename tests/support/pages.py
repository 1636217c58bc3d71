"""Running the app's pages with AppTest (``streamlit.testing.v1``) and reading what they rendered."""

from __future__ import annotations

import json
from collections.abc import Iterator

from streamlit.testing.v1 import AppTest

from support.stores import REPO

APP = REPO / "app.py"


def run_page(page: str | None = None, **params: str | list[str]) -> AppTest:
    """One run of the app at ``pages/<page>.py`` (its default page when ``page`` is None) with
    ``params`` as URL query parameters. No exception may escape the page: a visitor never sees
    a traceback."""
    at = AppTest.from_file(str(APP), default_timeout=30)
    if page:
        at.switch_page(f"pages/{page}.py")
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def walk(node) -> Iterator:
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from walk(child)


# Element types whose label or body Streamlit renders as markdown.
MARKDOWN_TYPES = {
    "title", "header", "subheader", "markdown", "caption", "metric", "expander", "page_link", "tab",
    "alert", "info", "warning", "error", "success", "progress", "button", "download_button", "badge",
}


def rendered_texts(at: AppTest) -> list[str]:
    """Every label and body text of the elements that render markdown (not tables, not options)."""
    texts = []
    for node in walk(at._tree):
        if getattr(node, "type", None) not in MARKDOWN_TYPES:
            continue
        for attr in ("value", "label", "body", "text", "delta"):
            value = getattr(node, attr, None)
            if isinstance(value, str):
                texts.append(value)
        proto = getattr(node, "proto", None)
        for attr in ("label", "body", "text"):
            value = getattr(proto, attr, None) if proto is not None else None
            if isinstance(value, str) and value:
                texts.append(value)
    return texts


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
