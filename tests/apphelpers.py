"""Helpers for the AppTest suites of the app shell and its pages: run a page, read what it rendered,
build variant stores from the mini fixture, and a fixture whose data is hostile markup."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

from storebuilder import MINI, build_store
from streamlit.testing.v1 import AppTest

APP = Path(__file__).parents[1] / "app.py"
SHIPPED = Path(__file__).parents[1] / "data"

# Data that a markdown renderer would turn into HTML or a clickable javascript: link.
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_SHORT = "[x](javascript:alert(1))"  # 24 characters: a valid short_name
HOSTILE_SOURCE = "<script>alert(2)</script> **loud** [s](javascript:alert(2))"
HOSTILE_TITLE = "[m](javascript:alert(3)) <b>bold</b>"
HOSTILE_LABEL = "[v](javascript:alert(4)) <i>x</i>"


def run_page(page: str | None = None, **params: str) -> AppTest:
    """Run the app (its default page, or ``pages/<page>.py``) with the given query parameters."""
    at = AppTest.from_file(str(APP), default_timeout=30)
    if page:
        at.switch_page(f"pages/{page}.py")
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
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


def variant_store(root: Path, rounds: list[tuple[str, str, str, dict[str, list[tuple[str, str]]]]]) -> Path:
    """A store of mini fixture versions with text edits: rounds of (mini folder, label, as_of, {file: [(old, new)]})."""
    built = []
    for index, (folder, label, as_of, edits) in enumerate(rounds, start=1):
        target = root.parent / f"{root.name}_src{index}"
        shutil.copytree(MINI / folder, target)
        for file_name, replacements in edits.items():
            text = (target / file_name).read_text(encoding="utf-8")
            for old, new in replacements:
                assert old in text, f"{old!r} not in {folder}/{file_name}"
                text = text.replace(old, new)
            (target / file_name).write_text(text, encoding="utf-8")
        built.append((target, label, as_of))
    return build_store(root, built)


def _csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


HOSTILE_EDITS = {
    "zones.csv": [('"Rashakai Special Economic Zone, Nowshera",Rashakai', f"{_csv_cell(HOSTILE_NAME)},{_csv_cell(HOSTILE_SHORT)}")],
    "status.csv": [("cpecinfo 2022-04-27", _csv_cell(HOSTILE_SOURCE))],
    "milestones.csv": [("Gas pipeline 30 MMCFD", _csv_cell(HOSTILE_TITLE))],
}
HOSTILE_EDITS_V1 = {
    "zones.csv": HOSTILE_EDITS["zones.csv"],
    "milestones.csv": HOSTILE_EDITS["milestones.csv"],
}


def hostile_store(root: Path) -> Path:
    """The mini store with markup in a zone's names, a source, a milestone title and a version label."""
    return variant_store(
        root,
        [("v1", HOSTILE_LABEL, "2021-09-15", HOSTILE_EDITS_V1), ("v2", HOSTILE_LABEL + " 2", "2022-10-15", HOSTILE_EDITS)],
    )
