"""A version's date does not hide older figures: a zone whose row is dated more than
``settings.STALE_FIGURES_DAYS`` before the version's as-of date says so on every page and slide, and
the Overview counts such zones."""

from __future__ import annotations

import io
import json
import re

import pytest
from pypdf import PdfReader
from support.pages import rendered_texts, run_page
from support.stores import variant_store

from sez_metrics.core import metrics, settings, vocabulary
from sez_metrics.render.briefing import html as pack_html
from sez_metrics.render.briefing import images as pack_images
from sez_metrics.render.briefing import pack as pack_files
from sez_metrics.render.briefing import pdf as pack_pdf
from sez_metrics.render.briefing import story as storyline
from sez_metrics.storage.folder import VersionStore

STALE = "as of 2022-03 — 7 months older than this round"


@pytest.fixture
def stale_store(tmp_path, monkeypatch):
    """The mini store; in its latest version (as of 2022-10-15) AIIC's figures date from 2022-03-31."""
    root = variant_store(tmp_path / "store", [
        ("v1", "Before JCC-10", "2021-09-15", {}),
        ("v2", "Before JCC-11", "2022-10-15", {"status.csv": [("aiic,2022-10-15,", "aiic,2022-03-31,")]}),
    ])
    monkeypatch.setenv("SEZ_DATA_DIR", str(root))
    return root


def _plain(texts) -> str:
    return " ".join(texts).replace("\\", "")


def test_the_rule():
    assert settings.STALE_FIGURES_DAYS == 30
    assert vocabulary.stale_text("2022-03-31", "2022-10-15") == STALE
    assert vocabulary.stale_text("2022-09-20", "2022-10-15") == ""  # 25 days: within the round
    assert vocabulary.stale_text("2022-09-01", "2022-10-15") == "as of 2022-09 — 44 days older than this round"


def test_overview_counts_and_names_the_stale_zones(stale_store):
    dataset = VersionStore(stale_store).load().dataset
    assert metrics.stale_zones(dataset) == ["AIIC Faisalabad"]
    at = run_page()
    assert not at.exception
    text = _plain(rendered_texts(at))
    assert "1 of 3 zones' figures are more than 30 days older than this round (as of 2022-10-15): AIIC Faisalabad" in text
    assert STALE in text  # the AIIC card


def test_zone_profile_and_map_card(stale_store):
    at = run_page("zone", zone="aiic")
    assert STALE in _plain(w.value for w in at.warning)
    assert STALE not in _plain(w.value for w in run_page("zone", zone="rashakai").warning)
    at = run_page("map", zone="aiic")
    assert STALE in _plain(rendered_texts(at))
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    point = next(p for p in next(layer for layer in spec["layers"] if layer["id"] == "zones")["data"] if p["zone_id"] == "aiic")
    assert point["stale_text"] == STALE


def test_slide_and_both_packs(stale_store):
    inputs = pack_files.load_pack_inputs(stale_store)
    story = storyline.build_briefing(inputs.dataset, inputs.compare, history=inputs.history)
    aiic = next(z for z in story.zones if z.zone_id == "aiic")
    heading = "Status as of 2022-03-31 — 7 months older than this round"
    assert aiic.status_heading(story.info.as_of) == heading
    html = pack_html.render_html(story, pack_images.BriefingImages())
    pdf = pack_pdf.render_pdf(story, pack_images.BriefingImages())
    pdf_text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert heading in html and heading in pdf_text
    number = next(i for i, z in enumerate(story.zones) if z.zone_id == "aiic")
    at = run_page(present="1", slide=str(3 + number))
    body = next(h.proto.body for h in at.get("html") if 'data-testid="sez-slide"' in h.proto.body)
    assert heading in body
