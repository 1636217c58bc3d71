"""The app shell: page URL paths, the shared version picker, the as-of line, integrity fall-back, footer."""

from __future__ import annotations

import ast
import re

import pytest
from streamlit.testing.v1 import AppTest
from support.hostile import HOSTILE_SHORT, build_hostile_store
from support.pages import APP, run_page
from support.stores import build_mini_store

from sez_metrics.core.text import MAX_ECHO_CHARS, echo_text, md_escape
from sez_metrics.storage.folder import VersionStore


def _literal(node: ast.AST):
    """A keyword's constant value; a title marked for translation (``_("Map")``) reads as its English text."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_":
        node = node.args[0]
    return ast.literal_eval(node)


PAGES = ["overview", "map", "zone", "timeline", "changes", "data"]


def as_of_line(at) -> str:
    lines = [c.value for c in at.caption if c.value.startswith("📅 Data as of")]
    assert len(lines) == 1, [c.value for c in at.caption]
    return lines[0]


def test_pages_have_the_contracted_url_paths_and_emoji_icons():
    calls = [n for n in ast.walk(ast.parse(APP.read_text())) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "Page"]
    pages = {}
    for call in calls:
        keywords = {k.arg: _literal(k.value) for k in call.keywords}
        pages[ast.literal_eval(call.args[0])] = keywords
    assert {p: k["url_path"] for p, k in pages.items()} == {f"pages/{name}.py": name for name in PAGES}
    assert [p for p, k in pages.items() if k.get("default")] == ["pages/overview.py"]  # served at /
    assert not any(k["icon"].startswith(":material/") for k in pages.values())  # they fetch a font online


def test_the_default_page_is_the_overview_of_the_latest_version(mini_store):
    at = run_page()
    assert not at.exception
    assert [t.value for t in at.title] == ["📊 Overview"]
    line = as_of_line(at)
    assert md_escape("2022-10-15") in line and md_escape("Before JCC-11") in line and "latest" in line
    assert at.sidebar.selectbox(key="_version_picker").value == "v0002"
    assert "version" not in at.query_params  # the latest is not pinned


def test_the_picker_options_are_short_and_the_full_label_is_under_it(mini_store):
    at = run_page(version="v0001")
    picker = at.sidebar.selectbox(key="_version_picker")
    # free-text labels made the options too long for the sidebar: id and date only
    assert picker.options == ["v0002 · 2022-10-15 (latest)", "v0001 · 2021-09-15"]
    assert md_escape("Before JCC-10") in [c.value for c in at.sidebar.caption]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_the_as_of_line_of_the_version_in_the_url(mini_store, page):
    at = run_page(page, version="v0001")
    assert not at.exception, at.exception
    line = as_of_line(at)
    assert md_escape("2021-09-15") in line and md_escape("Before JCC-10") in line
    assert "earlier version" in line and md_escape("Before JCC-11") in line  # names the latest
    assert at.sidebar.selectbox(key="_version_picker").value == "v0001"


def test_the_picker_pins_a_version_that_survives_a_page_switch(mini_store):
    at = run_page()
    at.sidebar.selectbox(key="_version_picker").select("v0001").run()
    assert at.query_params["version"] == "v0001"
    assert md_escape("2021-09-15") in as_of_line(at)
    at.switch_page("pages/changes.py").run()
    assert md_escape("2021-09-15") in as_of_line(at)
    assert at.query_params["version"] == "v0001"
    # Back to the latest: the URL no longer pins a version.
    at.sidebar.selectbox(key="_version_picker").select("v0002").run()
    assert "version" not in at.query_params
    assert md_escape("2022-10-15") in as_of_line(at)


def test_an_unknown_version_in_the_url_shows_the_latest_and_says_so_once(mini_store):
    at = run_page(version="v0099")
    assert not at.exception
    # one banner, the id named once (it read "version v0099: v0099: no such version…" beside a second banner)
    assert len(at.warning) == 1, [w.value for w in at.warning]
    banner = at.warning[0].value
    assert banner.startswith("There is no version “v0099”.") and banner.count("v0099") == 1, banner
    assert banner.endswith("the latest version."), banner
    assert md_escape("2022-10-15") in as_of_line(at)
    assert "version" not in at.query_params, "the unknown id is dropped from the link"


HOSTILE_PARAM = "\u202eZES evil " + "A" * 100_000  # a direction override and 100,000 characters


def _echoes(at) -> str:
    return " ".join(str(e.value) for kind in ("warning", "error", "info", "toast") for e in getattr(at, kind))


@pytest.mark.parametrize("page, params", [
    ("pages/overview.py", {"version": HOSTILE_PARAM}),
    ("pages/zone.py", {"zone": HOSTILE_PARAM}),
    ("pages/map.py", {"zone": HOSTILE_PARAM}),
    ("pages/map.py", {"measure": HOSTILE_PARAM}),
    ("pages/changes.py", {"compare": HOSTILE_PARAM}),
    ("pages/timeline.py", {"zone": HOSTILE_PARAM}),
    ("pages/overview.py", {"present": "1", "compare": HOSTILE_PARAM}),
    ("pages/overview.py", {"present": "1", "zones": HOSTILE_PARAM}),
])
def test_unknown_link_values_are_echoed_short_and_escaped(mini_store, page, params):
    """The finding: ``?zone=`` echoed 100k characters and ``?version=`` attacker-chosen text."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception
    shown = _echoes(at)
    assert "\u202e" not in shown, "a direction override is never echoed raw"
    assert "A" * (MAX_ECHO_CHARS + 1) not in shown, "at most a short prefix is echoed"
    if page != "pages/timeline.py" and "zones" not in params:
        assert md_escape(echo_text(HOSTILE_PARAM)) in shown, "the echo is the one shortened, escaped form"


def test_a_damaged_version_is_never_shown_the_newest_intact_one_is(mini_store):
    status = mini_store / "versions" / "v0002" / "status.csv"
    status.write_bytes(status.read_bytes().replace(b"partly_operational", b"operational_partly"))
    at = run_page()
    assert not at.exception
    assert len(at.warning) == 1, [w.value for w in at.warning]  # one banner: what failed, and what is shown instead
    banner = at.warning[0].value
    assert "sha256 mismatch" in banner and "v0001" in banner and banner.endswith("the newest intact version.")
    assert md_escape("2021-09-15") in as_of_line(at)


def test_the_sidebar_footer_credits_the_basemap_and_explains_confidence(mini_store):
    at = run_page()
    footer = " ".join(c.value for c in at.sidebar.caption)
    assert "Natural Earth" in footer
    assert all(word in footer for word in ("Official", "Reported", "Estimated", "Illustrative"))


def test_an_unreadable_store_is_a_clear_message_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("SEZ_DATA_DIR", str(tmp_path / "nothing-here"))
    at = run_page()
    assert not at.exception
    assert re.search("cannot be read", at.error[0].value)


@pytest.mark.parametrize("page", ["overview", "changes"])
def test_every_version_of_the_shipped_data_renders(shipped_copy, page):
    for info in VersionStore(shipped_copy).versions():
        at = run_page(page, version=info.id)
        assert not at.exception, (info.id, at.exception)
        assert md_escape(info.as_of) in as_of_line(at)


def test_caches_are_keyed_by_content_not_by_version_id(tmp_path, monkeypatch):
    # Two stores with the same version ids and different content, in one process (shared caches).
    plain = build_mini_store(tmp_path / "plain")
    other = build_hostile_store(tmp_path / "other")
    monkeypatch.setenv("SEZ_DATA_DIR", str(plain))
    first = run_page()
    assert "#### Rashakai" in [m.value for m in first.markdown]
    monkeypatch.setenv("SEZ_DATA_DIR", str(other))
    second = run_page()
    cards = [m.value for m in second.markdown if m.value.startswith("#### ")]
    assert cards == [f"#### {md_escape(HOSTILE_SHORT)}", "#### AIIC Faisalabad"]
    summary = next(m.value for m in second.markdown if m.value.startswith("- **"))
    assert md_escape(HOSTILE_SHORT) in summary
